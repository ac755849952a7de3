# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rollout playbook over K simulated masters vs. Ansible's floor and a builtin-only playbook.

Usage: .venv/bin/python benchmarks/fleet.py [--masters 10,50,100] [--forks 20] [--repeats 1] [--baselines floor,builtin]

K inventory hosts (master001...) all run on this machine (connection local), each with its own
endpoint directory and the same 7 endpoints in 3 groups, which probe the reference cloud
application (tools/cloudapp/demo.yml, whose ALPHA group has its best endpoint down). For each K:

- ``netbackup.nbwss.rollout``: validation, one endpoint_set and one probe per master, the fleet
  report (JSON, HTML, table);
- the baseline, builtin modules only: an ``ansible.builtin.copy`` loop of the plain files (with
  ``no_log``) and an ``ansible.builtin.wait_for`` loop on each endpoint's port - it checks far
  less (no TLS, no WebSocket, no CONNECT, no groups, no report).

- the floor (``--baselines floor``): what Ansible itself costs for the rollout's two module tasks
  per master, two ``ansible.builtin.stat`` tasks per master that do nothing else, on the same
  inventory (same variables), forks and machine.

Each playbook runs twice per K: the first run writes every file, the second has nothing to change;
the floor runs beside the rollout's no-change run in every repetition. Wall times are medians of
``--repeats``; the ratios are baseline / rollout and rollout / floor. The peak memory of the
controller (the ansible-playbook process, sampled every 20 ms) is printed too. Where the rollout's
time goes is measured by a small callback plugin (written to the scratch directory, enabled in
every run): the seconds from each task's start to the next one's and the size of the task's
results (JSON), printed for the no-change run; and the masters' interpreter is a small script that
runs GNU time (``/usr/bin/time``, Debian package ``time``) around the real Python, so that each
module process's elapsed and CPU seconds are added up per module. The CPU seconds of each run are
printed too: of ansible-playbook and every process it started (the modules among them), and of the
cloud application, which answers the probes on the same cores. The benchmark checks what it measures: changed on
the first run, changed=0 on the second, a fleet.json with K masters, no failed floor task.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import resource
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

# Ansible's own cost of two module tasks per master, as many as the rollout runs (endpoint_set, probe).
FLOOR_PLAY = '''
- name: Ansible's floor, two module tasks per master that do nothing
  hosts: masters
  gather_facts: false
  tasks:
    - name: A module task
      ansible.builtin.stat:
        path: "{{ nbwss_dir }}"

    - name: Another module task
      ansible.builtin.stat:
        path: "{{ nbwss_dir }}"
'''

# The masters' interpreter: each module process appends its module (the AnsiballZ file's name), elapsed and CPU seconds.
INTERPRETER = """#!/bin/sh
exec /usr/bin/time -f "${1##*/} %%e %%U %%S" -a -o "$NBWSS_BENCH_MODULES" %s "$@"
"""

# Enabled in every run: each task's seconds (from its start to the next task's) and its results' JSON size.
TIMING_CALLBACK = '''
import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "nbwss_task_times"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.started = time.monotonic()
        self.tasks = []
        self.current = None

    def _close(self):
        if self.current is not None:
            self.current["seconds"] = time.monotonic() - self.current.pop("start")
            self.tasks.append(self.current)
            self.current = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close()
        self.current = {"task": task.get_name(), "start": time.monotonic(), "result_bytes": 0, "results": 0}

    def _count(self, result, *args, **kwargs):
        if self.current is not None:
            # The raw data where there is one (2.19+): the result property converts every value to a native type, and
            # forcing that for every result cost the controller more than the rollout's tasks without a module.
            data = getattr(result, "_return_data", None)
            self.current["result_bytes"] += len(json.dumps(result._result if data is None else data, default=str))
            self.current["results"] += 1

    v2_runner_on_ok = v2_runner_on_failed = v2_runner_on_skipped = v2_runner_on_unreachable = _count

    def v2_playbook_on_stats(self, stats):
        self._close()
        with open(os.environ["NBWSS_BENCH_TIMES"], "w") as handle:
            json.dump({"seconds": time.monotonic() - self.started, "tasks": self.tasks}, handle)
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
            'ansible_python_interpreter': os.path.join(scratch, 'python'),
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


def process_cpu(pid):
    """User + system CPU seconds of a running process (all its threads), from /proc/PID/stat."""
    with open('/proc/%d/stat' % pid) as handle:
        fields = handle.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / float(os.sysconf('SC_CLK_TCK'))


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(playbook, inventory, collections, forks, report_dir, app_pid):
    """One ansible-playbook run: (seconds, recap totals, controller peak RSS in MiB, task times with the CPU seconds of
    ansible-playbook and every process it started, and of the cloud application ``app_pid``, during the run)."""
    scratch = os.path.dirname(inventory)
    times = os.path.join(scratch, 'task-times.json')
    modules = os.path.join(scratch, 'modules.txt')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_NOCOLOR='1', ANSIBLE_DEPRECATION_WARNINGS='false',
               ANSIBLE_HOST_KEY_CHECKING='false', ANSIBLE_CALLBACK_PLUGINS=os.path.join(scratch, 'callbacks'),
               ANSIBLE_CALLBACKS_ENABLED='nbwss_task_times', NBWSS_BENCH_TIMES=times, NBWSS_BENCH_MODULES=modules)
    command = [os.path.join(BIN, 'ansible-playbook'), '-i', inventory, '-f', str(forks), playbook,
               '-e', 'nbwss_report_dir=%s' % report_dir, '-e', 'nbwss_rollout_hosts=masters']
    cpu_before, app_before = children_cpu(), process_cpu(app_pid)
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    stop, peak = threading.Event(), [0]
    sampler = threading.Thread(target=controller_peak, args=(process.pid, stop, peak), daemon=True)
    sampler.start()
    output = process.communicate()[0]
    seconds = time.monotonic() - started
    cpu = {'ansible': children_cpu() - cpu_before, 'cloud_app': process_cpu(app_pid) - app_before}
    stop.set()
    sampler.join()
    rows = RECAP.findall(output)
    totals = {'hosts': len(rows), 'changed': sum(int(row[2]) for row in rows), 'failed': sum(int(row[4]) for row in rows),
              'unreachable': sum(int(row[3]) for row in rows)}
    if totals['failed'] or totals['unreachable'] or not rows:
        raise SystemExit('benchmark run failed (%s):\n%s' % (playbook, output[-4000:]))
    with open(times) as handle:
        task_times = json.load(handle)
    os.unlink(times)
    task_times['modules'] = {}
    task_times['cpu'] = cpu
    if os.path.exists(modules):
        with open(modules) as handle:
            for fields in (line.split() for line in handle):
                if len(fields) == 4:  # GNU time adds a line of its own for a process that exited non-zero
                    name = fields[0].replace('AnsiballZ_', '').replace('.py', '')
                    total = task_times['modules'].setdefault(name, {'processes': 0, 'elapsed': 0.0, 'cpu': 0.0})
                    total['processes'] += 1
                    total['elapsed'] += float(fields[1])
                    total['cpu'] += float(fields[2]) + float(fields[3])
        os.unlink(modules)
    return seconds, totals, peak[0] / 1024.0, task_times


def reset(scratch):
    for directory in os.listdir(os.path.join(scratch, 'masters')):
        path = os.path.join(scratch, 'masters', directory)
        for name in os.listdir(path):
            os.unlink(os.path.join(path, name))


def measure(count, app, scratch, collections, forks, repeats, key, baselines):
    """Medians per playbook: {name: (first run, no-change run, controller peak MiB, task times of a no-change run)}."""
    inventory = write_inventory(scratch, count, app.state, key)
    playbooks = {'rollout': 'netbackup.nbwss.rollout'}
    for name, text in (('builtin', BASELINE_PLAY), ('floor', FLOOR_PLAY)):
        playbooks[name] = os.path.join(scratch, name + '.yml')
        with open(playbooks[name], 'w') as handle:
            handle.write(text)
    report_dir = os.path.join(scratch, 'report-%d' % count)
    runs = dict((name, {'first': [], 'second': [], 'peaks': [], 'times': []}) for name in ['rollout'] + baselines)
    # Interleaved, repetition by repetition, so that load from other work falls on every playbook alike.
    for dummy in range(repeats):
        for name in ['rollout'] + [baseline for baseline in baselines if baseline != 'floor']:
            reset(scratch)
            seconds, totals, peak, dummy_times = run(playbooks[name], inventory, collections, forks, report_dir, app.pid)
            if totals['changed'] < count or totals['hosts'] != count:
                raise SystemExit('%s first run changed %d of %d masters' % (name, totals['changed'], count))
            runs[name]['first'].append(seconds)
            runs[name]['peaks'].append(peak)
            if name == 'rollout' and 'floor' in baselines:
                # The floor beside the rollout's no-change run, on the same files.
                seconds, totals, peak, times = run(playbooks['floor'], inventory, collections, forks, report_dir, app.pid)
                if totals['changed'] != 0 or totals['hosts'] != count:
                    raise SystemExit('floor run: %d hosts, changed=%d' % (totals['hosts'], totals['changed']))
                runs['floor']['second'].append(seconds)
                runs['floor']['peaks'].append(peak)
                runs['floor']['times'].append(times)
            seconds, totals, peak, times = run(playbooks[name], inventory, collections, forks, report_dir, app.pid)
            if totals['changed'] != 0:
                raise SystemExit('%s second run reported changed=%d' % (name, totals['changed']))
            runs[name]['second'].append(seconds)
            runs[name]['peaks'].append(peak)
            runs[name]['times'].append(times)
    with open(os.path.join(report_dir, 'fleet.json')) as handle:
        fleet = json.load(handle)
    if fleet['summary']['masters'] != count or fleet['summary']['failover'] != count:
        raise SystemExit('the fleet report does not show %d masters failed over: %s' % (count, fleet['summary']))
    figures = {}
    for name, figure in runs.items():
        # The task times of the no-change run whose wall time is the median (the upper one of an even count).
        middle = sorted(range(len(figure['second'])), key=lambda index: figure['second'][index])[len(figure['second']) // 2]
        figures[name] = (statistics.median(figure['first']) if figure['first'] else None, statistics.median(figure['second']),
                         max(figure['peaks']), figure['times'][middle], figure['second'])
    return figures


def task_table(name, count, wall, times):
    """Where a no-change run's time goes: one row per task, then the rest (Ansible's start-up, the play's end)."""
    print('\n%s, K = %d, no-change run, %.1f s: where the time goes' % (name, count, wall))
    print('\n| task | seconds | results | result size |')
    print('|---|---:|---:|---:|')
    accounted = 0.0
    for task in times['tasks']:
        accounted += task['seconds']
        print('| %s | %.2f | %d | %.0f KiB |' % (task['task'], task['seconds'], task['results'], task['result_bytes'] / 1024.0))
    print('| (the rest: start-up, inventory, the play\'s end) | %.2f | | |' % (wall - accounted))
    for module, total in sorted(times['modules'].items()):
        print('module %s: %d processes, %.3f s elapsed and %.3f s CPU each on average' % (
            module, total['processes'], total['elapsed'] / total['processes'], total['cpu'] / total['processes']))
    modules = sum(total['cpu'] for total in times['modules'].values())
    print('CPU seconds: %.1f for ansible-playbook and every process it started (modules %.1f, Ansible %.1f), %.1f for the '
          'cloud application' % (times['cpu']['ansible'], modules, times['cpu']['ansible'] - modules, times['cpu']['cloud_app']))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--masters', default='10,50,100', help='comma-separated fleet sizes K')
    parser.add_argument('--forks', type=int, default=20)
    parser.add_argument('--repeats', type=int, default=1)
    parser.add_argument('--baselines', default='floor,builtin',
                        help='comma-separated: floor (two stat tasks per master), builtin (copy + wait_for loops)')
    args = parser.parse_args()
    sizes = [int(size) for size in args.masters.split(',')]
    baselines = [name for name in args.baselines.split(',') if name]
    if set(baselines) - {'floor', 'builtin'}:
        parser.error('--baselines takes floor and builtin')
    if not os.access('/usr/bin/time', os.X_OK):
        parser.error('/usr/bin/time (GNU time, Debian package time) is needed to measure the module processes')
    scratch = tempfile.mkdtemp(prefix='nbwss-fleet-bench-')
    app = None
    try:
        with open(os.path.join(scratch, 'python'), 'w') as handle:
            handle.write(INTERPRETER % sys.executable)
        os.chmod(os.path.join(scratch, 'python'), 0o700)
        os.makedirs(os.path.join(scratch, 'callbacks'))
        with open(os.path.join(scratch, 'callbacks', 'nbwss_task_times.py'), 'w') as handle:
            handle.write(TIMING_CALLBACK)
        app = run_in_subprocess(os.path.join(ROOT, 'tools', 'cloudapp', 'demo.yml'), os.path.join(scratch, 'cloudapp'))
        collections = link_collection(scratch)
        key = base64.b64encode(os.urandom(32)).decode('ascii')
        print('fleet benchmark: %d endpoints per master in 3 groups, forks %d, median of %d, ansible-core %s, %d CPUs'
              % (len(app.state['endpoints']), args.forks, args.repeats, subprocess.check_output(
                  [os.path.join(BIN, 'ansible'), '--version'], text=True).splitlines()[0].split('core ')[-1].rstrip(']'),
                 os.cpu_count()))
        results = []
        for count in sizes:
            os.makedirs(os.path.join(scratch, 'masters'), exist_ok=True)
            shutil.rmtree(os.path.join(scratch, 'masters'))
            figures = measure(count, app, scratch, collections, args.forks, args.repeats, key, baselines)
            results.append((count, figures))
            rollout = figures['rollout']
            if 'floor' in figures:
                floor = figures['floor']
                # Each repetition's own ratio too: the floor ran right before the rollout's no-change run.
                print('\nK = %d: rollout no-change %.1f s, floor %.1f s, rollout / floor %.2fx (repetitions: %s)' % (
                    count, rollout[1], floor[1], rollout[1] / floor[1],
                    ', '.join('%.2fx' % (mine / theirs) for mine, theirs in zip(rollout[4], floor[4]))))
                task_table('rollout', count, rollout[1], rollout[3])
                task_table('floor', count, floor[1], floor[3])
            sys.stdout.flush()
        if 'floor' in baselines:
            print('\n| K | rollout, no-change run | floor (2 stat tasks per master) | rollout / floor | CPU s: rollout + cloud app / floor '
                  '| controller peak MiB (rollout / floor) |')
            print('|---:|---:|---:|---:|---:|---:|')
            for count, figures in results:
                rollout, floor = figures['rollout'], figures['floor']
                print('| %d | %.1f s | %.1f s | %.2fx | %.1f + %.1f / %.1f | %.0f / %.0f |' % (
                    count, rollout[1], floor[1], rollout[1] / floor[1], rollout[3]['cpu']['ansible'], rollout[3]['cpu']['cloud_app'],
                    floor[3]['cpu']['ansible'], rollout[2], floor[2]))
        if 'builtin' in baselines:
            print('\n| K | run | rollout | baseline (copy + wait_for) | baseline / rollout | controller peak MiB (rollout / baseline) |')
            print('|---:|---|---:|---:|---:|---:|')
            for count, figures in results:
                rollout, baseline = figures['rollout'], figures['builtin']
                for label, index in (('first run', 0), ('no-change run', 1)):
                    print('| %d | %s | %.1f s | %.1f s | %.2fx | %s |' % (
                        count, label, rollout[index], baseline[index], baseline[index] / rollout[index],
                        '%.0f / %.0f' % (rollout[2], baseline[2]) if index == 0 else ''))
    finally:
        if app is not None:
            app.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    main()
