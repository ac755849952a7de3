# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""A directory of endpoint files on the managed host: the collection's file naming, finding the
collection's files and their leftovers, and reading many files (endpoint_info, probe).

Each file is read by ``_endpoint_file.read_state``; endpoint_set's plan is in ``_endpoint_set_plan``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import fnmatch
import os
import re
import stat

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_file import read_state
from ansible_collections.netbackup.nbwss.plugins.module_utils._set_rules import group_table, set_problems, set_warnings
from ansible_collections.netbackup.nbwss.plugins.module_utils._files import is_temp_name
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import TaskError

SUFFIXES = {'plain': '.json', 'sealed': '.sealed'}
# The file names a directory is read for, unless the task says otherwise (option pattern).
DEFAULT_PATTERN = 'nbwss_*'

# endpoint_set names: DIR/nbwss_<name>.json or .sealed. purge touches only names matching FILE_NAME_RE.
NAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$')
FILE_NAME_RE = re.compile(r'^nbwss_([A-Za-z0-9][A-Za-z0-9._-]*)\.(json|sealed)$')
# What _files.backup_name adds to a file name: .PID.YYYY-MM-DD@HH:MM:SS~
BACKUP_SUFFIX_RE = re.compile(r'\.[0-9]+\.[0-9]{4}-[0-9]{2}-[0-9]{2}@[0-9]{2}:[0-9]{2}:[0-9]{2}~$')
_NAME_UNSAFE = re.compile(r'[^A-Za-z0-9.-]')


# --- names ---------------------------------------------------------------------------------------

def default_name(endpoint):
    """``<groupId>_<priority>`` with every character outside [A-Za-z0-9.-] replaced by '_'."""
    return _NAME_UNSAFE.sub('_', '%s_%d' % (endpoint.group_id, endpoint.priority))


def file_name(name, fmt):
    return 'nbwss_%s%s' % (name, SUFFIXES[fmt])


def entry_name(path):
    """The ``<name>`` of a collection file's path (``ALPHA_1`` of ``.../nbwss_ALPHA_1.sealed``), or None."""
    match = FILE_NAME_RE.match(os.path.basename(path))
    return match.group(1) if match else None


def is_collection_file(name):
    """True when a file name follows the collection's naming pattern (the only files purge may remove)."""
    return bool(FILE_NAME_RE.match(name))


def _list(directory):
    try:
        return sorted(os.listdir(directory))
    except OSError as err:
        raise TaskError('Could not list %s: %s.' % (directory, to_native(err.strerror or err)))


def collection_files(directory, exclude=()):
    """Paths in ``directory`` named like the collection's files, not in ``exclude``: regular files and links only."""
    skip = set(exclude)
    found = []
    for name in _list(directory):
        path = os.path.join(directory, name)
        if not is_collection_file(name) or path in skip:
            continue
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
            found.append(path)
    return found


def leftover_warnings(directory):
    """Backups and temp files of endpoint files in ``directory``: they hold tokens, so they are worth a warning."""
    warnings = []
    for name in _list(directory):
        path = os.path.join(directory, name)
        if is_temp_name(name) and name.startswith('.nbwss_'):
            warnings.append('%s: a temporary file of an interrupted write; it holds a token (sealed or plain). The next '
                            'write into this directory removes it once no writer holds it.' % path)
        elif BACKUP_SUFFIX_RE.search(name) and is_collection_file(BACKUP_SUFFIX_RE.sub('', name)):
            warnings.append('%s: a backup of an endpoint file; it holds a token (sealed or plain). Remove it when it is '
                            'no longer needed.' % path)
    return warnings


# --- reading many files (endpoint_info, probe) ---------------------------------------------------

def info_paths(path, pattern):
    """Files to read: ``path`` itself, or the ``*.json`` / ``*.sealed`` files of a directory matching ``pattern``."""
    if not os.path.isdir(path):
        return [path]
    return [os.path.join(path, name) for name in _list(path)
            if fnmatch.fnmatchcase(name, pattern) and name.endswith(('.json', '.sealed'))
            and not os.path.isdir(os.path.join(path, name))]


def describe(state, path, keyring):
    """The row for a readable ``state``: the redacted endpoint plus path, format, key id."""
    row = state.endpoint.redacted()
    row['path'] = path
    row['format'] = state.format
    if state.format == 'sealed':
        row['key_id'] = state.key_id
        # Opened with a previous key (or with no current key given): the next write re-seals it.
        row['rekey_needed'] = state.key_id != keyring.current_id
    return row


# What read_endpoint_files found: ``report`` is the module result part (``endpoints`` rows, ``errors``,
# ``groups``, ``problems``); ``warnings`` are sentences (leftover backups and temp files of a directory
# among them); ``endpoints`` are the Endpoint objects read, each with its path as source.
EndpointFiles = collections.namedtuple('EndpointFiles', ['report', 'warnings', 'endpoints'])


def read_endpoint_files(module, path, pattern, keyring):
    """Read ``path`` (a file, or the matching files of a directory) into ``EndpointFiles``; never fail for a bad file."""
    if not os.path.lexists(path):
        raise TaskError('path %s does not exist.' % path)
    endpoints = []
    rows = []
    errors = []
    for file_path in info_paths(path, pattern):
        state = read_state(module, file_path, keyring, need_crypto=False)
        if state.kind == 'missing':
            errors.append({'path': file_path, 'message': '%s: disappeared while being read.' % file_path})
        elif state.problem:
            errors.append({'path': file_path, 'message': state.problem})
        else:
            endpoints.append(state.endpoint)
            rows.append(describe(state, file_path, keyring))
    warnings = [warning for endpoint in endpoints for warning in endpoint.warnings()]
    warnings.extend(set_warnings(endpoints))
    if os.path.isdir(path):
        warnings.extend(leftover_warnings(path))
    report = {
        'endpoints': rows,
        'errors': errors,
        'groups': group_table(endpoints),
        'problems': [problem.message for problem in set_problems(endpoints)],
    }
    return EndpointFiles(report, warnings, endpoints)
