# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""extras/prometheus: the shipped alert rules pass promtool's checks and their unit tests, and those tests can fail."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import shutil

import pytest
import yaml

from ansible_collections.netbackup.nbwss.plugins.module_utils._metrics import probe_metrics
from ansible_collections.netbackup.nbwss.plugins.module_utils._probe_groups import group_view
from ansible_collections.netbackup.nbwss.tests.unit.prometheus import promtool

EXTRAS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
                      'extras', 'prometheus')
RULES = 'nbwss.rules.yml'
TESTS = 'nbwss.rules.test.yml'


def load(name):
    with open(os.path.join(EXTRAS, name)) as handle:
        return yaml.safe_load(handle)


def alerts():
    return [rule for group in load(RULES)['groups'] for rule in group['rules'] if 'alert' in rule]


def test_promtool_check_rules_finds_nothing():
    code, output = promtool('check', 'rules', RULES, cwd=EXTRAS)
    assert code == 0 and 'SUCCESS: %d rules found' % len(alerts()) in output, output


def test_promtool_test_rules_passes():
    code, output = promtool('test', 'rules', TESTS, cwd=EXTRAS)
    assert code == 0 and 'SUCCESS' in output, output


def test_the_alerts_the_issue_asks_for_are_there_each_with_for_severity_summary_and_description():
    rules = alerts()
    assert set(rule['alert'] for rule in rules) >= set(['NbwssGroupDown', 'NbwssGroupFailover', 'NbwssTokenRejected',
                                                        'NbwssCertificateExpiringSoon', 'NbwssProbeStale'])
    for rule in rules:
        assert re.match(r'^[0-9]+[mh]$', rule['for']), rule['alert']
        assert rule['labels']['severity'] in ('warning', 'critical'), rule['alert']
        assert set(rule['annotations']) == set(['summary', 'description']), rule['alert']


def test_alerts_about_choosing_an_endpoint_say_would_connect_to():
    for rule in alerts():
        if rule['alert'] in ('NbwssGroupDown', 'NbwssGroupFailover', 'NbwssTokenRejected', 'NbwssCertificateExpired'):
            assert 'would connect to' in rule['annotations']['description'] or \
                'would not connect to' in rule['annotations']['description'], rule['alert']


def test_every_alert_has_a_firing_and_a_non_firing_case():
    cases = {}
    for test in load(TESTS)['tests']:
        for case in test.get('alert_rule_test', []):
            cases.setdefault(case['alertname'], set()).add(bool(case['exp_alerts']))
    assert cases == dict((rule['alert'], set([True, False])) for rule in alerts())


def test_the_rules_read_only_metrics_the_probe_writes():
    written = set(re.findall(r'^# TYPE (\S+)', probe_metrics(group_view([{
        'url': 'wss://a.example.com/x', 'groupId': 'A', 'priority': 1, 'source': 'endpoints[0]', 'reason': 'ok',
        'ms': {'resolve': 1.0, 'total': 1.0}, 'tls': {'not_after': '2027-01-01T00:00:00Z'}}]), unreadable=1), re.M))
    read = set(name for rule in alerts() for name in re.findall(r'\bnbwss_[a-z_]+', rule['expr']))
    assert read and read <= written


@pytest.mark.parametrize('alert', [rule['alert'] for rule in alerts()])
@pytest.mark.parametrize('broken', ['never fires', 'fires at once'])
def test_the_unit_tests_fail_when_an_alert_is_broken(alert, broken, tmp_path):
    rules = load(RULES)
    for rule in rules['groups'][0]['rules']:
        if rule.get('alert') == alert:
            if broken == 'never fires':
                rule['expr'] = 'vector(1) == 0'
            else:
                rule['for'] = '0m'
    (tmp_path / RULES).write_text(yaml.safe_dump(rules))
    shutil.copy(os.path.join(EXTRAS, TESTS), str(tmp_path / TESTS))

    code, output = promtool('test', 'rules', TESTS, cwd=str(tmp_path))

    assert code != 0 and 'alertname: %s' % alert in output, output
