# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""fleet.html, rendered by the real report playbook and read back from a real browser (headless Chromium)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import endpoint_from_dict, token_fingerprint
from ansible_collections.netbackup.nbwss.plugins.plugin_utils._fleet_page import PAGE_TEMPLATE
from ansible_collections.netbackup.nbwss.plugins.plugin_utils._fleet_report import fleet_view, host_report
from ansible_collections.netbackup.nbwss.plugins.module_utils._probe_groups import fired_conditions, group_view
from ansible_collections.netbackup.nbwss.tests.harness.chromium import ElementIndex, chromium, dump_dom, screenshot

BIN = os.path.dirname(sys.executable)
LOGS = os.environ.get('NBWSS_LOG_DIR')
ARTIFACTS = os.path.join(os.path.dirname(LOGS), 'artifacts') if LOGS else None

pytestmark = pytest.mark.skipif(chromium() is None and not os.environ.get('CI'),
                                reason='Chromium is not installed here (make test installs it)')


def probe_results(layout, reasons=None, master=''):
    """Probe results (as the probe module returns them) of endpoints named like group-priority, with real tokens."""
    results = []
    for group, priorities in layout:
        for priority in priorities:
            name = '%s-%d' % (group.lower(), priority)
            token = 'nbwssPageTok3n-%s-%s%d' % (master, group, priority)
            endpoint = endpoint_from_dict({'token': token, 'priority': priority, 'groupId': group,
                                           'hostName': '%s.cloud.example.com' % name,
                                           'url': 'wss://%s.cloud.example.com/nbwss' % name})
            reason = (reasons or {}).get(name, 'ok')
            results.append({'url': endpoint.url, 'groupId': group, 'priority': priority, 'hostName': endpoint.host_name,
                            'source': '/usr/openv/var/global/wss/nbwss_%s.sealed' % name,
                            'token': token_fingerprint(endpoint.token), 'stage': 'connect' if reason == 'ok' else 'tcp',
                            'reason': reason, 'detail': reason, 'http_status': None, 'close_code': None,
                            'ms': {'resolve': 1, 'tcp': 2, 'tls': 9, 'upgrade': 3, 'connect': 2, 'total': 17},
                            'tls': {'days_left': 80, 'not_after': '2027-02-16T00:00:00Z'} if reason == 'ok' else None,
                            # What a registered result may also carry: never copied into a report.
                            'invocation': {'module_args': {'token': token}}})
    return results


def registered_probe(results, fail_on=(), errors=()):
    """The probe task's registered result, failed as the module fails it when a fail_on condition holds."""
    groups = group_view(results)
    fired = fired_conditions(groups, fail_on, list(errors))
    return {'changed': False, 'ok': not fired, 'failed': bool(fired), 'fired': fired, 'endpoints': results,
            'groups': groups, 'errors': list(errors)}


LAYOUT = [('ALPHA', (1, 2)), ('BETA', (1, 2)), ('GAMMA', (1, 2))]


UNREADABLE = [{'path': '/usr/openv/var/global/wss/nbwss_gamma-3.sealed',
               'message': '/usr/openv/var/global/wss/nbwss_gamma-3.sealed: sealed with key id 5b1c, which matches none of '
                          'the given keys (key id mismatch)'}]


def eight_masters():
    """The five of five_masters, one whose probe failed on an unreadable file, one whose probe failed on a group down,
    and one not probed in this run."""
    deploy = {'changed': False, 'files': [], 'removed': []}
    group_down = probe_results(LAYOUT, {'beta-1': 'http_status', 'beta-2': 'tcp_refused'}, 'm7')
    for result in group_down:
        if result['reason'] == 'http_status':
            # What the probe says of a refused upgrade, and a url with a query (a ticket) the page must not show.
            result.update(http_status=404, detail='the server answered the WebSocket upgrade with HTTP 404 Not Found',
                          url=result['url'] + '?ticket=nbwssPageTicket-Q9')
    return five_masters() + [
        host_report('m6-unreadable', deploy=deploy, probe=registered_probe(
            probe_results(LAYOUT, master='m6'), fail_on=['group_down', 'unreadable'], errors=UNREADABLE)),
        host_report('m7-group-down', deploy=deploy, probe=registered_probe(group_down, fail_on=['group_down'])),
        host_report('m8-not-probed', deploy=deploy, probe={'skipped': True, 'changed': False}),
    ]


def five_masters():
    """ok, failover, down, unreachable, and a master whose BETA differs from the others' (drift)."""
    deploy = {'changed': False, 'files': [], 'removed': []}
    return [
        host_report('m1-ok', deploy=deploy, probe=registered_probe(probe_results(LAYOUT, master='m1'))),
        host_report('m2-failover', deploy=deploy,
                    probe=registered_probe(probe_results(LAYOUT, {'alpha-1': 'tcp_refused'}, master='m2'))),
        host_report('m3-down', deploy=deploy,
                    probe=registered_probe(probe_results(LAYOUT, {'gamma-1': 'tls_expired', 'gamma-2': 'dns'}, 'm3'))),
        host_report('m4-unreachable', deploy={'unreachable': True, 'changed': False,
                                              'msg': 'Failed to connect to the host via ssh: timed out'}),
        host_report('m5-drift', deploy=deploy, probe=registered_probe(probe_results(
            [('ALPHA', (1, 2)), ('BETA', (1, 3)), ('GAMMA', (1, 2))], master='m5'))),
    ]


def render(report_dir, view):
    """Write fleet.json and run the real report playbook over it; return fleet.html's path."""
    os.makedirs(str(report_dir), exist_ok=True)
    with open(os.path.join(str(report_dir), 'fleet.json'), 'w') as handle:
        json.dump(view, handle)
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_DEPRECATION_WARNINGS='false')
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', 'netbackup.nbwss.report',
                           '-e', 'nbwss_report_dir=%s' % report_dir, '-e', 'ansible_python_interpreter=%s' % sys.executable],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300, check=False)
    if LOGS:
        with open(os.path.join(LOGS, 'playbooks.log'), 'a') as log:
            log.write(proc.stdout)
    assert proc.returncode == 0, proc.stdout[-3000:]
    return os.path.join(str(report_dir), 'fleet.html')


LOOKUP_PLAY = """
- name: The page as Ansible's own template lookup renders it (as fleet_report rendered it before it used Jinja2 directly)
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Render the role's template with the view
      ansible.builtin.copy:
        content: "{{ lookup('ansible.builtin.template', page_template, template_vars={'rollout_view': view}) }}"
        dest: "{{ dest }}"
        mode: "0644"
      vars:
        view: "{{ lookup('ansible.builtin.file', view_file) | from_json }}"
"""


def test_the_page_is_byte_for_byte_what_ansibles_template_lookup_renders(tmp_path):
    # fleet_report renders the page with Jinja2 itself (plugin_utils/_fleet_page.py), set as Ansible's lookup is:
    # the same bytes for views that take every branch of the template, under this ansible-core.
    playbook = tmp_path / 'lookup.yml'
    playbook.write_text(LOOKUP_PLAY)
    for name, view in (('five', fleet_view(five_masters(), generated='2026-11-28 12:00:00 UTC', run_id='r1', min_cert_days=30)),
                       ('eight', fleet_view(eight_masters(), generated='2026-12-04 12:00:00 UTC', run_id='r2')),
                       ('none', fleet_view([], generated=None))):
        ours = render(tmp_path / name, view)
        view_file, theirs = tmp_path / (name + '-view.json'), tmp_path / (name + '-lookup.html')
        view_file.write_text(json.dumps(view))
        proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', str(playbook),
                               '-e', 'ansible_python_interpreter=%s' % sys.executable, '-e', 'page_template=%s' % PAGE_TEMPLATE,
                               '-e', 'view_file=%s' % view_file, '-e', 'dest=%s' % theirs],
                              env=dict(os.environ, ANSIBLE_NOCOLOR='1'), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=300, check=False)
        assert proc.returncode == 0, proc.stdout[-3000:]
        with open(ours, 'rb') as mine, open(str(theirs), 'rb') as lookups:
            assert mine.read() == lookups.read(), name


def test_the_page_shows_every_state_in_the_grid_and_the_findings_first(tmp_path):
    page = render(tmp_path / 'report', fleet_view(five_masters(), generated='2026-11-28 12:00:00 UTC', run_id='r1',
                                                  min_cert_days=30))

    dom = ElementIndex(dump_dom(page))

    counts = dict((element['attrs']['id'], element['text']) for element in dom.find('b') if 'id' in element['attrs'])
    assert counts == {'n-masters': '5', 'n-healthy': '2', 'n-failover': '1', 'n-down': '1', 'n-failed': '0',
                      'n-unreachable': '1'}
    cells = dict(((element['attrs'].get('data-group'), element['text'].strip()), element['attrs']['data-state'])
                 for element in dom.find('td') if 'data-group' in element['attrs'])
    rows = dict((element['attrs']['data-host'], element['attrs']['data-state']) for element in dom.find('tr')
                if 'data-host' in element['attrs'])
    assert rows == {'m1-ok': 'healthy', 'm2-failover': 'failover', 'm3-down': 'down', 'm4-unreachable': 'unreachable',
                    'm5-drift': 'healthy'}
    assert cells[('ALPHA', '↷alpha-2 p2 failover')] == 'failover'
    assert cells[('GAMMA', '✗down')] == 'down'
    assert cells[('BETA', '✓beta-1 p1')] == 'ok'
    states = dict((element['attrs']['class'], element['text'].strip()) for element in dom.find('td')
                  if element['attrs'].get('class', '').startswith('state '))
    assert states['state unreachable'] == '⚠ unreachabledeploy: Failed to connect to the host via ssh: timed out'
    findings = [(element['attrs']['class'], element['text']) for element in dom.find('li')]
    kinds = [kind for kind, dummy in findings]
    assert kinds == ['finding drift', 'finding group_down', 'finding failover', 'finding cert_expiry', 'finding unreachable']
    assert 'drift in BETA' in findings[0][1] and 'm5-drift: 1 wss://beta-1' in findings[0][1]
    assert 'GAMMA is down on m3-down' in findings[1][1]
    details = dom.find('details')
    ids = [element['attrs']['id'] for element in details]
    assert ids == ['m-m1-ok', 'm-m2-failover', 'm-m3-down', 'm-m4-unreachable', 'm-m5-drift']
    assert 'tcp_refused' in details[1]['text'] and '1/2/9/3/2 (17)' in details[1]['text']
    assert dom.find('script') == [] and dom.find('link') == []


def test_failed_and_not_probed_masters_are_never_healthy_and_the_page_says_why(tmp_path):
    page = render(tmp_path / 'report', fleet_view(eight_masters(), generated='2026-12-04 12:00:00 UTC', run_id='r2'))

    dom = ElementIndex(dump_dom(page))

    rows = dict((element['attrs']['data-host'], element['attrs']['data-state']) for element in dom.find('tr')
                if 'data-host' in element['attrs'])
    assert (rows['m6-unreadable'], rows['m7-group-down'], rows['m8-not-probed']) == ('failed', 'failed', 'not_probed')
    why = dict((element['attrs']['data-host'], element['text']) for element in dom.find('tr') if 'data-host' in element['attrs'])
    assert 'probe: fail_on unreadable (1 file)' in why['m6-unreadable']
    assert 'probe: fail_on group_down (BETA)' in why['m7-group-down']
    assert '? not probed' in why['m8-not-probed'] and 'no probe result in this run' in why['m8-not-probed']
    counts = dict((element['attrs']['id'], element['text']) for element in dom.find('b') if 'id' in element['attrs'])
    assert (counts['n-masters'], counts['n-healthy'], counts['n-failed'], counts['n-not-probed']) == ('8', '2', '2', '1')
    findings = [(element['attrs']['class'].split()[1], element['text']) for element in dom.find('li')]
    assert [kind for kind, dummy in findings] == ['drift', 'group_down', 'group_down', 'failover', 'cert_expiry',
                                                  'unreadable', 'failed', 'failed', 'unreachable', 'not_probed']
    assert 'nbwss_gamma-3.sealed: sealed with key id 5b1c' in findings[5][1]
    assert 'BETA is down on m7-group-down: no endpoint of the group is healthy (beta-1 http_status 404, beta-2 tcp_refused)' \
        in findings[1][1] + findings[2][1]
    assert 'm8-not-probed' in findings[9][1]
    details = dict((element['attrs']['id'], element['text']) for element in dom.find('details'))
    assert 'not probed: /usr/openv/var/global/wss/nbwss_gamma-3.sealed' in details['m-m6-unreadable']
    # The why of each failed endpoint, where the user looks first: its reason, the HTTP status and the probe's detail.
    assert 'http_status 404' in details['m-m7-group-down'] and 'tcp_refused' in details['m-m7-group-down']
    assert 'the server answered the WebSocket upgrade with HTTP 404 Not Found' in details['m-m7-group-down']
    with open(page, encoding='utf-8') as handle:
        assert 'nbwssPageTicket' not in handle.read()
    png = os.path.join(ARTIFACTS or str(tmp_path), 'fleet-page-failed-and-not-probed.png')
    os.makedirs(os.path.dirname(png), exist_ok=True)
    assert screenshot(page, png) > 10000


def test_the_page_is_self_contained_holds_no_token_and_is_kept_as_a_screenshot(tmp_path):
    page = render(tmp_path / 'report', fleet_view(five_masters(), generated='2026-11-28 12:00:00 UTC'))
    with open(page, encoding='utf-8') as handle:
        text = handle.read()

    for token in ('nbwssPageTok3n-%s-%s%d' % (master, group, priority) for master in ('m1', 'm2', 'm3', 'm5')
                  for group, priorities in LAYOUT for priority in priorities):
        assert token not in text
    assert 'http://' not in text and 'https://' not in text and '<script' not in text
    png = os.path.join(ARTIFACTS or str(tmp_path), 'fleet-page-five-masters.png')
    os.makedirs(os.path.dirname(png), exist_ok=True)
    assert screenshot(page, png) > 10000


def test_a_page_of_500_masters_and_10_groups_renders_and_loads(tmp_path):
    layout = [('G%02d' % number, (1, 2, 3)) for number in range(10)]
    template = registered_probe(probe_results(layout, {'g03-1': 'tcp_refused'}, master='big'))
    reports = [host_report('master%03d' % number, deploy={'changed': False}, probe=template) for number in range(500)]
    page = render(tmp_path / 'report', fleet_view(reports, generated='2026-11-28 12:00:00 UTC'))

    dom = ElementIndex(dump_dom(page, timeout=120))

    assert len([element for element in dom.find('td') if 'data-group' in element['attrs']]) == 5000
    assert len(dom.find('details')) == 500
    assert os.path.getsize(page) < 8 * 1024 * 1024


def test_the_grid_border_hugs_the_table_and_one_master_is_not_plural(tmp_path):
    page = render(tmp_path / 'report', fleet_view(five_masters()[:1], generated='2026-12-04 12:00:00 UTC'))
    with open(page, encoding='utf-8') as handle:
        text = handle.read()
    # Measured by the browser itself: a copy of the page with a probe script (the page has none of its own).
    probe = ("<script>const w = document.querySelector('.gridwrap'), t = document.getElementById('grid');"
             "document.body.setAttribute('data-widths', Math.round(w.getBoundingClientRect().width) + ' '"
             " + Math.round(t.getBoundingClientRect().width));</script></body>")
    measured = tmp_path / 'measured.html'
    measured.write_text(text.replace('</body>', probe), encoding='utf-8')

    dom = ElementIndex(dump_dom(str(measured)))

    wrap, table = [int(number) for number in dom.find('body')[0]['attrs']['data-widths'].split()]
    assert wrap - table <= 4, (wrap, table)  # the border and a scrollbar's rounding, not the page's width
    assert '<b id="n-masters">1</b> master</span>' in text
