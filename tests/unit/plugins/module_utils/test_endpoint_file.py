# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat

import pytest

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.netbackup.nbwss.tests.unit.module_args import patch_module_args

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import endpoint_from_dict, token_fingerprint
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_dir import (
    EndpointDirectory,
    default_name,
    is_collection_file,
    read_endpoint_files,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_file import (
    EndpointFile,
    EndpointFileError,
    KeyRing,
    endpoint_from_options,
    read_state,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import encode_key, generate_key, key_id, seal

TOKEN = 'tok-Secret-0123456789'
OTHER_TOKEN = 'tok-Other-9876543210'
KEY = generate_key()
OLD_KEY = generate_key()
STRANGER_KEY = generate_key()

WANTED = {'token': TOKEN, 'priority': 1, 'groupId': 'g1', 'hostName': 'a.example.com', 'url': 'wss://a.example.com/nbwss'}


def make_module(check_mode=False, diff=False):
    with patch_module_args({'_ansible_check_mode': check_mode, '_ansible_diff': diff}):
        return AnsibleModule(argument_spec={}, supports_check_mode=True)


def endpoint(**changes):
    values = dict(WANTED, **changes)
    return endpoint_from_dict(values, source='test')


def keyring(current=KEY, previous=()):
    return KeyRing(current, list(previous))


def target(module, path, fmt='sealed', ring=None, **options):
    return EndpointFile(module, str(path), ring or keyring(), fmt=fmt, mode='0600', **options)


def deploy(path, wanted=None, fmt='sealed', ring=None, check_mode=False, **options):
    """Run one EndpointFile the way the endpoint module does; return it (applied)."""
    module = make_module(check_mode=check_mode, diff=True)
    item = target(module, path, fmt=fmt, ring=ring, **options).want(endpoint() if wanted is None else wanted)
    item.reason()
    item.diff()
    return item.apply()


def snapshot(path):
    st = os.stat(str(path))
    with open(str(path), 'rb') as handle:
        return st.st_ino, st.st_mtime_ns, stat.S_IMODE(st.st_mode), handle.read()


def write(path, data, mode=0o600):
    with open(str(path), 'wb') as handle:
        handle.write(data)
    os.chmod(str(path), mode)


@pytest.fixture
def path(tmp_path):
    return tmp_path / 'nbwss_g1_1.sealed'


# --- reasons ------------------------------------------------------------------------------------

def test_missing_file_is_created_sealed_with_the_current_key(path):
    item = deploy(path)

    assert (item.reason(), item.changed) == ('created', True)
    state = read_state(make_module(), str(path), keyring())
    assert state.kind == 'sealed' and state.endpoint == endpoint() and state.key_id == key_id(KEY)
    assert snapshot(path)[2] == 0o600


def test_same_endpoint_again_is_unchanged_and_not_rewritten(path):
    deploy(path)
    before = snapshot(path)

    item = deploy(path)

    assert (item.reason(), item.changed) == ('unchanged', False)
    assert snapshot(path) == before


def test_other_endpoint_values_are_updated(path):
    deploy(path)

    item = deploy(path, endpoint(priority=2))

    assert (item.reason(), item.changed) == ('updated', True)
    assert read_state(make_module(), str(path), keyring()).endpoint.priority == 2


def test_file_sealed_with_a_previous_key_is_rekeyed(path):
    deploy(path, ring=keyring(OLD_KEY))

    item = deploy(path, ring=keyring(KEY, [OLD_KEY]))

    assert (item.reason(), item.changed) == ('rekeyed', True)
    assert read_state(make_module(), str(path), keyring()).key_id == key_id(KEY)
    assert deploy(path, ring=keyring(KEY, [OLD_KEY])).reason() == 'unchanged'


def test_content_change_wins_over_rekey(path):
    deploy(path, ring=keyring(OLD_KEY))

    assert deploy(path, endpoint(priority=7), ring=keyring(KEY, [OLD_KEY])).reason() == 'updated'


def test_format_change_sealed_to_plain_is_updated(path):
    deploy(path)

    item = deploy(path, fmt='plain')

    assert item.reason() == 'updated'
    assert snapshot(path)[3] == endpoint().canonical_json()


def test_mode_only_change_is_updated_in_place(path):
    deploy(path)
    os.chmod(str(path), 0o644)
    inode, dummy, dummy, data = snapshot(path)

    item = deploy(path)

    assert (item.reason(), item.changed) == ('updated', True)
    assert snapshot(path)[0] == inode and snapshot(path)[2] == 0o600 and snapshot(path)[3] == data


def test_plain_file_with_same_meaning_in_other_layout_is_unchanged(tmp_path):
    plain = tmp_path / 'nbwss_g1_1.json'
    write(plain, json.dumps(dict(reversed(list(WANTED.items())))).encode())
    before = snapshot(plain)

    item = deploy(plain, fmt='plain')

    assert (item.reason(), item.changed) == ('unchanged', False)
    assert snapshot(plain) == before


def test_plain_format_writes_canonical_json_mode_0600(tmp_path):
    plain = tmp_path / 'import.json'

    deploy(plain, fmt='plain')

    dummy, dummy, mode, data = snapshot(plain)
    assert mode == 0o600
    assert data == endpoint().canonical_json()
    assert list(json.loads(data.decode())) == ['token', 'priority', 'groupId', 'hostName', 'url']


def test_absent_removes_an_existing_file_and_then_reports_absent(path):
    deploy(path)
    module = make_module()

    item = target(module, path).want(None).apply()

    assert (item.reason(), item.changed) == ('removed', True)
    assert not path.exists()
    again = target(make_module(), path).want(None).apply()
    assert (again.reason(), again.changed) == ('absent', False)


def test_absent_removes_a_sealed_file_without_any_key(path):
    deploy(path)

    item = target(make_module(), path, ring=KeyRing()).want(None).apply()

    assert item.reason() == 'removed' and not path.exists()


# --- unusable existing files --------------------------------------------------------------------

def test_wrong_key_fails_naming_path_and_key_id_and_leaves_file_untouched(path):
    deploy(path, ring=keyring(STRANGER_KEY))
    before = snapshot(path)

    with pytest.raises(EndpointFileError) as err:
        deploy(path)

    message = str(err.value)
    assert str(path) in message and key_id(STRANGER_KEY) in message
    assert 'previous_keys' in message and 'force: true' in message
    assert encode_key(KEY) not in message and encode_key(STRANGER_KEY) not in message
    assert snapshot(path) == before


def test_wrong_key_with_force_replaces_the_file(path):
    deploy(path, ring=keyring(STRANGER_KEY))

    item = deploy(path, force=True)

    assert (item.reason(), item.changed) == ('updated', True)
    assert read_state(make_module(), str(path), keyring()).endpoint == endpoint()


def test_tampered_file_fails_and_is_left_untouched(path):
    deploy(path)
    header, body = snapshot(path)[3].split(b'\n')[:2]
    write(path, header + b'\n' + body[:-6] + (b'AAAA==' if not body.endswith(b'AAAA==') else b'BBBB==') + b'\n')
    before = snapshot(path)

    with pytest.raises(EndpointFileError) as err:
        deploy(path)

    assert 'modified or corrupted' in str(err.value) or 'corrupted' in str(err.value)
    assert snapshot(path) == before


def test_invalid_json_fails_without_force_and_is_replaced_with_force(tmp_path):
    plain = tmp_path / 'nbwss_g1_1.json'
    write(plain, b'{"token": "x", ')
    before = snapshot(plain)

    with pytest.raises(EndpointFileError) as err:
        deploy(plain, fmt='plain')
    assert str(plain) in str(err.value) and 'not valid JSON' in str(err.value)
    assert snapshot(plain) == before

    assert deploy(plain, fmt='plain', force=True).reason() == 'updated'
    assert snapshot(plain)[3] == endpoint().canonical_json()


def test_sealed_file_without_any_key_fails_for_plain_format(path):
    deploy(path)
    before = snapshot(path)

    with pytest.raises(EndpointFileError) as err:
        deploy(path, fmt='plain', ring=KeyRing())

    assert 'no key was given' in str(err.value) and key_id(KEY) in str(err.value)
    assert snapshot(path) == before


def test_symlink_is_refused_even_with_force(tmp_path):
    real = tmp_path / 'real.json'
    write(real, endpoint().canonical_json())
    link = tmp_path / 'link.json'
    os.symlink(str(real), str(link))

    with pytest.raises(EndpointFileError) as err:
        deploy(link, fmt='plain', force=True)

    assert 'symlink' in str(err.value)
    assert os.path.islink(str(link)) and snapshot(real)[3] == endpoint().canonical_json()


# --- check mode ---------------------------------------------------------------------------------

@pytest.mark.parametrize('setup, wanted, ring, expected', [
    (None, endpoint(), keyring(), 'created'),
    (keyring(), endpoint(), keyring(), 'unchanged'),
    (keyring(), endpoint(url='wss://b.example.com/'), keyring(), 'updated'),
    (keyring(OLD_KEY), endpoint(), keyring(KEY, [OLD_KEY]), 'rekeyed'),
])
def test_check_mode_predicts_the_real_run_and_writes_nothing(tmp_path, setup, wanted, ring, expected):
    predicted, applied = tmp_path / 'a.sealed', tmp_path / 'b.sealed'
    if setup is not None:
        deploy(predicted, ring=setup)
        deploy(applied, ring=setup)
    before = snapshot(predicted) if setup is not None else None

    check = deploy(predicted, wanted, ring=ring, check_mode=True)
    real = deploy(applied, wanted, ring=ring)

    assert (check.reason(), check.changed) == (real.reason(), real.changed) == (expected, expected != 'unchanged')
    if before is None:
        assert not predicted.exists()
    else:
        assert snapshot(predicted) == before


def test_missing_directory_fails_in_check_mode_too(tmp_path):
    for check_mode in (True, False):
        with pytest.raises(EndpointFileError) as err:
            deploy(tmp_path / 'nope' / 'e.sealed', check_mode=check_mode)
        assert 'does not exist' in str(err.value)


def test_backup_keeps_the_previous_file(path):
    deploy(path)
    old = snapshot(path)[3]

    item = deploy(path, endpoint(priority=3), backup=True)

    assert item.backup_file and item.result()['backup_file'] == item.backup_file
    with open(item.backup_file, 'rb') as handle:
        assert handle.read() == old


def test_check_mode_reports_removal_without_removing(path):
    deploy(path)

    item = target(make_module(check_mode=True), path).want(None).apply()

    assert (item.reason(), item.changed) == ('removed', True) and path.exists()


# --- diff and secrets ---------------------------------------------------------------------------

def test_diff_shows_fingerprints_and_key_ids_never_the_token(path):
    deploy(path, ring=keyring(OLD_KEY))
    module = make_module(diff=True)
    item = target(module, path, ring=keyring(KEY, [OLD_KEY])).want(endpoint(token=OTHER_TOKEN))

    diff = item.diff()

    text = json.dumps(diff)
    assert TOKEN not in text and OTHER_TOKEN not in text
    assert encode_key(KEY) not in text and encode_key(OLD_KEY) not in text
    assert diff['before']['token'] == token_fingerprint(TOKEN)
    assert diff['after']['token'] == token_fingerprint(OTHER_TOKEN)
    assert diff['after']['token_change'] == 'changed'
    assert (diff['before']['key_id'], diff['after']['key_id']) == (key_id(OLD_KEY), key_id(KEY))


def test_result_holds_redacted_endpoint_and_key_id(path):
    item = deploy(path)

    result = item.result()

    assert result == {'changed': True, 'reason': 'created', 'path': str(path), 'format': 'sealed',
                      'endpoint': endpoint().redacted(), 'key_id': key_id(KEY)}
    assert TOKEN not in json.dumps(result)


def test_tokens_of_wanted_and_existing_files_become_no_log_values(path):
    deploy(path, endpoint(token=OTHER_TOKEN))
    module = make_module()

    target(module, path).want(endpoint()).reason()

    assert {TOKEN, OTHER_TOKEN} <= module.no_log_values


def test_token_inside_content_becomes_a_no_log_value():
    module = make_module()

    found = endpoint_from_options(module, content=json.dumps(WANTED))

    assert found == endpoint() and TOKEN in module.no_log_values


def test_key_file_text_becomes_a_no_log_value(tmp_path):
    key_path = tmp_path / 'endpoints.key'
    key_path.write_text(encode_key(KEY) + '\n')
    module = make_module()

    ring = KeyRing.from_params(module, key_file=str(key_path), previous_keys=[encode_key(OLD_KEY)])

    assert ring.current == KEY and ring.previous == [OLD_KEY]
    assert {encode_key(KEY), encode_key(OLD_KEY)} <= module.no_log_values


def test_bad_key_text_is_one_sentence_without_the_text():
    with pytest.raises(EndpointFileError) as err:
        KeyRing.from_params(make_module(), key='not-a-key-Secretish')

    assert 'key' in str(err.value) and 'Secretish' not in str(err.value)


def test_invalid_endpoint_option_names_the_field_and_not_the_token():
    with pytest.raises(EndpointFileError) as err:
        endpoint_from_options(make_module(), endpoint=dict(WANTED, url='ws://a.example.com/'))

    assert str(err.value).startswith('endpoint: url: uses ws://') and TOKEN not in str(err.value)


def test_sealed_format_without_a_current_key_is_refused(path):
    with pytest.raises(EndpointFileError) as err:
        target(make_module(), path, ring=KeyRing(None, [OLD_KEY])).want(endpoint())

    assert 'key or key_file' in str(err.value)


def test_src_sealed_file_converts_to_plain(tmp_path):
    sealed = tmp_path / 'nbwss_g1_1.sealed'
    deploy(sealed)
    module = make_module()

    found = endpoint_from_options(module, src=str(sealed), keyring=keyring())

    assert found == endpoint() and TOKEN in module.no_log_values


def test_missing_src_is_an_error(tmp_path):
    with pytest.raises(EndpointFileError) as err:
        endpoint_from_options(make_module(), src=str(tmp_path / 'nope.json'))

    assert 'does not exist' in str(err.value)


# --- endpoint_set -------------------------------------------------------------------------------

def entry(**changes):
    return dict(dict(WANTED, content=None, name=None), **changes)


def run_set(directory, entries, check_mode=False, **options):
    module = make_module(check_mode=check_mode, diff=True)
    options.setdefault('mode', '0600')
    planned = EndpointDirectory(module, str(directory), entries, options.pop('ring', keyring()), **options).plan()
    planned.diff()
    return planned.apply()


def test_set_writes_one_file_per_entry_with_default_and_explicit_names(tmp_path):
    result = run_set(tmp_path, [entry(), entry(priority=2, url='wss://b.example.com/', name='second')]).result()

    assert sorted(os.listdir(str(tmp_path))) == ['nbwss_g1_1.sealed', 'nbwss_second.sealed']
    assert [f['reason'] for f in result['files']] == ['created', 'created'] and result['changed'] is True
    assert result['groups'][0]['priorities'] == [1, 2]


def test_set_conflict_fails_before_anything_is_written(tmp_path):
    with pytest.raises(EndpointFileError) as err:
        run_set(tmp_path, [entry(), entry(url='wss://b.example.com/', name='other')])

    assert 'endpoints[0], endpoints[1]' in str(err.value)
    assert os.listdir(str(tmp_path)) == []


def test_set_duplicate_file_name_fails_before_anything_is_written(tmp_path):
    entries = [entry(name='same'), entry(priority=2, url='wss://b.example.com/', name='same')]

    with pytest.raises(EndpointFileError) as err:
        run_set(tmp_path, entries)

    assert 'endpoints[0], endpoints[1]' in str(err.value) and 'nbwss_same.sealed' in str(err.value)
    assert os.listdir(str(tmp_path)) == []


def test_set_unreadable_existing_file_fails_before_anything_is_written(tmp_path):
    write(tmp_path / 'nbwss_g1_2.sealed', b'NBWSS-SEALED/1 AES-256-GCM kid=0000000000000000\nAAAA\n')
    entries = [entry(), entry(priority=2, url='wss://b.example.com/')]

    with pytest.raises(EndpointFileError):
        run_set(tmp_path, entries)

    assert sorted(os.listdir(str(tmp_path))) == ['nbwss_g1_2.sealed']


def test_set_content_and_keys_together_is_an_error(tmp_path):
    with pytest.raises(EndpointFileError) as err:
        run_set(tmp_path, [entry(content=json.dumps(WANTED))])

    assert 'endpoints[0]' in str(err.value) and 'either content' in str(err.value)


def test_set_purge_removes_only_collection_files_not_listed(tmp_path):
    for name in ('nbwss_old_1.sealed', 'nbwss_g1_1.json', 'other.json', 'nbwss_.hidden.json', 'keep.sealed'):
        write(tmp_path / name, b'anything')
    os.mkdir(str(tmp_path / 'nbwss_dir.json'))

    check = run_set(tmp_path, [entry()], purge=True, check_mode=True).result()
    result = run_set(tmp_path, [entry()], purge=True).result()

    expected = sorted(str(tmp_path / name) for name in ('nbwss_old_1.sealed', 'nbwss_g1_1.json'))
    assert sorted(check['removed']) == sorted(result['removed']) == expected
    assert sorted(os.listdir(str(tmp_path))) == ['keep.sealed', 'nbwss_.hidden.json', 'nbwss_dir.json',
                                                 'nbwss_g1_1.sealed', 'other.json']


def test_set_rerun_is_unchanged(tmp_path):
    run_set(tmp_path, [entry()])

    result = run_set(tmp_path, [entry()]).result()

    assert result['changed'] is False and result['files'][0]['reason'] == 'unchanged'


def test_default_name_replaces_unsafe_characters():
    assert default_name(endpoint(groupId='cloud 1/eu')) == 'cloud_1_eu_1'
    assert is_collection_file('nbwss_cloud_1_eu_1.sealed') and not is_collection_file('nbwss_.x.json')


def test_default_name_that_breaks_the_pattern_asks_for_a_name(tmp_path):
    with pytest.raises(EndpointFileError) as err:
        run_set(tmp_path, [entry(groupId='.hidden')])

    assert 'set name' in str(err.value)


# --- endpoint_info ------------------------------------------------------------------------------

def test_info_lists_readable_files_and_reports_bad_ones_without_failing(tmp_path):
    deploy(tmp_path / 'nbwss_g1_1.sealed', ring=keyring(OLD_KEY))
    deploy(tmp_path / 'nbwss_g1_2.json', endpoint(priority=2, url='wss://b.example.com/'), fmt='plain')
    deploy(tmp_path / 'nbwss_g2_1.sealed', endpoint(groupId='g2', url='wss://c.example.com/'), ring=keyring(STRANGER_KEY))
    write(tmp_path / 'nbwss_bad.json', b'[]')
    write(tmp_path / 'unrelated.json', b'[]')
    module = make_module()

    result, warnings = read_endpoint_files(module, str(tmp_path), 'nbwss_*', keyring(KEY, [OLD_KEY]))

    rows = dict((os.path.basename(row['path']), row) for row in result['endpoints'])
    assert sorted(rows) == ['nbwss_g1_1.sealed', 'nbwss_g1_2.json']
    assert rows['nbwss_g1_1.sealed']['rekey_needed'] is True and rows['nbwss_g1_1.sealed']['key_id'] == key_id(OLD_KEY)
    assert rows['nbwss_g1_2.json']['format'] == 'plain' and 'key_id' not in rows['nbwss_g1_2.json']
    assert sorted(os.path.basename(e['path']) for e in result['errors']) == ['nbwss_bad.json', 'nbwss_g2_1.sealed']
    assert result['groups'][0]['priorities'] == [1, 2] and result['problems'] == []
    assert TOKEN not in json.dumps(result) and TOKEN in module.no_log_values


def test_info_missing_path_fails(tmp_path):
    with pytest.raises(EndpointFileError):
        read_endpoint_files(make_module(), str(tmp_path / 'nope'), 'nbwss_*', KeyRing())


def test_sealed_content_is_parsed_strictly(path):
    write(path, seal(b'{"token": "x"}', KEY))

    state = read_state(make_module(), str(path), keyring())

    assert state.kind == 'sealed' and state.endpoint is None and 'priority' in state.problem
