# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""The one guarded import of the Python library ``cryptography``.

Importing this file never fails: when ``cryptography`` is missing (as in the
``ansible-test sanity`` import test) the names below are ``None`` and
``HAS_CRYPTOGRAPHY`` is ``False``. Code that needs the library calls
``require_cryptography()``, which raises a TaskError with the usual "install
cryptography" message (and the import traceback as ``exception``) instead of
failing with a traceback.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.netbackup.nbwss.plugins.module_utils._module import TaskError
from ansible_collections.netbackup.nbwss.plugins.module_utils._versions import older_than

# AESGCM and InvalidTag are for _sealed.py; they are None when cryptography is missing.
__all__ = [
    'AESGCM', 'CRYPTOGRAPHY_IMPORT_ERROR', 'CRYPTOGRAPHY_VERSION', 'HAS_CRYPTOGRAPHY', 'InvalidTag',
    'MINIMUM_CRYPTOGRAPHY_VERSION', 'cryptography_problem', 'require_cryptography',
]

# The minimum is also stated in the netbackup.nbwss.sealed doc fragment; keep them equal.
MINIMUM_CRYPTOGRAPHY_VERSION = '3.3'

try:
    import cryptography
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
except ImportError:
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_IMPORT_ERROR = traceback.format_exc()
    CRYPTOGRAPHY_VERSION = None
    InvalidTag = None
    AESGCM = None
else:
    HAS_CRYPTOGRAPHY = True
    CRYPTOGRAPHY_IMPORT_ERROR = None
    CRYPTOGRAPHY_VERSION = getattr(cryptography, '__version__', None)


def cryptography_problem():
    """Return None when a usable ``cryptography`` is importable, else a one-sentence reason."""
    if not HAS_CRYPTOGRAPHY:
        return missing_required_lib('cryptography >= %s' % MINIMUM_CRYPTOGRAPHY_VERSION)
    if older_than(CRYPTOGRAPHY_VERSION, MINIMUM_CRYPTOGRAPHY_VERSION):
        return 'The Python library cryptography >= %s is required on the managed host, found %s.' % (
            MINIMUM_CRYPTOGRAPHY_VERSION, CRYPTOGRAPHY_VERSION)
    return None


def require_cryptography():
    """Raise TaskError unless a usable ``cryptography`` is importable."""
    problem = cryptography_problem()
    if problem is not None:
        raise TaskError(problem, exception=CRYPTOGRAPHY_IMPORT_ERROR or problem)
