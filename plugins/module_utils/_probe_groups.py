# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""Probe results seen per group, the way NetBackup chooses among a group's endpoints.

NetBackup keeps at most one active connection per group. When a group has none, it tries the
group's endpoints in ascending priority and uses the first that connects and whose CONNECT is
answered ``valid: true``. It does not pre-empt: a master connected to priority 2 stays there until
that connection closes, even when priority 1 comes back. So ``active`` is the endpoint NetBackup
would connect to on the group's next (re)connect, not necessarily the one a running master uses.

Pure functions over the result dicts of ``_probe.probe_endpoints``; nothing here opens a socket.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import normalized_url
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_dir import entry_name
from ansible_collections.netbackup.nbwss.plugins.module_utils._set_rules import Member, conflicts, single_endpoint_groups

FAIL_ON_CONDITIONS = ('group_down', 'any_down', 'failover', 'conflict', 'cert_expiry', 'unreadable')
DEFAULT_FAIL_ON = ('group_down', 'unreadable')
DEFAULT_MIN_CERT_DAYS = 30


def endpoint_name(result):
    """How lines and findings name an endpoint: its file's ``<name>`` (``ALPHA_1`` of ``nbwss_ALPHA_1.sealed``),
    else its source (``endpoints[0]``, a file named otherwise), else its url."""
    source = result.get('source') or ''
    return entry_name(source) or source or result['url']


def is_healthy(result):
    """Whether the endpoint passed every stage probed: the one rule for healthy (``ok``) in groups, lines and metrics."""
    return result['reason'] == 'ok'


def reasons_text(results):
    """``a1 tcp_refused, a2 http_status 404``: what stopped each endpoint, for lines and findings here and in the fleet."""
    return ', '.join('%s %s%s' % (endpoint_name(result), result['reason'],
                                  ' %s' % result['http_status'] if result.get('http_status') else '')
                     for result in results)


def group_view(results, min_cert_days=DEFAULT_MIN_CERT_DAYS):
    """Groups sorted by groupId, each a dict:

    ``groupId``; ``endpoints`` (its results, in priority then url order) and ``members`` (their indexes in
    ``results``, in the same order; a module result keeps only these: ``returned_groups``); ``active`` (url of the
    healthy endpoint with the lowest priority: the one NetBackup would connect to on the group's
    next (re)connect, or None), ``active_priority``, ``active_source`` and ``active_name`` (which
    result that is, so that nobody downstream has to find it again by url); ``failover`` (true
    when ``active`` is not of the group's best priority); ``healthy`` and ``total`` counts;
    ``findings`` (``{'kind', 'message'}``: ``group_down``; ``single_endpoint``,
    ``duplicate_priority`` and ``duplicate_url`` from the set rules (``_set_rules``; a shared url once,
    in the group of its first endpoint); ``cert_expiry``); and ``line``, one human sentence.
    """
    by_group = {}
    for index, result in enumerate(results):
        by_group.setdefault(result['groupId'], []).append((index, result))
    # The set rules, as endpoint_set and the lookups apply them; each problem in the group it is about.
    as_members = [Member(endpoint_name(result), result['groupId'], result['priority'], normalized_url(result['url']))
                  for result in results]
    rule_breaks = {}
    for problem in conflicts(as_members) + single_endpoint_groups(as_members):
        rule_breaks.setdefault(problem.group_id, []).append(problem)
    groups = []
    for group_id in sorted(by_group):
        indexed = sorted(by_group[group_id], key=lambda item: (item[1]['priority'], item[1]['url'], item[0]))
        members = [result for dummy, result in indexed]
        healthy = [result for result in members if is_healthy(result)]
        active = healthy[0] if healthy else None
        best = members[0]['priority']
        groups.append({
            'groupId': group_id,
            'endpoints': members,
            'members': [index for index, dummy in indexed],
            'active': active['url'] if active else None,
            'active_priority': active['priority'] if active else None,
            'active_source': active.get('source') if active else None,
            'active_name': endpoint_name(active) if active else None,
            'failover': active is not None and active['priority'] > best,
            'healthy': len(healthy),
            'total': len(members),
            'findings': _findings(group_id, members, rule_breaks.get(group_id, []), min_cert_days),
            'line': _line(group_id, members, active),
        })
    return groups


def returned_groups(groups):
    """``groups`` as a module returns them: without ``endpoints``, since the result lists every endpoint once
    (``endpoints``) and ``members`` indexes it. A copy of each endpoint in its group doubled the result, and with
    it the masking, serializing and parsing of large probes."""
    return [dict((key, value) for key, value in group.items() if key != 'endpoints') for group in groups]


def member_results(group, results):
    """A returned group's endpoint results, in the order NetBackup tries them (``results``: the module's ``endpoints``)."""
    return [results[index] for index in group['members']]


def _line(group_id, members, active):
    """``ALPHA: would connect to ALPHA_2 (priority 2, failover: ALPHA_1 tls_expired)`` and its variants.

    "would connect to": NetBackup does not pre-empt, so this is its choice at the group's next (re)connect.
    """
    if active is None:
        return '%s: DOWN, no healthy endpoint (%s)' % (group_id, reasons_text(members))
    skipped = [result for result in members if result['priority'] < active['priority']]
    others = [result for result in members if not is_healthy(result) and result['priority'] >= active['priority']]
    parts = ['priority %d' % active['priority']]
    if skipped:
        parts.append('failover: %s' % reasons_text(skipped))
    else:
        parts.append('%d of %d healthy' % (sum(1 for result in members if is_healthy(result)), len(members)))
    text = ', '.join(parts)
    if others:
        text += '; %sdown: %s' % ('also ' if skipped else '', reasons_text(others))
    return '%s: would connect to %s (%s)' % (group_id, endpoint_name(active), text)


def _findings(group_id, members, rule_breaks, min_cert_days):
    findings = []

    def add(kind, message):
        findings.append({'kind': kind, 'message': message})

    if not any(is_healthy(result) for result in members):
        add('group_down', '%s: no endpoint is healthy, so NetBackup cannot connect this group (%s).'
            % (group_id, reasons_text(members)))
    for kind in ('single_endpoint', 'duplicate_priority', 'duplicate_url'):
        for problem in rule_breaks:
            if problem.kind == kind:
                add(kind, problem.message + '.')
    for result in members:
        expiry = cert_expiry(result, min_cert_days)
        if expiry:
            margin = '' if expiry == 'has expired' else ' (min_cert_days is %d)' % min_cert_days
            add('cert_expiry', '%s: the certificate of %s %s%s.' % (group_id, endpoint_name(result), expiry, margin))
    return findings


def cert_expiry(result, min_cert_days):
    """``has expired`` or ``expires in N day(s), on DATE`` when the endpoint's certificate fails the
    ``min_cert_days`` rule, else None. The one home of that rule: the probe's findings and the fleet's use it."""
    if result['reason'] == 'tls_expired':
        return 'has expired'
    tls = result.get('tls') or {}
    days_left = tls.get('days_left')
    if days_left is not None and days_left < min_cert_days:
        return 'expires in %d day(s), on %s' % (days_left, tls['not_after'])
    return None


def _sentence(text):
    return text if text.endswith('.') else text + '.'


def _unreadable(errors):
    """The ``unreadable`` condition for files that could not be read: about files, not groups, since a group
    whose only file cannot be read would otherwise vanish unnoticed."""
    if not errors:
        return []
    count = '1 endpoint file could not be read and was' if len(errors) == 1 else \
        '%d endpoint files could not be read and were' % len(errors)
    return [{'condition': 'unreadable', 'groups': [], 'files': [error['path'] for error in errors],
             'message': 'unreadable: %s not probed: %s' % (count, ' '.join(_sentence(error['message']) for error in errors))}]


_CONDITION_KINDS = {
    'group_down': ('group_down',),
    'conflict': ('duplicate_priority', 'duplicate_url'),
    'cert_expiry': ('cert_expiry',),
}


def fired_conditions(groups, fail_on=DEFAULT_FAIL_ON, errors=None):
    """The ``fail_on`` conditions that hold for ``groups`` (from ``group_view``), in ``fail_on`` order.

    ``errors`` are the endpoint files that could not be read (``{'path', 'message'}``), for ``unreadable``.
    Each is ``{'condition', 'groups', 'message'}`` (``unreadable`` also has ``files``); an empty list
    means the task should not fail. Raises ``ValueError`` for an unknown condition.
    """
    unknown = [condition for condition in fail_on if condition not in FAIL_ON_CONDITIONS]
    if unknown:
        raise ValueError('fail_on: unknown condition(s) %s; choose from %s.'
                         % (', '.join(map(str, unknown)), ', '.join(FAIL_ON_CONDITIONS)))
    fired = []
    for condition in fail_on:
        if condition == 'unreadable':
            fired.extend(_unreadable(errors))
            continue
        if condition == 'any_down':
            hits = [(group['groupId'], [result for result in group['endpoints'] if not is_healthy(result)]) for group in groups]
            messages = ['%s: %s' % (group_id, reasons_text(down)) for group_id, down in hits if down]
            group_ids = [group_id for group_id, down in hits if down]
        elif condition == 'failover':
            failed_over = [group for group in groups if group['failover']]
            group_ids = [group['groupId'] for group in failed_over]
            messages = [group['line'] for group in failed_over]
        else:
            kinds = _CONDITION_KINDS[condition]
            found = [(group['groupId'], finding['message']) for group in groups for finding in group['findings']
                     if finding['kind'] in kinds]
            group_ids = sorted(set(group_id for group_id, dummy in found))
            messages = [message for dummy, message in found]
        if group_ids:
            fired.append({'condition': condition, 'groups': group_ids,
                          'message': '%s: %s' % (condition, ' '.join(_sentence(message) for message in messages))})
    return fired
