# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""The fleet report, on the controller: per-master results in, one fleet view out (pure functions, no I/O).

A host report is what the rollout role learned about one master (redacted: token fingerprints
only): its deploy summary, its probe results and groups, or why it failed, was not probed or
could not be reached. Its ``state`` is decided once, here, from those results: a master is
``healthy`` only when its probe ran in this run, passed its ``fail_on`` checks and every group
has a healthy endpoint. ``fleet_view`` puts many host reports together and finds what no single
master can see: drift (one groupId configured differently on different masters), groups down,
conflicts, certificates close to expiry, masters that failed, were not probed or could not be
reached. ``fleet_table`` is the text grid the play prints; the HTML page is rendered from the same
view by the role's template.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import normalized_url
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_file import UNCHANGED_REASONS
from ansible_collections.netbackup.nbwss.plugins.module_utils._probe_groups import (
    DEFAULT_MIN_CERT_DAYS,
    cert_expiry,
    endpoint_name,
    member_results,
    reasons_text,
)
from ansible_collections.netbackup.nbwss.plugins.plugin_utils._wording import counted

REPORT_VERSION = 2
# Host states, best first: the order of the summary. Only a probe that ran in this run can make a master healthy.
HOST_STATES = ('healthy', 'failover', 'down', 'empty', 'failed', 'unreachable', 'not_probed', 'pending')
# How the summary line and the page name each state.
STATE_WORDS = {'healthy': 'healthy', 'failover': 'failed over', 'down': 'down', 'empty': 'without endpoints', 'failed': 'failed',
               'unreachable': 'unreachable', 'not_probed': 'not probed', 'pending': 'not run yet'}
# Kinds of fleet findings, in the order fleet_findings lists them.
FINDING_KINDS = ('drift', 'group_down', 'failover', 'conflict', 'cert_expiry', 'unreadable', 'failed', 'unreachable',
                 'empty', 'not_probed')
# States the summary always counts; the others only when some master is in them.
_ALWAYS_COUNTED = ('healthy', 'failover', 'down', 'failed', 'unreachable')
# The printed table lists every master up to this many; beyond it, healthy masters are counted, not listed.
TABLE_MAX_ROWS = 40
# Finding kinds of the probe's groups that are conflicts of the master's configuration.
_CONFLICT_KINDS = ('duplicate_priority', 'duplicate_url')

# What a host report keeps of the registered results: only these keys, so that nothing else a
# result might carry (invocation, module arguments) ever reaches a report file.
_FILE_KEYS = ('name', 'path', 'reason', 'format', 'key_id')
_ENDPOINT_KEYS = ('url', 'groupId', 'priority', 'hostName', 'source', 'token', 'stage', 'reason', 'detail',
                  'http_status', 'close_code', 'close_reason', 'ms', 'tls', 'address')
_GROUP_KEYS = ('groupId', 'active', 'active_priority', 'active_source', 'active_name', 'failover', 'healthy', 'total',
               'findings', 'line')
_FIRED_KEYS = ('condition', 'groups', 'files', 'message')
_ERROR_KEYS = ('path', 'message')


def _pick(mapping, keys):
    return dict((key, mapping[key]) for key in keys if key in mapping)


def _ran(result):
    return isinstance(result, dict) and not result.get('skipped')


def host_report(host, seen=True, deploy=None, probe=None, run_id=None, generated=None):
    """One master's report, with its ``state``, from the registered results of the rollout's deploy and probe.

    ``seen`` is false for a host the play has not reached yet (a later ``serial`` batch): ``pending``.
    A probe result that is missing or skipped (``--tags deploy``, ``--tags report``, a skipped host)
    makes the master ``not_probed``: nobody knows its state, so it is never called healthy.
    """
    report = {'host': host, 'run_id': run_id, 'generated': generated}
    if not seen:
        report['state'] = 'pending'
        return report
    for stage, result in (('deploy', deploy), ('probe', probe)):
        if _ran(result) and result.get('unreachable'):
            return _failed(report, 'unreachable', stage, result.get('msg') or 'unreachable')
    if _ran(deploy):
        report['deploy'] = {'changed': bool(deploy.get('changed')),
                            'files': [_pick(row, _FILE_KEYS) for row in deploy.get('files') or []],
                            'removed': list(deploy.get('removed') or [])}
        if deploy.get('failed'):
            return _failed(report, 'failed', 'deploy', deploy.get('msg') or 'deploy failed')
    if not _ran(probe):
        report['state'] = 'not_probed'
        return report
    groups = probe.get('groups')
    if groups is None:
        # A probe that failed before probing (bad options, no websockets library): no groups to show.
        return _failed(report, 'failed', 'probe', probe.get('msg') or 'probe failed')
    fired = [_pick(condition, _FIRED_KEYS) for condition in probe.get('fired') or []]
    # Each endpoint once, inside its group: the report of a large fleet stays small.
    report['probe'] = {
        'ok': bool(probe.get('ok')) and not probe.get('failed'),
        'fired': fired,
        'errors': [_pick(error, _ERROR_KEYS) for error in probe.get('errors') or []],
        'groups': [dict(_pick(group, _GROUP_KEYS), endpoints=[dict(_pick(result, _ENDPOINT_KEYS), name=endpoint_name(result))
                                                              for result in member_results(group, probe.get('endpoints') or [])])
                   for group in groups],
    }
    if fired or probe.get('failed'):
        why = 'fail_on %s' % ', '.join(_fired_text(condition) for condition in fired) if fired else probe.get('msg')
        report = _failed(report, 'failed', 'probe', why or 'probe failed')
        report['failure']['conditions'] = [condition['condition'] for condition in fired]
        return report
    if not report['probe']['groups'] and not report['probe']['errors']:
        # Nothing to connect to is not healthy: no endpoint file yet (a check run before the first deploy), or none left.
        report['state'] = 'empty'
        return report
    cells = [group_cell(group)['state'] for group in report['probe']['groups']]
    report['state'] = 'down' if 'down' in cells else 'failover' if 'failover' in cells else 'healthy'
    return report


def _failed(report, state, stage, msg):
    report.update(state=state, failure={'stage': stage, 'msg': msg})
    return report


def _fired_text(condition):
    """``group_down (BETA)``, ``unreadable (2 files)``: which fail_on condition held, and for what."""
    if condition.get('files'):
        return '%s (%s)' % (condition['condition'], counted(len(condition['files']), 'file'))
    if condition.get('groups'):
        return '%s (%s)' % (condition['condition'], ', '.join(condition['groups']))
    return condition['condition']


def group_cell(group):
    """The grid cell of one group on one master: state, the endpoint NetBackup would connect to, a short text.

    The endpoint is the one the probe's group view named (``active_name``), never looked up again.
    """
    if group.get('active') is None:
        return {'state': 'down', 'active': None, 'priority': None, 'text': 'DOWN'}
    name, priority = group['active_name'], group['active_priority']
    if group.get('failover'):
        return {'state': 'failover', 'active': name, 'priority': priority, 'text': '%s (p%d) FAILOVER' % (name, priority)}
    return {'state': 'ok', 'active': name, 'priority': priority, 'text': '%s (p%d)' % (name, priority)}


def _groups(report):
    return (report.get('probe') or {}).get('groups') or []


def _signature(group):
    """What a group is configured as on one master: its (priority, url) pairs in NetBackup's order."""
    return tuple(sorted((result['priority'], normalized_url(result['url'])) for result in group['endpoints']))


def _hosts_text(hosts, limit=5):
    hosts = sorted(hosts)
    shown = ', '.join(hosts[:limit])
    return shown + (' and %d more' % (len(hosts) - limit) if len(hosts) > limit else '')


def _drift(reports):
    """One finding per groupId configured differently on different masters, naming who has which variant."""
    variants = {}
    for report in reports:
        for group in _groups(report):
            variants.setdefault(group['groupId'], {}).setdefault(_signature(group), []).append(report['host'])
    findings = []
    for group_id in sorted(variants):
        by_signature = variants[group_id]
        if len(by_signature) < 2:
            continue
        described = []
        for signature, hosts in sorted(by_signature.items(), key=lambda item: (-len(item[1]), item[0])):
            layout = ', '.join('%d %s' % (priority, url.partition('?')[0]) for priority, url in signature)
            described.append('%s: %s' % (_hosts_text(hosts), layout))
        findings.append({
            'kind': 'drift', 'groupId': group_id,
            'hosts': sorted(host for hosts in by_signature.values() for host in hosts),
            'message': 'drift in %s: its endpoints differ between masters (%s)' % (group_id, '; '.join(described)),
        })
    return findings


def _group_findings(reports, min_cert_days):
    """Groups down, groups failed over, conflicts and certificates close to expiry, each once for all the masters
    that see it the same way."""
    seen = {'group_down': {}, 'failover': {}, 'conflict': {}, 'cert_expiry': {}}
    for report in reports:
        for group in _groups(report):
            group_id, members = group['groupId'], group.get('endpoints') or []
            if group.get('active') is None and members:
                seen['group_down'].setdefault((group_id, reasons_text(members)), []).append(report['host'])
            elif group.get('failover'):
                skipped = reasons_text([result for result in members if result['priority'] < group['active_priority']])
                key = (group_id, group['active_name'], group['active_priority'], skipped)
                seen['failover'].setdefault(key, []).append(report['host'])
            for finding in group.get('findings') or []:
                if finding['kind'] in _CONFLICT_KINDS:
                    seen['conflict'].setdefault((group_id, finding['message']), []).append(report['host'])
            for result in members:
                when = cert_expiry(result, min_cert_days)
                if when:
                    key = (group_id, endpoint_name(result), normalized_url(result['url']).partition('?')[0], when)
                    seen['cert_expiry'].setdefault(key, []).append(report['host'])
    findings = []
    for (group_id, reasons), hosts in sorted(seen['group_down'].items()):
        findings.append({'kind': 'group_down', 'groupId': group_id, 'hosts': sorted(hosts),
                         'message': '%s is down on %s: no endpoint of the group is healthy (%s)'
                                    % (group_id, _hosts_text(hosts), reasons)})
    for (group_id, name, priority, skipped), hosts in sorted(seen['failover'].items()):
        findings.append({'kind': 'failover', 'groupId': group_id, 'hosts': sorted(hosts),
                         'message': '%s failed over on %s: NetBackup would connect to %s (priority %d) at its next '
                                    '(re)connect; not healthy: %s' % (group_id, _hosts_text(hosts), name, priority, skipped)})
    for (group_id, message), hosts in sorted(seen['conflict'].items()):
        findings.append({'kind': 'conflict', 'groupId': group_id, 'hosts': sorted(hosts),
                         'message': 'conflict on %s: %s' % (_hosts_text(hosts), message)})
    for (group_id, name, url, when), hosts in sorted(seen['cert_expiry'].items()):
        findings.append({'kind': 'cert_expiry', 'groupId': group_id, 'hosts': sorted(hosts),
                         'message': 'the certificate of %s (%s, %s) %s, seen from %s'
                                    % (name, group_id, url, when, _hosts_text(hosts))})
    return findings


def _host_findings(reports):
    """Unreadable files, then failed and unreachable masters one by one, then masters without endpoints, then the
    masters nobody probed."""
    findings = []
    for report in reports:
        errors = (report.get('probe') or {}).get('errors') or []
        if errors:
            findings.append({'kind': 'unreadable', 'hosts': [report['host']], 'files': [error['path'] for error in errors],
                             'message': '%s: %s could not be read, so %s not probed: %s'
                                        % (report['host'], counted(len(errors), 'endpoint file'),
                                           'it was' if len(errors) == 1 else 'they were',
                                           ' '.join(error['message'] for error in errors))})
    for state in ('failed', 'unreachable'):
        for report in reports:
            if report['state'] == state:
                failure = report.get('failure') or {}
                findings.append({'kind': state, 'hosts': [report['host']],
                                 'message': '%s %s in the %s: %s'
                                            % (report['host'], state, failure.get('stage'), failure.get('msg'))})
    empty = [report['host'] for report in reports if report['state'] == 'empty']
    if empty:
        findings.append({'kind': 'empty', 'hosts': empty,
                         'message': '%s no endpoint file, so NetBackup has nothing to connect to: %s'
                                    % ('1 master has' if len(empty) == 1 else '%d masters have' % len(empty),
                                       _hosts_text(empty))})
    not_probed = [report['host'] for report in reports if report['state'] == 'not_probed']
    if not_probed:
        findings.append({'kind': 'not_probed', 'hosts': not_probed,
                         'message': '%s not probed in this run, so %s state is unknown: %s (run the rollout with the '
                                    'probe tag to check)' % (counted(len(not_probed), 'master was', 'masters were'),
                                                             'its' if len(not_probed) == 1 else 'their',
                                                             _hosts_text(not_probed))})
    return findings


def fleet_findings(reports, min_cert_days=DEFAULT_MIN_CERT_DAYS):
    """Findings across the fleet, in this order: drift, groups down, failovers, conflicts, certificates, unreadable
    files, failed, unreachable, empty and not probed masters."""
    return _drift(reports) + _group_findings(reports, min_cert_days) + _host_findings(reports)


def fleet_view(reports, generated=None, run_id=None, min_cert_days=DEFAULT_MIN_CERT_DAYS, carried=()):
    """The whole fleet from its host reports: summary, groups, the grid, findings and the reports themselves.

    ``carried`` are host reports of earlier runs for masters this run did not include (``--limit``):
    they are part of the view, marked ``carried`` with their own ``run_id`` and ``generated``.
    """
    carried = [dict(report, carried=True) for report in carried]
    reports = sorted(list(reports) + carried, key=lambda report: report['host'])
    group_ids = sorted(set(group['groupId'] for report in reports for group in _groups(report)))
    grid = {}
    for report in reports:
        cells = dict((group['groupId'], group_cell(group)) for group in _groups(report))
        if report.get('probe') is not None:
            for group_id in group_ids:
                cells.setdefault(group_id, {'state': 'not_deployed', 'active': None, 'priority': None, 'text': '-'})
        grid[report['host']] = cells
    states = dict((report['host'], report['state']) for report in reports)
    summary = dict((state, sum(1 for value in states.values() if value == state)) for state in HOST_STATES)
    summary.update(masters=len(reports), carried=len(carried))
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
    """``12 masters: 9 healthy, 1 failed over, 1 down, 1 failed, 0 unreachable`` (and the rarer states when present)."""
    summary = view['summary']
    parts = ['%d %s' % (summary[state], STATE_WORDS[state]) for state in HOST_STATES
             if state in _ALWAYS_COUNTED or summary[state]]
    line = '%s: %s' % (counted(summary['masters'], 'master'), ', '.join(parts))
    if summary.get('carried'):
        line += ' (%d from earlier runs: not in this one)' % summary['carried']
    return line


def deploy_lines(view, check_mode=False, max_rows=TABLE_MAX_ROWS):
    """What this run's deploy did: one line per master whose files changed (or would, in check mode), after a count;
    beyond ``max_rows`` masters the rest are counted (each master's report file lists its files).

    Masters whose deploy failed are not here: the findings name them with the reason. The rollout prints these
    with its table, so that no task runs on every master just to say it; carried masters (a --limit run) and
    masters without a deploy in this run (--tags probe) are left out.
    """
    deployed = [report for report in view['reports']
                if 'deploy' in report and not report.get('carried') and report.get('failure', {}).get('stage') != 'deploy']
    if not deployed:
        return []
    lines = []
    for report in deployed:
        deploy = report['deploy']
        done = ['%s %s' % (row.get('reason'), row.get('name') or row.get('path')) for row in deploy['files']
                if row.get('reason') not in UNCHANGED_REASONS]
        done += ['%s %s' % ('would remove' if check_mode else 'removed', path) for path in deploy['removed']]
        if done:
            lines.append('- %s: %s' % (report['host'], ', '.join(done)))
    unchanged = len(deployed) - len(lines)
    head = 'deploy, check mode (nothing was written): %s would change' if check_mode else 'deploy: %s changed'
    more = ['(%d more, in hosts/<master>.json)' % (len(lines) - max_rows)] if len(lines) > max_rows else []
    return [head % counted(len(lines), 'master') + ', %d unchanged' % unchanged] + lines[:max_rows] + more


def fleet_table(view, max_rows=TABLE_MAX_ROWS, deploy=None):
    """The printed report: the summary, a masters x groups grid of the endpoint each group would connect to, the deploy
    lines when given (``deploy_lines``), the findings.

    Up to ``max_rows`` masters every one is listed; beyond, healthy masters are only counted.
    """
    groups = view['groups']
    hosts = view['hosts']
    states = view['host_states']
    carried = set(report['host'] for report in view['reports'] if report.get('carried'))
    listed = hosts if len(hosts) <= max_rows else [host for host in hosts if states[host] != 'healthy']
    header = ['master', 'state'] + groups
    rows = []
    for host in listed:
        cells = view['grid'].get(host) or {}
        state = states[host] + (' (earlier run)' if host in carried else '')
        rows.append([host, state] + [cells[group_id]['text'] if group_id in cells else '' for group_id in groups])
    widths = [max(len(str(row[column])) for row in [header] + rows) for column in range(len(header))]
    lines = [summary_line(view), '']
    for row in [header] + rows:
        lines.append('  '.join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
    if len(listed) < len(hosts):
        lines.append('(%d more masters, all healthy, not listed)' % (len(hosts) - len(listed)))
    if deploy:
        lines.extend([''] + deploy)
    if view['findings']:
        lines.extend(['', 'findings:'])
        lines.extend('- %s' % finding['message'] for finding in view['findings'])
    return lines
