# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: one netbackup.nbwss.probe task (ansible-playbook) against the reference cloud application.

Usage: .venv/bin/python benchmarks/probe_task.py [--endpoints 200] [--curve 50,200,1000] [--repeats 3] [--no-compare]

Run from the repository root with the venv whose ansible-playbook and Python are measured (the
cloud application runs on the same Python: 3.11+, websockets 17). It needs GNU time
(``/usr/bin/time``, Debian package ``time``).

The cloud application serves max(--endpoints, --curve) endpoints; every 10th never answers CONNECT
(fault ``no_reply``), spread through the list. Each run is one ansible-playbook process, connection
local, default Ansible configuration (no pipelining, the default stdout callback), on localhost, with
``timeout: 3``:

1. ``--endpoints`` endpoints (default 200), one probe task with the default concurrency (1000);
2. the same task with ``concurrency: 1``;
3. an ``ansible.builtin.wait_for`` loop over the same endpoints' ports (``timeout: 3``), one item per
   endpoint. It checks far less: only that each port accepts TCP, no TLS, no upgrade, no CONNECT, so
   the silent endpoints pass it;
4. the scaling curve: one probe task with the default concurrency for each N of --curve, and the
   same task with the ``minimal`` stdout callback, which prints the whole result (as ``-v`` does);
5. Ansible's floor for such a task: one ``ansible.builtin.wait_for`` task that only sleeps 3 s (the
   probe's timeout) in its module process.

Runs 1 to 3 (skipped with --no-compare) are interleaved, repetition by repetition, and so are the
runs of 4 and 5, so that load from other work on the machine falls on all of them alike; the median
of --repeats is reported with the ratios. A play with no task is timed the same way: Ansible's
start-up, part of every wall time.

Peak memory is the module process's peak RSS, measured the way ``/usr/bin/time -v`` reports
"Maximum resident set size": the managed host's interpreter (``ansible_python_interpreter``) is a
two-line shell script that ``exec``s ``/usr/bin/time -f '%M %e'`` on the real Python, so every
module process (the AnsiballZ wrapper and the module run in one Python process) appends its own
peak RSS (``ru_maxrss`` from ``wait4``) and its elapsed time to a file; the script also keeps each
module process's output (its JSON result, tokens masked) in a file of the scratch directory (mode
0700) and passes it on, so the results are checked whatever the stdout callback. One probe task is
one module process; a wait_for loop is one process per item: the largest peak is reported and the
elapsed times are summed. The rest of the wall time is the controller's (templating, transfer,
results). The wrapper costs one ``exec`` of a small C program and one copy of the output per module
run, a few milliseconds, against about 200 ms per module run of Ansible itself.

The result holds each endpoint once (``endpoints``; each group's ``members`` index it). What a copy of
each endpoint in its group as well would cost, as the result held before issue 17, is measured
in-process on a real 1000-endpoint result, with the copies put back (JSON size; the module's masking
and Ansible's own pass, ``exit_json``'s serialization; the controller's parsing).

The benchmark checks what it measures and exits non-zero otherwise: every probe result's reason is
``ok`` for the healthy endpoints and ``connect_timeout`` for the silent ones, the task is not
changed, one module process ran per probe task; every wait_for item succeeded, one module process
per item.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from glob import glob

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks._shared import interleaved  # noqa: E402  pylint: disable=wrong-import-position
from tools.cloudapp import run_in_subprocess  # noqa: E402  pylint: disable=wrong-import-position
from tools.collection_link import link_collection  # noqa: E402  pylint: disable=wrong-import-position

BIN = os.path.dirname(sys.executable)
GNU_TIME = "/usr/bin/time"
TIMEOUT = 3
KEYS = ("token", "priority", "groupId", "hostName", "url")

# Endpoints and the CA come from a vars file (mode 0600) per endpoint count, holding only that many endpoints
# as an inventory would; the benchmark writes and removes them.
PROBE_PLAY = """
- name: Probe the endpoints with one task
  hosts: localhost
  gather_facts: false
  vars_files: ["{{ bench_vars }}"]
  tasks:
    - name: One probe task for every endpoint
      netbackup.nbwss.probe:
        endpoints: "{{ bench_endpoints }}"
        ca_path: "{{ bench_ca }}"
        timeout: %d
        concurrency: "{{ bench_concurrency | default(omit) }}"
        fail_on: []
""" % TIMEOUT

WAIT_FOR_PLAY = """
- name: Wait for the endpoints' ports, one item each
  hosts: localhost
  gather_facts: false
  vars_files: ["{{ bench_vars }}"]
  tasks:
    - name: One wait_for per endpoint port
      ansible.builtin.wait_for:
        host: 127.0.0.1
        port: "{{ item }}"
        timeout: %d
      loop: "{{ bench_ports }}"
""" % TIMEOUT

FLOOR_PLAY = """
- name: Ansible's floor for a task of one timeout
  hosts: localhost
  gather_facts: false
  tasks:
    - name: One module task that sleeps the probe's timeout
      ansible.builtin.wait_for:
        timeout: %d
""" % TIMEOUT

EMPTY_PLAY = """
- name: Ansible's start-up
  hosts: localhost
  gather_facts: false
  tasks: []
"""

# The managed host's interpreter: GNU time around the real Python; each module run appends its peak RSS (KiB)
# and its elapsed seconds, and keeps its output (the module's JSON result) in a file of its own.
INTERPRETER = """#!/bin/sh
out="$NBWSS_BENCH_OUT.$$"
%s -f '%%M %%e' -a -o "$NBWSS_BENCH_RSS" %s "$@" > "$out"
status=$?
cat "$out"
exit $status
"""


def fleet_config(count, groups):
    """``count`` endpoints, every 10th no_reply; tokens built at run time, shaped like the suite's fakes."""
    silent = count // 10
    return {"endpoints": [
        {"generate": {"count": count - silent, "groups": groups,
                      "token_prefix": "nbwss" + "BenchTok3n-" + os.urandom(4).hex() + "-"}},
        {"generate": {"count": silent, "groups": max(1, groups // 10), "token_prefix": "nbwss" + "QuietTok3n-" + os.urandom(4).hex() + "-",
                      "name_prefix": "quiet", "group_prefix": "quiet", "fault": "no_reply"}},
    ]}


def write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    return path


def module_results(prefix):
    """The results the module processes of one run wrote (files ``prefix.<pid>``), in the order they ended."""
    results = []
    for path in sorted(glob(prefix + ".*"), key=os.path.getmtime):
        with open(path) as handle:
            results.append(json.load(handle))
        os.unlink(path)
    return results


class Bench(object):
    """Runs playbooks against one cloud application and checks what each run measured."""

    def __init__(self, scratch, app, entries):
        self.scratch = scratch
        self.entries = entries
        self.collections = link_collection(scratch)
        self.interpreter = os.path.join(scratch, "python")
        write_private(self.interpreter, INTERPRETER % (GNU_TIME, sys.executable))
        os.chmod(self.interpreter, 0o700)
        self.ca_bundle = app.state["ca_bundle"]
        self.vars = {}
        self.playbooks = {}
        for name, text in (("probe", PROBE_PLAY), ("wait_for", WAIT_FOR_PLAY), ("floor", FLOOR_PLAY), ("empty", EMPTY_PLAY)):
            self.playbooks[name] = write_private(os.path.join(scratch, name + ".yml"), text)
        self.runs = 0

    def vars_file(self, count):
        """The vars file of the first ``count`` endpoints: a run loads only its own endpoints, as an inventory would."""
        if count not in self.vars:
            entries = self.entries[:count]
            self.vars[count] = write_private(os.path.join(self.scratch, "vars-%d.json" % count), json.dumps({
                "bench_endpoints": [{key: entry[key] for key in KEYS} for entry in entries],
                "bench_ports": [entry["port"] for entry in entries],
                "bench_ca": self.ca_bundle,
            }))
        return self.vars[count]

    def playbook(self, name, count, concurrency=None, callback="default"):
        """Run one playbook; return (wall seconds, [(peak RSS KiB, seconds) per module process], [module results])."""
        self.runs += 1
        rss_file = os.path.join(self.scratch, "rss-%d.txt" % self.runs)
        out_prefix = os.path.join(self.scratch, "out-%d" % self.runs)
        extra = {"bench_vars": self.vars_file(count), "ansible_python_interpreter": self.interpreter}
        if concurrency is not None:
            extra["bench_concurrency"] = concurrency
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=self.collections, ANSIBLE_STDOUT_CALLBACK=callback,
                   ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="false", NBWSS_BENCH_RSS=rss_file,
                   NBWSS_BENCH_OUT=out_prefix)
        cmd = [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local", self.playbooks[name],
               "-e", json.dumps(extra)]
        started = time.perf_counter()
        done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            # Module output masks the tokens; the vars file is never printed.
            sys.exit("ansible-playbook %s (%d endpoints) failed, exit %d:\n%s"
                     % (name, count, done.returncode, "\n".join(done.stdout.splitlines()[-30:])))
        processes = []
        if os.path.exists(rss_file):
            with open(rss_file) as handle:
                # GNU time adds "Command exited with non-zero status N" lines for failed runs.
                processes = [(int(fields[0]), float(fields[1])) for fields in (line.split() for line in handle)
                             if len(fields) == 2 and fields[0].isdigit()]
        return wall, processes, module_results(out_prefix)

    def expected_reasons(self, count):
        return ["ok" if entry["fault"] == "healthy" else "connect_timeout" for entry in self.entries[:count]]

    def probe(self, count, concurrency=None, callback="default"):
        """One probe task: (wall, module peak RSS KiB, reason counts, slowest probe ms, module process seconds).

        Exits if a result is not the expected one.
        """
        wall, rss, results = self.playbook("probe", count, concurrency, callback)
        [result] = results
        self.last_result = result
        reasons = [row["reason"] for row in result["endpoints"]]
        wrong = sum(1 for want, got in zip(self.expected_reasons(count), reasons) if want != got)
        if len(reasons) != count or wrong or result["changed"] or len(rss) != 1:
            sys.exit("probe of %d endpoints (concurrency %s): %d results, %d not as expected %s, changed %s, %d module processes"
                     % (count, concurrency or "default", len(reasons), wrong, dict(Counter(reasons)), result["changed"], len(rss)))
        return wall, rss[0][0], Counter(reasons), max(row["ms"]["total"] for row in result["endpoints"]), rss[0][1]

    def wait_for(self, count):
        """One wait_for loop: (wall, largest module peak RSS KiB, item count, None, module processes' seconds summed).

        Exits unless every item succeeded.
        """
        wall, rss, results = self.playbook("wait_for", count)
        items = results
        failed = [item for item in items if item.get("failed")]
        if len(items) != count or failed or len(rss) != count:
            sys.exit("wait_for loop over %d ports: %d items, %d failed, %d module processes" % (count, len(items), len(failed), len(rss)))
        return wall, max(kib for kib, dummy in rss), Counter({"ok": len(items)}), None, sum(seconds for dummy, seconds in rss)

    def floor(self):
        """The wait_for task that sleeps one timeout: (wall, module process seconds)."""
        wall, rss, results = self.playbook("floor", 0)
        if len(results) != 1 or results[0].get("failed") or len(rss) != 1:
            sys.exit("the floor task failed: %s" % results)
        return wall, rss[0][1]

    def startup(self):
        wall, dummy, dummy = self.playbook("empty", 0)
        return wall


def mib(kib):
    return kib / 1024.0


def reasons_text(counter):
    return ", ".join("%d %s" % (number, reason) for reason, number in sorted(counter.items(), key=lambda item: -item[1]))


def best_of(function, repeats=5):
    """The fastest of ``repeats`` timed calls, in seconds: in-process costs on a machine shared with other work."""
    times = []
    for dummy in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def duplication_cost(result, tokens, collections):
    """What copies of each endpoint in its group would cost (the result before issue 17 held them): rows of
    (what, with the copies, as returned)."""
    sys.path.insert(0, collections)
    from ansible.module_utils.common.parameters import remove_values  # pylint: disable=import-outside-toplevel
    from ansible_collections.netbackup.nbwss.plugins.module_utils._masking import SecretMask  # pylint: disable=import-outside-toplevel
    mask = SecretMask()
    mask.update(tokens)
    copies = dict(result, groups=[dict(group, endpoints=[result["endpoints"][index] for index in group["members"]])
                                  for group in result["groups"]])
    rows = []
    for label, measure in (
            ("result JSON (MiB)", lambda value: len(json.dumps(value)) / 1048576.0),
            ("SecretMask.scrub (s)", lambda value: best_of(lambda: mask.scrub(value))),
            ("Ansible's remove_values pass (s)", lambda value: best_of(lambda: remove_values(value, set()))),
            ("json.dumps, as exit_json (s)", lambda value: best_of(lambda: json.dumps(value))),
            ("json.loads, as the controller (s)", lambda value: best_of(lambda: json.loads(json.dumps(value))))):
        rows.append((label, measure(copies), measure(result)))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=200, help="endpoints of the comparison (default 200)")
    parser.add_argument("--curve", default="50,200,1000", help="endpoint counts of the scaling curve (default 50,200,1000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement, median reported (default 3)")
    parser.add_argument("--no-compare", action="store_true", help="skip the comparison with concurrency 1 and wait_for")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # the tables appear as they are measured, also through a pipe
    if not os.access(GNU_TIME, os.X_OK):
        sys.exit("%s (GNU time, Debian package time) is needed to measure the module process's peak RSS" % GNU_TIME)
    curve = [int(count) for count in args.curve.split(",") if count.strip()]
    size = max([args.endpoints] + curve)

    import ansible  # pylint: disable=import-outside-toplevel
    import websockets  # pylint: disable=import-outside-toplevel
    print("ansible-core %s, Python %s, websockets %s; %d CPUs; connection local, default Ansible configuration; "
          "timeout %d s, every 10th endpoint never answers CONNECT; median of %d"
          % (ansible.__version__, sys.version.split()[0], websockets.__version__, os.cpu_count(), TIMEOUT, args.repeats))
    scratch = tempfile.mkdtemp(prefix="nbwss-probe-task-bench-")
    try:
        with run_in_subprocess(fleet_config(size, max(1, size // 20)), os.path.join(scratch, "app"), timeout=120) as app:
            bench = Bench(scratch, app, interleaved(app.state["endpoints"]))
            startups = []
            if not args.no_compare:
                count = args.endpoints
                rows = {"default": [], "serial": [], "wait_for": []}
                for repeat in range(args.repeats):
                    print("comparison, repetition %d of %d ..." % (repeat + 1, args.repeats), file=sys.stderr, flush=True)
                    startups.append(bench.startup())
                    rows["default"].append(bench.probe(count))
                    rows["serial"].append(bench.probe(count, concurrency=1))
                    rows["wait_for"].append(bench.wait_for(count))
                startup = statistics.median(startups)
                base = statistics.median(run[0] for run in rows["default"])
                print("\n%d endpoints (%d never answer CONNECT); ansible-playbook start-up (a play with no task): %.2f s\n"
                      % (count, count // 10, startup))
                print("| run | wall (median) | minus start-up | / probe default | module process(es) | module peak RSS | results |")
                print("|---|---:|---:|---:|---:|---:|---|")
                for key, label in (("default", "probe task, concurrency 1000 (default)"), ("serial", "probe task, concurrency 1"),
                                   ("wait_for", "wait_for loop, %d items (TCP only)" % count)):
                    wall = statistics.median(run[0] for run in rows[key])
                    print("| %s | %.2f s | %.2f s | %.1fx | %.2f s | %.1f MiB | %s |" % (
                        label, wall, wall - startup, wall / base, statistics.median(run[4] for run in rows[key]),
                        mib(max(run[1] for run in rows[key])), reasons_text(rows[key][0][2])))
                print("\nall runs, wall seconds: " + "; ".join(
                    "%s %s" % (key, ", ".join("%.2f" % run[0] for run in rows[key])) for key in ("default", "serial", "wait_for")))

            runs = dict((number, {"default": [], "minimal": []}) for number in curve)
            floors = []
            for repeat in range(args.repeats):
                print("curve, repetition %d of %d ..." % (repeat + 1, args.repeats), file=sys.stderr, flush=True)
                startups.append(bench.startup())
                floors.append(bench.floor())
                for number in curve:
                    runs[number]["default"].append(bench.probe(number))
                    runs[number]["minimal"].append(bench.probe(number, callback="minimal"))
            startup = statistics.median(startups)
            floor = statistics.median(wall for wall, dummy in floors)
            print("\nscaling, one probe task, default concurrency; ansible-playbook start-up %.2f s; the floor, one wait_for "
                  "task that sleeps %d s: %.2f s (module process %.2f s)\n"
                  % (startup, TIMEOUT, floor, statistics.median(seconds for dummy, seconds in floors)))
            print("| endpoints | wall (median) | minus floor | module process | slowest probe | module peak RSS "
                  "| wall, result printed (minimal callback) | results |")
            print("|---:|---:|---:|---:|---:|---:|---:|---|")
            for number in curve:
                default, minimal = runs[number]["default"], runs[number]["minimal"]
                wall = statistics.median(run[0] for run in default)
                print("| %d | %.2f s | %.2f s | %.2f s | %.0f ms | %.1f MiB | %.2f s | %s |" % (
                    number, wall, wall - floor, statistics.median(run[4] for run in default),
                    max(run[3] for run in default + minimal), mib(max(run[1] for run in default + minimal)),
                    statistics.median(run[0] for run in minimal), reasons_text(default[0][2])))
            print("\nall runs, wall seconds: " + "; ".join(
                "%d: %s (minimal %s)" % (number, ", ".join("%.2f" % run[0] for run in runs[number]["default"]),
                                         ", ".join("%.2f" % run[0] for run in runs[number]["minimal"])) for number in curve)
                  + "; floor %s" % ", ".join("%.2f" % wall for wall, dummy in floors))

            largest = max(curve)
            bench.probe(largest)
            print("\neach endpoint once in the result (groups[].members index endpoints), against a copy in its group "
                  "as well, %d endpoints, in-process, best of 5:\n" % largest)
            print("| | with the groups' copies | as returned | copies' share |")
            print("|---|---:|---:|---:|")
            tokens = [entry["token"] for entry in bench.entries[:largest]]
            for label, full, slim in duplication_cost(bench.last_result, tokens, bench.collections):
                print("| %s | %.3f | %.3f | %.0f %% |" % (label, full, slim, 100.0 * (full - slim) / full if full else 0))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
