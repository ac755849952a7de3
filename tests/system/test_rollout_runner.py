# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rollout through ansible-runner, the engine AWX and Ansible Automation Platform run jobs with.

A private data directory as AWX lays it out (project, inventory, env), two simulated masters against
the reference cloud application, at -vvvv. The job's artifacts (stdout, one JSON file per job event,
the command) are what AWX stores and shows: they must hold the fleet table and no token or key.
"""

from __future__ import annotations

import json
import os
import shutil
import sys

import ansible_runner
import pytest
import yaml

from tools.cloudapp import run_in_subprocess

from ansible_collections.netbackup.nbwss.tests.system.test_rollout import CONFIG, KEY, entries, inventory

BIN = os.path.dirname(sys.executable)
LOGS = os.environ.get('NBWSS_LOG_DIR')
IDENT = 'rollout'
# What the table shows for a master whose ALPHA group has failed over to priority 2.
TABLE_ROW = 'failover  alpha-2 (p2) FAILOVER  beta-1 (p1)'

PROJECT_PLAYBOOK = '''
- name: The collection's rollout, as an AWX job template would run it
  ansible.builtin.import_playbook: netbackup.nbwss.rollout
'''


@pytest.fixture(scope='module')
def app(tmp_path_factory):
    handle = run_in_subprocess(CONFIG, str(tmp_path_factory.mktemp('runner-cloudapp')))
    yield handle
    handle.stop()


def private_data_dir(tmp_path, inventory_path):
    """project/, inventory/ and env/ as AWX writes them for a job; returns the directory."""
    root = tmp_path / 'job'
    (root / 'project').mkdir(parents=True)
    (root / 'project' / 'rollout.yml').write_text(PROJECT_PLAYBOOK)
    (root / 'inventory').mkdir()
    shutil.copy(inventory_path, str(root / 'inventory' / 'hosts.yml'))
    (root / 'env').mkdir()
    # The ansible-playbook of the Python running the tests comes first on the PATH.
    envvars = {'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_DEPRECATION_WARNINGS': 'false', 'ANSIBLE_HOST_KEY_CHECKING': 'false',
               'PATH': os.pathsep.join([BIN, os.environ.get('PATH', os.defpath)])}
    if os.environ.get('ANSIBLE_COLLECTIONS_PATH'):
        envvars['ANSIBLE_COLLECTIONS_PATH'] = os.environ['ANSIBLE_COLLECTIONS_PATH']
    (root / 'env' / 'envvars').write_text(yaml.safe_dump(envvars))
    (root / 'env' / 'extravars').write_text(yaml.safe_dump({'nbwss_report_dir': str(tmp_path / 'report')}))
    return root


def test_the_rollout_through_ansible_runner_leaves_the_fleet_table_and_no_secret_in_the_artifacts(app, tmp_path):
    same = entries(app, 'alpha-1', 'alpha-2', 'beta-1', 'beta-2')
    path = inventory(tmp_path, app, {'m1': {'nbwss_endpoints': same}, 'm2': {'nbwss_endpoints': same}})
    root = private_data_dir(tmp_path, path)

    run = ansible_runner.run(private_data_dir=str(root), playbook='rollout.yml', ident=IDENT, verbosity=4, quiet=True)

    artifacts = root / 'artifacts' / IDENT
    stdout = (artifacts / 'stdout').read_text(encoding='utf-8')
    if LOGS:  # the suite's leak scan reads it too
        shutil.copy(str(artifacts / 'stdout'), os.path.join(LOGS, 'rollout-runner.log'))
    assert (run.status, run.rc) == ('successful', 0), stdout[-3000:]
    assert run.stats['changed'].keys() == {'m1', 'm2'} and not run.stats['failures']
    for master in ('m1', 'm2'):
        assert '%s      %s' % (master, TABLE_ROW) in stdout

    events = [json.loads(path.read_text(encoding='utf-8')) for path in sorted((artifacts / 'job_events').glob('*.json'))]
    [shown] = [event['event_data']['res']['msg'] for event in events
               if event['event'] == 'runner_on_ok' and event['event_data'].get('task', '').startswith('Show the fleet')]
    assert [line for line in shown if TABLE_ROW in line] == ['m1      ' + TABLE_ROW, 'm2      ' + TABLE_ROW]
    with open(str(tmp_path / 'report' / 'fleet.json')) as handle:
        assert json.load(handle)['summary']['masters'] == 2

    secrets = [entry['token'] for entry in app.state['endpoints']] + [KEY, KEY.rstrip('=')]
    files = [path for path in (root / 'artifacts').rglob('*') if path.is_file()]
    assert len(files) > len(events) >= 20
    for artifact in files:
        text = artifact.read_bytes().decode('utf-8', errors='replace')
        leaked = [secret for secret in secrets if secret in text]
        assert not leaked, 'a token or the key is in %s' % artifact.relative_to(root)
