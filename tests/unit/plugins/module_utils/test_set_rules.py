# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import Endpoint
from ansible_collections.netbackup.nbwss.plugins.module_utils._set_rules import (
    EndpointSetError,
    check_endpoint_set,
    group_table,
    set_problems,
    unlisted_warnings,
)


def ep(source, group, priority, url=None, token='nbwssSetTok3n'):
    return Endpoint(token, priority, group, 'h.example.com', url or 'wss://h.example.com/%s' % source, source=source)


def test_healthy_set_has_no_problems_and_no_warnings():
    endpoints = [ep('a.json', 'G1', 1), ep('b.json', 'G1', 2), ep('c.json', 'G2', 1), ep('d.json', 'G2', 5)]
    assert check_endpoint_set(endpoints) == []


def test_same_group_and_priority_fails_naming_both_files():
    with pytest.raises(EndpointSetError) as caught:
        check_endpoint_set([ep('a.json', 'G1', 1), ep('b.json', 'G1', 1), ep('c.json', 'G1', 2)])
    assert caught.value.problems == [
        'a.json, b.json: groupId G1 has priority 1 more than once; NetBackup could not tell which to try first']


def test_same_priority_in_different_groups_is_fine():
    assert set_problems([ep('a.json', 'G1', 1), ep('b.json', 'G2', 1)]) == []


def test_duplicate_url_fails_naming_both_files():
    problems = set_problems([ep('a.json', 'G1', 1, url='wss://x/'), ep('b.json', 'G2', 1, url='wss://x/')])
    assert [p.message for p in problems] == ['a.json, b.json: url wss://x/ appears more than once; each endpoint needs its own url']
    assert problems[0].sources == ['a.json', 'b.json']


def test_single_endpoint_group_is_a_warning():
    warnings = check_endpoint_set([ep('a.json', 'G1', 1), ep('b.json', 'G1', 2), ep('c.json', 'G2', 1)])
    assert warnings == ['c.json: groupId G2 has a single endpoint, so NetBackup has nothing to fail over to']


def test_group_table_lists_endpoints_in_the_order_netbackup_tries_them():
    table = group_table([ep('c.json', 'G1', 9), ep('a.json', 'G1', 1), ep('b.json', 'G0', 3), ep('d.json', 'G1', 4)])
    assert [g['groupId'] for g in table] == ['G0', 'G1']
    assert table[1]['priorities'] == [1, 4, 9]
    assert [row['source'] for row in table[1]['endpoints']] == ['a.json', 'd.json', 'c.json']


def test_group_table_never_holds_the_token():
    table = group_table([ep('a.json', 'G1', 1, token='nbwssSetSecretTok')])
    assert 'nbwssSetSecretTok' not in repr(table)


def test_problems_name_endpoints_without_source_by_position():
    endpoints = [Endpoint('t', 1, 'G', 'h', 'wss://h/1'), Endpoint('t', 1, 'G', 'h', 'wss://h/2')]
    assert set_problems(endpoints)[0].message.startswith('endpoint #1, endpoint #2: ')


def test_urls_are_compared_as_netbackup_reaches_them():
    problems = set_problems([ep('a.json', 'G1', 1, url='wss://H.example.com/x'),
                             ep('b.json', 'G1', 2, url='wss://h.example.com:443/x')])

    assert [p.sources for p in problems] == [['a.json', 'b.json']]


def test_clashes_with_unlisted_files_are_warnings_naming_them():
    listed = [ep('/d/nbwss_a.sealed', 'G1', 1), ep('/d/nbwss_b.sealed', 'G1', 2)]
    unlisted = [ep('/d/nbwss_old.json', 'G1', 1, url='wss://other.example.com/'), ep('/d/nbwss_far.json', 'G9', 1)]

    warnings = unlisted_warnings(listed, unlisted)

    assert len(warnings) == 1
    assert warnings[0].startswith('/d/nbwss_a.sealed, /d/nbwss_old.json: groupId G1 has priority 1 more than once')
    assert warnings[0].endswith('(a file that is not in endpoints)')
