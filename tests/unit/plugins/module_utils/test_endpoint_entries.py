# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Entries as users write them in options and variables: every form, every shape mistake, no echo."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.netbackup.nbwss.tests.unit.endpoint_helpers import KEY, OLD_KEY, STRANGER_KEY, TOKEN, WANTED, endpoint, keyring

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import EndpointError
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_entries import (
    EntryReader,
    ProviderEntry,
    endpoint_from_content,
    endpoint_from_sealed,
    provider_defaults,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import TaskError
from ansible_collections.netbackup.nbwss.plugins.module_utils._provider import Fetched
from ansible_collections.netbackup.nbwss.plugins.module_utils._provider_options import ProviderError, ProviderOptions
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import seal


def test_content_as_text_and_as_the_mapping_older_templating_makes_of_it_read_the_same():
    assert endpoint_from_content(json.dumps(WANTED), 'content') == endpoint()
    assert endpoint_from_content(dict(WANTED), 'content') == endpoint()


def test_content_as_the_python_repr_of_a_mapping_is_refused_as_before():
    # What type=str made of a templated mapping on ansible-core 2.16 to 2.18: apostrophes everywhere.
    with pytest.raises(EndpointError, match='apostrophe'):
        endpoint_from_content(str(dict(WANTED)), 'content')


def test_content_mapping_is_checked_as_strictly_as_json():
    with pytest.raises(EndpointError) as caught:
        endpoint_from_content(dict(WANTED, priority='1'), 'content')
    assert caught.value.field == 'priority'


def test_sealed_entry_is_opened_with_the_current_or_a_previous_key():
    sealed = seal(endpoint().canonical_json(), OLD_KEY).decode('ascii')

    assert endpoint_from_sealed(sealed, keyring(KEY, [OLD_KEY]), 'sealed') == endpoint()
    with pytest.raises(TaskError) as err:
        endpoint_from_sealed(sealed, keyring(STRANGER_KEY), 'sealed')
    assert 'matches none of the keys' in str(err.value)


def test_plain_json_given_as_sealed_and_sealed_given_as_content_are_refused():
    with pytest.raises(EndpointError, match='not a sealed envelope'):
        endpoint_from_sealed(json.dumps(WANTED), keyring(), 'sealed')
    with pytest.raises(EndpointError, match='give it as sealed'):
        endpoint_from_content(seal(b'{}', KEY).decode('ascii'), 'content')


def test_entries_report_every_problem_of_every_entry_at_once():
    entries = [
        dict(WANTED),
        None,
        dict(WANTED, tokne=TOKEN, priority='01'),
        'nbwssEntryTok3n-a-stray-string',
        dict(WANTED, content=json.dumps(WANTED)),
    ]

    with pytest.raises(TaskError) as err:
        EntryReader(keyring()).entries(entries, 'endpoints')

    message = str(err.value)
    assert 'endpoints[1]: must be a mapping' in message and 'not null' in message
    assert 'endpoints[2]: tokne: is not an entry key (did you mean token?)' in message
    assert 'endpoints[2]: priority:' in message
    assert 'endpoints[3]: must be a mapping' in message and 'not a str' in message
    assert 'endpoints[4]: give either the keys' in message
    assert TOKEN not in message and 'nbwssEntryTok3n' not in message


def test_an_unknown_entry_key_is_named_by_position_only():
    with pytest.raises(EndpointError) as caught:
        EntryReader().endpoint(dict(WANTED, **{'nbwssEntryTok3n-as-key': 1}), 'endpoints[0]')

    assert 'nbwssEntryTok3n' not in str(caught.value) and 'key number 6' in str(caught.value)


def test_the_endpoint_option_takes_no_name_and_no_other_form():
    with pytest.raises(EndpointError) as caught:
        EntryReader().endpoint(dict(WANTED, name='x'), 'endpoint', forms=(), allow_name=False)
    assert 'key number 6' in str(caught.value)


def test_entries_must_be_a_list():
    with pytest.raises(TaskError, match='endpoints must be a list of entries, not a str'):
        EntryReader().entries('nbwssEntryTok3n-whole-option-as-string', 'endpoints')


def test_sealed_entries_need_a_reader_with_keys():
    sealed = seal(endpoint().canonical_json(), KEY).decode('ascii')

    assert EntryReader(keyring()).entries([{'sealed': sealed, 'name': 'x'}], 'endpoints')[0][1:] == ('x', endpoint())
    with pytest.raises(TaskError, match='not accepted here'):
        EntryReader().entries([{'sealed': sealed}], 'endpoints')


# --- provider entries: shape, defaults, fetching (no network: fetch_endpoint is replaced) ----------

PROVIDER_URL = 'https://portal.example.com/nbwss/eu-1'
API_TOKEN = 'nbwssEntryApiTok3n-Rv6Tb2Nm8Kq4'
MODULE_API_TOKEN = 'nbwssEntryModuleTok3n-Wd3Fg7Hj1Lp5'


def provider_problems(provider, defaults=None):
    """The lines of the EndpointError that one ``{'provider': provider}`` entry raises."""
    with pytest.raises(EndpointError) as caught:
        EntryReader(provider_defaults=defaults).endpoint({'provider': provider}, 'endpoints[0]')
    return caught.value.lines()


def provider_entry(provider, defaults=None):
    found = EntryReader(provider_defaults=defaults).endpoint({'provider': provider, 'name': 'p'}, 'endpoints[0]')
    assert isinstance(found, ProviderEntry)
    return found


@pytest.mark.parametrize('provider, kind', [
    (API_TOKEN, 'a str'),
    ([PROVIDER_URL, API_TOKEN], 'a list'),
    (42, 'a number'),
    (True, 'a boolean'),
])
def test_provider_that_is_not_a_mapping_is_refused_without_its_value(provider, kind):
    lines = provider_problems(provider)

    assert lines == ['endpoints[0]: provider: must be a mapping with url and provider options, not %s' % kind]
    assert API_TOKEN not in ' '.join(lines)


@pytest.mark.parametrize('provider', [
    {},
    {'api_token': API_TOKEN},
    {'url': ''},
    {'url': None, 'timeout': 5},
    {'url': 443},
    {'url': [PROVIDER_URL]},
])
def test_provider_without_a_url_string_is_refused(provider):
    lines = provider_problems(provider)

    assert lines == ['endpoints[0]: provider.url: is required, the https:// url of the endpoint details']
    assert API_TOKEN not in ' '.join(lines)


@pytest.mark.parametrize('key, hint', [
    ('api_tokn', 'api_token'),
    ('apitoken', 'api_token'),
    ('Timeout', 'timeout'),
    ('ca_pat', 'ca_path'),
    ('url_pasword', 'url_password'),
    ('retrys', 'retries'),
])
def test_misspelled_provider_option_is_named_with_a_hint_and_its_value_is_not_shown(key, hint):
    lines = provider_problems({'url': PROVIDER_URL, key: API_TOKEN})

    assert len(lines) == 1
    assert lines[0].startswith('endpoints[0]: provider.%s: is not a provider option (did you mean %s?' % (key, hint))
    assert API_TOKEN not in lines[0]


@pytest.mark.parametrize('key', [API_TOKEN, 'Authorization', 'bearer', 'secret'])
def test_unknown_provider_option_is_named_by_position_only(key):
    lines = provider_problems({'url': PROVIDER_URL, key: 'x'})

    assert len(lines) == 1
    assert lines[0].startswith('endpoints[0]: provider: key number 2 is not a provider option; the keys are url, ')
    assert key not in lines[0].split('; the keys are')[0]
    assert API_TOKEN not in lines[0]


@pytest.mark.parametrize('name, value, kind', [
    ('timeout', 'nbwssEntryTok3n-as-timeout', 'float'),
    ('retries', 'nbwssEntryTok3n-as-retries', 'int'),
    ('retry_delay', [1], 'float'),
    ('max_bytes', {'size': 1}, 'int'),
    ('validate_certs', 'nbwssEntryTok3n-as-flag', 'bool'),
    ('use_proxy', 'perhaps', 'bool'),
    ('headers', ['X-Trace: nbwssEntryTok3n-in-header'], 'dict'),
])
def test_wrong_types_are_named_without_the_value(name, value, kind):
    lines = provider_problems({'url': PROVIDER_URL, name: value})

    assert lines == ['endpoints[0]: provider.%s: must be of type %s' % (name, kind)]
    assert 'nbwssEntryTok3n' not in lines[0]


def test_every_problem_of_a_provider_entry_is_reported_at_once():
    lines = provider_problems({'api_tokn': API_TOKEN, 'timeout': 'soon', 'retries': 'often'})

    assert lines == [
        'endpoints[0]: provider.api_tokn: is not a provider option (did you mean api_token?)',
        'endpoints[0]: provider.url: is required, the https:// url of the endpoint details',
        'endpoints[0]: provider.timeout: must be of type float',
        'endpoints[0]: provider.retries: must be of type int',
    ]


@pytest.mark.parametrize('provider, problem', [
    ({'retries': 11}, 'retries must be between 0 and 10'),
    ({'api_token': 'two words'}, 'api_token must be a non-empty token without white space or control characters'),
    ({'url_password': API_TOKEN}, 'url_password needs url_username'),
    ({'headers': {'Authorization': 'Bearer ' + API_TOKEN}}, 'headers must not set Authorization: give a bearer token as '
                                                            'api_token'),
])
def test_option_values_that_break_the_provider_rules_fail_as_the_module_options_do(provider, problem):
    lines = provider_problems(dict(provider, url=PROVIDER_URL))

    assert len(lines) == 1 and lines[0].startswith('endpoints[0]: provider: ' + problem)
    assert API_TOKEN not in lines[0]


def test_an_entry_cannot_switch_to_basic_auth_while_the_module_level_gives_an_api_token():
    # The entry inherits the module's api_token; null means "inherit", so it cannot be unset per entry.
    lines = provider_problems({'url': PROVIDER_URL, 'url_username': 'fetcher', 'url_password': API_TOKEN},
                              ProviderOptions(api_token=MODULE_API_TOKEN))

    assert lines == ['endpoints[0]: provider: api_token and url_username are mutually exclusive: give one way to '
                     'authenticate']


def test_a_provider_entry_with_inline_keys_or_another_form_is_refused():
    with pytest.raises(EndpointError) as caught:
        EntryReader().endpoint({'provider': {'url': PROVIDER_URL}, 'token': TOKEN}, 'endpoints[0]')

    assert 'give either the keys token, priority, groupId, hostName, url or one of content, sealed, provider' in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_provider_entry_without_module_defaults_takes_the_built_in_ones():
    entry = provider_entry({'url': PROVIDER_URL})

    assert (entry.url, entry.source) == (PROVIDER_URL, 'endpoints[0]')
    assert (entry.options.timeout, entry.options.retries, entry.options.retry_delay) == (10.0, 3, 1.0)
    assert (entry.options.validate_certs, entry.options.ca_path, entry.options.api_token) == (True, None, None)


def test_provider_entry_inherits_unset_options_from_the_module_level_and_overrides_the_ones_it_gives():
    defaults = ProviderOptions(ca_path='/etc/pki/provider-ca.pem', timeout=3.0, retries=5, retry_delay=0.5,
                               api_token=MODULE_API_TOKEN, headers={'X-Trace': 'fleet'})

    inherited = provider_entry({'url': PROVIDER_URL}, defaults)
    overridden = provider_entry({'url': PROVIDER_URL, 'timeout': '7.5', 'retries': 0, 'ca_path': '/etc/pki/other.pem',
                                 'api_token': API_TOKEN, 'validate_certs': 'no'}, defaults)

    assert (inherited.options.ca_path, inherited.options.timeout, inherited.options.retries) == ('/etc/pki/provider-ca.pem', 3.0, 5)
    assert (inherited.options.api_token, inherited.options.headers, inherited.options.validate_certs) == (
        MODULE_API_TOKEN, {'X-Trace': 'fleet'}, True)
    assert (overridden.options.ca_path, overridden.options.timeout, overridden.options.retries) == ('/etc/pki/other.pem', 7.5, 0)
    assert (overridden.options.api_token, overridden.options.retry_delay, overridden.options.validate_certs) == (API_TOKEN, 0.5, False)
    # The defaults object itself is not changed by an entry.
    assert (defaults.timeout, defaults.api_token) == (3.0, MODULE_API_TOKEN)


def test_an_entry_option_set_to_null_inherits_the_module_value():
    defaults = ProviderOptions(timeout=3.0)

    assert provider_entry({'url': PROVIDER_URL, 'timeout': None}, defaults).options.timeout == 3.0


def test_provider_entry_repr_of_its_options_hides_the_secrets():
    entry = provider_entry({'url': PROVIDER_URL, 'url_username': 'fetcher', 'url_password': API_TOKEN})

    assert API_TOKEN not in repr(entry.options) and "url_username='fetcher'" in repr(entry.options)


def test_without_a_fetch_function_provider_entries_are_checked_and_their_endpoints_are_none():
    entries = [dict(WANTED), {'provider': {'url': PROVIDER_URL, 'api_token': API_TOKEN}, 'name': 'eu-1'}]

    read = EntryReader(keyring(), ProviderOptions()).entries(entries, 'endpoints')

    assert read == [(0, None, endpoint()), (1, 'eu-1', None)]


def test_without_a_fetch_function_shape_problems_of_provider_entries_are_still_reported():
    with pytest.raises(TaskError) as err:
        EntryReader().entries([{'provider': {'url': PROVIDER_URL, 'api_tokn': API_TOKEN}}, {'provider': 'x'}], 'endpoints')

    assert str(err.value) == ('endpoints[0]: provider.api_tokn: is not a provider option (did you mean api_token?); '
                              'endpoints[1]: provider: must be a mapping with url and provider options, not a str')


class FakeProvider(object):
    """Stands in for fetch_endpoint: answers by URL, records the options of every call."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def __call__(self, url, options, source=None):
        self.calls.append((url, options, source))
        answer = self.answers[url]
        if isinstance(answer, ProviderError):
            raise answer
        return Fetched(answer, 1, 200, url)


def test_provider_entries_are_fetched_with_their_options_and_read_in_entry_order():
    first = endpoint(priority=2, url='wss://b.example.com/nbwss')
    fake = FakeProvider({PROVIDER_URL: endpoint(), PROVIDER_URL + '-2': first})
    entries = [{'provider': {'url': PROVIDER_URL + '-2', 'timeout': 2}}, dict(WANTED, priority=3, url='wss://c.example.com/'),
               {'provider': {'url': PROVIDER_URL}, 'name': 'eu-1'}]

    read = EntryReader(keyring(), ProviderOptions(timeout=9.0, retries=1), fetch=fake).entries(entries, 'endpoints')

    assert [(index, name) for index, name, dummy in read] == [(0, None), (1, None), (2, 'eu-1')]
    assert (read[0][2], read[2][2]) == (first, endpoint())
    options = dict((url, (opts.timeout, opts.retries, source)) for url, opts, source in fake.calls)
    assert options == {PROVIDER_URL + '-2': (2.0, 1, 'endpoints[0]'), PROVIDER_URL: (9.0, 1, 'endpoints[2]')}


def test_every_failing_fetch_is_named_and_nothing_is_returned():
    fake = FakeProvider({
        PROVIDER_URL: endpoint(),
        PROVIDER_URL + '-404': ProviderError('endpoints[1] (%s-404): the provider answered HTTP 404 Not Found' % PROVIDER_URL,
                                             'http_status', status=404),
        PROVIDER_URL + '-slow': ProviderError('endpoints[2] (%s-slow): no complete answer within the timeout of 1 s' % PROVIDER_URL,
                                              'timeout'),
    })
    entries = [{'provider': {'url': url}} for url in (PROVIDER_URL, PROVIDER_URL + '-404', PROVIDER_URL + '-slow')]

    with pytest.raises(TaskError) as err:
        EntryReader(keyring(), ProviderOptions(), fetch=fake).entries(entries, 'endpoints')

    assert str(err.value) == ('nothing was written: endpoints[1] (%s-404): the provider answered HTTP 404 Not Found; '
                              'endpoints[2] (%s-slow): no complete answer within the timeout of 1 s' % (PROVIDER_URL, PROVIDER_URL))
    assert len(fake.calls) == 3


def test_no_provider_is_fetched_while_any_entry_has_a_problem():
    fake = FakeProvider({PROVIDER_URL: endpoint()})

    with pytest.raises(TaskError):
        EntryReader(keyring(), ProviderOptions(), fetch=fake).entries(
            [{'provider': {'url': PROVIDER_URL}}, dict(WANTED, tokne=TOKEN)], 'endpoints')

    assert fake.calls == []


def test_the_reader_names_the_provider_entries_fetched_without_verifying_certificates():
    entries = [{'provider': {'url': PROVIDER_URL}}, {'provider': {'url': PROVIDER_URL, 'validate_certs': True}}, dict(WANTED)]

    strict = EntryReader(keyring(), ProviderOptions(validate_certs=False))
    strict.entries(entries, 'endpoints')
    lenient = EntryReader(keyring(), ProviderOptions())
    lenient.entries([{'provider': {'url': PROVIDER_URL, 'validate_certs': 'no'}}], 'endpoints')

    assert (strict.unverified, lenient.unverified) == (['endpoints[0]'], ['endpoints[0]'])


# --- the module-level provider options, one home for endpoint_set and the controller's check ---------

def test_provider_defaults_convert_and_check_the_options_as_the_module_does():
    defaults = provider_defaults({'url_username': 'fetcher', 'timeout': '2.5', 'validate_certs': 'no', 'retries': None})

    assert (defaults.url_username, defaults.timeout, defaults.validate_certs, defaults.retries) == ('fetcher', 2.5, False, 3)
    provider = {'url': PROVIDER_URL, 'url_password': API_TOKEN}
    entry = EntryReader(provider_defaults=defaults).endpoint({'provider': provider}, 'endpoints[0]')
    assert (entry.options.url_username, entry.options.url_password) == ('fetcher', API_TOKEN)


def test_provider_defaults_name_every_problem_by_the_callers_label_without_values():
    with pytest.raises(EndpointError) as types:
        provider_defaults({'timeout': 'soon', 'headers': 'not a mapping'}, 'm1', label='nbwss_provider_%s')
    with pytest.raises(EndpointError) as rules:
        provider_defaults({'url_password': API_TOKEN}, 'm1', label='nbwss_provider_%s')
    with pytest.raises(EndpointError) as bare:
        provider_defaults({'api_token': MODULE_API_TOKEN, 'url_username': 'fetcher'})

    assert types.value.lines() == ['m1: nbwss_provider_timeout: must be of type float',
                                   'm1: nbwss_provider_headers: must be of type dict']
    assert rules.value.lines() == ['m1: nbwss_provider_*: url_password needs url_username']
    assert bare.value.lines() == ['api_token and url_username are mutually exclusive: give one way to authenticate']
    assert API_TOKEN not in str(rules.value.lines()) and MODULE_API_TOKEN not in str(bare.value.lines())
