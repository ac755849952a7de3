# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rollout playbook over K simulated masters vs. a builtin-only playbook, first run and no-change run.

Usage: .venv/bin/python benchmarks/fleet.py [--masters 10,50,100] [--forks 20] [--repeats 1]

K inventory hosts (master001...) all run on this machine (connection local), each with its own
endpoint directory and the same 7 endpoints in 3 groups, which probe the reference cloud
application (tools/cloudapp/demo.yml, whose ALPHA group has its best endpoint down). For each K:

- ``netbackup.nbwss.rollout``: validation, one endpoint_set and one probe per master, the fleet
  report (JSON, HTML, table);
- the baseline, builtin modules only: an ``ansible.builtin.copy`` loop of the plain files (with
  ``no_log``) and an ``ansible.builtin.wait_for`` loop on each endpoint's port - it checks far
  less (no TLS, no WebSocket, no CONNECT, no groups, no report).

Each playbook runs twice per K: the first run writes every file, the second has nothing to change.
Wall times are medians of ``--repeats``; the ratio is baseline / rollout. The peak memory of the
controller (the ansible-playbook process, sampled every 20 ms) is printed too. The benchmark checks
what it measures: changed on the first run, changed=0 on the second, a fleet.json with K masters.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tools.cloudapp import run_in_subprocess  # noqa: E402  (after the path is set)
from tools.collection_link import link_collection  # noqa: E402  (after the path is set)

BIN = os.path.dirname(sys.executable)
RECAP = re.compile(r'^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)
FIELDS = ('token', 'priority', 'groupId', 'hostName', 'url')

BASELINE_PLAY = '''
- name: The builtin way, for comparison
  hosts: masters
  gather_facts: false
  tasks:
    - name: One copy per endpoint file
      ansible.builtin.copy:
        dest: "{{ nbwss_dir }}/nbwss_{{ item.groupId }}_{{ item.priority }}.json"
        content: "{{ item | to_json }}"
        mode: "0600"
      loop: "{{ nbwss_endpoints }}"
      loop_control:
        label: "{{ item.groupId }}_{{ item.priority }}"
      no_log: true
      diff: false

    - name: One port check per endpoint
      ansible.builtin.wait_for:
        host: "{{ item.hostName }}"
        port: "{{ item.url | urlsplit('port') }}"
        timeout: 3
      loop: "{{ nbwss_endpoints }}"
      loop_control:
        label: "{{ item.groupId }}_{{ item.priority }}"
      ignore_errors: true
'''


def write_inventory(scratch, count, state, key):
    endpoints = [dict((field, endpoint[field]) for field in FIELDS) for endpoint in state['endpoints']]
    hosts = {}
    for index in range(1, count + 1):
        name = 'master%03d' % index
        directory = os.path.join(scratch, 'masters', name)
        os.makedirs(directory)
        hosts[name] = {'nbwss_dir': directory}
    masters = {
        'hosts': hosts,
        'vars': {
            'ansible_connection': 'local',
            'ansible_python_interpreter': sys.executable,
            'nbwss_endpoints': endpoints,
            'nbwss_key': key,
            'nbwss_probe_ca_path': state['ca_bundle'],
            'nbwss_probe_timeout': 3,
            'nbwss_probe_min_cert_days': 7,
        },
    }
    path = os.path.join(scratch, 'inventory-%d.yml' % count)
    with open(path, 'w') as handle:
        yaml.safe_dump({'masters': masters}, handle)
    return path


def controller_peak(pid, stop, peak):
    """Sample the VmRSS of ``pid`` (the ansible-playbook controller process) until ``stop`` is set."""
    while not stop.is_set():
        try:
            with open('/proc/%d/status' % pid) as handle:
                for line in handle:
                    if line.startswith('VmRSS:'):
                        peak[0] = max(peak[0], int(line.split()[1]))
        except OSError:
            return
        time.sleep(0.02)


def run(playbook, inventory, collections, forks, report_dir):
    """One ansible-playbook run: (seconds, recap totals, controller peak RSS in MiB)."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_NOCOLOR='1', ANSIBLE_DEPRECATION_WARNINGS='false',
               ANSIBLE_HOST_KEY_CHECKING='false')
    command = [os.path.join(BIN, 'ansible-playbook'), '-i', inventory, '-f', str(forks), playbook,
               '-e', 'nbwss_report_dir=%s' % report_dir, '-e', 'nbwss_rollout_hosts=masters']
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    stop, peak = threading.Event(), [0]
    sampler = threading.Thread(target=controller_peak, args=(process.pid, stop, peak), daemon=True)
    sampler.start()
    output = process.communicate()[0]
    seconds = time.monotonic() - started
    stop.set()
    sampler.join()
    rows = RECAP.findall(output)
    totals = {'hosts': len(rows), 'changed': sum(int(row[2]) for row in rows), 'failed': sum(int(row[4]) for row in rows),
              'unreachable': sum(int(row[3]) for row in rows)}
    if totals['failed'] or totals['unreachable'] or not rows:
        raise SystemExit('benchmark run failed (%s):\n%s' % (playbook, output[-4000:]))
    return seconds, totals, peak[0] / 1024.0


def reset(scratch):
    for directory in os.listdir(os.path.join(scratch, 'masters')):
        path = os.path.join(scratch, 'masters', directory)
        for name in os.listdir(path):
            os.unlink(os.path.join(path, name))


def measure(count, state, scratch, collections, forks, repeats, key):
    inventory = write_inventory(scratch, count, state, key)
    baseline = os.path.join(scratch, 'baseline.yml')
    with open(baseline, 'w') as handle:
        handle.write(BASELINE_PLAY)
    report_dir = os.path.join(scratch, 'report-%d' % count)
    figures = {}
    for name, playbook in (('rollout', 'netbackup.nbwss.rollout'), ('baseline', baseline)):
        first, second, peaks = [], [], []
        for dummy in range(repeats):
            reset(scratch)
            seconds, totals, peak = run(playbook, inventory, collections, forks, report_dir)
            if totals['changed'] < count or totals['hosts'] != count:
                raise SystemExit('%s first run changed %d of %d masters' % (name, totals['changed'], count))
            first.append(seconds)
            peaks.append(peak)
            seconds, totals, peak = run(playbook, inventory, collections, forks, report_dir)
            if totals['changed'] != 0:
                raise SystemExit('%s second run reported changed=%d' % (name, totals['changed']))
            second.append(seconds)
            peaks.append(peak)
        figures[name] = (statistics.median(first), statistics.median(second), max(peaks))
    with open(os.path.join(report_dir, 'fleet.json')) as handle:
        fleet = json.load(handle)
    if fleet['summary']['masters'] != count or fleet['summary']['failover'] != count:
        raise SystemExit('the fleet report does not show %d masters failed over: %s' % (count, fleet['summary']))
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--masters', default='10,50,100', help='comma-separated fleet sizes K')
    parser.add_argument('--forks', type=int, default=20)
    parser.add_argument('--repeats', type=int, default=1)
    args = parser.parse_args()
    sizes = [int(size) for size in args.masters.split(',')]
    scratch = tempfile.mkdtemp(prefix='nbwss-fleet-bench-')
    app = None
    try:
        app = run_in_subprocess(os.path.join(ROOT, 'tools', 'cloudapp', 'demo.yml'), os.path.join(scratch, 'cloudapp'))
        collections = link_collection(scratch)
        key = base64.b64encode(os.urandom(32)).decode('ascii')
        print('fleet benchmark: %d endpoints per master in 3 groups, forks %d, median of %d, ansible-core %s'
              % (len(app.state['endpoints']), args.forks, args.repeats, subprocess.check_output(
                  [os.path.join(BIN, 'ansible'), '--version'], text=True).splitlines()[0].split('core ')[-1].rstrip(']')))
        print()
        print('| K | run | rollout | baseline (copy + wait_for) | baseline / rollout | controller peak MiB (rollout / baseline) |')
        print('|---:|---|---:|---:|---:|---:|')
        for count in sizes:
            os.makedirs(os.path.join(scratch, 'masters'), exist_ok=True)
            shutil.rmtree(os.path.join(scratch, 'masters'))
            figures = measure(count, app.state, scratch, collections, args.forks, args.repeats, key)
            rollout, baseline = figures['rollout'], figures['baseline']
            for label, index in (('first run', 0), ('no-change run', 1)):
                print('| %d | %s | %.1f s | %.1f s | %.2fx | %s |' % (
                    count, label, rollout[index], baseline[index], baseline[index] / rollout[index],
                    '%.0f / %.0f' % (rollout[2], baseline[2]) if index == 0 else ''))
            sys.stdout.flush()
    finally:
        if app is not None:
            app.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    main()
