#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Crash-consistency proof for plugins/module_utils/_files.py write_file().

A forked child rewrites one file in a loop through write_file(), alternating content A and B
(256 KiB and 256 KiB + 4099 bytes, different byte patterns). The parent SIGKILLs it at a random
moment, checks that the file holds exactly A or exactly B (never partial, mixed or empty), then
forks a new child, KILLS times. It also counts the hidden temp files SIGKILL leaves behind and
checks that each is named ``.<name>.<random>.nbwss-tmp`` with mode 0600. Last, once those leftovers
are older than ``_files.STALE_TEMP_AGE``, it makes one more write into the directory, which must
remove every one of them (``leftover_after_next_write`` is 0).

SIGKILL proves atomicity against a dying process; it cannot simulate power loss (that is what
the fsync of the file and of the directory are for, and no user-space test can prove them).

Usage: crash_writes.py [--kills 200] [--seed N] [--json] [--naive]
``--naive`` is the negative control: the same harness with an in-place ``open(path, 'wb')``
writer, to show that the check does catch torn files (it exits 1 then).
Needs ansible-core and the collection importable (PYTHONPATH with the dir holding
ansible_collections/). Exit status 0 only if every kill was checked and none left a torn file.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import json
import os
import random
import re
import shutil
import signal
import stat
import sys
import tempfile
import time

SIZE = 256 * 1024
CONTENT_A = b'A' * (SIZE - 1) + b'\n'
CONTENT_B = (b'0123456789abcdef' * (SIZE // 16 + 300))[:SIZE + 4099]
NAME = 'endpoint.json'


def import_files():
    """Import _files, finding ansible_collections/ above this script if PYTHONPATH lacks it."""
    try:
        from ansible_collections.netbackup.nbwss.plugins.module_utils import _files
        return _files
    except ImportError:
        here = os.path.dirname(os.path.abspath(__file__))
        while os.path.basename(here) != 'ansible_collections' and os.path.dirname(here) != here:
            here = os.path.dirname(here)
        if os.path.basename(here) != 'ansible_collections':
            raise
        sys.path.insert(0, os.path.dirname(here))
        from ansible_collections.netbackup.nbwss.plugins.module_utils import _files
        return _files


def make_module():
    from ansible.module_utils.basic import AnsibleModule
    try:
        from ansible.module_utils.testing import patch_module_args
    except ImportError:  # ansible-core < 2.19
        patch_module_args = None
    if patch_module_args is not None:
        with patch_module_args({'_ansible_check_mode': False}):
            return AnsibleModule(argument_spec={})
    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes
    basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': {'_ansible_check_mode': False}}))
    return AnsibleModule(argument_spec={})


def naive_write(module, path, data):
    """The negative control: truncate and write in place, as a careless module would."""
    with open(path, 'wb') as handle:
        handle.write(data)


def writer(write, module, path, done_fd):
    """Child: rewrite ``path`` forever, one byte on ``done_fd`` per completed write."""
    try:
        index = 0
        while True:
            write(module, path, CONTENT_B if index % 2 else CONTENT_A)
            os.write(done_fd, b'.')
            index += 1
    except BaseException as err:  # pylint: disable=broad-except
        sys.stderr.write('writer failed: %r\n' % (err,))
        os._exit(3)


def drain(read_fd):
    count = 0
    while True:
        try:
            chunk = os.read(read_fd, 65536)
        except BlockingIOError:
            return count
        if not chunk:
            return count
        count += len(chunk)


def next_write(files, module, path, directory, stats):
    """Once the leftovers are stale, one more write into the directory: it must remove them all."""
    temps = [os.path.join(directory, name) for name in os.listdir(directory) if name != NAME]
    # Writers in the loop already removed the leftovers that had gone stale; these are the rest.
    stats['leftover_before_next_write'] = len(temps)
    stats['leftover_before_next_write_mode_0600'] = sum(1 for temp in temps if stat.S_IMODE(os.stat(temp).st_mode) == 0o600)
    if temps:
        # Dead writers' files are removed once older than STALE_TEMP_AGE (a live writer's never are).
        youngest = max(os.stat(temp).st_mtime for temp in temps)
        time.sleep(max(0.0, files.STALE_TEMP_AGE - (time.time() - youngest)) + 0.2)
    result = files.write_file(module, path, CONTENT_B if stats['a'] % 2 else CONTENT_A)
    stats['stale_removed_by_next_write'] = len(result.stale_removed)
    stats['leftover_after_next_write'] = sum(1 for name in os.listdir(directory) if name != NAME)


def run(kills, seed, max_delay, directory, naive=False):
    files = import_files()
    module = make_module()
    rng = random.Random(seed)
    path = os.path.join(directory, NAME)
    temp_name = re.compile(r'^\.' + re.escape(NAME) + r'\.[^/]+' + re.escape(files.TEMP_SUFFIX) + r'$')
    files.write_file(module, path, CONTENT_A)

    read_fd, done_fd = os.pipe()
    os.set_blocking(read_fd, False)
    stats = {'kills': 0, 'a': 0, 'b': 0, 'torn': 0, 'empty': 0, 'missing': 0, 'bad_mode': 0,
             'writer_errors': 0, 'writes_completed': 0, 'kills_leaving_temp': 0, 'seed': seed,
             'writer': 'naive in-place control' if naive else 'write_file'}
    torn_sizes = []
    seen_temps = set()
    started = time.time()
    for dummy in range(kills):
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            writer(naive_write if naive else files.write_file, module, path, done_fd)
        time.sleep(rng.uniform(0, max_delay))
        os.kill(pid, signal.SIGKILL)
        dummy, status = os.waitpid(pid, 0)
        if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
            stats['writer_errors'] += 1
        stats['kills'] += 1
        stats['writes_completed'] += drain(read_fd)

        try:
            with open(path, 'rb') as handle:
                data = handle.read()
            file_mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            data, file_mode = None, None
        if data is None:
            stats['missing'] += 1
        elif data == CONTENT_A:
            stats['a'] += 1
        elif data == CONTENT_B:
            stats['b'] += 1
        else:
            stats['torn'] += 1
            stats['empty'] += int(data == b'')
            torn_sizes.append(len(data))
        if file_mode is not None and file_mode != 0o600:
            stats['bad_mode'] += 1

        temps = set(name for name in os.listdir(directory) if name != NAME)
        if temps - seen_temps:
            stats['kills_leaving_temp'] += 1
        seen_temps |= temps

    os.close(read_fd)
    os.close(done_fd)
    stats['seconds'] = round(time.time() - started, 2)
    if not naive:
        next_write(files, module, path, directory, stats)
    stats['leftover_temps'] = len(seen_temps)
    stats['leftover_temps_hidden_with_suffix'] = sum(1 for name in seen_temps if temp_name.match(name))
    stats['leftover_temp_examples'] = sorted(seen_temps)[:3]
    stats['torn_sizes'] = torn_sizes[:10]
    return stats


def main():
    parser = argparse.ArgumentParser(description='SIGKILL write_file() at random moments and check the file is never torn.')
    parser.add_argument('--kills', type=int, default=200)
    parser.add_argument('--seed', type=int, default=None, help='random seed for kill moments (default: random)')
    parser.add_argument('--max-delay', type=float, default=0.03, help='longest wait before a kill, seconds')
    parser.add_argument('--naive', action='store_true',
                        help='negative control: write in place instead of write_file (must show torn files)')
    parser.add_argument('--json', action='store_true', help='print the figures as one JSON line')
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2 ** 32)

    directory = tempfile.mkdtemp(prefix='nbwss-crash-')
    try:
        stats = run(args.kills, seed, args.max_delay, directory, naive=args.naive)
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    ok = (stats['kills'] == args.kills and stats['torn'] == 0 and stats['missing'] == 0
          and stats['bad_mode'] == 0 and stats['writer_errors'] == 0 and stats.get('leftover_after_next_write', 0) == 0)
    if args.json:
        print(json.dumps(stats, sort_keys=True))
    else:
        print('writer=%(writer)s seed=%(seed)d kills=%(kills)d A=%(a)d B=%(b)d torn=%(torn)d empty=%(empty)d missing=%(missing)d '
              'bad_mode=%(bad_mode)d writer_errors=%(writer_errors)d writes_completed=%(writes_completed)d '
              'seconds=%(seconds)s' % stats)
        print('leftover temps seen=%d (from %d kills that landed mid-write); hidden .%s.*%s names: %d; e.g. %s'
              % (stats['leftover_temps'], stats['kills_leaving_temp'], NAME, '.nbwss-tmp',
                 stats['leftover_temps_hidden_with_suffix'], ', '.join(stats['leftover_temp_examples']) or '-'))
        if not args.naive:
            print('before the next write: %d leftovers (mode 0600: %d; later writers had removed the others once stale); '
                  'the next write removed %d; leftover temps after it: %d'
                  % (stats['leftover_before_next_write'], stats['leftover_before_next_write_mode_0600'],
                     stats['stale_removed_by_next_write'], stats['leftover_after_next_write']))
        print('RESULT: %s' % ('OK, every kill left exactly the old or the new file' if ok else 'FAILED'))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
