# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import fcntl
import os
import stat
import tempfile
import time

import pytest

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.netbackup.nbwss.tests.unit.module_args import patch_module_args

from ansible_collections.netbackup.nbwss.plugins.module_utils import _files
from ansible_collections.netbackup.nbwss.plugins.module_utils._files import (
    STALE_TEMP_AGE,
    FilesError,
    TEMP_SUFFIX,
    attributes_differ,
    read_file,
    remove_file,
    resolve_mode,
    stale_temp_files,
    symbolic_mode,
    write_file,
    write_problem,
)

OLD = b'{"old": true}\n'
NEW = b'{"new": true, "longer": "yes"}\n'

requires_root = pytest.mark.skipif(os.geteuid() != 0, reason='changing a file owner needs root')


def make_module(check_mode=False):
    with patch_module_args({'_ansible_check_mode': check_mode}):
        return AnsibleModule(argument_spec={}, supports_check_mode=True)


@pytest.fixture
def module():
    return make_module()


@pytest.fixture
def check_module():
    return make_module(check_mode=True)


@pytest.fixture
def target(tmp_path):
    return str(tmp_path / 'endpoint.json')


def existing(path, data=OLD, mode=0o600):
    with open(path, 'wb') as handle:
        handle.write(data)
    os.chmod(path, mode)
    return os.stat(path)


def content(path):
    with open(path, 'rb') as handle:
        return handle.read()


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def temp_files(directory):
    return [name for name in os.listdir(str(directory)) if name.endswith(TEMP_SUFFIX)]


# --- write_file: content -----------------------------------------------------------------------

def test_new_file_is_created_with_mode_0600_by_default(module, target):
    result = write_file(module, target, NEW)

    assert result.changed is True
    assert result.backup_file is None
    assert content(target) == NEW
    assert mode_of(target) == 0o600


def test_mode_none_means_0600_even_under_a_permissive_umask(module, target):
    old_umask = os.umask(0)
    try:
        write_file(module, target, NEW)
    finally:
        os.umask(old_umask)

    assert mode_of(target) == 0o600


@pytest.mark.parametrize('mode', ['0640', '640', 0o640, 'u=rw,g=r,o='])
def test_new_file_gets_the_requested_mode_in_any_ansible_form(module, target, mode):
    write_file(module, target, NEW, mode=mode)

    assert mode_of(target) == 0o640


def test_empty_content_is_written_as_an_empty_file(module, target):
    assert write_file(module, target, b'').changed is True
    assert content(target) == b''
    assert write_file(module, target, b'').changed is False


def test_identical_content_and_attributes_is_unchanged_and_keeps_the_inode(module, target):
    before = existing(target, NEW)

    result = write_file(module, target, NEW)

    after = os.stat(target)
    assert result.changed is False
    assert result.backup_file is None
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_different_content_replaces_the_file_and_never_touches_the_old_inode(module, target):
    existing(target, OLD)
    old_fd = os.open(target, os.O_RDONLY)
    try:
        result = write_file(module, target, NEW)

        assert result.changed is True
        assert content(target) == NEW
        assert os.stat(target).st_ino != os.fstat(old_fd).st_ino
        os.lseek(old_fd, 0, os.SEEK_SET)
        assert os.read(old_fd, 1024) == OLD
    finally:
        os.close(old_fd)


def test_same_length_different_content_is_replaced(module, target):
    existing(target, b'AAAA')

    assert write_file(module, target, b'BBBB').changed is True
    assert content(target) == b'BBBB'


def test_text_instead_of_bytes_is_a_programming_error(module, target):
    with pytest.raises(TypeError):
        write_file(module, target, u'text')
    assert not os.path.exists(target)


# --- write_file: attributes --------------------------------------------------------------------

def test_mode_only_change_is_fixed_in_place_on_the_same_inode(module, target):
    before = existing(target, NEW, mode=0o600)

    result = write_file(module, target, NEW, mode='0640')

    assert result.changed is True
    assert mode_of(target) == 0o640
    assert os.stat(target).st_ino == before.st_ino
    assert write_file(module, target, NEW, mode='0640').changed is False


def test_default_mode_tightens_a_loose_existing_file(module, target):
    before = existing(target, NEW, mode=0o644)

    assert write_file(module, target, NEW).changed is True
    assert mode_of(target) == 0o600
    assert os.stat(target).st_ino == before.st_ino


def test_new_content_on_a_loose_file_arrives_with_the_default_mode(module, target):
    existing(target, OLD, mode=0o644)

    write_file(module, target, NEW)

    assert mode_of(target) == 0o600


def test_relative_symbolic_mode_applies_to_the_existing_mode(module, target):
    existing(target, OLD, mode=0o600)

    write_file(module, target, NEW, mode='g+r')

    assert mode_of(target) == 0o640
    assert write_file(module, target, NEW, mode='g+r').changed is False


def test_temp_file_has_its_final_mode_and_full_content_before_the_rename(module, target, monkeypatch):
    seen = {}
    real_replace = os.replace

    def spy_replace(src, dst):
        seen['name'] = os.path.basename(src)
        seen['mode'] = mode_of(src)
        seen['content'] = content(src)
        real_replace(src, dst)

    monkeypatch.setattr(_files.os, 'replace', spy_replace)
    write_file(module, target, NEW, mode='0640')

    assert seen['name'].startswith('.endpoint.json.')
    assert seen['name'].endswith(TEMP_SUFFIX)
    assert seen['mode'] == 0o640
    assert seen['content'] == NEW


def test_owner_and_group_given_as_current_ids_are_not_a_change(module, target):
    existing(target, NEW)

    result = write_file(module, target, NEW, owner=os.geteuid(), group=str(os.getegid()))

    assert result.changed is False


@requires_root
def test_owner_is_set_on_the_temp_file_before_the_rename(module, target, monkeypatch):
    seen = {}
    real_replace = os.replace

    def spy_replace(src, dst):
        seen['uid'] = os.stat(src).st_uid
        real_replace(src, dst)

    monkeypatch.setattr(_files.os, 'replace', spy_replace)
    write_file(module, target, NEW, owner=65534)

    assert seen['uid'] == 65534
    assert os.stat(target).st_uid == 65534


@requires_root
def test_existing_owner_is_kept_when_no_owner_is_given(module, target):
    existing(target, OLD)
    os.chown(target, 65534, 65534)

    write_file(module, target, NEW)

    after = os.stat(target)
    assert (after.st_uid, after.st_gid) == (65534, 65534)


@requires_root
def test_owner_only_change_is_fixed_in_place(module, target):
    before = existing(target, NEW)

    assert write_file(module, target, NEW, owner='65534').changed is True
    after = os.stat(target)
    assert (after.st_ino, after.st_uid) == (before.st_ino, 65534)


def refuse_chown(fd, uid, gid):
    raise OSError(errno.EPERM, 'Operation not permitted')


@requires_root
def test_keeping_the_existing_owner_is_best_effort_when_not_permitted(module, target, monkeypatch):
    existing(target, OLD)
    os.chown(target, 65534, 65534)
    monkeypatch.setattr(_files.os, 'fchown', refuse_chown)

    assert write_file(module, target, NEW).changed is True
    assert content(target) == NEW


def test_requested_owner_that_cannot_be_set_fails_and_keeps_the_old_file(module, target, tmp_path, monkeypatch):
    existing(target, OLD)
    monkeypatch.setattr(_files.os, 'fchown', refuse_chown)

    with pytest.raises(FilesError, match=r'Could not write .*endpoint\.json: Operation not permitted\.'):
        write_file(module, target, NEW, owner=65534)

    assert content(target) == OLD
    assert temp_files(tmp_path) == []


def test_unknown_owner_fails_clearly_before_anything_is_written(module, target):
    with pytest.raises(FilesError, match=r"endpoint\.json: owner 'no-such-user-nbwss' does not exist"):
        write_file(module, target, NEW, owner='no-such-user-nbwss')
    assert not os.path.exists(target)


@pytest.mark.parametrize('mode', ['rw-rw', 'u=rwz', '99', 0o17777, True])
def test_invalid_mode_fails_clearly_even_in_check_mode(check_module, target, mode):
    with pytest.raises(FilesError, match='endpoint.json: mode'):
        write_file(check_module, target, NEW, mode=mode)


def test_attributes_differ_names_what_differs(module, target):
    existing(target, NEW, mode=0o644)

    assert attributes_differ(target) == ['mode']
    assert attributes_differ(target, mode='0644', owner=os.geteuid()) == []


def test_resolve_mode_reads_modes_like_ansible():
    assert resolve_mode(None) == 0o600
    assert resolve_mode('0755') == 0o755
    assert resolve_mode('u=rwx,g=rx,o=') == 0o750
    assert resolve_mode('o+r', current_mode=0o640) == 0o644


# --- write_file: check mode --------------------------------------------------------------------

def test_check_mode_does_not_create_a_missing_file_but_reports_the_change(check_module, target, tmp_path):
    result = write_file(check_module, target, NEW, backup=True)

    assert result.changed is True
    assert result.backup_file is None
    assert os.listdir(str(tmp_path)) == []


def test_check_mode_keeps_existing_bytes_and_inode_but_reports_the_change(check_module, target, tmp_path):
    before = existing(target, OLD)

    result = write_file(check_module, target, NEW, backup=True)

    assert result.changed is True
    assert content(target) == OLD
    assert os.stat(target).st_ino == before.st_ino
    assert sorted(os.listdir(str(tmp_path))) == ['endpoint.json']


def test_check_mode_reports_a_mode_change_without_applying_it(check_module, target):
    existing(target, NEW, mode=0o644)

    assert write_file(check_module, target, NEW).changed is True
    assert mode_of(target) == 0o644


def test_check_mode_reports_no_change_when_nothing_differs(check_module, target):
    existing(target, NEW)

    assert write_file(check_module, target, NEW).changed is False


# --- write_file: backup ------------------------------------------------------------------------

def test_backup_keeps_a_copy_of_the_old_bytes(module, target):
    existing(target, OLD)

    result = write_file(module, target, NEW, backup=True)

    assert result.changed is True
    assert result.backup_file is not None
    assert os.path.dirname(result.backup_file) == os.path.dirname(target)
    assert content(result.backup_file) == OLD
    assert content(target) == NEW


def test_no_backup_is_made_for_a_new_file_or_an_unchanged_one(module, target, tmp_path):
    assert write_file(module, target, NEW, backup=True).backup_file is None
    assert write_file(module, target, NEW, backup=True).backup_file is None
    assert os.listdir(str(tmp_path)) == ['endpoint.json']


# --- write_file: failures leave the old file and no temp file ----------------------------------

def test_no_temp_file_is_left_after_success(module, target, tmp_path):
    write_file(module, target, OLD)
    write_file(module, target, NEW, mode='0640')

    assert os.listdir(str(tmp_path)) == ['endpoint.json']


def test_failed_rename_leaves_the_old_file_and_no_temp_file(module, target, tmp_path, monkeypatch):
    existing(target, OLD)

    def broken_replace(src, dst):
        raise OSError(5, 'Input/output error')

    monkeypatch.setattr(_files.os, 'replace', broken_replace)
    with pytest.raises(FilesError, match=r'Could not write .*endpoint\.json: Input/output error\.'):
        write_file(module, target, NEW)

    assert content(target) == OLD
    assert temp_files(tmp_path) == []


def test_failed_fsync_leaves_no_temp_file_and_no_new_file(module, target, tmp_path, monkeypatch):
    def broken_fsync(fd):
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(_files.os, 'fsync', broken_fsync)
    with pytest.raises(FilesError, match='No space left on device'):
        write_file(module, target, NEW)

    assert os.listdir(str(tmp_path)) == []


def test_interrupt_during_the_write_removes_the_temp_file_and_propagates(module, target, tmp_path, monkeypatch):
    existing(target, OLD)

    def interrupted_fchmod(fd, mode):
        raise KeyboardInterrupt()

    monkeypatch.setattr(_files.os, 'fchmod', interrupted_fchmod)
    with pytest.raises(KeyboardInterrupt):
        write_file(module, target, NEW)

    assert content(target) == OLD
    assert temp_files(tmp_path) == []


def test_missing_directory_fails_clearly(module, tmp_path):
    path = str(tmp_path / 'missing' / 'endpoint.json')

    with pytest.raises(FilesError, match='Could not create a temporary file in .*missing to write'):
        write_file(module, path, NEW)


def test_writing_through_a_symlink_is_refused_and_the_target_is_untouched(module, target, tmp_path):
    real = str(tmp_path / 'real.json')
    existing(real, OLD)
    os.symlink(real, target)

    with pytest.raises(FilesError, match='Refusing to write .*endpoint.json: it is a symlink'):
        write_file(module, target, NEW)

    assert os.path.islink(target)
    assert content(real) == OLD


def test_writing_over_a_directory_is_refused(module, target):
    os.mkdir(target)

    with pytest.raises(FilesError, match='it is a directory'):
        write_file(module, target, NEW)


# --- remove_file -------------------------------------------------------------------------------

def test_remove_file_removes_a_regular_file_and_is_idempotent(module, target):
    existing(target)

    assert remove_file(module, target)[:2] == (True, None)
    assert not os.path.exists(target)
    assert remove_file(module, target)[:2] == (False, None)


def test_remove_file_in_check_mode_reports_but_keeps_the_file(check_module, target):
    existing(target)

    assert remove_file(check_module, target, backup=True)[:2] == (True, None)
    assert content(target) == OLD


def test_remove_file_with_backup_keeps_a_copy(module, target):
    existing(target)

    result = remove_file(module, target, backup=True)

    assert result.changed is True
    assert content(result.backup_file) == OLD
    assert not os.path.exists(target)


def test_remove_file_removes_a_symlink_but_never_its_target(module, target, tmp_path):
    real = str(tmp_path / 'real.json')
    existing(real)
    os.symlink(real, target)

    assert remove_file(module, target, backup=True)[:2] == (True, None)
    assert not os.path.lexists(target)
    assert content(real) == OLD


def test_remove_file_refuses_a_directory(module, target):
    os.mkdir(target)

    with pytest.raises(FilesError, match='Refusing to remove .*endpoint.json: it is a directory'):
        remove_file(module, target)
    assert os.path.isdir(target)


# --- read_file ---------------------------------------------------------------------------------

def test_read_file_returns_the_bytes_or_none_when_missing(target):
    assert read_file(target, 1024) is None
    existing(target, OLD)
    assert read_file(target, 1024) == OLD


def test_read_file_accepts_exactly_max_bytes_and_refuses_one_more(target):
    existing(target, b'x' * 10)

    assert read_file(target, 10) == b'x' * 10
    with pytest.raises(FilesError, match=r'Refusing to read .*endpoint\.json: it is larger than 9 bytes\.'):
        read_file(target, 9)


def test_read_file_refuses_a_directory(target):
    os.mkdir(target)

    with pytest.raises(FilesError, match='it is a directory'):
        read_file(target, 1024)


def test_read_file_refuses_a_symlink(target, tmp_path):
    real = str(tmp_path / 'real.json')
    existing(real)
    os.symlink(real, target)

    with pytest.raises(FilesError, match='it is a symlink'):
        read_file(target, 1024)


def test_read_file_refuses_a_fifo_without_blocking(target):
    os.mkfifo(target)

    with pytest.raises(FilesError, match='it is not a regular file'):
        read_file(target, 1024)


# --- hardening: backups are the old inode, stale temp files, own symbolic modes, ids, SELinux -----

def test_backup_is_the_old_inode_with_its_mode_and_owner_under_any_umask(module, target):
    old = existing(target, OLD, mode=0o640)
    previous = os.umask(0o000)
    try:
        result = write_file(module, target, NEW, mode='0640', backup=True)
    finally:
        os.umask(previous)

    backup = os.stat(result.backup_file)
    assert backup.st_ino == old.st_ino
    assert stat.S_IMODE(backup.st_mode) == 0o640 and (backup.st_uid, backup.st_gid) == (old.st_uid, old.st_gid)
    assert content(result.backup_file) == OLD and content(target) == NEW


def test_backup_never_exists_with_a_looser_mode_even_for_an_instant(module, target, monkeypatch):
    existing(target, OLD, mode=0o600)
    seen = []
    real_link = os.link

    def spying_link(src, dst, *args, **kwargs):
        real_link(src, dst, *args, **kwargs)
        seen.append(stat.S_IMODE(os.stat(dst).st_mode))

    monkeypatch.setattr(os, 'link', spying_link)
    write_file(module, target, NEW, backup=True)

    assert seen == [0o600]


def test_backup_falls_back_to_a_safe_copy_without_hard_links(module, target, monkeypatch):
    existing(target, OLD, mode=0o600)

    def no_links(src, dst, *args, **kwargs):
        raise OSError(errno.EPERM, 'Operation not permitted')

    monkeypatch.setattr(os, 'link', no_links)
    result = write_file(module, target, NEW, backup=True)

    assert content(result.backup_file) == OLD and stat.S_IMODE(os.stat(result.backup_file).st_mode) == 0o600


def test_remove_with_backup_renames_the_old_inode(module, target):
    old = existing(target, OLD, mode=0o600)

    result = remove_file(module, target, backup=True)

    assert os.stat(result.backup_file).st_ino == old.st_ino and not os.path.exists(target)


def stale_temp(directory, name='endpoint.json', age=STALE_TEMP_AGE + 60):
    fd, path = tempfile.mkstemp(dir=str(directory), prefix='.%s.' % name, suffix=TEMP_SUFFIX)
    os.write(fd, b'leftover')
    os.close(fd)
    past = time.time() - age
    os.utime(path, (past, past))
    return path


def test_the_next_write_removes_stale_temp_files_and_reports_them(module, target, tmp_path):
    leftovers = sorted([stale_temp(tmp_path), stale_temp(tmp_path, name='other.sealed')])

    result = write_file(module, target, NEW)

    assert sorted(result.stale_removed) == leftovers
    assert os.listdir(str(tmp_path)) == ['endpoint.json']


def test_check_mode_reports_stale_temp_files_without_removing_them(check_module, target, tmp_path):
    leftover = stale_temp(tmp_path)

    result = write_file(check_module, target, NEW)

    assert result.stale_removed == [leftover] and os.path.exists(leftover)


def test_a_fresh_temp_file_is_never_removed(module, target, tmp_path):
    young = stale_temp(tmp_path, age=0)

    write_file(module, target, NEW)

    assert os.path.exists(young)


def test_a_temp_file_locked_by_a_live_writer_is_never_removed_however_old(module, target, tmp_path):
    live = stale_temp(tmp_path, age=10 * 3600)
    holder = os.open(live, os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        assert stale_temp_files(str(tmp_path), remove=True) == []
        write_file(module, target, NEW)
        assert os.path.exists(live)
    finally:
        os.close(holder)
    assert stale_temp_files(str(tmp_path), remove=True) == [live]


def test_the_writer_holds_a_lock_on_its_temp_file_until_the_rename(module, target, tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace

    def checking_replace(src, dst):
        probe = os.open(src, os.O_RDONLY)
        try:
            fcntl.flock(probe, fcntl.LOCK_SH | fcntl.LOCK_NB)
            seen.append('unlocked')
        except OSError:
            seen.append('locked')
        finally:
            os.close(probe)
        return real_replace(src, dst)

    monkeypatch.setattr(os, 'replace', checking_replace)
    write_file(module, target, NEW)

    assert seen == ['locked']


@pytest.mark.parametrize('text, current', [
    ('u=rw,g=r,o=', 0o777), ('u=rw', 0o640), ('g+r', 0o600), ('o-rwx', 0o777), ('a=r', 0o600), ('=rw', 0o000),
    ('u+x,g=u', 0o640), ('ug=rw,o=', 0o755), ('u=rwX', 0o644), ('u=rwX', 0o744), ('g-w,o-w', 0o666),
    ('u+s,g+s', 0o750), ('o+t', 0o640), ('a-x', 0o755), ('go=', 0o666), ('u=rw-x+X', 0o755), ('u+-r', 0o644),
    ('=rwx', 0o000), ('+x', 0o600), ('o=g', 0o640),
])
def test_symbolic_mode_means_what_it_means_to_ansible(text, current):
    fake_stat = os.stat_result((stat.S_IFREG | current, 0, 0, 0, 0, 0, 0, 0, 0, 0))
    # Ansible's own private parser is the oracle here; the collection no longer calls it.
    assert symbolic_mode(text, current) == AnsibleModule._symbolic_mode_to_octal(fake_stat, text)


@pytest.mark.parametrize('bad', ['u=rwz', 'x=rw', 'u', 'u=r,', ''])
def test_invalid_symbolic_modes_are_refused(bad):
    with pytest.raises(FilesError, match='octal or symbolic'):
        resolve_mode(bad)


@pytest.mark.parametrize('owner', ['-5', -5, 2 ** 32, '4294967295', str(2 ** 40)])
def test_out_of_range_owner_is_a_clear_error_not_an_overflow(module, target, owner):
    with pytest.raises(FilesError, match='is not a valid user id'):
        write_file(module, target, NEW, owner=owner)
    assert not os.path.exists(target)


def test_a_replaced_file_keeps_its_selinux_context(module, target, monkeypatch):
    from ansible.module_utils.compat import selinux as real_selinux
    existing(target, OLD)
    calls = []
    fake = type('FakeSelinux', (), {
        'lgetfilecon_raw': staticmethod(lambda path: calls.append(('get', path)) or [0, 'system_u:object_r:nbwss_t:s0']),
        'lsetfilecon': staticmethod(lambda path, con: calls.append(('set', os.path.basename(path), con)) or 0),
    })
    monkeypatch.setattr(real_selinux, 'lgetfilecon_raw', fake.lgetfilecon_raw, raising=False)
    monkeypatch.setattr(real_selinux, 'lsetfilecon', fake.lsetfilecon, raising=False)
    monkeypatch.setattr(AnsibleModule, 'selinux_enabled', lambda self: True)

    write_file(module, target, NEW)

    assert calls[0] == ('get', target)
    assert calls[1][0] == 'set' and calls[1][1].endswith(TEMP_SUFFIX) and calls[1][2] == 'system_u:object_r:nbwss_t:s0'
    assert content(target) == NEW


def test_without_selinux_no_context_is_read(module, target, monkeypatch):
    existing(target, OLD)
    monkeypatch.setattr(AnsibleModule, 'selinux_enabled', lambda self: False)

    assert write_file(module, target, NEW).changed is True


def test_write_problem_is_none_for_a_writable_target(tmp_path):
    assert write_problem(str(tmp_path / 'new.json')) is None


def test_write_problem_names_a_missing_directory_and_a_directory_at_the_path(tmp_path):
    assert 'does not exist' in write_problem(str(tmp_path / 'nope' / 'x.json'))
    os.mkdir(str(tmp_path / 'x.json'))
    assert 'it is a directory' in write_problem(str(tmp_path / 'x.json'))


def as_user_nobody(function, *args):
    """``function(*args)`` in a forked child running as user nobody; returns its text result."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop to nobody, answer through the pipe, never return into pytest
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            os.write(write_end, str(function(*args)).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, 'rb') as pipe:
        answer = pipe.read().decode()
    os.waitpid(pid, 0)
    return answer


@pytest.mark.skipif(os.geteuid() != 0, reason='runs the check as another user')
def test_write_problem_sees_a_directory_another_user_cannot_write():
    # pytest's tmp_path sits in a directory only root may enter: use one that user nobody can reach.
    directory = tempfile.mkdtemp(prefix='nbwss-ro-')
    os.chmod(directory, 0o755)
    try:
        answer = as_user_nobody(write_problem, os.path.join(directory, 'x.json'))
    finally:
        os.rmdir(directory)
    assert 'is not writable by user nobody' in answer
