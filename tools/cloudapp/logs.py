# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""JSON-lines logs of the cloud application. Callers pass only non-secret fields; tokens appear as fingerprints."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from typing import Any


def fingerprint(secret: str) -> str:
    """Return a short, non-reversible identifier of a secret (sha256, first 12 hex digits)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:12]


class JsonLog:
    """Append-only JSON-lines file, one flushed line per event (the app is single-threaded asyncio)."""

    def __init__(self, path: str) -> None:
        self.path = path
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._handle = os.fdopen(fd, "a", encoding="utf-8")

    def write(self, event: str, **fields: Any) -> None:
        """Write one event line with a UTC timestamp."""
        record = {"ts": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds"), "event": event}
        record.update(fields)
        self._handle.write(json.dumps(record, sort_keys=False) + "\n")
        self._handle.flush()

    def close(self) -> None:
        """Close the file."""
        self._handle.close()
