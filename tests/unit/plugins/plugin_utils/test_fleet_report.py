# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fleet report: registered results in, the fleet view, drift and the printed table out."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.netbackup.nbwss.plugins.plugin_utils._fleet_report import (
    deploy_lines,
    fleet_table,
    group_cell,
    fleet_view,
    host_report,
    summary_line,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._probe_groups import fired_conditions, group_view, returned_groups

TOKEN = 'nbwssFleetTok3n-NeverInAReport-7Q'


def result(name, group, priority, reason='ok', url=None, days_left=200):
    """A probe result as the probe module returns it, for the endpoint file nbwss_<name>.sealed."""
    return {'url': url or 'wss://%s.example.com/nbwss' % name, 'groupId': group, 'priority': priority,
            'hostName': '%s.example.com' % name, 'source': '/d/nbwss_%s.sealed' % name, 'token': 'sha256:0123456789ab',
            'stage': 'connect' if reason == 'ok' else 'tcp', 'reason': reason, 'detail': 'd',
            'ms': {'resolve': 1, 'tcp': 1, 'tls': 2, 'upgrade': 1, 'connect': 1, 'total': 6},
            'tls': {'days_left': days_left, 'not_after': '2027-06-01T00:00:00Z'} if reason == 'ok' else None}


def probe_result(results, fail_on=(), errors=()):
    """The registered result of the rollout's probe task (with extra keys a result may carry), failed as the module
    fails it when a ``fail_on`` condition holds."""
    groups = group_view(results)
    fired = fired_conditions(groups, fail_on, list(errors))
    registered = {'changed': False, 'ok': not fired, 'fired': fired, 'endpoints': results, 'groups': returned_groups(groups),
                  'errors': list(errors), 'msg': 'lines', 'invocation': {'module_args': {'key': TOKEN}}}
    if fired:
        registered['failed'] = True
    return registered


def deploy_result(changed=True, failed=False):
    return {'changed': changed, 'failed': failed, 'msg': 'dir /d does not exist.' if failed else '',
            'files': [{'name': 'a_1', 'path': '/d/nbwss_a_1.sealed', 'reason': 'created', 'format': 'sealed',
                       'endpoint': {'token': 'sha256:0123456789ab'}}],
            'removed': [], 'invocation': {'module_args': {'endpoints': 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER', 'key': TOKEN}}}


HEALTHY = [result('a1', 'A', 1), result('a2', 'A', 2), result('b1', 'B', 1), result('b2', 'B', 2)]
FAILOVER = [result('a1', 'A', 1, 'tcp_refused'), result('a2', 'A', 2), result('b1', 'B', 1), result('b2', 'B', 2)]
DOWN = [result('a1', 'A', 1), result('a2', 'A', 2), result('b1', 'B', 1, 'dns'), result('b2', 'B', 2, 'tls_expired')]
DRIFTED = [result('a1', 'A', 1), result('a3', 'A', 2), result('b1', 'B', 1), result('b2', 'B', 2)]


def fleet():
    """Five masters: healthy, failed over, down, unreachable, and one whose group A has other endpoints."""
    return [
        host_report('m1', deploy=deploy_result(), probe=probe_result(HEALTHY)),
        host_report('m2', deploy=deploy_result(False), probe=probe_result(FAILOVER)),
        host_report('m3', deploy=deploy_result(False), probe=probe_result(DOWN)),
        host_report('m4', deploy={'unreachable': True, 'msg': 'Failed to connect to the host via ssh', 'changed': False},
                    probe={'skipped': True}),
        host_report('m5', deploy=deploy_result(False), probe=probe_result(DRIFTED)),
    ]


def test_host_report_keeps_only_known_keys_and_never_the_invocation():
    report = host_report('m1', deploy=deploy_result(), probe=probe_result(HEALTHY))

    text = json.dumps(report)
    assert TOKEN not in text and 'invocation' not in text and 'endpoint' not in report['deploy']['files'][0]
    assert report['state'] == 'healthy' and report['deploy']['files'][0]['reason'] == 'created'
    assert [group['groupId'] for group in report['probe']['groups']] == ['A', 'B']


def test_host_report_states():
    assert host_report('p', seen=False, run_id='r1') == {'host': 'p', 'state': 'pending', 'run_id': 'r1', 'generated': None}
    failed = host_report('f', deploy=deploy_result(failed=True), probe={'skipped': True})
    assert failed['state'] == 'failed' and failed['failure'] == {'stage': 'deploy', 'msg': 'dir /d does not exist.'}
    unreachable = fleet()[3]
    assert unreachable['state'] == 'unreachable' and unreachable['failure']['stage'] == 'deploy'
    probe_only = host_report('t', deploy=None, probe=probe_result(HEALTHY))
    assert 'deploy' not in probe_only and probe_only['state'] == 'healthy'
    broken_probe = host_report('b', deploy=deploy_result(), probe={'failed': True, 'msg': 'timeout must be positive'})
    assert broken_probe['state'] == 'failed' and broken_probe['failure']['stage'] == 'probe'


def test_a_master_whose_probe_failed_its_fail_on_is_failed_with_the_conditions_as_reason():
    down = host_report('m3', probe=probe_result(DOWN, fail_on=['group_down']))
    assert down['state'] == 'failed'
    assert down['failure'] == {'stage': 'probe', 'msg': 'fail_on group_down (B)', 'conditions': ['group_down']}
    assert [group['groupId'] for group in down['probe']['groups']] == ['A', 'B']
    failover = host_report('m2', probe=probe_result(FAILOVER, fail_on=['failover', 'conflict']))
    assert (failover['state'], failover['failure']['msg']) == ('failed', 'fail_on failover (A)')
    expiring = host_report('m9', probe=probe_result([result('a1', 'A', 1, days_left=3), result('a2', 'A', 2)],
                                                    fail_on=['cert_expiry']))
    assert (expiring['state'], expiring['failure']['msg']) == ('failed', 'fail_on cert_expiry (A)')


def test_a_master_with_an_unreadable_file_is_failed_and_the_file_is_a_finding():
    errors = [{'path': '/d/nbwss_c1.sealed', 'message': '/d/nbwss_c1.sealed: sealed with key id 0f3a, which matches '
                                                        'none of the given keys (key id mismatch)'}]
    report = host_report('m7', probe=probe_result(HEALTHY, fail_on=['group_down', 'unreadable'], errors=errors))
    assert (report['state'], report['failure']['msg']) == ('failed', 'fail_on unreadable (1 file)')
    assert report['probe']['errors'] == errors
    view = fleet_view([report])
    unreadable = [f for f in view['findings'] if f['kind'] == 'unreadable']
    assert unreadable == [{'kind': 'unreadable', 'hosts': ['m7'], 'files': ['/d/nbwss_c1.sealed'], 'message': (
        'm7: 1 endpoint file could not be read, so it was not probed: /d/nbwss_c1.sealed: sealed with key id 0f3a, '
        'which matches none of the given keys (key id mismatch)')}]
    assert 'm7 failed in the probe: fail_on unreadable (1 file)' in fleet_table(view)[-1]


def test_a_group_down_that_fail_on_lets_pass_is_down_not_healthy():
    assert host_report('m3', probe=probe_result(DOWN, fail_on=[]))['state'] == 'down'
    assert host_report('m2', probe=probe_result(FAILOVER, fail_on=['group_down']))['state'] == 'failover'


def test_a_master_without_a_probe_result_of_this_run_is_not_probed_never_healthy():
    for probe in (None, {'skipped': True, 'changed': False}):
        report = host_report('m1', deploy=deploy_result(), probe=probe)
        assert report['state'] == 'not_probed' and 'probe' not in report
    view = fleet_view([host_report('m1', deploy=deploy_result()), host_report('m2')])
    assert view['summary']['healthy'] == 0 and view['summary']['not_probed'] == 2
    assert summary_line(view) == '2 masters: 0 healthy, 0 failed over, 0 down, 0 failed, 0 unreachable, 2 not probed'
    assert view['findings'][-1]['message'] == (
        '2 masters were not probed in this run, so their state is unknown: m1, m2 (run the rollout with the probe tag to check)')


def test_fleet_view_counts_masters_by_state_and_fills_the_grid():
    view = fleet_view(fleet(), generated='2026-11-28 12:00:00 UTC', run_id='r1', min_cert_days=30)

    assert view['summary'] == {'masters': 5, 'healthy': 2, 'failover': 1, 'down': 1, 'empty': 0, 'failed': 0,
                               'unreachable': 1, 'not_probed': 0, 'pending': 0, 'carried': 0}
    assert view['groups'] == ['A', 'B']
    assert view['grid']['m2']['A'] == {'state': 'failover', 'active': 'a2', 'priority': 2, 'text': 'a2 (p2) FAILOVER'}
    assert view['grid']['m3']['B']['state'] == 'down'
    assert view['grid']['m1']['A']['text'] == 'a1 (p1)'
    assert view['grid']['m4'] == {}


def test_drift_names_the_group_and_which_masters_have_which_endpoints():
    findings = fleet_view(fleet())['findings']

    drift = [finding for finding in findings if finding['kind'] == 'drift']
    assert len(drift) == 1 and drift[0]['groupId'] == 'A' and drift[0]['hosts'] == ['m1', 'm2', 'm3', 'm5']
    assert 'm5: 1 wss://a1.example.com/nbwss, 2 wss://a3.example.com/nbwss' in drift[0]['message']
    assert 'm1, m2, m3: 1 wss://a1.example.com/nbwss, 2 wss://a2.example.com/nbwss' in drift[0]['message']


def test_urls_that_differ_only_in_case_or_default_port_are_not_drift():
    same = [result('a1', 'A', 1, url='wss://A1.example.com:443/nbwss'), result('a2', 'A', 2)]
    reports = [host_report('m1', probe=probe_result(HEALTHY[:2])), host_report('m2', probe=probe_result(same))]

    assert [f for f in fleet_view(reports)['findings'] if f['kind'] == 'drift'] == []


def test_findings_come_in_order_drift_down_failover_certificates_unreachable():
    kinds = [finding['kind'] for finding in fleet_view(fleet())['findings']]

    # m3's b2 has an expired certificate: that is a finding of its own.
    assert kinds == ['drift', 'group_down', 'failover', 'cert_expiry', 'unreachable']


def test_a_group_down_finding_says_why_per_endpoint():
    down = [result('b1', 'B', 1, 'http_status'), result('b2', 'B', 2, 'tcp_refused'), result('a1', 'A', 1), result('a2', 'A', 2)]
    down[0]['http_status'] = 404
    finding = [f for f in fleet_view([host_report('m1', probe=probe_result(down))])['findings'] if f['kind'] == 'group_down']
    assert finding[0]['message'] == 'B is down on m1: no endpoint of the group is healthy (b1 http_status 404, b2 tcp_refused)'


def test_a_duplicate_url_on_a_master_is_one_conflict_finding_in_the_fleet():
    # A stale file beside a new one on the same url.
    url = 'wss://a1.example.com/nbwss'
    stale = [result('a1', 'A', 1), result('a1-old', 'A', 3, url=url), result('a2', 'A', 2)]
    view = fleet_view([host_report('m1', probe=probe_result(stale)), host_report('m2', probe=probe_result(HEALTHY))])
    conflicts = [f for f in view['findings'] if f['kind'] == 'conflict']
    assert conflicts == [{'kind': 'conflict', 'groupId': 'A', 'hosts': ['m1'], 'message': (
        'conflict on m1: a1, a1-old: url wss://a1.example.com/nbwss appears more than once; each endpoint needs its own url.')}]
    assert '- ' + conflicts[0]['message'] in fleet_table(view)


def test_a_group_failed_over_on_several_masters_is_one_finding():
    reports = [host_report('m%d' % n, probe=probe_result(FAILOVER)) for n in range(1, 4)]

    failover = [f for f in fleet_view(reports)['findings'] if f['kind'] == 'failover']

    assert len(failover) == 1 and failover[0]['hosts'] == ['m1', 'm2', 'm3']
    assert failover[0]['message'] == ('A failed over on m1, m2, m3: NetBackup would connect to a2 (priority 2) at its next '
                                      '(re)connect; not healthy: a1 tcp_refused')


def test_certificates_close_to_expiry_are_one_finding_per_endpoint():
    soon = [result('a1', 'A', 1, days_left=5), result('a2', 'A', 2)]
    reports = [host_report('m1', probe=probe_result(soon)), host_report('m2', probe=probe_result(soon))]

    certs = [f for f in fleet_view(reports, min_cert_days=30)['findings'] if f['kind'] == 'cert_expiry']

    assert len(certs) == 1 and certs[0]['hosts'] == ['m1', 'm2']
    assert certs[0]['message'].startswith('the certificate of a1 (A, wss://a1.example.com/nbwss) expires in 5 day(s)')


def test_table_lists_every_master_and_a_state_column():
    lines = fleet_table(fleet_view(fleet()))

    assert lines[0] == summary_line(fleet_view(fleet())) == \
        '5 masters: 2 healthy, 1 failed over, 1 down, 0 failed, 1 unreachable'
    assert summary_line(fleet_view(fleet()[:1])).startswith('1 master: 1 healthy')
    header = lines[2].split()
    assert header == ['master', 'state', 'A', 'B']
    rows = dict((line.split()[0], line) for line in lines[3:8])
    assert 'a2 (p2) FAILOVER' in rows['m2'] and 'DOWN' in rows['m3'] and 'unreachable' in rows['m4']
    assert 'findings:' in lines


def test_a_large_healthy_fleet_lists_only_the_masters_that_need_attention():
    reports = [host_report('m%03d' % n, probe=probe_result(HEALTHY)) for n in range(100)]
    reports.append(host_report('z-failed-over', probe=probe_result(FAILOVER)))

    lines = fleet_table(fleet_view(reports), max_rows=40)

    assert [line.split()[0] for line in lines[3:4]] == ['z-failed-over']
    assert '(100 more masters, all healthy, not listed)' in lines


def test_pending_masters_of_later_batches_are_counted_not_failed():
    reports = [host_report('m1', probe=probe_result(HEALTHY)), host_report('m2', seen=False)]

    view = fleet_view(reports)

    assert view['summary']['pending'] == 1 and view['host_states']['m2'] == 'pending'
    assert '1 not run yet' in summary_line(view)


def test_nothing_in_the_view_or_table_holds_the_token():
    view = fleet_view(fleet())

    assert TOKEN not in json.dumps(view) and TOKEN not in '\n'.join(fleet_table(view))


def test_cell_of_twins_with_one_url_and_priority_names_the_healthy_twin():
    # Two files with the same url and priority: only the new one's token is accepted.
    url = 'wss://same.example.com/nbwss'
    for order in ((('old', 'token_rejected'), ('new', 'ok')), (('new', 'ok'), ('old', 'token_rejected'))):
        twins = [result(name, 'G', 1, reason, url=url) for name, reason in order] + [result('g2', 'G', 2)]
        cell = fleet_view([host_report('m1', probe=probe_result(twins))])['grid']['m1']['G']
        assert (cell['state'], cell['active']) == ('ok', 'new')


def test_a_limited_run_carries_the_other_masters_of_the_last_report_marked_as_earlier():
    earlier = host_report('m9', probe=probe_result(HEALTHY), run_id='r0', generated='2026-12-01 10:00:00 UTC')
    view = fleet_view([host_report('m1', probe=probe_result(FAILOVER), run_id='r1')], run_id='r1', carried=[earlier])
    assert view['hosts'] == ['m1', 'm9'] and view['summary']['carried'] == 1
    assert [report.get('carried', False) for report in view['reports']] == [False, True]
    assert summary_line(view) == '2 masters: 1 healthy, 1 failed over, 0 down, 0 failed, 0 unreachable (1 from earlier runs: not in this one)'
    assert any(line.startswith('m9') and 'healthy (earlier run)' in line for line in fleet_table(view))


def test_cell_of_a_group_listing_one_url_twice_is_its_healthy_endpoint():
    # A conflict the probe reports: the same url at priorities 1 and 2, only the second answered.
    url = 'wss://same.example.com/nbwss'
    group = group_view([result('g1', 'G', 1, 'token_rejected', url=url), result('g2', 'G', 2, url=url)])[0]
    assert group_cell(group)['text'] == 'g2 (p2) FAILOVER'


def test_a_master_whose_probe_found_no_endpoint_file_is_empty_not_healthy():
    # A check run before the first deploy probes an empty directory.
    view = fleet_view([host_report('m1', probe=probe_result([])), host_report('m2', probe=probe_result(HEALTHY))])
    assert view['host_states'] == {'m1': 'empty', 'm2': 'healthy'}
    assert summary_line(view) == '2 masters: 1 healthy, 0 failed over, 0 down, 1 without endpoints, 0 failed, 0 unreachable'
    assert view['findings'][-1]['message'] == '1 master has no endpoint file, so NetBackup has nothing to connect to: m1'


# ---- what the deploy did, printed once with the table ----------------------------------------------

def deployed(reasons, removed=(), failed=False):
    files = [{'name': 'a_%d' % number, 'path': '/d/nbwss_a_%d.sealed' % number, 'reason': reason, 'format': 'sealed'}
             for number, reason in enumerate(reasons, 1)]
    return {'changed': any(reason != 'unchanged' for reason in reasons) or bool(removed), 'failed': failed,
            'msg': 'dir /d does not exist.' if failed else '', 'files': files, 'removed': list(removed)}


def test_deploy_lines_name_each_master_that_changed_and_count_the_others():
    view = fleet_view([
        host_report('m1', deploy=deployed(['created', 'unchanged', 'updated']), probe=probe_result(HEALTHY)),
        host_report('m2', deploy=deployed(['unchanged', 'absent']), probe=probe_result(HEALTHY)),
        host_report('m3', deploy=deployed(['unchanged'], removed=['/d/nbwss_old_1.sealed']), probe=probe_result(HEALTHY)),
        host_report('m4', deploy=deployed([], failed=True), probe={'skipped': True}),
        host_report('m5', deploy={'unreachable': True, 'msg': 'ssh: no route', 'changed': False}, probe={'skipped': True}),
        host_report('m6', probe=probe_result(HEALTHY)),
    ])

    assert deploy_lines(view) == ['deploy: 2 masters changed, 1 unchanged',
                                  '- m1: created a_1, updated a_3',
                                  '- m3: removed /d/nbwss_old_1.sealed']
    assert deploy_lines(view, check_mode=True)[::2] == ['deploy, check mode (nothing was written): 2 masters would change, '
                                                        '1 unchanged', '- m3: would remove /d/nbwss_old_1.sealed']
    assert deploy_lines(view, max_rows=1)[1:] == ['- m1: created a_1, updated a_3', '(1 more, in hosts/<master>.json)']


def test_no_deploy_in_this_run_no_deploy_lines_and_the_table_shows_them_before_the_findings():
    probe_only = fleet_view([host_report('m1', probe=probe_result(HEALTHY)), host_report('m2', probe=probe_result(DOWN))])
    assert deploy_lines(probe_only) == []
    assert fleet_table(probe_only, deploy=[]) == fleet_table(probe_only)

    view = fleet_view([host_report('m1', deploy=deployed(['created']), probe=probe_result(DOWN))])
    table = fleet_table(view, deploy=deploy_lines(view))
    assert table.index('- m1: created a_1') < table.index('findings:')
    assert table[table.index('- m1: created a_1') - 2] == ''
