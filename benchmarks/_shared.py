# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the benchmark scripts share: a timed ansible-playbook run on localhost, the first/no-change
measurement around it, and the mix of healthy and silent endpoints of the probe benchmarks."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time

BIN = os.path.dirname(sys.executable)
RECAP = re.compile(r'^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)
PROXY_VARIABLES = ('http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY')


def run_playbook(playbook, extra_vars_file, bench_dir, collections, fmt):
    """One ansible-playbook run on localhost: (wall seconds, changed count); exits on any failure."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_NOCOLOR='1',
               ANSIBLE_HOST_KEY_CHECKING='false', ANSIBLE_RETRY_FILES_ENABLED='false')
    for name in PROXY_VARIABLES:  # everything runs on loopback
        env.pop(name, None)
    cmd = [os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', playbook,
           '-e', 'ansible_python_interpreter=%s' % sys.executable, '-e', '@%s' % extra_vars_file,
           '-e', 'bench_dir=%s' % bench_dir, '-e', 'bench_format=%s' % fmt]
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False)
    elapsed = time.perf_counter() - start
    recap = RECAP.search(proc.stdout)
    if proc.returncode != 0 or recap is None or int(recap.group(4)):
        # The output of these playbooks never holds a token (no_log / module redaction); show its tail.
        tail = '\n'.join(proc.stdout.splitlines()[-25:])
        sys.exit('ansible-playbook %s failed (exit %d):\n%s' % (os.path.basename(playbook), proc.returncode, tail))
    return elapsed, int(recap.group(2))


def measure(name, playbook, extra_vars_file, scratch, collections, fmt, count, repeats, read_files):
    """[(first, second)] wall times and ``read_files(directory, fmt)`` of the last repetition.

    Each repetition runs the playbook twice into a fresh directory and checks changed=1 then
    changed=0 and ``count`` files.
    """
    runs = []
    files = None
    for repeat in range(repeats):
        bench_dir = os.path.join(scratch, '%s-%d' % (name, repeat))
        os.mkdir(bench_dir, 0o700)
        first, changed_first = run_playbook(playbook, extra_vars_file, bench_dir, collections, fmt)
        second, changed_second = run_playbook(playbook, extra_vars_file, bench_dir, collections, fmt)
        if changed_first != 1 or changed_second != 0:
            sys.exit('%s: expected changed=1 then changed=0, got %d then %d' % (name, changed_first, changed_second))
        files = read_files(bench_dir, fmt)
        if len(files) != count:
            sys.exit('%s: expected %d files, found %d' % (name, count, len(files)))
        runs.append((first, second))
        shutil.rmtree(bench_dir)
    return runs, files


def median(runs, which):
    return statistics.median(run[which] for run in runs)


def interleaved(entries):
    """Healthy and silent endpoints mixed, one silent in every ten, so that any first N has 10 % silent,
    as a real fleet's failures would fall."""
    healthy = [entry for entry in entries if entry["fault"] == "healthy"]
    silent = [entry for entry in entries if entry["fault"] != "healthy"]
    mixed = []
    while healthy or silent:
        mixed.extend(healthy[:9])
        healthy = healthy[9:]
        mixed.extend(silent[:1])
        silent = silent[1:]
    return mixed
