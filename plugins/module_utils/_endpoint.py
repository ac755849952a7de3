# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""One NBWSS WebSocket endpoint: strict parsing, validation, canonical form, redacted view.

This file is the only place that knows what a valid endpoint is. Every error it raises
names the source and the field, reports every problem of the endpoint (not only the first),
and never contains a value that could be a secret: not the token, not an unknown key's name
unless it is a near miss of an endpoint key, not the beginning of a bad url.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import difflib
import hashlib
import ipaddress
import json
import math
import re
import unicodedata

from urllib.parse import urlsplit, urlunsplit

# NetBackup keys, in the canonical order of the vendor's example file. The one list of them.
FIELDS = ('token', 'priority', 'groupId', 'hostName', 'url')

# Endpoint files are tiny (the vendor's example is under 1 KiB); the cap keeps a wrong path
# (a log, a backup image) from being read whole. Documented in the module docs.
MAX_ENDPOINT_BYTES = 64 * 1024

# NetBackup stores priority as a Java int.
MAX_PRIORITY = 2 ** 31 - 1

# Invisible characters that survive copy and paste and make two equal-looking values differ:
# controls, format characters (U+200B zero width space, U+FEFF...), line and paragraph separators.
_INVISIBLE_CATEGORIES = frozenset(('Cc', 'Cf', 'Zl', 'Zp'))
_PRINTABLE_ASCII = re.compile(r'[ -~]*\Z')
_HOST_LABEL = re.compile(r'^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$')
_DIGITS = re.compile(r'^(0|[1-9][0-9]*)$')
# Schemes worth naming when a url does not start with wss://; anything else is not echoed.
_KNOWN_SCHEMES = ('https', 'http', 'ftp', 'file', 'tcp', 'ssl', 'tls')
DEFAULT_WSS_PORT = 443


class EndpointError(ValueError):
    """Problems with one endpoint; ``str()`` is ``source: field: problem`` per problem, joined by ``; ``.

    ``problems`` is a list of ``(field or None, problem)``; ``field`` and ``problem`` are the first.
    """

    def __init__(self, problem=None, field=None, source=None, problems=None):
        self.problems = list(problems) if problems else [(field, problem)]
        self.source = source
        super(EndpointError, self).__init__(self.describe())

    @property
    def field(self):
        return self.problems[0][0]

    @property
    def problem(self):
        return self.problems[0][1]

    def lines(self):
        """One ``source: field: problem`` line per problem."""
        return [': '.join([part for part in (self.source, field) if part] + [problem]) for field, problem in self.problems]

    def describe(self):
        return '; '.join(self.lines())

    def with_source(self, source):
        """A copy that names ``source``, for errors raised before the file was known."""
        return EndpointError(source=source, problems=self.problems)


def token_fingerprint(token):
    """A short, stable, non-reversible stand-in for a token in output."""
    return 'sha256:' + hashlib.sha256(token.encode('utf-8')).hexdigest()[:12]


class Endpoint(object):
    """A validated endpoint. Equality compares meaning (the five values), never bytes."""

    __slots__ = ('token', 'priority', 'group_id', 'host_name', 'url', 'source')

    def __init__(self, token, priority, group_id, host_name, url, source=None):
        self.token = token
        self.priority = priority
        self.group_id = group_id
        self.host_name = host_name
        self.url = url
        self.source = source

    def _key(self):
        return (self.token, self.priority, self.group_id, self.host_name, self.url)

    def __eq__(self, other):
        return isinstance(other, Endpoint) and self._key() == other._key()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        # repr must be as safe as the redacted view: it ends up in tracebacks and logs.
        return 'Endpoint(%s)' % ', '.join('%s=%r' % item for item in self.redacted().items())

    def with_source(self, source):
        """The same endpoint, named by ``source`` in errors, warnings and group tables."""
        return Endpoint(self.token, self.priority, self.group_id, self.host_name, self.url, source=source)

    def as_dict(self):
        """The five NetBackup keys with their real values (the token included)."""
        return dict(zip(FIELDS, self._key()))

    def canonical_json(self):
        """The NetBackup-importable file content: the five keys in a stable order, UTF-8, from ``{`` to ``}``.

        The reference guide says the file begins with ``{`` and ends with ``}``: no final newline.
        """
        values = self.as_dict()
        pairs = ['  %s: %s' % (json.dumps(k), json.dumps(values[k], ensure_ascii=False)) for k in FIELDS]
        return (u'{\n' + u',\n'.join(pairs) + u'\n}').encode('utf-8')

    def redacted(self):
        """The non-secret view: safe for results, diffs, logs and errors."""
        view = self.as_dict()
        view['token'] = token_fingerprint(self.token)
        return view

    def url_host(self):
        return urlsplit(self.url).hostname

    def normalized_url(self):
        """The url as NetBackup reaches it: lower-case host, default port 443 and an empty path made explicit."""
        return normalized_url(self.url)

    def warnings(self):
        """Non-fatal findings, as sentences that name the source."""
        found = []
        if _normalise_host(self.host_name) != _normalise_host(self.url_host() or ''):
            found.append(EndpointError(
                'differs from the host of url (%s); NetBackup connects to the url host' % self.url_host(),
                field='hostName', source=self.source).describe())
        return found


def normalized_url(url):
    """``url`` (already valid) with a lower-case host, without the default port 443, and with ``/`` for an empty path."""
    parts = urlsplit(url)
    host = parts.hostname.rstrip('.')
    netloc = '[%s]' % host if ':' in host else host
    if parts.port is not None and parts.port != DEFAULT_WSS_PORT:
        netloc += ':%d' % parts.port
    return urlunsplit(('wss', netloc, parts.path or '/', parts.query, ''))


def _normalise_host(host):
    host = host.strip().rstrip('.').lower()
    if host.startswith('[') and host.endswith(']'):
        host = host[1:-1]
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host


def _reject_duplicate_keys(pairs):
    seen = set()
    for key, dummy in pairs:
        if key in seen:
            if key in FIELDS:
                raise EndpointError('appears more than once in the same object', field=key)
            raise EndpointError('an object has the same key more than once')
        seen.add(key)
    return dict(pairs)


def _reject_constant(name):
    raise EndpointError('%s is not valid JSON' % name, field=None)


class _OversizedNumber(object):
    """Stands in for an integer too long to convert (Python refuses with a ValueError of its own)."""


def _bounded_int(text):
    if len(text.lstrip('-')) > 19:
        return _OversizedNumber()
    return int(text)


def parse_endpoint(data, source=None):
    """Parse raw endpoint file content (bytes or text) strictly and return an ``Endpoint``.

    Catches what ``json.loads`` alone lets through: duplicate keys, NaN/Infinity, non-UTF-8
    bytes, a byte order mark, and oversized input. Raises ``EndpointError`` and nothing else.
    """
    if isinstance(data, bytes):
        if len(data) > MAX_ENDPOINT_BYTES:
            raise EndpointError('file is larger than %d bytes; an endpoint file is a small JSON object' % MAX_ENDPOINT_BYTES,
                                source=source)
        try:
            text = data.decode('utf-8')
        except UnicodeDecodeError as exc:
            raise EndpointError('is not valid UTF-8 (byte offset %d)' % exc.start, source=source)
    else:
        text = data
        if len(text.encode('utf-8', 'surrogatepass')) > MAX_ENDPOINT_BYTES:
            raise EndpointError('content is larger than %d bytes; an endpoint file is a small JSON object' % MAX_ENDPOINT_BYTES,
                                source=source)
    if text.startswith(u'\ufeff'):
        raise EndpointError('starts with a byte order mark; save the file as UTF-8 without BOM', source=source)
    if not text.strip():
        raise EndpointError('is empty; expected one JSON object with token, priority, groupId, hostName and url',
                            source=source)
    try:
        value = _decode_json(text, source)
    except EndpointError:
        if u"'" in text:
            # Not JSON, and an apostrophe: the more useful of the two messages.
            raise EndpointError('contains an apostrophe (\'), which NetBackup does not support anywhere in endpoint details',
                                source=source)
        raise
    if isinstance(value, dict) and u"'" in text and not any(u"'" in v for v in value.values() if isinstance(v, str)):
        # In a key name: the key checks below name it, this says why NetBackup would refuse the file too.
        raise EndpointError('contains an apostrophe (\'), which NetBackup does not support anywhere in endpoint details',
                            source=source)
    return endpoint_from_dict(value, source=source)


def layout_warnings(data, source=None):
    """Warnings about the file's layout that NetBackup may not accept but that do not change the endpoint.

    The reference guide says the file begins with ``{`` and ends with ``}``; an editor's final
    newline is white space after the ``}``.
    """
    text = data.decode('utf-8', 'replace') if isinstance(data, bytes) else data
    if text and text != text.strip():
        return [EndpointError('has white space before the opening { or after the closing }; NetBackup expects the file '
                              'to begin with { and end with }', source=source).describe()]
    return []


def _decode_json(text, source):
    try:
        return json.loads(text, object_pairs_hook=_reject_duplicate_keys,
                          parse_constant=_reject_constant, parse_int=_bounded_int)
    except EndpointError as exc:
        raise exc.with_source(source)
    except ValueError as exc:
        raise EndpointError('is not valid JSON: %s' % _json_error_text(exc), source=source)
    except RecursionError:
        raise EndpointError('is not valid JSON: nested too deeply', source=source)


def _json_error_text(exc):
    """json's reason and where it is (line and column), never the text around it: that could be the token."""
    reason = (getattr(exc, 'msg', None) or 'unreadable').split(':')[0]  # the pure-Python decoder appends text
    if getattr(exc, 'lineno', None) is None:
        return reason
    return '%s at line %d, column %d' % (reason, exc.lineno, exc.colno)


def endpoint_from_dict(value, source=None, from_options=False):
    """Validate an already-decoded value (a mapping of the five keys) and return an ``Endpoint``.

    ``from_options``: the value comes from module options or variables rather than from JSON, so
    ``priority`` may also be a string of digits (Ansible templating yields strings). Otherwise
    the rules are the same. Every problem is collected and raised together as one EndpointError.
    """
    if isinstance(value, list):
        raise EndpointError('holds a list of %d item(s); NetBackup reads exactly one endpoint object per file' % len(value),
                            source=source)
    if not isinstance(value, dict):
        raise EndpointError('must be a JSON object with token, priority, groupId, hostName and url, not %s'
                            % value_kind(value), source=source)
    problems = unknown_key_problems(value, FIELDS, 'an endpoint key')
    problems.extend((key, 'is missing') for key in FIELDS if key not in value)
    checked = {}
    for key in FIELDS:
        if key in value:
            check = _priority if key == 'priority' else _string
            problem, checked[key] = check(value[key], key, from_options)
            if problem:
                problems.append((key, problem))
    if 'hostName' in checked and checked['hostName'] is not None:
        problem = host_problem(checked['hostName'])
        if problem:
            problems.append(('hostName', problem))
    if 'url' in checked and checked['url'] is not None:
        problem = url_problem(checked['url'])
        if problem:
            problems.append(('url', problem))
    if problems:
        raise EndpointError(source=source, problems=problems)
    return Endpoint(checked['token'], checked['priority'], checked['groupId'], checked['hostName'], checked['url'],
                    source=source)


def unknown_key_problems(value, known, what):
    """``(field, problem)`` for each key of ``value`` not in ``known``, never echoing a key that could be a secret.

    A near miss of a known key (``groupID``, ``tokne``) is named with a did-you-mean hint; any
    other key is named by its position only, since a pasted token can end up as a key name.
    """
    problems = []
    for position, key in enumerate(value, 1):
        if key in known:
            continue
        hint = near_miss(key, known)
        if hint:
            problems.append((key, 'is not %s (did you mean %s?%s)' % (what, hint, _case_note(key, hint))))
        else:
            problems.append((None, 'key number %d is not %s; the keys are %s (its name is not shown, since it could be '
                                   'a secret)' % (position, what, ', '.join(known))))
    return problems


def near_miss(key, known):
    """The one of ``known`` that ``key`` most likely meant (a case or spelling slip), or None."""
    if not isinstance(key, str):
        return None
    by_lower = dict((k.lower(), k) for k in known)
    if key.lower() in by_lower:
        return by_lower[key.lower()]
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    return close[0] if close else None


def _case_note(key, hint):
    return ' keys are case-sensitive' if key.lower() == hint.lower() else ''


def value_kind(value, in_json=True):
    """What kind of value ``value`` is, for an error that must not show it: ``a number``, ``null`` ...

    ``in_json`` names kinds as JSON does (``an object``, ``a string``, ``a decimal number``); else as
    YAML and Ansible options do (``a mapping``, ``a str``, ``a number``). Also ansible-core 2.19's
    tagged strings, which lookups receive from templated variables, are strings.
    """
    if isinstance(value, bool):
        return 'a boolean'
    if value is None:
        return 'null'
    if isinstance(value, (int, _OversizedNumber)):
        return 'a number'
    if isinstance(value, float):
        return 'a decimal number' if in_json else 'a number'
    if isinstance(value, str):
        return 'a string' if in_json else 'a str'
    if isinstance(value, (list, tuple)):
        return 'a list'
    if isinstance(value, dict):
        return 'an object' if in_json else 'a mapping'
    return 'a %s' % type(value).__name__


def _string(item, field, from_options):
    """``(problem or None, value)`` for a string field; the problem never quotes the value."""
    if not isinstance(item, str):
        return 'must be a string in double quotes, not %s' % value_kind(item), None
    if not item.strip():
        return 'is empty', None
    if u"'" in item:
        return 'contains an apostrophe (\'), which NetBackup does not support', None
    try:
        item.encode('utf-8')
    except UnicodeError:
        return 'is not valid UTF-8 text', None
    invisible = invisible_character(item)
    if invisible:
        return ('contains the invisible or control character %s (newline, tab, zero width space, line separator or '
                'similar)' % invisible), None
    if item != item.strip():
        return 'has leading or trailing white space', None
    return None, item


def invisible_character(text):
    """``U+XXXX`` of the first control, format or separator character in ``text`` (categories Cc, Cf, Zl, Zp), else None."""
    if _PRINTABLE_ASCII.match(text):
        return None  # the usual case, without a lookup per character
    for char in text:
        if unicodedata.category(char) in _INVISIBLE_CATEGORIES:
            return 'U+%04X' % ord(char)
    return None


def _priority(item, field, from_options):
    """``(problem or None, value)``: a JSON integer; from module options also a string of digits (no sign, no leading 0).

    Ansible templating turns an integer into a string, hence the one exception; the messages never
    suggest that strings are accepted, since in a file they are not.
    """
    if from_options and isinstance(item, str) and _DIGITS.match(item) and len(item) <= 10:
        item = int(item)
    if isinstance(item, _OversizedNumber):
        return 'must be between 0 and %d' % MAX_PRIORITY, None
    if isinstance(item, bool) or not isinstance(item, int):
        return 'must be a JSON integer, not %s%s' % (value_kind(item), _priority_hint(item)), None
    if item < 0 or item > MAX_PRIORITY:
        return 'must be between 0 and %d' % MAX_PRIORITY, None
    return None, item


# A string that looks like a number is safe to show (a pasted token is not shown): "01", "+2", "1.5".
_NUMBER_LIKE = re.compile(r'^[+-]?[0-9]{1,12}(\.[0-9]{1,6})?$')


def _priority_hint(item):
    """What to write instead, for a priority that is not a JSON integer; shows the value only when it is a number."""
    whole = _whole_number(item)
    if isinstance(item, str):
        if not _NUMBER_LIKE.match(item.strip()):
            return ' (write a whole number such as 1, without quotes)'
        if whole is None:
            return ' (%s is a string; priority is a whole number from 0 to %d, without quotes)' % (json.dumps(item), MAX_PRIORITY)
        return ' (%s is a string; write %d without quotes)' % (json.dumps(item), whole)
    if isinstance(item, bool):
        return ' (write a whole number such as 1 instead of true or false)'
    if isinstance(item, float) and whole is not None:
        return ' (%r; write %d without a decimal point)' % (item, whole)
    if isinstance(item, float) and not math.isnan(item):
        return ' (%r; priority is a whole number such as 1)' % item
    return ' (write a whole number such as 1)'


def _whole_number(item):
    """The integer a number-like string or a float stands for when it is a valid priority, else None."""
    try:
        number = float(item)
    except (TypeError, ValueError):
        return None
    if isinstance(item, bool) or not number.is_integer() or not 0 <= number <= MAX_PRIORITY:
        return None
    return int(number)


def host_problem(host):
    """Why ``host`` (a hostName, or a url's host) is not a usable host name or IP address, else None.

    The one host check: endpoint urls, hostName, provider urls and their redirect targets all use it, so a
    host that http.client or the idna codec would choke on is refused with a sentence first.
    """
    if '%' in host and ':' in host:
        # Python 3.9+ accepts IPv6 zone ids and 3.8 does not: refuse them everywhere, the same way.
        return 'has an IPv6 zone id (%); NetBackup needs an address or a name that works from every interface'
    if not all(ord(char) < 128 for char in host):
        return 'has non-ASCII characters; write an internationalized name in its punycode form (xn--...)'
    if _ip_or_none(host.strip('[]') if host.startswith('[') else host) is not None:
        return None
    labels = host.rstrip('.').split('.')
    if labels and labels[-1].isdigit():
        return 'looks like an IPv4 address but is not a valid one'
    return _dns_name_problem(host)


def _dns_name_problem(host):
    name = host[:-1] if host.endswith('.') else host
    labels = name.split('.')
    if len(name) > 253:
        return 'is longer than the 253 characters a host name may have'
    if '' in labels:
        return 'has an empty label (two dots in a row, or a dot at the start)'
    if any(len(label) > 63 for label in labels):
        return 'has a label longer than the 63 characters a host name allows between two dots'
    if not all(_HOST_LABEL.match(label) for label in labels):
        return 'must be a host name (for example cloud.example.com) or an IP address'
    return None


# Per url scheme: why credentials do not belong in the url.
_CREDENTIALS_HINTS = {
    'wss': 'the token authenticates NetBackup',
    'https': 'use url_username and url_password, which are never logged',
}


def url_problem(url, scheme='wss'):
    """Why ``url`` is not usable, else None; never quotes the url.

    ``scheme`` is ``wss`` for a NetBackup WebSocket url, ``https`` for a provider url or a redirect target:
    the scheme rules differ, the rest (characters, user info, port, host) is the same check.
    """
    problem = _scheme_problem(url, scheme) or _character_problem(url)
    if problem:
        return problem
    if scheme == 'wss' and '#' in url:
        return 'has a #fragment, which a WebSocket url must not have (RFC 6455)'
    problem = _bracket_problem(url)
    if problem:
        return problem
    try:
        parts = urlsplit(url)
    except ValueError:
        return 'is not a valid URL: its host or port cannot be read'
    if parts.username is not None or parts.password is not None:
        return 'must not carry a user name or password; %s' % _CREDENTIALS_HINTS[scheme]
    try:
        port = parts.port
    except ValueError:
        return 'has an invalid port; a port is a number from 1 to 65535'
    if not parts.hostname:
        return 'has no host after %s://' % scheme
    problem = host_problem(parts.hostname)
    if problem:
        return 'host %s' % problem
    if port == 0:
        return 'has port 0'
    return None


def _scheme_problem(url, scheme):
    lowered = url.lower()
    if scheme == 'https':
        if lowered.startswith('http://'):
            return 'uses plain http://, which is refused: endpoint details hold the token, so the URL must be https://'
        return None if lowered.startswith('https://') else 'must be an https:// URL'
    if lowered.startswith('ws://'):
        return 'uses ws://, which NetBackup does not support; the endpoint must be wss://'
    if not url.startswith('wss://'):
        named = lowered.split('://', 1)[0] if '://' in lowered else ''
        return 'must begin with wss://%s' % (' (it begins with %s://)' % named if named in _KNOWN_SCHEMES else '')
    return None


def _character_problem(url):
    """White space, invisible characters and lone surrogates: they cannot be sent, or hide what is sent."""
    for char in url:
        if char.isspace():
            return 'contains white space (U+%04X)' % ord(char)
    invisible = invisible_character(url)
    if invisible:
        return 'contains the invisible or control character %s' % invisible
    try:
        url.encode('utf-8')
    except UnicodeError:
        return 'is not valid UTF-8 text'
    return None


def _bracket_problem(url):
    """Brackets around a url's host hold an IPv6 address and nothing else; checked here, the same on every Python."""
    host = re.split(r'[/?#]', url.split('://', 1)[-1], 1)[0].rpartition('@')[2]
    if not host.startswith('['):
        return None
    inside, closed, dummy = host[1:].partition(']')
    if not closed:
        return 'has an invalid host: a [ without its ]'
    if not isinstance(_ip_or_none(inside.partition('%')[0]), ipaddress.IPv6Address):
        return 'host in brackets [ ] must be an IPv6 address'
    return None


def _ip_or_none(text):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None
