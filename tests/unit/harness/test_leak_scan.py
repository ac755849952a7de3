# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The leak scanner must be able to fail: a planted token in any form is found, a clean log passes."""

from __future__ import annotations

import base64
import importlib.util
import json
import os

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
SPEC = importlib.util.spec_from_file_location('leak_scan', os.path.join(ROOT, 'tests', 'harness', 'leak_scan.py'))
leak_scan = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(leak_scan)

with open(os.path.join(ROOT, leak_scan.VENDOR_EXAMPLE)) as _handle:
    VENDOR_TOKEN = json.load(_handle)['token']
# Built at run time so that this file holds no literal the pattern sweep would collect.
RUNTIME_TOKEN = 'nbwss' + 'Runtime' + 'Tok3n' + '-Q1w2E3r4T5y6'


@pytest.fixture(name='tokens', scope='module')
def fixture_tokens():
    return leak_scan.collect_tokens(ROOT)


def write_log(directory, name, text):
    path = directory / name
    path.write_text(text)
    return str(path)


def test_collects_the_vendor_example_and_the_fixture_tokens(tokens):
    assert VENDOR_TOKEN in tokens
    assert any(token.startswith('nbwssFixtureTok3n-') for token in tokens)


def test_collects_the_integration_target_tokens(tokens):
    assert any(token.startswith('nbwssIntegTok3n-') for token in tokens)


def test_collects_the_tokens_of_the_tests_against_the_cloud_application(tokens):
    assert any(token.startswith('nbwssModFetchTok3n-') for token in tokens)


def test_ignores_tokens_too_short_or_too_uniform_to_scan_for():
    assert not leak_scan.scannable('abc')
    assert not leak_scan.scannable('A' * 70000)
    assert not leak_scan.scannable('nbwssFixtureTok3n')
    assert leak_scan.scannable('nbwssFixtureTok3n-A1b2C3d4E5f6G7h8')


def test_clean_log_passes(tmp_path, tokens):
    log = write_log(tmp_path, 'clean.log', 'ok: [testhost] => {"endpoint": {"token": "sha256:0123456789ab"}}\n')
    assert leak_scan.scan(tokens, [log]) == []


def test_token_as_written_is_found(tmp_path, tokens):
    log = write_log(tmp_path, 'a.log', 'line one\n"msg": "bad %s here"\n' % VENDOR_TOKEN)
    leaks = leak_scan.scan(tokens, [log])
    assert [(path, line) for path, line, dummy in leaks] == [(log, 2)]
    assert VENDOR_TOKEN not in leaks[0][2]
    assert leak_scan.fingerprint(VENDOR_TOKEN) in leaks[0][2]


@pytest.mark.parametrize('prefix', ['', 'x', 'xy', '{"token": "'])
def test_token_inside_base64_content_is_found_at_any_alignment(tmp_path, tokens, prefix):
    encoded = base64.b64encode((prefix + VENDOR_TOKEN + '",\n').encode('utf-8')).decode('ascii')
    log = write_log(tmp_path, 'slurp.log', '"content": "%s",\n' % encoded)
    assert leak_scan.scan(tokens, [log])


def test_json_escaped_token_is_found(tmp_path):
    token = 'nbwssEscapeTok3n-"quoted"\\slash'
    log = write_log(tmp_path, 'j.log', json.dumps({'msg': token}))
    assert leak_scan.scan([token], [log])


def test_pattern_value_not_in_the_suite_is_found(tmp_path, tokens):
    log = write_log(tmp_path, 'r.log', 'token=%s\n' % RUNTIME_TOKEN)
    leaks = leak_scan.scan(tokens, [log])
    assert len(leaks) == 1 and 'not in the suite' in leaks[0][2]


def test_main_fails_on_a_planted_leak_and_prints_no_token(tmp_path, capsys):
    write_log(tmp_path, 'clean.log', 'nothing to see\n')
    assert leak_scan.main(['--root', ROOT, '--logs', str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith('leak-scan: ')
    write_log(tmp_path, 'leaky.log', 'token: %s\n' % VENDOR_TOKEN)
    assert leak_scan.main(['--root', ROOT, '--logs', str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert 'FAILED' in out and 'leaky.log:1' in out
    assert VENDOR_TOKEN not in out


def test_main_fails_without_logs(tmp_path):
    assert leak_scan.main(['--root', ROOT, '--logs', str(tmp_path)]) == 1
