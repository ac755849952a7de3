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
``.<name>.<random>.nbwss-tmp`` file behind; its mode is the final file's, never looser. The
writer holds a lock on its temp file from creation to rename, so the next write into the
directory can tell a dead writer's leftover from a live one and removes it (see
``stale_temp_files``). A replaced file keeps its SELinux context.

A backup (``backup=True``) is the old inode itself, hard-linked under the backup name before the
rename (or renamed to it, for a removal): it keeps its mode and owner, never exists with looser
ones, and costs no copy.

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
import fcntl
import grp
import os
import pwd
import re
import stat
import sys
import tempfile
import time

from collections import namedtuple

from ansible.module_utils.common.text.converters import to_native

# Endpoint files hold tokens: unless the caller asks otherwise, only the owner may read them.
DEFAULT_MODE = 0o600

TEMP_SUFFIX = '.nbwss-tmp'

# A temp file is a dead writer's leftover when no process holds its lock and it is older than
# this: a live writer locks its temp file microseconds after creating it. On a filesystem
# without locks only files older than STALE_TEMP_AGE_WITHOUT_LOCKS are removed.
STALE_TEMP_AGE = 5
STALE_TEMP_AGE_WITHOUT_LOCKS = 3600

# uid_t and gid_t are 32 bits; (2**32 - 1) is -1, "leave unchanged", to chown.
MAX_ID = 2 ** 32 - 2

# Directory fsync is not supported everywhere (some network and FUSE filesystems); the rename is
# still atomic there, only its durability across power loss is up to the filesystem.
_DIR_FSYNC_UNSUPPORTED = frozenset(e for e in (errno.EINVAL, errno.EBADF, getattr(errno, 'ENOTSUP', None),
                                               getattr(errno, 'EOPNOTSUPP', None)) if e is not None)

_NOFOLLOW = getattr(os, 'O_NOFOLLOW', 0)
_NONBLOCK = getattr(os, 'O_NONBLOCK', 0)
_DIRECTORY = getattr(os, 'O_DIRECTORY', 0)

# Linux inode flags (chattr +i / +a) through FS_IOC_GETFLAGS; the kernel fills an int.
_FS_IOC_GETFLAGS = 0x80086601
_FS_IMMUTABLE_FL = 0x10
_FS_APPEND_FL = 0x20
_LITTLE_ENDIAN = sys.byteorder == 'little'

FileResult = namedtuple('FileResult', ['changed', 'backup_file', 'stale_removed'])
FileResult.__doc__ = """Outcome of write_file / remove_file.

``changed``: the file's content or attributes differ (or would, in check mode) from before.
``backup_file``: path of the backup made of the previous content, else None.
``stale_removed``: leftover temp files of dead writers removed from the directory (in check
mode: that would be removed).
"""


class FilesError(Exception):
    """A file could not be read, written or removed; ``str()`` names the path and the reason."""


class ControllerWriter(object):
    """What write_file and remove_file need of a module, for files written on the controller (the fleet
    report): the caller decides about check mode itself, and there is no SELinux context to keep."""

    check_mode = False

    @staticmethod
    def selinux_enabled():
        return False


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
            try:
                value = symbolic_mode(mode, DEFAULT_MODE if current_mode is None else current_mode)
            except ValueError:
                raise FilesError('%smode %r must be in octal or symbolic form.' % (where, mode))
    if value < 0 or value != stat.S_IMODE(value):
        raise FilesError('%smode %r is not a valid permission value (0000 to 07777).' % (where, mode))
    return value


_SYMBOLIC_CLAUSE = re.compile(r'^([ugoa]*)((?:[-+=][rwxXstugo]*)+)$')
_SYMBOLIC_ACTION = re.compile(r'([-+=])([rwxXstugo]*)')
_CLASS_SHIFT = {'u': 6, 'g': 3, 'o': 0}
# Bits that "who=" replaces for each class: its rwx and its special bit (set-id or sticky).
_CLASS_MASK = {'u': 0o4700, 'g': 0o2070, 'o': 0o1007}
_SPECIAL = {('u', 's'): 0o4000, ('g', 's'): 0o2000, ('o', 't'): 0o1000}


def symbolic_mode(text, current):
    """Apply a symbolic mode (``'u=rw,g-w,o='``) to ``current`` exactly as ``ansible.builtin.file`` does.

    Each comma-separated clause is ``[ugoa]*`` then one or more ``[-+=]`` each followed by
    permissions from ``rwxXst`` or ``u``, ``g``, ``o`` (copy that class's bits). No class means
    all, with the umask's bits left alone (as chmod does). ``X`` is execute when the mode so far
    has an execute bit. Raises ValueError for anything else.
    """
    umask = os.umask(0)
    os.umask(umask)
    mode = current
    for clause in text.split(','):
        match = _SYMBOLIC_CLAUSE.match(clause)
        if not match:
            raise ValueError('not a symbolic mode clause')
        allowed = 0o7777 & ~umask if not match.group(1) else 0o7777
        classes = (match.group(1) or 'a').replace('a', 'ugo')
        for operator, perms in _SYMBOLIC_ACTION.findall(match.group(2)):
            for who in classes:
                shift = _CLASS_SHIFT[who]
                bits = 0
                for perm in perms:
                    if perm in _CLASS_SHIFT:
                        bits |= ((mode >> _CLASS_SHIFT[perm]) & 0o7) << shift
                    elif perm in 'rwx' or (perm == 'X' and mode & 0o111):
                        bits |= ({'r': 4, 'w': 2}.get(perm, 1) << shift) & allowed
                    else:
                        bits |= _SPECIAL.get((who, perm), 0)
                if operator == '+':
                    mode |= bits
                elif operator == '-':
                    mode &= ~bits
                else:
                    mode = (mode & ~_CLASS_MASK[who]) | bits
    return mode


def _resolve_id(value, kind, lookup, path):
    """A uid/gid from an int, a numeric string or a name; None stays None."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = to_native(value)
        try:
            number = int(text)
        except ValueError:
            try:
                return lookup(text)
            except KeyError:
                raise FilesError('%s: %s %r does not exist on this host.' % (to_native(path), kind, text))
    if number < 0 or number > MAX_ID:
        what = 'user' if kind == 'owner' else 'group'
        raise FilesError('%s: %s %d is not a valid %s id (0 to %d).' % (to_native(path), kind, number, what, MAX_ID))
    return number


def _resolve_owner(owner, path):
    return _resolve_id(owner, 'owner', lambda name: pwd.getpwnam(name).pw_uid, path)


def _resolve_group(group, path):
    return _resolve_id(group, 'group', lambda name: grp.getgrnam(name).gr_gid, path)


def owner_name(uid):
    """The user name of ``uid``, or the number as text when the host has no such user."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def group_name(gid):
    """The group name of ``gid``, or the number as text when the host has no such group."""
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def resolve_owner_and_group(owner, group, path):
    """``(uid or None, gid or None)`` for owner / group options; raises FilesError for unknown or invalid ones."""
    return _resolve_owner(owner, path), _resolve_group(group, path)


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


def _lock_temp(fd):
    """Hold an exclusive lock on our temp file until it is renamed or removed (see stale_temp_files)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        pass  # no locks on this filesystem: cleaners then only remove very old files


def _copy_selinux_context(context, tmp):
    if context is None:
        return
    from ansible.module_utils.compat import selinux
    selinux.lsetfilecon(tmp, context)


def _replace(path, data, want_mode, wanted_ids, kept_ids, context=None):
    """Write ``data`` to a locked temp file with final attributes, fsync, rename over ``path``."""
    directory = os.path.dirname(path) or os.curdir
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=temp_prefix(path), suffix=TEMP_SUFFIX)
    except OSError as err:
        raise FilesError('Could not create a temporary file in %s to write %s: %s.'
                         % (to_native(directory), to_native(path), to_native(err.strerror or err)))
    try:
        try:
            _lock_temp(fd)
            # Attributes first, on the still empty file: the content never exists with a looser
            # mode, a wrong owner or another SELinux context, not even in the temp file.
            _chown_fd(fd, kept_ids[0], kept_ids[1], strict=False)
            _chown_fd(fd, wanted_ids[0], wanted_ids[1], strict=True)
            os.fchmod(fd, want_mode)
            _copy_selinux_context(context, tmp)
            handle = os.fdopen(fd, 'wb')
        except BaseException:
            os.close(fd)
            raise
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            # Renamed while still open and locked: the lock lasts until the name is final.
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


def _selinux_context(module, path):
    """The SELinux context of the existing file at ``path``, or None (SELinux off, or no context)."""
    if not module.selinux_enabled():
        return None
    from ansible.module_utils.compat import selinux
    try:
        rc, context = selinux.lgetfilecon_raw(to_native(path))
    except OSError as err:
        raise _os_error(path, 'read the SELinux context of', err)
    return context if rc >= 0 and context else None


def backup_name(path, now=None):
    """The backup name Ansible uses: ``PATH.PID.YYYY-MM-DD@HH:MM:SS~``."""
    return '%s.%s.%s' % (path, os.getpid(), time.strftime('%Y-%m-%d@%H:%M:%S~', time.localtime(now)))


def _link_backup(path, st):
    """Keep the old inode under a backup name: same bytes, mode and owner, created atomically."""
    backup = backup_name(path)
    try:
        os.link(path, backup)
        return backup
    except OSError as err:
        if err.errno == errno.EEXIST:
            raise _os_error(backup, 'create the backup', err)
        link_error = err
    # No hard links here (some network filesystems): a copy made through the same safe path.
    data = read_file(path, st.st_size + 1)
    if data is None:
        raise _os_error(path, 'back up', link_error)
    _replace(backup, data, stat.S_IMODE(st.st_mode), (None, None), (st.st_uid, st.st_gid))
    return backup


def is_temp_name(name):
    """True for the hidden temp file names write_file creates (``.<name>.<random>.nbwss-tmp``)."""
    return name.startswith('.') and name.endswith(TEMP_SUFFIX)


def _stale_temp(path, now, remove):
    """True if ``path`` is a dead writer's temp file; removed (while locked) when ``remove``."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        age = now - st.st_mtime
        if not stat.S_ISREG(st.st_mode) or age < STALE_TEMP_AGE:
            return False
        try:
            # Shared is enough to tell: it fails while the writer holds its exclusive lock.
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return False
            if age < STALE_TEMP_AGE_WITHOUT_LOCKS:
                return False
        if remove:
            try:
                os.unlink(path)
            except OSError as err:
                if err.errno != errno.ENOENT:
                    raise _os_error(path, 'remove the stale temporary file', err)
        return True
    finally:
        os.close(fd)


def stale_temp_files(directory, remove=False, now=None):
    """Temp files that dead writers left in ``directory`` (sorted paths); removed when ``remove``.

    A temp file is stale when no process holds its lock (its writer died: locks end with the
    process) and it is older than STALE_TEMP_AGE seconds; on a filesystem without locks, when it
    is older than STALE_TEMP_AGE_WITHOUT_LOCKS. A concurrent run's live temp file is never touched.
    """
    now = time.time() if now is None else now
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    return [os.path.join(directory, name) for name in names
            if is_temp_name(name) and _stale_temp(os.path.join(directory, name), now, remove)]


def _file_flags(path):
    """The inode flags (chattr) of a regular file, or 0 when the filesystem cannot tell."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError:
        return 0
    try:
        buf = bytearray(8)
        fcntl.ioctl(fd, _FS_IOC_GETFLAGS, buf, True)
        return int.from_bytes(bytes(buf[:4]), 'little' if _LITTLE_ENDIAN else 'big')
    except (OSError, IOError):
        return 0
    finally:
        os.close(fd)


def write_problem(path, removing=False):
    """Why writing (or, with ``removing``, removing) ``path`` would fail, in one sentence; None if nothing shows.

    Checks what can be checked without writing: the directory exists and this user may create
    and rename files in it, the path is not a directory or another non-regular file (a symlink
    may be removed, never written through), and the file is not immutable or append-only.
    """
    directory = os.path.dirname(path) or os.curdir
    try:
        st_dir = os.stat(directory)
    except OSError:
        return 'the directory %s does not exist.' % to_native(directory)
    if not stat.S_ISDIR(st_dir.st_mode):
        return '%s is not a directory.' % to_native(directory)
    if not _may_write_directory(directory):
        return ('the directory %s is not writable by user %s (read-only, immutable, or its permissions).'
                % (to_native(directory), owner_name(os.geteuid())))
    try:
        st = _lstat_or_none(path)
        if st is None:
            return None
        if not (removing and stat.S_ISLNK(st.st_mode)):
            _require_regular(path, st, 'remove' if removing else 'write')
    except FilesError as err:
        return to_native(err)
    if stat.S_ISREG(st.st_mode) and _file_flags(path) & (_FS_IMMUTABLE_FL | _FS_APPEND_FL):
        return '%s is immutable or append-only (chattr); nothing can replace or remove it.' % to_native(path)
    euid = os.geteuid()
    if st_dir.st_mode & stat.S_ISVTX and euid not in (0, st.st_uid, st_dir.st_uid):
        return ('%s belongs to user %s in a sticky directory: only that user may replace or remove it.'
                % (to_native(path), owner_name(st.st_uid)))
    return None


def _may_write_directory(directory):
    if os.access in getattr(os, 'supports_effective_ids', ()):
        return os.access(directory, os.W_OK | os.X_OK, effective_ids=True)
    return os.access(directory, os.W_OK | os.X_OK)


def write_file(module, path, data, mode=None, owner=None, group=None, backup=False):
    """Make the regular file at ``path`` hold exactly ``data`` (bytes) with the given attributes.

    ``mode`` is what Ansible's ``mode`` option accepts (int, octal string, symbolic); None means
    0600, also for an existing file. ``owner`` / ``group`` are names or ids; None keeps the
    existing file's owner / group (best effort when not root) or leaves a new file ours.

    - First, stale temp files of dead writers are removed from the directory (``stale_removed``).
    - Same bytes and attributes: nothing else is touched, ``changed`` is False.
    - Same bytes, other attributes: they are fixed in place (same inode, no backup).
    - Other bytes, or no file: a temp file in the same directory gets the final attributes (and
      the old file's SELinux context), the bytes, an fsync, and is renamed over ``path``; the
      directory is fsynced.
      With ``backup`` the old inode is first hard-linked under a backup name.
    - Check mode (``module.check_mode``): nothing is written; the result says what would change.

    Returns ``FileResult``. Raises FilesError (temp file removed) when the path is not a regular
    file, the directory does not exist, a mode / owner / group is invalid or any OS call fails.
    The parent directory is never created.
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
    stale = stale_temp_files(os.path.dirname(path) or os.curdir, remove=not module.check_mode)

    if st is not None and st.st_size == len(data) and _read_at_most(path, len(data) + 1) == data:
        if not _differences(st, want_mode, uid, gid):
            return FileResult(False, None, stale)
        if not module.check_mode:
            _fix_attributes_in_place(path, want_mode, uid, gid)
        return FileResult(True, None, stale)

    if module.check_mode:
        return FileResult(True, None, stale)
    context = _selinux_context(module, path) if st is not None else None
    backup_file = _link_backup(path, st) if backup and st is not None else None
    kept = (None, None) if st is None else (st.st_uid, st.st_gid)
    _replace(path, data, want_mode, (uid, gid), kept, context)
    return FileResult(True, backup_file, stale)


def remove_file(module, path, backup=False):
    """Make ``path`` absent. Returns ``FileResult``.

    A missing path is not a change. A regular file is removed (with ``backup``, renamed to a
    backup name instead, which keeps the inode, its mode and owner). A symlink is removed as a
    link: its target is never touched and no backup is made, since the link holds no content of
    its own. A directory or any other kind of file is refused with FilesError. Check mode
    reports without removing.
    """
    st = _lstat_or_none(path)
    if st is None:
        return FileResult(False, None, [])
    if not stat.S_ISLNK(st.st_mode):
        _require_regular(path, st, 'remove')
    if module.check_mode:
        return FileResult(True, None, [])
    backup_file = None
    try:
        if backup and stat.S_ISREG(st.st_mode):
            backup_file = backup_name(path)
            os.rename(path, backup_file)
        else:
            os.unlink(path)
    except OSError as err:
        if err.errno != errno.ENOENT:
            raise _os_error(path, 'remove', err)
        backup_file = None
    _fsync_directory(os.path.dirname(path) or os.curdir, path)
    return FileResult(True, backup_file, [])
