# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""The one safe write path for files on the managed host.

Every module of the collection writes and removes files through this file; nobody else opens a
file for writing. A write goes to a hidden temp file in the target's directory that already has
the final mode and owner before any byte is written; the bytes are fsynced, the temp file is
renamed over the target with ``os.replace`` and the directory is fsynced. A crash at any moment
leaves either the old file or the new one, never a partial or empty one. A crash (SIGKILL, power
loss) between creating and renaming the temp file can leave a hidden
``.<name>.<random>.nbwss-tmp`` file behind; its mode is the final file's, never looser.

There is deliberately no "unsafe writes" fallback: if the directory is not writable the write
fails instead of truncating the target in place.

Only regular files are read, written or replaced. Paths whose last component is a symlink are
refused (a write would otherwise either follow it elsewhere or silently turn it into a file);
``remove_file`` is the one exception and removes the link itself, never its target.

Errors are raised as :class:`FilesError`, one sentence that names the path; callers turn them
into ``module.fail_json(msg=to_native(err))``. Nothing here ever includes file content in a
message, so secrets cannot leak through errors.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import grp
import os
import pwd
import stat
import tempfile

from collections import namedtuple

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

# Endpoint files hold tokens: unless the caller asks otherwise, only the owner may read them.
DEFAULT_MODE = 0o600

TEMP_SUFFIX = '.nbwss-tmp'

# Directory fsync is not supported everywhere (some network and FUSE filesystems); the rename is
# still atomic there, only its durability across power loss is up to the filesystem.
_DIR_FSYNC_UNSUPPORTED = frozenset(e for e in (errno.EINVAL, errno.EBADF, getattr(errno, 'ENOTSUP', None),
                                               getattr(errno, 'EOPNOTSUPP', None)) if e is not None)

_NOFOLLOW = getattr(os, 'O_NOFOLLOW', 0)
_NONBLOCK = getattr(os, 'O_NONBLOCK', 0)
_DIRECTORY = getattr(os, 'O_DIRECTORY', 0)

FileResult = namedtuple('FileResult', ['changed', 'backup_file'])
FileResult.__doc__ = """Outcome of write_file / remove_file.

``changed``: the file's content or attributes differ (or would, in check mode) from before.
``backup_file``: path of the backup made of the previous content, else None.
"""


class FilesError(Exception):
    """A file could not be read, written or removed; ``str()`` names the path and the reason."""


def temp_prefix(path):
    """The prefix of temp files for ``path``: a hidden name in the same directory."""
    return '.' + os.path.basename(path) + '.'


def resolve_mode(mode, current_mode=None, path=None):
    """Return ``mode`` as an int permission value, as Ansible's ``mode`` option reads it.

    ``None`` means DEFAULT_MODE (0600), whatever the file has now. An int is taken as is, a string
    is octal (``'0640'``) or symbolic (``'u=rw,g=r,o='``). Relative symbolic modes (``'g+r'``) apply
    to ``current_mode`` (the existing file's permissions), or to DEFAULT_MODE for a new file.
    """
    if mode is None:
        return DEFAULT_MODE
    where = '%s: ' % to_native(path) if path else ''
    if isinstance(mode, bool):
        raise FilesError('%smode %r must be in octal or symbolic form.' % (where, mode))
    if isinstance(mode, int):
        value = mode
    else:
        mode = to_native(mode)
        try:
            value = int(mode, 8)
        except ValueError:
            base = DEFAULT_MODE if current_mode is None else current_mode
            # Ansible's own parser, so symbolic modes mean exactly what they mean to ansible.builtin.file.
            fake_stat = os.stat_result((stat.S_IFREG | base, 0, 0, 0, 0, 0, 0, 0, 0, 0))
            try:
                value = AnsibleModule._symbolic_mode_to_octal(fake_stat, mode)
            except Exception:
                raise FilesError('%smode %r must be in octal or symbolic form.' % (where, mode))
    if value < 0 or value != stat.S_IMODE(value):
        raise FilesError('%smode %r is not a valid permission value (0000 to 07777).' % (where, mode))
    return value


def _resolve_id(value, kind, lookup, path):
    """A uid/gid from an int, a numeric string or a name; None stays None."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = to_native(value)
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return lookup(text)
    except KeyError:
        raise FilesError('%s: %s %r does not exist on this host.' % (to_native(path), kind, text))


def _resolve_owner(owner, path):
    return _resolve_id(owner, 'owner', lambda name: pwd.getpwnam(name).pw_uid, path)


def _resolve_group(group, path):
    return _resolve_id(group, 'group', lambda name: grp.getgrnam(name).gr_gid, path)


def _os_error(path, action, err):
    return FilesError('Could not %s %s: %s.' % (action, to_native(path), to_native(err.strerror or err)))


def _lstat_or_none(path):
    try:
        return os.lstat(path)
    except OSError as err:
        if err.errno == errno.ENOENT:
            return None
        raise _os_error(path, 'inspect', err)


def _require_regular(path, st, action):
    """Raise unless ``st`` (from lstat) is a regular file."""
    if stat.S_ISREG(st.st_mode):
        return
    if stat.S_ISLNK(st.st_mode):
        what = 'a symlink; point the path at the real file instead'
    elif stat.S_ISDIR(st.st_mode):
        what = 'a directory'
    else:
        what = 'not a regular file'
    raise FilesError('Refusing to %s %s: it is %s.' % (action, to_native(path), what))


def _read_at_most(path, limit):
    """Read up to ``limit`` bytes of the regular file at ``path``; None if it does not exist."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError as err:
        if err.errno == errno.ENOENT:
            return None
        if err.errno == errno.ELOOP:
            raise FilesError('Refusing to read %s: it is a symlink; point the path at the real file instead.' % to_native(path))
        raise _os_error(path, 'read', err)
    try:
        # fstat of the open fd: the check and the read are about the same file.
        _require_regular(path, os.fstat(fd), 'read')
        chunks = []
        remaining = limit
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b''.join(chunks)
    except OSError as err:
        raise _os_error(path, 'read', err)
    finally:
        os.close(fd)


def read_file(path, max_bytes):
    """Return the bytes of the regular file at ``path``, or None if it does not exist.

    Raises FilesError if ``path`` is a symlink, a directory or another non-regular file, or holds
    more than ``max_bytes`` bytes (at most ``max_bytes + 1`` bytes are read to decide).
    """
    data = _read_at_most(path, max_bytes + 1)
    if data is not None and len(data) > max_bytes:
        raise FilesError('Refusing to read %s: it is larger than %d bytes.' % (to_native(path), max_bytes))
    return data


def _differences(st, want_mode, uid, gid):
    """Names of the attributes of ``st`` that differ from what is wanted (None = not managed)."""
    names = []
    if stat.S_IMODE(st.st_mode) != want_mode:
        names.append('mode')
    if uid is not None and st.st_uid != uid:
        names.append('owner')
    if gid is not None and st.st_gid != gid:
        names.append('group')
    return names


def attributes_differ(path, mode=None, owner=None, group=None):
    """Return the names (``'mode'``, ``'owner'``, ``'group'``) in which ``path`` differs.

    An empty list means the attributes match. ``mode`` None means DEFAULT_MODE; ``owner`` or
    ``group`` None is not compared. Raises FilesError if ``path`` is missing or not a regular file.
    """
    st = _lstat_or_none(path)
    if st is None:
        raise FilesError('Could not inspect %s: it does not exist.' % to_native(path))
    _require_regular(path, st, 'inspect')
    want_mode = resolve_mode(mode, stat.S_IMODE(st.st_mode), path)
    return _differences(st, want_mode, _resolve_owner(owner, path), _resolve_group(group, path))


def _fix_attributes_in_place(path, want_mode, uid, gid):
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError as err:
        raise _os_error(path, 'open', err)
    try:
        _require_regular(path, os.fstat(fd), 'change')
        if uid is not None or gid is not None:
            os.fchown(fd, -1 if uid is None else uid, -1 if gid is None else gid)
        # After chown: chown may clear set-id bits the mode asks for.
        os.fchmod(fd, want_mode)
    except OSError as err:
        raise _os_error(path, 'set the mode or owner of', err)
    finally:
        os.close(fd)


def _fsync_directory(directory, path):
    try:
        fd = os.open(directory, os.O_RDONLY | _DIRECTORY)
    except OSError as err:
        if err.errno == errno.EACCES:
            # A write-only directory: the rename happened, durability is up to the filesystem.
            return
        raise _os_error(path, 'sync the directory of', err)
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in _DIR_FSYNC_UNSUPPORTED:
            raise _os_error(path, 'sync the directory of', err)
    finally:
        os.close(fd)


def _chown_fd(fd, uid, gid, strict):
    """chown an open temp file if needed; ``strict=False`` tolerates EPERM (owner only preserved)."""
    current = os.fstat(fd)
    new_uid = -1 if uid is None or uid == current.st_uid else uid
    new_gid = -1 if gid is None or gid == current.st_gid else gid
    if new_uid == -1 and new_gid == -1:
        return
    try:
        os.fchown(fd, new_uid, new_gid)
    except OSError as err:
        if strict or err.errno != errno.EPERM:
            raise


def _replace(path, data, want_mode, wanted_ids, kept_ids):
    """Write ``data`` to a temp file with final attributes, fsync, rename over ``path``."""
    directory = os.path.dirname(path) or os.curdir
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=temp_prefix(path), suffix=TEMP_SUFFIX)
    except OSError as err:
        raise FilesError('Could not create a temporary file in %s to write %s: %s.'
                         % (to_native(directory), to_native(path), to_native(err.strerror or err)))
    try:
        try:
            # Attributes first, on the still empty file: the content never exists with a looser
            # mode or a wrong owner, not even in the temp file.
            _chown_fd(fd, kept_ids[0], kept_ids[1], strict=False)
            _chown_fd(fd, wanted_ids[0], wanted_ids[1], strict=True)
            os.fchmod(fd, want_mode)
            handle = os.fdopen(fd, 'wb')
        except BaseException:
            os.close(fd)
            raise
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(err, OSError):
            raise _os_error(path, 'write', err)
        raise
    _fsync_directory(directory, path)


def _backup(module, path):
    try:
        return module.backup_local(path) or None
    except Exception as err:
        raise FilesError('Could not back up %s before changing it: %s' % (to_native(path), to_native(err)))


def write_file(module, path, data, mode=None, owner=None, group=None, backup=False):
    """Make the regular file at ``path`` hold exactly ``data`` (bytes) with the given attributes.

    ``mode`` is what Ansible's ``mode`` option accepts (int, octal string, symbolic); None means
    0600, also for an existing file. ``owner`` / ``group`` are names or ids; None keeps the
    existing file's owner / group (best effort when not root) or leaves a new file ours.

    - Same bytes and attributes: nothing is touched, ``changed`` is False.
    - Same bytes, other attributes: they are fixed in place (same inode, no backup).
    - Other bytes, or no file: a temp file in the same directory gets the final attributes, the
      bytes, an fsync, and is renamed over ``path``; the directory is fsynced. With ``backup``
      an existing file is first copied with ``module.backup_local``.
    - Check mode (``module.check_mode``): nothing is written; the result says what would change.

    Returns ``FileResult(changed, backup_file)``. Raises FilesError (temp file removed) when the
    path is not a regular file, the directory does not exist, a mode / owner / group is invalid
    or any OS call fails. The parent directory is never created.
    """
    if isinstance(data, bytearray):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError('write_file() needs bytes, not %s' % type(data).__name__)
    st = _lstat_or_none(path)
    if st is not None:
        _require_regular(path, st, 'write')
    want_mode = resolve_mode(mode, None if st is None else stat.S_IMODE(st.st_mode), path)
    uid = _resolve_owner(owner, path)
    gid = _resolve_group(group, path)

    if st is not None and st.st_size == len(data) and _read_at_most(path, len(data) + 1) == data:
        if not _differences(st, want_mode, uid, gid):
            return FileResult(False, None)
        if not module.check_mode:
            _fix_attributes_in_place(path, want_mode, uid, gid)
        return FileResult(True, None)

    if module.check_mode:
        return FileResult(True, None)
    backup_file = _backup(module, path) if backup and st is not None else None
    kept = (None, None) if st is None else (st.st_uid, st.st_gid)
    _replace(path, data, want_mode, (uid, gid), kept)
    return FileResult(True, backup_file)


def remove_file(module, path, backup=False):
    """Make ``path`` absent. Returns ``FileResult(changed, backup_file)``.

    A missing path is not a change. A regular file is removed (copied first with
    ``module.backup_local`` if ``backup``). A symlink is removed as a link: its target is never
    touched and no backup is made, since the link holds no content of its own. A directory or any
    other kind of file is refused with FilesError. Check mode reports without removing.
    """
    st = _lstat_or_none(path)
    if st is None:
        return FileResult(False, None)
    if not stat.S_ISLNK(st.st_mode):
        _require_regular(path, st, 'remove')
    if module.check_mode:
        return FileResult(True, None)
    backup_file = _backup(module, path) if backup and stat.S_ISREG(st.st_mode) else None
    try:
        os.unlink(path)
    except OSError as err:
        if err.errno != errno.ENOENT:
            raise _os_error(path, 'remove', err)
    _fsync_directory(os.path.dirname(path) or os.curdir, path)
    return FileResult(True, backup_file)
