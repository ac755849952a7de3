# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""The fleet report: per-master results in, one fleet view out (pure functions, no I/O).

A host report is what the rollout role learned about one master (redacted: token fingerprints
only): its deploy summary, its probe results and groups, or why it failed or could not be
reached. ``fleet_view`` puts many of them together and finds what no single master can see:
drift (one groupId configured differently on different masters), groups down, certificates
close to expiry, masters that failed or were unreachable. ``fleet_table`` is the text grid the
play prints; the HTML page is rendered from the same view by the role's template.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import normalized_url
from ansible_collections.netbackup.nbwss.plugins.module_utils._probe_groups import endpoint_name

REPORT_VERSION = 1
# Host states, worst last: the order of the summary and of the findings.
HOST_STATES = ('healthy', 'failover', 'down', 'failed', 'unreachable', 'pending')
# Cell states of the groups x masters grid.
CELL_STATES = ('ok', 'failover', 'down', 'not_deployed')
CELL_SYMBOLS = {'ok': 'OK', 'failover': 'FAILOVER', 'down': 'DOWN', 'not_deployed': '-'}
# The printed table lists every master up to this many; beyond it, healthy masters are counted, not listed.
TABLE_MAX_ROWS = 40


# What a host report keeps of the registered results: only these keys, so that nothing else a
# result might carry (invocation, module arguments) ever reaches a report file.
_FILE_KEYS = ('name', 'path', 'reason', 'format', 'key_id')
_ENDPOINT_KEYS = ('url', 'groupId', 'priority', 'hostName', 'source', 'token', 'stage', 'reason', 'detail',
                  'http_status', 'close_code', 'close_reason', 'ms', 'tls', 'address')
_GROUP_KEYS = ('groupId', 'active', 'active_priority', 'failover', 'healthy', 'total', 'findings', 'line')


def _pick(mapping, keys):
    return dict((key, mapping[key]) for key in keys if key in mapping)


def _ran(result):
    return isinstance(result, dict) and not result.get('skipped')


def host_report(host, seen=True, deploy=None, probe=None):
    """One master's report from the registered results of the rollout's deploy and probe tasks.

    ``seen`` is false for a host the play has not reached yet (a later ``serial`` batch). A result
    that is missing or skipped (for example ``--tags probe``) leaves its part out.
    """
    if not seen:
        return {'host': host, 'status': 'pending'}
    report = {'host': host, 'status': 'ok'}
    for stage, result in (('deploy', deploy), ('probe', probe)):
        if _ran(result) and result.get('unreachable'):
            report.update(status='unreachable', failure={'stage': stage, 'msg': result.get('msg') or 'unreachable'})
            return report
    if _ran(deploy):
        report['deploy'] = {'changed': bool(deploy.get('changed')),
                            'files': [_pick(row, _FILE_KEYS) for row in deploy.get('files') or []],
                            'removed': list(deploy.get('removed') or [])}
        if deploy.get('failed'):
            report.update(status='failed', failure={'stage': 'deploy', 'msg': deploy.get('msg') or 'deploy failed'})
            return report
    if _ran(probe):
        groups = probe.get('groups')
        if groups is None:
            # A probe that failed before probing (bad options, unreadable files): no groups to show.
            report.update(status='failed', failure={'stage': 'probe', 'msg': probe.get('msg') or 'probe failed'})
            return report
        # Each endpoint once, inside its group: the report of a large fleet stays small.
        report['probe'] = {
            'ok': bool(probe.get('ok')),
            'fired': list(probe.get('fired') or []),
            'groups': [dict(_pick(group, _GROUP_KEYS), endpoints=[_pick(result, _ENDPOINT_KEYS)
                                                                  for result in group.get('endpoints') or []])
                       for group in groups],
        }
    return report


def group_cell(group):
    """The grid cell of one group on one master: state, active endpoint and a short text."""
    if group.get('active') is None:
        return {'state': 'down', 'active': None, 'priority': None, 'text': 'DOWN'}
    # By url and priority: a group may list one url twice (a conflict the probe reports).
    active = next(result for result in group['endpoints']
                  if result['url'] == group['active'] and result['priority'] == group['active_priority'])
    name = endpoint_name(active)
    if group.get('failover'):
        return {'state': 'failover', 'active': name, 'priority': active['priority'],
                'text': '%s (p%d) FAILOVER' % (name, active['priority'])}
    return {'state': 'ok', 'active': name, 'priority': active['priority'], 'text': '%s (p%d)' % (name, active['priority'])}


def host_state(report):
    """``healthy``, ``failover``, ``down``, ``failed``, ``unreachable`` or ``pending`` for one host report."""
    status = report.get('status')
    if status in ('failed', 'unreachable', 'pending'):
        return status
    groups = (report.get('probe') or {}).get('groups') or []
    cells = [group_cell(group)['state'] for group in groups]
    if 'down' in cells:
        return 'down'
    if 'failover' in cells:
        return 'failover'
    return 'healthy'


def _signature(group):
    """What a group is configured as on one master: its (priority, url) pairs in NetBackup's order."""
    return tuple(sorted((result['priority'], normalized_url(result['url'])) for result in group['endpoints']))


def _drift(reports):
    """One finding per groupId configured differently on different masters, naming who has which variant."""
    variants = {}
    for report in reports:
        for group in (report.get('probe') or {}).get('groups') or []:
            variants.setdefault(group['groupId'], {}).setdefault(_signature(group), []).append(report['host'])
    findings = []
    for group_id in sorted(variants):
        by_signature = variants[group_id]
        if len(by_signature) < 2:
            continue
        described = []
        for signature, hosts in sorted(by_signature.items(), key=lambda item: (-len(item[1]), item[0])):
            layout = ', '.join('%d %s' % (priority, url) for priority, url in signature)
            described.append('%s: %s' % (_hosts_text(hosts), layout))
        findings.append({
            'kind': 'drift', 'groupId': group_id,
            'hosts': sorted(host for hosts in by_signature.values() for host in hosts),
            'message': 'drift in %s: its endpoints differ between masters (%s)' % (group_id, '; '.join(described)),
        })
    return findings


def _hosts_text(hosts, limit=5):
    shown = ', '.join(sorted(hosts)[:limit])
    return shown + (' and %d more' % (len(hosts) - limit) if len(hosts) > limit else '')


def _group_findings(reports, min_cert_days):
    """Groups down, groups failed over and certificates close to expiry, each once for all the masters that see it."""
    down = {}
    failed_over = {}
    expiring = {}
    for report in reports:
        for group in (report.get('probe') or {}).get('groups') or []:
            if group.get('active') is None and group.get('endpoints'):
                down.setdefault(group['groupId'], []).append(report['host'])
            elif group.get('failover'):
                cell = group_cell(group)
                skipped = ', '.join('%s %s' % (endpoint_name(result), result['reason']) for result in group['endpoints']
                                    if result['priority'] < cell['priority'])
                failed_over.setdefault((group['groupId'], cell['active'], cell['priority'], skipped), []).append(report['host'])
            for result in group.get('endpoints') or []:
                when = _expiry(result, min_cert_days)
                if when:
                    key = (group['groupId'], endpoint_name(result), normalized_url(result['url']), when)
                    expiring.setdefault(key, []).append(report['host'])
    findings = [{'kind': 'group_down', 'groupId': group_id, 'hosts': sorted(hosts),
                 'message': '%s is down on %s: no endpoint of the group is healthy' % (group_id, _hosts_text(hosts))}
                for group_id, hosts in sorted(down.items())]
    for (group_id, active, priority, skipped), hosts in sorted(failed_over.items()):
        message = '%s failed over on %s: active %s (priority %d); not healthy: %s' % (group_id, _hosts_text(hosts), active,
                                                                                      priority, skipped)
        findings.append({'kind': 'failover', 'groupId': group_id, 'hosts': sorted(hosts), 'message': message})
    for (group_id, name, url, when), hosts in sorted(expiring.items()):
        message = 'the certificate of %s (%s, %s) %s, seen from %s' % (name, group_id, url, when, _hosts_text(hosts))
        findings.append({'kind': 'cert_expiry', 'groupId': group_id, 'hosts': sorted(hosts), 'message': message})
    return findings


def _expiry(result, min_cert_days):
    """``has expired`` or ``expires in N days (DATE)`` when under ``min_cert_days``, else None."""
    if result.get('reason') == 'tls_expired':
        return 'has expired'
    tls = result.get('tls') or {}
    days_left = tls.get('days_left')
    if days_left is not None and min_cert_days is not None and days_left < min_cert_days:
        return 'expires in %d day(s), on %s' % (days_left, tls.get('not_after'))
    return None


def fleet_findings(reports, min_cert_days=None):
    """Findings across the fleet, in this order: drift, groups down, groups failed over, certificates, failed and
    unreachable masters."""
    findings = _drift(reports) + _group_findings(reports, min_cert_days)
    for status in ('failed', 'unreachable'):
        for report in reports:
            if report.get('status') == status:
                default = 'could not be reached' if status == 'unreachable' else 'failed'
                why = (report.get('failure') or {}).get('msg') or default
                findings.append({'kind': status, 'hosts': [report['host']],
                                 'message': '%s %s: %s' % (report['host'], status, why)})
    return findings


def fleet_view(reports, generated=None, run_id=None, min_cert_days=None):
    """The whole fleet from its host reports: summary, groups, the grid, findings and the reports themselves."""
    reports = sorted(reports, key=lambda report: report['host'])
    group_ids = sorted(set(group['groupId'] for report in reports for group in (report.get('probe') or {}).get('groups') or []))
    grid = {}
    for report in reports:
        cells = dict((group['groupId'], group_cell(group)) for group in (report.get('probe') or {}).get('groups') or [])
        if report.get('probe') is not None:
            for group_id in group_ids:
                cells.setdefault(group_id, {'state': 'not_deployed', 'active': None, 'priority': None, 'text': '-'})
        grid[report['host']] = cells
    states = dict((report['host'], host_state(report)) for report in reports)
    summary = dict((state, sum(1 for value in states.values() if value == state)) for state in HOST_STATES)
    summary['masters'] = len(reports)
    return {
        'version': REPORT_VERSION,
        'generated': generated,
        'run_id': run_id,
        'min_cert_days': min_cert_days,
        'summary': summary,
        'hosts': [report['host'] for report in reports],
        'host_states': states,
        'groups': group_ids,
        'grid': grid,
        'findings': fleet_findings(reports, min_cert_days),
        'reports': reports,
    }


def summary_line(view):
    """``12 masters: 9 healthy, 1 failed over, 1 down, 1 failed, 0 unreachable``."""
    summary = view['summary']
    parts = ['%d healthy' % summary['healthy'], '%d failed over' % summary['failover'], '%d down' % summary['down'],
             '%d failed' % summary['failed'], '%d unreachable' % summary['unreachable']]
    if summary['pending']:
        parts.append('%d not run yet' % summary['pending'])
    return '%d master%s: %s' % (summary['masters'], '' if summary['masters'] == 1 else 's', ', '.join(parts))


def fleet_table(view, max_rows=TABLE_MAX_ROWS):
    """The printed report: the summary, a masters x groups grid of active endpoints, the findings.

    Up to ``max_rows`` masters every one is listed; beyond, healthy masters are only counted.
    """
    groups = view['groups']
    hosts = view['hosts']
    states = view['host_states']
    listed = hosts if len(hosts) <= max_rows else [host for host in hosts if states[host] != 'healthy']
    header = ['master', 'state'] + groups
    rows = []
    for host in listed:
        cells = view['grid'].get(host) or {}
        rows.append([host, states[host]] + [cells[group_id]['text'] if group_id in cells else '' for group_id in groups])
    widths = [max(len(str(row[column])) for row in [header] + rows) for column in range(len(header))]
    lines = [summary_line(view), '']
    for row in [header] + rows:
        lines.append('  '.join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
    if len(listed) < len(hosts):
        lines.append('(%d more masters, all healthy, not listed)' % (len(hosts) - len(listed)))
    if view['findings']:
        lines.extend(['', 'findings:'])
        lines.extend('- %s' % finding['message'] for finding in view['findings'])
    return lines
