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

from ansible_collections.netbackup.nbwss.plugins.plugin_utils._fleet_report import HOST_STATES
from ansible_collections.netbackup.nbwss.tests.harness.chromium import ElementIndex, chromium, dump_dom
from ansible_collections.netbackup.nbwss.tests.unit.prometheus import assert_valid_metrics, value

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


def rollout(tmp_path, inventory_path, *extra, report_dir=None, playbook='netbackup.nbwss.rollout', env=None):
    """Run the collection's rollout playbook at -vvvv --diff in ``tmp_path``; return (exit code, output)."""
    env = dict(env or os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_DEPRECATION_WARNINGS='false', ANSIBLE_HOST_KEY_CHECKING='false')
    command = [os.path.join(BIN, 'ansible-playbook'), '-i', inventory_path, playbook, '-vvvv', '--diff',
               '-e', 'nbwss_report_dir=%s' % (report_dir or tmp_path / 'report')] + list(extra)
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


def assert_no_secret(app, tmp_path, output, report_dir=None):
    report_dir = report_dir or tmp_path / 'report'
    report = '\n'.join(open(str(path), encoding='utf-8').read() for path in report_dir.rglob('*') if path.is_file())
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
    assert '"msg": "3 masters, 12 entries checked: no problem"' in output
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
    assert output.count("TASK [netbackup.nbwss.rollout : Check every master's endpoint entries, variable and key on the controller") == 1
    view = fleet(tmp_path)
    # m2's group down fails its probe (fail_on group_down, the default): failed, with that as the reason.
    assert view['host_states'] == {'m1': 'failover', 'm2': 'failed', 'm3': 'unreachable'}
    assert 'm2 failed in the probe: fail_on group_down (DOWNGRP)' in output
    assert [finding['kind'] for finding in view['findings']].count('group_down') == 1
    assert any(finding['kind'] == 'unreachable' and finding['hosts'] == ['m3'] for finding in view['findings'])
    rows = recap(output)
    assert rows['m1']['failed'] == '0' and rows['m2']['failed'] == '1' and rows['m3']['failed'] == '1'
    assert masters_files(tmp_path).count('nbwss_down-1.sealed') == 1
    assert_no_secret(app, tmp_path, output)


# ---- the report tells the truth ------------------------------------------------------------------

def prom_states(tmp_path):
    """``host -> state`` as fleet.prom's state set says (the one state at 1), after promtool checked the file."""
    text = (tmp_path / 'report' / 'fleet.prom').read_text()
    assert_valid_metrics(text)
    hosts = dict((report['host'], None) for report in fleet(tmp_path)['reports'])
    for host in hosts:
        hosts[host] = [state for state in HOST_STATES if value(text, 'nbwss_fleet_master_state', master=host, state=state) == 1]
    return hosts, value(text, 'nbwss_fleet_masters', state='healthy')


def table_states(output):
    """``host -> state`` of the printed fleet table's grid (the rows under ``master  state``), as the debug task
    prints it at -v and above."""
    lines = output.splitlines()
    start = max(number for number, line in enumerate(lines) if line.strip().startswith('"master  state'))
    states = {}
    for line in lines[start + 1:]:
        cells = line.strip().strip('",').split()
        if not cells:
            return states
        states[cells[0]] = cells[1]
    return states


def page_rows(tmp_path):
    """``host -> (state, text of the row)`` of fleet.html as headless Chromium renders it."""
    dom = ElementIndex(dump_dom(str(tmp_path / 'report' / 'fleet.html')))
    return dict((row['attrs']['data-host'], (row['attrs']['data-state'], row['text'])) for row in dom.find('tr')
                if 'data-host' in row['attrs'])


@pytest.mark.skipif(chromium() is None and not os.environ.get('CI'), reason='Chromium is not installed here')
def test_an_unreadable_file_and_a_group_down_fail_their_masters_everywhere_and_report_only_is_not_probed(app, tmp_path):
    path = inventory(tmp_path, app, {
        'm1': {'nbwss_endpoints': entries(app, 'alpha-1', 'alpha-2', 'beta-1', 'beta-2')},
        'm2': {'nbwss_endpoints': entries(app, 'alpha-2', 'beta-1', 'down-1', 'down-2')},
        'm3': {'nbwss_endpoints': entries(app, 'alpha-1', 'alpha-2', 'beta-1', 'beta-2')},
    })
    # A file on m1 that the probe cannot read: a leftover of another tool, not valid JSON.
    (tmp_path / 'masters' / 'm1' / 'nbwss_leftover.json').write_text('{"token": "x", "priority": 1,')

    rc, output = rollout(tmp_path, path)

    assert rc == 2, output[-3000:]
    view = fleet(tmp_path)
    assert view['host_states'] == {'m1': 'failed', 'm2': 'failed', 'm3': 'failover'}
    failures = dict((report['host'], report['failure']['msg']) for report in view['reports'] if 'failure' in report)
    assert failures == {'m1': 'fail_on unreadable (1 file)', 'm2': 'fail_on group_down (DOWNGRP)'}
    with open(str(tmp_path / 'report' / 'hosts' / 'm1.json')) as handle:
        assert json.load(handle)['state'] == 'failed'
    kinds = [finding['kind'] for finding in view['findings']]
    assert 'unreadable' in kinds and 'group_down' in kinds and kinds.count('failed') == 2
    assert table_states(output) == {'m1': 'failed', 'm2': 'failed', 'm3': 'failover'}
    assert 'm1 failed in the probe: fail_on unreadable (1 file)' in output
    assert 'nbwss_leftover.json' in output
    rows = page_rows(tmp_path)
    assert rows['m1'][0] == 'failed' and 'fail_on unreadable (1 file)' in rows['m1'][1]
    assert rows['m2'][0] == 'failed' and 'fail_on group_down (DOWNGRP)' in rows['m2'][1]
    assert prom_states(tmp_path) == ({'m1': ['failed'], 'm2': ['failed'], 'm3': ['failover']}, 0)
    recaps = recap(output)
    assert (recaps['m1']['failed'], recaps['m2']['failed'], recaps['m3']['failed']) == ('1', '1', '0')
    assert_no_secret(app, tmp_path, output)

    rc, output = rollout(tmp_path, path, '--tags', 'report')

    assert rc == 0, output[-3000:]
    view = fleet(tmp_path)
    assert view['host_states'] == {'m1': 'not_probed', 'm2': 'not_probed', 'm3': 'not_probed'}
    assert view['summary']['healthy'] == 0 and '3 masters were not probed in this run' in output
    assert table_states(output) == {'m1': 'not_probed', 'm2': 'not_probed', 'm3': 'not_probed'}
    assert set(state for state, dummy in page_rows(tmp_path).values()) == {'not_probed'}
    assert prom_states(tmp_path) == ({'m1': ['not_probed'], 'm2': ['not_probed'], 'm3': ['not_probed']}, 0)
    assert_no_secret(app, tmp_path, output)


def test_a_master_without_its_endpoint_variable_stops_every_master_with_one_line(app, tmp_path):
    path = inventory(tmp_path, app, {
        'm1': {'nbwss_endpoints': entries(app, 'alpha-1', 'alpha-2')},
        'm2': {'nbwss_endpoint': entries(app, 'alpha-1', 'alpha-2')},   # the typo of a new user
        'm3': {'nbwss_endpoints': entries(app, 'alpha-1', 'alpha-2')},
    })

    rc, output = rollout(tmp_path, path)

    assert rc == 2, output[-3000:]
    assert 'm2: nbwss_endpoints is not set' in output and 'nbwss_endpoint' in output
    assert 'argument_spec_data' not in output
    assert masters_files(tmp_path) == [] and 'Put the master' not in output
    assert not (tmp_path / 'report').exists()
    assert_no_secret(app, tmp_path, output)


def test_a_sealed_master_without_a_key_stops_every_master_before_any_write(app, tmp_path):
    path = inventory(tmp_path, app, {
        'm1': {'nbwss_endpoints': entries(app, 'alpha-1', 'alpha-2')},
        'm2': {'nbwss_endpoints': entries(app, 'alpha-1', 'alpha-2'), 'nbwss_key': None},
    })

    rc, output = rollout(tmp_path, path)

    assert rc == 2, output[-3000:]
    assert 'm2: nbwss_format sealed needs a key to seal with; give nbwss_key (in Ansible Vault) or nbwss_key_file.' in output
    assert masters_files(tmp_path) == []
    assert_no_secret(app, tmp_path, output)


def test_a_relative_report_dir_is_taken_from_where_ansible_playbook_started_also_by_the_report_playbook(app, tmp_path):
    path = inventory(tmp_path, app, {'m1': {'nbwss_endpoints': entries(app, 'alpha-1', 'alpha-2', 'beta-1', 'beta-2')}})
    # Without PWD in the environment too: the report must not land inside the installed collection.
    env = dict((name, value) for name, value in os.environ.items() if name != 'PWD')

    rc, output = rollout(tmp_path, path, report_dir='reports/nbwss', env=env)

    assert rc == 0, output[-3000:]
    assert sorted(path.name for path in (tmp_path / 'reports' / 'nbwss').iterdir()) == ['fleet.html', 'fleet.json', 'fleet.prom', 'hosts']
    (tmp_path / 'reports' / 'nbwss' / 'fleet.html').unlink()

    rc, output = rollout(tmp_path, 'localhost,', '-e', 'ansible_python_interpreter=%s' % sys.executable,
                         report_dir='reports/nbwss', env=env, playbook='netbackup.nbwss.report')

    assert rc == 0, output[-3000:]
    assert (tmp_path / 'reports' / 'nbwss' / 'fleet.html').is_file()
    assert '1 master: 0 healthy, 1 failed over' in output


def test_check_mode_writes_no_report_and_a_limited_run_keeps_the_other_masters_marked(app, tmp_path):
    path = inventory(tmp_path, app, {
        'm1': {'nbwss_endpoints': entries(app, 'alpha-1', 'alpha-2', 'beta-1', 'beta-2')},
        'm2': {'nbwss_endpoints': entries(app, 'alpha-2', 'beta-1', 'beta-2')},
    })
    rc, output = rollout(tmp_path, path)
    assert rc == 0, output[-3000:]
    before = dict((str(path), path.read_bytes()) for path in (tmp_path / 'report').rglob('*') if path.is_file())

    rc, output = rollout(tmp_path, path, '--check')

    assert rc == 0, output[-3000:]
    assert dict((str(path), path.read_bytes()) for path in (tmp_path / 'report').rglob('*') if path.is_file()) == before
    assert 'check mode: the report in' in output

    rc, output = rollout(tmp_path, path, '--limit', 'm1')

    assert rc == 0, output[-3000:]
    view = fleet(tmp_path)
    assert view['hosts'] == ['m1', 'm2'] and view['summary']['carried'] == 1
    assert [report['host'] for report in view['reports'] if report.get('carried')] == ['m2']
    assert '(1 from earlier runs: not in this one)' in output and 'healthy (earlier run)' in output
    assert sorted(path.name for path in (tmp_path / 'report' / 'hosts').iterdir()) == ['m1.json', 'm2.json']
    assert_no_secret(app, tmp_path, output)


def test_an_unwritable_report_dir_still_fails_each_master_for_its_own_reason(app, tmp_path):
    path = inventory(tmp_path, app, {
        'm1': {'nbwss_endpoints': entries(app, 'alpha-1', 'alpha-2', 'beta-1', 'beta-2')},
        'm2': {'nbwss_endpoints': entries(app, 'alpha-2', 'beta-1', 'down-1', 'down-2')},
    })
    # A file where the report directory should be: no user (root included) can write under it.
    (tmp_path / 'blocked').write_text('not a directory')

    rc, output = rollout(tmp_path, path, report_dir=str(tmp_path / 'blocked' / 'report'))

    assert rc == 2, output[-3000:]
    recaps = recap(output)
    assert (recaps['m1']['failed'], recaps['m2']['failed']) == ('1', '1')
    assert 'probe: group_down: DOWNGRP' in output
    assert output.count('the fleet report could not be written') >= 2
    assert_no_secret(app, tmp_path, output)


def test_check_diff_shows_the_redacted_diff_and_what_would_be_removed(app, tmp_path):
    path = inventory(tmp_path, app, {'m1': {'nbwss_endpoints': entries(app, 'alpha-1', 'alpha-2', 'beta-1', 'beta-2'),
                                            'nbwss_purge': True}})
    rc, output = rollout(tmp_path, path)
    assert rc == 0, output[-3000:]
    smaller = inventory(tmp_path, app, {'m1': {'nbwss_endpoints': entries(app, 'alpha-1', 'alpha-2', 'beta-1'),
                                               'nbwss_purge': True}})

    rc, output = rollout(tmp_path, smaller, '--check')

    assert rc == 0, output[-3000:]
    assert 'would remove ' in output and 'nbwss_beta-2.sealed' in output and 'removed /' not in output
    assert 'sha256:' in output and '--- before' in output
    assert 'nbwss_beta-2.sealed' in masters_files(tmp_path)
    assert_no_secret(app, tmp_path, output)


def test_a_module_error_names_the_role_variable_behind_the_option(app, tmp_path):
    path = inventory(tmp_path, app, {'m1': {'nbwss_endpoints': entries(app, 'alpha-1', 'alpha-2'), 'nbwss_file_mode': '0644'}})

    rc, output = rollout(tmp_path, path)

    assert rc == 2, output[-3000:]
    verdict = [line for line in output.splitlines() if 'deploy failed: ' in line and '(role variable: nbwss_file_mode)' in line]
    assert verdict and 'nbwss_file_mode' in verdict[-1], output[-3000:]
    assert_no_secret(app, tmp_path, output)


def test_three_slices_merged_make_the_fleet_of_one_unsliced_run(app, tmp_path):
    # AWX job slicing: each slice runs the rollout over its part of the inventory, with its own report.
    fleet_vars = {
        'm1': {'nbwss_endpoints': entries(app, 'alpha-1', 'alpha-2', 'beta-1', 'beta-2')},
        'm2': {'nbwss_endpoints': entries(app, 'alpha-2', 'beta-1', 'beta-2')},
        'm3': {'nbwss_endpoints': entries(app, 'alpha-2', 'beta-1', 'down-1', 'down-2')},
        'm4': {'nbwss_endpoints': entries(app, 'alpha-1', 'alpha-2', 'beta-1', 'beta-3')},
        'm5': {'nbwss_endpoints': entries(app, 'alpha-1', 'alpha-2', 'beta-1', 'beta-2')},
        'm6': {'nbwss_endpoints': entries(app, 'alpha-2', 'beta-2')},
    }
    whole = tmp_path / 'whole'
    whole.mkdir()
    rc, output = rollout(whole, inventory(whole, app, fleet_vars))
    assert rc == 2, output[-3000:]  # m3's group down fails m3
    slices = []
    for number, names in enumerate((('m1', 'm2'), ('m3', 'm4'), ('m5', 'm6')), 1):
        part = tmp_path / ('slice-%d' % number)
        part.mkdir()
        rollout(part, inventory(part, app, dict((name, fleet_vars[name]) for name in names)))
        slices.append(str(part / 'report'))

    rc, output = rollout(tmp_path, 'localhost,', '-e', 'ansible_python_interpreter=%s' % sys.executable,
                         '-e', json.dumps({'nbwss_report_slices': slices}), report_dir='merged',
                         playbook='netbackup.nbwss.report')

    assert rc == 0, output[-3000:]
    with open(str(tmp_path / 'merged' / 'fleet.json')) as handle:
        merged = json.load(handle)
    unsliced = fleet(whole)
    assert merged['hosts'] == unsliced['hosts'] == ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']
    assert merged['host_states'] == unsliced['host_states']
    assert merged['summary'] == unsliced['summary']
    # Drift between masters of different slices is found in the merged view, as in the unsliced one.
    assert sorted(f['kind'] for f in merged['findings']) == sorted(f['kind'] for f in unsliced['findings'])
    assert (tmp_path / 'merged' / 'fleet.html').is_file()
    assert sorted(path.name for path in (tmp_path / 'merged' / 'hosts').iterdir()) == ['m%d.json' % n for n in range(1, 7)]
    assert_no_secret(app, tmp_path, output, report_dir=tmp_path / 'merged')
