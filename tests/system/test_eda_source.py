# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Event-Driven Ansible source netbackup.nbwss.probe: its ``main`` with an asyncio queue, against the reference
cloud application, with fault modes switched while it runs (the way ansible.eda tests its sources, no rulebook).

Every event a test sees goes to the suite's logs for the leak scan, and is checked for tokens and url paths.
"""

from __future__ import annotations

import asyncio
import datetime
import importlib.util
import json
import os
import subprocess
import sys
import threading

import pytest
import yaml

from tools.cloudapp import run_in_subprocess

from ansible_collections.netbackup.nbwss.tests.system.test_rollout import entries

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGIN = os.path.join(HERE, '..', '..', 'extensions', 'eda', 'plugins', 'event_source', 'probe.py')
LOGS = os.environ.get('NBWSS_LOG_DIR')
KEY = 'RWRhU291cmNlS2V5LTMyLWJ5dGVzLWxvbmctMTIzNDU='
ROUND_WAIT = 20.0


def load_source():
    """The plugin as ansible-rulebook runs it: a file, not a package module (a fresh copy for each test)."""
    spec = importlib.util.spec_from_file_location('nbwss_eda_probe_source', PLUGIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def endpoint(name, group, priority, fault='healthy'):
    return {'name': name, 'groupId': group, 'priority': priority, 'token': 'nbwssEdaSourceTok3n-%s-7Kq' % name, 'fault': fault}


CONFIG = {'endpoints': [
    endpoint('alpha-1', 'ALPHA', 1),
    endpoint('alpha-2', 'ALPHA', 2),
    endpoint('beta-1', 'BETA', 1),
    endpoint('beta-2', 'BETA', 2),
    endpoint('gamma-1', 'GAMMA', 1, 'port_closed'),
    endpoint('quiet-1', 'QUIET', 1, 'no_reply'),
]}


@pytest.fixture(scope='module')
def app(tmp_path_factory):
    handle = run_in_subprocess(CONFIG, str(tmp_path_factory.mktemp('eda-source-cloudapp')))
    yield handle
    handle.stop()


@pytest.fixture
def source(monkeypatch):
    """The plugin, counting the rounds it has judged (``source.rounds``)."""
    module = load_source()
    module.rounds = 0
    judge = module.ChangeTracker.events

    def counted(tracker, outcome):
        events = judge(tracker, outcome)
        module.rounds += 1
        return events

    monkeypatch.setattr(module.ChangeTracker, 'events', counted)
    return module


@pytest.fixture
def seen(request):
    """Every event of the test, written to the suite's logs afterwards for the leak scan."""
    events = []
    yield events
    if LOGS:
        os.makedirs(LOGS, exist_ok=True)
        with open(os.path.join(LOGS, 'eda-source-events.log'), 'a') as handle:
            handle.write('== %s\n' % request.node.name)
            for event in events:
                handle.write(json.dumps(event, sort_keys=True) + '\n')


def tokens(app):
    return [entry['token'] for entry in app.state['endpoints']] + [KEY]


def assert_clean(app, events):
    """No token (nor a piece of one), no fingerprint, no url path in any event."""
    text = json.dumps(events)
    for token in tokens(app):
        assert token not in text
    assert 'Tok3n' not in text and 'sha256:' not in text and '/nbwss/' not in text and 'wss://' not in text


def arguments(app, names, **extra):
    args = {'endpoints': entries(app, *names), 'ca_path': app.state['ca_bundle'], 'interval': 0.3, 'timeout': 2}
    args.update(extra)
    return args


class Running(object):
    """``main`` running as a task on this loop; ``rounds(n)`` waits for n more judged rounds and returns their events."""

    def __init__(self, source, args, seen):
        self.source = source
        self.queue = asyncio.Queue()
        self.task = asyncio.get_running_loop().create_task(source.main(self.queue, args))
        self.seen = seen

    async def rounds(self, count=1):
        target = self.source.rounds + count
        deadline = asyncio.get_running_loop().time() + ROUND_WAIT * count
        while self.source.rounds < target:
            if self.task.done():
                self.task.result()  # raises what ended it
                raise AssertionError('main returned')
            assert asyncio.get_running_loop().time() < deadline, 'no round finished in time'
            await asyncio.sleep(0.02)
        found = []
        while not self.queue.empty():
            found.append(self.queue.get_nowait())
        self.seen.extend(found)
        return found

    async def stop(self):
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task


def summary(events):
    """``(type, group, endpoint, reason)`` of each event, the way the assertions read them."""
    return [(event['nbwss']['type'], event['nbwss']['group'], event['nbwss']['endpoint'], event['nbwss']['reason'])
            for event in events]


async def fault_and_back(app, running, name, fault, quiet):
    """The events of the round after endpoint ``name`` takes ``fault``, and of the round after it is healthy again;
    the ``quiet`` rounds before, between and after must send nothing (each change is said once)."""
    try:
        assert await running.rounds(quiet) == []
        app.set_fault(name, fault)
        broken = await running.rounds(1)
        assert await running.rounds(quiet) == []
        app.set_fault(name, 'healthy')
        mended = await running.rounds(1)
        assert await running.rounds(quiet) == []
    finally:
        app.set_fault(name, 'healthy')
        await running.stop()
    return broken, mended


def moments(events):
    return [datetime.datetime.fromisoformat(event['nbwss']['timestamp'].replace('Z', '+00:00')) for event in events]


def test_failover_and_recovery_are_each_one_event_in_order(app, source, seen):
    """ALPHA's priority 1 goes down (port_closed) and comes back: one group_failover, then one group_recovered."""
    async def scenario():
        running = Running(source, arguments(app, ['alpha-1', 'alpha-2', 'beta-1']), seen)
        return await fault_and_back(app, running, 'alpha-1', 'port_closed', quiet=3)

    failover, recovered = asyncio.run(scenario())
    assert summary(failover) == [('group_failover', 'ALPHA', 'alpha-1', 'tcp_refused')]
    assert summary(recovered) == [('group_recovered', 'ALPHA', 'alpha-1', 'ok')]
    down, up = failover[0]['nbwss'], recovered[0]['nbwss']
    assert (down['state'], down['previous_state'], down['active_endpoint'], down['active_priority']) == ('failover', 'up', 'alpha-2', 2)
    assert down['detail'] == 'ALPHA: would connect to alpha-2 (priority 2, failover: alpha-1 tcp_refused)'
    assert (up['state'], up['previous_state'], up['active_endpoint'], up['active_priority']) == ('up', 'failover', 'alpha-1', 1)
    assert not down['first_seen'] and not up['first_seen']
    assert moments(failover) < moments(recovered)
    assert_clean(app, failover + recovered)


def test_token_rejected_then_accepted(app, source, seen):
    """BETA's priority 1 rejects its token, then accepts it again: the group and the token events, once each."""
    async def scenario():
        running = Running(source, arguments(app, ['beta-1', 'beta-2']), seen)
        return await fault_and_back(app, running, 'beta-1', 'token_rejected', quiet=2)

    rejected, accepted = asyncio.run(scenario())
    assert summary(rejected) == [('group_failover', 'BETA', 'beta-1', 'token_rejected'),
                                 ('token_rejected', 'BETA', 'beta-1', 'token_rejected')]
    assert summary(accepted) == [('group_recovered', 'BETA', 'beta-1', 'ok'), ('token_accepted', 'BETA', 'beta-1', 'ok')]
    token = rejected[1]['nbwss']
    assert token['priority'] == 1 and token['host'] == 'localhost' and token['active_endpoint'] == 'beta-2'
    assert token['detail'] == 'The endpoint answered CONNECT with valid: false: it does not accept this token.'
    assert moments(rejected) < moments(accepted)
    assert_clean(app, rejected + accepted)


def test_first_round_reports_what_is_bad_and_nothing_healthy(app, source, seen):
    """A rulebook started during an outage acts: the first round tells the groups down and failed over, the tokens
    rejected and the certificates near expiry (min_cert_days above the app's 825 days); healthy ALPHA says nothing."""
    async def scenario():
        app.set_fault('beta-1', 'token_rejected')
        running = Running(source, arguments(app, ['alpha-1', 'alpha-2', 'beta-1', 'beta-2', 'gamma-1'], master='master1'), seen)
        try:
            first = await running.rounds(1)
            assert await running.rounds(2) == []
        finally:
            app.set_fault('beta-1', 'healthy')
            await running.stop()
        return first

    first = asyncio.run(scenario())
    assert summary(first) == [('group_failover', 'BETA', 'beta-1', 'token_rejected'),
                              ('token_rejected', 'BETA', 'beta-1', 'token_rejected'),
                              ('group_down', 'GAMMA', 'gamma-1', 'tcp_refused')]
    assert all(event['nbwss']['first_seen'] for event in first)
    assert [event['nbwss']['previous_state'] for event in first if 'state' in event['nbwss']] == [None, None]
    assert all(event['nbwss']['master'] == 'master1' and event['meta'] == {'hosts': 'master1'} for event in first)
    assert first[2]['nbwss']['active_endpoint'] is None and first[2]['nbwss']['detail'].startswith('GAMMA: DOWN')

    async def certificates():
        running = Running(source, arguments(app, ['alpha-1', 'alpha-2'], min_cert_days=1000), seen)
        try:
            return await running.rounds(1), await running.rounds(1)
        finally:
            await running.stop()

    expiring, after = asyncio.run(certificates())
    assert summary(expiring) == [('cert_expiring', 'ALPHA', 'alpha-1', 'ok'), ('cert_expiring', 'ALPHA', 'alpha-2', 'ok')]
    cert = expiring[0]['nbwss']
    assert cert['min_cert_days'] == 1000 and 820 <= cert['days_left'] <= 825 and cert['not_after']
    assert 'expires in' in cert['detail'] and '(min_cert_days is 1000)' in cert['detail']
    assert after == []
    assert_clean(app, first + expiring)


def test_probe_errors_are_told_once_and_the_source_keeps_polling(app, source, seen, tmp_path, monkeypatch):
    """An engine exception, an unreadable file and a vanished directory: one probe_error each, then it goes on."""
    wss = tmp_path / 'wss'
    wss.mkdir()
    for entry in entries(app, 'alpha-1', 'alpha-2'):
        name = entry.pop('name')
        (wss / ('nbwss_%s.json' % name)).write_text(json.dumps(entry))
    engine = source.probe_endpoints
    broken = {'rounds': 0}

    def failing_once(endpoints, options):
        if broken['rounds']:
            broken['rounds'] -= 1
            raise RuntimeError('engine broke')
        return engine(endpoints, options)

    monkeypatch.setattr(source, 'probe_endpoints', failing_once)

    async def scenario():
        running = Running(source, {'path': str(wss), 'ca_path': app.state['ca_bundle'], 'interval': 0.3, 'timeout': 2}, seen)
        steps = []
        try:
            assert await running.rounds(2) == []
            broken['rounds'] = 2  # two failing rounds: one event
            steps.append(await running.rounds(3))
            (wss / 'nbwss_broken.json').write_text('{"token": "nbwssEdaSourceTok3n-broken-7Kq", "priority": "1"}')
            steps.append(await running.rounds(2))
            (wss / 'nbwss_broken.json').unlink()
            steps.append(await running.rounds(2))
            os.rename(str(wss), str(tmp_path / 'gone'))
            steps.append(await running.rounds(2))
            os.rename(str(tmp_path / 'gone'), str(wss))
            app.set_fault('alpha-1', 'port_closed')
            steps.append(await running.rounds(1))
        finally:
            app.set_fault('alpha-1', 'healthy')
            await running.stop()
        return steps

    engine_error, unreadable, readable, vanished, back = asyncio.run(scenario())
    assert summary(engine_error) == [('probe_error', None, None, 'probe_failed'), ('probe_error_cleared', None, None, 'ok')]
    assert engine_error[0]['nbwss']['detail'] == 'The probe failed unexpectedly (RuntimeError: engine broke).'
    assert summary(unreadable) == [('probe_error', None, None, 'unreadable')]
    assert unreadable[0]['nbwss']['files'] == [str(wss / 'nbwss_broken.json')]
    assert 'could not be read' in unreadable[0]['nbwss']['detail']
    assert summary(readable) == [('probe_error_cleared', None, None, 'ok')]
    assert summary(vanished) == [('probe_error', None, None, 'probe_failed')]
    assert vanished[0]['nbwss']['detail'] == 'path %s does not exist.' % wss
    # Back again: the error is cleared, and the groups' states were kept through the failing rounds.
    assert summary(back) == [('probe_error_cleared', None, None, 'ok'), ('group_failover', 'ALPHA', 'alpha-1', 'tcp_refused')]
    assert back[1]['nbwss']['previous_state'] == 'up'
    assert_clean(app, engine_error + unreadable + readable + vanished + back)


def sockets():
    """This process's open sockets."""
    found = 0
    for name in os.listdir('/proc/self/fd'):
        try:
            found += os.readlink('/proc/self/fd/' + name).startswith('socket:')
        except OSError:
            pass
    return found


async def ticking(gaps):
    """Record the longest wait between ticks of this loop: how long it was blocked."""
    loop = asyncio.get_running_loop()
    last = loop.time()
    while True:
        await asyncio.sleep(0.01)
        now = loop.time()
        gaps.append(now - last)
        last = now


def test_cancel_ends_the_running_round_and_leaves_nothing_behind(app, source, seen):
    """Cancelled while a round waits on a silent endpoint: CancelledError comes through, after the round has closed its
    connections, and the event loop (ansible-rulebook's) keeps running meanwhile; no task, thread or socket is left."""
    async def scenario():
        before = sockets()
        running = Running(source, arguments(app, ['alpha-1', 'quiet-1'], timeout=2.5, interval=30), seen)
        await asyncio.sleep(0.5)  # the first round is waiting for quiet-1's CONNECT answer
        assert any(thread.name.startswith('nbwss-eda-probe') for thread in threading.enumerate())
        gaps = []
        ticker = asyncio.get_running_loop().create_task(ticking(gaps))
        started = asyncio.get_running_loop().time()
        await running.stop()
        waited = asyncio.get_running_loop().time() - started
        ticker.cancel()
        await asyncio.gather(ticker, return_exceptions=True)
        assert asyncio.all_tasks() == {asyncio.current_task()}
        return before, sockets(), waited, max(gaps, default=waited)

    before, after, waited, blocked = asyncio.run(scenario())
    assert 1.0 < waited < 2.5 + 1.5  # the rest of the probe's deadline, and at most its closing grace
    assert blocked < 0.75  # a loop blocked until the round ends would miss its ticks for about 2 s
    assert after == before
    assert not [thread for thread in threading.enumerate() if thread.name.startswith('nbwss-eda-probe')]


def test_cancel_between_rounds_is_immediate(app, source, seen):
    async def scenario():
        running = Running(source, arguments(app, ['alpha-1'], interval=30), seen)
        await running.rounds(1)
        started = asyncio.get_running_loop().time()
        await running.stop()
        return asyncio.get_running_loop().time() - started

    assert asyncio.run(scenario()) < 0.5


@pytest.mark.parametrize('args, message', [
    ({}, 'one of the following is required: path, endpoints'),
    ({'path': '/tmp', 'endpoints': []}, 'mutually exclusive: path|endpoints'),
    ({'path': '/tmp', 'interval': 0}, 'interval must be a positive number of seconds.'),
    ({'path': '/tmp', 'interval': 'often'}, "argument 'interval' is of type"),
    ({'path': '/tmp', 'stage': 'hello'}, 'value of stage must be one of: tcp, tls, upgrade, connect'),
    ({'path': '/tmp', 'timeout': -1}, 'timeout must be a positive number of seconds.'),
    ({'path': '/tmp', 'frequency': 3}, 'unsupported argument frequency. Supported parameters include: allow_unverified_token'),
    ({'path': '/tmp', 'key': 'nbwssEdaSourceTok3n-not-a-key-7Kq'}, 'key'),
    ({'endpoints': [{'token': 'nbwssEdaSourceTok3n-lone-7Kq', 'priority': 1, 'groupId': 'A', 'hostName': 'h',
                     'url': 'ws://h/x'}]}, 'endpoints[0]'),
    ({'endpoints': [{'provider': {'url': 'https://h/p'}}]}, 'provider entries cannot be probed'),
])
def test_bad_arguments_fail_at_start_without_quoting_secrets(source, args, message):
    with pytest.raises(ValueError) as raised:
        asyncio.run(asyncio.wait_for(source.main(asyncio.Queue(), args), 10))
    text = str(raised.value)
    assert text.startswith('netbackup.nbwss.probe: ') and message in text
    assert 'Tok3n' not in text


def test_empty_templated_arguments_and_rulebook_arguments_are_not_given(source):
    settings = source.Settings({'path': '/tmp', 'key_file': '', 'ca_path': None, 'interval': '5',
                                'eda_feedback_queue': object()})
    assert settings.params['key_file'] is None and settings.params['ca_path'] is None and settings.interval == 5.0


def test_runpy_loads_it_from_a_collections_path_without_pythonpath(tmp_path):
    """As ansible-rulebook does (runpy.run_path, no collection loader, no PYTHONPATH): the source makes the
    collections path it lives in importable itself."""
    import ansible_collections.netbackup.nbwss as collection  # pylint: disable=import-outside-toplevel
    plugin = os.path.join(list(collection.__path__)[0], 'extensions', 'eda', 'plugins', 'event_source', 'probe.py')
    code = ('import runpy, sys; loaded = runpy.run_path(sys.argv[1]); '
            'print(loaded["main"].__module__, loaded["probe_endpoints"].__module__)')
    env = dict(os.environ)
    env.pop('PYTHONPATH', None)
    done = subprocess.run([sys.executable, '-c', code, plugin], cwd=str(tmp_path), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    assert done.returncode == 0, done.stdout
    assert done.stdout.split() == ['<run_path>', 'ansible_collections.netbackup.nbwss.plugins.module_utils._probe']


def test_documentation_matches_the_arguments(source):
    documented = yaml.safe_load(source.DOCUMENTATION)
    options = documented['options']
    assert set(options) == set(source.ARGUMENT_SPEC)
    kinds = {'path': 'str', 'raw': 'list'}
    for name, spec in source.ARGUMENT_SPEC.items():
        assert options[name]['type'] == kinds.get(spec['type'], spec['type']), name
        assert options[name].get('default') == spec.get('default'), name
        assert options[name].get('choices') == spec.get('choices'), name
    for example in yaml.safe_load(source.EXAMPLES):
        [(name, args)] = example.items()
        assert name == 'netbackup.nbwss.probe' and set(args) <= set(options)


# ---- the change rules, on group views built by hand ------------------------------------------------------------------

def result(name, priority, reason='ok', days_left=400, group='ALPHA'):
    tls = {'days_left': days_left, 'not_after': '2027-01-01T00:00:00Z'} if reason in ('ok', 'token_rejected') else None
    return {'groupId': group, 'priority': priority, 'url': 'wss://localhost:1/nbwss/%s?x=1' % name, 'source': name,
            'reason': reason, 'stage': 'connect' if reason in ('ok', 'token_rejected') else 'resolve',
            'detail': 'detail of %s' % name, 'tls': tls, 'http_status': None}


def judge(source, tracker, *results):
    groups = source.group_view(list(results), min_cert_days=tracker.min_cert_days)
    outcome = source.Round(groups, [], None, datetime.datetime.now(datetime.timezone.utc), source.SecretMask())
    return summary(tracker.events(outcome))


def test_a_certificate_crossing_min_cert_days_is_told_once_and_its_renewal_too(source):
    tracker = source.ChangeTracker(min_cert_days=30)
    assert judge(source, tracker, result('a1', 1, days_left=31)) == []
    assert judge(source, tracker, result('a1', 1, days_left=30)) == []
    assert judge(source, tracker, result('a1', 1, days_left=29)) == [('cert_expiring', 'ALPHA', 'a1', 'ok')]
    assert judge(source, tracker, result('a1', 1, days_left=28)) == []
    # A round that reaches no certificate changes nothing.
    assert judge(source, tracker, result('a1', 1, reason='tcp_refused')) == [('group_down', 'ALPHA', 'a1', 'tcp_refused')]
    assert judge(source, tracker, result('a1', 1, days_left=27)) == [('group_recovered', 'ALPHA', 'a1', 'ok')]
    assert judge(source, tracker, result('a1', 1, days_left=400)) == [('cert_renewed', 'ALPHA', 'a1', 'ok')]


def test_failing_over_further_and_back_up_through_failover(source):
    tracker = source.ChangeTracker()
    three = [result('a1', 1), result('a2', 2), result('a3', 3)]
    assert judge(source, tracker, *three) == []
    assert judge(source, tracker, result('a1', 1, 'tcp_refused'), three[1], three[2]) == [('group_failover', 'ALPHA', 'a1', 'tcp_refused')]
    further = judge(source, tracker, result('a1', 1, 'tcp_refused'), result('a2', 2, 'tcp_timeout'), three[2])
    assert further == [('group_failover', 'ALPHA', 'a1', 'tcp_refused')]  # another endpoint to fail over to
    down = [result('a1', 1, 'tcp_refused'), result('a2', 2, 'tcp_timeout'), result('a3', 3, 'dns')]
    assert judge(source, tracker, *down) == [('group_down', 'ALPHA', 'a1', 'tcp_refused')]
    assert judge(source, tracker, *down) == []
    assert judge(source, tracker, down[0], down[1], three[2]) == [('group_failover', 'ALPHA', 'a1', 'tcp_refused')]
    assert judge(source, tracker, *three) == [('group_recovered', 'ALPHA', 'a1', 'ok')]


def test_a_group_first_seen_later_follows_the_first_round_rule_and_a_vanished_one_is_forgotten(source):
    tracker = source.ChangeTracker()
    assert judge(source, tracker, result('a1', 1)) == []
    beta_down = result('b1', 1, 'tcp_refused', group='BETA')
    assert judge(source, tracker, result('a1', 1), beta_down, result('c1', 1, group='GAMMA')) == [
        ('group_down', 'BETA', 'b1', 'tcp_refused')]
    assert judge(source, tracker, result('a1', 1)) == []
    assert judge(source, tracker, result('a1', 1), beta_down) == [('group_down', 'BETA', 'b1', 'tcp_refused')]


def test_events_carry_no_url_path_or_query(source):
    tracker = source.ChangeTracker()
    groups = source.group_view([result('a1', 1, 'token_rejected'), result('a2', 2)])
    events = tracker.events(source.Round(groups, [], None, datetime.datetime.now(datetime.timezone.utc), source.SecretMask()))
    text = json.dumps(events)
    assert len(events) == 2 and '/nbwss/' not in text and 'x=1' not in text and 'wss://' not in text
    assert set(source.COMMON_FIELDS + ('type', 'timestamp')) <= set(events[1]['nbwss'])
