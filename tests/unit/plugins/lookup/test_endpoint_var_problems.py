# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""endpoint_var_problems in a play, as the rollout role's gate runs it: hostvars in, problem lines and warnings out."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest
import yaml

from ansible_collections.netbackup.nbwss.tests.unit.plugins.lookup.lookup_runner import LookupRun

from ansible_collections.netbackup.nbwss.plugins.lookup import endpoint_var_problems
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import encode_key, generate_key, seal

TOKEN_A = 'nbwssLookupTok3n-Aa1Aa1Aa1Aa1'
TOKEN_B = 'nbwssLookupTok3n-Bb2Bb2Bb2Bb2'
API_TOKEN = 'nbwssLookupApiTok3n-Cc3Cc3Cc3'
PASSWORD = 'nbwssLookupPassw0rd-Dd4Dd4Dd4'
KEY = encode_key(generate_key())
SECRETS = (TOKEN_A, TOKEN_B, API_TOKEN, PASSWORD, KEY)
PROVIDER_URL = 'https://portal.example.invalid/nbwss/eu-1'


def inline(token=TOKEN_A, priority=1, group='G1', host='a.example.com', **extra):
    return dict({'token': token, 'priority': priority, 'groupId': group, 'hostName': host,
                 'url': 'wss://%s/nbwss/%s' % (host, priority)}, **extra)


def pair():
    """Two valid entries of one group: no problem and no warning."""
    return [inline(), inline(TOKEN_B, priority=2, host='b.example.com')]


def sealed(priority):
    """A sealed entry, sealed with a key the controller does not have."""
    plaintext = json.dumps(inline(priority=priority, host='s%d.example.com' % priority)).encode('utf-8')
    return {'sealed': seal(plaintext, generate_key()).decode('ascii')}


@pytest.fixture
def gate(monkeypatch):
    """``gate(hosts, play_vars=None, **options)``: the lookup as the role calls it, hostvars given per host."""
    run = LookupRun(endpoint_var_problems, monkeypatch)

    def call(hosts, play_vars=None, **options):
        first = sorted(hosts)[0]
        variables = dict(play_vars or {}, hostvars=hosts, inventory_hostname=first)
        result = run(variables=variables, play_hosts=sorted(hosts), **options)
        shown = json.dumps(result) + '\n'.join(run.warnings)
        assert not [secret for secret in SECRETS if secret in shown]
        return result
    call.warnings = run.warnings
    return call


def messages(result):
    return [problem['message'] for problem in result]


def plain_host(**variables):
    """A host whose format is plain (no key needed), with ``variables``."""
    return dict({'nbwss_format': 'plain'}, **variables)


# --- item 11: provider entries judged with the host's nbwss_provider_* defaults ----------------------

def test_a_provider_entry_inherits_the_hosts_provider_username_as_endpoint_set_does(gate):
    entry = {'provider': {'url': PROVIDER_URL, 'url_password': PASSWORD}, 'name': 'eu-1'}
    hosts = {'m1': plain_host(nbwss_endpoints=pair() + [entry], nbwss_provider_url_username='fetcher')}

    assert gate(hosts) == []


def test_an_api_token_entry_on_a_host_with_a_provider_username_fails_as_on_the_master(gate):
    entry = {'provider': {'url': PROVIDER_URL, 'api_token': API_TOKEN}, 'name': 'eu-1'}
    hosts = {'m1': plain_host(nbwss_endpoints=pair() + [entry], nbwss_provider_url_username='fetcher')}

    assert messages(gate(hosts)) == ['m1: nbwss_endpoints[2]: provider: api_token and url_username are mutually '
                                     'exclusive: give one way to authenticate']


def test_the_hosts_provider_variables_are_checked_as_the_module_checks_its_options(gate):
    hosts = {
        'm1': plain_host(nbwss_endpoints=pair(), nbwss_provider_timeout='soon', nbwss_provider_retries='often'),
        'm2': plain_host(nbwss_endpoints=pair(), nbwss_provider_url_password=PASSWORD),
        'm3': plain_host(nbwss_endpoints=pair(), nbwss_provider_timeout='2.5', nbwss_provider_validate_certs='no'),
    }

    assert messages(gate(hosts)) == [
        'm1: nbwss_provider_timeout: must be of type float',
        'm1: nbwss_provider_retries: must be of type int',
        'm2: nbwss_provider_*: url_password needs url_username',
    ]


# --- item 11: the file-name rules on named provider entries ----------------------------------------

def test_a_bad_name_on_a_provider_entry_is_found(gate):
    entry = {'provider': {'url': PROVIDER_URL}, 'name': '../eu-1'}
    hosts = {'m1': plain_host(nbwss_endpoints=pair() + [entry])}

    assert [m.split(' (')[0] for m in messages(gate(hosts))] == ['m1: nbwss_endpoints[2]: name: must match '
                                                                 '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$']


def test_two_provider_entries_with_one_name_are_found(gate):
    entries = pair() + [{'provider': {'url': PROVIDER_URL}, 'name': 'eu'},
                        {'provider': {'url': PROVIDER_URL + '-b'}, 'name': 'eu'},
                        {'provider': {'url': PROVIDER_URL + '-c'}}]
    hosts = {'m1': plain_host(nbwss_endpoints=entries)}

    assert messages(gate(hosts)) == ['m1: two or more entries would write the same file: nbwss_endpoints[2], '
                                     'nbwss_endpoints[3] (nbwss_eu.json); give them distinct names']


def test_a_provider_entry_named_like_an_inline_entrys_default_name_is_found(gate):
    hosts = {'m1': plain_host(nbwss_endpoints=pair() + [{'provider': {'url': PROVIDER_URL}, 'name': 'G1_2'}])}

    assert messages(gate(hosts)) == ['m1: two or more entries would write the same file: nbwss_endpoints[1], '
                                     'nbwss_endpoints[2] (nbwss_G1_2.json); give them distinct names']


# --- item 11: the entry's original index ----------------------------------------------------------

def test_problems_name_the_entrys_own_index_after_a_sealed_entry_that_is_not_opened(gate):
    entries = pair() + [sealed(3), inline(priority='03', host='c.example.com')]
    hosts = {'m1': dict(nbwss_endpoints=entries, nbwss_key_file='/etc/nbwss/key')}

    assert [m.split(': must')[0] for m in messages(gate(hosts))] == ['m1: nbwss_endpoints[3]: priority']
    assert 'm1: nbwss_endpoints: entries 2 are sealed and the host has no nbwss_key; they were not checked' \
        in gate.warnings


# --- items 3 and 11: a host without the variable ----------------------------------------------------

@pytest.mark.parametrize('near_miss', ['nbwss_endpoint', 'nbwss_endpoins', 'NBWSS_endpoints'])
def test_a_host_without_the_variable_is_a_problem_naming_a_near_miss(gate, near_miss):
    hosts = {'m1': plain_host(nbwss_endpoints=pair()), 'm2': plain_host(**{near_miss: pair()})}

    assert messages(gate(hosts)) == ['m2: nbwss_endpoints is not set (did you mean nbwss_endpoints? the host sets %s)'
                                     % near_miss]


def test_a_host_without_the_variable_or_a_near_miss_is_a_problem_without_a_hint(gate):
    hosts = {'m1': plain_host(nbwss_endpoints=pair()), 'm2': {'ansible_host': '192.0.2.7'}, 'm3': {}}

    assert messages(gate(hosts)) == ['m2: nbwss_endpoints is not set', 'm3: nbwss_endpoints is not set']


def test_allow_empty_skips_hosts_without_the_variable_and_does_not_count_them(gate):
    hosts = {'m1': plain_host(nbwss_endpoints=pair()), 'm2': {}}

    result = gate(hosts, allow_empty=True, summary=True)[0]

    assert result['problems'] == [] and result['message'] == '1 master, 2 entries checked: no problem'


def test_entries_the_play_sets_count_for_every_host_that_does_not_set_them(gate):
    play_vars = {'nbwss_endpoints': pair(), 'nbwss_format': 'plain'}

    assert gate({'m1': {}, 'm2': {'nbwss_format': 'plain'}}, play_vars=play_vars) == []


# --- item 3: the key the sealed format needs --------------------------------------------------------

def test_a_sealed_host_without_a_key_is_a_problem_naming_the_role_variables(gate):
    hosts = {
        'm1': dict(nbwss_endpoints=pair()),
        'm2': dict(nbwss_endpoints=pair(), nbwss_format='sealed'),
        'm3': dict(nbwss_endpoints=pair(), nbwss_key=KEY),
        'm4': dict(nbwss_endpoints=pair(), nbwss_key_file='/etc/nbwss/key'),
        'm5': dict(nbwss_endpoints=pair(), nbwss_format='plain'),
        'm6': dict(nbwss_endpoints=[]),
    }

    assert messages(gate(hosts)) == ['m1: nbwss_format sealed needs a key to seal with; give nbwss_key (in Ansible Vault) or nbwss_key_file.',
                                     'm2: nbwss_format sealed needs a key to seal with; give nbwss_key (in Ansible Vault) or nbwss_key_file.']


def test_a_key_in_the_plays_vars_files_counts(gate):
    assert gate({'m1': dict(nbwss_endpoints=pair())}, play_vars={'nbwss_key': KEY}) == []


def test_a_malformed_key_is_named_and_not_shown(gate):
    hosts = {'m1': dict(nbwss_endpoints=pair(), nbwss_key=KEY[:20])}

    found = messages(gate(hosts))

    assert len(found) == 1 and found[0].startswith('m1: nbwss_key ') and KEY[:20] not in found[0]


# --- item 16: role variables that are misspelled ----------------------------------------------------

@pytest.mark.parametrize('name, hint', [('nbwss_probe_failon', 'nbwss_probe_fail_on'), ('nbwss_purg', 'nbwss_purge'),
                                        ('NBWSS_format', 'nbwss_format')])
def test_a_misspelled_role_variable_is_a_warning_naming_the_nearest_one(gate, name, hint):
    hosts = {'m1': plain_host(nbwss_endpoints=pair(), **{name: TOKEN_B}), 'm2': plain_host(nbwss_endpoints=pair())}

    assert gate(hosts) == []
    assert gate.warnings == ['m1: %s is not a variable of the netbackup.nbwss.rollout role; did you mean %s?'
                             % (name, hint)]


def test_an_unknown_variable_without_a_near_miss_is_a_warning_without_a_hint(gate):
    gate({'m1': plain_host(nbwss_endpoints=pair(), nbwss_zzz=API_TOKEN)})

    assert gate.warnings == ['m1: nbwss_zzz is not a variable of the netbackup.nbwss.rollout role']


def test_one_warning_per_variable_names_a_few_hosts_and_counts_the_rest(gate):
    hosts = dict(('m%02d' % number, plain_host(nbwss_endpoints=pair(), nbwss_serail=2)) for number in range(8))

    gate(hosts, play_vars={'nbwss_probe_stag': 'tls'})

    assert gate.warnings == [
        'the play: nbwss_probe_stag is not a variable of the netbackup.nbwss.rollout role; did you mean nbwss_probe_stage?',
        'm00, m01, m02, m03, m04 and 3 more hosts: nbwss_serail is not a variable of the netbackup.nbwss.rollout role; '
        'did you mean nbwss_serial?',
    ]


def test_every_role_and_playbook_variable_is_known(gate):
    spec = os.path.join(endpoint_var_problems.COLLECTION_ROOT, 'roles', 'rollout', 'meta', 'argument_specs.yml')
    with open(spec) as handle:
        names = list(yaml.safe_load(handle)['argument_specs']['main']['options'])
    known = dict((name, None) for name in names + list(endpoint_var_problems.PLAYBOOK_VARIABLES))
    known.update(nbwss_endpoints=pair(), nbwss_format='plain', nbwss_key=KEY, nbwss_key_file=None,
                 nbwss_provider_headers=None, nbwss_provider_url_username=None)

    gate({'m1': known})

    assert 'nbwss_probe_fail_on' in names and gate.warnings == []


# --- item 15: what was checked ------------------------------------------------------------------------

def test_the_summary_counts_masters_and_entries(gate):
    hosts = {'m1': plain_host(nbwss_endpoints=pair()), 'm2': plain_host(nbwss_endpoints=pair() + [inline(priority=3)])}

    result = gate(hosts, summary=True)

    assert result == [{'problems': [], 'hosts_checked': 2, 'entries_checked': 5,
                       'message': '2 masters, 5 entries checked: no problem'}]


def test_the_summary_counts_problems_in_the_singular_and_the_plural(gate):
    one = gate({'m1': plain_host(nbwss_endpoints=[inline(priority='x')])}, summary=True)[0]
    two = gate({'m1': plain_host(nbwss_endpoints=pair()), 'm2': {}, 'm3': {}}, summary=True)[0]

    assert one['message'] == '1 master, 1 entry checked: 1 problem' and len(one['problems']) == 1
    assert two['message'] == '3 masters, 2 entries checked: 2 problems'
