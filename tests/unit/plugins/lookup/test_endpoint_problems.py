# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""endpoint_problems on what is not a regular file, and the line saying what was checked."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import socket
import threading

import pytest

from ansible_collections.netbackup.nbwss.tests.unit.plugins.lookup.lookup_runner import LookupRun

from ansible_collections.netbackup.nbwss.plugins.lookup import endpoint_problems

# Long enough for a loaded machine, short enough that a regression fails the test instead of hanging it.
DEADLINE = 20


@pytest.fixture
def check(monkeypatch):
    return LookupRun(endpoint_problems, monkeypatch)


def endpoint_file(directory, name, priority):
    value = {'token': 'nbwssFilesTok3n-%s' % priority, 'priority': priority, 'groupId': 'G1',
             'hostName': 'a.example.com', 'url': 'wss://a.example.com/%s' % priority}
    path = os.path.join(str(directory), name)
    with open(path, 'w') as handle:
        json.dump(value, handle)
    return path


def within_deadline(fifos, run):
    """``run()``'s result; fail (after releasing a blocked reader through ``fifos``) when it takes too long."""
    outcome = {}

    def target():
        try:
            outcome['result'] = run()
        except Exception as err:  # pylint: disable=broad-except
            outcome['error'] = err

    worker = threading.Thread(target=target)
    worker.daemon = True
    worker.start()
    worker.join(DEADLINE)
    if worker.is_alive():
        for fifo in fifos:
            # A writer releases a reader blocked in open(); the reader then sees end of file.
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(DEADLINE)
        pytest.fail('the lookup blocked on a FIFO for %d seconds' % DEADLINE)
    if 'error' in outcome:
        raise outcome['error']
    return outcome['result']


def test_a_fifo_named_like_an_endpoint_file_is_a_problem_not_a_blocking_read(tmp_path, check):
    endpoint_file(tmp_path, 'a.json', 1)
    endpoint_file(tmp_path, 'b.json', 2)
    fifo = str(tmp_path / 'x.json')
    os.mkfifo(fifo)
    os.symlink(fifo, str(tmp_path / 'y.json'))

    result = within_deadline([fifo], lambda: check([str(tmp_path)]))

    assert [row['message'] for row in result] == ['%s: not a regular file (a FIFO)' % fifo,
                                                  '%s: not a regular file (a FIFO)' % (tmp_path / 'y.json')]
    assert result[0]['files'] == [fifo]


def test_a_fifo_given_by_name_is_a_problem_too(tmp_path, check):
    fifo = str(tmp_path / 'only.json')
    os.mkfifo(fifo)

    result = within_deadline([fifo], lambda: check([fifo]))

    assert [row['message'] for row in result] == ['%s: not a regular file (a FIFO)' % fifo]


def test_a_socket_and_a_device_are_named_by_their_kind(tmp_path, check):
    path = str(tmp_path / 's.json')
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(path)
        os.symlink(os.devnull, str(tmp_path / 'null.json'))
        result = check([str(tmp_path)])
    finally:
        server.close()

    assert [row['message'] for row in result] == ['%s: not a regular file (a character device)' % (tmp_path / 'null.json'),
                                                  '%s: not a regular file (a socket)' % path]


def test_the_summary_counts_the_files_checked(tmp_path, check):
    endpoint_file(tmp_path, 'a.json', 1)
    endpoint_file(tmp_path, 'b.json', 2)
    (tmp_path / 'one').mkdir()
    endpoint_file(tmp_path / 'one', 'c.json', 3)

    clean = check([str(tmp_path)], summary=True)
    endpoint_file(tmp_path / 'one', 'd.json', 3)
    conflict = check([str(tmp_path)], summary=True)
    single = check([str(tmp_path / 'one' / 'c.json')], summary=True)
    endpoint_file(tmp_path / 'one', 'c.json', '3')
    broken = check([str(tmp_path / 'one' / 'c.json')], summary=True)

    assert clean == [{'problems': [], 'files_checked': 3, 'message': '3 files checked: no problem'}]
    # The same groupId and priority, and the same url.
    assert conflict[0]['message'] == '4 files checked: 2 problems' and len(conflict[0]['problems']) == 2
    assert single[0]['message'] == '1 file checked: no problem'
    assert broken[0]['message'] == '1 file checked: 1 problem' and len(broken[0]['problems']) == 1
