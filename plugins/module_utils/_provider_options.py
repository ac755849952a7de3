# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""The provider options and their errors: what a provider fetch is asked to do, checked before any request.

Kept apart from the fetching (``_provider``), which needs urllib and ``ansible.module_utils.urls``: a
module that only checks provider entries (the probe refusing them, the lookups validating them)
neither carries nor imports those (about 50 ms of every module run). The options are in the
netbackup.nbwss.provider doc fragment; keep the two in step.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import re

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import MAX_ENDPOINT_BYTES

# Both caps keep one task from sleeping for minutes on a provider's say-so or a large retries.
MAX_WAIT = 60.0
MAX_RETRIES = 10
_HEADER_NAME = re.compile(r'^[!#$%&\'*+.^_`|~0-9A-Za-z-]+$')
_CONTROL = re.compile(u'[\x00-\x08\x0a-\x1f\x7f]')
_SECRET_HEADERS = {
    'authorization': 'give a bearer token as api_token, or basic credentials as url_username and url_password; '
                     'those are never logged',
    'proxy-authorization': 'give proxy credentials in the https_proxy environment variable',
}

# name: (argument spec entry, built-in default). The doc fragment documents exactly these.
_OPTIONS = collections.OrderedDict([
    ('api_token', (dict(type='str', no_log=True), None)),
    ('url_username', (dict(type='str'), None)),
    ('url_password', (dict(type='str', no_log=True), None)),
    ('headers', (dict(type='dict'), None)),
    ('validate_certs', (dict(type='bool'), True)),
    ('ca_path', (dict(type='path'), None)),
    ('client_cert', (dict(type='path'), None)),
    ('client_key', (dict(type='path', no_log=False), None)),
    ('use_proxy', (dict(type='bool'), True)),
    ('timeout', (dict(type='float'), 10.0)),
    ('retries', (dict(type='int'), 3)),
    ('retry_delay', (dict(type='float'), 1.0)),
    ('max_bytes', (dict(type='int'), MAX_ENDPOINT_BYTES)),
])


def provider_argument_spec(with_defaults=True):
    """The provider options (``url`` stays with the caller): the netbackup.nbwss.provider doc fragment.

    ``with_defaults=False`` gives the same options without defaults, for per-entry suboptions whose
    unset values ``ProviderOptions.from_params(entry, inherit=...)`` takes from the module level.
    """
    spec = {}
    for name, (entry, default) in _OPTIONS.items():
        spec[name] = dict(entry)
        if with_defaults and default is not None:
            spec[name]['default'] = default
    return spec


class ProviderError(Exception):
    """Fetching endpoint details failed. ``str()`` is one sentence without secrets or body bytes.

    ``reason`` is a stable code: ``options``, ``local_files``, ``url``, ``redirect``, ``http_status``,
    ``timeout``, ``connection``, ``tls_verify``, ``protocol``, ``too_large`` or ``invalid_endpoint``.
    ``url`` is the redacted URL (None for option errors), ``status`` the last HTTP status or None,
    ``field`` the endpoint field at fault or None, ``attempts`` how many requests were tried (0 when
    none was sent). ``retryable`` and ``retry_after`` steer the retry loop.
    """

    def __init__(self, message, reason, url=None, status=None, field=None, retryable=False, retry_after=None):
        super(ProviderError, self).__init__(message)
        self.message = message
        self.reason = reason
        self.url = url
        self.status = status
        self.field = field
        self.retryable = retryable
        self.retry_after = retry_after
        self.attempts = 0

    def __str__(self):
        if self.attempts > 1:
            return '%s (after %d attempts)' % (self.message, self.attempts)
        return self.message


def _has_space_or_control(text):
    return any(ch.isspace() for ch in text) or _CONTROL.search(text) is not None


def check_headers(headers):
    """Return ``headers`` as a dict of strings; raise ProviderError for a secret or malformed header.

    Authorization values belong in the no_log options, so that ``headers`` stays safe to log.
    """
    checked = {}
    for name, value in (headers or {}).items():
        name = str(name)
        hint = _SECRET_HEADERS.get(name.lower())
        if hint:
            raise ProviderError('headers must not set %s: %s' % (name, hint), 'options')
        if not _HEADER_NAME.match(name):
            raise ProviderError('headers: %r is not a valid HTTP header name' % name, 'options')
        value = '' if value is None else str(value)
        if _CONTROL.search(value):
            raise ProviderError('headers: the value of %s contains a line break or control character' % name, 'options')
        checked[name] = value
    return checked


class ProviderOptions(object):
    """Validated provider options. ``repr()`` hides api_token and url_password."""

    __slots__ = tuple(_OPTIONS)

    def __init__(self, **values):
        unknown = sorted(set(values) - set(_OPTIONS))
        if unknown:
            raise TypeError('unknown provider options: %s' % ', '.join(unknown))
        for name, (dummy, default) in _OPTIONS.items():
            value = values.get(name)
            setattr(self, name, default if value is None else value)
        self.headers = check_headers(self.headers)
        self._validate()

    @classmethod
    def from_params(cls, params, inherit=None):
        """Options from module parameters; a value that is None comes from ``inherit`` (module-level
        ProviderOptions for one entry), then from the built-in default."""
        values = {}
        for name in _OPTIONS:
            value = params.get(name)
            if value is None and inherit is not None:
                value = getattr(inherit, name)
            values[name] = value
        return cls(**values)

    def _validate(self):
        if self.api_token is not None and self.url_username is not None:
            raise ProviderError('api_token and url_username are mutually exclusive: give one way to authenticate',
                                'options')
        if self.url_password is not None and self.url_username is None:
            raise ProviderError('url_password needs url_username', 'options')
        if self.url_username is not None and (':' in self.url_username or _CONTROL.search(self.url_username)):
            raise ProviderError('url_username must not contain a colon or a control character', 'options')
        if self.api_token is not None and (not self.api_token or _has_space_or_control(self.api_token)):
            raise ProviderError('api_token must be a non-empty token without white space or control characters',
                                'options')
        if self.client_key is not None and self.client_cert is None:
            raise ProviderError('client_key needs client_cert', 'options')
        if not self.timeout > 0:
            raise ProviderError('timeout must be more than 0 seconds', 'options')
        if not 0 <= self.retries <= MAX_RETRIES:
            raise ProviderError('retries must be between 0 and %d' % MAX_RETRIES, 'options')
        if not 0 <= self.retry_delay <= MAX_WAIT:
            raise ProviderError('retry_delay must be between 0 and %g seconds' % MAX_WAIT, 'options')
        if not 1 <= self.max_bytes <= MAX_ENDPOINT_BYTES:
            raise ProviderError('max_bytes must be between 1 and %d (the endpoint size cap)' % MAX_ENDPOINT_BYTES,
                                'options')

    def __repr__(self):
        shown = []
        for name in _OPTIONS:
            value = getattr(self, name)
            if _OPTIONS[name][0].get('no_log') and value is not None:
                value = '********'
            shown.append('%s=%r' % (name, value))
        return 'ProviderOptions(%s)' % ', '.join(shown)
