# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Small client-side helpers (the NetBackup side of NBWSS) shared by the tests and the benchmark."""

from __future__ import annotations

import json
import ssl
import time
import uuid
from typing import Any

from websockets.sync.client import connect


def connect_request(token: str, message_id: str | None = None) -> tuple[str, str]:
    """Return ``(id, frame)`` of an NBWSS CONNECT/REQUEST carrying ``token``."""
    message_id = message_id or str(uuid.uuid4())
    frame = json.dumps({"version": "1.0", "id": message_id, "type": "CONNECT", "subType": "REQUEST", "timeStamp": int(time.time()),
                        "payload": {"token": token}})
    return message_id, frame


def handshake(url: str, token: str, context: ssl.SSLContext, timeout: float = 5.0) -> bool:
    """Open ``url``, send CONNECT, return True iff the reply has the same id and ``payload.valid`` is true; then close."""
    with connect(url, ssl=context, open_timeout=timeout, close_timeout=timeout, compression=None) as ws:
        message_id, frame = connect_request(token)
        ws.send(frame)
        reply = json.loads(ws.recv(timeout=timeout))
    return (reply.get("type"), reply.get("subType"), reply.get("id")) == ("CONNECT", "RESPONSE", message_id) and \
        reply.get("payload", {}).get("valid") is True


def read_log(path: str) -> list[dict[str, Any]]:
    """Read a JSON-lines log of the application; a last line still being written is left out."""
    with open(path, "r", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip() and line.endswith("\n")]
