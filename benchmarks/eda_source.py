# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: the EDA event source netbackup.nbwss.probe watching 200 endpoints, against one probe task per interval.

Usage: .venv/bin/python benchmarks/eda_source.py [--endpoints 200] [--interval 10] [--intervals 6] [--repeats 3]

Run from the repository root with the venv whose Python and ansible-playbook are measured (the cloud application
runs on the same Python: 3.11+, websockets 17). It needs GNU time (``/usr/bin/time``, Debian package ``time``).

The cloud application serves --endpoints endpoints, every 10th never answering CONNECT (fault ``no_reply``), set up
and mixed as benchmarks/probe_task.py does; every probe has ``timeout: 3``. Two ways to probe them every --interval
seconds are measured in the same run:

1. the event source, its ``main`` in a Python process of its own (what it adds to an ansible-rulebook process),
   with an asyncio queue, for 1 + --intervals intervals. Its CPU (user + system, every thread) is taken after the
   first round and again after the last: CPU seconds per hour = CPU per interval x 3600 / --interval, extrapolated
   from those --intervals intervals. Its peak memory is the process's peak RSS (``ru_maxrss``), beside the RSS
   after the imports and before the first round. The JVM ansible-rulebook embeds (drools) is not counted: it is the
   same whatever the source.
2. one ``ansible-playbook`` run of one ``netbackup.nbwss.probe`` task per interval (as a cron job or an AWX
   schedule would run it), --repeats times: its CPU is the run's whole process tree (controller, workers, the
   module: ``RUSAGE_CHILDREN``), its peak memory the module process's and the largest process's peak RSS (GNU time).
   CPU seconds per hour = CPU per run x 3600 / --interval.

Both are checked: every round and every run probes every endpoint, healthy ones ``ok`` and silent ones
``connect_timeout``; the source tells the silent group down once, in its first round, and nothing after.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks._shared import interleaved  # noqa: E402  pylint: disable=wrong-import-position
from benchmarks.probe_task import GNU_TIME, KEYS, TIMEOUT, Bench, fleet_config, write_private  # noqa: E402  pylint: disable=wrong-import-position
from tools.cloudapp import run_in_subprocess  # noqa: E402  pylint: disable=wrong-import-position

# The event source in a process of its own: reads its arguments from a private file, runs main for 1 + N rounds
# and prints one JSON line with what it measured and what it saw.
SOURCE_RUNNER = r'''
import asyncio, collections, importlib.util, json, resource, sys, time

def rss_kib():
    with open('/proc/self/status') as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith('VmRSS:'))

def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

plugin, args_file, rounds_wanted = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(args_file) as handle:
    args = json.load(handle)
spec = importlib.util.spec_from_file_location('nbwss_eda_probe_source', plugin)
source = importlib.util.module_from_spec(spec)
spec.loader.exec_module(source)
imported = rss_kib()
marks, reasons, events = [], [], []
judge = source.ChangeTracker.events

def counted(tracker, outcome):
    found = judge(tracker, outcome)
    marks.append((time.monotonic(), cpu()))
    reasons.append(dict(collections.Counter(result['reason'] for group in outcome.groups or [] for result in group['endpoints'])))
    events.append([event['nbwss']['type'] + ' ' + str(event['nbwss']['group']) for event in found])
    return found

source.ChangeTracker.events = counted

async def run():
    task = asyncio.get_running_loop().create_task(source.main(asyncio.Queue(), args))
    while len(marks) < rounds_wanted and not task.done():
        await asyncio.sleep(0.05)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass

started = cpu()
asyncio.run(run())
print(json.dumps({'imported_kib': imported, 'peak_kib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  'start_cpu': started, 'marks': marks, 'reasons': reasons, 'events': events}))
'''


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_source(scratch, collections, app, entries, interval, intervals):
    """The source's figures: (CPU seconds per interval, first-round CPU, RSS after imports KiB, peak RSS KiB, seconds per
    interval measured). Exits if a round probed something else than expected."""
    args_file = write_private(os.path.join(scratch, 'source-args.json'), json.dumps({
        'endpoints': [dict([(key, entry[key]) for key in KEYS], name=entry['name']) for entry in entries],
        'ca_path': app.state['ca_bundle'], 'interval': interval, 'timeout': TIMEOUT}))
    plugin = os.path.join(collections, 'ansible_collections', 'netbackup', 'nbwss', 'extensions', 'eda', 'plugins',
                          'event_source', 'probe.py')
    runner = write_private(os.path.join(scratch, 'source_runner.py'), SOURCE_RUNNER)
    done = subprocess.run([sys.executable, runner, plugin, args_file, str(1 + intervals)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    if done.returncode != 0:
        sys.exit('the event source run failed, exit %d:\n%s' % (done.returncode, done.stdout[-3000:]))
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    healthy = sum(1 for entry in entries if entry['fault'] == 'healthy')
    want = {'ok': healthy, 'connect_timeout': len(entries) - healthy}
    wrong = [counts for counts in seen['reasons'] if counts != want]
    quiet_groups = sorted(set(entry['groupId'] for entry in entries if entry['fault'] != 'healthy'))
    if wrong or seen['events'][0] != ['group_down %s' % group for group in quiet_groups] or any(seen['events'][1:]):
        sys.exit('the event source saw something else than expected: reasons %s, events %s' % (wrong[:2], seen['events']))
    (first_time, first_cpu), (last_time, last_cpu) = seen['marks'][0], seen['marks'][-1]
    return ((last_cpu - first_cpu) / intervals, first_cpu - seen['start_cpu'], seen['imported_kib'], seen['peak_kib'],
            (last_time - first_time) / intervals)


def run_task(bench, count):
    """One probe task run: (CPU seconds of its whole process tree, module peak RSS KiB, wall seconds)."""
    before = children_cpu()
    wall, module_kib, dummy, dummy, dummy = bench.probe(count)
    return children_cpu() - before, module_kib, wall


def largest_process_kib(bench, count):
    """Peak RSS of the largest process of one probe task run (the controller, as it turns out), by GNU time."""
    vars_file = bench.vars
    cmd = [GNU_TIME, '-f', '%M', os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,',
           '-c', 'local', bench.playbooks['probe'],
           '-e', json.dumps({'bench_vars': vars_file, 'bench_count': count, 'ansible_python_interpreter': sys.executable})]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=bench.collections, ANSIBLE_STDOUT_CALLBACK='minimal', ANSIBLE_NOCOLOR='1')
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    if done.returncode != 0:
        sys.exit('ansible-playbook (GNU time) failed, exit %d' % done.returncode)
    return int(done.stderr.strip().splitlines()[-1])


def mib(kib):
    return kib / 1024.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--endpoints', type=int, default=200, help='endpoints probed (default 200, 10 %% silent)')
    parser.add_argument('--interval', type=float, default=10.0, help='seconds between probes (default 10)')
    parser.add_argument('--intervals', type=int, default=6, help='intervals the source is measured over (default 6)')
    parser.add_argument('--repeats', type=int, default=3, help='probe task runs, median reported (default 3)')
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    if not os.access(GNU_TIME, os.X_OK):
        sys.exit('%s (GNU time, Debian package time) is needed to measure the module process\'s peak RSS' % GNU_TIME)

    import ansible  # pylint: disable=import-outside-toplevel
    import websockets  # pylint: disable=import-outside-toplevel
    versions = (ansible.__version__, sys.version.split()[0], websockets.__version__, os.cpu_count())
    print('ansible-core %s, Python %s, websockets %s; %d CPUs; ' % versions
          + '%d endpoints, every 10th never answers CONNECT; timeout %d s; interval %g s' % (args.endpoints, TIMEOUT, args.interval))
    per_hour = 3600.0 / args.interval
    scratch = tempfile.mkdtemp(prefix='nbwss-eda-source-bench-')
    try:
        with run_in_subprocess(fleet_config(args.endpoints, max(1, args.endpoints // 20)), os.path.join(scratch, 'app'),
                               timeout=120) as app:
            entries = interleaved(app.state['endpoints'])
            bench = Bench(scratch, app, entries)
            print('probe task, %d runs ...' % args.repeats, file=sys.stderr, flush=True)
            tasks = [run_task(bench, args.endpoints) for _repeat in range(args.repeats)]
            largest = largest_process_kib(bench, args.endpoints)
            print('event source, %d intervals of %g s ...' % (1 + args.intervals, args.interval), file=sys.stderr, flush=True)
            cpu_interval, first_round, imported, peak, measured = run_source(
                scratch, bench.collections, app, entries, args.interval, args.intervals)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    task_cpu = statistics.median(run[0] for run in tasks)
    task_module = max(run[1] for run in tasks)
    task_wall = statistics.median(run[2] for run in tasks)
    print('\nevent source: CPU measured over %d intervals (%.1f s each, measured) after its first round, extrapolated to '
          'an hour; the first round took %.2f s CPU (after the imports). The source holds its memory between rounds; a '
          'probe task only while it runs.\n' % (args.intervals, measured, first_round))
    print('| every %g s, %d endpoints | CPU per interval | CPU per hour | peak memory | / event source |' % (
        args.interval, args.endpoints))
    print('|---|---:|---:|---:|---:|')
    print('| event source (one process, running) | %.3f s | %.0f s | %.1f MiB peak RSS (%.1f MiB after imports) | 1x CPU, 1x memory |'
          % (cpu_interval, cpu_interval * per_hour, mib(peak), mib(imported)))
    print('| probe task (one ansible-playbook run per interval) | %.3f s | %.0f s | %.1f MiB module, %.1f MiB largest process '
          '| %.1fx CPU, %.1fx memory (largest process) |' % (
              task_cpu, task_cpu * per_hour, mib(task_module), mib(largest), task_cpu / cpu_interval, largest / float(peak)))
    print('\nprobe task runs: CPU %s s; wall %.2f s median' % (', '.join('%.2f' % run[0] for run in tasks), task_wall))
    return 0


if __name__ == '__main__':
    sys.exit(main())
