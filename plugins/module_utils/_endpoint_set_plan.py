# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""endpoint_set's plan: every endpoint file of one directory, all or nothing, or exactly what happened.

``plan()`` reads every entry, checks the set rules, names the files, reads every existing file,
decides every reason and checks everything that could stop a write (directory writable, no
directory at a target, no immutable file, ownership) before the first byte is written. Only then
``apply()`` writes and removes. If a write still fails midway (a full disk, a race), the task
fails with ``changed`` true, naming every file already written or removed. Check mode runs the
same plan, so it fails where the real run would.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import os

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_dir import (
    NAME_RE,
    SUFFIXES,
    collection_files,
    default_name,
    file_name,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_file import (
    EndpointFile,
    read_state,
    require_absolute,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._set_rules import (
    EndpointSetError,
    check_endpoint_set,
    group_table,
    set_warnings,
    unlisted_warnings,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._keys import sealing_key_problem
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import TaskError


class SetEntry(collections.namedtuple('SetEntry', ['index', 'name', 'endpoint', 'path'])):
    """One validated entry of endpoint_set's ``endpoints``."""
    __slots__ = ()


def plan_entries(directory, validated, fmt, option='endpoints'):
    """File names for validated ``(index, name or None, Endpoint or None)``; return [SetEntry].

    Checks explicit names against NAME_RE, default names too (a groupId can make one unusable),
    and that no two entries share a file. An entry whose endpoint is not known yet (None: a
    provider entry that is not fetched, a sealed entry that cannot be opened here) is planned by
    its name, and left out without one, since its default name comes from its endpoint. Raises
    TaskError naming the entries as ``option[index]``.
    """
    planned = []
    by_path = {}
    for index, name, endpoint in validated:
        if name is None and endpoint is None:
            continue
        if name is None:
            name = default_name(endpoint)
            if not NAME_RE.match(name):
                raise TaskError('%s[%d]: name: the default name %s (from groupId and priority) is not a valid file '
                                'name part; set name to match %s' % (option, index, name, NAME_RE.pattern))
        elif not NAME_RE.match(name):
            raise TaskError('%s[%d]: name: must match %s (letters, digits, ".", "_" and "-", at most 100 '
                            'characters, starting with a letter or digit)' % (option, index, NAME_RE.pattern))
        path = os.path.join(directory, file_name(name, fmt))
        by_path.setdefault(path, []).append(index)
        planned.append(SetEntry(index, name, endpoint, path))
    clashes = ['%s (%s)' % (', '.join('%s[%d]' % (option, i) for i in indexes), path)
               for path, indexes in sorted(by_path.items()) if len(indexes) > 1]
    if clashes:
        raise TaskError('two or more entries would write the same file: %s; give them distinct names' % '; '.join(clashes))
    return planned


def twin_path(path, fmt):
    """The same entry's file in the other format (``.json`` beside ``.sealed`` and back)."""
    other = 'plain' if fmt == 'sealed' else 'sealed'
    return path[:-len(SUFFIXES[fmt])] + SUFFIXES[other]


class EndpointSetPlan(object):
    """All endpoint files of one directory, planned completely before anything is written."""

    def __init__(self, module, directory, validated, keyring, fmt='sealed', force=False, mode=None, owner=None,
                 group=None, backup=False, purge=False):
        self.module = module
        self.directory = directory
        self.validated = validated
        self.keyring = keyring
        self.format = fmt
        self.purge = purge
        self.file_options = dict(fmt=fmt, force=force, mode=mode, owner=owner, group=group, backup=backup)
        self.planned = []
        self.files = []
        self.removals = []
        self.warnings = []

    def _target(self, path, endpoint):
        return EndpointFile(self.module, path, self.keyring, **self.file_options).want(endpoint)

    def plan(self):
        """Validate and decide everything; raise TaskError (nothing written) listing what is wrong."""
        require_absolute(self.directory, 'dir')
        exists = os.path.isdir(self.directory)
        if not exists:
            if not self.module.check_mode or os.path.lexists(self.directory):
                raise TaskError('dir %s does not exist or is not a directory.' % self.directory)
            self.warnings.append('dir %s does not exist yet: every entry would be created; a real run fails unless an '
                                 'earlier task creates it.' % self.directory)
        problem = sealing_key_problem(self.format, self.keyring.current is not None or not self.validated)
        if problem:
            raise TaskError(problem)
        try:
            check_endpoint_set([endpoint for dummy, dummy, endpoint in self.validated])
        except EndpointSetError as err:
            raise TaskError(to_native(err))
        self.planned = plan_entries(self.directory, self.validated, self.format)
        self.files = [self._target(entry.path, entry.endpoint) for entry in self.planned]
        listed = [entry.endpoint.with_source(entry.path) for entry in self.planned]
        self.warnings.extend(warning for entry in self.planned for warning in entry.endpoint.warnings())
        self.warnings.extend(set_warnings(listed))
        if exists:
            self._plan_removals(listed)
        for target in self.files + self.removals:
            target.decide()
        problems = [problem for problem in (target.write_problem() for target in self.files + self.removals) if problem]
        if problems:
            raise TaskError('nothing was written: %s' % ' '.join(problems))
        return self

    def _plan_removals(self, listed):
        """Twins always, unlisted collection files with purge; without purge, warnings about the unlisted ones."""
        planned_paths = [entry.path for entry in self.planned]
        twins = [twin_path(path, self.format) for path in planned_paths]
        present_twins = set(collection_files(self.directory)) & set(twins)
        unlisted = collection_files(self.directory, exclude=planned_paths + twins)
        removed = sorted(present_twins) + (unlisted if self.purge else [])
        self.removals = [self._target(path, None) for path in removed]
        if self.purge:
            return
        readable = []
        for path in unlisted:
            self.warnings.append('%s is not in endpoints and stays (purge is false); NetBackup still reads it if it is '
                                 'imported.' % path)
            state = read_state(self.module, path, self.keyring, need_crypto=False)
            if state.endpoint is not None:
                readable.append(state.endpoint.with_source(path))
        self.warnings.extend(unlisted_warnings(listed, readable))

    def diff(self):
        """One redacted before / after per file that changes."""
        return [target.diff() for target in self.files + self.removals if target.will_change]

    def apply(self):
        """Write, then remove. On a failure midway raise TaskError saying exactly what was and was not done."""
        targets = self.files + self.removals
        for position, target in enumerate(targets):
            try:
                target.apply()
            except TaskError as err:
                written = [done.path for done in self.files if done.changed]
                removed = [done.path for done in self.removals if done.changed]
                not_done = [rest.path for rest in targets[position:] if rest.will_change]
                raise TaskError('The endpoint set is incomplete: %s Written: %s. Removed: %s. Not done: %s.'
                                % (to_native(err).rstrip('.') + '.', _listed(written), _listed(removed), _listed(not_done)),
                                changed=bool(written or removed), written=written, removed=removed, not_done=not_done)
        return self

    def result(self):
        """The module result after ``apply()`` (check mode included)."""
        targets = self.files + self.removals
        files = []
        for entry, target in zip(self.planned, self.files):
            row = target.result()
            row = dict((k, row[k]) for k in ('path', 'reason', 'endpoint', 'format', 'key_id', 'backup_file') if k in row)
            row['name'] = entry.name
            files.append(row)
        result = {
            'changed': any(target.result()['changed'] for target in targets),
            'files': files,
            'removed': [target.path for target in self.removals if target.result()['changed']],
            'groups': group_table([entry.endpoint.with_source(entry.path) for entry in self.planned]),
        }
        stale = sorted(set(path for target in targets for path in target.stale_removed))
        if stale:
            result['stale_temp_removed'] = stale
        return result


def _listed(paths):
    return ', '.join(paths) if paths else 'none'
