# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import json
import os

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import (
    FIELDS,
    Endpoint,
    EndpointError,
    MAX_ENDPOINT_BYTES,
    endpoint_from_dict,
    layout_warnings,
    normalized_url,
    parse_endpoint,
    token_fingerprint,
    url_problem,
)

FIXTURES = os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures', 'endpoints')
BAD_DIR = os.path.join(FIXTURES, 'bad')
GOOD_DIR = os.path.join(FIXTURES, 'good')
with open(os.path.join(BAD_DIR, 'expected.json')) as expected_file:
    BAD_EXPECTED = json.load(expected_file)
GOOD_FILES = sorted(f for f in os.listdir(GOOD_DIR) if f.endswith('.json'))

TOKEN = 'nbwssUnitTok3n-Zz9Yy8Xx7Ww6'


def valid(**changes):
    value = {'token': TOKEN, 'priority': 1, 'groupId': 'G1', 'hostName': 'cloud.example.com',
             'url': 'wss://cloud.example.com:14146/cfs/nbufacade'}
    value.update(changes)
    return value


def read(path):
    with open(path, 'rb') as handle:
        return handle.read()


def read_bad(name):
    # Files that are not valid UTF-8 (or carry a BOM) are stored base64-encoded: sanity tests read every file.
    if os.path.exists(os.path.join(BAD_DIR, name)):
        return read(os.path.join(BAD_DIR, name))
    return base64.b64decode(read(os.path.join(BAD_DIR, name + '.b64')))


def test_corpus_has_at_least_forty_bad_files():
    assert len(BAD_EXPECTED) >= 40
    on_disk = sorted(f[:-len('.b64')] if f.endswith('.b64') else f for f in os.listdir(BAD_DIR) if f != 'expected.json')
    assert on_disk == sorted(BAD_EXPECTED)


@pytest.mark.parametrize('name', sorted(BAD_EXPECTED))
def test_bad_file_is_rejected_naming_file_and_field(name):
    data = read_bad(name)
    with pytest.raises(EndpointError) as caught:
        parse_endpoint(data, source=name)
    error = caught.value
    assert error.field == BAD_EXPECTED[name]
    assert str(error).startswith(name + ': ')
    if error.field:
        assert str(error).startswith('%s: %s: ' % (name, error.field))
    assert 'nbwssFixtureTok3n' not in str(error)


@pytest.mark.parametrize('name', GOOD_FILES)
def test_good_file_is_accepted_and_round_trips_through_canonical_form(name):
    endpoint = parse_endpoint(read(os.path.join(GOOD_DIR, name)), source=name)
    again = parse_endpoint(endpoint.canonical_json(), source=name)
    assert again == endpoint
    assert again.canonical_json() == endpoint.canonical_json()


def test_vendor_example_from_the_reference_guide_is_accepted():
    endpoint = parse_endpoint(read(os.path.join(GOOD_DIR, 'vendor_example.json')))
    assert endpoint.priority == 1
    assert endpoint.group_id == 'GROUPID1'
    assert endpoint.host_name == 'vrhel6u5-vm4.acme.com'
    assert endpoint.url == 'wss://vrhel6u5-vm4.acme.com:14146/cfs/nbufacade'
    assert endpoint.warnings() == []


def test_canonical_form_has_five_keys_in_vendor_order_from_brace_to_brace():
    text = parse_endpoint(json.dumps(valid())).canonical_json()
    assert text.startswith(b'{\n') and text.endswith(b'\n}')
    keys = [k for k, dummy in json.loads(text, object_pairs_hook=list)]
    assert keys == list(FIELDS)
    assert json.loads(text)['priority'] == 1


def test_key_order_and_whitespace_do_not_change_meaning():
    shuffled = '{"url": "wss://cloud.example.com:14146/cfs/nbufacade",\n "hostName":"cloud.example.com", ' \
               '"groupId": "G1", "priority": 1, "token": "%s"}' % TOKEN
    assert parse_endpoint(shuffled) == parse_endpoint(json.dumps(valid()))


def test_meaning_differs_when_any_value_differs():
    base = endpoint_from_dict(valid())
    for field, other in (('token', 'other'), ('priority', 2), ('groupId', 'G2'), ('hostName', 'x.example.com'),
                         ('url', 'wss://cloud.example.com:1/x')):
        assert endpoint_from_dict(valid(**{field: other})) != base


def test_redacted_view_replaces_token_with_fingerprint():
    endpoint = endpoint_from_dict(valid())
    view = endpoint.redacted()
    assert view['token'] == token_fingerprint(TOKEN)
    assert view['token'].startswith('sha256:') and len(view['token']) == len('sha256:') + 12
    assert TOKEN not in json.dumps(view)
    assert TOKEN not in repr(endpoint)


def test_host_name_differing_from_url_host_is_a_warning_not_an_error():
    endpoint = endpoint_from_dict(valid(hostName='other.example.com'), source='a.json')
    warnings = endpoint.warnings()
    assert len(warnings) == 1
    assert warnings[0].startswith('a.json: hostName: differs from the host of url (cloud.example.com)')


def test_host_name_comparison_ignores_case_trailing_dot_and_ipv6_brackets():
    assert endpoint_from_dict(valid(hostName='Cloud.Example.COM.')).warnings() == []
    assert endpoint_from_dict(valid(hostName='2001:db8::1', url='wss://[2001:DB8:0::1]/x')).warnings() == []


def test_dict_input_is_checked_as_strictly_as_a_file():
    with pytest.raises(EndpointError) as caught:
        endpoint_from_dict(valid(priority='1'))
    assert caught.value.field == 'priority'
    with pytest.raises(EndpointError) as caught:
        endpoint_from_dict(valid(token="it's"))
    assert caught.value.field == 'token'
    assert "it's" not in str(caught.value)


def test_error_for_token_problems_never_echoes_the_token():
    secret = 'S3cretValue-with-newline\n'
    with pytest.raises(EndpointError) as caught:
        endpoint_from_dict(valid(token=secret))
    assert 'S3cretValue' not in str(caught.value)


def test_size_cap_applies_to_text_as_well_as_bytes():
    big = json.dumps(valid(token='A' * MAX_ENDPOINT_BYTES))
    with pytest.raises(EndpointError, match='larger than'):
        parse_endpoint(big)
    with pytest.raises(EndpointError, match='larger than'):
        parse_endpoint(big.encode())


def test_lone_surrogate_in_text_input_is_rejected_not_crashing():
    with pytest.raises(EndpointError) as caught:
        parse_endpoint(json.dumps(valid(groupId=u'G\udc80'), ensure_ascii=False))
    assert caught.value.field == 'groupId'


def test_endpoint_equality_ignores_source():
    assert Endpoint('t', 1, 'g', 'h', 'wss://h/') == Endpoint('t', 1, 'g', 'h', 'wss://h/', source='x.json')


# Property-based: whatever the input, the parser returns a valid endpoint or raises its own error.

JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
JSON_VALUES = st.recursive(JSON_LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
                           max_leaves=12)
NEAR_VALID = st.fixed_dictionaries({
    'token': st.text(min_size=0, max_size=30),
    'priority': st.integers(min_value=-3, max_value=2 ** 32) | st.booleans() | st.floats() | st.text(max_size=3),
    'groupId': st.text(max_size=10),
    'hostName': st.sampled_from(['cloud.example.com', '127.0.0.1', '::1', 'bad host', '']) | st.text(max_size=10),
    'url': st.sampled_from(['wss://cloud.example.com/x', 'ws://cloud.example.com/', 'wss://', 'wss://[::1]:443/',
                            'wss://h:70000/']) | st.text(max_size=20),
})


def assert_valid_or_own_error(data):
    try:
        endpoint = parse_endpoint(data, source='fuzz.json')
    except EndpointError as error:
        assert str(error).startswith('fuzz.json')
        return
    assert isinstance(endpoint, Endpoint)
    assert isinstance(endpoint.priority, int) and not isinstance(endpoint.priority, bool)
    assert endpoint.url.startswith('wss://')
    assert parse_endpoint(endpoint.canonical_json()) == endpoint


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_give_an_endpoint_or_an_endpoint_error(data):
    assert_valid_or_own_error(data)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_random_json_gives_an_endpoint_or_an_endpoint_error(value):
    assert_valid_or_own_error(json.dumps(value))


@settings(max_examples=300, deadline=None)
@given(NEAR_VALID, st.booleans())
def test_near_valid_endpoints_give_an_endpoint_or_an_endpoint_error(value, as_bytes):
    text = json.dumps(value, ensure_ascii=False)
    assert_valid_or_own_error(text.encode('utf-8', 'surrogatepass') if as_bytes else text)


# --- hardening: every problem, no echo, stricter values -------------------------------------------

def test_every_problem_of_an_endpoint_is_reported_not_only_the_first():
    with pytest.raises(EndpointError) as caught:
        parse_endpoint(json.dumps(valid(priority='1', url='ws://cloud.example.com/x')), source='two.json')

    assert [field for field, dummy in caught.value.problems] == ['priority', 'url']
    assert caught.value.lines() == ['two.json: priority: must be a JSON integer, not a string ("1" is a string; write 1 without quotes)',
                                    'two.json: url: uses ws://, which NetBackup does not support; the endpoint must be wss://']


def test_an_unknown_key_that_could_be_a_token_is_never_echoed():
    secret = 'nbwssUnitTok3n-PastedAsAKey-77'
    value = valid()
    value[secret] = 'x'

    with pytest.raises(EndpointError) as caught:
        endpoint_from_dict(value, source='e.json')

    assert secret not in str(caught.value)
    assert 'key number 6 is not an endpoint key' in str(caught.value)


@pytest.mark.parametrize('key, hint', [('groupID', 'groupId'), ('Token', 'token'), ('tokne', 'token'), ('hostname', 'hostName')])
def test_a_near_miss_of_an_endpoint_key_is_named_with_a_hint(key, hint):
    value = valid()
    value[key] = value.pop(hint)

    with pytest.raises(EndpointError) as caught:
        endpoint_from_dict(value)

    assert caught.value.problems[0] == (key, caught.value.problems[0][1])
    assert 'did you mean %s?' % hint in caught.value.problems[0][1]


def test_a_bad_url_is_never_quoted():
    for url in ('nbwssUnitTok3n-in-the-url-field', 'https://cloud.example.com/x', 'mailto:nbwssUnitTok3n-xyz'):
        with pytest.raises(EndpointError) as caught:
            endpoint_from_dict(valid(url=url))
        assert 'nbwssUnitTok3n' not in str(caught.value) and 'cloud.example.com' not in str(caught.value)
    with pytest.raises(EndpointError, match=r'it begins with https://'):
        endpoint_from_dict(valid(url='https://cloud.example.com/x'))


@pytest.mark.parametrize('token', [True, 12345, 1.5, ['nbwss', 'x'], {'a': 'b'}, None])
def test_a_token_that_is_not_a_string_is_refused_in_options_too(token):
    with pytest.raises(EndpointError) as caught:
        endpoint_from_dict(valid(token=token), from_options=True)

    assert caught.value.field == 'token' and 'must be a string' in caught.value.problem


@pytest.mark.parametrize('priority, expected', [('1', 1), ('0', 0), ('2147483647', 2147483647), (7, 7)])
def test_priority_from_options_accepts_an_integer_or_a_string_of_digits(priority, expected):
    assert endpoint_from_dict(valid(priority=priority), from_options=True).priority == expected


@pytest.mark.parametrize('priority', ['01', '2.0', '+1', '-1', ' 1', '1e3', '', 2.0, True, '2147483648', '99999999999'])
def test_priority_from_options_refuses_signs_leading_zeros_and_decimals(priority):
    with pytest.raises(EndpointError) as caught:
        endpoint_from_dict(valid(priority=priority), from_options=True)

    assert caught.value.field == 'priority'


def test_priority_in_a_json_file_must_still_be_a_json_integer():
    with pytest.raises(EndpointError):
        endpoint_from_dict(valid(priority='1'))


@pytest.mark.parametrize('char', [u'\u0085', u'\u200b', u'\u2028', u'\u2029', u'\ufeff', u'\u00ad', u'\x7f', u'\t'])
@pytest.mark.parametrize('field', ['token', 'groupId'])
def test_invisible_and_separator_characters_are_refused_in_every_value(char, field):
    with pytest.raises(EndpointError) as caught:
        endpoint_from_dict(valid(**{field: u'abc' + char + u'def'}))

    assert caught.value.field == field and 'U+%04X' % ord(char) in caught.value.problem


def test_url_with_a_fragment_is_refused():
    with pytest.raises(EndpointError, match='fragment'):
        endpoint_from_dict(valid(url='wss://cloud.example.com/x#part'))


@pytest.mark.parametrize('host', ['999.1.1.1', '10.0.0.256', '1.2.3'])
def test_a_numeric_host_that_is_not_a_valid_ip_is_refused(host):
    with pytest.raises(EndpointError, match='not a valid one'):
        endpoint_from_dict(valid(hostName=host, url='wss://cloud.example.com/'))
    with pytest.raises(EndpointError, match='not a valid one'):
        endpoint_from_dict(valid(url='wss://%s/' % host))


def test_ipv6_zone_ids_are_refused_the_same_way_on_every_python():
    with pytest.raises(EndpointError, match='zone id'):
        endpoint_from_dict(valid(hostName='fe80::1%eth0', url='wss://cloud.example.com/'))
    with pytest.raises(EndpointError, match='zone id'):
        endpoint_from_dict(valid(url='wss://[fe80::1%25eth0]:443/x'))


def test_an_internationalized_host_name_gets_a_punycode_hint():
    with pytest.raises(EndpointError, match='punycode'):
        endpoint_from_dict(valid(hostName=u'b\u00fccher.example', url='wss://xn--bcher-kva.example/'))


def test_white_space_outside_the_braces_is_a_layout_warning_not_an_error():
    text = u'\n  ' + json.dumps(valid()) + u'\n'

    assert parse_endpoint(text) == endpoint_from_dict(valid())
    assert len(layout_warnings(text, source='f.json')) == 1
    assert layout_warnings(json.dumps(valid())) == []


@pytest.mark.parametrize('url, expected', [
    ('wss://H.Example.COM/x', 'wss://h.example.com/x'),
    ('wss://h.example.com:443/x', 'wss://h.example.com/x'),
    ('wss://h.example.com', 'wss://h.example.com/'),
    ('wss://h.example.com:8443/x?a=1', 'wss://h.example.com:8443/x?a=1'),
    ('wss://[2001:DB8::1]:443/', 'wss://[2001:db8::1]/'),
])
def test_normalized_url_is_what_netbackup_reaches(url, expected):
    assert normalized_url(url) == expected


# --- priority messages: never suggest that a string is accepted ------------------------------------

@pytest.mark.parametrize('priority, expected', [
    ('1', 'must be a JSON integer, not a string ("1" is a string; write 1 without quotes)'),
    ('01', 'must be a JSON integer, not a string ("01" is a string; write 1 without quotes)'),
    ('+2', 'must be a JSON integer, not a string ("+2" is a string; write 2 without quotes)'),
    ('-1', 'must be a JSON integer, not a string ("-1" is a string; priority is a whole number from 0 to 2147483647, '
           'without quotes)'),
    ('abc', 'must be a JSON integer, not a string (write a whole number such as 1, without quotes)'),
    (True, 'must be a JSON integer, not a boolean (write a whole number such as 1 instead of true or false)'),
    (1.5, 'must be a JSON integer, not a decimal number (1.5; priority is a whole number such as 1)'),
    (2.0, 'must be a JSON integer, not a decimal number (2.0; write 2 without a decimal point)'),
    (None, 'must be a JSON integer, not null (write a whole number such as 1)'),
])
def test_priority_messages_say_what_to_write_and_never_that_a_string_is_accepted(priority, expected):
    for from_options in (False, True):
        if from_options and priority == '1':
            continue  # templating makes strings of integers: options take "1"
        with pytest.raises(EndpointError) as caught:
            endpoint_from_dict(valid(priority=priority), source='e.json', from_options=from_options)
        assert caught.value.lines() == ['e.json: priority: %s' % expected]
        assert 'accepted' not in str(caught.value)


def test_a_priority_string_that_is_not_a_number_is_not_echoed():
    with pytest.raises(EndpointError) as caught:
        endpoint_from_dict(valid(priority=TOKEN, token='x'))
    assert TOKEN not in str(caught.value)


# --- JSON syntax errors: where, never what ---------------------------------------------------------

@pytest.mark.parametrize('text, expected', [
    ('{"token": "%s",\n "priority": x}' % TOKEN, "is not valid JSON: Expecting value at line 2, column 14"),
    ('{"token": "%s" "priority": 1}' % TOKEN, "is not valid JSON: Expecting ',' delimiter at line 1, column %d" % (14 + len(TOKEN))),
    ('{"token": "%s\\q"}' % TOKEN, "is not valid JSON: Invalid \\escape at line 1, column %d" % (12 + len(TOKEN))),
    ('{"token": "%s"} {}' % TOKEN, "is not valid JSON: Extra data at line 1, column %d" % (15 + len(TOKEN))),
])
def test_a_json_syntax_error_gives_line_and_column_and_no_text(text, expected):
    with pytest.raises(EndpointError) as caught:
        parse_endpoint(text, source='e.json')
    assert str(caught.value) == 'e.json: ' + expected
    assert TOKEN[:6] not in str(caught.value)


# --- one url check for endpoint urls and provider urls -----------------------------------------------

@pytest.mark.parametrize('host, phrase', [
    ('a..b', 'host has an empty label (two dots in a row, or a dot at the start)'),
    ('[abc', 'has an invalid host: a [ without its ]'),
    ('[abc]', 'host in brackets [ ] must be an IPv6 address'),
    ('[10.0.0.1]', 'host in brackets [ ] must be an IPv6 address'),
    (u'\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444', 'host has non-ASCII characters'),
    (u'a\u0000b', 'contains the invisible or control character U+0000'),
    ('a' * 64 + '.example', 'host has a label longer than the 63 characters'),
    ('a%2eb', 'host must be a host name'),
])
def test_wss_and_https_urls_share_one_host_check(host, phrase):
    for scheme in ('wss', 'https'):
        problem = url_problem('%s://%s/x' % (scheme, host), scheme=scheme)
        assert problem.startswith(phrase), (scheme, problem)


def test_scheme_rules_stay_per_scheme():
    assert url_problem('https://h.example/x', scheme='https') is None
    assert url_problem('https://h.example/x#part', scheme='https') is None
    assert url_problem('wss://h.example/x#part').startswith('has a #fragment')
    assert url_problem('http://h.example/x', scheme='https').startswith('uses plain http://')
    assert url_problem('wss://h.example/x', scheme='https') == 'must be an https:// URL'
    assert url_problem('https://h.example/x') == 'must begin with wss:// (it begins with https://)'
    assert url_problem('https://u:p@h.example/x', scheme='https').endswith('use url_username and url_password, which are never logged')
