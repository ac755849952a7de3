# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""The fleet report as Prometheus metrics (``fleet.prom`` beside ``fleet.json``): a pure function of the fleet view.

The exposition code and the per-group metrics are the probe's own (``module_utils/_metrics.py``), here with a
``master`` label and the ``nbwss_fleet_`` prefix: the fleet file is the snapshot of the last rollout, while each
master's own file (the probe's ``metrics_path``) is what alerts, so one problem never pages twice under one name.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netbackup.nbwss.plugins.module_utils._metrics import MetricFamily, exposition, group_families
from ansible_collections.netbackup.nbwss.plugins.plugin_utils._fleet_report import FINDING_KINDS, HOST_STATES


def fleet_metrics(view, now):
    """The text of ``fleet.prom`` for ``view`` (``fleet_view``), made at ``now`` (seconds since the epoch)."""
    reports = view['reports']
    states, carried, unreadable, groups = [], [], [], []
    for report in reports:
        master = [('master', report['host'])]
        states.extend((master + [('state', state)], report['state'] == state) for state in HOST_STATES)
        carried.append((master, bool(report.get('carried'))))
        probe = report.get('probe')
        if probe is not None:
            unreadable.append((master, len(probe.get('errors') or [])))
            groups.extend((master, group) for group in probe.get('groups') or [])
    kinds = list(FINDING_KINDS) + sorted(set(finding['kind'] for finding in view['findings']) - set(FINDING_KINDS))
    families = [
        MetricFamily('nbwss_fleet_report_timestamp_seconds', 'gauge', 'When the fleet report was written.', [([], now)]),
        MetricFamily('nbwss_fleet_masters', 'gauge', 'How many masters of the fleet report are in each state.',
                     [([('state', state)], view['summary'].get(state, 0)) for state in HOST_STATES]),
        MetricFamily('nbwss_fleet_findings', 'gauge', 'How many fleet findings of each kind the report holds.',
                     [([('kind', kind)], sum(1 for finding in view['findings'] if finding['kind'] == kind))
                      for kind in kinds]),
        MetricFamily('nbwss_fleet_master_state', 'gauge',
                     'The state of each master in the fleet report, 1 for its state and 0 for the others.', states),
        MetricFamily('nbwss_fleet_master_carried', 'gauge',
                     'Whether the master\'s row comes from an earlier run (a --limit run did not include it).', carried),
        MetricFamily('nbwss_fleet_master_unreadable_files', 'gauge',
                     'Endpoint files the master\'s probe could not read, so their endpoints were not probed.', unreadable),
    ]
    return exposition(families + group_families(groups, prefix='nbwss_fleet'))
