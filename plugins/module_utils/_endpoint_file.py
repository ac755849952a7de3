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
Directories of endpoint files (endpoint_set, endpoint_info) are in ``_endpoint_dir``.

Every token seen (wanted, read from a file or a src) and every key text is added to
``module.no_log_values``; errors, diffs and results only ever hold token fingerprints and key ids.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import collections
import grp
import os
import pwd
import stat

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import (
    EndpointError,
    endpoint_from_dict,
    parse_endpoint,
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
        if reason in ('unchanged', 'absent'):
            # Deciding already read the file and compared meaning, key and attributes: nothing to redo.
            self.changed = False
            return self
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
        if not self.changed:
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


# --- argument specs shared by the modules (documented by the sealed and endpoint_file doc fragments) -----

def key_argument_spec():
    """``key``, ``key_file`` and ``previous_keys``: the netbackup.nbwss.sealed doc fragment."""
    return dict(
        key=dict(type='str', no_log=True),
        key_file=dict(type='path', no_log=False),
        previous_keys=dict(type='list', elements='str', no_log=True),
    )


def file_argument_spec():
    """``format``, ``force``, ``backup``, ``mode``, ``owner``, ``group``: the netbackup.nbwss.endpoint_file doc fragment."""
    return dict(
        format=dict(type='str', default='sealed', choices=list(FORMATS)),
        force=dict(type='bool', default=False),
        backup=dict(type='bool', default=False),
        mode=dict(type='raw', default='0600'),
        owner=dict(type='str'),
        group=dict(type='str'),
    )
