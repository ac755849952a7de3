# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""make demo's script (python -m tools.demo), run as the README's main command runs it, and interrupted."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import yaml

from ansible_collections.netbackup.nbwss.tests.harness.chromium import ElementIndex, chromium, dump_dom, screenshot

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOGS = os.environ.get('NBWSS_LOG_DIR')
ARTIFACTS = os.path.join(os.path.dirname(LOGS), 'artifacts') if LOGS else None
PID = re.compile(r'one provider URL \(gamma-2\); pid (\d+)')


def demo_tokens():
    with open(os.path.join(REPO_ROOT, 'tools', 'cloudapp', 'demo.yml')) as handle:
        config = yaml.safe_load(handle)
    return [endpoint['token'] for endpoint in config['endpoints']] + [p['auth']['bearer'] for p in config['providers']]


def descendants(pid):
    """Every live process whose parent chain leads to ``pid``."""
    parents = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry) as handle:
                    parents[int(entry)] = int(handle.read().rsplit(')', 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = set(child for child, parent in parents.items() if parent in frontier) - found
        found |= frontier
    return found


def alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    with open('/proc/%d/stat' % pid) as handle:
        return handle.read().rsplit(')', 1)[1].split()[0] != 'Z'


def start_demo(tmp_path, *args):
    return subprocess.Popen([sys.executable, '-m', 'tools.demo', '--report-dir', str(tmp_path / 'report')] + list(args),
                            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_the_demo_rolls_out_twice_shows_the_failover_and_leaves_nothing_behind(tmp_path):
    # At -vvvv, so that the leak checks below and the suite's leak scan see everything Ansible can print.
    demo = start_demo(tmp_path, '-vvvv')
    output = demo.communicate(timeout=240)[0]
    if LOGS:
        with open(os.path.join(LOGS, 'demo.log'), 'w') as log:
            log.write(output)

    assert demo.returncode == 0, output[-3000:]
    assert '"master01  failover  alpha-2 (p2) FAILOVER  beta-1 (p1)  gamma-1 (p1)"' in output
    assert 'first run exit 0, second run exit 0, second run changed=0' in output
    with open(str(tmp_path / 'report' / 'fleet.json')) as handle:
        view = json.load(handle)
    assert view['host_states'] == {'master01': 'failover'} and view['grid']['master01']['ALPHA']['state'] == 'failover'
    assert not alive(int(PID.search(output).group(1)))
    report = (tmp_path / 'report' / 'fleet.html').read_text(encoding='utf-8') + json.dumps(view)
    for token in demo_tokens():
        assert token not in output and token not in report
    if chromium() or os.environ.get('CI'):
        page = str(tmp_path / 'report' / 'fleet.html')
        dom = ElementIndex(dump_dom(page))
        cells = dict((element['attrs']['data-group'], (element['attrs']['data-state'], element['text'].strip()))
                     for element in dom.find('td') if 'data-group' in element['attrs'])
        assert cells == {'ALPHA': ('failover', '↷alpha-2 p2 failover'), 'BETA': ('ok', '✓beta-1 p1'),
                         'GAMMA': ('ok', '✓gamma-1 p1')}
        png = os.path.join(ARTIFACTS or str(tmp_path), 'demo-fleet.png')
        os.makedirs(os.path.dirname(png), exist_ok=True)
        assert screenshot(page, png, height=700) > 10000


def test_ctrl_c_stops_the_cloud_application_and_ansible(tmp_path):
    demo = start_demo(tmp_path)
    seen, started, children = [], time.monotonic(), set()
    for line in demo.stdout:
        seen.append(line)
        children |= descendants(demo.pid)
        if 'TASK [netbackup.nbwss.rollout : Probe every endpoint' in line or time.monotonic() - started > 120:
            break
    children |= descendants(demo.pid)
    app_pid = int(PID.search(''.join(seen)).group(1))

    demo.send_signal(signal.SIGINT)
    rest = demo.communicate(timeout=60)[0]

    assert demo.returncode == 130, ''.join(seen)[-2000:] + rest
    assert 'demo interrupted (SIGINT)' in rest
    assert app_pid in children and len(children) > 1
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in children if alive(pid)] == []
