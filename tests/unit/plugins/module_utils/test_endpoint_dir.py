# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading a directory of endpoint files (endpoint_info, probe), and the leftovers that hold tokens."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import time

import pytest

from ansible_collections.netbackup.nbwss.tests.unit.endpoint_helpers import (
    KEY,
    OLD_KEY,
    STRANGER_KEY,
    TOKEN,
    deploy,
    endpoint,
    keyring,
    make_module,
    write,
)

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_dir import leftover_warnings, read_endpoint_files
from ansible_collections.netbackup.nbwss.plugins.module_utils._files import backup_name
from ansible_collections.netbackup.nbwss.plugins.module_utils._keys import KeyRing
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import TaskError
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import key_id


def test_info_lists_readable_files_and_reports_bad_ones_without_failing(tmp_path):
    deploy(tmp_path / 'nbwss_g1_1.sealed', ring=keyring(OLD_KEY))
    deploy(tmp_path / 'nbwss_g1_2.json', endpoint(priority=2, url='wss://b.example.com/'), fmt='plain')
    deploy(tmp_path / 'nbwss_g2_1.sealed', endpoint(groupId='g2', url='wss://c.example.com/'), ring=keyring(STRANGER_KEY))
    write(tmp_path / 'nbwss_bad.json', b'[]')
    write(tmp_path / 'unrelated.json', b'[]')
    module = make_module()

    found = read_endpoint_files(module, str(tmp_path), 'nbwss_*', keyring(KEY, [OLD_KEY]))
    result, endpoints = found.report, found.endpoints

    rows = dict((os.path.basename(row['path']), row) for row in result['endpoints'])
    assert sorted(rows) == ['nbwss_g1_1.sealed', 'nbwss_g1_2.json']
    assert rows['nbwss_g1_1.sealed']['rekey_needed'] is True and rows['nbwss_g1_1.sealed']['key_id'] == key_id(OLD_KEY)
    assert rows['nbwss_g1_2.json']['format'] == 'plain' and 'key_id' not in rows['nbwss_g1_2.json']
    assert sorted(os.path.basename(e['path']) for e in result['errors']) == ['nbwss_bad.json', 'nbwss_g2_1.sealed']
    assert result['groups'][0]['priorities'] == [1, 2] and result['problems'] == []
    assert sorted(e.source for e in endpoints) == sorted(row['path'] for row in result['endpoints'])
    assert TOKEN not in json.dumps(result) and TOKEN in module.secret_mask


def test_info_missing_path_fails(tmp_path):
    with pytest.raises(TaskError):
        read_endpoint_files(make_module(), str(tmp_path / 'nope'), 'nbwss_*', KeyRing())


def test_backups_and_interrupted_writes_are_warned_about_because_they_hold_tokens(tmp_path):
    path = tmp_path / 'nbwss_g1_1.sealed'
    deploy(path)
    deploy(path, endpoint(priority=3), backup=True)
    write(tmp_path / '.nbwss_g1_1.sealed.x7k2p9.nbwss-tmp', b'partial')
    write(tmp_path / 'other.json.1.2026-01-01@00:00:00~', b'not ours')

    found = read_endpoint_files(make_module(), str(tmp_path), 'nbwss_*', keyring())
    warnings = found.warnings

    backups = [w for w in warnings if 'a backup of an endpoint file' in w]
    temps = [w for w in warnings if 'interrupted write' in w]
    assert len(backups) == 1 and backups[0].startswith(str(path) + '.')
    assert len(temps) == 1 and '.nbwss_g1_1.sealed.x7k2p9.nbwss-tmp' in temps[0]
    assert not any('other.json' in w for w in warnings)
    assert [row['path'] for row in found.report['endpoints']] == [str(path)]


def test_leftover_warnings_know_the_backup_name_format():
    name = os.path.basename(backup_name('/d/nbwss_a_1.json', now=time.time()))
    directory = os.path.dirname(os.path.abspath(__file__))
    assert name.startswith('nbwss_a_1.json.') and name.endswith('~')
    assert leftover_warnings(directory) == []


def test_a_file_sealed_with_another_key_says_key_id_mismatch(tmp_path):
    # endpoint_info and probe show this message for the file; it names key ids, never keys.
    path = tmp_path / 'nbwss_g1_1.sealed'
    deploy(path, ring=keyring(STRANGER_KEY))

    found = read_endpoint_files(make_module(), str(tmp_path), 'nbwss_*', keyring(KEY, [OLD_KEY]))
    result, endpoints = found.report, found.endpoints

    assert endpoints == [] and result['errors'] == [{'path': str(path), 'message': (
        '%s: the file was sealed with key id %s, which matches none of the keys given (key id mismatch; key ids tried: '
        '%s, %s); give the key that sealed it as key or in previous_keys' % (path, key_id(STRANGER_KEY), key_id(KEY),
                                                                             key_id(OLD_KEY)))}]
