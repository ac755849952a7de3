# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""The one guarded import of the Python library ``websockets``, and the probe's minimum Python.

Importing this file never fails: when ``websockets`` is missing (as in the
``ansible-test sanity`` import test) the names below are ``None`` and
``HAS_WEBSOCKETS`` is ``False``. On a Python older than ``MINIMUM_PYTHON`` (a
RHEL 8 platform-python or SLES 15 master runs 3.6) ``websockets`` is not even
imported: whatever release is installed there is too old, and the task fails
with ``python_problem()``. The probe uses only websockets' Sans-I/O layer
(``ClientProtocol``: the upgrade request and response, frames, the closing
handshake); sockets, TLS and timing are the probe's own.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import sys
import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.netbackup.nbwss.plugins.module_utils._versions import older_than

__all__ = [
    'ClientProtocol', 'HAS_WEBSOCKETS', 'InvalidStatus', 'MINIMUM_PYTHON', 'MINIMUM_WEBSOCKETS_VERSION', 'Opcode',
    'Response', 'State', 'WEBSOCKETS_IMPORT_ERROR', 'WEBSOCKETS_VERSION', 'parse_uri', 'python_problem',
    'require_websockets', 'websockets_problem',
]

# Measured: the probe engine's tests pass with 11.0 (the first release with ClientProtocol under that
# name), 11.0.3, 12.0, 13.0 and 13.1 (the newest for Python 3.8) on Python 3.8, and 14.0, 14.2,
# 15.0.1, 16.1.1, 17.0 and 17.4 on Python 3.11; 10.4 lacks ClientProtocol. See docs/probe.md.
MINIMUM_WEBSOCKETS_VERSION = '11.0'
# websockets 11.0 needs Python 3.7 (9.1 is the last release for 3.6); the probe is tested on 3.8 and
# newer (docs/probe.md), so 3.8 is the minimum it states.
MINIMUM_PYTHON = (3, 8)
# The running interpreter; python_problem() reads it here, so a unit test can replace it.
PYTHON_VERSION_INFO = tuple(sys.version_info[:3])

websockets = None
HAS_WEBSOCKETS = False
WEBSOCKETS_IMPORT_ERROR = None
ClientProtocol = InvalidStatus = Opcode = Response = State = parse_uri = None

if PYTHON_VERSION_INFO[:2] >= MINIMUM_PYTHON:
    try:
        import websockets
    except ImportError:
        websockets = None

    try:
        from websockets.client import ClientProtocol
        from websockets.exceptions import InvalidStatus
        from websockets.frames import Opcode
        from websockets.http11 import Response
        from websockets.protocol import State
        from websockets.uri import parse_uri
    except ImportError:
        WEBSOCKETS_IMPORT_ERROR = traceback.format_exc()
    else:
        HAS_WEBSOCKETS = True

# Known whenever the package imports, also when it is too old to have the names above.
WEBSOCKETS_VERSION = getattr(websockets, '__version__', None)


def python_problem():
    """Return None when the running Python is new enough for the probe, else a one-sentence reason."""
    if PYTHON_VERSION_INFO[:2] >= MINIMUM_PYTHON:
        return None
    minimum = '.'.join(str(part) for part in MINIMUM_PYTHON)
    return ('The probe needs Python %s or newer on the managed host (for websockets >= %s), but it ran on Python %s '
            '(%s); set ansible_python_interpreter to a Python %s or newer there, or probe from the controller with '
            'delegate_to: localhost.' % (minimum, MINIMUM_WEBSOCKETS_VERSION,
                                         '.'.join(str(part) for part in PYTHON_VERSION_INFO),
                                         sys.executable or 'interpreter path unknown', minimum))


def websockets_problem():
    """Return None when a usable ``websockets`` is importable, else a one-sentence reason (the Python's first)."""
    problem = python_problem()
    if problem is not None:
        return problem
    if older_than(WEBSOCKETS_VERSION, MINIMUM_WEBSOCKETS_VERSION):
        return 'The Python library websockets >= %s is required on the managed host, found %s.' % (
            MINIMUM_WEBSOCKETS_VERSION, WEBSOCKETS_VERSION)
    if not HAS_WEBSOCKETS:
        return missing_required_lib('websockets >= %s' % MINIMUM_WEBSOCKETS_VERSION)
    return None


def require_websockets(module):
    """Fail the task (``module.fail_json``) unless a usable ``websockets`` is importable."""
    problem = websockets_problem()
    if problem is None:
        return
    if WEBSOCKETS_IMPORT_ERROR is not None:
        module.fail_json(msg=problem, exception=WEBSOCKETS_IMPORT_ERROR)
    # No import failed (none is tried on too old a Python): no traceback to show, and Ansible would print "None".
    module.fail_json(msg=problem)
