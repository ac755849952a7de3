# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""One endpoint file on the managed host: what is there, what is wanted, how to get there.

``EndpointFile`` reads what is at a path (missing, plain or sealed), opens a sealed file with
the key ring, compares the endpoint's meaning and the file format with what is wanted, decides
the reason (created, updated, rekeyed, unchanged, removed, absent), finds what would stop the
write before anything is written, writes or removes through ``_files`` and builds the redacted
diff and result. The endpoint, endpoint_set and endpoint_fetch modules all go through it, so
"does this file need to change?" has one answer. The file options (``format``, ``force``,
``backup``, ``mode``, ``owner``, ``group``) are declared here, beside the code that uses them.

Every token read from a file is masked in the module's output; errors, diffs and results only
ever hold token fingerprints and key ids.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import os
import stat

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.netbackup.nbwss.plugins.module_utils._cryptography import cryptography_problem, require_cryptography
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import EndpointError, parse_endpoint
from ansible_collections.netbackup.nbwss.plugins.module_utils._files import (
    FilesError,
    attributes_differ,
    group_name,
    owner_name,
    read_file,
    remove_file,
    resolve_mode,
    resolve_owner_and_group,
    stale_temp_files,
    write_file,
    write_problem,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._keys import sealing_key_problem
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import TaskError, mask_secrets
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import (
    MAX_SEALED_SIZE,
    SealedError,
    WrongKeyError,
    envelope_key_id,
    is_sealed,
    seal,
    unseal,
)

FORMATS = ('sealed', 'plain')
REASONS = ('created', 'updated', 'rekeyed', 'unchanged', 'removed', 'absent')
# The reasons that leave a file as it was.
UNCHANGED_REASONS = ('unchanged', 'absent')

_FORCE_HINT = 'the file was left untouched; use force: true to replace it'


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


def require_absolute(path, option):
    """Raise TaskError for a relative path: it would be resolved against the module's working directory."""
    if path is not None and not os.path.isabs(path):
        raise TaskError('%s %s is a relative path; give an absolute path (a relative one would be resolved against '
                        'the directory the module happens to run in).' % (option, path))


def looks_like_unquoted_octal(mode):
    """True for an int such as 600 or 640: YAML read an unquoted octal mode as a decimal number."""
    return (isinstance(mode, int) and not isinstance(mode, bool) and mode > 0o777
            and set(str(mode)) <= set('01234567'))


def endpoint_mode(mode, current_mode, path):
    """The permission bits ``mode`` gives the endpoint file at ``path``; TaskError if unsafe for a token.

    An endpoint file holds a token: its owner must be able to read and write it and others may
    have no access at all. Group access is the administrator's choice.
    """
    if looks_like_unquoted_octal(mode):
        raise TaskError("mode %d is a decimal number (octal %04o): YAML reads an unquoted mode as decimal. Quote it, "
                        "for example mode: '0%d'." % (mode, mode, mode))
    try:
        value = resolve_mode(mode, current_mode, path)
    except FilesError as err:
        raise TaskError(to_native(err))
    if value & 0o007:
        raise TaskError('%s: mode %04o gives others access to a file that holds a token; use for example 0600 or 0640.'
                        % (path, value))
    if value & 0o600 != 0o600:
        raise TaskError('%s: mode %04o does not let the owner read and write the file; use for example 0600.'
                        % (path, value))
    return value


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


def unseal_endpoint(data, keyring, source):
    """``(Endpoint, rekey_needed)`` from sealed ``data``; raise TaskError (one sentence, no secret) if it cannot be opened.

    A missing cryptography library is a TaskError too (with the import traceback as ``exception``).
    """
    if not keyring.all():
        raise TaskError('%s: the content is sealed (key id %s) and no key was given to open it; give key or key_file'
                        % (source, _key_id_or_unknown(data)))
    require_cryptography()
    try:
        opened = unseal(data, keyring.all())
        return parse_endpoint(opened.plaintext, source=source), opened.rekey_needed
    except SealedError as err:
        raise TaskError(_sealed_problem(source, err))
    except EndpointError as err:
        raise TaskError('%s (in the sealed content)' % to_native(err))


def _key_id_or_unknown(data):
    try:
        return envelope_key_id(data)
    except SealedError:
        return 'unknown'


def read_state(module, path, keyring, need_crypto=True):
    """Read and classify the file at ``path`` (see ``State``). Never fails for a bad file.

    Opening a sealed file needs cryptography: with ``need_crypto`` a missing library fails the
    task (TaskError), otherwise it becomes the file's problem. Tokens read are masked in the output.
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
        mask_secrets(module, endpoint.token)
        return State('plain', endpoint, None, None, None, data)
    try:
        kid = envelope_key_id(data)
    except SealedError as err:
        return State('sealed', None, None, None, _sealed_problem(path, err), data)
    if keyring.all() and not need_crypto and cryptography_problem():
        return State('sealed', None, kid, None, '%s: %s' % (path, cryptography_problem()), data)
    try:
        endpoint, rekey_needed = unseal_endpoint(data, keyring, path)
    except TaskError as err:
        if err.result.get('exception'):
            raise  # cryptography is missing and needed
        return State('sealed', None, kid, None, to_native(err), data)
    mask_secrets(module, endpoint.token)
    return State('sealed', endpoint, kid, rekey_needed, None, data)


def _attributes_view(st, owner, group):
    view = {'mode': '%04o' % stat.S_IMODE(st.st_mode)}
    if owner is not None:
        view['owner'] = owner_name(st.st_uid)
    if group is not None:
        view['group'] = group_name(st.st_gid)
    return view


# --- one file -----------------------------------------------------------------------------------

class EndpointFile(object):
    """One endpoint file and the decision about it.

    Call ``want(endpoint)`` (None for absent), then ``decide()`` to decide without touching
    anything (check mode and apply decide identically), ``write_problem()`` to learn what would
    stop the change, ``apply()`` to make it so (check-mode aware through ``_files``),
    ``diff()`` for the redacted before / after and ``result()``.
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
        self.stale_removed = []
        self.warnings = []
        self._present = False
        self._state = None
        self._reason = None
        self._rewrite = False

    # -- inputs --

    def want(self, endpoint):
        """Ask for ``endpoint`` in this file (None: the file must not exist)."""
        if endpoint is not None:
            mask_secrets(self.module, endpoint.token)
            problem = sealing_key_problem(self.format, self.keyring.current is not None)
            if problem:
                raise TaskError('%s: %s' % (self.path, problem))
        self.wanted = endpoint
        self._present = endpoint is not None
        self._reason = None
        return self

    def current(self):
        """The ``State`` at the path, read once."""
        if self._state is None:
            self._state = read_state(self.module, self.path, self.keyring, need_crypto=self._present)
        return self._state

    def check_present(self):
        """Before the wanted endpoint is known: raise TaskError for what fails whatever it will be.

        That is an existing file that cannot be opened (without force) and, in a real run, a missing
        directory; for callers that must fetch the endpoint first, so that they do not fetch for nothing.
        """
        self._present = True
        state = self.current()
        if state.kind == 'missing':
            if not self.module.check_mode and not os.path.isdir(os.path.dirname(self.path)):
                raise TaskError(self._missing_directory_message())
        elif not state.usable and not self.force:
            raise TaskError(self.unusable_message())

    # -- decisions --

    def decide(self):
        """Decide what the file needs, once: created, updated, rekeyed, unchanged, removed or absent (returned).

        Raises TaskError for an existing file that cannot be used (without force) or a missing directory.
        """
        if self._reason is None:
            self._reason, self._rewrite = self._decision()
        return self._reason

    @property
    def reason(self):
        """The decided reason (deciding first if needed)."""
        return self.decide()

    def _decision(self):
        state = self.current()
        if not self._present:
            return ('absent' if state.kind == 'missing' else 'removed'), False
        if state.kind == 'missing':
            endpoint_mode(self.mode, None, self.path)
            directory = os.path.dirname(self.path)
            if not os.path.isdir(directory):
                if not self.module.check_mode:
                    raise TaskError(self._missing_directory_message())
                # An earlier task of the same play may create it: check mode predicts, it does not fail.
                self.warnings.append('%s: the directory %s does not exist yet; a real run fails unless an earlier task '
                                     'creates it.' % (self.path, directory))
            return 'created', True
        if not state.usable:
            if not self.force:
                # Never overwritten silently. With force, _files still refuses symlinks and directories.
                raise TaskError(self.unusable_message())
            endpoint_mode(self.mode, None, self.path)
            return 'updated', True
        st = os.lstat(self.path)
        endpoint_mode(self.mode, stat.S_IMODE(st.st_mode), self.path)
        if state.endpoint != self.wanted or state.format != self.format:
            return 'updated', True
        if self.format == 'sealed' and state.key_id != self.keyring.current_id:
            return 'rekeyed', True
        try:
            if attributes_differ(self.path, self.mode, self.owner, self.group):
                return 'updated', False
        except FilesError as err:
            raise TaskError(to_native(err))
        return 'unchanged', False

    def _missing_directory_message(self):
        return '%s: the directory %s does not exist; create it first.' % (self.path, os.path.dirname(self.path))

    def unusable_message(self):
        """The one-sentence failure for an existing file that cannot be read (no secret in it)."""
        state = self.current()
        if state.kind == 'unreadable':
            # Not a regular file, unreadable or too large: force would not help for most of these.
            return state.problem
        return '%s; %s.' % (state.problem.rstrip('.'), _FORCE_HINT)

    def needs_write(self):
        """True when the file's bytes change (as opposed to nothing or its attributes only)."""
        self.decide()
        return self._rewrite

    @property
    def will_change(self):
        return self.reason not in UNCHANGED_REASONS

    def write_problem(self):
        """Why the decided change would fail, found without writing (one sentence), else None.

        Runs in check mode too, so that check mode fails where the real run would.
        """
        if not self.will_change:
            return None
        if self.needs_write() or not self._present:
            if self.module.check_mode and not os.path.isdir(os.path.dirname(self.path)):
                return None  # warned about in _decide
            problem = write_problem(self.path, removing=not self._present)
            if problem:
                return problem if problem.startswith(self.path) else '%s: %s' % (self.path, problem)
        return self._ownership_problem()

    def _ownership_problem(self):
        try:
            uid, gid = resolve_owner_and_group(self.owner, self.group, self.path)
        except FilesError as err:
            return to_native(err)
        euid = os.geteuid()
        if euid == 0 or not self._present:
            return None
        try:
            st = os.lstat(self.path)
        except OSError:
            st = None
        if uid is not None and uid != euid and (st is None or st.st_uid != uid):
            return '%s: owner %s: only root can give a file to another user.' % (self.path, owner_name(uid))
        if gid is not None and gid != os.getegid() and gid not in os.getgroups() and (st is None or st.st_gid != gid):
            return '%s: group %s: user %s is not a member of it.' % (self.path, group_name(gid), owner_name(euid))
        if st is not None and not self.needs_write() and st.st_uid != euid:
            return '%s: belongs to user %s; only that user or root can change its mode.' % (self.path, owner_name(st.st_uid))
        return None

    def _data(self):
        if not self.needs_write():
            # Same meaning, format and key: keep the bytes (never re-seal for nothing), fix attributes only.
            return self.current().data
        plaintext = self.wanted.canonical_json()
        if self.format == 'plain':
            return plaintext
        require_cryptography()
        try:
            return seal(plaintext, self.keyring.current)
        except SealedError as err:
            raise TaskError('%s: %s' % (self.path, err))

    # -- action --

    def apply(self):
        """Write or remove the file as decided (nothing in check mode); return ``self``."""
        reason = self.reason
        if reason in UNCHANGED_REASONS:
            # Deciding already read the file and compared meaning, key and attributes: nothing to redo,
            # but a dead writer's leftovers beside an unchanged file still go.
            self.changed = False
            if reason == 'unchanged':
                self.stale_removed = stale_temp_files(os.path.dirname(self.path), remove=not self.module.check_mode)
            return self
        try:
            if self._present:
                outcome = write_file(self.module, self.path, self._data(), mode=self.mode, owner=self.owner,
                                     group=self.group, backup=self.backup)
            else:
                outcome = remove_file(self.module, self.path, backup=self.backup)
        except FilesError as err:
            raise TaskError(to_native(err))
        self.changed = outcome.changed
        self.backup_file = outcome.backup_file
        self.stale_removed = outcome.stale_removed
        if not self.changed:
            # The file changed under us between deciding and writing; report what happened.
            self._reason = 'unchanged' if self._present else 'absent'
        return self

    # -- reporting --

    def key_id(self):
        return self.keyring.current_id if self._present and self.format == 'sealed' else None

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
            view.update(_attributes_view(os.lstat(self.path), self.owner, self.group))
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
        try:
            current_mode = stat.S_IMODE(os.lstat(self.path).st_mode)
        except OSError:
            current_mode = None
        try:
            view['mode'] = '%04o' % resolve_mode(self.mode, current_mode, self.path)
            uid, gid = resolve_owner_and_group(self.owner, self.group, self.path)
        except FilesError:
            return view  # the write fails with the same error
        if uid is not None:
            view['owner'] = owner_name(uid)
        if gid is not None:
            view['group'] = group_name(gid)
        return view

    def diff(self):
        """Redacted before / after (fingerprints and key ids only), for ``--diff``."""
        before = self._before()
        after = self._after() if self.will_change else dict(before)
        return {'before': before, 'after': after, 'before_header': self.path, 'after_header': self.path}

    def result(self):
        """The module result for this file (without ``diff``)."""
        changed = bool(self.changed) if self.changed is not None else self.will_change
        # Removing a dead writer's leftover (it holds a token) is a change to the directory.
        result = {'changed': changed or bool(self.stale_removed),
                  'reason': self.reason, 'path': self.path,
                  'format': self.format if self._present else self.current().format}
        if self._present:
            result['endpoint'] = self.wanted.redacted()
        if self.key_id():
            result['key_id'] = self.key_id()
        if self.backup_file:
            result['backup_file'] = self.backup_file
        if self.stale_removed:
            result['stale_temp_removed'] = self.stale_removed
        return result
