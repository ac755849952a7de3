# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""endpoint_set's plan: all or nothing before the first write, exactly what happened after one."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess

import pytest

from ansible_collections.netbackup.nbwss.tests.unit.endpoint_helpers import (
    KEY,
    WANTED,
    keyring,
    make_module,
    snapshot,
    write,
)

from ansible_collections.netbackup.nbwss.plugins.module_utils import _endpoint_file
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_dir import default_name, is_collection_file
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_entries import EntryReader
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_set_plan import EndpointSetPlan, plan_entries
from ansible_collections.netbackup.nbwss.plugins.module_utils._files import FilesError
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import TaskError
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import endpoint_from_dict


def entry(**changes):
    return dict(WANTED, **changes)


def run_set(directory, entries, check_mode=False, **options):
    """Plan, diff and apply as the endpoint_set module does; return the plan (applied)."""
    module = make_module(check_mode=check_mode, diff=True)
    ring = options.pop('ring', keyring())
    options.setdefault('mode', '0600')
    validated = EntryReader(ring).entries(entries, 'endpoints')
    plan = EndpointSetPlan(module, str(directory), validated, ring, **options).plan()
    plan.diff()
    return plan.apply()


def listing(directory):
    return sorted(os.listdir(str(directory)))


def test_set_writes_one_file_per_entry_with_default_and_explicit_names(tmp_path):
    result = run_set(tmp_path, [entry(), entry(priority=2, url='wss://b.example.com/', name='second')]).result()

    assert listing(tmp_path) == ['nbwss_g1_1.sealed', 'nbwss_second.sealed']
    assert [f['reason'] for f in result['files']] == ['created', 'created'] and result['changed'] is True
    assert result['groups'][0]['priorities'] == [1, 2]


def test_set_conflict_fails_before_anything_is_written(tmp_path):
    with pytest.raises(TaskError) as err:
        run_set(tmp_path, [entry(), entry(url='wss://b.example.com/', name='other')])

    assert 'endpoints[0], endpoints[1]' in str(err.value)
    assert listing(tmp_path) == []


def test_set_urls_differing_only_in_host_case_and_default_port_conflict(tmp_path):
    entries = [entry(url='wss://H.example.com/x'), entry(priority=2, url='wss://h.example.com:443/x')]

    with pytest.raises(TaskError) as err:
        run_set(tmp_path, entries)

    assert 'appears more than once' in str(err.value)
    assert listing(tmp_path) == []


def test_set_duplicate_file_name_fails_before_anything_is_written(tmp_path):
    entries = [entry(name='same'), entry(priority=2, url='wss://b.example.com/', name='same')]

    with pytest.raises(TaskError) as err:
        run_set(tmp_path, entries)

    assert 'endpoints[0], endpoints[1]' in str(err.value) and 'nbwss_same.sealed' in str(err.value)
    assert listing(tmp_path) == []


def test_set_unreadable_existing_file_fails_before_anything_is_written(tmp_path):
    write(tmp_path / 'nbwss_g1_2.sealed', b'NBWSS-SEALED/1 AES-256-GCM kid=0000000000000000\nAAAA\n')
    entries = [entry(), entry(priority=2, url='wss://b.example.com/')]

    with pytest.raises(TaskError):
        run_set(tmp_path, entries)

    assert listing(tmp_path) == ['nbwss_g1_2.sealed']


def test_set_content_and_keys_together_is_an_error(tmp_path):
    with pytest.raises(TaskError) as err:
        run_set(tmp_path, [entry(content=json.dumps(WANTED))])

    assert 'endpoints[0]' in str(err.value) and 'give either the keys' in str(err.value)


def test_set_purge_removes_only_collection_files_not_listed(tmp_path):
    for name in ('nbwss_old_1.sealed', 'nbwss_g1_1.json', 'other.json', 'nbwss_.hidden.json', 'keep.sealed'):
        write(tmp_path / name, b'anything')
    os.mkdir(str(tmp_path / 'nbwss_dir.json'))

    check = run_set(tmp_path, [entry()], purge=True, check_mode=True).result()
    result = run_set(tmp_path, [entry()], purge=True).result()

    expected = sorted(str(tmp_path / name) for name in ('nbwss_old_1.sealed', 'nbwss_g1_1.json'))
    assert sorted(check['removed']) == sorted(result['removed']) == expected
    assert listing(tmp_path) == ['keep.sealed', 'nbwss_.hidden.json', 'nbwss_dir.json', 'nbwss_g1_1.sealed', 'other.json']


def test_set_rerun_is_unchanged(tmp_path):
    run_set(tmp_path, [entry()])

    result = run_set(tmp_path, [entry()]).result()

    assert result['changed'] is False and result['files'][0]['reason'] == 'unchanged'


def test_default_name_replaces_unsafe_characters():
    found = endpoint_from_dict(dict(WANTED, groupId='cloud 1/eu'))
    assert default_name(found) == 'cloud_1_eu_1'
    assert is_collection_file('nbwss_cloud_1_eu_1.sealed') and not is_collection_file('nbwss_.x.json')


def test_default_name_that_breaks_the_pattern_asks_for_a_name(tmp_path):
    with pytest.raises(TaskError) as err:
        run_set(tmp_path, [entry(groupId='.hidden')])

    assert 'set name' in str(err.value)


# --- format change: the twin goes, with or without purge ------------------------------------------

@pytest.mark.parametrize('purge', [False, True])
def test_format_change_removes_the_other_format_file_without_purge(tmp_path, purge):
    run_set(tmp_path, [entry()])

    result = run_set(tmp_path, [entry()], fmt='plain', purge=purge).result()

    assert listing(tmp_path) == ['nbwss_g1_1.json']
    assert result['files'][0]['reason'] == 'created'
    assert result['removed'] == [str(tmp_path / 'nbwss_g1_1.sealed')]


# --- unlisted files without purge -----------------------------------------------------------------

def test_unlisted_files_are_warned_about_and_checked_against_the_set(tmp_path):
    run_set(tmp_path, [entry(priority=1, name='old'), entry(priority=7, url='wss://c.example.com/', name='other')])
    module_entries = [entry(priority=1, url='wss://b.example.com/')]

    plan = run_set(tmp_path, module_entries)

    unlisted = [w for w in plan.warnings if 'is not in endpoints and stays' in w]
    clashes = [w for w in plan.warnings if 'more than once' in w]
    assert sorted(w.split(' ')[0] for w in unlisted) == [str(tmp_path / 'nbwss_old.sealed'), str(tmp_path / 'nbwss_other.sealed')]
    assert len(clashes) == 1 and str(tmp_path / 'nbwss_old.sealed') in clashes[0] and 'not in endpoints' in clashes[0]
    assert listing(tmp_path) == ['nbwss_g1_1.sealed', 'nbwss_old.sealed', 'nbwss_other.sealed']


# --- check mode tells the truth -------------------------------------------------------------------

def test_check_mode_on_a_missing_directory_reports_created_with_one_warning(tmp_path):
    plan = run_set(tmp_path / 'not-yet', [entry(), entry(priority=2, url='wss://b.example.com/')], check_mode=True)

    result = plan.result()
    assert result['changed'] is True and [f['reason'] for f in result['files']] == ['created', 'created']
    assert len([w for w in plan.warnings if 'does not exist yet' in w]) == 1
    assert not (tmp_path / 'not-yet').exists()


def test_missing_directory_is_an_error_in_a_real_run(tmp_path):
    with pytest.raises(TaskError) as err:
        run_set(tmp_path / 'not-yet', [entry()])

    assert 'does not exist' in str(err.value)


def test_relative_directory_is_an_error(tmp_path):
    with pytest.raises(TaskError) as err:
        run_set('relative/dir', [entry()])

    assert 'relative path' in str(err.value)


# --- all or nothing before the first write --------------------------------------------------------

@pytest.mark.parametrize('check_mode', [False, True])
def test_a_directory_at_one_target_path_fails_before_anything_is_written(tmp_path, check_mode):
    os.mkdir(str(tmp_path / 'nbwss_g1_2.sealed'))
    entries = [entry(), entry(priority=2, url='wss://b.example.com/')]

    with pytest.raises(TaskError) as err:
        run_set(tmp_path, entries, check_mode=check_mode)

    assert 'nbwss_g1_2.sealed' in str(err.value) and 'directory' in str(err.value)
    assert listing(tmp_path) == ['nbwss_g1_2.sealed']


@pytest.mark.skipif(os.geteuid() != 0, reason='chattr +i needs root')
@pytest.mark.parametrize('check_mode', [False, True])
def test_an_immutable_file_fails_the_set_before_anything_is_written(tmp_path, check_mode):
    run_set(tmp_path, [entry(priority=2, url='wss://b.example.com/')])
    locked = tmp_path / 'nbwss_g1_2.sealed'
    before = snapshot(locked)
    subprocess.check_call(['chattr', '+i', str(locked)])
    try:
        with pytest.raises(TaskError) as err:
            run_set(tmp_path, [entry(), entry(priority=2, url='wss://c.example.com/')], check_mode=check_mode)
    finally:
        subprocess.check_call(['chattr', '-i', str(locked)])

    assert 'immutable' in str(err.value) and 'nothing was written' in str(err.value)
    assert listing(tmp_path) == ['nbwss_g1_2.sealed'] and snapshot(locked) == before


@pytest.mark.skipif(os.geteuid() != 0, reason='chattr +i needs root')
def test_an_immutable_directory_fails_the_set_in_check_mode_too(tmp_path):
    subprocess.check_call(['chattr', '+i', str(tmp_path)])
    try:
        for check_mode in (True, False):
            with pytest.raises(TaskError) as err:
                run_set(tmp_path, [entry()], check_mode=check_mode)
            assert 'not writable' in str(err.value)
    finally:
        subprocess.check_call(['chattr', '-i', str(tmp_path)])


# --- a failure midway says exactly what was done --------------------------------------------------

def test_a_write_failing_midway_reports_changed_and_every_file_written(tmp_path, monkeypatch):
    entries = [entry(name='a'), entry(priority=2, url='wss://b.example.com/', name='b'),
               entry(priority=3, url='wss://c.example.com/', name='c')]
    real_write = _endpoint_file.write_file

    def write_then_fail(module, path, data, **kwargs):
        if path.endswith('nbwss_b.sealed'):
            raise FilesError('Could not write %s: No space left on device.' % path)
        return real_write(module, path, data, **kwargs)

    monkeypatch.setattr(_endpoint_file, 'write_file', write_then_fail)
    with pytest.raises(TaskError) as err:
        run_set(tmp_path, entries)

    result = err.value.result
    assert result['changed'] is True
    assert result['written'] == [str(tmp_path / 'nbwss_a.sealed')]
    assert result['not_done'] == [str(tmp_path / 'nbwss_b.sealed'), str(tmp_path / 'nbwss_c.sealed')]
    assert str(err.value).startswith('The endpoint set is incomplete: Could not write')
    assert listing(tmp_path) == ['nbwss_a.sealed']


def test_tokens_and_keys_never_appear_in_a_midway_failure(tmp_path, monkeypatch):
    def disk_full(*args, **kwargs):
        raise FilesError('disk full.')

    monkeypatch.setattr(_endpoint_file, 'write_file', disk_full)

    with pytest.raises(TaskError) as err:
        run_set(tmp_path, [entry()])

    text = str(err.value) + json.dumps(err.value.result)
    assert WANTED['token'] not in text and KEY.hex() not in text


# --- plan_entries before the endpoints are known (the controller's check of provider entries) -------

def test_entries_not_fetched_yet_are_planned_by_their_name_and_skipped_without_one():
    known = endpoint_from_dict(entry())

    planned = plan_entries('/d', [(0, None, known), (1, 'eu-1', None), (2, None, None)], 'plain')

    assert [(item.index, item.name, item.path) for item in planned] == [(0, 'g1_1', '/d/nbwss_g1_1.json'),
                                                                        (1, 'eu-1', '/d/nbwss_eu-1.json')]


def test_a_bad_or_shared_name_of_an_entry_not_fetched_yet_is_found_and_named_by_the_option():
    with pytest.raises(TaskError) as bad:
        plan_entries('', [(0, None, None), (1, '../eu', None)], 'sealed', option='nbwss_endpoints')
    with pytest.raises(TaskError) as shared:
        plan_entries('', [(0, 'eu', None), (1, None, None), (2, 'eu', None)], 'sealed', option='nbwss_endpoints')

    assert str(bad.value).startswith('nbwss_endpoints[1]: name: must match')
    assert str(shared.value) == ('two or more entries would write the same file: nbwss_endpoints[0], nbwss_endpoints[2] '
                                 '(nbwss_eu.sealed); give them distinct names')
