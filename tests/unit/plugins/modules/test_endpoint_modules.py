# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The three deploy modules end to end through main(): results, failures, secrets, no cryptography.

``run`` is ``run_module`` (tests/unit/module_runner.py): with ``raw=True`` Ansible's no_log
masking is off for everything but ``invocation``, so the result is exactly what the module built,
and it must hold no token and no key by construction.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest
from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netbackup.nbwss.tests.unit.module_runner import run_module as run

from ansible_collections.netbackup.nbwss.plugins.module_utils import _cryptography
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import encode_key, generate_key, seal
from ansible_collections.netbackup.nbwss.plugins.modules import endpoint, endpoint_info, endpoint_set

TOKEN = 'nbwssModuleTok3n-Secret-42'
KEY = encode_key(generate_key())
ENDPOINT = {'token': TOKEN, 'priority': 1, 'groupId': 'g1', 'hostName': 'a.example.com', 'url': 'wss://a.example.com/'}


def assert_no_secret(raw, *secrets):
    for secret in (TOKEN, KEY) + secrets:
        assert secret not in raw


def test_endpoint_creates_then_is_unchanged_and_never_prints_the_token(tmp_path, capsys, monkeypatch):
    args = {'path': str(tmp_path / 'e.sealed'), 'content': json.dumps(ENDPOINT), 'key': KEY}

    first, raw_first = run(endpoint, args, capsys, monkeypatch)
    second, raw_second = run(endpoint, args, capsys, monkeypatch)

    assert (first['changed'], first['reason']) == (True, 'created')
    assert (second['changed'], second['reason']) == (False, 'unchanged')
    assert first['endpoint']['token'].startswith('sha256:') and 'key_id' in first
    assert first['invocation']['module_args']['content'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    for raw in (raw_first, raw_second):
        assert_no_secret(raw)


def test_endpoint_invalid_content_fails_with_one_sentence_and_writes_nothing(tmp_path, capsys, monkeypatch):
    bad = dict(ENDPOINT, url='ws://a.example.com/')
    result, raw = run(endpoint, {'path': str(tmp_path / 'e.sealed'), 'content': json.dumps(bad), 'key': KEY},
                      capsys, monkeypatch)

    assert result['failed'] is True
    assert result['msg'].startswith('content: url: uses ws://')
    assert 'exception' not in result
    assert_no_secret(raw)
    assert os.listdir(str(tmp_path)) == []


def test_endpoint_sealed_without_key_fails_clearly(tmp_path, capsys, monkeypatch):
    result, raw = run(endpoint, {'path': str(tmp_path / 'e.sealed'), 'endpoint': ENDPOINT}, capsys, monkeypatch)

    assert result['failed'] is True and 'key or key_file' in result['msg']
    assert_no_secret(raw)


def test_endpoint_plain_works_without_cryptography(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(_cryptography, 'HAS_CRYPTOGRAPHY', False)
    path = str(tmp_path / 'import.json')

    created, dummy = run(endpoint, {'path': path, 'endpoint': ENDPOINT, 'format': 'plain'}, capsys, monkeypatch)
    removed, dummy = run(endpoint, {'path': path, 'state': 'absent'}, capsys, monkeypatch)
    sealed, dummy = run(endpoint, {'path': str(tmp_path / 'e.sealed'), 'endpoint': ENDPOINT, 'key': KEY}, capsys, monkeypatch)

    assert created['reason'] == 'created' and removed['reason'] == 'removed' and removed['format'] == 'plain'
    assert sealed['failed'] is True and 'cryptography' in sealed['msg']


def test_endpoint_accepts_a_sealed_envelope_as_input(tmp_path, capsys, monkeypatch):
    from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import parse_key
    envelope = seal(json.dumps(ENDPOINT).encode(), parse_key(KEY)).decode('ascii')

    result, raw = run(endpoint, {'path': str(tmp_path / 'e.sealed'), 'sealed': envelope, 'key': KEY}, capsys, monkeypatch)

    assert result['reason'] == 'created' and result['endpoint']['groupId'] == 'g1'
    assert_no_secret(raw)


def test_absent_does_not_read_a_stale_key_file(tmp_path, capsys, monkeypatch):
    path = tmp_path / 'e.json'
    path.write_text(json.dumps(ENDPOINT))

    result, dummy = run(endpoint, {'path': str(path), 'state': 'absent', 'key_file': str(tmp_path / 'gone.key')},
                        capsys, monkeypatch)

    assert result.get('failed') is not True and result['reason'] == 'removed' and not path.exists()


def test_relative_path_is_an_error(capsys, monkeypatch):
    result, dummy = run(endpoint, {'path': 'nbwss_x.json', 'endpoint': ENDPOINT, 'format': 'plain'}, capsys, monkeypatch)

    assert result['failed'] is True and 'relative path' in result['msg']


# Malformed arguments: the containers never reach the output, whatever their shape.

@pytest.mark.parametrize('args', [
    {'endpoint': 'nbwssModuleTok3n-Secret-42'},
    {'endpoint': dict(ENDPOINT, tokne=TOKEN)},
    {'endpoint': dict((('Token' if k == 'token' else k), v) for k, v in ENDPOINT.items())},
    {'endpoint': dict(ENDPOINT, token=[TOKEN])},
    {'content': ['not', 'json', TOKEN]},
])
def test_malformed_endpoint_arguments_fail_without_any_secret_in_the_output(tmp_path, capsys, monkeypatch, args):
    result, raw = run(endpoint, dict(args, path=str(tmp_path / 'e.sealed'), key=KEY), capsys, monkeypatch)

    assert result['failed'] is True
    assert_no_secret(raw)
    assert os.listdir(str(tmp_path)) == []


@pytest.mark.parametrize('endpoints', [
    [ENDPOINT, None],
    [dict(ENDPOINT, tokne=TOKEN)],
    [TOKEN],
    TOKEN,
    [dict(ENDPOINT, priority='01')],
])
def test_malformed_endpoints_fail_without_any_secret_in_the_output(tmp_path, capsys, monkeypatch, endpoints):
    result, raw = run(endpoint_set, {'dir': str(tmp_path), 'key': KEY, 'endpoints': endpoints}, capsys, monkeypatch)

    assert result['failed'] is True and result['msg']
    assert result['invocation']['module_args']['endpoints'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert_no_secret(raw)
    assert os.listdir(str(tmp_path)) == []


def test_masking_still_protects_a_misspelled_secret_when_ansible_fails_first(tmp_path, capsys, monkeypatch):
    # An unknown top-level option fails inside AnsibleModule itself; the container is still hidden.
    args = {'dir': str(tmp_path), 'key': KEY, 'endpoints': [dict(ENDPOINT, tokne=TOKEN)], 'purg': True}

    result, raw = run(endpoint_set, args, capsys, monkeypatch)

    assert result['failed'] is True and 'purg' in result['msg']
    assert_no_secret(raw)


def test_result_values_that_look_like_leaves_of_the_container_are_not_masked(tmp_path, capsys, monkeypatch):
    args = {'dir': str(tmp_path), 'key': KEY, 'endpoints': [ENDPOINT]}

    result, raw = run(endpoint_set, args, capsys, monkeypatch, raw=False)

    assert result['files'][0]['endpoint']['groupId'] == 'g1' and result['files'][0]['endpoint']['priority'] == 1
    assert result['files'][0]['endpoint']['url'] == 'wss://a.example.com/'
    assert TOKEN not in raw


def test_endpoint_set_check_mode_then_apply(tmp_path, capsys, monkeypatch):
    args = {'dir': str(tmp_path), 'key': KEY, 'endpoints': [ENDPOINT]}

    check, dummy = run(endpoint_set, args, capsys, monkeypatch, check_mode=True)
    applied, raw = run(endpoint_set, args, capsys, monkeypatch)

    assert check['changed'] is applied['changed'] is True
    assert [f['reason'] for f in check['files']] == [f['reason'] for f in applied['files']] == ['created']
    assert os.listdir(str(tmp_path)) == ['nbwss_g1_1.sealed']
    assert_no_secret(raw)


def test_endpoint_info_reports_errors_without_failing(tmp_path, capsys, monkeypatch):
    run(endpoint_set, {'dir': str(tmp_path), 'key': KEY, 'endpoints': [ENDPOINT]}, capsys, monkeypatch)

    with_key, raw = run(endpoint_info, {'path': str(tmp_path), 'key': KEY}, capsys, monkeypatch)
    without_key, dummy = run(endpoint_info, {'path': str(tmp_path)}, capsys, monkeypatch)

    assert with_key['changed'] is False and len(with_key['endpoints']) == 1 and with_key['errors'] == []
    assert 'single endpoint' in with_key['endpoint_warnings'][0]
    assert without_key['endpoints'] == [] and 'no key was given' in without_key['errors'][0]['message']
    assert_no_secret(raw)


def test_endpoint_info_warns_about_a_url_used_twice(tmp_path, capsys, monkeypatch):
    # The same url as NetBackup reaches it (host case and the default port do not matter), in two groups.
    paths = [str(tmp_path / 'nbwss_g1_1.json'), str(tmp_path / 'nbwss_g2_1.json')]
    for path, value in zip(paths, [ENDPOINT, dict(ENDPOINT, groupId='g2', url='wss://A.example.com:443/')]):
        with open(path, 'w') as handle:
            json.dump(value, handle)
        os.chmod(path, 0o600)

    # Recorded at module.warn: on ansible-core 2.19+, once controller code is loaded in this process (the lookup
    # tests), warnings go to the controller's display instead of the result.
    warned = []
    monkeypatch.setattr(AnsibleModule, 'warn', lambda self, warning, *args, **kwargs: warned.append(warning))

    result, raw = run(endpoint_info, {'path': str(tmp_path)}, capsys, monkeypatch)

    message = '%s, %s: url wss://a.example.com/ appears more than once; each endpoint needs its own url' % tuple(paths)
    assert result.get('failed') is not True and result['problems'] == [message]
    assert message in warned
    assert_no_secret(raw)


def test_endpoint_info_names_a_key_id_mismatch(tmp_path, capsys, monkeypatch):
    run(endpoint_set, {'dir': str(tmp_path), 'key': KEY, 'endpoints': [ENDPOINT]}, capsys, monkeypatch)
    other_key = encode_key(generate_key())

    result, raw = run(endpoint_info, {'path': str(tmp_path), 'key': other_key}, capsys, monkeypatch)

    message = result['errors'][0]['message']
    assert 'which matches none of the keys given (key id mismatch; key ids tried: ' in message
    assert result['endpoints'] == []
    assert_no_secret(raw, other_key)
