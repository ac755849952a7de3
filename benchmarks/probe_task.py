# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: one netbackup.nbwss.probe task (ansible-playbook) against the reference cloud application.

Usage: .venv/bin/python benchmarks/probe_task.py [--endpoints 200] [--curve 50,200,1000] [--repeats 3]

Run from the repository root with the venv whose ansible-playbook and Python are measured (the
cloud application runs on the same Python: 3.11+, websockets 17). It needs GNU time
(``/usr/bin/time``, Debian package ``time``).

The cloud application serves max(--endpoints, --curve) endpoints; every 10th never answers CONNECT
(fault ``no_reply``), spread through the list. Each run is one ansible-playbook process, connection
local, default Ansible configuration (no pipelining), on localhost, with ``timeout: 3``:

1. ``--endpoints`` endpoints (default 200), one probe task with the default concurrency (256);
2. the same task with ``concurrency: 1``;
3. an ``ansible.builtin.wait_for`` loop over the same endpoints' ports (``timeout: 3``), one item per
   endpoint. It checks far less: only that each port accepts TCP, no TLS, no upgrade, no CONNECT, so
   the silent endpoints pass it;
4. the scaling curve: one probe task with the default concurrency for each N of --curve.

Runs 1 to 3 are interleaved, repetition by repetition, so that load from other work on the machine
falls on all of them alike; the median of --repeats is reported with the ratios to run 1. A play
with no task is timed the same way: Ansible's start-up, part of every wall time.

Peak memory is the module process's peak RSS, measured the way ``/usr/bin/time -v`` reports
"Maximum resident set size": the managed host's interpreter (``ansible_python_interpreter``) is a
two-line shell script that ``exec``s ``/usr/bin/time -f '%M %e'`` on the real Python, so every
module process (the AnsiballZ wrapper and the module run in one Python process) appends its own
peak RSS (``ru_maxrss`` from ``wait4``) and its elapsed time to a file. One probe task is one module
process; a wait_for loop is one process per item: the largest peak is reported and the elapsed
times are summed. The rest of the wall time is the controller's (templating, transfer, results).
The wrapper costs one ``exec`` of a small C program per module run, about a millisecond, against
about 250 ms per module run of Ansible itself.

The benchmark checks what it measures and exits non-zero otherwise: every probe result's reason is
``ok`` for the healthy endpoints and ``connect_timeout`` for the silent ones, the task is not
changed, one module process ran per probe task; every wait_for item succeeded, one module process
per item. Results are read from the ``minimal`` stdout callback (module results, tokens masked).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks._shared import interleaved  # noqa: E402  pylint: disable=wrong-import-position
from tools.cloudapp import run_in_subprocess  # noqa: E402  pylint: disable=wrong-import-position
from tools.collection_link import link_collection  # noqa: E402  pylint: disable=wrong-import-position

BIN = os.path.dirname(sys.executable)
GNU_TIME = "/usr/bin/time"
TIMEOUT = 3
KEYS = ("token", "priority", "groupId", "hostName", "url")
RESULT_START = re.compile(r"^localhost \| (SUCCESS|CHANGED|FAILED!) => ", re.M)

# Endpoints and the CA come from a vars file (mode 0600) that the benchmark writes and removes.
PROBE_PLAY = """
- name: Probe the endpoints with one task
  hosts: localhost
  gather_facts: false
  vars_files: ["{{ bench_vars }}"]
  tasks:
    - name: One probe task for every endpoint
      netbackup.nbwss.probe:
        endpoints: "{{ bench_endpoints[:bench_count] }}"
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
      loop: "{{ bench_ports[:bench_count] }}"
""" % TIMEOUT

EMPTY_PLAY = """
- name: Ansible's start-up
  hosts: localhost
  gather_facts: false
  tasks: []
"""

# The managed host's interpreter: GNU time around the real Python; each module run appends its peak RSS (KiB)
# and its elapsed seconds.
INTERPRETER = """#!/bin/sh
exec %s -f '%%M %%e' -a -o "$NBWSS_BENCH_RSS" %s "$@"
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


def module_results(stdout):
    """The task results printed by the minimal stdout callback, in order."""
    decoder = json.JSONDecoder()
    return [decoder.raw_decode(stdout, match.end())[0] for match in RESULT_START.finditer(stdout)]


class Bench(object):
    """Runs playbooks against one cloud application and checks what each run measured."""

    def __init__(self, scratch, app, entries):
        self.scratch = scratch
        self.entries = entries
        self.collections = link_collection(scratch)
        self.interpreter = os.path.join(scratch, "python")
        write_private(self.interpreter, INTERPRETER % (GNU_TIME, sys.executable))
        os.chmod(self.interpreter, 0o700)
        self.vars = write_private(os.path.join(scratch, "vars.json"), json.dumps({
            "bench_endpoints": [{key: entry[key] for key in KEYS} for entry in entries],
            "bench_ports": [entry["port"] for entry in entries],
            "bench_ca": app.state["ca_bundle"],
        }))
        self.playbooks = {}
        for name, text in (("probe", PROBE_PLAY), ("wait_for", WAIT_FOR_PLAY), ("empty", EMPTY_PLAY)):
            self.playbooks[name] = write_private(os.path.join(scratch, name + ".yml"), text)
        self.runs = 0

    def playbook(self, name, count, concurrency=None):
        """Run one playbook; return (wall seconds, [(peak RSS KiB, seconds) per module process], [task results])."""
        self.runs += 1
        rss_file = os.path.join(self.scratch, "rss-%d.txt" % self.runs)
        extra = {"bench_vars": self.vars, "bench_count": count, "ansible_python_interpreter": self.interpreter}
        if concurrency is not None:
            extra["bench_concurrency"] = concurrency
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=self.collections, ANSIBLE_STDOUT_CALLBACK="minimal",
                   ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="false", NBWSS_BENCH_RSS=rss_file)
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
        return wall, processes, module_results(done.stdout)

    def expected_reasons(self, count):
        return ["ok" if entry["fault"] == "healthy" else "connect_timeout" for entry in self.entries[:count]]

    def probe(self, count, concurrency=None):
        """One probe task: (wall, module peak RSS KiB, reason counts, slowest probe ms, module process seconds).

        Exits if a result is not the expected one.
        """
        wall, rss, results = self.playbook("probe", count, concurrency)
        [result] = results
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
        [result] = results
        items = result["results"]
        failed = [item for item in items if item.get("failed")]
        if len(items) != count or failed or len(rss) != count:
            sys.exit("wait_for loop over %d ports: %d items, %d failed, %d module processes" % (count, len(items), len(failed), len(rss)))
        return wall, max(kib for kib, dummy in rss), Counter({"ok": len(items)}), None, sum(seconds for dummy, seconds in rss)

    def startup(self):
        wall, dummy, dummy = self.playbook("empty", 0)
        return wall


def mib(kib):
    return kib / 1024.0


def reasons_text(counter):
    return ", ".join("%d %s" % (number, reason) for reason, number in sorted(counter.items(), key=lambda item: -item[1]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=200, help="endpoints of the comparison (default 200)")
    parser.add_argument("--curve", default="50,200,1000", help="endpoint counts of the scaling curve (default 50,200,1000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement, median reported (default 3)")
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
            count = args.endpoints
            rows = {"default": [], "serial": [], "wait_for": [], "startup": []}
            for repeat in range(args.repeats):
                print("repetition %d of %d ..." % (repeat + 1, args.repeats), file=sys.stderr, flush=True)
                rows["startup"].append(bench.startup())
                rows["default"].append(bench.probe(count))
                rows["serial"].append(bench.probe(count, concurrency=1))
                rows["wait_for"].append(bench.wait_for(count))
            startup = statistics.median(rows["startup"])
            base = statistics.median(run[0] for run in rows["default"])
            print("\n%d endpoints (%d never answer CONNECT); ansible-playbook start-up (a play with no task): %.2f s\n"
                  % (count, count // 10, startup))
            header = "| run | wall (median) | minus start-up | / probe default | module process(es) | module peak RSS | results |"
            print(header)
            print("|---|---:|---:|---:|---:|---:|---|")
            for key, label in (("default", "probe task, concurrency 256 (default)"), ("serial", "probe task, concurrency 1"),
                               ("wait_for", "wait_for loop, %d items (TCP only)" % count)):
                wall = statistics.median(run[0] for run in rows[key])
                print("| %s | %.2f s | %.2f s | %.1fx | %.2f s | %.1f MiB | %s |" % (
                    label, wall, wall - startup, wall / base, statistics.median(run[4] for run in rows[key]),
                    mib(max(run[1] for run in rows[key])), reasons_text(rows[key][0][2])))
            print("\nall runs, wall seconds: " + "; ".join(
                "%s %s" % (key, ", ".join("%.2f" % run[0] for run in rows[key])) for key in ("default", "serial", "wait_for")))

            print("\nscaling, one probe task, default concurrency:\n")
            print("| endpoints | wall (median) | minus start-up | module process | slowest probe | module peak RSS | results |")
            print("|---:|---:|---:|---:|---:|---:|---|")
            for number in curve:
                runs = [bench.probe(number) for _repeat in range(args.repeats)]
                wall = statistics.median(run[0] for run in runs)
                print("| %d | %.2f s | %.2f s | %.2f s | %.0f ms | %.1f MiB | %s |" % (
                    number, wall, wall - startup, statistics.median(run[4] for run in runs), max(run[3] for run in runs),
                    mib(max(run[1] for run in runs)), reasons_text(runs[0][2])))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
