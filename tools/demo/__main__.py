# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``make demo``: the main job on the embedded default, end to end, on this machine only.

Starts the reference cloud application (tools/cloudapp/demo.yml: three groups, one whose best
endpoint is down, one provider URL), writes an inventory with one master (this machine, a
temporary directory as its endpoint directory, a fresh key), runs ``ansible-playbook
netbackup.nbwss.rollout`` twice (the second run must report changed=0) and stops the application.
Nothing is left running, also after Ctrl-C. The report stays in .tmp/demo/nbwss-report.

Usage: python -m tools.demo [--report-dir DIR] [-v...]   (make demo runs it with the demo virtualenv;
-v... is passed on to ansible-playbook, as the tests do with -vvvv)
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import yaml

from tools.cloudapp import run_in_subprocess
from tools.collection_link import link_collection

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = os.path.join(REPO, 'tools', 'cloudapp', 'demo.yml')
RECAP = re.compile(r'^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.MULTILINE)


class Interrupted(Exception):
    """SIGINT or SIGTERM arrived: clean up and stop."""


def on_signal(signum, frame):
    raise Interrupted(signal.Signals(signum).name)


def inventory(state, workdir):
    """One master, this machine: its endpoints inline, except one fetched from the provider URL."""
    provider = state['providers'][0]
    endpoints = []
    for endpoint in state['endpoints']:
        if endpoint['name'] == provider['endpoint']:
            endpoints.append({'provider': {'url': provider['url'], 'api_token': provider['auth']['bearer']},
                              'name': endpoint['name']})
        else:
            endpoints.append(dict((key, endpoint[key]) for key in ('token', 'priority', 'groupId', 'hostName', 'url')))
            endpoints[-1]['name'] = endpoint['name']
    master = {
        'ansible_connection': 'local',
        'ansible_python_interpreter': sys.executable,
        'nbwss_dir': os.path.join(workdir, 'master01', 'wss'),
        'nbwss_key': base64.b64encode(os.urandom(32)).decode('ascii'),
        'nbwss_endpoints': endpoints,
        'nbwss_provider_ca_path': state['ca_bundle'],
        'nbwss_probe_ca_path': state['ca_bundle'],
        'nbwss_probe_timeout': 5,
    }
    os.makedirs(master['nbwss_dir'], mode=0o700)
    path = os.path.join(workdir, 'inventory.yml')
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, 'w') as handle:
        yaml.safe_dump({'masters': {'hosts': {'master01': master}}}, handle, sort_keys=False)
    return path


def rollout(title, inventory_path, collections, report_dir, children, verbosity=0):
    """Run the rollout playbook, stream its output, return (exit code, output)."""
    print('\n==== %s ====\n' % title, flush=True)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
               ANSIBLE_DEPRECATION_WARNINGS='false', ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', inventory_path,
               'netbackup.nbwss.rollout', '-e', 'nbwss_report_dir=%s' % report_dir]
    if verbosity:
        command.append('-' + 'v' * verbosity)
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    children.append(process)
    lines = []
    for line in process.stdout:
        lines.append(line)
        sys.stdout.write(line)
        sys.stdout.flush()
    process.wait()
    return process.returncode, ''.join(lines)


def stop_children(children):
    for process in children:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--report-dir', default=os.path.join(REPO, '.tmp', 'demo', 'nbwss-report'))
    parser.add_argument('-v', dest='verbosity', action='count', default=0, help='passed on to ansible-playbook')
    args = parser.parse_args(argv)
    started = time.monotonic()
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    workdir = tempfile.mkdtemp(prefix='nbwss-demo-')
    app = None
    children = []
    try:
        app = run_in_subprocess(CONFIG, os.path.join(workdir, 'cloudapp'), python=sys.executable)
        groups = len(set(endpoint['groupId'] for endpoint in app.state['endpoints']))
        print('reference cloud application: %d endpoints in %d groups (alpha-1, the best of ALPHA, is down), '
              'one provider URL (gamma-2); pid %d' % (len(app.state['endpoints']), groups, app.pid))
        inventory_path = inventory(app.state, workdir)
        collections = link_collection(workdir)
        shutil.rmtree(args.report_dir, ignore_errors=True)
        first_rc, dummy = rollout('rollout, first run', inventory_path, collections, args.report_dir, children,
                                  args.verbosity)
        second_rc, second = rollout('rollout, second run (nothing to change)', inventory_path, collections,
                                    args.report_dir, children, args.verbosity)
        recap = RECAP.findall(second)
        changed = sum(int(row[2]) for row in recap)
        print('\n==== demo ====\n')
        print('first run exit %d, second run exit %d, second run changed=%d' % (first_rc, second_rc, changed))
        print('fleet report: %s (fleet.html, fleet.json, fleet.prom, hosts/)' % os.path.relpath(args.report_dir, os.getcwd()))
        print('demo took %.1f s' % (time.monotonic() - started))
        return 0 if first_rc == 0 and second_rc == 0 and recap and changed == 0 else 1
    except Interrupted as err:
        print('\ndemo interrupted (%s): stopping everything it started' % err, file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stop_children(children)
        if app is not None:
            app.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
