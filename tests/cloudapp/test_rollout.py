# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rollout playbook, for real: ansible-playbook over simulated masters against the reference cloud application.

Each master is an inventory host with connection local and its own endpoint directory. Every run is
at -vvvv --diff, its output goes to the suite's logs for the leak scan, and each test also checks
that no token and no key appears in the output, the report files or the page.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from tools.cloudapp import run_in_subprocess

BIN = os.path.dirname(sys.executable)
LOGS = os.environ.get('NBWSS_LOG_DIR')
FIELDS = ('token', 'priority', 'groupId', 'hostName', 'url')
KEY = 'Lw7QmXo2vN4tR9sJ1yC6pE3aZ8kH5fU0gB2dM7nQ4rY='


def endpoint(name, group, priority, fault='healthy'):
    return {'name': name, 'groupId': group, 'priority': priority, 'token': 'nbwssRolloutTok3n-%s-9Vq' % name,
            'fault': fault}


CONFIG = {'endpoints': [
    endpoint('alpha-1', 'ALPHA', 1, 'port_closed'),
    endpoint('alpha-2', 'ALPHA', 2),
    endpoint('beta-1', 'BETA', 1),
    endpoint('beta-2', 'BETA', 2),
    endpoint('beta-3', 'BETA', 3),
    endpoint('down-1', 'DOWNGRP', 1, 'port_closed'),
    endpoint('down-2', 'DOWNGRP', 2, 'port_closed'),
]}


@pytest.fixture(scope='module')
def app(tmp_path_factory):
    handle = run_in_subprocess(CONFIG, str(tmp_path_factory.mktemp('rollout-cloudapp')))
    yield handle
    handle.stop()


def entries(app, *names):
    found = []
    for name in names:
        state = app.endpoint(name)
        entry = dict((field, state[field]) for field in FIELDS)
        entry['name'] = name
        found.append(entry)
    return found


def inventory(tmp_path, app, masters):
    """``masters``: name -> host variables (the endpoint directory is added). Returns the inventory path."""
    hosts = {}
    for name, variables in masters.items():
        directory = tmp_path / 'masters' / name
        directory.mkdir(parents=True, exist_ok=True)
        hosts[name] = dict({'nbwss_dir': str(directory)}, **variables)
    path = tmp_path / 'inventory.yml'
    path.write_text(yaml.safe_dump({'masters': {'hosts': hosts, 'vars': {
        'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable, 'nbwss_key': KEY,
        'nbwss_probe_ca_path': app.state['ca_bundle'], 'nbwss_probe_timeout': 3, 'nbwss_probe_min_cert_days': 7}}}))
    return str(path)


def rollout(tmp_path, inventory_path, *extra):
    """Run the collection's rollout playbook at -vvvv --diff; return (exit code, output)."""
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_DEPRECATION_WARNINGS='false', ANSIBLE_HOST_KEY_CHECKING='false')
    command = [os.path.join(BIN, 'ansible-playbook'), '-i', inventory_path, 'netbackup.nbwss.rollout', '-vvvv', '--diff',
               '-e', 'nbwss_report_dir=%s' % (tmp_path / 'report')] + list(extra)
    proc = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300,
                          check=False, cwd=str(tmp_path))
    if LOGS:
        with open(os.path.join(LOGS, 'rollout.log'), 'a') as log:
            log.write(proc.stdout)
    return proc.returncode, proc.stdout


def recap(output):
    rows = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) > 2 and parts[1] == ':' and parts[2].startswith('ok='):
            rows[parts[0]] = dict(part.split('=') for part in parts[2:])
    return rows


def fleet(tmp_path):
    with open(str(tmp_path / 'report' / 'fleet.json')) as handle:
        return json.load(handle)


def assert_no_secret(app, tmp_path, output):
    report = '\n'.join(open(str(path), encoding='utf-8').read() for path in (tmp_path / 'report').rglob('*') if path.is_file())
    for secret in [entry['token'] for entry in app.state['endpoints']] + [KEY, KEY.rstrip('=')]:
        assert secret not in output and secret not in report


def masters_files(tmp_path):
    return sorted(path.name for path in (tmp_path / 'masters').rglob('*') if path.is_file())


def test_three_masters_failover_and_drift_then_nothing_to_change_then_probe_only(app, tmp_path):
    same = entries(app, 'alpha-1', 'alpha-2', 'beta-1', 'beta-2')
    drifted = entries(app, 'alpha-1', 'alpha-2', 'beta-1', 'beta-3')
    drifted[3]['priority'] = 2
    path = inventory(tmp_path, app, {'m1': {'nbwss_endpoints': same}, 'm2': {'nbwss_endpoints': same},
                                     'm3': {'nbwss_endpoints': drifted}})

    rc, output = rollout(tmp_path, path)

    assert rc == 0, output[-3000:]
    view = fleet(tmp_path)
    assert view['summary']['masters'] == 3 and view['summary']['failover'] == 3
    assert [(host, view['grid'][host]['ALPHA']['text']) for host in view['hosts']] == [
        ('m1', 'alpha-2 (p2) FAILOVER'), ('m2', 'alpha-2 (p2) FAILOVER'), ('m3', 'alpha-2 (p2) FAILOVER')]
    drift = [finding for finding in view['findings'] if finding['kind'] == 'drift']
    assert len(drift) == 1 and drift[0]['groupId'] == 'BETA' and 'm3: 1 ' in drift[0]['message']
    assert '"m1      failover  alpha-2 (p2) FAILOVER  beta-1 (p1)",' in output
    assert (tmp_path / 'report' / 'fleet.html').is_file() and len(list((tmp_path / 'report' / 'hosts').iterdir())) == 3
    assert all(row['changed'] != '0' for row in recap(output).values())
    assert_no_secret(app, tmp_path, output)

    rc, output = rollout(tmp_path, path)

    assert rc == 0 and [row['changed'] for row in recap(output).values()] == ['0', '0', '0'], output[-3000:]
    assert_no_secret(app, tmp_path, output)

    rc, output = rollout(tmp_path, path, '--tags', 'probe')

    assert rc == 0 and [row['changed'] for row in recap(output).values()] == ['0', '0', '0'], output[-3000:]
    assert 'Check every master' not in output and 'Put the master' not in output
    assert fleet(tmp_path)['summary']['failover'] == 3
    assert_no_secret(app, tmp_path, output)


def test_one_bad_entry_on_one_master_fails_the_play_before_any_master_is_touched(app, tmp_path):
    good = entries(app, 'alpha-1', 'alpha-2')
    bad = entries(app, 'alpha-1', 'alpha-2')
    bad[1]['url'] = bad[1]['url'].replace('wss://', 'ws://')
    path = inventory(tmp_path, app, {'m1': {'nbwss_endpoints': good}, 'm2': {'nbwss_endpoints': bad},
                                     'm3': {'nbwss_endpoints': good}})

    rc, output = rollout(tmp_path, path)

    assert rc == 2
    assert 'm2: nbwss_endpoints[1]: url: uses ws://' in output
    assert masters_files(tmp_path) == []
    assert 'Put the master' not in output
    assert_no_secret(app, tmp_path, output)


def test_in_batches_an_unreachable_master_and_a_group_down_are_reported_then_fail(app, tmp_path):
    with_down_group = entries(app, 'alpha-2', 'beta-1', 'beta-2', 'down-1', 'down-2')
    path = inventory(tmp_path, app, {
        'm1': {'nbwss_endpoints': entries(app, 'alpha-1', 'alpha-2', 'beta-1', 'beta-2')},
        'm2': {'nbwss_endpoints': with_down_group},
        # An ssh host on a closed loopback port: the deploy cannot reach it.
        'm3': {'nbwss_endpoints': entries(app, 'alpha-2', 'beta-1'), 'ansible_connection': 'ssh',
               'ansible_host': '127.0.0.1', 'ansible_port': app.endpoint('alpha-1')['port'],
               'ansible_ssh_common_args': '-o ConnectTimeout=3 -o BatchMode=yes'},
    })

    # Two batches (m1 m2, then m3). A batch in which every master fails ends the play, as Ansible does.
    rc, output = rollout(tmp_path, path, '-e', 'nbwss_serial=2')

    assert rc == 2, output[-3000:]
    assert output.count("TASK [netbackup.nbwss.rollout : Check every master's endpoint entries on the controller (") == 1
    view = fleet(tmp_path)
    assert view['host_states'] == {'m1': 'failover', 'm2': 'down', 'm3': 'unreachable'}
    assert [finding['kind'] for finding in view['findings']].count('group_down') == 1
    assert any(finding['kind'] == 'unreachable' and finding['hosts'] == ['m3'] for finding in view['findings'])
    rows = recap(output)
    assert rows['m1']['failed'] == '0' and rows['m2']['failed'] == '1' and rows['m3']['failed'] == '1'
    assert masters_files(tmp_path).count('nbwss_down-1.sealed') == 1
    assert_no_secret(app, tmp_path, output)
