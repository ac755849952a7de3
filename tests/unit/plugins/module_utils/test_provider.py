# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The provider engine's pure parts: retry schedule, Retry-After, redaction, options, headers. No network."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import email.utils

import pytest
import yaml
from hypothesis import given, strategies as st

from ansible_collections.netbackup.nbwss.plugins.doc_fragments.provider import ModuleDocFragment
from ansible_collections.netbackup.nbwss.plugins.module_utils._provider import (
    JITTER,
    backoff_delay,
    fetch_endpoint,
    is_retryable_status,
    next_wait,
    redact_url,
    retry_after_seconds,
    retry_loop,
    same_origin,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._provider_options import (
    MAX_RETRIES,
    MAX_WAIT,
    ProviderError,
    ProviderOptions,
    check_headers,
    provider_argument_spec,
)

API_TOKEN = 'nbwssUnitApiTok3n-Qm4Rt8Wx2Zp6'
PASSWORD = 'nbwssUnitPassTok3n-Lk7Hj3Gf9Ds1'
NOW = 1800000000.0


# --- retry schedule -----------------------------------------------------------------------------

@pytest.mark.parametrize('retry_number, expected', [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (7, 60.0)])
def test_backoff_doubles_from_retry_delay_and_stops_at_the_cap(retry_number, expected):
    assert backoff_delay(retry_number, 1.0, lambda: 0.0) == expected


@given(retry_number=st.integers(1, MAX_RETRIES), retry_delay=st.floats(0, MAX_WAIT),
       rand=st.floats(0, 1, exclude_max=True))
def test_backoff_jitter_stays_between_the_schedule_and_half_again(retry_number, retry_delay, rand):
    base = retry_delay * 2 ** (retry_number - 1)
    wait = backoff_delay(retry_number, retry_delay, lambda: rand)
    assert min(base, MAX_WAIT) <= wait <= min(base * (1 + JITTER), MAX_WAIT)


def test_jitter_spreads_waits_of_a_fleet():
    draws = iter([0.0, 0.5, 0.99])
    assert [backoff_delay(2, 1.0, lambda: next(draws)) for dummy in range(3)] == [2.0, 2.5, 2.0 * 1.495]


@pytest.mark.parametrize('value, expected', [
    ('120', 120.0),
    (' 3 ', 3.0),
    ('0', 0.0),
    ('99999999999999999999', 1e9),
    (email.utils.formatdate(NOW + 30, usegmt=True), 30.0),
    (email.utils.formatdate(NOW - 300, usegmt=True), 0.0),
    ('-5', None),
    ('1.5', None),
    ('soon', None),
    ('', None),
    (None, None),
])
def test_retry_after_reads_seconds_and_http_dates(value, expected):
    assert retry_after_seconds(value, NOW) == expected


def test_retry_after_longer_than_the_backoff_wins_up_to_the_cap():
    assert next_wait(1, 1.0, 7.0, lambda: 0.0) == 7.0
    assert next_wait(1, 1.0, 3600.0, lambda: 0.0) == MAX_WAIT
    assert next_wait(3, 1.0, 0.5, lambda: 0.0) == 4.0
    assert next_wait(1, 1.0, None, lambda: 0.0) == 1.0


@pytest.mark.parametrize('status', [429, 500, 502, 503, 504, 599])
def test_rate_limit_and_server_errors_are_retried(status):
    assert is_retryable_status(status)


@pytest.mark.parametrize('status', [200, 204, 301, 304, 400, 401, 403, 404, 405, 410, 422, 600])
def test_other_statuses_are_not_retried(status):
    assert not is_retryable_status(status)


class Script(object):
    """An attempt function that raises the scripted errors in turn, then returns 'done'; records sleeps."""

    def __init__(self, *errors):
        self.errors = list(errors)
        self.calls = 0
        self.sleeps = []

    def __call__(self):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return 'done'

    def sleep(self, seconds):
        self.sleeps.append(seconds)


def retryable(**kwargs):
    return ProviderError('https://p.example/x: the provider answered HTTP 500 Internal Server Error', 'http_status',
                         status=500, retryable=True, **kwargs)


def test_retry_loop_succeeds_within_the_budget_and_counts_attempts():
    script = Script(retryable(), retryable())
    assert retry_loop(script, 3, 1.0, sleep=script.sleep, rand=lambda: 0.5) == ('done', 3)
    assert script.sleeps == [1.25, 2.5]


def test_retry_loop_gives_up_after_retries_plus_one_attempts():
    script = Script(*[retryable() for dummy in range(5)])
    with pytest.raises(ProviderError) as info:
        retry_loop(script, 2, 0.5, sleep=script.sleep, rand=lambda: 0.0)
    assert (script.calls, script.sleeps, info.value.attempts) == (3, [0.5, 1.0], 3)
    assert str(info.value).endswith('Internal Server Error (after 3 attempts)')


def test_retry_loop_does_not_retry_a_final_error():
    script = Script(ProviderError('https://p.example/x: the provider answered HTTP 404 Not Found', 'http_status',
                                  status=404))
    with pytest.raises(ProviderError) as info:
        retry_loop(script, 3, 1.0, sleep=script.sleep)
    assert (script.calls, script.sleeps, info.value.attempts) == (1, [], 1)
    assert str(info.value) == 'https://p.example/x: the provider answered HTTP 404 Not Found'


def test_retry_loop_with_no_retries_tries_once():
    script = Script(retryable())
    with pytest.raises(ProviderError):
        retry_loop(script, 0, 1.0, sleep=script.sleep)
    assert (script.calls, script.sleeps) == (1, [])


def test_retry_loop_honours_retry_after():
    script = Script(retryable(retry_after=7.0), retryable(retry_after=900.0))
    assert retry_loop(script, 3, 1.0, sleep=script.sleep, rand=lambda: 0.0) == ('done', 3)
    assert script.sleeps == [7.0, MAX_WAIT]


# --- URLs ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('url, expected', [
    ('https://provider.example/nbwss/ep1', 'https://provider.example/nbwss/ep1'),
    ('https://provider.example:8443/a/b?sig=' + API_TOKEN + '#frag', 'https://provider.example:8443/a/b'),
    ('https://fetcher:' + PASSWORD + '@provider.example/ep', 'https://provider.example/ep'),
    ('https://[2001:db8::1]:8443/ep?x=1', 'https://[2001:db8::1]:8443/ep'),
    ('https://provider.example?token=' + API_TOKEN, 'https://provider.example'),
    ('https://[::1', 'https://[::1'),
])
def test_redact_url_drops_userinfo_query_and_fragment(url, expected):
    assert redact_url(url) == expected


@given(secret=st.text(alphabet='abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~%', min_size=8))
def test_redacted_url_never_holds_the_query_or_password(secret):
    redacted = redact_url('https://user:%s@host.example/p/q?k=%s#%s' % (secret, secret, secret))
    assert redacted == 'https://host.example/p/q'


def test_same_origin_compares_scheme_host_and_port():
    assert same_origin('https://a.example/x', 'https://A.example:443/y')
    assert not same_origin('https://a.example/x', 'https://a.example:8443/x')
    assert not same_origin('https://a.example/x', 'https://b.example/x')


@pytest.mark.parametrize('url, reason, phrase', [
    ('http://provider.example/ep', 'url', 'uses plain http://, which is refused'),
    ('HTTP://provider.example/ep', 'url', 'uses plain http://, which is refused'),
    ('ftp://provider.example/ep', 'url', 'must be an https:// URL'),
    ('provider.example/ep', 'url', 'must be an https:// URL'),
    ('https:///ep', 'url', 'has no host'),
    ('https://provider.example:99999/ep', 'url', 'has an invalid port'),
    ('https://provider.example/e p', 'url', 'contains white space'),
    ('https://[::1/ep', 'url', 'has an invalid host: a [ without its ]'),
])
def test_unusable_urls_fail_before_any_request(url, reason, phrase):
    with pytest.raises(ProviderError) as info:
        fetch_endpoint(url, ProviderOptions(), sleep=pytest.fail)
    assert (info.value.reason, info.value.attempts, info.value.status) == (reason, 0, None)
    assert phrase in str(info.value)


@pytest.mark.parametrize('url, shown, phrase', [
    ('https://a..b/x', 'https://a..b/x', 'host has an empty label (two dots in a row, or a dot at the start)'),
    ('https://[abc/x', 'https://[abc/x', 'has an invalid host: a [ without its ]'),
    ('https://[abc]/x', 'https://[abc]/x', 'host in brackets [ ] must be an IPv6 address'),
    ('https://[10.0.0.1]/x', 'https://[10.0.0.1]/x', 'host in brackets [ ] must be an IPv6 address'),
    (u'https://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444\u0000/x',
     u'https://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444\\x00/x', 'contains the invisible or control character U+0000'),
    (u'https://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444/x', u'https://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444/x',
     'host has non-ASCII characters; write an internationalized name in its punycode form'),
    (u'https://a\uff0eb/x', u'https://a\uff0eb/x', 'host has non-ASCII characters'),
    (u'https://ex\u200bample.com/x', u'https://ex\\u200bample.com/x', 'contains the invisible or control character U+200B'),
    ('https://%s.example/x' % ('a' * 64), 'https://%s.example/x' % ('a' * 64), 'host has a label longer than the 63 characters'),
    ('https://./x', 'https://./x', 'host has an empty label'),
    ('https://-bad-.example/x', 'https://-bad-.example/x', 'host must be a host name'),
    ('https://a<b.example/x', 'https://a<b.example/x', 'host must be a host name'),
    ('https://1.2.3.999/x', 'https://1.2.3.999/x', 'host looks like an IPv4 address but is not a valid one'),
    ('https://[fe80::1%25eth0]/x', 'https://[fe80::1%25eth0]/x', 'host has an IPv6 zone id'),
    ('https://provider.example:0/x', 'https://provider.example:0/x', 'has port 0'),
    (u'https://provider.example/x\ud800', u'https://provider.example/x\\ud800', 'is not valid UTF-8 text'),
])
def test_a_bad_host_is_a_provider_error_naming_the_url_without_its_query(url, shown, phrase):
    # Each of these crashed http.client or the idna codec (UnicodeError) or reached the resolver.
    with pytest.raises(ProviderError) as info:
        fetch_endpoint(url + '?sig=' + API_TOKEN, ProviderOptions(), sleep=pytest.fail)
    assert str(info.value).startswith('%s: %s' % (shown, phrase))
    assert (info.value.reason, info.value.attempts, info.value.url) == ('url', 0, shown)
    assert API_TOKEN not in str(info.value) and 'sig=' not in str(info.value)


def test_url_with_credentials_is_refused_without_echoing_them():
    with pytest.raises(ProviderError) as info:
        fetch_endpoint('https://fetcher:%s@provider.example/ep' % PASSWORD, ProviderOptions())
    assert str(info.value) == ('https://provider.example/ep: must not carry a user name or password; '
                               'use url_username and url_password, which are never logged')
    assert PASSWORD not in str(info.value) and 'fetcher' not in str(info.value)


def test_source_names_the_entry_beside_the_url():
    with pytest.raises(ProviderError) as info:
        fetch_endpoint('http://provider.example/ep?k=v', ProviderOptions(), source='providers[2]')
    assert str(info.value).startswith('providers[2] (http://provider.example/ep): uses plain http://')
    assert info.value.url == 'http://provider.example/ep'


# --- headers and options ------------------------------------------------------------------------

@pytest.mark.parametrize('name', ['Authorization', 'authorization', 'AUTHORIZATION'])
def test_authorization_header_is_refused_with_a_pointer_to_the_secret_options(name):
    with pytest.raises(ProviderError) as info:
        check_headers({name: 'Bearer ' + API_TOKEN})
    message = str(info.value)
    assert message.startswith('headers must not set %s: ' % name)
    assert 'api_token' in message and 'url_password' in message
    assert API_TOKEN not in message and 'Bearer ' not in message
    assert info.value.reason == 'options'


def test_proxy_authorization_header_is_refused():
    with pytest.raises(ProviderError) as info:
        check_headers({'Proxy-Authorization': 'Basic ' + PASSWORD})
    assert 'https_proxy' in str(info.value) and PASSWORD not in str(info.value)


@pytest.mark.parametrize('headers, phrase', [
    ({'X-Trace': 'a\r\nAuthorization: Bearer x'}, 'contains a line break'),
    ({'Bad Name': 'x'}, 'is not a valid HTTP header name'),
    ({'X:Y': 'x'}, 'is not a valid HTTP header name'),
])
def test_malformed_headers_are_refused(headers, phrase):
    with pytest.raises(ProviderError) as info:
        check_headers(headers)
    assert phrase in str(info.value)


def test_loggable_headers_pass_as_strings():
    assert check_headers({'X-Request-Id': 42, 'Accept-Language': 'en'}) == {'X-Request-Id': '42', 'Accept-Language': 'en'}
    assert check_headers(None) == {}


def test_options_defaults_match_the_documentation():
    options = ProviderOptions()
    assert (options.validate_certs, options.use_proxy, options.timeout, options.retries, options.retry_delay,
            options.max_bytes, options.headers) == (True, True, 10.0, 3, 1.0, 65536, {})


@pytest.mark.parametrize('values, phrase', [
    (dict(api_token=API_TOKEN, url_username='fetcher'), 'api_token and url_username are mutually exclusive'),
    (dict(url_password=PASSWORD), 'url_password needs url_username'),
    (dict(url_username='a:b'), 'url_username must not contain a colon'),
    (dict(api_token='two words'), 'api_token must be a non-empty token'),
    (dict(api_token='  '), 'api_token must be a non-empty token'),
    (dict(client_key='/k.pem'), 'client_key needs client_cert'),
    (dict(timeout=0), 'timeout must be more than 0'),
    (dict(retries=-1), 'retries must be between 0 and 10'),
    (dict(retries=MAX_RETRIES + 1), 'retries must be between 0 and 10'),
    (dict(retry_delay=-0.5), 'retry_delay must be between 0 and 60'),
    (dict(max_bytes=0), 'max_bytes must be between 1 and 65536'),
    (dict(max_bytes=65537), 'max_bytes must be between 1 and 65536'),
    (dict(headers={'Authorization': 'Basic ' + PASSWORD}), 'headers must not set Authorization'),
])
def test_invalid_options_fail_with_one_sentence(values, phrase):
    with pytest.raises(ProviderError) as info:
        ProviderOptions(**values)
    assert phrase in str(info.value)
    assert info.value.reason == 'options' and info.value.url is None
    assert API_TOKEN not in str(info.value) and PASSWORD not in str(info.value)


def test_options_repr_hides_the_secrets():
    text = repr(ProviderOptions(api_token=API_TOKEN)) + repr(ProviderOptions(url_username='u', url_password=PASSWORD))
    assert API_TOKEN not in text and PASSWORD not in text
    assert "api_token='********'" in text and "url_password='********'" in text


def test_unknown_option_is_a_programming_error():
    with pytest.raises(TypeError):
        ProviderOptions(url='https://provider.example/ep')


def test_entry_options_inherit_unset_values_from_the_module_level():
    module_level = ProviderOptions(api_token=API_TOKEN, timeout=4.0, retries=1)
    entry = ProviderOptions.from_params(dict(timeout=2.0, retries=None, api_token=None), inherit=module_level)
    assert (entry.api_token, entry.timeout, entry.retries, entry.max_bytes) == (API_TOKEN, 2.0, 1, 65536)


def test_from_params_takes_module_params_as_they_are():
    params = dict((name, None) for name in provider_argument_spec())
    params.update(url_username='fetcher', url_password=PASSWORD, timeout=3.0)
    options = ProviderOptions.from_params(params)
    assert (options.url_username, options.url_password, options.timeout, options.retries) == ('fetcher', PASSWORD, 3.0, 3)


# --- argument spec and doc fragment -------------------------------------------------------------

def test_secrets_are_no_log_in_the_argument_spec():
    spec = provider_argument_spec()
    assert sorted(name for name, entry in spec.items() if entry.get('no_log')) == ['api_token', 'url_password']
    assert spec['client_key']['no_log'] is False
    assert 'url' not in spec


def test_entry_spec_has_no_defaults_so_values_can_be_inherited():
    assert [name for name, entry in provider_argument_spec(with_defaults=False).items() if 'default' in entry] == []
    assert provider_argument_spec(with_defaults=False).keys() == provider_argument_spec().keys()


def test_doc_fragment_documents_exactly_the_argument_spec():
    fragment = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)
    documented = fragment['options']
    spec = provider_argument_spec()
    assert sorted(documented) == sorted(spec)
    for name, entry in spec.items():
        assert documented[name]['type'] == entry['type'], name
        assert documented[name].get('default') == entry.get('default'), name
        # ansible-doc wants plain strings; an unquoted ': ' in YAML makes a mapping instead.
        assert all(isinstance(line, str) for line in documented[name]['description']), name
    assert all(isinstance(note, str) for note in fragment['notes'])
