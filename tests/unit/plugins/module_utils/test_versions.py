# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netbackup.nbwss.plugins.module_utils._versions import older_than, version_tuple


@pytest.mark.parametrize('text, expected', [
    ('41.0.7', (41, 0, 7)),
    ('13.1', (13, 1)),
    ('13.1rc1', (13, 1)),
    (' 3.3', (3, 3)),
    ('junk', ()),
    ('', ()),
    (None, ()),
])
def test_version_tuple_keeps_the_leading_numbers(text, expected):
    assert version_tuple(text) == expected


@pytest.mark.parametrize('found, minimum, expected', [
    ('3.2.1', '3.3', True),
    ('10.4', '11.0', True),
    ('3.3', '3.3', False),
    ('11', '11.0', False),  # 11 is 11.0
    ('10', '11.0', True),
    ('11.0.3', '11.0', False),
    ('41.0.7', '3.3', False),  # compared as numbers, not as text
    ('dev', '3.3', False),
    (None, '3.3', False),  # unknown: the import decides, not the version
])
def test_older_than(found, minimum, expected):
    assert older_than(found, minimum) is expected
