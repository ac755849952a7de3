# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""fleet.prom: the fleet view as Prometheus metrics, per master, checked with promtool."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netbackup.nbwss.plugins.module_utils._probe_groups import fired_conditions, group_view, returned_groups
from ansible_collections.netbackup.nbwss.plugins.plugin_utils._fleet_metrics import fleet_metrics
from ansible_collections.netbackup.nbwss.plugins.plugin_utils._fleet_report import (
    FINDING_KINDS,
    HOST_STATES,
    fleet_view,
    host_report,
)
from ansible_collections.netbackup.nbwss.tests.unit.prometheus import assert_valid_metrics, samples, value

TOKEN = 'nbwssFleetMetricsTok3n-Never-5Kd'
DEPLOY = {'changed': False, 'files': [], 'removed': []}


def result(name, group, priority, reason='ok'):
    return {'url': 'wss://%s.example.com/nbwss?ticket=nbwssFleetTicket-3J' % name, 'groupId': group, 'priority': priority,
            'hostName': '%s.example.com' % name, 'source': '/d/nbwss_%s.sealed' % name, 'token': 'sha256:0123456789ab',
            'stage': 'connect' if reason == 'ok' else 'tcp', 'reason': reason, 'detail': 'd',
            'ms': {'resolve': 1, 'tcp': 1, 'tls': 2, 'upgrade': 1, 'connect': 1, 'total': 6},
            'tls': {'days_left': 200, 'not_after': '2027-06-01T00:00:00Z'} if reason == 'ok' else None,
            'invocation': {'module_args': {'token': TOKEN}}}


def probe(results, fail_on=(), errors=()):
    groups = group_view(results)
    fired = fired_conditions(groups, fail_on, list(errors))
    return {'changed': False, 'ok': not fired, 'failed': bool(fired), 'fired': fired, 'endpoints': results,
            'groups': returned_groups(groups), 'errors': list(errors)}


def fleet():
    """m1 healthy, m2 failed over in ALPHA, m3 down in BETA, m4 unreachable, m5 not probed, m6 failed (unreadable)."""
    unreadable = [{'path': '/d/nbwss_x.sealed', 'message': '/d/nbwss_x.sealed: not valid'}]
    reports = [
        host_report('m1', deploy=DEPLOY, probe=probe([result('a1', 'ALPHA', 1), result('b1', 'BETA', 1)])),
        host_report('m2', deploy=DEPLOY, probe=probe([result('a1', 'ALPHA', 1, 'tcp_refused'), result('a2', 'ALPHA', 2)])),
        host_report('m3', deploy=DEPLOY, probe=probe([result('b1', 'BETA', 1, 'token_rejected')])),
        host_report('m4', deploy={'unreachable': True, 'msg': 'ssh: timed out'}),
        host_report('m5', deploy=DEPLOY, probe={'skipped': True}),
        host_report('m6', deploy=DEPLOY, probe=probe([result('a1', 'ALPHA', 1)], ['unreadable'], unreadable)),
    ]
    return fleet_view(reports, generated='2026-12-04 18:00:00 UTC', run_id='r1')


def test_each_master_has_one_state_set_to_1():
    text = fleet_metrics(fleet(), 1764871200.0)

    states = {}
    for name, labels, sample in samples(text):
        if name == 'nbwss_fleet_master_state' and sample == 1:
            states.setdefault(labels['master'], []).append(labels['state'])
    assert states == {'m1': ['healthy'], 'm2': ['failover'], 'm3': ['down'], 'm4': ['unreachable'], 'm5': ['not_probed'],
                      'm6': ['failed']}
    assert len([1 for name, labels, dummy in samples(text) if name == 'nbwss_fleet_master_state']) == 6 * len(HOST_STATES)
    assert_valid_metrics(text)


def test_fleet_counts_findings_and_the_report_time():
    text = fleet_metrics(fleet(), 1764871200.0)

    assert value(text, 'nbwss_fleet_report_timestamp_seconds') == 1764871200.0
    assert dict((labels['state'], sample) for name, labels, sample in samples(text) if name == 'nbwss_fleet_masters') == {
        'healthy': 1, 'failover': 1, 'down': 1, 'empty': 0, 'failed': 1, 'unreachable': 1, 'not_probed': 1, 'pending': 0}
    findings = dict((labels['kind'], sample) for name, labels, sample in samples(text) if name == 'nbwss_fleet_findings')
    assert list(findings) == list(FINDING_KINDS)
    assert (findings['failover'], findings['group_down'], findings['unreadable'], findings['drift']) == (1, 1, 1, 1)
    assert value(text, 'nbwss_fleet_master_unreadable_files', master='m6') == 1
    assert value(text, 'nbwss_fleet_master_unreadable_files', master='m4') is None


def test_groups_are_labelled_with_their_master():
    text = fleet_metrics(fleet(), 0)

    assert value(text, 'nbwss_fleet_group_active_priority', master='m2', group='ALPHA') == 2
    assert value(text, 'nbwss_fleet_group_failover', master='m2', group='ALPHA') == 1
    assert value(text, 'nbwss_fleet_group_active_priority', master='m1', group='ALPHA') == 1
    assert value(text, 'nbwss_fleet_group_down', master='m3', group='BETA') == 1
    assert value(text, 'nbwss_fleet_group_active_priority', master='m3', group='BETA') is None
    assert value(text, 'nbwss_fleet_group_endpoints', master='m1', group='BETA') == 1
    # One family per metric, not one per master.
    assert text.count('# TYPE nbwss_fleet_group_down gauge') == 1


def test_masters_carried_from_an_earlier_run_are_marked():
    view = fleet()
    carried = dict(view['reports'][0], host='m0-earlier')
    text = fleet_metrics(fleet_view(view['reports'][1:], carried=[carried]), 0)

    assert value(text, 'nbwss_fleet_master_carried', master='m0-earlier') == 1
    assert value(text, 'nbwss_fleet_master_carried', master='m2') == 0


def test_nothing_secret_and_no_url_in_the_file():
    text = fleet_metrics(fleet(), 0)

    for secret in (TOKEN, 'sha256:', '0123456789ab', 'nbwssFleetTicket', 'wss:', '/nbwss'):
        assert secret not in text


def test_an_empty_fleet_is_a_valid_file():
    text = fleet_metrics(fleet_view([]), 5.0)

    assert value(text, 'nbwss_fleet_report_timestamp_seconds') == 5.0
    assert value(text, 'nbwss_fleet_masters', state='healthy') == 0
    assert_valid_metrics(text)
