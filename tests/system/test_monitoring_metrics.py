# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The probe's metrics file, for real: ansible-playbook deploys endpoint files and runs netbackup.nbwss.probe with
metrics_path against the reference cloud application; every file written is checked with promtool. The last test
takes ALPHA's priority-1 endpoint down and up again (CloudApp.set_fault), keeps the three files as artifacts
and runs the shipped alert rules over them with promtool.

Every run's output goes to the suite's logs for the leak scan, and each test checks that no token and no key is in
the output or in any metrics file.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time

import pytest
import yaml

from tools.cloudapp import run_in_subprocess

from ansible_collections.netbackup.nbwss.tests.system.test_rollout import entries
from ansible_collections.netbackup.nbwss.tests.unit.prometheus import assert_valid_metrics, promtool, series_over_time, value

BIN = os.path.dirname(sys.executable)
LOGS = os.environ.get('NBWSS_LOG_DIR')
ARTIFACTS = os.path.join(os.path.dirname(LOGS), 'artifacts') if LOGS else None
KEY = 'Qm9uZ29NZXRyaWNzS2V5LTMyYnl0ZXMtbG9uZy0xMjM='
RULES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'extras', 'prometheus')
QUIET_ALERTS = ('NbwssGroupDown', 'NbwssTokenRejected', 'NbwssCertificateExpiringSoon', 'NbwssCertificateExpired',
                'NbwssEndpointFilesUnreadable')
FAILOVER_DESCRIPTION = (
    "The best-priority endpoint of group ALPHA does not pass the probe from master1:9100: NetBackup would connect to "
    "priority 2 at the group's next (re)connect. A master already connected stays where it is; after a recovery it "
    "does not move back on its own until that connection closes.")


def endpoint(name, group, priority, fault='healthy'):
    return {'name': name, 'groupId': group, 'priority': priority, 'token': 'nbwssMetricsTok3n-%s-4Rz' % name, 'fault': fault}


CONFIG = {'endpoints': [
    endpoint('alpha-1', 'ALPHA', 1),
    endpoint('alpha-2', 'ALPHA', 2),
    endpoint('beta-1', 'BETA', 1, 'token_rejected'),
    endpoint('beta-2', 'BETA', 2, 'port_closed'),
]}

# Deploy (endpoint_set, sealed) when asked, then probe the directory with metrics_path; the probe's result is shown.
PLAYBOOK = [{
    'name': 'Probe with metrics_path', 'hosts': 'localhost', 'gather_facts': False,
    'tasks': [
        {'name': 'Deploy', 'when': 'deploy | default(false) | bool',
         'netbackup.nbwss.endpoint_set': {'dir': '{{ dir }}', 'endpoints': '{{ entries }}', 'key': '{{ key }}'}},
        {'name': 'Probe', 'register': 'probe',
         'netbackup.nbwss.probe': {'path': '{{ dir }}', 'key': '{{ key }}', 'ca_path': '{{ ca }}', 'timeout': 3,
                                   'fail_on': '{{ fail_on | default(omit) }}', 'metrics_path': '{{ metrics }}'}},
        {'name': 'Say what was written', 'ansible.builtin.debug': {'msg': "written: {{ probe.metrics_path | default('nothing') }}"}},
    ],
}]


@pytest.fixture(scope='module')
def app(tmp_path_factory):
    handle = run_in_subprocess(CONFIG, str(tmp_path_factory.mktemp('metrics-cloudapp')))
    yield handle
    handle.stop()


def tokens(app):
    return [entry['token'] for entry in app.state['endpoints']] + [KEY, KEY.rstrip('=')]


def ansible_playbook(app, args, cwd=None):
    """ansible-playbook ``args`` at -vvvv, its output logged for the leak scan and checked for tokens and the key;
    returns (exit code, output)."""
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_DEPRECATION_WARNINGS='false')
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-vvvv'] + args, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300, check=False, cwd=cwd)
    if LOGS:
        with open(os.path.join(LOGS, 'monitoring.log'), 'a') as log:
            log.write(proc.stdout)
    for secret in tokens(app):
        assert secret not in proc.stdout
    return proc.returncode, proc.stdout


def probe(tmp_path, app, names=None, *extra):
    """Run the playbook at -vvvv (deploying ``names`` first when given); return (exit code, output)."""
    playbook = tmp_path / 'probe.yml'
    playbook.write_text(yaml.safe_dump(PLAYBOOK))
    variables = tmp_path / 'vars.yml'
    variables.write_text(yaml.safe_dump({
        'dir': str(tmp_path / 'wss'), 'key': KEY, 'ca': app.state['ca_bundle'], 'metrics': str(tmp_path / 'nbwss.prom'),
        'entries': entries(app, *names) if names else [], 'deploy': bool(names),
        'ansible_python_interpreter': sys.executable}))
    (tmp_path / 'wss').mkdir(exist_ok=True)
    return ansible_playbook(app, ['-i', 'localhost,', '-c', 'local', str(playbook), '-e', '@%s' % variables] + list(extra))


def metrics(tmp_path, app):
    """The metrics file: promtool finds nothing in it, it is 0644 and holds no token or key."""
    path = tmp_path / 'nbwss.prom'
    text = path.read_text()
    assert_valid_metrics(text)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    for secret in tokens(app) + ['nbwssMetricsTok3n', 'sha256:', '/nbwss/']:
        assert secret not in text
    return text


def test_the_probe_writes_failover_and_a_rejected_token_to_its_metrics_file(app, tmp_path):
    rc, output = probe(tmp_path, app, ('alpha-1', 'alpha-2', 'beta-1'), '-e', '{"fail_on": []}')

    assert rc == 0, output[-3000:]
    assert '"msg": "written: %s"' % (tmp_path / 'nbwss.prom') in output
    text = metrics(tmp_path, app)
    assert value(text, 'nbwss_group_active_priority', group='ALPHA') == 1
    assert value(text, 'nbwss_group_failover', group='ALPHA') == 0
    assert value(text, 'nbwss_group_down', group='BETA') == 1
    assert value(text, 'nbwss_endpoint_reason_info', name='beta-1', reason='token_rejected') == 1
    assert value(text, 'nbwss_endpoint_cert_expiry_timestamp_seconds', name='alpha-1') > value(
        text, 'nbwss_probe_last_run_timestamp_seconds') + 800 * 86400
    assert value(text, 'nbwss_probe_unreadable_files') == 0


def test_the_file_is_written_when_fail_on_fails_the_task_and_not_in_check_mode(app, tmp_path):
    rc, output = probe(tmp_path, app, ('beta-1', 'beta-2'))

    assert rc == 2, output[-3000:]
    assert 'group_down: BETA: no endpoint is healthy' in output
    text = metrics(tmp_path, app)
    assert value(text, 'nbwss_group_down', group='BETA') == 1
    assert value(text, 'nbwss_group_active_priority', group='BETA') is None
    before = (tmp_path / 'nbwss.prom').read_bytes()

    rc, output = probe(tmp_path, app, None, '--check', '-e', '{"fail_on": []}')

    assert rc == 0, output[-3000:]
    assert (tmp_path / 'nbwss.prom').read_bytes() == before
    assert '"msg": "written: nothing"' in output
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith('.nbwss.prom')) == []


def test_a_master_without_endpoint_files_writes_a_valid_file_and_an_unreadable_file_is_counted(app, tmp_path):
    rc, output = probe(tmp_path, app, None, '-e', '{"fail_on": []}')

    assert rc == 0, output[-3000:]
    text = metrics(tmp_path, app)
    assert value(text, 'nbwss_probe_endpoints') == 0
    assert 'nbwss_group_down' not in text

    (tmp_path / 'wss' / 'nbwss_broken.json').write_text('{"priority": "1"}')
    rc, output = probe(tmp_path, app, None)

    assert rc == 2 and 'unreadable: 1 endpoint file could not be read' in output, output[-3000:]
    assert value(metrics(tmp_path, app), 'nbwss_probe_unreadable_files') == 1


def test_a_metrics_path_that_cannot_be_written_fails_before_probing(app, tmp_path):
    rc, output = probe(tmp_path, app, None, '-e', 'metrics=%s' % (tmp_path / 'missing' / 'nbwss.prom'))

    assert rc == 2
    assert 'metrics_path: the directory %s does not exist.' % (tmp_path / 'missing') in output
    rc, output = probe(tmp_path, app, None, '-e', 'metrics=nbwss.prom')
    assert rc == 2 and 'metrics_path nbwss.prom is a relative path' in output


# ---- the rollout role: nbwss_probe_metrics_path on every master, fleet.prom on the controller -------------------

def rollout(tmp_path, app, *extra):
    """The collection's rollout playbook over masters m1 (ALPHA as deployed) and m2 (ALPHA and BETA), each writing its
    metrics file; returns (exit code, output)."""
    hosts = {}
    for name, names in (('m1', ('alpha-1', 'alpha-2')), ('m2', ('alpha-1', 'alpha-2', 'beta-1', 'beta-2'))):
        (tmp_path / 'masters' / name).mkdir(parents=True, exist_ok=True)
        hosts[name] = {'nbwss_dir': str(tmp_path / 'masters' / name), 'nbwss_endpoints': entries(app, *names),
                       'nbwss_probe_metrics_path': str(tmp_path / 'masters' / ('%s.prom' % name))}
    inventory = tmp_path / 'inventory.yml'
    inventory.write_text(yaml.safe_dump({'masters': {'hosts': hosts, 'vars': {
        'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable, 'nbwss_key': KEY,
        'nbwss_probe_ca_path': app.state['ca_bundle'], 'nbwss_probe_timeout': 3, 'nbwss_probe_fail_on': []}}}))
    return ansible_playbook(app, ['-i', str(inventory), 'netbackup.nbwss.rollout', '-e',
                                  'nbwss_report_dir=%s' % (tmp_path / 'report')] + list(extra), cwd=str(tmp_path))


def prom_file(path, app):
    text = path.read_text()
    assert_valid_metrics(text)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    for secret in tokens(app) + ['sha256:', '/nbwss/']:
        assert secret not in text
    return text


def test_the_rollout_writes_each_masters_metrics_and_fleet_prom_and_nothing_in_check_mode(app, tmp_path):
    rc, output = rollout(tmp_path, app, '--check')

    assert rc == 0, output[-3000:]
    assert sorted(path.name for path in (tmp_path / 'masters').iterdir()) == ['m1', 'm2']
    assert not (tmp_path / 'report').exists()

    rc, output = rollout(tmp_path, app)

    assert rc == 0, output[-3000:]
    m1 = prom_file(tmp_path / 'masters' / 'm1.prom', app)
    m2 = prom_file(tmp_path / 'masters' / 'm2.prom', app)
    assert value(m1, 'nbwss_group_active_priority', group='ALPHA') == 1 and 'group="BETA"' not in m1
    assert value(m2, 'nbwss_group_down', group='BETA') == 1
    fleet = prom_file(tmp_path / 'report' / 'fleet.prom', app)
    assert value(fleet, 'nbwss_fleet_master_state', master='m1', state='healthy') == 1
    assert value(fleet, 'nbwss_fleet_master_state', master='m2', state='down') == 1
    assert value(fleet, 'nbwss_fleet_group_down', master='m2', group='BETA') == 1
    assert value(fleet, 'nbwss_fleet_group_active_priority', master='m1', group='ALPHA') == 1
    assert value(fleet, 'nbwss_fleet_masters', state='healthy') == 1
    assert abs(value(fleet, 'nbwss_fleet_report_timestamp_seconds') - value(m1, 'nbwss_probe_last_run_timestamp_seconds')) < 120


# ---- must show: ALPHA's priority 1 goes down and comes back while the probe rewrites the file -------------------

@pytest.fixture
def switchable_app(tmp_path_factory):
    """An application of its own: the test switches alpha-1's fault while it runs."""
    handle = run_in_subprocess({'endpoints': [endpoint('alpha-1', 'ALPHA', 1), endpoint('alpha-2', 'ALPHA', 2)]},
                               str(tmp_path_factory.mktemp('metrics-switch-cloudapp')))
    yield handle
    handle.stop()


def test_the_file_shows_alpha_failing_over_and_recovering_each_with_its_run_time(switchable_app, tmp_path):
    app = switchable_app
    seen, texts = [], []
    for step, fault in (('before', None), ('alpha-1 down', 'port_closed'), ('alpha-1 up again', 'healthy')):
        if fault:
            app.set_fault('alpha-1', fault)
        rc, output = probe(tmp_path, app, ('alpha-1', 'alpha-2') if step == 'before' else None)
        assert rc == 0, output[-3000:]
        text = metrics(tmp_path, app)
        texts.append(text)
        seen.append((step, value(text, 'nbwss_group_active_priority', group='ALPHA'),
                     value(text, 'nbwss_group_failover', group='ALPHA'),
                     value(text, 'nbwss_endpoint_reason_info', group='ALPHA', name='alpha-1', reason='tcp_refused'),
                     value(text, 'nbwss_probe_last_run_timestamp_seconds')))
        if ARTIFACTS:
            os.makedirs(ARTIFACTS, exist_ok=True)
            with open(os.path.join(ARTIFACTS, 'metrics-%d-%s.prom' % (len(seen), step.replace(' ', '-'))), 'w') as handle:
                handle.write(text)

    assert [row[:4] for row in seen] == [('before', 1, 0, None), ('alpha-1 down', 2, 1, 1), ('alpha-1 up again', 1, 0, None)]
    assert_rules_see_the_failover_and_the_recovery(texts, tmp_path)
    times = [row[4] for row in seen]
    assert times == sorted(times) and len(set(times)) == 3
    assert abs(times[-1] - time.time()) < 300
    # No token in any file the runs left (the sealed endpoint files hold none in the clear) but the test's own input.
    for path in tmp_path.rglob('*'):
        if path.is_file() and path.name != 'vars.yml':
            content = path.read_bytes()
            assert not [secret for secret in tokens(app) if secret.encode() in content], path


def assert_rules_see_the_failover_and_the_recovery(texts, tmp_path):
    """The shipped rules over the three real files, each served for 20 minutes: the failover alert fires while
    alpha-1 is down (naming priority 2) and resolves after; no other alert fires."""
    tests = {'rule_files': [os.path.join(RULES_DIR, 'nbwss.rules.yml')], 'evaluation_interval': '1m', 'tests': [{
        'interval': '1m',
        'input_series': series_over_time(texts, 20, {'instance': 'master1:9100', 'job': 'node'}),
        'alert_rule_test': [
            {'eval_time': '35m', 'alertname': 'NbwssGroupFailover', 'exp_alerts': [{
                'exp_labels': {'severity': 'warning', 'instance': 'master1:9100', 'job': 'node', 'group': 'ALPHA'},
                'exp_annotations': {'summary': 'NBWSS group ALPHA would connect to priority 2 on master1:9100',
                                    'description': FAILOVER_DESCRIPTION}}]},
            {'eval_time': '55m', 'alertname': 'NbwssGroupFailover', 'exp_alerts': []},
        ] + [{'eval_time': '%dm' % minute, 'alertname': name, 'exp_alerts': []}
             for minute in (15, 35, 55) for name in QUIET_ALERTS],
    }]}
    (tmp_path / 'rules.test.yml').write_text(yaml.safe_dump(tests))
    code, output = promtool('test', 'rules', str(tmp_path / 'rules.test.yml'))
    assert code == 0, output
