# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""Rules across the endpoints of one master server: groups, priorities, conflicts.

NetBackup keeps at most one active connection per group and tries the group's endpoints in
ascending priority, so two endpoints of a group with one priority, or two endpoints with one
url, make its choice ambiguous. Those are errors; a group without a second endpoint is a
warning (nothing to fail over to).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections

# ``message`` names every file in ``sources``: it is the one line shown to the user.
SetProblem = collections.namedtuple('SetProblem', ['sources', 'message'])


class EndpointSetError(ValueError):
    """One or more rules across the set are broken; ``problems`` holds one sentence each."""

    def __init__(self, problems):
        self.problems = list(problems)
        super(EndpointSetError, self).__init__('; '.join(self.problems))


def _name(endpoint, index):
    return endpoint.source or 'endpoint #%d' % (index + 1)


def set_problems(endpoints):
    """Every broken rule across ``endpoints`` as a ``SetProblem`` naming all files involved.

    Urls are compared as NetBackup reaches them (``Endpoint.normalized_url``), so
    ``wss://H.example.com/x`` and ``wss://h.example.com:443/x`` are the same url.
    """
    problems = []
    by_slot = {}
    by_url = {}
    for index, endpoint in enumerate(endpoints):
        by_slot.setdefault((endpoint.group_id, endpoint.priority), []).append(_name(endpoint, index))
        by_url.setdefault(endpoint.normalized_url(), []).append(_name(endpoint, index))
    for (group_id, priority), names in sorted(by_slot.items()):
        if len(names) > 1:
            problems.append(SetProblem(names, '%s: groupId %s has priority %d more than once; NetBackup could not tell '
                                              'which to try first' % (', '.join(names), group_id, priority)))
    for url, names in sorted(by_url.items()):
        if len(names) > 1:
            problems.append(SetProblem(names, '%s: url %s appears more than once; each endpoint needs its own url'
                                              % (', '.join(names), url)))
    return problems


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
    warnings = []
    for group in group_table(endpoints):
        if len(group['endpoints']) == 1:
            warnings.append('%s: groupId %s has a single endpoint, so NetBackup has nothing to fail over to'
                            % (group['endpoints'][0]['source'], group['groupId']))
    return warnings


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
