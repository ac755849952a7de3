# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the endpoint file, set and directory tests share: a module, endpoints, keys, one deploy step."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import stat

from ansible_collections.netbackup.nbwss.plugins.module_utils._module import NbwssModule
from ansible_collections.netbackup.nbwss.tests.unit.module_args import patch_module_args

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import endpoint_from_dict
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_file import EndpointFile
from ansible_collections.netbackup.nbwss.plugins.module_utils._keys import KeyRing
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import generate_key

TOKEN = 'nbwssHelperTok3n-Secret-0123456789'
OTHER_TOKEN = 'nbwssHelperTok3n-Other-9876543210'
KEY = generate_key()
OLD_KEY = generate_key()
STRANGER_KEY = generate_key()

WANTED = {'token': TOKEN, 'priority': 1, 'groupId': 'g1', 'hostName': 'a.example.com', 'url': 'wss://a.example.com/nbwss'}


def make_module(check_mode=False, diff=False):
    with patch_module_args({'_ansible_check_mode': check_mode, '_ansible_diff': diff}):
        return NbwssModule(argument_spec={}, supports_check_mode=True)


def endpoint(**changes):
    return endpoint_from_dict(dict(WANTED, **changes), source='test')


def keyring(current=KEY, previous=()):
    return KeyRing(current, list(previous))


def target(module, path, fmt='sealed', ring=None, **options):
    options.setdefault('mode', '0600')
    return EndpointFile(module, str(path), ring or keyring(), fmt=fmt, **options)


def deploy(path, wanted=None, fmt='sealed', ring=None, check_mode=False, **options):
    """Run one EndpointFile the way the endpoint module does; return it (applied)."""
    module = make_module(check_mode=check_mode, diff=True)
    item = target(module, path, fmt=fmt, ring=ring, **options).want(endpoint() if wanted is None else wanted)
    item.decide()
    item.diff()
    return item.apply()


def snapshot(path):
    """(inode, mtime_ns, mode, bytes) of a file: equal snapshots mean the file was not touched."""
    st = os.stat(str(path))
    with open(str(path), 'rb') as handle:
        return st.st_ino, st.st_mtime_ns, stat.S_IMODE(st.st_mode), handle.read()


def write(path, data, mode=0o600):
    with open(str(path), 'wb') as handle:
        handle.write(data)
    os.chmod(str(path), mode)
