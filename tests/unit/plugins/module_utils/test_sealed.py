# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import json
import os
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.netbackup.nbwss.plugins.module_utils import _cryptography
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import TaskError
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import (
    MAX_SEALED_SIZE,
    KeyFormatError,
    NotSealedError,
    SealedError,
    TamperedError,
    UnsupportedFormatError,
    Unsealed,
    WrongKeyError,
    encode_key,
    envelope_key_id,
    generate_key,
    is_sealed,
    key_id,
    parse_key,
    require_cryptography,
    seal,
    unseal,
)

DOC = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'docs', 'sealed-format.md')
TOKEN = 'tok-9f8e7d6c5b4a39281706f5e4d3c2b1a0-SECRET'
PLAINTEXT = (json.dumps({
    'token': TOKEN,
    'priority': 1,
    'groupId': 'group-a',
    'hostName': 'wss.example.com',
    'url': 'wss://wss.example.com/nbwss',
}, sort_keys=True) + '\n').encode('utf-8')
HEADER_RE = re.compile(br'\ANBWSS-SEALED/1 AES-256-GCM kid=([0-9a-f]{16})\n[A-Za-z0-9+/]+={0,2}\n\Z')


@pytest.fixture
def key():
    return generate_key()


def _lines(sealed):
    header, body, trailer = sealed.split(b'\n')
    assert trailer == b''
    return header, body


def _with_body(sealed, raw):
    header, dummy = _lines(sealed)
    return header + b'\n' + base64.b64encode(raw) + b'\n'


# Round trip and envelope shape

def test_seal_then_unseal_returns_the_plaintext(key):
    result = unseal(seal(PLAINTEXT, key), [key])
    assert isinstance(result, Unsealed)
    assert result.plaintext == PLAINTEXT
    assert result.key_id == key_id(key)
    assert result.rekey_needed is False


def test_sealed_file_is_two_ascii_lines_with_header_naming_key_id(key):
    sealed = seal(PLAINTEXT, key)
    match = HEADER_RE.match(sealed)
    assert match, sealed
    assert match.group(1).decode('ascii') == key_id(key)
    assert envelope_key_id(sealed) == key_id(key)
    assert is_sealed(sealed)
    nonce_ciphertext_tag = base64.b64decode(_lines(sealed)[1])
    assert len(nonce_ciphertext_tag) == 12 + len(PLAINTEXT) + 16


def test_every_seal_uses_a_fresh_nonce_and_each_result_unseals(key):
    first, second = seal(PLAINTEXT, key), seal(PLAINTEXT, key)
    assert first != second
    assert base64.b64decode(_lines(first)[1])[:12] != base64.b64decode(_lines(second)[1])[:12]
    assert unseal(first, [key]).plaintext == PLAINTEXT
    assert unseal(second, [key]).plaintext == PLAINTEXT


def test_sealed_bytes_contain_no_plaintext_and_no_token_fragment(key):
    sealed = seal(PLAINTEXT, key)
    assert PLAINTEXT not in sealed
    assert PLAINTEXT.strip() not in sealed
    assert base64.b64encode(TOKEN.encode('ascii')) not in sealed
    for start in range(len(TOKEN) - 6 + 1):
        assert TOKEN[start:start + 6].encode('ascii') not in sealed


def test_empty_plaintext_round_trips(key):
    assert unseal(seal(b'', key), [key]).plaintext == b''


@settings(max_examples=75, deadline=None)
@given(plaintext=st.binary(max_size=4096), key=st.binary(min_size=32, max_size=32))
def test_any_bytes_round_trip_with_any_key(plaintext, key):
    sealed = seal(plaintext, key)
    assert is_sealed(sealed)
    assert HEADER_RE.match(sealed)
    result = unseal(sealed, [key])
    assert result == Unsealed(plaintext=plaintext, key_id=key_id(key), rekey_needed=False)


def test_plaintext_too_large_to_fit_in_a_sealed_file_is_refused(key):
    with pytest.raises(SealedError, match='too large'):
        seal(b'x' * MAX_SEALED_SIZE, key)


# Keys that do not match

def test_wrong_key_names_key_ids_not_key_material(key):
    other, third = generate_key(), generate_key()
    with pytest.raises(WrongKeyError) as excinfo:
        unseal(seal(PLAINTEXT, key), [other, third])
    message = str(excinfo.value)
    assert message == ('the file was sealed with key id %s, which matches none of the keys given (key id mismatch; '
                       'key ids tried: %s, %s)' % (key_id(key), key_id(other), key_id(third)))
    for k in (key, other, third):
        assert encode_key(k) not in message
        assert k.hex() not in message
    assert TOKEN not in message


def test_header_kid_changed_to_an_unknown_id_is_a_wrong_key(key):
    sealed = seal(PLAINTEXT, key)
    forged = sealed.replace(key_id(key).encode('ascii'), b'0123456789abcdef', 1)
    with pytest.raises(WrongKeyError, match='0123456789abcdef'):
        unseal(forged, [key])


def test_header_kid_changed_to_another_given_key_fails_authentication(key):
    other = generate_key()
    forged = seal(PLAINTEXT, key).replace(key_id(key).encode('ascii'), key_id(other).encode('ascii'), 1)
    with pytest.raises(TamperedError, match='failed authentication'):
        unseal(forged, [other, key])


# Format version and algorithm

@pytest.mark.parametrize('old, new, expected', [
    (b'NBWSS-SEALED/1 ', b'NBWSS-SEALED/2 ', 'unsupported sealed format version 2'),
    (b'NBWSS-SEALED/1 ', b'NBWSS-SEALED/10 ', 'unsupported sealed format version 10'),
    (b'AES-256-GCM', b'AES-128-GCM', 'unsupported sealed algorithm'),
    (b'AES-256-GCM', b'CHACHA20-POLY1305', 'unsupported sealed algorithm'),
])
def test_unknown_version_or_algorithm_is_unsupported(key, old, new, expected):
    forged = seal(PLAINTEXT, key).replace(old, new, 1)
    with pytest.raises(UnsupportedFormatError, match=expected):
        unseal(forged, [key])
    with pytest.raises(UnsupportedFormatError, match=expected):
        envelope_key_id(forged)


@pytest.mark.parametrize('header', [
    b'NBWSS-SEALED/x AES-256-GCM kid=0123456789abcdef',
    b'NBWSS-SEALED/1 AES-256-GCM kid=0123456789ABCDEF',
    b'NBWSS-SEALED/1 AES-256-GCM kid=0123456789abcde',
    b'NBWSS-SEALED/1 AES-256-GCM  kid=0123456789abcdef',
    b'NBWSS-SEALED/1 AES-256-GCM kid=0123456789abcdef extra',
    b'NBWSS-SEALED/1 AES-256-GCM key=0123456789abcdef',
    b'NBWSS-SEALED/1 AES-256-GCM kid=0123456789abcdef\r',
])
def test_malformed_header_is_tampered(header):
    with pytest.raises(TamperedError, match='malformed'):
        envelope_key_id(header + b'\nAAAA\n')


# Tampering and truncation

def test_flipping_any_single_ciphertext_bit_is_tampered(key):
    sealed = seal(PLAINTEXT, key)
    raw = base64.b64decode(_lines(sealed)[1])
    for position in (0, 11, 12, len(raw) // 2, len(raw) - 1):
        flipped = bytearray(raw)
        flipped[position] ^= 0x01
        with pytest.raises(TamperedError, match='modified or corrupted'):
            unseal(_with_body(sealed, bytes(flipped)), [key])


@pytest.mark.parametrize('cut', [1, 2, 5, 40])
def test_truncated_file_is_tampered(key, cut):
    sealed = seal(PLAINTEXT, key)
    with pytest.raises(TamperedError):
        unseal(sealed[:-cut], [key])


def test_header_only_file_is_tampered(key):
    header = _lines(seal(PLAINTEXT, key))[0]
    for data in (header, header + b'\n'):
        with pytest.raises(TamperedError, match='truncated or malformed'):
            unseal(data, [key])


def test_body_shorter_than_nonce_and_tag_is_tampered(key):
    sealed = seal(PLAINTEXT, key)
    with pytest.raises(TamperedError, match='truncated'):
        unseal(_with_body(sealed, os.urandom(27)), [key])


@pytest.mark.parametrize('body', [b'not base64!', b'AAA', b'AA AA', b'QUFB\n', b'QUFB===='])
def test_body_that_is_not_base64_is_tampered(key, body):
    header = _lines(seal(PLAINTEXT, key))[0]
    with pytest.raises(TamperedError):
        unseal(header + b'\n' + body + b'\n', [key])


def test_extra_line_after_body_is_tampered(key):
    with pytest.raises(TamperedError, match='malformed'):
        unseal(seal(PLAINTEXT, key) + b'AAAA\n', [key])


def test_data_over_one_mebibyte_is_refused_before_decrypting(key):
    sealed = seal(PLAINTEXT, key)
    header = _lines(sealed)[0]
    huge = header + b'\n' + b'A' * MAX_SEALED_SIZE + b'\n'
    with pytest.raises(TamperedError, match='larger than'):
        unseal(huge, [key])


# Rotation

def test_file_sealed_with_previous_key_unseals_and_needs_rekey(key):
    new = generate_key()
    result = unseal(seal(PLAINTEXT, key), [new, key])
    assert result.plaintext == PLAINTEXT
    assert result.key_id == key_id(key)
    assert result.rekey_needed is True


def test_file_sealed_with_current_key_needs_no_rekey_even_with_previous_keys(key):
    old = generate_key()
    result = unseal(seal(PLAINTEXT, key), [key, old])
    assert result.rekey_needed is False


def test_resealing_with_current_key_clears_rekey_needed(key):
    new = generate_key()
    opened = unseal(seal(PLAINTEXT, key), [new, key])
    resealed = seal(opened.plaintext, new)
    assert envelope_key_id(resealed) == key_id(new)
    assert unseal(resealed, [new, key]).rekey_needed is False


def test_unseal_without_any_key_is_refused(key):
    with pytest.raises(SealedError):
        unseal(seal(PLAINTEXT, key), [])


# Not sealed

@pytest.mark.parametrize('data', [PLAINTEXT, b'', b'{}', b'nbwss-sealed/1 AES-256-GCM kid=0123456789abcdef\n', b' NBWSS-SEALED/1'])
def test_plain_json_and_other_data_is_not_sealed(key, data):
    assert is_sealed(data) is False
    with pytest.raises(NotSealedError):
        unseal(data, [key])
    with pytest.raises(NotSealedError):
        envelope_key_id(data)


def test_not_sealed_error_does_not_echo_the_data(key):
    with pytest.raises(NotSealedError) as excinfo:
        unseal(PLAINTEXT, [key])
    assert TOKEN not in str(excinfo.value)


# Keys: parsing and ids

def test_parse_key_accepts_standard_urlsafe_unpadded_and_surrounding_whitespace():
    raw = b'\xfb\xff\xbe' + os.urandom(29)
    standard = base64.b64encode(raw).decode('ascii')
    urlsafe = base64.urlsafe_b64encode(raw).decode('ascii')
    assert '+' in standard or '/' in standard
    for text in (standard, urlsafe, urlsafe.rstrip('='), '  %s\n' % standard, standard.encode('ascii')):
        assert parse_key(text) == raw
    assert parse_key(encode_key(raw)) == raw


@pytest.mark.parametrize('text', [
    base64.b64encode(b'k' * 16).decode('ascii'),
    base64.b64encode(b'k' * 31).decode('ascii'),
    base64.b64encode(b'k' * 33).decode('ascii'),
    base64.b64encode(b'k' * 64).decode('ascii'),
    'this is not base64 at all, it is a passphrase!!',
    base64.b64encode(b'k' * 32).decode('ascii')[:-2] + '*=',
    base64.b64encode(b'k' * 32).decode('ascii')[:20] + ' ' + base64.b64encode(b'k' * 32).decode('ascii')[20:],
    u'\u00e9' * 44,
    '',
    '   \n',
])
def test_parse_key_rejects_bad_keys_without_echoing_them(text):
    with pytest.raises(KeyFormatError) as excinfo:
        parse_key(text, source='previous_keys[0]')
    message = str(excinfo.value)
    assert message.startswith('previous_keys[0] ')
    if text.strip():
        assert text.strip() not in message
        assert text.strip()[:8] not in message
    assert excinfo.value.__cause__ is None and excinfo.value.__context__ is None


def test_parse_key_reports_decoded_length():
    with pytest.raises(KeyFormatError, match='decodes to 16 bytes, expected 32'):
        parse_key(base64.b64encode(os.urandom(16)))


def test_key_id_is_stable_16_hex_and_differs_per_key(key):
    assert key_id(key) == key_id(bytes(key))
    assert re.match(r'\A[0-9a-f]{16}\Z', key_id(key))
    ids = set(key_id(generate_key()) for dummy in range(50))
    assert len(ids) == 50
    assert key_id(key) not in ids


def test_key_id_is_the_documented_hmac():
    # Known answer: fixes the derivation so a change of label or truncation cannot slip in.
    import hashlib
    import hmac
    zero = b'\x00' * 32
    expected = hmac.new(zero, b'netbackup.nbwss key id v1', hashlib.sha256).hexdigest()[:16]
    assert key_id(zero) == expected


@pytest.mark.parametrize('bad', [b'short', b'x' * 33, u'x' * 32, None])
def test_raw_key_of_wrong_size_or_type_is_refused(bad):
    with pytest.raises(KeyFormatError):
        seal(PLAINTEXT, bad)
    with pytest.raises(KeyFormatError):
        key_id(bad)


# The hand-unsealing recipe in docs/sealed-format.md

def _doc_snippet():
    with open(DOC) as f:
        text = f.read()
    section = text.split('\n## Unsealing by hand\n', 1)[1].split('\n## ', 1)[0]
    match = re.search(r'^```python\n(.*?)^```$', section, re.MULTILINE | re.DOTALL)
    assert match, 'no ```python block under "## Unsealing by hand"'
    return match.group(1)


@pytest.mark.parametrize('encode', [base64.b64encode, base64.urlsafe_b64encode])
def test_doc_unsealing_by_hand_snippet_prints_the_plain_json(tmp_path, key, encode):
    script = tmp_path / 'unseal.py'
    script.write_text(_doc_snippet())
    sealed_path = tmp_path / 'endpoint.json'
    sealed_path.write_bytes(seal(PLAINTEXT, key))
    key_path = tmp_path / 'endpoints.key'
    key_path.write_bytes(encode(key) + b'\n')
    result = subprocess.run([sys.executable, str(script), str(sealed_path), str(key_path)],
                            capture_output=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == PLAINTEXT


def test_doc_states_the_key_id_label_used_by_the_code():
    with open(DOC) as f:
        text = f.read()
    assert 'HMAC-SHA256(key=KEY, msg=b"netbackup.nbwss key id v1")' in text
    assert 'NBWSS-SEALED/' in text and 'AES-256-GCM' in text


# Missing or old cryptography on the managed host

def test_require_cryptography_passes_when_library_is_present():
    assert require_cryptography() is None


def test_require_cryptography_raises_a_task_error_with_install_hint_when_missing(monkeypatch):
    monkeypatch.setattr(_cryptography, 'HAS_CRYPTOGRAPHY', False)
    monkeypatch.setattr(_cryptography, 'CRYPTOGRAPHY_IMPORT_ERROR', 'Traceback: No module named cryptography')
    with pytest.raises(TaskError) as err:
        require_cryptography()
    assert 'cryptography >= 3.3' in str(err.value)
    assert err.value.result['exception'] == 'Traceback: No module named cryptography'


def test_require_cryptography_raises_when_library_is_too_old(monkeypatch):
    monkeypatch.setattr(_cryptography, 'CRYPTOGRAPHY_VERSION', '3.2.1')
    with pytest.raises(TaskError) as err:
        require_cryptography()
    assert 'cryptography >= 3.3' in str(err.value) and '3.2.1' in str(err.value)


def test_seal_and_unseal_raise_sealed_error_not_traceback_without_cryptography(monkeypatch, key):
    sealed = seal(PLAINTEXT, key)
    monkeypatch.setattr(_cryptography, 'HAS_CRYPTOGRAPHY', False)
    with pytest.raises(SealedError, match='cryptography'):
        seal(PLAINTEXT, key)
    with pytest.raises(SealedError, match='cryptography'):
        unseal(sealed, [key])
    # Key handling and header reading need only the standard library.
    assert envelope_key_id(sealed) == key_id(key)
