# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""Probe results seen per group, the way NetBackup chooses among a group's endpoints.

NetBackup keeps at most one active connection per group. When a group has none, it tries the
group's endpoints in ascending priority and uses the first that connects and whose CONNECT is
answered ``valid: true``. It does not move back to a better endpoint on its own: ``active`` is the
endpoint it picks when the group (re)connects, not necessarily the one a running master uses.

Pure functions over the result dicts of ``_probe.probe_endpoints``; nothing here opens a socket.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import normalized_url
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_dir import entry_name

FAIL_ON_CONDITIONS = ('group_down', 'any_down', 'failover', 'conflict', 'cert_expiry')
DEFAULT_FAIL_ON = ('group_down',)
DEFAULT_MIN_CERT_DAYS = 30


def endpoint_name(result):
    """How lines and findings name an endpoint: its file's ``<name>`` (``ALPHA_1`` of ``nbwss_ALPHA_1.sealed``),
    else its source (``endpoints[0]``, a file named otherwise), else its url."""
    source = result.get('source') or ''
    return entry_name(source) or source or result['url']


def _healthy(result):
    return result['reason'] == 'ok'


def _down_list(results):
    return ', '.join('%s %s' % (endpoint_name(result), result['reason']) for result in results)


def group_view(results, min_cert_days=DEFAULT_MIN_CERT_DAYS):
    """Groups sorted by groupId, each a dict:

    ``groupId``; ``endpoints`` (its results, in priority then url order); ``active`` (url of the
    healthy endpoint with the lowest priority, or None) and ``active_priority``; ``failover`` (true
    when ``active`` is not of the group's best priority); ``healthy`` and ``total`` counts;
    ``findings`` (``{'kind', 'message'}``: ``group_down``, ``single_endpoint``,
    ``duplicate_priority``, ``duplicate_url``, ``cert_expiry``); and ``line``, one human sentence.
    """
    by_group = {}
    url_count = {}
    for result in results:
        by_group.setdefault(result['groupId'], []).append(result)
        # Compared as NetBackup reaches them, as the set rules do (_endpoint_set).
        url = normalized_url(result['url'])
        url_count[url] = url_count.get(url, 0) + 1
    groups = []
    for group_id in sorted(by_group):
        members = sorted(by_group[group_id], key=lambda result: (result['priority'], result['url']))
        healthy = [result for result in members if _healthy(result)]
        active = healthy[0] if healthy else None
        best = members[0]['priority']
        groups.append({
            'groupId': group_id,
            'endpoints': members,
            'active': active['url'] if active else None,
            'active_priority': active['priority'] if active else None,
            'failover': active is not None and active['priority'] > best,
            'healthy': len(healthy),
            'total': len(members),
            'findings': _findings(group_id, members, url_count, min_cert_days),
            'line': _line(group_id, members, active),
        })
    return groups


def _line(group_id, members, active):
    """``ALPHA: active ALPHA_2 (priority 2, failover: ALPHA_1 tls_expired)`` and its variants."""
    if active is None:
        return '%s: DOWN, no healthy endpoint (%s)' % (group_id, _down_list(members))
    skipped = [result for result in members if result['priority'] < active['priority']]
    others = [result for result in members if not _healthy(result) and result['priority'] >= active['priority']]
    parts = ['priority %d' % active['priority']]
    if skipped:
        parts.append('failover: %s' % _down_list(skipped))
    else:
        parts.append('%d of %d healthy' % (sum(1 for result in members if _healthy(result)), len(members)))
    text = ', '.join(parts)
    if others:
        text += '; %sdown: %s' % ('also ' if skipped else '', _down_list(others))
    return '%s: active %s (%s)' % (group_id, endpoint_name(active), text)


def _findings(group_id, members, url_count, min_cert_days):
    findings = []

    def add(kind, message):
        findings.append({'kind': kind, 'message': message})

    if not any(_healthy(result) for result in members):
        add('group_down', '%s: no endpoint is healthy, so NetBackup cannot connect this group (%s).'
            % (group_id, _down_list(members)))
    if len(members) == 1:
        add('single_endpoint', '%s: %s is the only endpoint, so NetBackup has nothing to fail over to.'
            % (group_id, endpoint_name(members[0])))
    by_priority = {}
    for result in members:
        by_priority.setdefault(result['priority'], []).append(endpoint_name(result))
    for priority in sorted(by_priority):
        if len(by_priority[priority]) > 1:
            add('duplicate_priority', '%s: priority %d is used by %s; which one NetBackup tries first is undefined.'
                % (group_id, priority, ' and '.join(by_priority[priority])))
    for result in members:
        if url_count[normalized_url(result['url'])] > 1:
            add('duplicate_url', '%s: the url of %s (%s) is used by more than one endpoint.'
                % (group_id, endpoint_name(result), result['url']))
        expiry = _cert_expiry(result, min_cert_days)
        if expiry:
            add('cert_expiry', '%s: the certificate of %s %s.' % (group_id, endpoint_name(result), expiry))
    return findings


def _cert_expiry(result, min_cert_days):
    """How the endpoint's certificate fails the ``min_cert_days`` rule, or None."""
    if result['reason'] == 'tls_expired':
        return 'has expired'
    tls = result.get('tls') or {}
    days_left = tls.get('days_left')
    if days_left is not None and days_left < min_cert_days:
        return 'expires in %d day(s), on %s (min_cert_days is %d)' % (days_left, tls['not_after'], min_cert_days)
    return None


_CONDITION_KINDS = {
    'group_down': ('group_down',),
    'conflict': ('duplicate_priority', 'duplicate_url'),
    'cert_expiry': ('cert_expiry',),
}


def fired_conditions(groups, fail_on=DEFAULT_FAIL_ON):
    """The ``fail_on`` conditions that hold for ``groups`` (from ``group_view``), in ``fail_on`` order.

    Each is ``{'condition', 'groups', 'message'}``; an empty list means the task should not fail.
    Raises ``ValueError`` for an unknown condition.
    """
    unknown = [condition for condition in fail_on if condition not in FAIL_ON_CONDITIONS]
    if unknown:
        raise ValueError('fail_on: unknown condition(s) %s; choose from %s.'
                         % (', '.join(map(str, unknown)), ', '.join(FAIL_ON_CONDITIONS)))
    fired = []
    for condition in fail_on:
        if condition == 'any_down':
            hits = [(group['groupId'], [result for result in group['endpoints'] if not _healthy(result)]) for group in groups]
            messages = ['%s: %s' % (group_id, _down_list(down)) for group_id, down in hits if down]
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
            fired.append({'condition': condition, 'groups': group_ids, 'message': '%s: %s' % (condition, ' '.join(
                message if message.endswith('.') else message + '.' for message in messages))})
    return fired
