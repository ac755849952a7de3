# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SecretMask finds every secret anywhere in a result, as Ansible's no_log masking does, without its quadratic cost."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.netbackup.nbwss.plugins.module_utils._masking import MASK, SecretMask
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import NbwssModule, mask_secrets
from ansible_collections.netbackup.nbwss.tests.unit.module_args import patch_module_args
from ansible_collections.netbackup.nbwss.tests.unit.module_runner import isolate_module_warnings

TOKEN = 'nbwssMaskTok3n-7Fq2Lw9xR4vB1nZ8cK5mJ0'


def mask_of(*secrets):
    mask = SecretMask()
    mask.update(secrets)
    return mask


def test_a_token_anywhere_in_a_result_is_masked():
    result = {'msg': 'x%sy' % TOKEN, TOKEN: [TOKEN, ('a', 'b ' + TOKEN)], 'n': 3, 'ok': True,
              'nested': {'deep': [{'text': 'token=%s;' % TOKEN}]}}

    scrubbed = mask_of(TOKEN).scrub(result)

    assert TOKEN not in json.dumps(scrubbed)
    assert scrubbed['msg'] == 'x%sy' % MASK and scrubbed[MASK] == [MASK, ('a', 'b ' + MASK)]
    assert scrubbed['n'] == 3 and scrubbed['ok'] is True


def test_text_without_a_secret_is_returned_as_it_was():
    text = 'wss://alpha-1.cloud.example.com/nbwss sha256:0123456789ab'
    assert mask_of(TOKEN).scrub({'url': text}) == {'url': text}


def test_short_secrets_and_a_secret_inside_another_are_masked_too():
    scrubbed = mask_of('pw1', TOKEN, TOKEN[3:20]).scrub(['pw1 and %s and %s' % (TOKEN, TOKEN[3:20])])
    assert scrubbed == ['%s and %s and %s' % (MASK, MASK, MASK)]


def test_a_number_equal_to_a_secret_is_masked_as_ansible_does():
    assert mask_of('12345').scrub({'port': 12345, 'priority': 1}) == {'port': MASK, 'priority': 1}
    assert mask_of('2.5').scrub([2.5, 25, True]) == [MASK, 25, True]
    assert mask_of('nbwssMaskTok3n-Num').scrub({'port': 12345}) == {'port': 12345}


@settings(max_examples=300, deadline=None)
@given(secret=st.text(alphabet='abcdefgh0123456789+/=-_', min_size=1, max_size=48),
       before=st.text(alphabet='abcdefgh0123456789+/=-_ .:', max_size=40),
       after=st.text(alphabet='abcdefgh0123456789+/=-_ .:', max_size=40))
def test_every_secret_is_found_at_every_offset_whatever_its_length(secret, before, after):
    text = before + secret + after

    assert secret not in mask_of(secret).scrub_text(text)


def test_a_module_masks_a_token_that_got_into_its_result_warnings_and_message(capsys, monkeypatch):
    isolate_module_warnings(monkeypatch)
    with patch_module_args({}):
        module = NbwssModule(argument_spec={})
        mask_secrets(module, TOKEN)
        module.warn('a warning that slipped a token in: %s' % TOKEN)
        with pytest.raises(SystemExit):
            module.fail_json(msg='failed near %s' % TOKEN, endpoints=[{'detail': TOKEN}])

    out = capsys.readouterr().out
    assert TOKEN not in out and out.count(MASK) >= 3
    assert json.loads(out)['msg'] == 'failed near %s' % MASK
