# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The cloud application process: start every listener, publish state.json, run until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import datetime
import json
import logging
import os
import signal
from typing import Any

from .admin import FaultSwitch
from .certs import CertStore
from .config import AppConfig
from .endpoints import EndpointServer
from .files import EXCHANGES_LOG, PROVIDER_LOG, STATE_FILE
from .logs import JsonLog
from .providers import ProviderServer

LOG = logging.getLogger("cloudapp")


def write_state(state_dir: str, state: dict[str, Any]) -> str:
    """Write state.json atomically with mode 0600 (it holds the endpoint tokens)."""
    path = os.path.join(state_dir, STATE_FILE)
    temp = f"{path}.{os.getpid()}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(state, handle, indent=2)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    return path


def _quiet_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Report loop errors in one line: clients that abort TLS handshakes on purpose are routine here."""
    exc = context.get("exception")
    if isinstance(exc, (ConnectionError, OSError)) or "SSL" in str(context.get("message", "")):
        LOG.debug("%s: %s", context.get("message"), exc)
        return
    loop.default_exception_handler(context)


async def serve(config: AppConfig, state_dir: str) -> int:
    """Run the application until a stop signal; return the process exit code."""
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(_quiet_exception_handler)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    os.makedirs(state_dir, mode=0o700, exist_ok=True)
    certs = CertStore(state_dir, config.session_tickets)
    exchanges = JsonLog(os.path.join(state_dir, EXCHANGES_LOG))
    provider_log = JsonLog(os.path.join(state_dir, PROVIDER_LOG))
    endpoints = [EndpointServer(endpoint, certs, exchanges) for endpoint in config.endpoints]
    by_name = {server.config.name: server for server in endpoints}
    state: dict[str, Any] = {}

    def publish_state() -> None:
        """Rewrite state.json after a fault switch (a switch before the app is ready shows in its first state.json)."""
        if state:
            state["endpoints"] = [server.state() for server in endpoints]
            write_state(state_dir, state)

    providers = ProviderServer(config.providers, lambda name: by_name[name].details(), certs.server_context("valid"),
                               provider_log, FaultSwitch(by_name, exchanges, publish_state), config.provider_port)
    try:
        for server in endpoints:
            await server.start()
        await providers.start()
        state.update({
            "pid": os.getpid(),
            "started_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "state_dir": os.path.abspath(state_dir),
            "ca_bundle": os.path.abspath(certs.ca_bundle),
            "untrusted_ca_bundle": os.path.abspath(certs.untrusted_ca_bundle),
            "exchanges_log": os.path.abspath(exchanges.path),
            "provider_log": os.path.abspath(provider_log.path),
            "provider_port": providers.port,
            "endpoints": [server.state() for server in endpoints],
            "providers": providers.state(),
        })
        write_state(state_dir, state)
        LOG.info("cloudapp ready: %d endpoint(s), %d provider URL(s) on port %d", len(endpoints), len(config.providers), providers.port)
        await stop.wait()
        LOG.info("cloudapp stopping")
    finally:
        for server in endpoints:
            await server.stop()
        await providers.stop()
        exchanges.close()
        provider_log.close()
    return 0
