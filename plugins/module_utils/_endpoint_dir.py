# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""A directory of endpoint files on the managed host: the collection's file naming, endpoint_set's
plan (validate everything, then write and purge) and endpoint_info's read of many files.

Each file is still decided by ``_endpoint_file.EndpointFile``; this file only knows which files.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import fnmatch
import os
import re
import stat

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import (
    EndpointError,
    endpoint_from_dict,
    parse_endpoint,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_file import (
    ENDPOINT_KEYS,
    EndpointFile,
    EndpointFileError,
    protect,
    read_state,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_set import (
    EndpointSetError,
    check_endpoint_set,
    group_table,
    set_problems,
    set_warnings,
)

SUFFIXES = {'plain': '.json', 'sealed': '.sealed'}

# endpoint_set names: DIR/nbwss_<name>.json or .sealed. purge touches only names matching FILE_NAME_RE.
NAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$')
FILE_NAME_RE = re.compile(r'^nbwss_[A-Za-z0-9][A-Za-z0-9._-]*\.(json|sealed)$')
_NAME_UNSAFE = re.compile(r'[^A-Za-z0-9.-]')


# --- names ---------------------------------------------------------------------------------------

def default_name(endpoint):
    """``<groupId>_<priority>`` with every character outside [A-Za-z0-9.-] replaced by '_'."""
    return _NAME_UNSAFE.sub('_', '%s_%d' % (endpoint.group_id, endpoint.priority))


def file_name(name, fmt):
    return 'nbwss_%s%s' % (name, SUFFIXES[fmt])


def is_collection_file(name):
    """True when a file name follows the collection's naming pattern (the only files purge may remove)."""
    return bool(FILE_NAME_RE.match(name))


class SetEntry(collections.namedtuple('SetEntry', ['index', 'name', 'endpoint', 'path'])):
    """One validated entry of endpoint_set's ``endpoints``."""
    __slots__ = ()


def entry_endpoint(module, entry, index):
    """Validate one endpoint_set entry (content OR the five keys); return (name or None, Endpoint)."""
    source = 'endpoints[%d]' % index
    given = [k for k in ENDPOINT_KEYS if entry.get(k) is not None]
    protect(module, entry.get('token'))
    try:
        if entry.get('content') is not None:
            if given:
                raise EndpointFileError('%s: give either content or the keys %s, not both (found %s).'
                                        % (source, ', '.join(ENDPOINT_KEYS), ', '.join(given)))
            endpoint = parse_endpoint(entry['content'], source=source)
        else:
            endpoint = endpoint_from_dict(dict((k, entry[k]) for k in given), source=source)
    except EndpointError as err:
        raise EndpointFileError(to_native(err))
    protect(module, endpoint.token)
    return entry.get('name'), endpoint


def plan_entries(directory, validated, fmt):
    """File names for validated ``(name or None, Endpoint)`` pairs; return [SetEntry].

    Checks explicit names against NAME_RE, default names too (a groupId can make one unusable),
    and that no two entries share a file. Raises EndpointFileError naming the entries.
    """
    planned = []
    by_path = {}
    for index, (name, endpoint) in enumerate(validated):
        if name is None:
            name = default_name(endpoint)
            if not NAME_RE.match(name):
                raise EndpointFileError('endpoints[%d]: name: the default name %s (from groupId and priority) is not a valid '
                                        'file name part; set name to match %s' % (index, name, NAME_RE.pattern))
        elif not NAME_RE.match(name):
            raise EndpointFileError('endpoints[%d]: name: %r must match %s (letters, digits, ".", "_" and "-", at most 100 '
                                    'characters, starting with a letter or digit)' % (index, name, NAME_RE.pattern))
        path = os.path.join(directory, file_name(name, fmt))
        by_path.setdefault(path, []).append(index)
        planned.append(SetEntry(index, name, endpoint, path))
    clashes = ['%s (%s)' % (', '.join('endpoints[%d]' % i for i in indexes), path)
               for path, indexes in sorted(by_path.items()) if len(indexes) > 1]
    if clashes:
        raise EndpointFileError('two or more entries would write the same file: %s; give them distinct names'
                                % '; '.join(clashes))
    return planned


def purge_candidates(directory, keep_paths):
    """Paths in ``directory`` named like the collection's files, not in ``keep_paths``, regular files or links only."""
    try:
        names = sorted(os.listdir(directory))
    except OSError as err:
        raise EndpointFileError('Could not list %s: %s.' % (directory, to_native(err.strerror or err)))
    keep = set(keep_paths)
    found = []
    for name in names:
        path = os.path.join(directory, name)
        if not is_collection_file(name) or path in keep:
            continue
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
            found.append(path)
    return found


# --- endpoint_info ------------------------------------------------------------------------------

def info_paths(path, pattern):
    """Files endpoint_info reads: ``path`` itself, or the ``*.json`` / ``*.sealed`` files of a directory matching ``pattern``."""
    if not os.path.isdir(path):
        return [path]
    try:
        names = sorted(os.listdir(path))
    except OSError as err:
        raise EndpointFileError('Could not list %s: %s.' % (path, to_native(err.strerror or err)))
    return [os.path.join(path, name) for name in names
            if fnmatch.fnmatchcase(name, pattern) and name.endswith(('.json', '.sealed'))
            and not os.path.isdir(os.path.join(path, name))]


def describe(state, path, keyring):
    """endpoint_info's row for a readable ``state``: the redacted endpoint plus path, format, key id."""
    row = state.endpoint.redacted()
    row['path'] = path
    row['format'] = state.format
    if state.format == 'sealed':
        row['key_id'] = state.key_id
        # Opened with a previous key (or with no current key given): the next write re-seals it.
        row['rekey_needed'] = state.key_id != keyring.current_id
    return row


class EndpointDirectory(object):
    """endpoint_set: all endpoint files of one directory, planned completely before anything is written.

    ``plan()`` validates every entry, the file names and the set rules, reads every existing file
    and decides every reason (failing for an unusable file without force); only then ``apply()``
    writes and purges. Check mode runs the same plan.
    """

    def __init__(self, module, directory, entries, keyring, fmt='sealed', force=False, mode=None, owner=None,
                 group=None, backup=False, purge=False):
        self.module = module
        self.directory = directory
        self.entries = entries
        self.keyring = keyring
        self.format = fmt
        self.purge = purge
        self.file_options = dict(fmt=fmt, force=force, mode=mode, owner=owner, group=group, backup=backup)
        self.planned = []
        self.files = []
        self.removals = []
        self.warnings = []

    def plan(self):
        """Validate and decide everything; raise EndpointFileError (nothing written) on the first problem."""
        if not os.path.isdir(self.directory):
            raise EndpointFileError('dir %s does not exist or is not a directory.' % self.directory)
        if self.format == 'sealed' and self.keyring.current is None and self.entries:
            raise EndpointFileError('format sealed needs a key to seal with; give key or key_file.')
        validated = [entry_endpoint(self.module, entry, index) for index, entry in enumerate(self.entries)]
        try:
            check_endpoint_set([endpoint for dummy, endpoint in validated])
        except EndpointSetError as err:
            raise EndpointFileError(to_native(err))
        self.planned = plan_entries(self.directory, validated, self.format)
        self.warnings = [warning for entry in self.planned for warning in entry.endpoint.warnings()]
        self.warnings.extend(set_warnings([entry.endpoint.with_source(entry.path) for entry in self.planned]))
        self.files = [EndpointFile(self.module, entry.path, self.keyring, **self.file_options).want(entry.endpoint)
                      for entry in self.planned]
        if self.purge:
            self.removals = [EndpointFile(self.module, path, self.keyring, **self.file_options).want(None)
                             for path in purge_candidates(self.directory, [entry.path for entry in self.planned])]
        for target in self.files + self.removals:
            target.reason()
        return self

    def diff(self):
        """One redacted before / after per file that changes."""
        return [target.diff() for target in self.files + self.removals if target.will_change]

    def apply(self):
        for target in self.files + self.removals:
            target.apply()
        return self

    def result(self):
        files = []
        for entry, target in zip(self.planned, self.files):
            row = target.result()
            files.append(dict((k, row[k]) for k in ('path', 'reason', 'endpoint', 'format', 'key_id', 'backup_file')
                              if k in row))
            files[-1]['name'] = entry.name
        removed = [target.path for target in self.removals if target.reason() == 'removed']
        changed = any(target.result()['changed'] for target in self.files + self.removals)
        groups = group_table([entry.endpoint.with_source(entry.path) for entry in self.planned])
        return {'changed': changed, 'files': files, 'removed': removed, 'groups': groups}


def read_endpoint_files(module, path, pattern, keyring):
    """endpoint_info: read ``path`` (a file, or the matching files of a directory); never fail for a bad file.

    Returns (result dict, warnings): endpoints, errors, groups, problems; warnings as sentences.
    """
    if not os.path.lexists(path):
        raise EndpointFileError('path %s does not exist.' % path)
    endpoints = []
    rows = []
    errors = []
    for file_path in info_paths(path, pattern):
        state = read_state(module, file_path, keyring, crypto_required=False)
        if state.kind == 'missing':
            errors.append({'path': file_path, 'message': '%s: disappeared while being read.' % file_path})
        elif state.problem:
            errors.append({'path': file_path, 'message': state.problem})
        else:
            endpoints.append(state.endpoint)
            rows.append(describe(state, file_path, keyring))
    warnings = [warning for endpoint in endpoints for warning in endpoint.warnings()]
    warnings.extend(set_warnings(endpoints))
    result = {
        'endpoints': rows,
        'errors': errors,
        'groups': group_table(endpoints),
        'problems': [problem.message for problem in set_problems(endpoints)],
    }
    return result, warnings
