# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Provider URLs: a small HTTP/1.1-over-TLS server (asyncio streams) serving endpoint details, with fault modes."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import ssl
from http import HTTPStatus
from typing import Any, Callable

from .admin import ADMIN_FAULT_PATH, AdminError, FaultSwitch
from .config import ProviderConfig
from .logs import JsonLog

HOST = "127.0.0.1"
PUBLIC_HOST = "localhost"
ADMIN_RESET_PATH = "/_admin/reset"
REDIRECT_PREFIX = "/_redirected"
DEFAULT_FAIL_FIRST = 1
DEFAULT_SLOW_DELAY = 2.0
DEFAULT_OVERSIZED = 2 * 1024 * 1024
DEFAULT_TRICKLE_INTERVAL = 0.05
TRICKLE_PREFIX = b'{"padding": "'
TRICKLE_CHUNK = b"xxxxxxxx"
INVALID_JSON = b'{"priority": 1, "groupId": '
_MAX_HEADER_BYTES = 65536
_REQUEST_TIMEOUT = 10.0


class _BadRequest(Exception):
    pass


class ProviderServer:
    """Serves every provider path, and the admin paths, on one loopback HTTPS port (also when there is no provider)."""

    def __init__(self, providers: list[ProviderConfig], details: Callable[[str], dict[str, Any]],
                 context: ssl.SSLContext, log: JsonLog, fault_switch: FaultSwitch, port: int = 0) -> None:
        self.providers = {provider.path: provider for provider in providers}
        self.redirected = {f"{REDIRECT_PREFIX}{provider.path}": provider for provider in providers if provider.fault == "redirect_https"}
        self.details = details
        self.context = context
        self.log = log
        self.fault_switch = fault_switch
        self.port = port
        self.requests: dict[str, int] = {provider.name: 0 for provider in providers}
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        """Bind the HTTPS listener."""
        self._server = await asyncio.start_server(self._handle, HOST, self.port, ssl=self.context, ssl_handshake_timeout=10)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close the listener and any connection still open (endless bodies, slow responses)."""
        if self._server is None:
            return
        for writer in list(self._writers):
            writer.close()
        self._server.close()
        await self._server.wait_closed()

    def url(self, path: str) -> str:
        """The public https URL of a path on this server."""
        return f"https://{PUBLIC_HOST}:{self.port}{path}"

    def state(self) -> list[dict[str, Any]]:
        """The providers' entries in state.json."""
        return [{"name": p.name, "endpoint": p.endpoint, "path": p.path, "url": self.url(p.path), "auth": p.auth, "fault": p.fault,
                 "options": dict(p.options)} for p in self.providers.values()]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        record: dict[str, Any] = {"peer": f"{peer[0]}:{peer[1]}" if peer else "?"}
        self._writers.add(writer)
        try:
            method, path, headers, body = await asyncio.wait_for(self._read_request(reader), _REQUEST_TIMEOUT)
            record.update(method=method, path=path)
            if path == ADMIN_FAULT_PATH:
                await self._switch_fault(method, body, writer, record)
            else:
                await self._route(method, path, headers, writer, record)
        except (_BadRequest, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            record["status"] = 400
            await self._answer_bad_request(writer, record)
        except (ConnectionError, OSError, ssl.SSLError):
            record["client_gone"] = True
        finally:
            self._writers.discard(writer)
            self.log.write("request", **record)
            writer.close()

    async def _answer_bad_request(self, writer: asyncio.StreamWriter, record: dict[str, Any]) -> None:
        try:
            await self._send(writer, HTTPStatus.BAD_REQUEST, b"bad request\n", "text/plain", {})
        except (ConnectionError, OSError, ssl.SSLError):
            record["client_gone"] = True

    @staticmethod
    async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str], bytes]:
        head = await reader.readuntil(b"\r\n\r\n")
        if len(head) > _MAX_HEADER_BYTES:
            raise _BadRequest()
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise _BadRequest()
        headers = {}
        for line in lines[1:]:
            if line:
                name, _colon, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        length = headers.get("content-length", "0")
        if not length.isdigit() or int(length) > _MAX_HEADER_BYTES:
            raise _BadRequest()
        body = await reader.readexactly(int(length))
        # Query strings are dropped: they are never logged and never select anything.
        return parts[0], parts[1].split("?", 1)[0], headers, body

    async def _send(self, writer: asyncio.StreamWriter, status: HTTPStatus, body: bytes, content_type: str,
                    extra: dict[str, str], length: bool = True) -> None:
        lines = [f"HTTP/1.1 {status.value} {status.phrase}", f"Content-Type: {content_type}", "Connection: close", "Server: nbwss-cloudapp"]
        if length:
            lines.append(f"Content-Length: {len(body)}")
        lines.extend(f"{name}: {value}" for name, value in extra.items())
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()

    async def _status(self, writer: asyncio.StreamWriter, record: dict[str, Any], status: HTTPStatus, extra: dict[str, str] | None = None,
                      reason: str | None = None) -> None:
        record["status"] = status.value
        body = json.dumps({"error": reason or status.phrase}) + "\n"
        await self._send(writer, status, body.encode(), "application/json", extra or {})

    async def _switch_fault(self, method: str, body: bytes, writer: asyncio.StreamWriter, record: dict[str, Any]) -> None:
        """POST /_admin/fault: switch one endpoint's fault mode for new connections."""
        if method != "POST":
            await self._status(writer, record, HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": "POST"})
            return
        try:
            answer = await self.fault_switch.handle(body)
        except AdminError as exc:
            await self._status(writer, record, exc.status, reason=exc.reason)
            return
        except OSError as exc:  # a listener could not be started on the endpoint's port
            await self._status(writer, record, HTTPStatus.INTERNAL_SERVER_ERROR, reason=f"the switch failed: {exc.strerror or exc}")
            return
        record["status"] = HTTPStatus.OK.value
        await self._send(writer, HTTPStatus.OK, (json.dumps(answer) + "\n").encode(), "application/json", {})

    def _authorized(self, provider: ProviderConfig, header: str) -> bool:
        auth = provider.auth
        if auth is None:
            return True
        scheme, _space, value = header.partition(" ")
        if "bearer" in auth:
            return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), auth["bearer"].encode())
        if scheme.lower() != "basic":
            return False
        try:
            supplied = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        expected = f'{auth["basic"]["username"]}:{auth["basic"]["password"]}'.encode()
        return hmac.compare_digest(supplied, expected)

    @staticmethod
    def _challenge(provider: ProviderConfig) -> dict[str, str]:
        scheme = "Basic" if provider.auth and "basic" in provider.auth else "Bearer"
        return {"WWW-Authenticate": f'{scheme} realm="nbwss-cloudapp"'}

    async def _route(self, method: str, path: str, headers: dict[str, str], writer: asyncio.StreamWriter, record: dict[str, Any]) -> None:
        if path == ADMIN_RESET_PATH and method == "POST":
            for name in self.requests:
                self.requests[name] = 0
            record["status"] = 204
            await self._send(writer, HTTPStatus.NO_CONTENT, b"", "text/plain", {})
            return
        provider = self.providers.get(path) or self.redirected.get(path)
        if provider is None:
            await self._status(writer, record, HTTPStatus.NOT_FOUND)
            return
        record.update(provider=provider.name, fault=provider.fault)
        if method != "GET":
            await self._status(writer, record, HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": "GET"})
            return
        if provider.fault == "not_found":
            await self._status(writer, record, HTTPStatus.NOT_FOUND)
            return
        if provider.fault == "unauthorized" or not self._authorized(provider, headers.get("authorization", "")):
            await self._status(writer, record, HTTPStatus.UNAUTHORIZED, self._challenge(provider))
            return
        if path in self.redirected:
            # The target of redirect_https serves the plain ok body.
            await self._body(writer, record, self._json(self.details(provider.endpoint)))
            return
        self.requests[provider.name] += 1
        record["count"] = self.requests[provider.name]
        await self._fault(provider, path, writer, record)

    @staticmethod
    def _json(value: Any) -> bytes:
        return (json.dumps(value, indent=2) + "\n").encode("utf-8")

    async def _body(self, writer: asyncio.StreamWriter, record: dict[str, Any], body: bytes) -> None:
        record.update(status=200, bytes=len(body))
        await self._send(writer, HTTPStatus.OK, body, "application/json", {})

    async def _fault(self, provider: ProviderConfig, path: str, writer: asyncio.StreamWriter, record: dict[str, Any]) -> None:
        fault, options = provider.fault, provider.options
        details = self.details(provider.endpoint)
        if fault == "fail_first" and self.requests[provider.name] <= options.get("n", DEFAULT_FAIL_FIRST):
            await self._status(writer, record, HTTPStatus.INTERNAL_SERVER_ERROR)
        elif fault in ("redirect_http", "redirect_https"):
            target = f"http://{PUBLIC_HOST}:{self.port}{path}" if fault == "redirect_http" else self.url(REDIRECT_PREFIX + path)
            record["location"] = target
            await self._status(writer, record, HTTPStatus.FOUND, {"Location": target})
        elif fault == "endless_body":
            await self._trickle(writer, record, options.get("interval", DEFAULT_TRICKLE_INTERVAL))
        else:
            if fault == "slow":
                await asyncio.sleep(options.get("delay", DEFAULT_SLOW_DELAY))
            await self._body(writer, record, self._faulty_body(fault, details, options))

    def _faulty_body(self, fault: str, details: dict[str, Any], options: dict[str, Any]) -> bytes:
        """The response body of every fault that answers 200 with a complete body."""
        if fault == "invalid_json":
            return INVALID_JSON
        if fault == "duplicate_keys":
            rest = ", ".join(f"{json.dumps(key)}: {json.dumps(value)}" for key, value in details.items() if key != "token")
            return f'{{"token": {json.dumps(details["token"])}, "token": "duplicate-token-value", {rest}}}\n'.encode()
        if fault == "apostrophe":
            details["groupId"] += "'s"
        elif fault == "ws_url":
            details["url"] = "ws://" + details["url"][len("wss://"):]
        elif fault == "list":
            return self._json([details, dict(details, priority=details["priority"] + 1)])
        elif fault == "oversized":
            # Valid JSON padded with trailing whitespace: only the size is wrong.
            body = self._json(details)
            return body + b" " * max(0, int(options.get("size", DEFAULT_OVERSIZED)) - len(body))
        return self._json(details)

    async def _trickle(self, writer: asyncio.StreamWriter, record: dict[str, Any], interval: float) -> None:
        """endless_body: headers without Content-Length or chunking, then a few bytes per interval until the client hangs up."""
        record.update(status=200, endless=True)
        lines = ["HTTP/1.1 200 OK", "Content-Type: application/json", "Connection: close", "Server: nbwss-cloudapp"]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + TRICKLE_PREFIX)
        sent = len(TRICKLE_PREFIX)
        try:
            while True:
                await writer.drain()
                if writer.is_closing():
                    break
                await asyncio.sleep(interval)
                writer.write(TRICKLE_CHUNK)
                sent += len(TRICKLE_CHUNK)
        finally:
            record["bytes"] = sent
