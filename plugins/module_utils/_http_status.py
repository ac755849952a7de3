# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""An HTTP status as messages name it, for the probe's upgrade and the provider's answer alike."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

# The small http package, not http.client: the probe needs nothing else of it.
from http import HTTPStatus


def http_status_text(status):
    """``503 Service Unavailable`` (the standard phrase, never a server's own text), or the bare number for a status
    Python does not name."""
    try:
        return '%d %s' % (status, HTTPStatus(status).phrase)
    except ValueError:
        return '%d' % status
