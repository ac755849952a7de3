# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How big fleet.html gets and how fast a browser opens it: 500 masters x 10 groups vs. a 5-master page.

Usage: .venv/bin/python benchmarks/report_page.py [--masters 500] [--groups 10] [--repeats 5]

Builds the fleet view of M masters (each group 3 endpoints, one endpoint down on every master so
that every cell has work), renders fleet.html with the real report playbook
(``netbackup.nbwss.report``) and opens it in headless Chromium (Debian's ``chromium``) through the
DevTools protocol: the load time is the page's own ``loadEventEnd - navigationStart``, so Chromium's
start-up is not in it. The same is measured for a 5-master page as the baseline, in the same
browser; the ratio is big / small. Prints the page and fleet.json sizes and the render time too.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tools.collection_link import link_collection  # noqa: E402  pylint: disable=wrong-import-position
BIN = os.path.dirname(sys.executable)


def fleet(masters, groups):
    from ansible_collections.netbackup.nbwss.plugins.plugin_utils._fleet_report import fleet_view, host_report
    from ansible_collections.netbackup.nbwss.plugins.module_utils._probe_groups import group_view
    results = []
    for number in range(groups):
        for priority in (1, 2, 3):
            name = 'g%02d-%d' % (number, priority)
            down = number % 3 == 0 and priority == 1
            results.append({'url': 'wss://%s.cloud.example.com/nbwss' % name, 'groupId': 'G%02d' % number,
                            'priority': priority, 'hostName': '%s.cloud.example.com' % name,
                            'source': '/usr/openv/var/global/wss/nbwss_%s.sealed' % name, 'token': 'sha256:0123456789ab',
                            'stage': 'tcp' if down else 'connect', 'reason': 'tcp_refused' if down else 'ok',
                            'detail': 'x', 'http_status': None, 'close_code': None,
                            'ms': {'resolve': 1, 'tcp': 2, 'tls': 9, 'upgrade': 3, 'connect': 2, 'total': 17},
                            'tls': None if down else {'days_left': 80, 'not_after': '2027-02-16T00:00:00Z'}})
    # As the probe module returns it: each group lists its endpoints as members, indexes into endpoints.
    probe = {'changed': False, 'ok': True, 'fired': [], 'endpoints': results, 'groups': group_view(results), 'errors': []}
    reports = [host_report('master%04d' % number, deploy={'changed': False}, probe=probe) for number in range(masters)]
    return fleet_view(reports, generated='benchmark')


def render(view, directory, collections):
    os.makedirs(directory)
    with open(os.path.join(directory, 'fleet.json'), 'w') as handle:
        json.dump(view, handle)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_NOCOLOR='1')
    started = time.monotonic()
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', 'netbackup.nbwss.report',
                           '-e', 'nbwss_report_dir=%s' % directory, '-e', 'ansible_python_interpreter=%s' % sys.executable],
                          env=env, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode:
        raise SystemExit('the report playbook failed:\n%s' % proc.stdout[-3000:])
    return os.path.join(directory, 'fleet.html'), time.monotonic() - started


class Browser:
    """Headless Chromium driven over the DevTools protocol (websockets' sync client)."""

    def __init__(self, scratch):
        self.profile = os.path.join(scratch, 'chromium-profile')
        self.process = subprocess.Popen(
            [shutil.which('chromium'), '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync',
             '--remote-debugging-port=0', '--user-data-dir=%s' % self.profile, 'about:blank'],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, 'DevToolsActivePort')
        deadline = time.monotonic() + 30
        while not os.path.exists(port_file) and time.monotonic() < deadline:
            time.sleep(0.05)
        port = open(port_file).read().split()[0]
        pages = json.load(urllib.request.urlopen('http://127.0.0.1:%s/json/list' % port))
        self.url = [page for page in pages if page['type'] == 'page'][0]['webSocketDebuggerUrl']
        self.socket = None
        self.sequence = 0

    def call(self, method, **params):
        self.sequence += 1
        self.socket.send(json.dumps({'id': self.sequence, 'method': method, 'params': params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get('id') == self.sequence:
                return message.get('result')

    def load_ms(self, path):
        """Open ``path``; return loadEventEnd - navigationStart in milliseconds."""
        self.call('Page.navigate', url='file://' + path)
        while True:
            message = json.loads(self.socket.recv())
            if message.get('method') == 'Page.loadEventFired':
                break
        timing = self.call('Runtime.evaluate', expression='JSON.stringify(performance.timing)', returnByValue=True)
        values = json.loads(timing['result']['value'])
        return values['loadEventEnd'] - values['navigationStart']

    def close(self):
        self.process.terminate()
        self.process.wait(10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--masters', type=int, default=500)
    parser.add_argument('--groups', type=int, default=10)
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix='nbwss-page-bench-')
    browser = None
    try:
        collections = link_collection(scratch)
        sys.path.insert(0, collections)
        big, big_render = render(fleet(args.masters, args.groups), os.path.join(scratch, 'big'), collections)
        small, small_render = render(fleet(5, 3), os.path.join(scratch, 'small'), collections)
        browser = Browser(scratch)
        from websockets.sync.client import connect
        with connect(browser.url, max_size=None) as socket:
            browser.socket = socket
            browser.call('Page.enable')
            browser.load_ms(small)  # warm-up
            big_ms = statistics.median(browser.load_ms(big) for dummy in range(args.repeats))
            small_ms = statistics.median(browser.load_ms(small) for dummy in range(args.repeats))
        print('fleet.html, %d masters x %d groups (3 endpoints each), median of %d loads in headless Chromium'
              % (args.masters, args.groups, args.repeats))
        print()
        print('| page | fleet.json | fleet.html | render (report playbook) | load (loadEventEnd) |')
        print('|---|---:|---:|---:|---:|')
        for label, page, seconds, ms in (('%d x %d' % (args.masters, args.groups), big, big_render, big_ms),
                                         ('5 x 3 (baseline)', small, small_render, small_ms)):
            json_mib = os.path.getsize(os.path.join(os.path.dirname(page), 'fleet.json')) / 1048576.0
            page_mib = os.path.getsize(page) / 1048576.0
            print('| %s | %.1f MiB | %.1f MiB | %.1f s | %d ms |' % (label, json_mib, page_mib, seconds, ms))
        print()
        print('load time ratio big / baseline: %.1fx' % (big_ms / max(small_ms, 1)))
    finally:
        if browser is not None:
            browser.close()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    main()
