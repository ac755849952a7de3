# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""Probe results as Prometheus metrics: the text exposition format 0.0.4, for node_exporter's textfile collector.

The one home of the exposition code: the probe module renders one run's file on the master with
``probe_metrics``, and the controller's fleet report (``plugin_utils/_fleet_metrics.py``) builds its
families with ``group_families`` and renders them with ``exposition``.

Pure functions over the result dicts of ``_probe.probe_endpoints`` and the groups of
``_probe_groups.group_view``; they read only non-secret keys (no token, not even its fingerprint,
and of a url only its host and port, never its path or query, where a ticket may hide). Values are
in base units (seconds, timestamps in seconds since the epoch). Families without a sample are left
out, so every metric in a file has its HELP and TYPE and a file with no endpoint is still valid.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import calendar
import math
import re
import time

from collections import namedtuple
from urllib.parse import urlsplit

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import normalized_url
from ansible_collections.netbackup.nbwss.plugins.module_utils._probe import STAGES
from ansible_collections.netbackup.nbwss.plugins.module_utils._probe_groups import endpoint_name, is_healthy

MetricFamily = namedtuple('MetricFamily', ['name', 'type', 'help', 'samples'])
MetricFamily.__doc__ = """One metric: ``name``, ``type`` (``gauge``...), ``help`` text and ``samples``, a list of
``(labels, value)`` with ``labels`` a list of ``(name, value)`` pairs in the order they are written."""

_NAME = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*$')
_LABEL_NAME = re.compile(r'^[a-zA-Z_][a-zA-Z0-9_]*$')


def escape_label_value(value):
    """A label value as the text format writes it between double quotes: ``\\``, ``"`` and newline escaped."""
    return str(value).replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')


def _escape_help(text):
    return text.replace('\\', '\\\\').replace('\n', '\\n')


def format_value(value):
    """A sample value: booleans as 1 and 0, integers as they are, floats in their shortest exact form."""
    if isinstance(value, bool):
        return '1' if value else '0'
    if isinstance(value, int):
        return str(value)
    value = float(value)
    if math.isnan(value):
        return 'NaN'
    if math.isinf(value):
        return '+Inf' if value > 0 else '-Inf'
    return repr(value)


def exposition(families):
    """The text exposition (format 0.0.4) of ``families`` (``MetricFamily``), ending in a newline.

    Families without a sample are left out. Raises ``ValueError`` for an invalid metric or label name
    (a programming error: names are constants of this collection).
    """
    lines = []
    for family in families:
        if not family.samples:
            continue
        if not _NAME.match(family.name):
            raise ValueError('invalid metric name %r' % family.name)
        lines.append('# HELP %s %s' % (family.name, _escape_help(family.help)))
        lines.append('# TYPE %s %s' % (family.name, family.type))
        for labels, value in family.samples:
            for label, dummy in labels:
                if not _LABEL_NAME.match(label) or label.startswith('__'):
                    raise ValueError('invalid label name %r' % label)
            text = ','.join('%s="%s"' % (label, escape_label_value(label_value)) for label, label_value in labels)
            lines.append('%s%s %s' % (family.name, '{%s}' % text if text else '', format_value(value)))
    return '\n'.join(lines) + '\n' if lines else ''


def url_host(url):
    """``host`` or ``host:port`` of ``url`` as NetBackup reaches it (lower case, port 443 left out), never its path
    or query."""
    return urlsplit(normalized_url(url)).netloc


def _endpoint_label(result):
    """How a metric names an endpoint: its file's ``<name>`` or its source, as the probe's lines do; never a url."""
    name = endpoint_name(result)
    return url_host(result['url']) if name == result['url'] else name


def _iso_timestamp(text):
    """Seconds since the epoch of the probe's ``2027-02-16T00:00:00Z``, or None."""
    try:
        return calendar.timegm(time.strptime(text, '%Y-%m-%dT%H:%M:%SZ'))
    except (TypeError, ValueError):
        return None


def _seconds(ms):
    # The probe measures to a tenth of a millisecond: four decimals keep it exact without float noise.
    return round(ms / 1000.0, 4)


def endpoint_families(groups):
    """The per-endpoint families of ``groups`` (``group_view``)."""
    up, stages, total, reasons, expiry = [], [], [], [], []
    for group in groups:
        for result in group.get('endpoints') or []:
            own = [('group', group['groupId']), ('priority', result['priority']), ('name', _endpoint_label(result))]
            up.append((own + [('host', url_host(result['url']))], is_healthy(result)))
            reasons.append((own + [('reason', result['reason'])], 1))
            ms = result.get('ms') or {}
            for stage in STAGES:
                if ms.get(stage) is not None:
                    stages.append((own + [('stage', stage)], _seconds(ms[stage])))
            if ms.get('total') is not None:
                total.append((own, _seconds(ms['total'])))
            not_after = _iso_timestamp((result.get('tls') or {}).get('not_after'))
            if not_after is not None:
                expiry.append((own, not_after))
    return [
        MetricFamily('nbwss_endpoint_up', 'gauge',
                     'Whether the endpoint passed every probed stage, up to the NBWSS CONNECT answered valid (reason ok).', up),
        MetricFamily('nbwss_endpoint_stage_duration_seconds', 'gauge',
                     'Seconds each stage of the endpoint\'s last probe took (resolve, tcp, tls, upgrade, connect).', stages),
        MetricFamily('nbwss_endpoint_probe_duration_seconds', 'gauge',
                     'Seconds the endpoint\'s last probe took, all its stages together.', total),
        MetricFamily('nbwss_endpoint_reason_info', 'gauge',
                     'The reason code of the endpoint\'s last probe (ok, tcp_refused, token_rejected...; docs/probe.md), always 1.',
                     reasons),
        MetricFamily('nbwss_endpoint_cert_expiry_timestamp_seconds', 'gauge',
                     'When the endpoint\'s TLS certificate expires, when it was verified.', expiry),
    ]


def group_families(labelled_groups, prefix='nbwss'):
    """The per-group families (``PREFIX_group_...``) of ``(labels, group)`` pairs: ``group`` from ``group_view`` or
    a fleet host report, its samples labelled ``labels`` (``[('master', 'm1')]``, or none) and ``group``."""
    active, failover, down, healthy, total = [], [], [], [], []
    for labels, group in labelled_groups:
        own = list(labels) + [('group', group['groupId'])]
        if group.get('active_priority') is not None:
            active.append((own, group['active_priority']))
        failover.append((own, bool(group.get('failover'))))
        down.append((own, group.get('active') is None))
        healthy.append((own, group.get('healthy', 0)))
        total.append((own, group.get('total', 0)))
    return [
        MetricFamily(prefix + '_group_active_priority', 'gauge',
                     'Priority of the endpoint NetBackup would connect to at the group\'s next (re)connect; '
                     'absent while the group is down.', active),
        MetricFamily(prefix + '_group_failover', 'gauge',
                     'Whether the group would connect to an endpoint that is not of its best priority.', failover),
        MetricFamily(prefix + '_group_down', 'gauge', 'Whether the group has no healthy endpoint.', down),
        MetricFamily(prefix + '_group_healthy_endpoints', 'gauge', 'How many of the group\'s endpoints are healthy.',
                     healthy),
        MetricFamily(prefix + '_group_endpoints', 'gauge', 'How many endpoints the group has.', total),
    ]


def probe_metrics(groups, unreadable=0, started=None, finished=None):
    """The metrics file of one probe run: endpoint and group families, then the run's own.

    ``groups`` from ``group_view``; ``unreadable`` the number of endpoint files that could not be read
    (never probed); ``started`` and ``finished`` the run's times (``time.time()``).
    """
    finished = time.time() if finished is None else finished
    started = finished if started is None else started
    run = [
        MetricFamily('nbwss_probe_last_run_timestamp_seconds', 'gauge', 'When the last probe run finished.',
                     [([], finished)]),
        MetricFamily('nbwss_probe_duration_seconds', 'gauge', 'Seconds the last probe run took, reading the files included.',
                     [([], max(0.0, finished - started))]),
        MetricFamily('nbwss_probe_endpoints', 'gauge', 'How many endpoints the last probe run probed.',
                     [([], sum(len(group.get('endpoints') or []) for group in groups))]),
        MetricFamily('nbwss_probe_unreadable_files', 'gauge',
                     'Endpoint files the last probe run could not read, so their endpoints were not probed.',
                     [([], unreadable)]),
    ]
    return exposition(endpoint_families(groups) + group_families([((), group) for group in groups]) + run)
