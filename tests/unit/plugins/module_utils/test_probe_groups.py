# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.netbackup.nbwss.plugins.module_utils._probe_groups import (
    DEFAULT_FAIL_ON,
    DEFAULT_MIN_CERT_DAYS,
    FAIL_ON_CONDITIONS,
    fired_conditions,
    group_view,
    member_results,
    returned_groups,
)


def result(source, group, priority, reason='ok', days_left=89, url=None):
    """A probe result as _probe.probe_endpoints returns it (only the keys the group view reads vary)."""
    healthy = reason == 'ok'
    return {
        'url': url or 'wss://%s.example.com/nbwss' % source, 'groupId': group, 'priority': priority,
        'hostName': '%s.example.com' % source, 'source': source, 'token': 'sha256:0123456789ab',
        'stage': 'connect' if healthy else 'tcp', 'reason': reason, 'detail': 'x', 'http_status': None,
        'close_code': None, 'close_reason': None, 'ms': {}, 'address': '192.0.2.1:443',
        'tls': {'verified': True, 'days_left': days_left, 'not_after': '2027-01-01T00:00:00Z'} if healthy else None,
    }


def one(groups, group_id):
    return next(group for group in groups if group['groupId'] == group_id)


def kinds(group):
    return [finding['kind'] for finding in group['findings']]


def test_all_healthy_group_uses_its_best_priority():
    group = one(group_view([result('alpha-2', 'ALPHA', 2), result('alpha-1', 'ALPHA', 1)]), 'ALPHA')
    assert group['active'] == 'wss://alpha-1.example.com/nbwss'
    assert (group['active_priority'], group['failover'], group['healthy'], group['total']) == (1, False, 2, 2)
    assert group['findings'] == []
    assert group['line'] == 'ALPHA: would connect to alpha-1 (priority 1, 2 of 2 healthy)'


def test_failed_best_endpoint_means_failover_to_the_next_healthy_one():
    group = one(group_view([result('alpha-1', 'ALPHA', 1, 'tls_expired'), result('alpha-2', 'ALPHA', 2)]), 'ALPHA')
    assert (group['active'], group['active_priority'], group['failover'], group['healthy']) == (
        'wss://alpha-2.example.com/nbwss', 2, True, 1)
    assert group['line'] == 'ALPHA: would connect to alpha-2 (priority 2, failover: alpha-1 tls_expired)'
    assert kinds(group) == ['cert_expiry']
    assert group['findings'][0]['message'] == 'ALPHA: the certificate of alpha-1 has expired.'


def test_failover_line_also_names_failed_standbys():
    group = one(group_view([result('a1', 'A', 1, 'tcp_refused'), result('a2', 'A', 2), result('a3', 'A', 3, 'dns')]), 'A')
    assert group['line'] == 'A: would connect to a2 (priority 2, failover: a1 tcp_refused; also down: a3 dns)'


def test_failed_standby_is_not_a_failover():
    group = one(group_view([result('a1', 'A', 1), result('a2', 'A', 2, 'connect_timeout')]), 'A')
    assert (group['active_priority'], group['failover'], group['healthy']) == (1, False, 1)
    assert group['line'] == 'A: would connect to a1 (priority 1, 1 of 2 healthy; down: a2 connect_timeout)'


def test_group_without_healthy_endpoint_is_down():
    group = one(group_view([result('beta-2', 'BETA', 2, 'tls_untrusted'), result('beta-1', 'BETA', 1, 'tcp_refused')]), 'BETA')
    assert (group['active'], group['active_priority'], group['failover'], group['healthy']) == (None, None, False, 0)
    assert group['line'] == 'BETA: DOWN, no healthy endpoint (beta-1 tcp_refused, beta-2 tls_untrusted)'
    assert kinds(group) == ['group_down']
    assert group['findings'][0]['message'] == (
        'BETA: no endpoint is healthy, so NetBackup cannot connect this group (beta-1 tcp_refused, beta-2 tls_untrusted).')


@pytest.mark.parametrize('reason', ['token_withheld', 'token_rejected', 'connect_mismatch', 'closed'])
def test_only_ok_counts_as_healthy(reason):
    group = one(group_view([result('a1', 'A', 1, reason), result('a2', 'A', 2)]), 'A')
    assert (group['active_priority'], group['failover']) == (2, True)


def test_best_priority_is_the_lowest_number_present_not_one():
    group = one(group_view([result('a7', 'A', 7), result('a5', 'A', 5)]), 'A')
    assert (group['active_priority'], group['failover']) == (5, False)


def test_endpoints_in_priority_then_url_order_and_groups_by_id():
    groups = group_view([
        result('b', 'G2', 1), result('z', 'G1', 3), result('y', 'G1', 1, url='wss://y/'), result('x', 'G1', 1, url='wss://x/'),
    ])
    assert [group['groupId'] for group in groups] == ['G1', 'G2']
    assert [row['source'] for row in groups[0]['endpoints']] == ['x', 'y', 'z']


def test_a_returned_group_names_its_endpoints_by_index_in_that_order_and_holds_no_copy():
    results = [result('b', 'G2', 1), result('z', 'G1', 3), result('y', 'G1', 1, url='wss://y/'), result('x', 'G1', 1, url='wss://x/')]
    groups = group_view(results)

    returned = returned_groups(groups)

    assert [group['members'] for group in returned] == [[3, 2, 1], [0]]
    assert [[row['source'] for row in member_results(group, results)] for group in returned] == [['x', 'y', 'z'], ['b']]
    assert all('endpoints' not in group for group in returned) and 'endpoints' in groups[0]
    # Each endpoint once: no endpoint result (nor its token's fingerprint) is in the returned groups.
    assert 'sha256:' not in json.dumps(returned)
    assert [dict(group, endpoints=member_results(group, results)) for group in returned] == groups


def test_single_endpoint_group_is_a_finding():
    group = one(group_view([result('solo', 'S', 1)]), 'S')
    assert group['findings'] == [{'kind': 'single_endpoint',
                                  'message': 'solo: groupId S has a single endpoint, so NetBackup has nothing to fail over to.'}]


def test_duplicate_priority_is_a_finding_and_active_falls_back_to_url_order():
    group = one(group_view([result('a2', 'A', 1, url='wss://b/'), result('a1', 'A', 1, url='wss://a/')]), 'A')
    assert group['active'] == 'wss://a/'
    assert group['findings'] == [{'kind': 'duplicate_priority', 'message': (
        'a2, a1: groupId A has priority 1 more than once; NetBackup could not tell which to try first.')}]


def test_duplicate_url_across_groups_is_one_finding_naming_both():
    groups = group_view([result('a1', 'A', 1, url='wss://same/'), result('a2', 'A', 2),
                         result('b1', 'B', 1, url='wss://same/'), result('b2', 'B', 2)])
    assert (kinds(one(groups, 'A')), kinds(one(groups, 'B'))) == (['duplicate_url'], [])
    assert one(groups, 'A')['findings'][0]['message'] == 'a1, b1: url wss://same/ appears more than once; each endpoint needs its own url.'


def test_duplicate_url_finding_never_shows_the_query():
    groups = group_view([result('a1', 'A', 1, url='wss://same/x?ticket=abc'), result('a2', 'A', 2, url='wss://same/x?ticket=abc')])
    message = one(groups, 'A')['findings'][0]['message']
    assert 'ticket' not in message and 'url wss://same/x appears' in message


def test_twins_with_one_url_and_priority_name_the_healthy_one_active():
    # A stale file beside a new one: same url, same priority, only one of them healthy.
    stale = result('old', 'A', 1, 'token_rejected', url='wss://a.example.com/x')
    fresh = result('new', 'A', 1, url='wss://a.example.com/x')
    for order in ([stale, fresh], [fresh, stale]):
        group = one(group_view(order), 'A')
        assert (group['active_name'], group['active_source'], group['active_priority']) == ('new', 'new', 1)


@pytest.mark.parametrize('days_left, min_days, expected', [(13, 14, True), (14, 14, False), (0, 14, True), (40, 60, True), (29, 0, False)])
def test_cert_expiry_uses_min_cert_days(days_left, min_days, expected):
    group = one(group_view([result('a1', 'A', 1, days_left=days_left), result('a2', 'A', 2, days_left=400)], min_cert_days=min_days), 'A')
    assert kinds(group) == (['cert_expiry'] if expected else [])
    if expected:
        assert group['findings'][0]['message'] == (
            'A: the certificate of a1 expires in %d day(s), on 2027-01-01T00:00:00Z (min_cert_days is %d).' % (days_left, min_days))


def test_endpoint_without_tls_facts_has_no_expiry_finding():
    row = result('a1', 'A', 1)
    row['tls'] = None
    assert kinds(one(group_view([row, result('a2', 'A', 2)]), 'A')) == []


@pytest.mark.parametrize('source, shown', [
    ('/usr/openv/var/global/wss/nbwss_ALPHA_1.sealed', 'ALPHA_1'),
    ('/usr/openv/var/global/wss/nbwss_alpha.one.json', 'alpha.one'),
    ('endpoints[0]', 'endpoints[0]'),
    ('/etc/netbackup/alpha.json', '/etc/netbackup/alpha.json'),  # not named like the collection's files
])
def test_endpoint_is_named_by_its_file_name_part(source, shown):
    row = result('a1', 'A', 1, 'tcp_refused')
    row['source'] = source
    assert one(group_view([row]), 'A')['line'] == 'A: DOWN, no healthy endpoint (%s tcp_refused)' % shown


def test_unnamed_endpoint_is_shown_by_url():
    row = result('a1', 'A', 1, 'tcp_refused', url='wss://a1.example.com:8443/x')
    row['source'] = None
    assert one(group_view([row]), 'A')['line'] == 'A: DOWN, no healthy endpoint (wss://a1.example.com:8443/x tcp_refused)'


def test_view_is_json_serialisable():
    json.dumps(group_view([result('a1', 'A', 1), result('a2', 'A', 2, 'dns')]))


# ---- fail_on ------------------------------------------------------------------------------------

def scenario():
    """ALPHA failed over, BETA down, GAMMA healthy with a duplicate priority and an expiring cert."""
    return group_view([
        result('alpha-1', 'ALPHA', 1, 'tls_expired'), result('alpha-2', 'ALPHA', 2),
        result('beta-1', 'BETA', 1, 'tcp_refused'), result('beta-2', 'BETA', 2, 'dns'),
        result('gamma-1', 'GAMMA', 1, days_left=3), result('gamma-2', 'GAMMA', 1, days_left=90),
    ])


def test_unreadable_files_fire_with_their_paths_and_messages():
    errors = [{'path': '/w/nbwss_a.sealed', 'message': '/w/nbwss_a.sealed: sealed with key id k1, which matches none of the keys'}]
    fired = fired_conditions(scenario(), ['unreadable'], errors)
    assert fired == [{'condition': 'unreadable', 'groups': [], 'files': ['/w/nbwss_a.sealed'], 'message': (
        'unreadable: 1 endpoint file could not be read and was not probed: /w/nbwss_a.sealed: sealed with key id k1, '
        'which matches none of the keys.')}]
    assert fired_conditions(scenario(), ['unreadable'], []) == []


def test_default_fail_on_is_group_down_and_unreadable():
    assert DEFAULT_FAIL_ON == ('group_down', 'unreadable')
    fired = fired_conditions(scenario())
    assert fired == [{'condition': 'group_down', 'groups': ['BETA'], 'message': (
        'group_down: BETA: no endpoint is healthy, so NetBackup cannot connect this group (beta-1 tcp_refused, beta-2 dns).')}]


@pytest.mark.parametrize('condition, groups', [
    ('group_down', ['BETA']),
    ('any_down', ['ALPHA', 'BETA']),
    ('failover', ['ALPHA']),
    ('conflict', ['GAMMA']),
    ('cert_expiry', ['ALPHA', 'GAMMA']),
])
def test_each_condition_names_its_groups(condition, groups):
    assert [(f['condition'], f['groups']) for f in fired_conditions(scenario(), [condition])] == [(condition, groups)]


def test_messages_say_why():
    messages = dict((f['condition'], f['message']) for f in fired_conditions(scenario(), FAIL_ON_CONDITIONS))
    assert messages['any_down'] == 'any_down: ALPHA: alpha-1 tls_expired. BETA: beta-1 tcp_refused, beta-2 dns.'
    assert messages['failover'] == 'failover: ALPHA: would connect to alpha-2 (priority 2, failover: alpha-1 tls_expired).'
    assert messages['cert_expiry'] == (
        'cert_expiry: ALPHA: the certificate of alpha-1 has expired. GAMMA: the certificate of gamma-1 expires in 3 day(s), '
        'on 2027-01-01T00:00:00Z (min_cert_days is 30).')


def test_nothing_fires_for_healthy_groups():
    groups = group_view([result('a1', 'A', 1), result('a2', 'A', 2), result('b1', 'B', 1), result('b2', 'B', 2)])
    assert fired_conditions(groups, FAIL_ON_CONDITIONS) == []


def test_fired_conditions_follow_fail_on_order():
    assert [f['condition'] for f in fired_conditions(scenario(), ['failover', 'group_down'])] == ['failover', 'group_down']


def test_empty_fail_on_never_fires():
    assert fired_conditions(scenario(), []) == []


def test_unknown_condition_is_refused():
    with pytest.raises(ValueError, match='fail_on: unknown condition.s. group_up; choose from group_down, any_down'):
        fired_conditions(scenario(), ['group_down', 'group_up'])


def test_urls_that_differ_only_in_host_case_and_default_port_are_one_url():
    group = one(group_view([result('a1', 'A', 1, url='wss://H.example.com/x'),
                            result('a2', 'A', 2, url='wss://h.example.com:443/x')]), 'A')
    assert [finding['kind'] for finding in group['findings']].count('duplicate_url') == 1


def test_the_default_certificate_margin_is_30_days():
    assert DEFAULT_MIN_CERT_DAYS == 30


def test_a_refused_upgrade_shows_its_http_status_in_lines_and_findings():
    refused = result('b1', 'B', 1, 'http_status')
    refused['http_status'] = 404
    group = one(group_view([refused, result('b2', 'B', 2, 'tcp_refused')]), 'B')
    assert group['line'] == 'B: DOWN, no healthy endpoint (b1 http_status 404, b2 tcp_refused)'
    assert group['findings'][0]['message'].endswith('(b1 http_status 404, b2 tcp_refused).')


def test_the_probe_findings_are_the_set_rules_of_endpoint_set():
    # One home: what endpoint_set refuses before a write is what the probe finds after one, in the same words.
    from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import endpoint_from_dict
    from ansible_collections.netbackup.nbwss.plugins.module_utils._set_rules import set_problems

    rows = [result('a1', 'A', 1, url='wss://x/'), result('a2', 'A', 1, url='wss://x/')]
    endpoints = [endpoint_from_dict({'token': 't', 'priority': row['priority'], 'groupId': row['groupId'],
                                     'hostName': 'x', 'url': row['url']}).with_source(row['source']) for row in rows]
    found = sorted(finding['message'] for finding in one(group_view(rows), 'A')['findings'] if finding['kind'] != 'cert_expiry')
    assert found == sorted(problem.message + '.' for problem in set_problems(endpoints))
