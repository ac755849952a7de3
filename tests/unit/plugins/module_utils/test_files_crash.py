# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs tests/crash/crash_writes.py: SIGKILL during writes never leaves a torn file."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'crash', 'crash_writes.py')


def run_crash_script(*args):
    env = dict(os.environ)
    # The child must import the collection the same way this test process does.
    env['PYTHONPATH'] = os.pathsep.join(path for path in sys.path if path)
    proc = subprocess.run([sys.executable, SCRIPT, '--json'] + list(args), env=env, timeout=300,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert proc.stdout.strip(), proc.stderr
    return proc.returncode, json.loads(proc.stdout.strip().splitlines()[-1])


def test_200_kills_during_writes_never_leave_a_partial_or_empty_file():
    returncode, stats = run_crash_script('--kills', '200', '--seed', '20260101')

    assert returncode == 0, stats
    assert stats['kills'] == 200
    assert stats['torn'] == 0
    assert stats['empty'] == 0
    assert stats['missing'] == 0
    assert stats['a'] + stats['b'] == 200
    assert stats['bad_mode'] == 0
    assert stats['writer_errors'] == 0
    assert stats['writes_completed'] > 0
    # Leftovers from SIGKILL are hidden .endpoint.json.*.nbwss-tmp files that never have a looser mode.
    assert stats['leftover_temps_hidden_with_suffix'] == stats['leftover_temps']
    assert stats['leftover_before_next_write_mode_0600'] == stats['leftover_before_next_write']
    # The next write into the directory removes every leftover of a dead writer.
    assert stats['stale_removed_by_next_write'] == stats['leftover_before_next_write']
    assert stats['leftover_after_next_write'] == 0


def test_the_crash_check_catches_torn_files_from_an_in_place_writer():
    returncode, stats = run_crash_script('--kills', '40', '--seed', '7', '--naive')

    assert returncode == 1
    assert stats['kills'] == 40
    assert stats['torn'] > 0
