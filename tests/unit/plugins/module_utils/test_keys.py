# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The key ring from module options: key files must be private, key texts are always masked."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from ansible_collections.netbackup.nbwss.tests.unit.endpoint_helpers import KEY, OLD_KEY, make_module

from ansible_collections.netbackup.nbwss.plugins.module_utils._keys import (
    MAX_KEY_FILE_SIZE,
    KeyFileError,
    KeyRing,
    read_key_file,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import TaskError
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import KeyFormatError, encode_key


def key_file(tmp_path, content, mode=0o600):
    path = tmp_path / 'endpoints.key'
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    os.chmod(str(path), mode)
    return str(path)


def test_read_key_file_reads_base64_text_with_trailing_newline(tmp_path):
    assert read_key_file(key_file(tmp_path, encode_key(KEY) + '\n')) == KEY


@pytest.mark.parametrize('mode', [0o600, 0o400])
def test_private_key_file_modes_are_accepted(tmp_path, mode):
    assert read_key_file(key_file(tmp_path, encode_key(KEY), mode)) == KEY


@pytest.mark.parametrize('mode', [0o640, 0o644, 0o604, 0o660, 0o602])
def test_key_file_accessible_by_group_or_others_is_refused_with_the_fix(tmp_path, mode):
    path = key_file(tmp_path, encode_key(KEY), mode)

    with pytest.raises(KeyFileError) as err:
        read_key_file(path)

    assert 'mode %04o' % mode in str(err.value) and 'chmod 600 %s' % path in str(err.value)
    assert encode_key(KEY) not in str(err.value)


@pytest.mark.parametrize('content, expected', [
    (b'', 'is empty'),
    (b'  \n', 'is empty'),
    (b'A' * (MAX_KEY_FILE_SIZE + 1), 'larger than'),
])
def test_read_key_file_refuses_empty_or_oversized_file(tmp_path, content, expected):
    with pytest.raises(KeyFileError, match=expected) as err:
        read_key_file(key_file(tmp_path, content))
    assert 'endpoints.key' in str(err.value)


def test_read_key_file_with_bad_content_names_file_not_content(tmp_path):
    with pytest.raises(KeyFormatError) as err:
        read_key_file(key_file(tmp_path, 'nbwssKeyTok3n-not-base64-at-all!'))
    assert 'endpoints.key' in str(err.value) and 'nbwssKeyTok3n' not in str(err.value)


def test_read_key_file_that_is_missing_is_a_key_file_error(tmp_path):
    with pytest.raises(KeyFileError, match='cannot be read'):
        read_key_file(str(tmp_path / 'missing.key'))


def test_key_file_text_becomes_a_no_log_value(tmp_path):
    module = make_module()

    ring = KeyRing.from_params(module, key_file=key_file(tmp_path, encode_key(KEY) + '\n'),
                               previous_keys=[encode_key(OLD_KEY)])

    assert ring.current == KEY and ring.previous == [OLD_KEY]
    assert all(text in module.secret_mask for text in (encode_key(KEY), encode_key(OLD_KEY), encode_key(KEY).rstrip('=')))


def test_bad_key_text_is_one_sentence_without_the_text():
    with pytest.raises(TaskError) as err:
        KeyRing.from_params(make_module(), key='not-a-key-Secretish')

    assert 'key' in str(err.value) and 'Secretish' not in str(err.value)


def test_sealing_needs_a_key_is_one_rule_named_as_the_caller_names_things():
    from ansible_collections.netbackup.nbwss.plugins.module_utils._keys import sealing_key_problem
    assert sealing_key_problem('plain', False) is None and sealing_key_problem('sealed', True) is None
    assert sealing_key_problem('sealed', False) == 'format sealed needs a key to seal with; give key or key_file.'
    assert sealing_key_problem('sealed', False, names=('nbwss_format', 'nbwss_key', 'nbwss_key_file')) == (
        'nbwss_format sealed needs a key to seal with; give nbwss_key or nbwss_key_file.')


def test_a_key_ring_from_texts_names_the_bad_key_as_the_caller_calls_it():
    from ansible_collections.netbackup.nbwss.plugins.module_utils._keys import KeyRing
    good = encode_key(b'k' * 32)
    ring = KeyRing.from_texts(good, [good], names=('nbwss_key', 'nbwss_previous_keys'))
    assert ring.current == b'k' * 32 and ring.previous == [b'k' * 32]
    with pytest.raises(TaskError, match=r'^nbwss_previous_keys\[1\]') as caught:
        KeyRing.from_texts(good, [good, 'not-a-key-xyz'], names=('nbwss_key', 'nbwss_previous_keys'))
    assert 'not-a-key-xyz' not in str(caught.value)
