# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netbackup.nbwss.plugins.module_utils._http_status import http_status_text


@pytest.mark.parametrize('status, text', [(401, '401 Unauthorized'), (404, '404 Not Found'),
                                          (503, '503 Service Unavailable'), (200, '200 OK')])
def test_a_status_is_named_by_its_standard_phrase(status, text):
    assert http_status_text(status) == text


@pytest.mark.parametrize('status', [299, 599, 999])
def test_a_status_python_does_not_name_is_its_number_alone(status):
    assert http_status_text(status) == str(status)
