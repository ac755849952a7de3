# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""One endpoint file on the managed host: what is there, what is wanted, how to get there.

``EndpointFile`` reads what is at a path (missing, plain or sealed), opens a sealed file with
``[key, *previous_keys]``, compares the endpoint's meaning and the file format with what is
wanted, decides the reason (created, updated, rekeyed, unchanged, removed, absent), writes or
removes through ``_files`` and builds the redacted diff. The endpoint, endpoint_set and
endpoint_info modules all go through it, so "does this file need to change?" has one answer.

The collection's file naming (``nbwss_<name>.json`` / ``nbwss_<name>.sealed``) lives here too.

Every token seen (wanted, read from a file or a src) and every key text is added to
``module.no_log_values``; errors, diffs and results only ever hold token fingerprints and key ids.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import collections
import fnmatch
import grp
import os
import pwd
import re
import stat

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import (
    Endpoint,
    EndpointError,
    endpoint_from_dict,
    parse_endpoint,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_set import (
    EndpointSetError,
    check_endpoint_set,
    group_table,
    set_problems,
    set_warnings,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._files import (
    FilesError,
    attributes_differ,
    read_file,
    remove_file,
    resolve_mode,
    write_file,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import (
    MAX_SEALED_SIZE,
    KeyFormatError,
    SealedError,
    TamperedError,
    UnsupportedFormatError,
    WrongKeyError,
    envelope_key_id,
    is_sealed,
    key_id,
    parse_key,
    read_key_file,
    require_cryptography,
    seal,
    unseal,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._cryptography import cryptography_problem

FORMATS = ('sealed', 'plain')
REASONS = ('created', 'updated', 'rekeyed', 'unchanged', 'removed', 'absent')
SUFFIXES = {'plain': '.json', 'sealed': '.sealed'}

# endpoint_set names: DIR/nbwss_<name>.json or .sealed. purge touches only names matching FILE_NAME_RE.
NAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$')
FILE_NAME_RE = re.compile(r'^nbwss_[A-Za-z0-9][A-Za-z0-9._-]*\.(json|sealed)$')
_NAME_UNSAFE = re.compile(r'[^A-Za-z0-9.-]')

ENDPOINT_KEYS = ('token', 'priority', 'groupId', 'hostName', 'url')

_FORCE_HINT = 'the file was left untouched; use force: true to replace it'


class EndpointFileError(Exception):
    """A task-level problem with one endpoint file or the options; ``str()`` is one sentence, never a secret."""


def protect(module, *secrets):
    """Add secrets to ``module.no_log_values`` so Ansible masks them in anything returned."""
    for secret in secrets:
        if secret:
            module.no_log_values.add(to_native(secret))


# --- keys ---------------------------------------------------------------------------------------

class KeyRing(object):
    """The current key (may be None) and the previous keys, as 32-byte keys."""

    def __init__(self, current=None, previous=()):
        self.current = current
        self.previous = list(previous)

    @classmethod
    def from_params(cls, module, key=None, key_file=None, previous_keys=None):
        """Decode ``key`` / ``key_file`` / ``previous_keys``; raise EndpointFileError for a bad one.

        Every key text is registered as a no_log value, also the forms a key file may hold it in.
        """
        protect(module, key, *(previous_keys or []))
        try:
            current = None
            if key is not None:
                current = parse_key(key, source='key')
            elif key_file is not None:
                current = read_key_file(key_file)
            previous = [parse_key(text, source='previous_keys[%d]' % index)
                        for index, text in enumerate(previous_keys or [])]
        except KeyFormatError as err:
            raise EndpointFileError(to_native(err))
        for raw in [current] + previous:
            if raw is not None:
                standard = base64.b64encode(raw).decode('ascii')
                urlsafe = base64.urlsafe_b64encode(raw).decode('ascii')
                protect(module, standard, standard.rstrip('='), urlsafe, urlsafe.rstrip('='))
        return cls(current, previous)

    def all(self):
        """``[current, *previous]`` without a missing current key: the order ``unseal`` tries them in."""
        return ([self.current] if self.current is not None else []) + self.previous

    @property
    def current_id(self):
        return None if self.current is None else key_id(self.current)


# --- what is on disk ----------------------------------------------------------------------------

class State(collections.namedtuple('State', ['kind', 'endpoint', 'key_id', 'rekey_needed', 'problem', 'data'])):
    """What is at a path.

    ``kind``: ``missing``, ``plain``, ``sealed`` or ``unreadable`` (not a regular file, too large).
    ``endpoint``: the Endpoint when it could be read, else None. ``key_id``: of a sealed file (from
    its header, also when it cannot be opened). ``problem``: why the file cannot be used (one
    sentence naming the path, no secret), else None. ``data``: the raw bytes.
    """
    __slots__ = ()

    @property
    def format(self):
        return self.kind if self.kind in FORMATS else None

    @property
    def usable(self):
        return self.kind in FORMATS and self.problem is None


def _sealed_problem(path, err):
    if isinstance(err, WrongKeyError):
        return '%s: %s; give the key that sealed it as key or in previous_keys' % (path, err)
    return '%s: %s' % (path, err)


def read_state(module, path, keyring, crypto_required=True):
    """Read and classify the file at ``path`` (see ``State``). Never fails for a bad file.

    A sealed file is opened with ``keyring.all()``; that needs cryptography: with
    ``crypto_required`` a missing library fails the task, otherwise it becomes the problem.
    Tokens read are added to ``module.no_log_values``.
    """
    try:
        data = read_file(path, MAX_SEALED_SIZE)
    except FilesError as err:
        return State('unreadable', None, None, None, to_native(err), None)
    if data is None:
        return State('missing', None, None, None, None, None)
    if not is_sealed(data):
        try:
            endpoint = parse_endpoint(data, source=path)
        except EndpointError as err:
            return State('plain', None, None, None, to_native(err), data)
        protect(module, endpoint.token)
        return State('plain', endpoint, None, None, None, data)
    try:
        kid = envelope_key_id(data)
    except SealedError as err:
        return State('sealed', None, None, None, _sealed_problem(path, err), data)
    keys = keyring.all()
    if not keys:
        return State('sealed', None, kid, None,
                     '%s: the file is sealed (key id %s) and no key was given to open it; give key or key_file' % (path, kid),
                     data)
    if crypto_required:
        require_cryptography(module)
    elif cryptography_problem() is not None:
        return State('sealed', None, kid, None, '%s: %s' % (path, cryptography_problem()), data)
    try:
        opened = unseal(data, keys)
    except (WrongKeyError, TamperedError, UnsupportedFormatError, SealedError) as err:
        return State('sealed', None, kid, None, _sealed_problem(path, err), data)
    try:
        endpoint = parse_endpoint(opened.plaintext, source=path)
    except EndpointError as err:
        return State('sealed', None, kid, opened.rekey_needed,
                     '%s (in the sealed content)' % to_native(err), data)
    protect(module, endpoint.token)
    return State('sealed', endpoint, kid, opened.rekey_needed, None, data)


def read_src(module, path, keyring):
    """The endpoint held by an existing file ``path`` (plain or sealed); raise EndpointFileError if unusable."""
    state = read_state(module, path, keyring)
    if state.kind == 'missing':
        raise EndpointFileError('src %s does not exist.' % path)
    if state.kind == 'unreadable':
        raise EndpointFileError(state.problem)
    if state.problem:
        raise EndpointFileError('src %s' % state.problem)
    return state.endpoint


def _owner_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group_name(gid):
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


# --- one file -----------------------------------------------------------------------------------

class EndpointFile(object):
    """One endpoint file and the decision about it.

    Call ``want(endpoint)`` (None for absent), then ``reason()`` to decide without touching
    anything (check mode and apply decide identically), ``apply()`` to make it so (check-mode
    aware through ``_files``), ``diff()`` for the redacted before / after and ``result()``.
    """

    def __init__(self, module, path, keyring, fmt='sealed', force=False, mode=None, owner=None, group=None,
                 backup=False):
        if fmt not in FORMATS:
            raise ValueError('format must be one of %s' % ', '.join(FORMATS))
        self.module = module
        self.path = path
        self.keyring = keyring
        self.format = fmt
        self.force = force
        self.mode = mode
        self.owner = owner
        self.group = group
        self.backup = backup
        self.wanted = None
        self.changed = None
        self.backup_file = None
        self._present = False
        self._state = None
        self._reason = None
        self._rewrite = False

    # -- inputs --

    def want(self, endpoint):
        """Ask for ``endpoint`` in this file (None: the file must not exist)."""
        if endpoint is not None:
            protect(self.module, endpoint.token)
            if self.format == 'sealed' and self.keyring.current is None:
                raise EndpointFileError('%s: format sealed needs a key to seal with; give key or key_file.' % self.path)
        self.wanted = endpoint
        self._present = endpoint is not None
        self._reason = None
        return self

    def current(self):
        """The ``State`` at the path, read once."""
        if self._state is None:
            self._state = read_state(self.module, self.path, self.keyring, crypto_required=self._present)
        return self._state

    # -- decisions --

    def reason(self):
        """created, updated, rekeyed, unchanged, removed or absent; raise EndpointFileError for an unusable file."""
        if self._reason is None:
            self._reason, self._rewrite = self._decide()
        return self._reason

    def _decide(self):
        state = self.current()
        if not self._present:
            return ('absent' if state.kind == 'missing' else 'removed'), False
        if state.kind == 'missing':
            directory = os.path.dirname(self.path) or os.curdir
            if not os.path.isdir(directory):
                # Checked here so check mode fails like the real run would (_files never creates directories).
                raise EndpointFileError('%s: the directory %s does not exist; create it first.' % (self.path, directory))
            return 'created', True
        if not state.usable:
            if not self.force:
                # Never overwritten silently. With force, _files still refuses symlinks and directories.
                raise EndpointFileError(self.unusable_message())
            return 'updated', True
        if state.endpoint != self.wanted or state.format != self.format:
            return 'updated', True
        if self.format == 'sealed' and state.key_id != self.keyring.current_id:
            return 'rekeyed', True
        try:
            if attributes_differ(self.path, self.mode, self.owner, self.group):
                return 'updated', False
        except FilesError as err:
            raise EndpointFileError(to_native(err))
        return 'unchanged', False

    def unusable_message(self):
        """The one-sentence failure for an existing file that cannot be read (no secret in it)."""
        state = self.current()
        if state.kind == 'unreadable':
            # Not a regular file, unreadable or too large: force would not help for most of these.
            return state.problem
        return '%s; %s.' % (state.problem.rstrip('.'), _FORCE_HINT)

    def needs_write(self):
        """True when the file's bytes change (as opposed to nothing or its attributes only)."""
        self.reason()
        return self._rewrite

    @property
    def will_change(self):
        return self.reason() not in ('unchanged', 'absent')

    def _data(self):
        if not self.needs_write():
            # Same meaning, format and key: keep the bytes (never re-seal for nothing), fix attributes only.
            return self.current().data
        plaintext = self.wanted.canonical_json()
        if self.format == 'plain':
            return plaintext
        require_cryptography(self.module)
        try:
            return seal(plaintext, self.keyring.current)
        except SealedError as err:
            raise EndpointFileError('%s: %s' % (self.path, err))

    # -- action --

    def apply(self):
        """Write or remove the file as decided (nothing in check mode); return ``self``."""
        reason = self.reason()
        try:
            if self._present:
                outcome = write_file(self.module, self.path, self._data(), mode=self.mode, owner=self.owner,
                                     group=self.group, backup=self.backup)
            else:
                outcome = remove_file(self.module, self.path, backup=self.backup)
        except FilesError as err:
            raise EndpointFileError(to_native(err))
        self.changed = outcome.changed
        self.backup_file = outcome.backup_file
        if not self.changed and reason not in ('unchanged', 'absent'):
            # The file changed under us between deciding and writing; report what happened.
            self._reason = 'unchanged' if self._present else 'absent'
        return self

    # -- reporting --

    def key_id(self):
        return self.keyring.current_id if self._present and self.format == 'sealed' else None

    def _attributes_view(self, st):
        view = {'mode': '%04o' % stat.S_IMODE(st.st_mode)}
        if self.owner is not None:
            view['owner'] = _owner_name(st.st_uid)
        if self.group is not None:
            view['group'] = _group_name(st.st_gid)
        return view

    def _before(self):
        state = self.current()
        if state.kind == 'missing':
            return {'state': 'absent'}
        view = {'state': 'present'}
        if state.format:
            view['format'] = state.format
        if state.key_id:
            view['key_id'] = state.key_id
        if state.endpoint is not None:
            view.update(state.endpoint.redacted())
        if state.problem:
            view['problem'] = state.problem
        try:
            view.update(self._attributes_view(os.lstat(self.path)))
        except OSError:
            pass
        return view

    def _after(self):
        if not self._present:
            return {'state': 'absent'}
        view = {'state': 'present', 'format': self.format}
        if self.format == 'sealed':
            view['key_id'] = self.keyring.current_id
        view.update(self.wanted.redacted())
        before = self.current().endpoint
        if before is not None:
            view['token_change'] = 'unchanged' if before.token == self.wanted.token else 'changed'
        try:
            current_mode = stat.S_IMODE(os.lstat(self.path).st_mode)
        except OSError:
            current_mode = None
        try:
            mode = resolve_mode(self.mode, current_mode, self.path)
        except FilesError:
            mode = None  # the write fails with the same error
        if mode is not None:
            view['mode'] = '%04o' % mode
        if self.owner is not None:
            view['owner'] = self.owner
        if self.group is not None:
            view['group'] = self.group
        return view

    def diff(self):
        """Redacted before / after (fingerprints and key ids only), for ``--diff``."""
        self.reason()
        before = self._before()
        after = self._after() if self.reason() not in ('unchanged', 'absent') else dict(before)
        return {'before': before, 'after': after, 'before_header': self.path, 'after_header': self.path}

    def result(self):
        """The module result for this file (without ``diff``)."""
        result = {'changed': bool(self.changed) if self.changed is not None else self.will_change,
                  'reason': self.reason(), 'path': self.path, 'format': self.format}
        if self._present:
            result['endpoint'] = self.wanted.redacted()
        if self.key_id():
            result['key_id'] = self.key_id()
        if self.backup_file:
            result['backup_file'] = self.backup_file
        return result


# --- wanted endpoints from module options --------------------------------------------------------

def endpoint_from_options(module, content=None, endpoint=None, src=None, keyring=None):
    """The wanted Endpoint from exactly one of ``content`` / ``endpoint`` / ``src``; raise EndpointFileError."""
    try:
        if content is not None:
            found = parse_endpoint(content, source='content')
        elif endpoint is not None:
            found = endpoint_from_dict(dict((k, endpoint.get(k)) for k in ENDPOINT_KEYS if endpoint.get(k) is not None),
                                       source='endpoint')
        elif src is not None:
            found = read_src(module, src, keyring or KeyRing())
        else:
            raise EndpointFileError('one of content, endpoint or src is required when state is present.')
    except EndpointError as err:
        raise EndpointFileError(to_native(err))
    protect(module, found.token)
    return found


# --- endpoint_set: names and directories ---------------------------------------------------------

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


def _with_source(endpoint, source):
    return Endpoint(endpoint.token, endpoint.priority, endpoint.group_id, endpoint.host_name, endpoint.url, source=source)


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
        self.warnings.extend(set_warnings([_with_source(entry.endpoint, entry.path) for entry in self.planned]))
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
        groups = group_table([_with_source(entry.endpoint, entry.path) for entry in self.planned])
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
