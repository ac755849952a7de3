# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Names of the files the application writes in its state directory.

Kept apart from the server modules so that the launcher (the client side, which tests also run on
older Pythons and older websockets releases) imports no server code.
"""

from __future__ import annotations

STATE_FILE = "state.json"
EXCHANGES_LOG = "exchanges.log"
PROVIDER_LOG = "provider.log"
# The client certificate that endpoints with options.client_auth accept, and its key.
CLIENT_CERT_FILE = "client.pem"
CLIENT_KEY_FILE = "client.key"
