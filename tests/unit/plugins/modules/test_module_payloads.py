# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a module carries to the master and imports there.

Every module run builds an AnsiballZ payload of the module and every module_utils file its imports
reach (nested imports included), and the master compiles what it imports on every run. The HTTP
code of provider fetches (``_provider``, urllib, ``ansible.module_utils.urls``) costs about 50 ms of
each run: the probe never fetches, and endpoint_set imports it only for a provider entry.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import os
import subprocess
import sys

COLLECTION = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
PREFIX = 'ansible_collections.netbackup.nbwss.'
PROVIDER = PREFIX + 'plugins.module_utils._provider'
URLS = 'ansible.module_utils.urls'


def imported_names(path):
    """Every module an ``import`` or ``from ... import`` in the file names, at any depth, as AnsiballZ's finder sees them."""
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read(), path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def payload(module):
    """The modules a payload of ``plugins/modules/<module>.py`` holds: the collection's files its imports reach, and the
    ansible.module_utils modules those import."""
    seen, todo = set(), [PREFIX + 'plugins.modules.' + module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name.startswith(PREFIX):
            path = os.path.join(COLLECTION, *name[len(PREFIX):].split('.')) + '.py'
            todo.extend(found for found in imported_names(path) if found.startswith((PREFIX, 'ansible.module_utils')))
    return seen


def imported_at_run_time(module):
    """The modules importing ``plugins/modules/<module>.py`` loads, in a fresh Python."""
    code = 'import sys, %s%s; print("\\n".join(sorted(sys.modules)))' % ('ansible_collections.netbackup.nbwss.plugins.modules.', module)
    done = subprocess.run([sys.executable, '-c', code], stdout=subprocess.PIPE, check=True, universal_newlines=True,
                          env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    return set(done.stdout.split())


def test_the_probe_carries_no_provider_fetching():
    carried = payload('probe')

    assert PROVIDER not in carried and URLS not in carried
    # The walk reaches the entry checks and the provider options they use: the absences above are not vacuous.
    assert PREFIX + 'plugins.module_utils._provider_options' in carried
    assert PREFIX + 'plugins.module_utils._probe' in carried


def test_endpoint_set_carries_the_fetcher_and_imports_it_only_for_a_provider_entry():
    assert PROVIDER in payload('endpoint_set') and PROVIDER in payload('endpoint_fetch')

    loaded = imported_at_run_time('endpoint_set')

    assert PROVIDER not in loaded and URLS not in loaded
    assert PREFIX + 'plugins.module_utils._endpoint_entries' in loaded
    assert PROVIDER in imported_at_run_time('endpoint_fetch')


def test_the_probe_imports_no_provider_fetching():
    loaded = imported_at_run_time('probe')

    assert PROVIDER not in loaded and URLS not in loaded and 'urllib.request' not in loaded
    assert PREFIX + 'plugins.module_utils._probe' in loaded
