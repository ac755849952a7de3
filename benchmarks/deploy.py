# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Deploy N endpoint files on one host: one netbackup.nbwss.endpoint_set task vs. an ansible.builtin.copy loop.

Usage: .venv/bin/python benchmarks/deploy.py [--endpoints 50] [--repeats 3]

Both playbooks write the same N plain files (the canonical NetBackup JSON, mode 0600) into a fresh
empty directory on localhost (connection local), then run again with nothing to change. Each
ansible-playbook run is timed from outside (wall time, Ansible's fixed start-up included); every
measurement is repeated and the median is reported, with the ratio copy / endpoint_set. The
benchmark also checks what it measures: the first run reports changed, the second does not, and
both approaches leave byte-identical files. A sealed endpoint_set row is shown for reference.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks._shared import measure, median  # noqa: E402  pylint: disable=wrong-import-position
from tools.collection_link import link_collection  # noqa: E402  pylint: disable=wrong-import-position

# A test-only key for the sealed reference row.
BENCH_KEY = 'q0vKz1X7m2b9Yc3LwT5nR8dF4hJ6sP0aE2gU7iO9kMc='

ENDPOINT_SET_PLAY = '''
- name: Deploy the endpoint files with one endpoint_set task
  hosts: localhost
  gather_facts: false
  tasks:
    - name: All endpoint files in one round trip
      netbackup.nbwss.endpoint_set:
        dir: "{{ bench_dir }}"
        endpoints: "{{ bench_endpoints }}"
        format: "{{ bench_format }}"
        key: "{{ bench_key if bench_format == 'sealed' else omit }}"
'''

COPY_PLAY = '''
- name: Deploy the endpoint files with a copy loop
  hosts: localhost
  gather_facts: false
  tasks:
    - name: One copy per endpoint file
      ansible.builtin.copy:
        dest: "{{ bench_dir }}/nbwss_{{ item.groupId }}_{{ item.priority }}.json"
        content: "{{ bench_canonical[loop_index] }}"
        mode: "0600"
      loop: "{{ bench_endpoints }}"
      loop_control:
        index_var: loop_index
        label: "{{ item.groupId }}_{{ item.priority }}"
      no_log: true
      diff: false
'''


def make_endpoints(count, collections):
    """``count`` endpoints (10 groups, priorities 1..) and their canonical file content."""
    sys.path.insert(0, collections)
    from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import endpoint_from_dict

    endpoints = []
    canonical = []
    for index in range(count):
        group = 'G%02d' % (index % 10)
        value = {
            # Built here, never written to the repository; shaped like the suite's fake tokens.
            'token': 'nbwss' + 'Bench' + 'Tok3n-%04d-%s' % (index, os.urandom(6).hex()),
            'priority': index // 10 + 1,
            'groupId': group,
            'hostName': 'cloud%02d.example.com' % index,
            'url': 'wss://cloud%02d.example.com:14146/cfs/nbufacade' % index,
        }
        endpoints.append(value)
        canonical.append(endpoint_from_dict(value, source='bench').canonical_json().decode('utf-8'))
    return endpoints, canonical


def snapshot(directory, fmt=None):  # pylint: disable=unused-argument
    """file name -> (bytes, mode) of every file in ``directory``."""
    found = {}
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        with open(path, 'rb') as handle:
            found[name] = (handle.read(), os.stat(path).st_mode & 0o777)
    return found


def main(args):
    scratch = tempfile.mkdtemp(prefix='nbwss-bench-')
    try:
        collections = link_collection(scratch)
        endpoints, canonical = make_endpoints(args.endpoints, collections)
        extra_vars_file = os.path.join(scratch, 'vars.json')
        fd = os.open(extra_vars_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, 'w') as handle:
            json.dump({'bench_endpoints': endpoints, 'bench_canonical': canonical, 'bench_key': BENCH_KEY}, handle)
        playbooks = {}
        for name, text in (('endpoint_set', ENDPOINT_SET_PLAY), ('copy', COPY_PLAY)):
            playbooks[name] = os.path.join(scratch, '%s.yml' % name)
            with open(playbooks[name], 'w') as handle:
                handle.write(text)

        results = {}
        files = {}
        # Interleaved order would not change the picture; each measurement uses its own fresh directories.
        for label, name, fmt in (('endpoint_set (plain)', 'endpoint_set', 'plain'), ('copy loop (plain)', 'copy', 'plain'),
                                 ('endpoint_set (sealed)', 'endpoint_set', 'sealed')):
            if fmt == 'sealed' and args.no_sealed:
                continue
            print('measuring %-22s %d x 2 runs ...' % (label, args.repeats), file=sys.stderr, flush=True)
            results[label], files[label] = measure(label.replace(' ', '_').replace('(', '').replace(')', ''),
                                                   playbooks[name], extra_vars_file, scratch, collections, fmt,
                                                   args.endpoints, args.repeats, snapshot)
        if files['endpoint_set (plain)'] != files['copy loop (plain)']:
            sys.exit('endpoint_set and the copy loop left different files; the comparison is not like for like')

        import ansible
        print('\n%d endpoint files on localhost (connection local), ansible-core %s, Python %s; '
              'median of %d runs each, wall time of ansible-playbook'
              % (args.endpoints, ansible.__version__, sys.version.split()[0], args.repeats))
        print('both approaches leave byte-identical files (canonical JSON, mode 0600)\n')
        header = '%-26s %18s %18s %10s' % ('run', 'endpoint_set', 'copy loop', 'copy/set')
        print(header)
        print('-' * len(header))
        for which, label in ((0, 'first run (%d created)' % args.endpoints), (1, 'no-change run')):
            es = median(results['endpoint_set (plain)'], which)
            cp = median(results['copy loop (plain)'], which)
            print('%-26s %16.2f s %16.2f s %9.1fx' % (label, es, cp, cp / es))
        if 'endpoint_set (sealed)' in results:
            sealed = results['endpoint_set (sealed)']
            print('\nreference: endpoint_set with format sealed: first run %.2f s, no-change run %.2f s'
                  % (median(sealed, 0), median(sealed, 1)))
        print('\nall runs (first, no-change) in seconds:')
        for label, runs in results.items():
            print('  %-22s %s' % (label, ', '.join('(%.2f, %.2f)' % run for run in runs)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--endpoints', type=int, default=50, help='number of endpoint files (default 50)')
    parser.add_argument('--repeats', type=int, default=3, help='runs per measurement, median reported (default 3)')
    parser.add_argument('--no-sealed', action='store_true', help='skip the sealed endpoint_set reference row')
    main(parser.parse_args())
