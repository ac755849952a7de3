# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""make test runs every directory of Python tests (the ansible-rulebook ones on their own venv), and the test files the Makefile names exist."""

from __future__ import annotations

import os
import re

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
SKIP_DIRS = {'output', '__pycache__', '.pytest_cache', '.hypothesis'}


def makefile_words(name):
    """The words of a ``NAME := ...`` assignment in the Makefile (continuation lines joined)."""
    with open(os.path.join(ROOT, 'Makefile')) as handle:
        text = handle.read().replace('\\\n', ' ')
    match = re.search(r'^%s\s*:?=(.*)$' % re.escape(name), text, re.MULTILINE)
    assert match, 'the Makefile does not set %s' % name
    return match.group(1).split()


def python_test_dirs():
    """The directories right under tests/ that hold pytest files (test_*.py)."""
    found = set()
    for directory, dirs, files in os.walk(os.path.join(ROOT, 'tests')):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        if any(name.startswith('test_') and name.endswith('.py') for name in files):
            found.add(os.path.relpath(directory, ROOT).split(os.sep)[:2][-1])
    return sorted(found)


def test_every_directory_of_python_tests_is_run_by_make_test():
    run = makefile_words('PYTEST_DIRS') + makefile_words('EDA_PYTEST_DIRS')
    assert sorted(path.split('/')[1] for path in run) == python_test_dirs()


def test_the_probe_tests_run_on_python_38_exist():
    paths = makefile_words('PROBE_TESTS')
    assert paths
    assert [path for path in paths if not os.path.isfile(os.path.join(ROOT, path))] == []
