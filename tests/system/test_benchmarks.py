# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The benchmarks that read the collection's data (probe results, fleet views) still run, at a tiny size.

They are otherwise run by hand (docs/benchmarks.md), so a change of a result's form broke one unnoticed once:
report_page.py built its probe results in the form groups had before they listed members. The figures are not
judged here; each script checks what it measures and must print its table.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from ansible_collections.netbackup.nbwss.tests.harness.chromium import chromium

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_benchmark(script, *args):
    proc = subprocess.run([sys.executable, os.path.join(REPO_ROOT, 'benchmarks', script)] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]
    return proc.stdout


@pytest.mark.skipif(not os.path.exists('/usr/bin/time') and not os.environ.get('CI'),
                    reason='GNU time is not installed here (make test installs it)')
def test_the_fleet_benchmark_runs_the_rollout_and_the_floor():
    output = run_benchmark('fleet.py', '--masters', '2', '--baselines', 'floor')

    assert re.search(r'^\| 2 \| [0-9.]+ s \| [0-9.]+ s \| [0-9.]+x \(?', output, re.M), output[-2000:]
    assert 'module endpoint_set: 2 processes' in output and 'module probe: 2 processes' in output
    assert 'module stat: 4 processes' in output


@pytest.mark.skipif(chromium() is None and not os.environ.get('CI'),
                    reason='Chromium is not installed here (make test installs it)')
def test_the_page_benchmark_renders_and_loads_a_page():
    output = run_benchmark('report_page.py', '--masters', '3', '--groups', '2', '--repeats', '1')

    assert re.search(r'^\| 3 x 2 \| [0-9.]+ MiB \| [0-9.]+ MiB \| [0-9.]+ s \| [0-9]+ ms \|$', output, re.M), output[-2000:]
