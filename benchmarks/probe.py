# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: the probe engine (plugins/module_utils/_probe.py) against the reference cloud application.

Run from the repository root with a Python that runs the cloud application (3.11+, websockets 17):
``python benchmarks/probe.py [--repeats 3] [--ticket-rounds 20] [--probe-python PYTHON]``.

Every probe runs in a child process (``--probe-python``, default this Python) that imports only the
engine, as the module does on the master, so its peak RSS is the probe's own. Scenarios:

1. 200 endpoints in 10 groups, every 10th never answering CONNECT, timeout 3 s: wall time.
2. 1000 endpoints in 50 groups, every 10th silent, timeout 3 s, concurrency 256 and 1000 (the
   default): wall time and the probing process's peak RSS (and its RSS after imports, before probing).
3. TLS 1.3 session tickets on (2 per handshake): rounds of 180 healthy endpoints; probes slower than
   1 s and failures; then the same rounds with a pool of 16 websockets.sync clients for comparison.

Exits non-zero if any probe result is not the one its scenario expects.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks._shared import interleaved  # noqa: E402  pylint: disable=wrong-import-position
from tools.cloudapp import run_in_subprocess  # noqa: E402  pylint: disable=wrong-import-position
from tools.collection_link import link_collection  # noqa: E402  pylint: disable=wrong-import-position
from tools.cloudapp.client import handshake  # noqa: E402  pylint: disable=wrong-import-position

# The child: read endpoints and options as JSON on stdin, probe, print figures (never a token) as JSON.
CHILD = r'''
import collections, json, resource, sys, time
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import endpoint_from_dict
from ansible_collections.netbackup.nbwss.plugins.module_utils._probe import ProbeOptions, probe_endpoints
job = json.load(sys.stdin)
endpoints = [endpoint_from_dict(entry, source='bench') for entry in job['endpoints']]
rss_imported = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.monotonic()
results = probe_endpoints(endpoints, ProbeOptions(**job['options']))
wall = time.monotonic() - started
print(json.dumps({
    'wall': wall, 'rss_imported_kib': rss_imported, 'rss_peak_kib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    'reasons': [result['reason'] for result in results], 'slowest_ms': max(result['ms']['total'] for result in results),
}))
'''
KEYS = ("token", "priority", "groupId", "hostName", "url")


def fleet_config(count, groups, silent=0, tickets=0):
    """``count`` endpoints, ``silent`` of them no_reply; tokens built at run time, shaped like the suite's fakes."""
    endpoints = [{"generate": {"count": count - silent, "groups": groups, "token_prefix": "nbwss" + "BenchTok3n-" + os.urandom(4).hex() + "-"}}]
    if silent:
        endpoints.append({"generate": {"count": silent, "groups": groups, "token_prefix": "nbwss" + "QuietTok3n-" + os.urandom(4).hex() + "-",
                                       "name_prefix": "quiet", "group_prefix": "quiet", "fault": "no_reply"}})
    return {"session_tickets": tickets, "endpoints": endpoints}


def probe(python, collections, entries, **options):
    """Run one probe in a child process; return its figures and the expected-vs-got check."""
    job = {"endpoints": [{key: entry[key] for key in KEYS} for entry in entries], "options": options}
    env = dict(os.environ, PYTHONPATH=collections)
    # The endpoints (tokens included) go through a pipe, never a file or the command line.
    done = subprocess.run([python, "-c", CHILD], input=json.dumps(job), capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"probe child failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    figures = json.loads(done.stdout)
    expected = ["ok" if entry["fault"] == "healthy" else "connect_timeout" for entry in entries]
    figures["wrong"] = sum(1 for want, got in zip(expected, figures["reasons"]) if want != got)
    return figures


def fleet_scenario(python, collections, count, groups, concurrencies, repeats, scratch):
    """``count`` endpoints, every 10th silent, timeout 3 s, once per concurrency: wall, slowest probe, peak RSS."""
    wrong = 0
    with run_in_subprocess(fleet_config(count, groups, silent=count // 10), os.path.join(scratch, f"app-{count}"), timeout=120) as app:
        entries = interleaved(app.state["endpoints"])
        for concurrency in concurrencies:
            runs = [probe(python, collections, entries, timeout=3.0, concurrency=concurrency, ca_path=app.state["ca_bundle"])
                    for _repeat in range(repeats)]
            walls = [run["wall"] for run in runs]
            label = f"{count} endpoints, concurrency {concurrency}"
            print(f"{label:<34} wall median {statistics.median(walls):6.3f} s (min {min(walls):.3f}, max {max(walls):.3f}), "
                  f"slowest probe {max(run['slowest_ms'] for run in runs):7.1f} ms, "
                  f"peak RSS {max(run['rss_peak_kib'] for run in runs) / 1024:5.1f} MiB "
                  f"(after imports {runs[0]['rss_imported_kib'] / 1024:.1f} MiB), wrong results {sum(run['wrong'] for run in runs)}")
            wrong += sum(run["wrong"] for run in runs)
    return wrong


def tickets_scenario(python, collections, rounds, scratch):
    with run_in_subprocess(fleet_config(180, 10, tickets=2), os.path.join(scratch, "app-tickets"), timeout=120) as app:
        entries = app.state["endpoints"]
        wrong = 0
        slowest = []
        for _round in range(rounds):
            run = probe(python, collections, entries, timeout=10.0, ca_path=app.state["ca_bundle"])
            wrong += run["wrong"]
            slowest.append(run["slowest_ms"])
        print(f"{'tickets on, probe engine':<34} {rounds * len(entries)} probes in {rounds} rounds: wrong results {wrong}, "
              f"rounds with a probe over 1 s {sum(1 for ms in slowest if ms > 1000)}, slowest {max(slowest):.1f} ms")
        context = app.client_context()

        def timed(entry):
            started = time.perf_counter()
            try:
                ok = handshake(entry["url"], entry["token"], context, timeout=15)
            except Exception:  # pylint: disable=broad-exception-caught
                ok = False  # counted below: the comparison is about how often this client fails
            return ok, time.perf_counter() - started

        outcomes = []
        for _round in range(rounds):
            with ThreadPoolExecutor(16) as pool:
                outcomes.extend(pool.map(timed, entries))
        print(f"{'tickets on, websockets.sync pool 16':<34} {len(outcomes)} handshakes: failed {sum(1 for ok, _s in outcomes if not ok)}, "
              f"over 1 s {sum(1 for _ok, seconds in outcomes if seconds > 1)}, slowest {max(s for _ok, s in outcomes) * 1000:.1f} ms")
    return wrong


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ticket-rounds", type=int, default=20)
    parser.add_argument("--probe-python", default=sys.executable, help="Python that runs the probe (the managed host's)")
    args = parser.parse_args()
    version = subprocess.run([args.probe_python, "-c", "import platform, websockets; print(platform.python_version(), websockets.__version__)"],
                             capture_output=True, text=True, check=True).stdout.split()
    print(f"probe process: Python {version[0]}, websockets {version[1]}; {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="nbwss-probe-bench-") as scratch:
        collections = link_collection(scratch)
        print("every 10th endpoint never answers CONNECT; timeout 3 s")
        wrong = fleet_scenario(args.probe_python, collections, 200, 10, [1000], args.repeats, scratch)
        wrong += fleet_scenario(args.probe_python, collections, 1000, 50, [256, 1000], args.repeats, scratch)
        wrong += tickets_scenario(args.probe_python, collections, args.ticket_rounds, scratch)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
