# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The probe's Prometheus text file: what each metric says, that promtool accepts it, and that no secret gets in."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import calendar

import pytest

from ansible_collections.netbackup.nbwss.plugins.module_utils._metrics import (
    MetricFamily,
    escape_label_value,
    exposition,
    format_value,
    probe_metrics,
    url_host,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._probe_groups import group_view
from ansible_collections.netbackup.nbwss.tests.unit.prometheus import assert_valid_metrics, samples, value

TOKEN_FINGERPRINT = 'sha256:0123456789ab'


def result(name, group, priority, reason='ok', url=None, not_after='2027-01-01T00:00:00Z'):
    """A probe result as _probe.probe_endpoints returns it, read from the file nbwss_<name>.sealed."""
    healthy = reason == 'ok'
    return {
        'url': url or 'wss://%s.example.com/nbwss?ticket=nbwssMetricsTicket-7Q' % name, 'groupId': group, 'priority': priority,
        'hostName': '%s.example.com' % name, 'source': '/usr/openv/var/global/wss/nbwss_%s.sealed' % name,
        'token': TOKEN_FINGERPRINT, 'stage': 'connect' if healthy else 'resolve', 'reason': reason, 'detail': 'x',
        'http_status': None, 'close_code': None, 'close_reason': None, 'address': '192.0.2.1:443',
        'ms': {'resolve': 1.2, 'tcp': 3.4, 'tls': 12.5 if healthy else None, 'upgrade': 2.0 if healthy else None,
               'connect': 1.5 if healthy else None, 'total': 20.6 if healthy else 4.6},
        'tls': {'verified': True, 'days_left': 89, 'not_after': not_after} if healthy else None,
    }


def alpha_failed_over():
    return [result('alpha-1', 'ALPHA', 1, 'tcp_refused'), result('alpha-2', 'ALPHA', 2),
            result('beta-1', 'BETA', 1, 'token_rejected'), result('beta-2', 'BETA', 2, 'tls_expired')]


def test_a_failed_over_group_shows_its_active_priority_and_failover():
    text = probe_metrics(group_view(alpha_failed_over()), started=1000.0, finished=1002.5)

    assert value(text, 'nbwss_group_active_priority', group='ALPHA') == 2
    assert value(text, 'nbwss_group_failover', group='ALPHA') == 1
    assert value(text, 'nbwss_group_down', group='ALPHA') == 0
    assert value(text, 'nbwss_group_healthy_endpoints', group='ALPHA') == 1
    assert value(text, 'nbwss_group_endpoints', group='ALPHA') == 2
    assert value(text, 'nbwss_endpoint_up', group='ALPHA', priority=1, name='alpha-1', host='alpha-1.example.com') == 0
    assert value(text, 'nbwss_endpoint_up', group='ALPHA', priority=2, name='alpha-2', host='alpha-2.example.com') == 1
    assert value(text, 'nbwss_probe_last_run_timestamp_seconds') == 1002.5
    assert value(text, 'nbwss_probe_duration_seconds') == 2.5
    assert value(text, 'nbwss_probe_endpoints') == 4
    assert_valid_metrics(text)


def test_a_down_group_has_no_active_priority_sample_and_says_down():
    text = probe_metrics(group_view(alpha_failed_over()))

    assert value(text, 'nbwss_group_active_priority', group='BETA') is None
    assert value(text, 'nbwss_group_down', group='BETA') == 1
    assert value(text, 'nbwss_group_failover', group='BETA') == 0
    assert value(text, 'nbwss_group_healthy_endpoints', group='BETA') == 0


def test_a_recovered_group_is_back_on_priority_1_without_failover():
    text = probe_metrics(group_view([result('alpha-1', 'ALPHA', 1), result('alpha-2', 'ALPHA', 2)]))

    assert value(text, 'nbwss_group_active_priority', group='ALPHA') == 1
    assert value(text, 'nbwss_group_failover', group='ALPHA') == 0


def test_every_endpoint_has_one_reason_sample_naming_its_reason():
    text = probe_metrics(group_view(alpha_failed_over()))

    reasons = [(labels['name'], labels['reason'], sample) for name, labels, sample in samples(text)
               if name == 'nbwss_endpoint_reason_info']
    assert reasons == [('alpha-1', 'tcp_refused', 1), ('alpha-2', 'ok', 1), ('beta-1', 'token_rejected', 1),
                       ('beta-2', 'tls_expired', 1)]


def test_stage_durations_are_seconds_for_the_stages_that_ran():
    text = probe_metrics(group_view(alpha_failed_over()))

    stages = dict((labels['stage'], sample) for name, labels, sample in samples(text)
                  if name == 'nbwss_endpoint_stage_duration_seconds' and labels['name'] == 'alpha-2')
    assert stages == {'resolve': 0.0012, 'tcp': 0.0034, 'tls': 0.0125, 'upgrade': 0.002, 'connect': 0.0015}
    refused = [labels['stage'] for name, labels, sample in samples(text)
               if name == 'nbwss_endpoint_stage_duration_seconds' and labels['name'] == 'alpha-1']
    assert refused == ['resolve', 'tcp']
    assert value(text, 'nbwss_endpoint_probe_duration_seconds', name='alpha-2') == 0.0206


def test_certificate_expiry_is_a_timestamp_only_where_the_certificate_was_verified():
    text = probe_metrics(group_view(alpha_failed_over()))

    expiry = dict((labels['name'], sample) for name, labels, sample in samples(text)
                  if name == 'nbwss_endpoint_cert_expiry_timestamp_seconds')
    assert expiry == {'alpha-2': calendar.timegm((2027, 1, 1, 0, 0, 0))}


def test_no_token_fingerprint_url_path_or_query_reaches_the_file():
    text = probe_metrics(group_view(alpha_failed_over()))

    for secret in (TOKEN_FINGERPRINT, '0123456789ab', 'nbwssMetricsTicket', 'ticket', '/nbwss', 'wss:'):
        assert secret not in text


def test_the_host_label_is_host_and_port_as_netbackup_reaches_them():
    assert url_host('wss://Alpha.Example.com:443/nbwss?ticket=x') == 'alpha.example.com'
    assert url_host('wss://alpha.example.com:8443/a/b') == 'alpha.example.com:8443'
    assert url_host('wss://[2001:db8::1]:9443/x') == '[2001:db8::1]:9443'


def test_label_values_escape_backslash_quote_and_newline_and_promtool_reads_them_back():
    group = 'G "quoted" \\ back\nslash'
    text = probe_metrics(group_view([result('alpha-1', group, 1)]))

    assert 'group="G \\"quoted\\" \\\\ back\\nslash"' in text
    assert value(text, 'nbwss_group_down', group=group) == 0
    assert_valid_metrics(text)
    assert escape_label_value('a\\b"c\nd') == 'a\\\\b\\"c\\nd'


def test_an_endpoint_given_directly_is_named_by_its_source():
    direct = dict(result('alpha-1', 'ALPHA', 1), source='endpoints[0]')
    text = probe_metrics(group_view([direct]))

    assert value(text, 'nbwss_endpoint_up', name='endpoints[0]') == 1


def test_an_endpoint_without_a_source_is_named_by_its_host_never_its_url():
    bare = dict(result('alpha-1', 'ALPHA', 1), source=None)
    text = probe_metrics(group_view([bare]))

    assert value(text, 'nbwss_endpoint_up', name='alpha-1.example.com') == 1
    assert 'ticket' not in text


def test_every_metric_has_help_and_type_before_its_samples():
    text = probe_metrics(group_view(alpha_failed_over()), unreadable=2)

    names = []
    for line in text.splitlines():
        if line.startswith('# HELP '):
            names.append(line.split()[2])
        elif line.startswith('# TYPE '):
            assert line.split()[2:] == [names[-1], 'gauge']
        else:
            assert line.split('{')[0].split(' ')[0] == names[-1]
    assert names == [
        'nbwss_endpoint_up', 'nbwss_endpoint_stage_duration_seconds', 'nbwss_endpoint_probe_duration_seconds',
        'nbwss_endpoint_reason_info', 'nbwss_endpoint_cert_expiry_timestamp_seconds', 'nbwss_group_active_priority',
        'nbwss_group_failover', 'nbwss_group_down', 'nbwss_group_healthy_endpoints', 'nbwss_group_endpoints',
        'nbwss_probe_last_run_timestamp_seconds', 'nbwss_probe_duration_seconds', 'nbwss_probe_endpoints',
        'nbwss_probe_unreadable_files']
    assert value(text, 'nbwss_probe_unreadable_files') == 2
    assert text.endswith('\n')
    assert_valid_metrics(text)


def test_a_master_without_endpoints_still_writes_a_valid_file_of_the_run():
    text = probe_metrics([], unreadable=1, started=10.0, finished=10.5)

    assert [name for name, labels, sample in samples(text)] == [
        'nbwss_probe_last_run_timestamp_seconds', 'nbwss_probe_duration_seconds', 'nbwss_probe_endpoints',
        'nbwss_probe_unreadable_files']
    assert value(text, 'nbwss_probe_endpoints') == 0
    assert value(text, 'nbwss_probe_unreadable_files') == 1
    assert_valid_metrics(text)


@pytest.mark.parametrize('raw, written', [
    (True, '1'), (False, '0'), (3, '3'), (0.25, '0.25'), (1764870000.5, '1764870000.5'),
    (float('nan'), 'NaN'), (float('inf'), '+Inf'), (float('-inf'), '-Inf'),
])
def test_values_are_written_as_the_text_format_reads_them(raw, written):
    assert format_value(raw) == written


def test_families_without_samples_are_left_out_and_bad_names_refused():
    assert exposition([MetricFamily('nbwss_x', 'gauge', 'x', [])]) == ''
    with pytest.raises(ValueError, match='invalid metric name'):
        exposition([MetricFamily('nbwss-x', 'gauge', 'x', [([], 1)])])
    with pytest.raises(ValueError, match='invalid label name'):
        exposition([MetricFamily('nbwss_x', 'gauge', 'x', [([('__name__', 'y')], 1)])])
