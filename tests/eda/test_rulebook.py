# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One real ansible-rulebook run of the example rulebook (netbackup.nbwss.monitor) against the reference cloud
application: the source finds ALPHA's priority 1 rejecting the master's stale token and BETA down; the rules run the
rollout (which fetches alpha-1's details again from its provider URL) and the reprobe playbook on the master; the
source then tells that the token is accepted. SIGTERM stops the run cleanly.

The rulebook and the source are found the way a user's are: in the collection under ANSIBLE_COLLECTIONS_PATH, with
no PYTHONPATH (the source makes the collection importable itself). The run's output goes to the suite's logs for the
leak scan, and is checked here for tokens.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import yaml

from tools.cloudapp import run_in_subprocess

LOGS = os.environ.get('NBWSS_LOG_DIR')
FIELDS = ('token', 'priority', 'groupId', 'hostName', 'url')
STALE_TOKEN = 'nbwssEdaRulebookTok3n-stale-5Wd'
# Generous: a loaded machine; the run takes about 20 s here (JVM start, two playbook runs, three rounds).
RUN_WAIT = 120
STOP_WAIT = 20


def endpoint(name, group, priority, fault='healthy'):
    return {'name': name, 'groupId': group, 'priority': priority, 'token': 'nbwssEdaRulebookTok3n-%s-5Wd' % name,
            'fault': fault}


CONFIG = {
    'endpoints': [endpoint('alpha-1', 'ALPHA', 1), endpoint('alpha-2', 'ALPHA', 2), endpoint('beta-1', 'BETA', 1, 'port_closed')],
    'providers': [{'name': 'alpha-1', 'endpoint': 'alpha-1'}],
}


def write_private(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, 'w') as handle:
        handle.write(data)


def details(app, name):
    return dict((field, app.endpoint(name)[field]) for field in FIELDS)


def master_setup(app, tmp_path):
    """The master's endpoint directory (alpha-1's file holds a stale token), its inventory and the rulebook's vars."""
    wss = tmp_path / 'wss'
    wss.mkdir(mode=0o700)
    stale = dict(details(app, 'alpha-1'), token=STALE_TOKEN)
    for name, data in (('ALPHA_1', stale), ('ALPHA_2', details(app, 'alpha-2')), ('BETA_1', details(app, 'beta-1'))):
        write_private(str(wss / ('nbwss_%s.json' % name)), json.dumps(data))
    ca = app.state['ca_bundle']
    master = {
        'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
        'nbwss_dir': str(wss), 'nbwss_format': 'plain', 'nbwss_report': False, 'nbwss_probe_fail_on': [],
        'nbwss_provider_ca_path': ca, 'nbwss_probe_ca_path': ca,
        # alpha-1 from its provider URL (the deploy step fetches it again), the others given directly.
        'nbwss_endpoints': [{'provider': {'url': app.provider('alpha-1')['url']}}, details(app, 'alpha-2'),
                            details(app, 'beta-1')],
    }
    write_private(str(tmp_path / 'inventory.yml'), yaml.safe_dump({'all': {'hosts': {'master1': master}}}))
    write_private(str(tmp_path / 'vars.yml'), yaml.safe_dump({
        'nbwss_master': 'master1', 'nbwss_dir': str(wss), 'nbwss_probe_ca_path': ca, 'nbwss_monitor_interval': 2}))
    return wss


def rulebook_env(tmp_path):
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', ANSIBLE_LOCAL_TEMP=str(tmp_path / 'ansible-tmp'),
               HOME=os.environ.get('HOME', str(tmp_path)))
    env.pop('PYTHONPATH', None)  # as on a user's machine: only ANSIBLE_COLLECTIONS_PATH finds the collection
    # The JVM that ansible-rulebook embeds (drools) takes SIGTERM and SIGINT for itself and exits at once with 143 or
    # 130, before the sources are cancelled; -Xrs leaves them to ansible-rulebook's graceful shutdown (exit 0).
    env['JAVA_TOOL_OPTIONS'] = (env.get('JAVA_TOOL_OPTIONS', '') + ' -Xrs').strip()
    assert env.get('ANSIBLE_COLLECTIONS_PATH'), 'ANSIBLE_COLLECTIONS_PATH must point at the collection tree'
    return env


def run_output(log_path, offset):
    """What this run wrote to the log (the log may hold earlier runs)."""
    with open(log_path) as handle:
        handle.seek(offset)
        return handle.read()


def wait_for(log_path, offset, process, done):
    deadline = time.monotonic() + RUN_WAIT
    while True:
        output = run_output(log_path, offset)
        if done(output) or process.poll() is not None or time.monotonic() > deadline:
            return output
        time.sleep(0.5)


def test_the_example_rulebook_refetches_a_rejected_token_and_reprobes_a_down_group(tmp_path):
    assert shutil.which('ansible-rulebook') and shutil.which('java'), 'ansible-rulebook and a Java 17 runtime are needed'
    log_dir = LOGS or str(tmp_path)
    os.makedirs(log_dir, exist_ok=True)
    log_path = os.path.join(log_dir, 'eda-rulebook.log')
    app = run_in_subprocess(CONFIG, str(tmp_path / 'cloudapp'), python=os.environ.get('NBWSS_CLOUDAPP_PYTHON'))
    try:
        wss = master_setup(app, tmp_path)
        command = ['ansible-rulebook', '--rulebook', 'netbackup.nbwss.monitor', '-i', str(tmp_path / 'inventory.yml'),
                   '--vars', str(tmp_path / 'vars.yml'), '--print-events']
        with open(log_path, 'a') as log:
            log.write('== %s\n' % ' '.join(command))
            log.flush()
            offset = log.tell()
            process = subprocess.Popen(command, cwd=str(tmp_path), env=rulebook_env(tmp_path), stdout=log,
                                       stderr=subprocess.STDOUT)
        try:
            output = wait_for(log_path, offset, process, lambda text: "'token_accepted'" in text and text.count('PLAY RECAP') >= 2)
            assert process.poll() is None, 'ansible-rulebook ended by itself:\n' + output[-3000:]
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            code = process.wait(STOP_WAIT)
            stopped_in = time.monotonic() - started
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        output = run_output(log_path, offset)
        alpha_1 = json.loads((wss / 'nbwss_ALPHA_1.json').read_text())
        served = details(app, 'alpha-1')
        tokens = [entry['token'] for entry in app.state['endpoints']] + [STALE_TOKEN]
    finally:
        app.stop()

    # The rulebook and its source came from the collection.
    assert 'extensions/eda/rulebooks/monitor.yml' in output
    assert "'type': 'netbackup.nbwss.probe'" in output
    # The source's first round: the stale token rejected, ALPHA failed over, BETA down; for master1.
    rejected = output.index("'type': 'token_rejected'")
    assert "'type': 'group_failover'" in output and "'type': 'group_down'" in output
    assert "'hosts': 'master1'" in output
    # Rule 1 ran the rollout on master1, whose deploy fetched alpha-1's details again ...
    rollout = output.index('PLAY [Roll NBWSS endpoints out to the master servers]')
    assert rejected < rollout
    assert alpha_1 == served  # the marker the playbook left: the file holds the provider's details, current token
    # ... so the source then saw the token accepted and the group back on its best priority.
    assert output.index("'type': 'token_accepted'") > rollout and "'type': 'group_recovered'" in output
    # Rule 2 probed again from master1 for the down group.
    assert 'PLAY [Probe the NBWSS endpoints of the masters again]' in output
    assert 'BETA: DOWN, no healthy endpoint (BETA_1 tcp_refused)' in output
    assert output.count('master1                    : ok=') >= 2 and 'failed=1' not in output
    # Stopped by SIGTERM, cleanly and promptly.
    assert code == 0 and stopped_in < STOP_WAIT, (code, stopped_in, output[-3000:])
    assert 'Traceback' not in output and 'Source error' not in output
    for token in tokens:
        assert token not in output
    assert 'Tok3n' not in output
