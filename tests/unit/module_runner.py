# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a module's ``main()`` in-process and return what it printed.

Ansible masks no_log values in everything a module prints, so a test that only reads stdout cannot
see a leak in the module's own code. ``run_module(..., raw=True)`` keeps that masking for
``invocation`` only (Ansible's part: the options as given) and turns it off for the rest: then the
result is exactly what the module built, and it must hold no secret by construction.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.common.parameters import PASS_VARS
from ansible_collections.netbackup.nbwss.tests.unit.module_args import patch_module_args

try:
    from ansible.module_utils import _internal as module_internal
except ImportError:  # ansible-core before 2.19
    module_internal = None

REAL_REMOVE_VALUES = basic.remove_values


def isolate_module_warnings(monkeypatch):
    """Make a module run in this process keep its own warnings, and only those, in its result."""
    # ansible-core 2.19+ sends module warnings to the controller's display once any controller code was
    # imported in this process (the lookup tests do): a module run in-process must keep them in its result.
    if getattr(module_internal, 'is_controller', False):
        monkeypatch.setattr(module_internal, 'is_controller', False)
    # Warnings and deprecations are process-wide: each run starts without the earlier runs' ones.
    for name in ('_global_warnings', '_global_deprecations'):
        monkeypatch.setattr(module_warnings, name, type(getattr(module_warnings, name))())


def run_module(module, args, capsys, monkeypatch, check_mode=False, diff=True, raw=True):
    """Run ``module.main()`` with ``args``; return (parsed result, stdout). ``raw`` disables no_log masking but for invocation."""
    if raw:
        def mask_invocation_only(value, no_log_strings):
            if not isinstance(value, dict):
                return value
            value = dict(value)
            if 'invocation' in value:
                value['invocation'] = REAL_REMOVE_VALUES(value['invocation'], no_log_strings)
            return value

        monkeypatch.setattr(basic, 'remove_values', mask_invocation_only)
    isolate_module_warnings(monkeypatch)
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    if 'inject_invocation' in PASS_VARS:
        args['_ansible_inject_invocation'] = True  # ansible-core 2.21+ adds invocation only when asked
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            module.main()
    out = capsys.readouterr().out
    return json.loads(out), out
