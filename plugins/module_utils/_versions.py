# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""Comparing the version of a Python library found on the managed host with the minimum we need."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

_LEADING_NUMBERS = re.compile(r'^\s*(\d+(?:\.\d+)*)')


def version_tuple(version):
    """Leading numeric components of a version string: '41.0.7' -> (41, 0, 7), '13.1rc1' -> (13, 1), 'junk' -> ()."""
    match = _LEADING_NUMBERS.match(version or '')
    if not match:
        return ()
    return tuple(int(part) for part in match.group(1).split('.'))


def older_than(found, minimum):
    """True when version string ``found`` is known and lower than ``minimum`` (an unreadable version is not held against it)."""
    found, minimum = version_tuple(found), version_tuple(minimum)
    if not found:
        return False
    width = max(len(found), len(minimum))  # '11' is 11.0: pad with zeros before comparing
    return found + (0,) * (width - len(found)) < minimum + (0,) * (width - len(minimum))
