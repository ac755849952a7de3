# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: start the reference cloud application with 200 endpoints in 10 groups and time NBWSS CONNECT handshakes.

Run from the repository root: ``python benchmarks/cloudapp_connect.py [--count 200] [--groups 10] [--workers 16]``.
Exits non-zero if any handshake is not answered ``valid: true``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from websockets.exceptions import WebSocketException

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tools.cloudapp import run_in_subprocess  # noqa: E402  pylint: disable=wrong-import-position
from tools.cloudapp.client import handshake  # noqa: E402  pylint: disable=wrong-import-position


def _timed(endpoint: dict, context) -> tuple[bool, float]:
    started = time.perf_counter()
    try:
        ok = handshake(endpoint["url"], endpoint["token"], context, timeout=5.0)
    except (OSError, ValueError, WebSocketException) as exc:
        # Report and count the failure, then go on: one bad endpoint must not hide the others' figures.
        print(f"  {endpoint['name']}: {type(exc).__name__}: {exc}", file=sys.stderr)
        ok = False
    return ok, time.perf_counter() - started


def _report(label: str, results: list[tuple[bool, float]], total: float) -> int:
    failures = sum(1 for ok, _seconds in results if not ok)
    median_ms = statistics.median(seconds for _ok, seconds in results) * 1000
    print(f"{label:<22} total {total:6.3f} s for {len(results)}   median {median_ms:6.2f} ms/endpoint   failures {failures}")
    return failures


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args()
    config = {"endpoints": [{"generate": {"count": args.count, "groups": args.groups, "token_prefix": "bench-token-"}}]}
    overall = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cloudapp-bench-") as state_dir:
        started = time.perf_counter()
        app = run_in_subprocess(config, state_dir)
        try:
            start_seconds = time.perf_counter() - started
            endpoints = app.state["endpoints"]
            context = app.client_context()
            print(f"cloudapp start         {start_seconds:6.3f} s  ({len(endpoints)} endpoints in {args.groups} groups, pid {app.pid})")

            begin = time.perf_counter()
            sequential = [_timed(endpoint, context) for endpoint in endpoints]
            failures = _report("sequential", sequential, time.perf_counter() - begin)

            begin = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.workers) as pool:
                pooled = list(pool.map(lambda endpoint: _timed(endpoint, context), endpoints))
            failures += _report(f"thread pool ({args.workers})", pooled, time.perf_counter() - begin)
        finally:
            code = app.stop()
    print(f"overall                {time.perf_counter() - overall:6.3f} s  (app exit code {code})")
    return 1 if failures or code != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
