# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Entries as users write them in options and variables: every form, every shape mistake, no echo."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.netbackup.nbwss.tests.unit.endpoint_helpers import KEY, OLD_KEY, STRANGER_KEY, TOKEN, WANTED, endpoint, keyring

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import EndpointError
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_entries import (
    EntryReader,
    endpoint_from_content,
    endpoint_from_sealed,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import TaskError
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import seal


def test_content_as_text_and_as_the_mapping_older_templating_makes_of_it_read_the_same():
    assert endpoint_from_content(json.dumps(WANTED), 'content') == endpoint()
    assert endpoint_from_content(dict(WANTED), 'content') == endpoint()


def test_content_as_the_python_repr_of_a_mapping_is_refused_as_before():
    # What type=str made of a templated mapping on ansible-core 2.16 to 2.18: apostrophes everywhere.
    with pytest.raises(EndpointError, match='apostrophe'):
        endpoint_from_content(str(dict(WANTED)), 'content')


def test_content_mapping_is_checked_as_strictly_as_json():
    with pytest.raises(EndpointError) as caught:
        endpoint_from_content(dict(WANTED, priority='1'), 'content')
    assert caught.value.field == 'priority'


def test_sealed_entry_is_opened_with_the_current_or_a_previous_key():
    sealed = seal(endpoint().canonical_json(), OLD_KEY).decode('ascii')

    assert endpoint_from_sealed(sealed, keyring(KEY, [OLD_KEY]), 'sealed') == endpoint()
    with pytest.raises(TaskError) as err:
        endpoint_from_sealed(sealed, keyring(STRANGER_KEY), 'sealed')
    assert 'matches none of the keys' in str(err.value)


def test_plain_json_given_as_sealed_and_sealed_given_as_content_are_refused():
    with pytest.raises(EndpointError, match='not a sealed envelope'):
        endpoint_from_sealed(json.dumps(WANTED), keyring(), 'sealed')
    with pytest.raises(EndpointError, match='give it as sealed'):
        endpoint_from_content(seal(b'{}', KEY).decode('ascii'), 'content')


def test_entries_report_every_problem_of_every_entry_at_once():
    entries = [
        dict(WANTED),
        None,
        dict(WANTED, tokne=TOKEN, priority='01'),
        'nbwssEntryTok3n-a-stray-string',
        dict(WANTED, content=json.dumps(WANTED)),
    ]

    with pytest.raises(TaskError) as err:
        EntryReader(keyring()).entries(entries, 'endpoints')

    message = str(err.value)
    assert 'endpoints[1]: must be a mapping' in message and 'not null' in message
    assert 'endpoints[2]: tokne: is not an entry key (did you mean token?)' in message
    assert 'endpoints[2]: priority:' in message
    assert 'endpoints[3]: must be a mapping' in message and 'not a str' in message
    assert 'endpoints[4]: give either the keys' in message
    assert TOKEN not in message and 'nbwssEntryTok3n' not in message


def test_an_unknown_entry_key_is_named_by_position_only():
    with pytest.raises(EndpointError) as caught:
        EntryReader().endpoint(dict(WANTED, **{'nbwssEntryTok3n-as-key': 1}), 'endpoints[0]')

    assert 'nbwssEntryTok3n' not in str(caught.value) and 'key number 6' in str(caught.value)


def test_the_endpoint_option_takes_no_name_and_no_other_form():
    with pytest.raises(EndpointError) as caught:
        EntryReader().endpoint(dict(WANTED, name='x'), 'endpoint', forms=(), allow_name=False)
    assert 'key number 6' in str(caught.value)


def test_entries_must_be_a_list():
    with pytest.raises(TaskError, match='endpoints must be a list of entries, not a str'):
        EntryReader().entries('nbwssEntryTok3n-whole-option-as-string', 'endpoints')


def test_sealed_entries_need_a_reader_with_keys():
    sealed = seal(endpoint().canonical_json(), KEY).decode('ascii')

    assert EntryReader(keyring()).entries([{'sealed': sealed, 'name': 'x'}], 'endpoints')[0][1:] == ('x', endpoint())
    with pytest.raises(TaskError, match='not accepted here'):
        EntryReader().entries([{'sealed': sealed}], 'endpoints')
