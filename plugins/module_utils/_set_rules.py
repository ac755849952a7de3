# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""The rules across the endpoints of one master server: groups, priorities, urls. Their one home.

NetBackup keeps at most one active connection per group and tries the group's endpoints in
ascending priority, so two endpoints of a group with one priority, or two endpoints with one
url, make its choice ambiguous. Those are errors before a write (endpoint_set, the lookups) and
findings after a probe (``_probe_groups``); a group without a second endpoint is a warning
(nothing to fail over to). Every caller names its endpoints its own way; the rules and their
sentences are the same.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections

# ``message`` names every endpoint in ``sources``: it is the one line shown to the user.
# ``kind`` is duplicate_priority, duplicate_url or single_endpoint; ``group_id`` the group it is about
# (for duplicate_url, the group of the first endpoint that uses the url).
SetProblem = collections.namedtuple('SetProblem', ['kind', 'group_id', 'sources', 'message'])

# One endpoint as the rules see it, however the caller holds it: its name, group, priority and
# url as NetBackup reaches it (``_endpoint.normalized_url``).
Member = collections.namedtuple('Member', ['name', 'group_id', 'priority', 'url'])


class EndpointSetError(ValueError):
    """One or more rules across the set are broken; ``problems`` holds one sentence each."""

    def __init__(self, problems):
        self.problems = list(problems)
        super(EndpointSetError, self).__init__('; '.join(self.problems))


def _name(endpoint, index):
    return endpoint.source or 'endpoint #%d' % (index + 1)


def _members(endpoints):
    return [Member(_name(endpoint, index), endpoint.group_id, endpoint.priority, endpoint.normalized_url())
            for index, endpoint in enumerate(endpoints)]


def conflicts(members):
    """Every duplicate priority within a group and every url used more than once among ``members``, each one
    ``SetProblem`` naming all the endpoints involved (a url shared by three endpoints is one problem)."""
    problems = []
    by_slot = {}
    by_url = {}
    for member in members:
        by_slot.setdefault((member.group_id, member.priority), []).append(member)
        by_url.setdefault(member.url, []).append(member)
    for (group_id, priority), users in sorted(by_slot.items()):
        if len(users) > 1:
            names = [user.name for user in users]
            problems.append(SetProblem('duplicate_priority', group_id, names,
                                       '%s: groupId %s has priority %d more than once; NetBackup could not tell which to '
                                       'try first' % (', '.join(names), group_id, priority)))
    for url, users in sorted(by_url.items()):
        if len(users) > 1:
            first = min(users, key=lambda user: (user.group_id, user.priority, user.name))
            names = [user.name for user in users]
            # The query of a url is not shown: it may carry a ticket.
            problems.append(SetProblem('duplicate_url', first.group_id, names,
                                       '%s: url %s appears more than once; each endpoint needs its own url'
                                       % (', '.join(names), url.partition('?')[0])))
    return problems


def single_endpoint_groups(members):
    """A ``SetProblem`` (a warning, not an error) for each group with one endpoint only."""
    by_group = {}
    for member in members:
        by_group.setdefault(member.group_id, []).append(member)
    return [SetProblem('single_endpoint', group_id, [users[0].name],
                       '%s: groupId %s has a single endpoint, so NetBackup has nothing to fail over to'
                       % (users[0].name, group_id))
            for group_id, users in sorted(by_group.items()) if len(users) == 1]


def set_problems(endpoints):
    """Every broken rule across ``endpoints`` (``Endpoint`` objects) as a ``SetProblem`` naming all files involved.

    Urls are compared as NetBackup reaches them (``Endpoint.normalized_url``), so
    ``wss://H.example.com/x`` and ``wss://h.example.com:443/x`` are the same url.
    """
    return conflicts(_members(endpoints))


def unlisted_warnings(listed, unlisted):
    """Set rules broken between the ``listed`` endpoints and ``unlisted`` ones (files a set task leaves alone).

    NetBackup reads every endpoint file it is given, listed or not, so a clash with an unlisted
    file is worth a warning that names it; clashes among the listed ones are errors elsewhere.
    """
    listed_names = set(_name(endpoint, index) for index, endpoint in enumerate(listed))
    warnings = []
    for problem in set_problems(list(listed) + list(unlisted)):
        if set(problem.sources) - listed_names and set(problem.sources) & listed_names:
            warnings.append('%s (a file that is not in endpoints)' % problem.message)
    return warnings


def set_warnings(endpoints):
    """Findings that do not stop a rollout: groups with one endpoint only."""
    return [problem.message for problem in single_endpoint_groups(_members(endpoints))]


def check_endpoint_set(endpoints):
    """Raise ``EndpointSetError`` when a rule is broken; otherwise return the warnings."""
    problems = set_problems(endpoints)
    if problems:
        raise EndpointSetError([problem.message for problem in problems])
    return set_warnings(endpoints)


def group_table(endpoints):
    """Groups sorted by id, each with its endpoints (redacted) in the order NetBackup tries them."""
    groups = {}
    for index, endpoint in enumerate(endpoints):
        row = endpoint.redacted()
        row['source'] = _name(endpoint, index)
        groups.setdefault(endpoint.group_id, []).append(row)
    table = []
    for group_id in sorted(groups):
        rows = sorted(groups[group_id], key=lambda row: (row['priority'], row['url']))
        table.append({'groupId': group_id, 'endpoints': rows, 'priorities': [row['priority'] for row in rows]})
    return table
