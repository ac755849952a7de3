# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""The key ring built from module options: ``key`` or ``key_file``, and ``previous_keys``.

The options are declared once here (``key_argument_spec``) and documented once in the
``netbackup.nbwss.sealed`` doc fragment. Every key text, and every other form a key file may
hold it in, is masked in the module's output. A key file must be private to its owner, as ssh
requires of private keys. Errors name the option or file, never key material.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import errno
import os
import stat

from ansible_collections.netbackup.nbwss.plugins.module_utils._module import TaskError, mask_secrets
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import KeyFormatError, key_id, parse_key

MAX_KEY_FILE_SIZE = 4 * 1024

_NOFOLLOW = getattr(os, 'O_NOFOLLOW', 0)
_NONBLOCK = getattr(os, 'O_NONBLOCK', 0)


class KeyFileError(KeyFormatError):
    """A key file cannot be used: missing, unreadable, not private, empty or too large."""


def key_argument_spec():
    """``key``, ``key_file`` and ``previous_keys``: the netbackup.nbwss.sealed doc fragment."""
    return dict(
        key=dict(type='str', no_log=True),
        key_file=dict(type='path', no_log=False),
        previous_keys=dict(type='list', elements='str', no_log=True),
    )


def read_key_file(path):
    """Read and decode a key file (base64 text of 32 bytes; surrounding white space ignored).

    Raises KeyFileError for a missing or unreadable file, one that group or others may access
    (mode & 0077), an empty one or one over 4 KiB, and KeyFormatError for bad content. Messages
    name the file, never its content.
    """
    problem = None
    content = None
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK)
    except OSError as err:
        fd = None
        problem = 'cannot be read: %s' % (err.strerror or err.__class__.__name__)
    if fd is not None:
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                problem = 'is not a regular file'
            elif stat.S_IMODE(st.st_mode) & 0o077:
                problem = ('is accessible by group or others (mode %04o); a key file must be private to its owner, '
                           'as ssh requires of private keys: run chmod 600 %s' % (stat.S_IMODE(st.st_mode), path))
            else:
                content = os.read(fd, MAX_KEY_FILE_SIZE + 1)
        except OSError as err:
            problem = 'cannot be read: %s' % (err.strerror or errno.errorcode.get(err.errno, 'error'))
        finally:
            os.close(fd)
    if problem is None and len(content) > MAX_KEY_FILE_SIZE:
        problem = 'is larger than %d bytes; a key file holds only the base64 text of one key' % MAX_KEY_FILE_SIZE
    if problem is None and not content.strip():
        problem = 'is empty'
    if problem is not None:
        raise KeyFileError('key file %s %s' % (path, problem))
    return parse_key(content, source='key file %s' % path)


def sealing_key_problem(fmt, has_key, names=('format', 'key', 'key_file')):
    """The one rule about keys and formats: a sealed file needs a key to seal with. Its sentence, else None.

    ``names`` are what the caller calls the format, the key and the key file (module options, or the
    rollout role's variables).
    """
    if fmt != 'sealed' or has_key:
        return None
    return '%s sealed needs a key to seal with; give %s or %s.' % names


class KeyRing(object):
    """The current key (may be None) and the previous keys, as 32-byte keys."""

    def __init__(self, current=None, previous=()):
        self.current = current
        self.previous = list(previous)

    @classmethod
    def from_texts(cls, key=None, previous_keys=None, names=('key', 'previous_keys')):
        """The ring of a base64 ``key`` and ``previous_keys``, named ``names`` in errors; raise TaskError for a bad one."""
        try:
            current = parse_key(key, source=names[0]) if key is not None else None
            previous = [parse_key(text, source='%s[%d]' % (names[1], index)) for index, text in enumerate(previous_keys or [])]
        except KeyFormatError as err:
            raise TaskError(str(err))
        return cls(current, previous)

    @classmethod
    def from_params(cls, module, key=None, key_file=None, previous_keys=None):
        """Decode ``key`` / ``key_file`` / ``previous_keys``; raise TaskError for a bad one.

        Every key is masked in the module's output in each form it may be written in.
        """
        mask_secrets(module, key, *(previous_keys or []))
        ring = cls.from_texts(key, previous_keys)
        if key is None and key_file is not None:
            try:
                ring.current = read_key_file(key_file)
            except KeyFormatError as err:
                raise TaskError(str(err))
        for raw in [ring.current] + ring.previous:
            if raw is not None:
                standard = base64.b64encode(raw).decode('ascii')
                urlsafe = base64.urlsafe_b64encode(raw).decode('ascii')
                mask_secrets(module, standard, standard.rstrip('='), urlsafe, urlsafe.rstrip('='))
        return ring

    def all(self):
        """``[current, *previous]`` without a missing current key: the order ``unseal`` tries them in."""
        return ([self.current] if self.current is not None else []) + self.previous

    @property
    def current_id(self):
        return None if self.current is None else key_id(self.current)
