# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The three deploy modules end to end through main(): results, failures, secrets, no cryptography."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from ansible_collections.netbackup.nbwss.tests.unit.module_args import patch_module_args

from ansible_collections.netbackup.nbwss.plugins.module_utils import _cryptography
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import encode_key, generate_key
from ansible_collections.netbackup.nbwss.plugins.modules import endpoint, endpoint_info, endpoint_set

TOKEN = 'tok-Module-Secret-42'
KEY = encode_key(generate_key())
ENDPOINT = {'token': TOKEN, 'priority': 1, 'groupId': 'g1', 'hostName': 'a.example.com', 'url': 'wss://a.example.com/'}


def run(module, args, capsys, check_mode=False, diff=True):
    """Run a module's main() and return (parsed result, raw stdout)."""
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            module.main()
    out = capsys.readouterr().out
    return json.loads(out), out


def test_endpoint_creates_then_is_unchanged_and_never_prints_the_token(tmp_path, capsys):
    args = {'path': str(tmp_path / 'e.sealed'), 'content': json.dumps(ENDPOINT), 'key': KEY}

    first, raw_first = run(endpoint, args, capsys)
    second, raw_second = run(endpoint, args, capsys)

    assert (first['changed'], first['reason']) == (True, 'created')
    assert (second['changed'], second['reason']) == (False, 'unchanged')
    assert first['endpoint']['token'].startswith('sha256:') and 'key_id' in first
    for raw in (raw_first, raw_second):
        assert TOKEN not in raw and KEY not in raw


def test_endpoint_invalid_content_fails_with_one_sentence_and_writes_nothing(tmp_path, capsys):
    bad = dict(ENDPOINT, url='ws://a.example.com/')
    result, raw = run(endpoint, {'path': str(tmp_path / 'e.sealed'), 'content': json.dumps(bad), 'key': KEY}, capsys)

    assert result['failed'] is True
    assert result['msg'].startswith('content: url: uses ws://')
    assert 'exception' not in result and TOKEN not in raw
    assert os.listdir(str(tmp_path)) == []


def test_endpoint_sealed_without_key_fails_clearly(tmp_path, capsys):
    result, dummy = run(endpoint, {'path': str(tmp_path / 'e.sealed'), 'endpoint': ENDPOINT}, capsys)

    assert result['failed'] is True and 'key or key_file' in result['msg']


def test_endpoint_plain_works_without_cryptography(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(_cryptography, 'HAS_CRYPTOGRAPHY', False)
    path = str(tmp_path / 'import.json')

    created, dummy = run(endpoint, {'path': path, 'endpoint': ENDPOINT, 'format': 'plain'}, capsys)
    removed, dummy = run(endpoint, {'path': path, 'state': 'absent'}, capsys)
    sealed, dummy = run(endpoint, {'path': str(tmp_path / 'e.sealed'), 'endpoint': ENDPOINT, 'key': KEY}, capsys)

    assert created['reason'] == 'created' and removed['reason'] == 'removed'
    assert sealed['failed'] is True and 'cryptography' in sealed['msg']


def test_endpoint_set_check_mode_then_apply(tmp_path, capsys):
    args = {'dir': str(tmp_path), 'key': KEY, 'endpoints': [ENDPOINT]}

    check, dummy = run(endpoint_set, args, capsys, check_mode=True)
    applied, raw = run(endpoint_set, args, capsys)

    assert check['changed'] is applied['changed'] is True
    assert [f['reason'] for f in check['files']] == [f['reason'] for f in applied['files']] == ['created']
    assert os.listdir(str(tmp_path)) == ['nbwss_g1_1.sealed']
    assert TOKEN not in raw and KEY not in raw


def test_endpoint_info_reports_errors_without_failing(tmp_path, capsys):
    run(endpoint_set, {'dir': str(tmp_path), 'key': KEY, 'endpoints': [ENDPOINT]}, capsys)

    with_key, raw = run(endpoint_info, {'path': str(tmp_path), 'key': KEY}, capsys)
    without_key, dummy = run(endpoint_info, {'path': str(tmp_path)}, capsys)

    assert with_key['changed'] is False and len(with_key['endpoints']) == 1 and with_key['errors'] == []
    assert 'single endpoint' in with_key['endpoint_warnings'][0]
    assert without_key['endpoints'] == [] and 'no key was given' in without_key['errors'][0]['message']
    assert TOKEN not in raw
