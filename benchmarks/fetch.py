# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fetch N endpoints from provider URLs onto one host: endpoint_set provider entries vs. an endpoint_fetch loop vs. uri + copy.

Usage: .venv/bin/python benchmarks/fetch.py [--providers 20] [--repeats 3] [--no-sealed]

The reference cloud application (tools/cloudapp) serves N endpoints, each at its own provider URL
behind a bearer token. Three playbooks fetch them onto localhost (connection local) as N plain
endpoint files in a fresh empty directory, then run again with nothing to change:

- one netbackup.nbwss.endpoint_set task with N provider entries;
- a loop of netbackup.nbwss.endpoint_fetch with path, one item per URL;
- the builtin way: an ansible.builtin.uri loop (GET with the bearer header) and an
  ansible.builtin.copy loop writing each body, both with no_log as a careful user would.

Each ansible-playbook run is timed from outside (wall time, Ansible's start-up included); every
measurement is repeated and the median reported, with the ratios to endpoint_set. The benchmark
checks what it measures: the first run reports changed, the second does not, N files of mode 0600,
and every approach leaves files with the same meaning (the same endpoint per URL, compared parsed).
A sealed endpoint_set row is shown for reference.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks._shared import measure, median  # noqa: E402  pylint: disable=wrong-import-position
from tools.cloudapp import run_in_subprocess  # noqa: E402  pylint: disable=wrong-import-position
from tools.collection_link import link_collection  # noqa: E402  pylint: disable=wrong-import-position

# A test-only key for the sealed reference row.
BENCH_KEY = 'Wq3nT8vZk1pL6rY0bC5xH2mJ9dF4gS7aE3uI8oK1tRw='
FIELDS = ('token', 'priority', 'groupId', 'hostName', 'url')

ENDPOINT_SET_PLAY = '''
- name: Fetch every endpoint with one endpoint_set task
  hosts: localhost
  gather_facts: false
  tasks:
    - name: All provider entries in one round trip
      netbackup.nbwss.endpoint_set:
        dir: "{{ bench_dir }}"
        format: "{{ bench_format }}"
        key: "{{ bench_key if bench_format == 'sealed' else omit }}"
        ca_path: "{{ bench_ca }}"
        api_token: "{{ bench_api_token }}"
        endpoints: "{{ bench_entries }}"
'''

FETCH_LOOP_PLAY = '''
- name: Fetch every endpoint with an endpoint_fetch loop
  hosts: localhost
  gather_facts: false
  tasks:
    - name: One endpoint_fetch per provider URL
      netbackup.nbwss.endpoint_fetch:
        url: "{{ item.url }}"
        path: "{{ bench_dir }}/nbwss_{{ item.name }}.json"
        format: plain
        ca_path: "{{ bench_ca }}"
        api_token: "{{ bench_api_token }}"
      loop: "{{ bench_providers }}"
      loop_control:
        label: "{{ item.name }}"
'''

BUILTIN_PLAY = '''
- name: Fetch every endpoint with uri and copy
  hosts: localhost
  gather_facts: false
  tasks:
    - name: GET each provider URL
      ansible.builtin.uri:
        url: "{{ item.url }}"
        ca_path: "{{ bench_ca }}"
        headers:
          Authorization: "Bearer {{ bench_api_token }}"
        return_content: true
      loop: "{{ bench_providers }}"
      loop_control:
        label: "{{ item.name }}"
      register: bench_fetched
      no_log: true

    - name: Write each body as an endpoint file
      ansible.builtin.copy:
        dest: "{{ bench_dir }}/nbwss_{{ item.item.name }}.json"
        content: "{{ item.content }}"
        mode: "0600"
      loop: "{{ bench_fetched.results }}"
      loop_control:
        label: "{{ item.item.name }}"
      no_log: true
      diff: false
'''


def app_config(count, api_token):
    """N endpoints in 4 groups, each behind its own provider URL with the bearer token."""
    return {
        # Built here, never written to the repository; shaped like the suite's fake tokens.
        'endpoints': [{'generate': {'count': count, 'groups': 4, 'name_prefix': 'p', 'group_prefix': 'BENCH',
                                    'token_prefix': 'nbwss' + 'Bench' + 'Tok3n-%s-' % os.urandom(4).hex()}}],
        'providers': [{'name': 'p%0*d' % (len(str(count)), index), 'endpoint': 'p%0*d' % (len(str(count)), index),
                       'auth': {'bearer': api_token}} for index in range(1, count + 1)],
    }


def meanings(directory, fmt):
    """file name without extension -> the endpoint it holds (parsed: the same meaning whatever the bytes); checks mode 0600."""
    from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import parse_key, unseal

    found = {}
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if os.stat(path).st_mode & 0o777 != 0o600:
            sys.exit('%s: mode %04o, expected 0600' % (path, os.stat(path).st_mode & 0o777))
        with open(path, 'rb') as handle:
            data = handle.read()
        if fmt == 'sealed':
            data = unseal(data, [parse_key(BENCH_KEY)])[0]
        value = json.loads(data.decode('utf-8'))
        found[os.path.splitext(name)[0]] = tuple(value[key] for key in FIELDS)
    return found


def main(args):
    scratch = tempfile.mkdtemp(prefix='nbwss-bench-fetch-')
    app = None
    try:
        collections = link_collection(scratch)
        sys.path.insert(0, collections)
        api_token = 'nbwss' + 'BenchApi' + 'Tok3n-%s' % os.urandom(8).hex()
        app = run_in_subprocess(app_config(args.providers, api_token), os.path.join(scratch, 'cloudapp'), timeout=60.0)
        providers = [{'name': entry['name'], 'url': entry['url']} for entry in app.state['providers']]
        extra_vars_file = os.path.join(scratch, 'vars.json')
        fd = os.open(extra_vars_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, 'w') as handle:
            json.dump({'bench_providers': providers, 'bench_ca': app.state['ca_bundle'], 'bench_api_token': api_token,
                       'bench_key': BENCH_KEY,
                       'bench_entries': [{'provider': {'url': p['url']}, 'name': p['name']} for p in providers]}, handle)
        playbooks = {}
        for name, text in (('endpoint_set', ENDPOINT_SET_PLAY), ('endpoint_fetch', FETCH_LOOP_PLAY), ('builtin', BUILTIN_PLAY)):
            playbooks[name] = os.path.join(scratch, '%s.yml' % name)
            with open(playbooks[name], 'w') as handle:
                handle.write(text)

        results = {}
        files = {}
        plans = [('endpoint_set', 'endpoint_set', 'plain'), ('endpoint_fetch loop', 'endpoint_fetch', 'plain'),
                 ('uri + copy loops', 'builtin', 'plain')]
        if not args.no_sealed:
            plans.append(('endpoint_set (sealed)', 'endpoint_set', 'sealed'))
        for label, name, fmt in plans:
            print('measuring %-22s %d x 2 runs ...' % (label, args.repeats), file=sys.stderr, flush=True)
            results[label], files[label] = measure(re.sub(r'[^a-z_]+', '_', label), playbooks[name], extra_vars_file, scratch,
                                                   collections, fmt, args.providers, args.repeats, meanings)
        reference = files['endpoint_set']
        for label, found in files.items():
            # endpoint_set's file names come from the entries' names, so all approaches name the files alike.
            if found != reference:
                sys.exit('%s left files with another meaning than endpoint_set; the comparison is not like for like' % label)
        served = sorted(tuple(app.endpoint(p['name'])[key] for key in FIELDS) for p in providers)
        if sorted(reference.values()) != served:
            sys.exit('the files do not hold the endpoints the provider URLs serve')

        import ansible
        print('\n%d provider URLs (bearer auth, reference cloud application on loopback) fetched onto localhost '
              '(connection local), ansible-core %s, Python %s; median of %d runs each, wall time of ansible-playbook'
              % (args.providers, ansible.__version__, sys.version.split()[0], args.repeats))
        print('all approaches leave %d files of mode 0600 with the same endpoints\n' % args.providers)
        header = '%-26s %14s %16s %16s %11s %11s' % ('run', 'endpoint_set', 'endpoint_fetch', 'uri + copy', 'fetch/set',
                                                     'builtin/set')
        print(header)
        print('-' * len(header))
        for which, label in ((0, 'first run (%d created)' % args.providers), (1, 'no-change run')):
            es = median(results['endpoint_set'], which)
            ef = median(results['endpoint_fetch loop'], which)
            bi = median(results['uri + copy loops'], which)
            print('%-26s %12.2f s %14.2f s %14.2f s %10.1fx %10.1fx' % (label, es, ef, bi, ef / es, bi / es))
        if 'endpoint_set (sealed)' in results:
            sealed = results['endpoint_set (sealed)']
            print('\nreference: endpoint_set with format sealed: first run %.2f s, no-change run %.2f s'
                  % (median(sealed, 0), median(sealed, 1)))
        print('\nall runs (first, no-change) in seconds:')
        for label, runs in results.items():
            print('  %-22s %s' % (label, ', '.join('(%.2f, %.2f)' % run for run in runs)))
    finally:
        if app is not None:
            app.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--providers', type=int, default=20, help='number of provider URLs (default 20)')
    parser.add_argument('--repeats', type=int, default=3, help='runs per measurement, median reported (default 3)')
    parser.add_argument('--no-sealed', action='store_true', help='skip the sealed endpoint_set reference row')
    main(parser.parse_args())
