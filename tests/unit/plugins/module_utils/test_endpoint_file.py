# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import grp
import json
import os
import pwd
import subprocess
import time

import pytest

from ansible_collections.netbackup.nbwss.tests.unit.endpoint_helpers import (
    KEY,
    OLD_KEY,
    OTHER_TOKEN,
    STRANGER_KEY,
    TOKEN,
    WANTED,
    deploy,
    endpoint,
    keyring,
    make_module,
    snapshot,
    target,
    write,
)

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import token_fingerprint
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_file import endpoint_mode, read_state
from ansible_collections.netbackup.nbwss.plugins.module_utils._keys import KeyRing
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import TaskError
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import encode_key, key_id, seal


@pytest.fixture
def path(tmp_path):
    return tmp_path / 'nbwss_g1_1.sealed'


# --- reasons ------------------------------------------------------------------------------------

def test_missing_file_is_created_sealed_with_the_current_key(path):
    item = deploy(path)

    assert (item.reason, item.changed) == ('created', True)
    state = read_state(make_module(), str(path), keyring())
    assert state.kind == 'sealed' and state.endpoint == endpoint() and state.key_id == key_id(KEY)
    assert snapshot(path)[2] == 0o600


def test_same_endpoint_again_is_unchanged_and_not_rewritten(path):
    deploy(path)
    before = snapshot(path)

    item = deploy(path)

    assert (item.reason, item.changed) == ('unchanged', False)
    assert snapshot(path) == before


def test_other_endpoint_values_are_updated(path):
    deploy(path)

    item = deploy(path, endpoint(priority=2))

    assert (item.reason, item.changed) == ('updated', True)
    assert read_state(make_module(), str(path), keyring()).endpoint.priority == 2


def test_file_sealed_with_a_previous_key_is_rekeyed(path):
    deploy(path, ring=keyring(OLD_KEY))

    item = deploy(path, ring=keyring(KEY, [OLD_KEY]))

    assert (item.reason, item.changed) == ('rekeyed', True)
    assert read_state(make_module(), str(path), keyring()).key_id == key_id(KEY)
    assert deploy(path, ring=keyring(KEY, [OLD_KEY])).reason == 'unchanged'


def test_content_change_wins_over_rekey(path):
    deploy(path, ring=keyring(OLD_KEY))

    assert deploy(path, endpoint(priority=7), ring=keyring(KEY, [OLD_KEY])).reason == 'updated'


def test_format_change_sealed_to_plain_is_updated(path):
    deploy(path)

    item = deploy(path, fmt='plain')

    assert item.reason == 'updated'
    assert snapshot(path)[3] == endpoint().canonical_json()


def test_mode_only_change_is_updated_in_place(path):
    deploy(path)
    os.chmod(str(path), 0o644)
    inode, dummy, dummy, data = snapshot(path)

    item = deploy(path)

    assert (item.reason, item.changed) == ('updated', True)
    assert snapshot(path)[0] == inode and snapshot(path)[2] == 0o600 and snapshot(path)[3] == data


def test_plain_file_with_same_meaning_in_other_layout_is_unchanged(tmp_path):
    plain = tmp_path / 'nbwss_g1_1.json'
    write(plain, json.dumps(dict(reversed(list(WANTED.items())))).encode())
    before = snapshot(plain)

    item = deploy(plain, fmt='plain')

    assert (item.reason, item.changed) == ('unchanged', False)
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

    assert (item.reason, item.changed) == ('removed', True)
    assert not path.exists()
    again = target(make_module(), path).want(None).apply()
    assert (again.reason, again.changed) == ('absent', False)


def test_absent_removes_a_sealed_file_without_any_key(path):
    deploy(path)

    item = target(make_module(), path, ring=KeyRing()).want(None).apply()

    assert item.reason == 'removed' and not path.exists()


# --- unusable existing files --------------------------------------------------------------------

def test_wrong_key_fails_naming_path_and_key_id_and_leaves_file_untouched(path):
    deploy(path, ring=keyring(STRANGER_KEY))
    before = snapshot(path)

    with pytest.raises(TaskError) as err:
        deploy(path)

    message = str(err.value)
    assert str(path) in message and key_id(STRANGER_KEY) in message
    assert 'previous_keys' in message and 'force: true' in message
    assert encode_key(KEY) not in message and encode_key(STRANGER_KEY) not in message
    assert snapshot(path) == before


def test_wrong_key_with_force_replaces_the_file(path):
    deploy(path, ring=keyring(STRANGER_KEY))

    item = deploy(path, force=True)

    assert (item.reason, item.changed) == ('updated', True)
    assert read_state(make_module(), str(path), keyring()).endpoint == endpoint()


def test_tampered_file_fails_and_is_left_untouched(path):
    deploy(path)
    header, body = snapshot(path)[3].split(b'\n')[:2]
    write(path, header + b'\n' + body[:-6] + (b'AAAA==' if not body.endswith(b'AAAA==') else b'BBBB==') + b'\n')
    before = snapshot(path)

    with pytest.raises(TaskError) as err:
        deploy(path)

    assert 'modified or corrupted' in str(err.value)
    assert snapshot(path) == before


def test_invalid_json_fails_without_force_and_is_replaced_with_force(tmp_path):
    plain = tmp_path / 'nbwss_g1_1.json'
    write(plain, b'{"token": "x", ')
    before = snapshot(plain)

    with pytest.raises(TaskError) as err:
        deploy(plain, fmt='plain')
    assert str(plain) in str(err.value) and 'not valid JSON' in str(err.value)
    assert snapshot(plain) == before

    assert deploy(plain, fmt='plain', force=True).reason == 'updated'
    assert snapshot(plain)[3] == endpoint().canonical_json()


def test_sealed_file_without_any_key_fails_for_plain_format(path):
    deploy(path)
    before = snapshot(path)

    with pytest.raises(TaskError) as err:
        deploy(path, fmt='plain', ring=KeyRing())

    assert 'no key was given' in str(err.value) and key_id(KEY) in str(err.value)
    assert snapshot(path) == before


def test_symlink_is_refused_even_with_force(tmp_path):
    real = tmp_path / 'real.json'
    write(real, endpoint().canonical_json())
    link = tmp_path / 'link.json'
    os.symlink(str(real), str(link))

    with pytest.raises(TaskError) as err:
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

    assert (check.reason, check.changed) == (real.reason, real.changed) == (expected, expected != 'unchanged')
    if before is None:
        assert not predicted.exists()
    else:
        assert snapshot(predicted) == before


def test_missing_directory_fails_in_a_real_run(tmp_path):
    with pytest.raises(TaskError) as err:
        deploy(tmp_path / 'nope' / 'e.sealed')
    assert 'does not exist' in str(err.value)
    assert not (tmp_path / 'nope').exists()


def test_missing_directory_in_check_mode_predicts_created_with_a_warning(tmp_path):
    item = deploy(tmp_path / 'nope' / 'e.sealed', check_mode=True)

    assert (item.reason, item.changed) == ('created', True)
    assert item.write_problem() is None
    assert len(item.warnings) == 1 and 'does not exist yet' in item.warnings[0]
    assert not (tmp_path / 'nope').exists()


# check_present: what fails whatever endpoint is wanted, known before it is (endpoint_fetch fetches after it).

def test_check_present_refuses_a_file_the_keys_cannot_open_unless_force(path):
    deploy(path, ring=keyring(STRANGER_KEY))
    before = snapshot(path)

    with pytest.raises(TaskError) as err:
        target(make_module(), path).check_present()
    target(make_module(), path, force=True).check_present()

    assert 'matches none of the keys given' in str(err.value) and 'force: true' in str(err.value)
    assert snapshot(path) == before


def test_check_present_refuses_a_missing_directory_in_a_real_run_only(tmp_path):
    missing = tmp_path / 'nope' / 'e.sealed'

    with pytest.raises(TaskError, match='the directory .* does not exist; create it first'):
        target(make_module(), missing).check_present()
    target(make_module(check_mode=True), missing).check_present()


def test_check_present_accepts_a_missing_file_and_a_usable_one(path):
    target(make_module(), path).check_present()
    deploy(path)
    item = target(make_module(), path)
    item.check_present()

    assert item.want(endpoint()).reason == 'unchanged'


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

    assert (item.reason, item.changed) == ('removed', True) and path.exists()


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
    assert 'token_change' not in diff['before'] and 'token_change' not in diff['after']
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

    target(module, path).want(endpoint()).decide()

    assert TOKEN in module.secret_mask and OTHER_TOKEN in module.secret_mask


def test_sealed_format_without_a_current_key_is_refused(path):
    with pytest.raises(TaskError) as err:
        target(make_module(), path, ring=KeyRing(None, [OLD_KEY])).want(endpoint())

    assert 'key or key_file' in str(err.value)


def test_sealed_content_is_parsed_strictly(path):
    write(path, seal(b'{"token": "x"}', KEY))

    state = read_state(make_module(), str(path), keyring())

    assert state.kind == 'sealed' and state.endpoint is None and 'priority' in state.problem


# --- hardening: modes, paths, preflight, diff, absent ---------------------------------------------

@pytest.mark.parametrize('mode, accepted', [
    ('0600', True), ('0640', True), ('0660', True), ('u=rw,g=r,o=', True), (0o600, True),
    ('0644', False), ('0604', False), ('0601', False), ('0400', False), ('0200', False), ('u=r', False),
])
def test_endpoint_mode_refuses_access_for_others_and_a_mode_without_owner_read_write(mode, accepted):
    if accepted:
        assert endpoint_mode(mode, None, '/x/e.json') & 0o007 == 0
    else:
        with pytest.raises(TaskError) as err:
            endpoint_mode(mode, None, '/x/e.json')
        assert '/x/e.json' in str(err.value)


@pytest.mark.parametrize('mode', [600, 640, 644, 1600])
def test_unquoted_octal_mode_is_refused_with_a_hint_to_quote_it(mode):
    with pytest.raises(TaskError) as err:
        endpoint_mode(mode, None, '/x/e.json')

    assert "Quote it, for example mode: '0%d'" % mode in str(err.value)


def test_a_decimal_int_that_is_a_valid_octal_mode_is_accepted():
    # 384 is 0o600 written in decimal (as YAML reads an unquoted 0600): not a mistake.
    assert endpoint_mode(384, None, '/x/e.json') == 0o600


def test_unsafe_mode_fails_before_anything_is_written(tmp_path):
    with pytest.raises(TaskError):
        deploy(tmp_path / 'e.json', fmt='plain', mode='0644')

    assert os.listdir(str(tmp_path)) == []


def test_write_problem_names_a_directory_at_the_target_path(tmp_path):
    os.mkdir(str(tmp_path / 'e.json'))
    item = target(make_module(), tmp_path / 'e.json', fmt='plain').want(endpoint())

    with pytest.raises(TaskError) as err:
        item.decide()

    assert 'directory' in str(err.value)


@pytest.mark.skipif(os.geteuid() != 0, reason='chattr +i needs root')
@pytest.mark.parametrize('check_mode', [False, True])
def test_write_problem_finds_an_immutable_file_in_check_mode_and_real_runs(path, check_mode):
    deploy(path)
    subprocess.check_call(['chattr', '+i', str(path)])
    try:
        item = target(make_module(check_mode=check_mode), path).want(endpoint(priority=5))
        item.decide()
        problem = item.write_problem()
    finally:
        subprocess.check_call(['chattr', '-i', str(path)])

    assert problem is not None and 'immutable' in problem and str(path) in problem


def test_diff_shows_owner_and_group_as_names_on_both_sides(path):
    deploy(path)
    me = pwd.getpwuid(os.geteuid()).pw_name
    my_group = grp.getgrgid(os.getegid()).gr_name
    item = target(make_module(diff=True), path, owner=str(os.geteuid()), group=str(os.getegid())).want(endpoint(priority=4))

    diff = item.diff()

    assert (diff['before']['owner'], diff['after']['owner']) == (me, me)
    assert (diff['before']['group'], diff['after']['group']) == (my_group, my_group)


def test_absent_result_reports_the_format_of_the_removed_file(tmp_path):
    plain = tmp_path / 'nbwss_g1_1.json'
    deploy(plain, fmt='plain')

    removed = target(make_module(), plain, fmt='sealed', ring=KeyRing()).want(None).apply().result()
    absent = target(make_module(), plain, fmt='sealed', ring=KeyRing()).want(None).apply().result()

    assert (removed['reason'], removed['format']) == ('removed', 'plain')
    assert (absent['reason'], absent['format']) == ('absent', None)


def test_plain_file_has_no_final_newline_and_reads_back_equal(tmp_path):
    plain = tmp_path / 'import.json'

    deploy(plain, fmt='plain')

    data = snapshot(plain)[3]
    assert data.startswith(b'{') and data.endswith(b'}')
    assert read_state(make_module(), str(plain), KeyRing()).endpoint == endpoint()


def test_existing_plain_file_with_a_final_newline_is_unchanged(tmp_path):
    plain = tmp_path / 'import.json'
    write(plain, endpoint().canonical_json() + b'\n')
    before = snapshot(plain)

    assert deploy(plain, fmt='plain').reason == 'unchanged'
    assert snapshot(plain) == before


def test_an_unchanged_file_still_clears_a_dead_writers_leftover_and_says_so(path):
    deploy(path)
    leftover = str(path.parent / ('.%s.dead01.nbwss-tmp' % path.name))
    write(leftover, b'half a token')
    old = time.time() - 3600
    os.utime(leftover, (old, old))

    check = deploy(path, check_mode=True).result()
    real = deploy(path).result()
    again = deploy(path).result()

    assert (check['reason'], check['changed'], check['stale_temp_removed']) == ('unchanged', True, [leftover])
    assert (real['reason'], real['changed'], real['stale_temp_removed']) == ('unchanged', True, [leftover])
    assert not os.path.exists(leftover)
    assert (again['changed'], 'stale_temp_removed' in again) == (False, False)
