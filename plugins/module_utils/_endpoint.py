# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""One NBWSS WebSocket endpoint: strict parsing, validation, canonical form, redacted view.

This file is the only place that knows what a valid endpoint is. Every error it raises
names the source and the field, and never contains the token.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import difflib
import hashlib
import ipaddress
import json
import re

from urllib.parse import urlsplit

# NetBackup keys, in the canonical order of the vendor's example file.
FIELDS = ('token', 'priority', 'groupId', 'hostName', 'url')

# Endpoint files are tiny (the vendor's example is under 1 KiB); the cap keeps a wrong path
# (a log, a backup image) from being read whole. Documented in the module docs.
MAX_ENDPOINT_BYTES = 64 * 1024

# NetBackup stores priority as a Java int.
MAX_PRIORITY = 2 ** 31 - 1

_CONTROL_CHARS = re.compile(u'[\x00-\x1f\x7f]')
_HOST_LABEL = re.compile(r'^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$')


class EndpointError(ValueError):
    """A problem with one endpoint; ``str()`` is ``source: field: problem``."""

    def __init__(self, problem, field=None, source=None):
        self.problem = problem
        self.field = field
        self.source = source
        super(EndpointError, self).__init__(self.describe())

    def describe(self):
        parts = [p for p in (self.source, self.field) if p]
        parts.append(self.problem)
        return ': '.join(parts)

    def with_source(self, source):
        """Return a copy that names ``source``, for errors raised before the file was known."""
        return EndpointError(self.problem, field=self.field, source=source)


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
        return {
            'token': self.token,
            'priority': self.priority,
            'groupId': self.group_id,
            'hostName': self.host_name,
            'url': self.url,
        }

    def canonical_json(self):
        """The NetBackup-importable file content: five keys, stable order, UTF-8, trailing newline."""
        values = self.as_dict()
        pairs = ['  %s: %s' % (json.dumps(k), json.dumps(values[k], ensure_ascii=False)) for k in FIELDS]
        return (u'{\n' + u',\n'.join(pairs) + u'\n}\n').encode('utf-8')

    def redacted(self):
        """The non-secret view: safe for results, diffs, logs and errors."""
        return {
            'token': token_fingerprint(self.token),
            'priority': self.priority,
            'groupId': self.group_id,
            'hostName': self.host_name,
            'url': self.url,
        }

    def url_host(self):
        return urlsplit(self.url).hostname

    def warnings(self):
        """Non-fatal findings, as sentences that name the source."""
        found = []
        if _normalise_host(self.host_name) != _normalise_host(self.url_host() or ''):
            found.append(EndpointError(
                'differs from the host of url (%s); NetBackup connects to the url host' % self.url_host(),
                field='hostName', source=self.source).describe())
        return found


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
            raise EndpointError('appears more than once in the same object', field=key)
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
    if u"'" in text:
        # NetBackup refuses an apostrophe anywhere in the file, not only inside values.
        raise EndpointError('contains an apostrophe (\'), which NetBackup does not support anywhere in endpoint details',
                            field=_field_with_apostrophe(text), source=source)
    return endpoint_from_dict(_decode_json(text, source), source=source)


def _decode_json(text, source):
    try:
        return json.loads(text, object_pairs_hook=_reject_duplicate_keys,
                          parse_constant=_reject_constant, parse_int=_bounded_int)
    except EndpointError as exc:
        raise exc.with_source(source)
    except ValueError as exc:
        # json's message gives the position only, never the document text.
        raise EndpointError('is not valid JSON: %s' % getattr(exc, 'msg', 'unreadable'), source=source)
    except RecursionError:
        raise EndpointError('is not valid JSON: nested too deeply', source=source)


def _field_with_apostrophe(text):
    try:
        value = _decode_json(text, None)
    except EndpointError:
        return None
    if isinstance(value, dict):
        return next((k for k in FIELDS if isinstance(value.get(k), str) and u"'" in value[k]), None)
    return None


def endpoint_from_dict(value, source=None):
    """Validate an already-decoded value (a dict of the five keys) and return an ``Endpoint``."""
    if isinstance(value, list):
        raise EndpointError('holds a list of %d item(s); NetBackup reads exactly one endpoint object per file' % len(value),
                            source=source)
    if not isinstance(value, dict):
        raise EndpointError('must be a JSON object with token, priority, groupId, hostName and url, not %s'
                            % _json_type(value), source=source)
    unknown = sorted(k for k in value if k not in FIELDS)
    if unknown:
        key = unknown[0]
        hint = _did_you_mean(key)
        raise EndpointError('is not an endpoint key%s; the keys are %s' % (hint, ', '.join(FIELDS)),
                            field=str(key), source=source)
    missing = [k for k in FIELDS if k not in value]
    if missing:
        raise EndpointError('is missing', field=missing[0], source=source)

    token = _string(value, 'token', source)
    group_id = _string(value, 'groupId', source)
    host_name = _string(value, 'hostName', source)
    url = _string(value, 'url', source)
    priority = _priority(value['priority'], source)
    _check_host_name(host_name, source)
    _check_url(url, source)
    return Endpoint(token, priority, group_id, host_name, url, source=source)


def _json_type(value):
    if isinstance(value, bool):
        return 'a boolean'
    if value is None:
        return 'null'
    if isinstance(value, (int, _OversizedNumber)):
        return 'a number'
    if isinstance(value, float):
        return 'a decimal number'
    if isinstance(value, str):
        return 'a string'
    if isinstance(value, list):
        return 'a list'
    if isinstance(value, dict):
        return 'an object'
    return 'a %s' % type(value).__name__


def _did_you_mean(key):
    if not isinstance(key, str):
        return ''
    by_lower = dict((f.lower(), f) for f in FIELDS)
    if key.lower() in by_lower:
        return ' (did you mean %s? keys are case-sensitive)' % by_lower[key.lower()]
    close = difflib.get_close_matches(key, FIELDS, n=1, cutoff=0.6)
    return ' (did you mean %s?)' % close[0] if close else ''


def _string(value, field, source):
    item = value[field]
    if not isinstance(item, str):
        raise EndpointError('must be a string in double quotes, not %s' % _json_type(item), field=field, source=source)
    if not item.strip():
        raise EndpointError('is empty', field=field, source=source)
    if u"'" in item:
        raise EndpointError('contains an apostrophe (\'), which NetBackup does not support', field=field, source=source)
    try:
        item.encode('utf-8')
    except UnicodeError:
        raise EndpointError('is not valid UTF-8 text', field=field, source=source)
    if _CONTROL_CHARS.search(item):
        raise EndpointError('contains a control character (newline, tab or similar)', field=field, source=source)
    if item != item.strip():
        raise EndpointError('has leading or trailing white space', field=field, source=source)
    return item


def _priority(item, source):
    if isinstance(item, _OversizedNumber):
        raise EndpointError('must be between 0 and %d' % MAX_PRIORITY, field='priority', source=source)
    if isinstance(item, bool) or not isinstance(item, int):
        raise EndpointError('must be a JSON integer without quotes (for example 1), not %s' % _json_type(item),
                            field='priority', source=source)
    if item < 0 or item > MAX_PRIORITY:
        raise EndpointError('must be between 0 and %d' % MAX_PRIORITY, field='priority', source=source)
    return item


def _check_host_name(host_name, source):
    if _is_ip(host_name) or _is_dns_name(host_name):
        return
    raise EndpointError('must be a host name (for example cloud.example.com) or an IP address', field='hostName',
                        source=source)


def _is_ip(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_dns_name(text):
    name = text[:-1] if text.endswith('.') else text
    return 0 < len(name) <= 253 and all(_HOST_LABEL.match(label) for label in name.split('.'))


def _check_url(url, source):
    lowered = url.lower()
    if lowered.startswith('ws://'):
        raise EndpointError('uses ws://, which NetBackup does not support; the endpoint must be wss://', field='url',
                            source=source)
    if not url.startswith('wss://'):
        raise EndpointError('must begin with wss:// (got a url beginning with %r)' % url.split(':', 1)[0][:10],
                            field='url', source=source)
    if any(ch.isspace() for ch in url):
        raise EndpointError('contains white space', field='url', source=source)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise EndpointError('has an invalid host or port', field='url', source=source)
    host = parts.hostname
    if not host:
        raise EndpointError('has no host after wss://', field='url', source=source)
    if parts.username is not None or parts.password is not None:
        raise EndpointError('must not carry user name or password; the token authenticates NetBackup', field='url',
                            source=source)
    if not (_is_ip(host) or _is_dns_name(host)):
        raise EndpointError('has an invalid host name', field='url', source=source)
    if port == 0:
        raise EndpointError('has port 0', field='url', source=source)
