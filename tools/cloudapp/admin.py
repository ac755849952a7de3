# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Switching an endpoint's fault mode while the application runs (``POST /_admin/fault`` on the provider listener)."""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Any, Callable

from .config import ENDPOINT_FAULTS
from .endpoints import EndpointServer
from .logs import JsonLog

ADMIN_FAULT_PATH = "/_admin/fault"


class AdminError(Exception):
    """An admin request that cannot be carried out: the HTTP status and a one-line reason that echoes no request value."""

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def parse_fault_request(body: bytes) -> tuple[str, str]:
    """Return ``(endpoint, fault)`` from the JSON body ``{"endpoint": NAME, "fault": MODE}``."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise AdminError(HTTPStatus.BAD_REQUEST, "the body is not JSON") from None
    if not isinstance(data, dict) or set(data) != {"endpoint", "fault"} or not all(isinstance(value, str) for value in data.values()):
        raise AdminError(HTTPStatus.BAD_REQUEST, 'the body must be {"endpoint": "<endpoint name>", "fault": "<endpoint fault mode>"}')
    return data["endpoint"], data["fault"]


class FaultSwitch:
    """Switches endpoints' fault modes, then republishes state.json and logs ``fault_switched`` to exchanges.log."""

    def __init__(self, endpoints: dict[str, EndpointServer], log: JsonLog, publish_state: Callable[[], None]) -> None:
        self.endpoints = endpoints
        self.log = log
        self.publish_state = publish_state
        # One switch at a time: the listener swap and the state.json rewrite of one must not interleave with another's.
        self._lock = asyncio.Lock()

    async def handle(self, body: bytes) -> dict[str, Any]:
        """Carry out one ``POST /_admin/fault`` request; return the answer, or raise AdminError (404, 400)."""
        name, fault = parse_fault_request(body)
        server = self.endpoints.get(name)
        # Neither value is echoed back: a caller may have put a token in the wrong field.
        if server is None:
            raise AdminError(HTTPStatus.NOT_FOUND, "no endpoint of that name")
        if fault not in ENDPOINT_FAULTS:
            raise AdminError(HTTPStatus.BAD_REQUEST, f"unknown endpoint fault mode; one of {', '.join(ENDPOINT_FAULTS)}")
        async with self._lock:
            previous = await server.set_fault(fault)
            self.publish_state()
            self.log.write("fault_switched", endpoint=name, previous=previous, fault=fault)
        return {"endpoint": name, "fault": fault, "previous": previous}
