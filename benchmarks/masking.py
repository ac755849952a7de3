# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: masking the tokens of a probe result, Ansible's way against the collection's.

Usage: .venv/bin/python benchmarks/masking.py [--counts 50,200,1000] [--repeats 5]

A probe result of N endpoints (in ``endpoints`` and again in their groups, as the module returns
it) is masked two ways in the same process: the baseline is ansible-core's ``remove_values`` with
the N tokens as no_log values, which tests every string against every value (what the probe task
paid before); the collection's way is ``_masking.SecretMask.scrub`` with the tokens, followed by
the ``remove_values`` pass Ansible still makes with no token in it. Median of --repeats, ratios
printed. Both must leave no token in the result; the benchmark checks it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import string
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tools.collection_link import link_collection  # noqa: E402  pylint: disable=wrong-import-position


def probe_result(count, rnd):
    """``(result, tokens)``: a probe module result of ``count`` healthy endpoints in 20 groups, and their tokens."""
    from ansible_collections.netbackup.nbwss.plugins.module_utils._probe_groups import group_view  # pylint: disable=import-outside-toplevel

    tokens = [''.join(rnd.choice(string.ascii_letters + string.digits) for dummy in range(40)) for dummy in range(count)]
    results = [{
        'url': 'wss://e%d.cloud.example.com:8443/nbwss' % index, 'groupId': 'G%02d' % (index % 20),
        'priority': index // 20 + 1, 'hostName': 'e%d.cloud.example.com' % index,
        'source': '/usr/openv/var/global/wss/nbwss_e%d.sealed' % index, 'token': 'sha256:0123456789ab',
        'stage': 'connect', 'reason': 'ok', 'detail': 'CONNECT answered valid: true', 'http_status': None,
        'close_code': None, 'close_reason': None, 'address': '127.0.0.1:8443',
        'ms': {'resolve': 1, 'tcp': 1, 'tls': 5, 'upgrade': 2, 'connect': 3, 'total': 12},
        'tls': {'verified': True, 'protocol': 'TLSv1.3', 'cipher': 'TLS_AES_256_GCM_SHA384', 'subject': 'CN=localhost',
                'issuer': 'CN=nbwss cloudapp test CA', 'san': ['DNS:localhost'], 'not_before': '2026-01-01T00:00:00Z',
                'not_after': '2028-04-01T00:00:00Z', 'days_left': 480},
    } for index in range(count)]
    groups = group_view(results)
    return {'endpoints': results, 'groups': groups, 'msg': '; '.join(group['line'] for group in groups)}, tokens


def timed(function, repeats):
    times = []
    for dummy in range(repeats):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--counts', default='50,200,1000', help='endpoint counts (default 50,200,1000)')
    parser.add_argument('--repeats', type=int, default=5, help='runs per measurement, median reported (default 5)')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='nbwss-bench-masking-') as scratch:
        sys.path.insert(0, link_collection(scratch))
        compare(args)


def compare(args):
    from ansible.module_utils.basic import remove_values  # pylint: disable=import-outside-toplevel
    from ansible_collections.netbackup.nbwss.plugins.module_utils._masking import SecretMask  # pylint: disable=import-outside-toplevel

    rnd = random.Random(7)
    print('| endpoints | Ansible no_log_values | SecretMask + Ansible pass | ratio |')
    print('|---:|---:|---:|---:|')
    for count in [int(number) for number in args.counts.split(',')]:
        result, tokens = probe_result(count, rnd)
        # A token that slipped into the result: both ways must mask it.
        result['endpoints'][-1]['detail'] = 'slipped %s in' % tokens[-1]
        baseline, masked = timed(lambda: remove_values(result, set(tokens)), args.repeats)
        mask = SecretMask()
        mask.update(tokens)
        ours, scrubbed = timed(lambda: remove_values(mask.scrub(result), set()), args.repeats)
        for text in (json.dumps(masked), json.dumps(scrubbed)):
            if any(token in text for token in tokens):
                sys.exit('a token was left in a masked result')
        print('| %d | %.3f s | %.3f s | %.1fx |' % (count, baseline, ours, baseline / ours))


if __name__ == '__main__':
    main()
