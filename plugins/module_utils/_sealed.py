# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""The sealed (encrypted-at-rest) endpoint file format, version 1.

A sealed file is two ASCII lines, each ending in a newline::

    NBWSS-SEALED/1 AES-256-GCM kid=<16 lowercase hex>
    <base64 of nonce (12 bytes) || AES-256-GCM ciphertext and 16-byte tag>

The header line (without its newline) is the AES-GCM associated data. The
format is specified in docs/sealed-format.md; keep the two in step.

This file seals and unseals bytes; it never parses endpoints. No message or
exception raised here contains key material or plaintext.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import binascii
import collections
import hashlib
import hmac
import os
import re

from ansible_collections.netbackup.nbwss.plugins.module_utils._cryptography import (
    AESGCM,
    CRYPTOGRAPHY_IMPORT_ERROR,
    HAS_CRYPTOGRAPHY,
    InvalidTag,
    cryptography_problem,
    require_cryptography,
)

# Re-exported so a module needs only this file for sealed work.
__all__ = [
    'ALGORITHM', 'CRYPTOGRAPHY_IMPORT_ERROR', 'FORMAT_VERSION', 'HAS_CRYPTOGRAPHY', 'KEY_ID_LENGTH', 'KEY_SIZE',
    'MAGIC', 'MAX_SEALED_SIZE', 'NONCE_SIZE', 'TAG_SIZE',
    'KeyFormatError', 'NotSealedError', 'SealedError', 'TamperedError', 'UnsupportedFormatError',
    'Unsealed', 'WrongKeyError',
    'encode_key', 'envelope_key_id', 'generate_key', 'is_sealed', 'key_id', 'parse_key',
    'require_cryptography', 'seal', 'unseal',
]

MAGIC = b'NBWSS-SEALED/'
FORMAT_VERSION = 1
ALGORITHM = 'AES-256-GCM'
KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16
KEY_ID_LENGTH = 16
KEY_ID_LABEL = b'netbackup.nbwss key id v1'
MAX_SEALED_SIZE = 1024 * 1024

_KID_RE = re.compile(br'\Akid=([0-9a-f]{%d})\Z' % KEY_ID_LENGTH)
_VERSION_RE = re.compile(br'\A[0-9]{1,9}\Z')
_BASE64_RE = re.compile(br'\A[A-Za-z0-9+/]*={0,2}\Z')


class SealedError(Exception):
    """Base class: anything that goes wrong with sealed data or keys. Messages never hold secrets."""


class KeyFormatError(SealedError):
    """A key is not 32 bytes of standard or urlsafe base64, or a key file is unusable."""


class NotSealedError(SealedError):
    """The data is not a sealed envelope (it does not start with ``NBWSS-SEALED/``)."""


class UnsupportedFormatError(SealedError):
    """A sealed envelope of a format version or algorithm this code does not know."""


class WrongKeyError(SealedError):
    """None of the given keys has the envelope's key id."""


class TamperedError(SealedError):
    """The envelope is malformed, too large, or fails authentication with the key of its key id."""


class Unsealed(collections.namedtuple('Unsealed', ['plaintext', 'key_id', 'rekey_needed'])):
    """Result of ``unseal``.

    ``plaintext``: the bytes that were sealed; ``key_id``: the key id in the envelope;
    ``rekey_needed``: True when the key that opened it is not ``keys[0]`` (the current key).
    """
    __slots__ = ()


def _as_bytes(data, what):
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    raise TypeError('%s must be bytes, not %s' % (what, type(data).__name__))


def _check_key(key, what='key'):
    if not isinstance(key, (bytes, bytearray)) or len(key) != KEY_SIZE:
        raise KeyFormatError('%s must be %d raw bytes (use parse_key to decode base64 text)' % (what, KEY_SIZE))
    return bytes(key)


def _require_backend():
    problem = cryptography_problem()
    if problem is not None:
        raise SealedError(problem)


def _shown(raw, limit=32):
    """A short printable rendering of untrusted header bytes for error messages."""
    text = raw[:limit].decode('ascii', 'backslashreplace')
    return text + ('...' if len(raw) > limit else '')


def generate_key():
    """Return a fresh random 32-byte key."""
    return os.urandom(KEY_SIZE)


def encode_key(key):
    """Return the standard base64 text (native str, no newline) of a 32-byte key, as ``parse_key`` reads it."""
    return base64.b64encode(_check_key(key)).decode('ascii')


def parse_key(text, source='key'):
    """Decode key text (32 bytes as standard or urlsafe base64; padding optional, surrounding whitespace ignored).

    ``source`` names the key in error messages (e.g. ``previous_keys[1]``).
    Raises KeyFormatError, whose message never contains the text.
    """
    problem = None
    if isinstance(text, (bytes, bytearray)):
        raw = bytes(text)
    elif isinstance(text, str):
        try:
            raw = text.encode('ascii')
        except UnicodeEncodeError:
            raw = None
            problem = 'contains non-ASCII characters'
    else:
        raise KeyFormatError('%s must be text (base64 of %d bytes), not %s' % (source, KEY_SIZE, type(text).__name__))
    if problem is None:
        raw = raw.strip()
        if not raw:
            problem = 'is empty'
    if problem is None:
        # Accept the urlsafe alphabet and missing padding: both are common ways to paste a key.
        raw = raw.replace(b'-', b'+').replace(b'_', b'/')
        raw += b'=' * (-len(raw) % 4)
        if not _BASE64_RE.match(raw):
            problem = 'is not valid base64'
    if problem is None:
        try:
            key = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            key = None
            problem = 'is not valid base64'
    if problem is None and len(key) != KEY_SIZE:
        problem = 'decodes to %d bytes, expected %d' % (len(key), KEY_SIZE)
    # Raised outside any except block so no chained exception can carry the text.
    if problem is not None:
        raise KeyFormatError('%s %s: a key is %d random bytes in base64, e.g. from "openssl rand -base64 %d"'
                             % (source, problem, KEY_SIZE, KEY_SIZE))
    return key


def key_id(key):
    """Return the key id: the first 16 hex digits of HMAC-SHA256(key, b"netbackup.nbwss key id v1")."""
    return hmac.new(_check_key(key), KEY_ID_LABEL, hashlib.sha256).hexdigest()[:KEY_ID_LENGTH]


def is_sealed(data):
    """True iff ``data`` (bytes) starts with ``NBWSS-SEALED/``; says nothing about validity."""
    return _as_bytes(data, 'data').startswith(MAGIC)


def _parse_header(data):
    """Return (header bytes, key id) of an envelope; checks magic, version, algorithm and kid syntax."""
    data = _as_bytes(data, 'data')
    if not data.startswith(MAGIC):
        raise NotSealedError('data is not a sealed file: it does not start with %s' % MAGIC.decode('ascii'))
    end = data.find(b'\n')
    header = data if end < 0 else data[:end]
    fields = header[len(MAGIC):].split(b' ')
    version = fields[0]
    if not _VERSION_RE.match(version):
        raise TamperedError('sealed file header is malformed: bad format version %r' % _shown(version))
    if int(version) != FORMAT_VERSION:
        raise UnsupportedFormatError('unsupported sealed format version %d (this collection reads version %d); '
                                     'use a newer netbackup.nbwss' % (int(version), FORMAT_VERSION))
    if len(fields) < 2 or fields[1] != ALGORITHM.encode('ascii'):
        raise UnsupportedFormatError('unsupported sealed algorithm %r (format version %d uses %s)'
                                     % (_shown(fields[1] if len(fields) > 1 else b''), FORMAT_VERSION, ALGORITHM))
    match = _KID_RE.match(fields[2]) if len(fields) == 3 else None
    if match is None:
        raise TamperedError('sealed file header is malformed: expected "%s%d %s kid=<%d hex digits>"'
                            % (MAGIC.decode('ascii'), FORMAT_VERSION, ALGORITHM, KEY_ID_LENGTH))
    return header, match.group(1).decode('ascii')


def envelope_key_id(data):
    """Return the key id named in a sealed envelope's header, without decrypting.

    Raises NotSealedError, UnsupportedFormatError, or TamperedError for a malformed header.
    """
    return _parse_header(data)[1]


def seal(plaintext, key):
    """Encrypt ``plaintext`` (bytes) with a 32-byte ``key``; return the whole sealed file content (ends with b"\\n").

    A fresh random nonce is used on every call, so sealing the same plaintext twice gives different bytes.
    """
    plaintext = _as_bytes(plaintext, 'plaintext')
    key = _check_key(key)
    _require_backend()
    header = ('%s%d %s kid=%s' % (MAGIC.decode('ascii'), FORMAT_VERSION, ALGORITHM, key_id(key))).encode('ascii')
    nonce = os.urandom(NONCE_SIZE)
    body = base64.b64encode(nonce + AESGCM(key).encrypt(nonce, plaintext, header))
    sealed = header + b'\n' + body + b'\n'
    if len(sealed) > MAX_SEALED_SIZE:
        raise SealedError('plaintext of %d bytes is too large to seal: a sealed file is at most %d bytes'
                          % (len(plaintext), MAX_SEALED_SIZE))
    return sealed


def unseal(data, keys):
    """Decrypt a sealed envelope with the first of ``keys`` ([current_key, *previous_keys]) whose key id matches.

    Returns Unsealed(plaintext, key_id, rekey_needed). Raises NotSealedError, UnsupportedFormatError,
    WrongKeyError (no key has the envelope's key id) or TamperedError (malformed, over 1 MiB, or fails authentication).
    """
    data = _as_bytes(data, 'data')
    if isinstance(keys, (bytes, bytearray)):
        raise TypeError('keys must be a list of keys, not a single key')
    keys = [_check_key(key, 'keys[%d]' % index) for index, key in enumerate(keys)]
    if not keys:
        raise KeyFormatError('no key given to unseal with')
    if not data.startswith(MAGIC):
        raise NotSealedError('data is not a sealed file: it does not start with %s' % MAGIC.decode('ascii'))
    if len(data) > MAX_SEALED_SIZE:
        raise TamperedError('sealed file is %d bytes, larger than the %d bytes a sealed file may have' % (len(data), MAX_SEALED_SIZE))
    header, kid = _parse_header(data)
    rest = data[len(header):]
    if not rest.startswith(b'\n') or not rest.endswith(b'\n') or rest.count(b'\n') != 2:
        raise TamperedError('sealed file is truncated or malformed: expected a header line and one base64 line, each ending in a newline')
    body = rest[1:-1]
    raw = None
    if _BASE64_RE.match(body):
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raw = None
    if raw is None:
        raise TamperedError('sealed file (key id %s) is corrupted: its second line is not valid base64' % kid)
    if len(raw) < NONCE_SIZE + TAG_SIZE:
        raise TamperedError('sealed file (key id %s) is truncated: %d bytes of data, at least %d expected'
                            % (kid, len(raw), NONCE_SIZE + TAG_SIZE))
    key_ids = [key_id(key) for key in keys]
    if kid not in key_ids:
        # "key id mismatch": the words an administrator searches logs and docs for.
        raise WrongKeyError('the file was sealed with key id %s, which matches none of the keys given '
                            '(key id mismatch; key ids tried: %s)' % (kid, ', '.join(key_ids)))
    index = key_ids.index(kid)
    _require_backend()
    try:
        plaintext = AESGCM(keys[index]).decrypt(raw[:NONCE_SIZE], raw[NONCE_SIZE:], header)
    except InvalidTag:
        plaintext = None
    if plaintext is None:
        raise TamperedError('sealed file (key id %s) failed authentication with the matching key: '
                            'it was modified or corrupted after sealing' % kid)
    return Unsealed(plaintext=plaintext, key_id=kid, rekey_needed=index != 0)
