# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Event source ``netbackup.nbwss.probe``: probe NBWSS endpoints every ``interval`` seconds and put an
event on the queue when a group or an endpoint changes (docs/monitoring.md).

Every round uses the probe module's engine (``_probe.probe_endpoints``) and its group verdict
(``_probe_groups.group_view``); this file only decides which differences between two rounds are
events, and names them.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import datetime
import os
import sys
from urllib.parse import urlsplit

DOCUMENTATION = r"""
---
short_description: Probe NBWSS endpoints every interval and send an event when a group or an endpoint changes.
description:
  - An ansible-rulebook event source plugin that probes NetBackup WebSocket Service (NBWSS) endpoints the way
    NetBackup connects to them (DNS, TCP, TLS, WebSocket upgrade, the NBWSS CONNECT with the endpoint's token), with
    the engine and the group verdict of the M(netbackup.nbwss.probe) module.
  - It probes every O(interval) seconds and puts an event on the queue only when something changes - a group fails
    over, goes down or recovers, an endpoint's token is rejected or accepted again, a certificate comes within
    O(min_cert_days) of its expiry or is renewed, a round cannot probe (or files cannot be read) or can again.
  - The first round reports the conditions that are bad at start (groups down or failed over, tokens rejected,
    certificates near expiry, probe errors), so that a rulebook started during an outage acts; healthy groups and
    endpoints send nothing.
  - Each event has one key, C(nbwss), whose value holds C(type), C(timestamp), C(group), C(endpoint), C(priority),
    C(host), C(reason), C(detail), C(active_endpoint), C(active_priority), C(first_seen) and the fields of its type
    (see C(docs/monitoring.md)). An event never holds a token, a token fingerprint, or the path or query of a url.
  - A round that fails (an engine error, a path that cannot be listed, a key file that cannot be read) or that finds
    endpoint files it cannot read sends one C(probe_error) event and the source keeps polling.
  - Run it where NetBackup runs (on the master, or on a host with the same network path), since it probes from
    where it runs.
options:
  path:
    description:
      - An endpoint file, or a directory whose files matching O(pattern) and ending in C(.json) or C(.sealed) are
        probed, read again every round. Sealed files are opened with O(key), O(key_file) or one of O(previous_keys).
      - Exactly one of O(path) and O(endpoints) is required.
    type: str
  pattern:
    description: Shell-style pattern of the file names to read in a directory O(path).
    type: str
    default: nbwss_*
  endpoints:
    description:
      - Endpoints given directly, in the entry forms of the M(netbackup.nbwss.probe) module (the five keys, C(content)
        or C(sealed)); an entry's C(name) names it in events. Checked once, at start.
      - They hold tokens; prefer O(path) with sealed files, or pass them from a vaulted variable.
    type: list
    elements: dict
  key:
    description: Base64 key that opens sealed files and C(sealed) entries.
    type: str
  key_file:
    description: File holding O(key) (mode 0600), read again every round, so that a rotated key is picked up.
    type: str
  previous_keys:
    description: Older keys that may have sealed some files.
    type: list
    elements: str
  interval:
    description:
      - Seconds from the start of one round to the start of the next. A round takes at most about O(timeout); when
        it takes longer than O(interval) the next starts at once.
    type: float
    default: 60
  timeout:
    description: Seconds each endpoint's probe may take, all its stages together.
    type: float
    default: 10
  stage:
    description: The last stage to probe; below C(connect) no token is sent, and no token event can happen.
    type: str
    choices: [tcp, tls, upgrade, connect]
    default: connect
  concurrency:
    description: How many endpoints are probed at once.
    type: int
    default: 1000
  validate_certs:
    description: Verify the endpoints' TLS certificates and host names (with V(false) the token is withheld).
    type: bool
    default: true
  ca_path:
    description: PEM file (or hashed directory) of the CAs that may issue the endpoints' certificates. Default is the system trust.
    type: str
  client_cert:
    description: PEM certificate for TLS client authentication.
    type: str
  client_key:
    description: PEM private key for O(client_cert), when the certificate file does not hold it.
    type: str
  allow_unverified_token:
    description: With O(validate_certs=false), send the CONNECT and its token anyway. Only for a test endpoint you control.
    type: bool
    default: false
  min_cert_days:
    description: A certificate that expires within this many days sends C(cert_expiring).
    type: int
    default: 30
  master:
    description:
      - The inventory name of the master whose endpoints these are. Every event carries it as C(master) and in
        C(meta.hosts), so that a rulebook's C(run_playbook) runs on that master only.
    type: str
"""

EXAMPLES = r"""
- netbackup.nbwss.probe:
    path: /usr/openv/var/global/wss
    key_file: /etc/nbwss/endpoints.key
    ca_path: /etc/nbwss/cloud-ca.pem
    interval: 60
    master: "{{ nbwss_master }}"

- netbackup.nbwss.probe:
    endpoints:
      - name: alpha-1
        sealed: "{{ alpha_1_sealed }}"
    key: "{{ nbwss_key }}"
    interval: 30
    timeout: 5
    min_cert_days: 45
"""


def _collections_root(plugin_file):
    """The collections path holding this file (``<root>/ansible_collections/netbackup/nbwss/extensions/eda/plugins/
    event_source/probe.py``), or None when the file is not inside such a tree."""
    collection = os.path.abspath(plugin_file)
    for _level in range(5):
        collection = os.path.dirname(collection)
    namespaces = os.path.dirname(os.path.dirname(collection))
    if os.path.basename(namespaces) != 'ansible_collections':
        return None
    return os.path.dirname(namespaces)


# ansible-rulebook loads an event source with runpy.run_path: Ansible's collection loader is not installed in its
# process, so ``ansible_collections`` imports only from a directory on sys.path. The collections path this file was
# found in is such a directory (a namespace package, so other collections paths on sys.path still work).
try:
    import ansible_collections.netbackup.nbwss.plugins.module_utils  # noqa: F401  pylint: disable=unused-import
except ImportError:
    _ROOT = _collections_root(__file__)
    if _ROOT is None:
        raise
    sys.path.append(_ROOT)

# pylint: disable=wrong-import-position
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator  # noqa: E402
from ansible.module_utils.errors import UnsupportedError  # noqa: E402

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_dir import DEFAULT_PATTERN, read_endpoint_files  # noqa: E402
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_entries import EntryReader  # noqa: E402
from ansible_collections.netbackup.nbwss.plugins.module_utils._keys import KeyRing, key_argument_spec  # noqa: E402
from ansible_collections.netbackup.nbwss.plugins.module_utils._masking import SecretMask  # noqa: E402
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import TaskError, leaves  # noqa: E402
from ansible_collections.netbackup.nbwss.plugins.module_utils._probe import (  # noqa: E402
    ProbeError,
    ProbeOptions,
    probe_argument_spec,
    probe_endpoints,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._probe_groups import (  # noqa: E402
    DEFAULT_MIN_CERT_DAYS,
    cert_expiry,
    endpoint_name,
    group_view,
)
# pylint: enable=wrong-import-position

DEFAULT_INTERVAL = 60.0

ARGUMENT_SPEC = dict(
    path=dict(type='path'),
    pattern=dict(type='str', default=DEFAULT_PATTERN),
    endpoints=dict(type='raw', no_log=True),
    interval=dict(type='float', default=DEFAULT_INTERVAL),
    min_cert_days=dict(type='int', default=DEFAULT_MIN_CERT_DAYS),
    master=dict(type='str'),
    **dict(probe_argument_spec(), **key_argument_spec())
)

# Group states: ``up`` would connect to its best priority, ``failover`` to a lower one, ``down`` to none.
UP, FAILOVER, DOWN = 'up', 'failover', 'down'
GROUP_EVENTS = {DOWN: 'group_down', FAILOVER: 'group_failover', UP: 'group_recovered'}
# An endpoint's token and certificate states, and the event that tells each.
TOKEN_EVENTS = {'rejected': 'token_rejected', 'accepted': 'token_accepted'}
CERT_EVENTS = {'expiring': 'cert_expiring', 'fine': 'cert_renewed'}
# Every event has these (None when they do not apply), its type's fields, and timestamp (and master, when given).
COMMON_FIELDS = ('group', 'endpoint', 'priority', 'host', 'reason', 'detail', 'active_endpoint', 'active_priority',
                 'first_seen')
# ansible-rulebook passes arguments of its own (eda_feedback_queue) to every source.
_RULEBOOK_ARGS_PREFIX = 'eda_'


class _Secrets(object):
    """What ``read_endpoint_files`` and ``KeyRing.from_params`` need of a module: a mask that collects the tokens and
    keys they read. Every event is scrubbed with it before it leaves the source."""

    def __init__(self, known=()):
        self.secret_mask = SecretMask()
        self.secret_mask.update(known)


def _inline_tokens(entries):
    """The ``token`` values of inline entries as given, before they are checked."""
    if not isinstance(entries, list):
        return []
    return [entry['token'] for entry in entries if isinstance(entry, dict) and isinstance(entry.get('token'), str)]


class Settings(object):
    """The source's arguments, checked once at start; ``ValueError`` (one sentence, no secret) for a bad one."""

    def __init__(self, args):
        # A rulebook cannot leave out a templated argument: an empty one ("{{ x | default('') }}") is not given.
        given = dict((name, value) for name, value in args.items()
                     if not name.startswith(_RULEBOOK_ARGS_PREFIX) and value is not None and value != '')
        validator = ArgumentSpecValidator(ARGUMENT_SPEC, mutually_exclusive=[('path', 'endpoints'), ('key', 'key_file')],
                                          required_one_of=[('path', 'endpoints')])
        checked = validator.validate(given)
        # Every message is scrubbed of the keys and tokens given, in case a library's message quotes a value.
        self.secret_texts = list(leaves([given.get('key'), given.get('previous_keys')])) + _inline_tokens(given.get('endpoints'))
        secrets = _Secrets(self.secret_texts)
        if checked.error_messages:
            messages = [('unsupported argument %s' if isinstance(error, UnsupportedError) else '%s') % error.msg
                        for error in checked.errors.errors]
            raise ValueError('netbackup.nbwss.probe: %s' % secrets.secret_mask.scrub('; '.join(messages)))
        params = checked.validated_parameters
        if params['interval'] <= 0:
            raise ValueError('netbackup.nbwss.probe: interval must be a positive number of seconds.')
        if params['min_cert_days'] < 0:
            raise ValueError('netbackup.nbwss.probe: min_cert_days must not be negative.')
        try:
            self.options = ProbeOptions.from_params(params)
            # Keys given as text are checked now; a key file is read every round (it may be rotated).
            KeyRing.from_texts(params['key'], params['previous_keys'])
            self.endpoints = None if params['endpoints'] is None else self._entries(params, secrets)
            self.secret_texts.extend(endpoint.token for endpoint in self.endpoints or [])  # sealed entries' tokens too
        except (ProbeError, TaskError) as err:
            raise ValueError('netbackup.nbwss.probe: %s' % secrets.secret_mask.scrub(str(err)))
        self.params = params
        self.interval = params['interval']
        self.min_cert_days = params['min_cert_days']
        self.master = params['master']

    @staticmethod
    def _entries(params, secrets):
        """The inline endpoints, each named by its entry's ``name`` or ``endpoints[N]``."""
        keyring = KeyRing.from_params(secrets, params['key'], params['key_file'], params['previous_keys'])
        read = EntryReader(keyring).entries(params['endpoints'], 'endpoints')
        endpoints = []
        for index, name, endpoint in read:
            if endpoint is None:
                raise TaskError('endpoints[%d]: provider entries cannot be probed; fetch them first (endpoint_fetch).' % index)
            endpoints.append(endpoint.with_source(name or 'endpoints[%d]' % index))
        return endpoints

    def endpoints_now(self, secrets):
        """``(endpoints, unreadable files)`` for this round: the files under ``path`` are read again."""
        if self.endpoints is not None:
            return self.endpoints, []
        params = self.params
        keyring = KeyRing.from_params(secrets, params['key'], params['key_file'], params['previous_keys'])
        found = read_endpoint_files(secrets, params['path'], params['pattern'], keyring)
        return found.endpoints, found.report['errors']


# One round's outcome: ``groups`` from group_view (None when the round could not probe), ``unreadable`` files
# (``{'path', 'message'}``), ``failure`` (a sentence, or None), ``finished`` (a UTC datetime) and ``secrets`` (a mask).
Round = collections.namedtuple('Round', ['groups', 'unreadable', 'failure', 'finished', 'secrets'])


def probe_round(settings):
    """Read the endpoints, probe them and judge each group; never raises for a probe that cannot run."""
    secrets = _Secrets(settings.secret_texts)
    groups, unreadable, failure = None, [], None
    try:
        endpoints, unreadable = settings.endpoints_now(secrets)
        results = probe_endpoints(endpoints, settings.options)
        groups = group_view(results, min_cert_days=settings.min_cert_days)
    except (ProbeError, TaskError) as err:
        failure = str(err)
    except Exception as err:  # pylint: disable=broad-exception-caught  # the source keeps polling: an event says so
        failure = 'The probe failed unexpectedly (%s: %s).' % (type(err).__name__, err)
    return Round(groups, unreadable, failure, datetime.datetime.now(datetime.timezone.utc), secrets.secret_mask)


def _timestamp(moment):
    return moment.isoformat(timespec='milliseconds').replace('+00:00', 'Z')


def _group_state(group):
    if group['active'] is None:
        return DOWN
    return FAILOVER if group['failover'] else UP


def _endpoint_key(result):
    return (result['groupId'], endpoint_name(result))


def _token_state(result, before):
    """``rejected``, ``accepted``, or what it was ``before`` when this round could not tell (no CONNECT answer)."""
    if result['reason'] == 'token_rejected':
        return 'rejected'
    if result['reason'] == 'ok' and result['stage'] == 'connect':
        return 'accepted'
    return before


def _cert_state(result, min_cert_days, before):
    """``expiring`` (within ``min_cert_days``, or expired), ``fine`` (verified, further off), or ``before`` when this
    round saw no verified certificate."""
    if cert_expiry(result, min_cert_days):
        return 'expiring'
    if (result.get('tls') or {}).get('days_left') is not None:
        return 'fine'
    return before


class ChangeTracker(object):
    """What the source last told, and the events that a new round's outcome makes.

    A group or endpoint seen for the first time (all of them in the first round) has no previous state: only its bad
    conditions are events. A round that could not probe changes nothing but the probe problem; groups and
    endpoints no longer seen are forgotten.
    """

    def __init__(self, min_cert_days=DEFAULT_MIN_CERT_DAYS, master=None):
        self.min_cert_days = min_cert_days
        self.master = master
        self.rounds = 0
        self.groups = {}
        self.tokens = {}
        self.certs = {}
        self.problem = None

    def events(self, outcome):
        """The events of one ``Round``, in order: the probe problem, then per group (by groupId) its state, then per
        endpoint (in priority order) its token and its certificate."""
        self.rounds += 1
        stamp = {'timestamp': _timestamp(outcome.finished)}
        if self.master is not None:
            stamp['master'] = self.master
        found = self._problem_events(outcome)
        if outcome.groups is not None:
            found.extend(self._group_events(outcome.groups))
        events = []
        for fields in found:
            fields.update(stamp)
            event = {'nbwss': outcome.secrets.scrub(fields)}
            if self.master is not None:
                event['meta'] = {'hosts': self.master}
            events.append(event)
        return events

    def _problem_events(self, outcome):
        if outcome.failure is not None:
            problem = {'reason': 'probe_failed', 'detail': outcome.failure, 'files': []}
        elif outcome.unreadable:
            problem = {'reason': 'unreadable', 'files': [error['path'] for error in outcome.unreadable],
                       'detail': '%d endpoint file(s) could not be read and were not probed: %s' % (
                           len(outcome.unreadable), ' '.join(error['message'].rstrip('.') + '.' for error in outcome.unreadable))}
        else:
            problem = None
        before, self.problem = self.problem, problem
        if problem == before:
            return []
        if problem is None:
            return [_event('probe_error_cleared', reason='ok', detail='Every endpoint file was read and probed again.',
                           first_seen=False)]
        return [_event('probe_error', first_seen=self.rounds == 1, **problem)]

    def _group_events(self, groups):
        found = []
        states, tokens, certs = {}, {}, {}
        for group in groups:
            state = (_group_state(group), group['active_name'])
            states[group['groupId']] = state
            before = self.groups.get(group['groupId'])
            if _group_changed(before, state):
                found.append(_group_event(group, state[0], before[0] if before else None))
            for result in group['endpoints']:
                key = _endpoint_key(result)
                token_before, cert_before = self.tokens.get(key), self.certs.get(key)
                tokens[key] = _token_state(result, token_before)
                certs[key] = _cert_state(result, self.min_cert_days, cert_before)
                if _changed(token_before, tokens[key], 'rejected'):
                    found.append(_endpoint_event(TOKEN_EVENTS[tokens[key]], group, result, first_seen=token_before is None))
                if _changed(cert_before, certs[key], 'expiring'):
                    found.append(self._cert_event(group, result, certs[key], first_seen=cert_before is None))
        self.groups, self.tokens, self.certs = states, tokens, certs
        return found

    def _cert_event(self, group, result, state, first_seen):
        tls = result.get('tls') or {}
        if state == 'expiring':
            detail = '%s: the certificate of %s %s (min_cert_days is %d).' % (
                group['groupId'], endpoint_name(result), cert_expiry(result, self.min_cert_days), self.min_cert_days)
        else:
            detail = '%s: the certificate of %s is valid for %d more day(s), until %s.' % (
                group['groupId'], endpoint_name(result), tls['days_left'], tls['not_after'])
        return _endpoint_event(CERT_EVENTS[state], group, result, first_seen=first_seen, detail=detail, days_left=tls.get('days_left'),
                               not_after=tls.get('not_after'), min_cert_days=self.min_cert_days)


def _group_changed(before, state):
    """Whether a group's ``(state, active endpoint)`` is news: a bad state first seen, another state, or another
    endpoint to fail over to."""
    if before is None:
        return state[0] != UP
    return state[0] != before[0] or (state[0] == FAILOVER and state[1] != before[1])


def _changed(before, now, bad):
    """Whether an endpoint's token or certificate state is news: ``bad`` first seen, or a known state that changed."""
    if before is None:
        return now == bad
    return now != before


def _event(kind, **fields):
    event = {'type': kind}
    event.update(dict.fromkeys(COMMON_FIELDS))
    event.update(fields)
    return event


def _endpoint_fields(result):
    return {'endpoint': endpoint_name(result), 'priority': result['priority'], 'host': urlsplit(result['url']).hostname,
            'reason': result['reason'], 'detail': result['detail']}


def _group_fields(group):
    return {'group': group['groupId'], 'active_endpoint': group['active_name'], 'active_priority': group['active_priority']}


def _group_event(group, state, previous):
    """The group's event; its endpoint is the group's best priority, the one it failed over from or is back on."""
    fields = _endpoint_fields(group['endpoints'][0])
    fields.update(_group_fields(group), detail=group['line'], state=state, previous_state=previous,
                  first_seen=previous is None, healthy=group['healthy'], total=group['total'])
    return _event(GROUP_EVENTS[state], **fields)


def _endpoint_event(kind, group, result, **extra):
    fields = _endpoint_fields(result)
    fields.update(_group_fields(group))
    fields.update(extra)
    return _event(kind, **fields)


async def _round_finished(future):
    """The round's outcome. Cancelled, it first lets the running round end (by its deadline: at most about
    ``timeout``), so that no connection outlives the source, then lets the cancellation through."""
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        await asyncio.wait([future])
        raise


async def main(queue, args):
    """Probe every ``interval`` seconds and put an event on ``queue`` for every change, until cancelled."""
    settings = Settings(args)
    tracker = ChangeTracker(settings.min_cert_days, settings.master)
    loop = asyncio.get_running_loop()
    # The engine's entry point runs its own event loop (asyncio.run) and cannot be awaited from ansible-rulebook's;
    # its coroutines are private and set their loop's exception handler. So each round runs in a worker thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix='nbwss-eda-probe') as worker:
        while True:
            started = loop.time()
            outcome = await _round_finished(loop.run_in_executor(worker, probe_round, settings))
            for event in tracker.events(outcome):
                await queue.put(event)
            await asyncio.sleep(max(0.0, started + settings.interval - loop.time()))


if __name__ == '__main__':
    # Print the events of a directory of endpoint files: python probe.py DIR [CA_PATH]
    class _PrintQueue(object):
        async def put(self, event):
            print(event)  # noqa: T201

    asyncio.run(main(_PrintQueue(), {'path': sys.argv[1], 'ca_path': sys.argv[2] if len(sys.argv) > 2 else '', 'interval': 10}))
