# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""Endpoints as users give them in module options and variables: the entry forms, checked strictly.

An entry is a mapping in one of these forms, each with an optional ``name``:

- inline: the five keys ``token``, ``priority``, ``groupId``, ``hostName``, ``url``;
- ``content``: the raw JSON text of one endpoint (or, when an older ansible-core's templating
  turned that text into a mapping, the mapping);
- ``sealed``: a sealed envelope (``docs/sealed-format.md``), opened with the key ring;
- ``provider``: a mapping with the provider ``url`` and any provider option (``api_token``,
  ``timeout``...), fetched with the module-level options as defaults by the fetch function the
  caller passes (``_provider.fetch_endpoint``): only a module that fetches carries the HTTP code.

The containers holding entries are taken as loose, no_log options (see ``_module``), so the
shape is checked here: an entry that is not a mapping, a key that is not an entry key (named
only when it is a near miss), a token that is not a string. Every problem of every entry is
collected, so one run shows them all. Nothing here ever quotes a value that could be a secret.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import concurrent.futures

from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.common.validation import (
    check_type_bool,
    check_type_dict,
    check_type_float,
    check_type_int,
    check_type_path,
    check_type_str,
)

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import (
    FIELDS,
    EndpointError,
    endpoint_from_dict,
    parse_endpoint,
    unknown_key_problems,
    value_kind,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_file import unseal_endpoint
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import TaskError
from ansible_collections.netbackup.nbwss.plugins.module_utils._provider_options import (
    ProviderError,
    ProviderOptions,
    provider_argument_spec,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import is_sealed

FORMS = ('content', 'sealed', 'provider')
PROVIDER_KEYS = ('url',) + tuple(sorted(provider_argument_spec()))
# Provider fetches of one set run side by side: a slow provider does not hold up the others.
MAX_PARALLEL_FETCHES = 8
_TYPE_CHECKS = {'str': check_type_str, 'bool': check_type_bool, 'int': check_type_int, 'float': check_type_float,
                'path': check_type_path, 'dict': check_type_dict}


def endpoint_from_content(content, source):
    """The Endpoint in ``content``: JSON text, or the mapping templating made of it; raise EndpointError."""
    if isinstance(content, dict):
        # ansible-core before 2.19 turns a templated JSON object into a mapping: check it as the JSON it was.
        return endpoint_from_dict(content, source=source)
    if isinstance(content, (str, bytes)):
        if is_sealed(content.encode('utf-8') if isinstance(content, str) else content):
            raise EndpointError('is a sealed envelope; give it as sealed, not as content', source=source)
        return parse_endpoint(content, source=source)
    raise EndpointError('must be the JSON text of one endpoint, not %s' % value_kind(content, in_json=False), source=source)


def endpoint_from_sealed(sealed, keyring, source):
    """The Endpoint in a sealed envelope given as text; raise TaskError or EndpointError."""
    if not isinstance(sealed, (str, bytes)):
        raise EndpointError('must be the text of a sealed envelope, not %s' % value_kind(sealed, in_json=False), source=source)
    data = sealed.encode('utf-8') if isinstance(sealed, str) else sealed
    if not is_sealed(data):
        raise EndpointError('is not a sealed envelope (it does not start with NBWSS-SEALED/); give plain JSON as '
                            'content', source=source)
    return unseal_endpoint(data.strip() + b'\n', keyring, source)[0]


def typed_provider_options(mapping, label):
    """``(values, problems)``: the provider options set in ``mapping``, converted as the argument spec converts them.

    Options that are None are left out (they inherit). Each problem is ``(label % option, problem)``;
    the value is never shown, since api_token and url_password are secrets.
    """
    values, problems = {}, []
    spec = provider_argument_spec(with_defaults=False)
    for name, value in mapping.items():
        if name in spec and value is not None:
            try:
                values[name] = _TYPE_CHECKS[spec[name]['type']](value)
            except (TypeError, ValueError):
                problems.append((label % name, 'must be of type %s' % spec[name]['type']))
    return values, problems


def provider_defaults(params, source=None, label=None):
    """The module-level ProviderOptions that endpoint_set builds from its provider options.

    ``params`` maps option names to values (None or absent: unset, the built-in default). Values
    are converted as the module's argument spec converts them, then ``ProviderOptions.from_params``
    applies the same rules as the module; provider entries inherit the result (``EntryReader``).
    ``label`` names an option in problems (``'nbwss_provider_%s'`` for the rollout role's
    variables; default: the option name). Raises EndpointError listing every problem, without values.
    """
    values, problems = typed_provider_options(params, label or '%s')
    if not problems:
        try:
            return ProviderOptions.from_params(values)
        except ProviderError as err:
            problems.append((label % '*' if label else None, str(err)))
    raise EndpointError(source=source, problems=problems)


class ProviderEntry(object):
    """A checked ``provider`` mapping: the url, the options with the module's as defaults, the entry's source."""

    def __init__(self, mapping, defaults, source):
        if not isinstance(mapping, dict):
            raise EndpointError('must be a mapping with url and provider options, not %s' % value_kind(mapping, in_json=False),
                                field='provider', source=source)
        problems = [('provider.%s' % key if key else 'provider', problem)
                    for key, problem in unknown_key_problems(mapping, PROVIDER_KEYS, 'a provider option')]
        url = mapping.get('url')
        if not isinstance(url, str) or not url:
            problems.append(('provider.url', 'is required, the https:// url of the endpoint details'))
        values, type_problems = typed_provider_options(mapping, 'provider.%s')
        problems.extend(type_problems)
        if not problems:
            try:
                self.options = ProviderOptions.from_params(values, inherit=defaults)
            except ProviderError as err:
                problems.append(('provider', str(err)))
        if problems:
            raise EndpointError(source=source, problems=problems)
        self.url = url
        self.source = source

    def fetch(self, fetch_endpoint):
        """The Endpoint that ``fetch_endpoint`` (``_provider``'s) gets at the url (source: the entry); raise
        TaskError with the provider's one sentence."""
        try:
            return fetch_endpoint(self.url, self.options, source=self.source).endpoint
        except ProviderError as err:
            raise TaskError(str(err))


class EntryReader(object):
    """Reads entries into Endpoints.

    ``keyring`` opens ``sealed`` entries (None: they are refused). ``provider_defaults`` are the
    module-level ProviderOptions; ``fetch`` is ``_provider.fetch_endpoint`` (or a stand-in), and without
    it provider entries are only checked and ``entries`` returns None for their endpoint (validation
    without network, on the controller; the probe, which refuses them). After ``entries``,
    ``unverified`` names the provider entries whose validate_certs is false.
    """

    def __init__(self, keyring=None, provider_defaults=None, fetch=None):
        self.keyring = keyring
        self.provider_defaults = provider_defaults
        self.fetch = fetch
        self.unverified = []

    def endpoint(self, entry, source, forms=FORMS, allow_name=True):
        """The Endpoint of one entry; raise EndpointError listing every problem, or TaskError (sealed)."""
        if not isinstance(entry, dict):
            raise EndpointError('must be a mapping with either the keys %s or one of %s, not %s'
                                % (', '.join(FIELDS), ', '.join(forms), value_kind(entry, in_json=False)), source=source)
        known = FIELDS + tuple(forms) + (('name',) if allow_name else ())
        problems = unknown_key_problems(entry, known, 'an entry key')
        name = entry.get('name')
        if name is not None and not isinstance(name, str):
            problems.append(('name', 'must be a string, not %s' % value_kind(name, in_json=False)))
        given = [form for form in forms if entry.get(form) is not None]
        inline = [key for key in FIELDS if key in entry]
        if len(given) > 1 or (given and inline):
            problems.append((None, 'give either the keys %s or one of %s, not several (found %s)'
                             % (', '.join(FIELDS), ', '.join(forms), ', '.join(given + inline))))
        if not given and len(given) <= 1:
            try:
                found = endpoint_from_dict(dict((k, entry[k]) for k in inline), source=source, from_options=True)
            except EndpointError as err:
                problems.extend(err.problems)
        if problems:
            raise EndpointError(source=source, problems=problems)
        if not given:
            return found
        if given[0] == 'content':
            return endpoint_from_content(entry['content'], source)
        if given[0] == 'provider':
            return ProviderEntry(entry['provider'], self.provider_defaults, source)
        if self.keyring is None:
            raise EndpointError('sealed entries are not accepted here', source=source)
        return endpoint_from_sealed(entry['sealed'], self.keyring, source)

    def entries(self, value, option):
        """``[(index, name or None, Endpoint)]`` for a list option; raise TaskError listing every problem of every entry.

        Every entry is checked before any provider is fetched; the fetches then run side by side.
        """
        if not isinstance(value, list):
            raise TaskError('%s must be a list of entries, not %s.' % (option, value_kind(value, in_json=False)))
        read = []
        lines = []
        for index, entry in enumerate(value):
            source = '%s[%d]' % (option, index)
            try:
                found = self.endpoint(entry, source)
                read.append((index, entry.get('name'), found))
            except EndpointError as err:
                lines.extend(err.lines())
            except TaskError as err:
                lines.append(to_native(err))
        if lines:
            raise TaskError('; '.join(lines))
        providers = [(position, item[2]) for position, item in enumerate(read) if isinstance(item[2], ProviderEntry)]
        self.unverified = [entry.source for dummy, entry in providers if not entry.options.validate_certs]
        if self.fetch is None:
            return [(index, name, None if isinstance(found, ProviderEntry) else found) for index, name, found in read]
        for position, endpoint in zip([position for position, dummy in providers], self._fetch_all(providers)):
            read[position] = (read[position][0], read[position][1], endpoint)
        return read

    def _fetch_all(self, providers):
        """Fetch every provider entry, side by side; raise TaskError naming every one that failed."""
        if not providers:
            return []
        workers = min(MAX_PARALLEL_FETCHES, len(providers))
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(entry.fetch, self.fetch) for dummy, entry in providers]
        fetched, failures = [], []
        for future in futures:
            try:
                fetched.append(future.result())
            except TaskError as err:
                failures.append(to_native(err))
        if failures:
            raise TaskError('nothing was written: %s' % '; '.join(failures))
        return fetched
