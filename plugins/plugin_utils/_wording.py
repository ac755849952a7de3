# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""How the controller's checks and reports say counts: ``1 master``, ``21 entries``, ``... checked: no problem``."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


def counted(number, word, plural=None):
    """``1 file``, ``2 files``, ``1 entry``, ``0 entries`` (``plural`` when it is not ``word + 's'``)."""
    return '%d %s' % (number, word if number == 1 else (plural or word + 's'))


def checked_summary(problems, checked):
    """The summary=true result of the lookups: ``problems``, and a message saying what was ``checked`` (phrases)
    and what was found."""
    found = counted(len(problems), 'problem') if problems else 'no problem'
    return {'problems': problems, 'message': '%s checked: %s' % (', '.join(checked), found)}
