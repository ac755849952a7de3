# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The NBWSS server side: one TLS WebSocket listener per endpoint, each with its fault mode, switchable at run time."""

from __future__ import annotations

import asyncio
import functools
import hmac
import json
import logging
import select
import socket
import time
import uuid
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from .certs import CertStore
from .config import EndpointConfig
from .logs import JsonLog, fingerprint

LOG = logging.getLogger("cloudapp.endpoints")
HOST = "127.0.0.1"
PUBLIC_HOST = "localhost"

DEFAULT_SLOW_DELAY = 2.0
DEFAULT_COMMAND_TIMEOUT = 5.0
DEFAULT_FIRST_MESSAGE_TIMEOUT = 30.0
GARBAGE_FRAME = "<nbwss-cloudapp> this frame is not JSON"
CLOSE_AFTER_UPGRADE = (1011, "close_after_upgrade fault")
HTTP_FAULTS = {"http_401": HTTPStatus.UNAUTHORIZED, "http_403": HTTPStatus.FORBIDDEN, "http_500": HTTPStatus.INTERNAL_SERVER_ERROR}
# The Sec-WebSocket-Accept value a bad_accept endpoint answers with (the right one depends on the client's key).
BAD_ACCEPT = "bm90LXRoZS1yaWdodC1hY2NlcHQta2V5"
# tcp_stall: at most this many of the app's own connections fill the accept queue (Linux holds backlog + 1).
_STALL_FILLERS = 8
# asyncio's default backlog for the listening faults.
_BACKLOG = 100
# What the optional server-initiated COMMAND asks NetBackup for (a harmless read-only REST call).
COMMAND_URI = "/netbackup/config/servers/vmservers"


class Malformed(ValueError):
    """A received frame is not a well-formed NBWSS message of the expected kind."""


def message(kind: str, sub_type: str, message_id: str, payload: Any) -> str:
    """Serialize one NBWSS message."""
    return json.dumps({"version": "1.0", "id": message_id, "type": kind, "subType": sub_type, "timeStamp": int(time.time()), "payload": payload})


def decode(raw: str | bytes) -> dict[str, Any]:
    """Decode an NBWSS frame, raising Malformed with a short reason (never echoing the content)."""
    if isinstance(raw, bytes):
        raise Malformed("binary frame")
    try:
        data = json.loads(raw)
    except ValueError:
        raise Malformed("not JSON") from None
    if not isinstance(data, dict):
        raise Malformed("not a JSON object")
    if data.get("version") != "1.0":
        raise Malformed("version is not 1.0")
    if not isinstance(data.get("id"), str) or not data["id"]:
        raise Malformed("missing id")
    if data.get("type") not in ("CONNECT", "COMMAND", "NOTIFICATION") or data.get("subType") not in ("REQUEST", "RESPONSE"):
        raise Malformed("unknown type or subType")
    return data


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _peer(address: Any) -> str:
    return f"{address[0]}:{address[1]}" if address else "?"


def _bind_for_life(port: int) -> socket.socket:
    """A loopback socket bound to ``port`` (0: a free one) that keeps it whether it listens or not.

    Linux gives a port chosen by bind(0) up again when the socket stops listening, but keeps a port bound by number:
    so a free port is found with a first socket and bound by number with the second while the first still holds it.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if port:
            sock.bind((HOST, port))
        else:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as finder:
                finder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                finder.bind((HOST, 0))
                sock.bind(finder.getsockname())
    except OSError:
        sock.close()
        raise
    return sock


class EndpointServer:
    """Serves one endpoint according to its fault mode; :meth:`set_fault` switches the mode for new connections.

    The endpoint's socket stays bound to its port for the app's lifetime and each fault gets a listener of its own
    on that socket, so a switch never gives the port up and connections already accepted keep the fault they met.
    """

    def __init__(self, config: EndpointConfig, certs: CertStore, log: JsonLog) -> None:
        self.config = config
        self.certs = certs
        self.log = log
        self.port = config.port
        self.fault = config.fault
        self._socket: socket.socket | None = None
        self._server: Server | asyncio.Server | None = None
        # websockets listeners of earlier faults, no longer accepting, kept until their connections are gone.
        self._retired: list[Server] = []
        self._stalled: set[asyncio.StreamWriter] = set()
        self._fillers: list[socket.socket] = []

    @property
    def path(self) -> str:
        """The request path of the endpoint."""
        return f"/nbwss/{self.config.name}"

    async def start(self) -> None:
        """Bind the endpoint's port and serve its configured fault."""
        self._socket = _bind_for_life(self.port)
        self.port = self._socket.getsockname()[1]
        await self._listen(self.fault)

    async def set_fault(self, fault: str) -> str:
        """Serve ``fault`` to new connections from now on (same port, same certificate); return the previous fault."""
        previous = self.fault
        if fault != previous:
            self._retire()
            self.fault = fault
            await self._listen(fault)
        return previous

    async def _listen(self, fault: str) -> None:
        """Start the listener of ``fault`` on the endpoint's socket (port_closed: none, the socket only stays bound)."""
        assert self._socket is not None
        if fault == "port_closed":
            return  # bound but not listening: the kernel refuses every connection, and no other process can take the port
        # Needed to listen again while connections accepted under an earlier fault are still open.
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fault == "tcp_stall":
            self._socket.listen(0)
            self._fill_accept_queue()
            return
        self._socket.listen(_BACKLOG)
        # asyncio closes the socket it serves on: give it a duplicate, so the port stays with self._socket.
        sock = self._socket.dup()
        context = self.certs.server_context(self.config.cert, bool(self.config.options.get("client_auth")))
        if fault in ("tls_stall", "upgrade_stall"):
            self._server = await asyncio.start_server(functools.partial(self._stall, fault), sock=sock,
                                                      ssl=context if fault == "upgrade_stall" else None)
        else:
            self._server = await serve(
                functools.partial(self._handle, fault), sock=sock, ssl=None if fault == "no_tls" else context,
                process_request=functools.partial(self._process_request, fault),
                process_response=functools.partial(self._process_response, fault), ping_interval=None,
                server_header="nbwss-cloudapp",
            )

    def _retire(self) -> None:
        """Stop taking connections for the current fault; connections already accepted carry on undisturbed."""
        assert self._socket is not None
        server, self._server = self._server, None
        if isinstance(server, Server):
            # Not Server.close(): that answers 503 to upgrades still under way. Only stop accepting.
            loop = asyncio.get_running_loop()
            for sock in server.sockets:
                loop.remove_reader(sock.fileno())
            self._retired.append(server)
        elif server is not None:
            server.close()  # an asyncio.Server leaves its connections (the stalled clients) open
        for filler in self._fillers:
            filler.close()
        self._fillers.clear()
        for old in [old for old in self._retired if not old.all_connections and not old.handler_tasks]:
            old.close(close_connections=False)
            self._retired.remove(old)
        if self.fault != "port_closed":
            # Stop listening (connections not yet accepted are reset); the socket keeps the port.
            self._socket.shutdown(socket.SHUT_RD)
        # While nothing listens, no other socket may bind the port, with or without SO_REUSEADDR.
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)

    def _fill_accept_queue(self) -> None:
        """tcp_stall: with backlog 0 and nobody accepting, fill the accept queue with the app's own connections,
        so the kernel drops a client's SYN and its connect times out."""
        for _index in range(_STALL_FILLERS):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            filler.connect_ex((HOST, self.port))
            self._fillers.append(filler)
            if not select.select([], [filler], [], 0.2)[1]:
                return  # this connection got no SYN-ACK: the queue is full
        raise OSError(f"tcp_stall: the accept queue of port {self.port} did not fill up")

    async def stop(self) -> None:
        """Close every listener and every open connection, then give the port up."""
        for filler in self._fillers:
            filler.close()
        for writer in list(self._stalled):
            writer.close()
        servers = [server for server in (self._server, *self._retired) if server is not None]
        for server in servers:
            server.close()
        for server in servers:
            await server.wait_closed()
        if self._socket is not None:
            self._socket.close()

    def state(self) -> dict[str, Any]:
        """The endpoint's entry in state.json."""
        cfg = self.config
        return {
            "name": cfg.name, "groupId": cfg.group_id, "priority": cfg.priority, "token": cfg.token, "hostName": PUBLIC_HOST,
            "url": f"wss://{PUBLIC_HOST}:{self.port}{self.path}", "port": self.port, "fault": self.fault, "cert": cfg.cert,
            "options": dict(cfg.options),
        }

    def details(self) -> dict[str, Any]:
        """The endpoint in NetBackup's endpoint file format (exactly the five keys)."""
        entry = self.state()
        return {key: entry[key] for key in ("token", "priority", "groupId", "hostName", "url")}

    def _event(self, event: str, peer: str, fault: str, **fields: Any) -> None:
        self.log.write(event, endpoint=self.config.name, peer=peer, fault=fault, **fields)

    async def _stall(self, fault: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """tls_stall: accept TCP, swallow the ClientHello, never answer; upgrade_stall: the same after the TLS
        handshake, with the upgrade request. Hang up only when the client does."""
        peer = _peer(writer.get_extra_info("peername"))
        self._event("tcp_accepted" if fault == "tls_stall" else "tls_accepted", peer, fault)
        self._stalled.add(writer)
        try:
            while await reader.read(65536):
                pass
        except (ConnectionError, OSError):
            pass
        finally:
            self._stalled.discard(writer)
            writer.close()
            self._event("closed", peer, fault)

    def _process_request(self, fault: str, connection: ServerConnection, request: Request) -> Response | None:
        """Reject the upgrade for http_* faults and unknown paths, before any WebSocket frame is exchanged."""
        peer = _peer(connection.remote_address)
        status = HTTP_FAULTS.get(fault)
        if status is None and request.path.split("?", 1)[0] != self.path:
            status = HTTPStatus.NOT_FOUND
        if status is None:
            return None
        response = connection.respond(status, f"{status.value} {status.phrase}\n")
        if status == HTTPStatus.UNAUTHORIZED:
            response.headers["WWW-Authenticate"] = 'Bearer realm="nbwss-cloudapp"'
        self._event("upgrade_rejected", peer, fault, status=status.value)
        return response

    def _process_response(self, fault: str, connection: ServerConnection, request: Request, response: Response) -> None:
        """bad_accept: spoil the Sec-WebSocket-Accept header of the 101 answer."""
        if fault == "bad_accept" and response.status_code == HTTPStatus.SWITCHING_PROTOCOLS:
            del response.headers["Sec-WebSocket-Accept"]
            response.headers["Sec-WebSocket-Accept"] = BAD_ACCEPT

    async def _close(self, ws: ServerConnection, peer: str, fault: str, code: int, reason: str) -> None:
        await ws.close(code, reason)
        self._event("closed", peer, fault, code=code, reason=reason)

    async def _handle(self, fault: str, ws: ServerConnection) -> None:
        peer = _peer(ws.remote_address)
        self._event("upgraded", peer, fault)
        try:
            await self._conversation(ws, peer, fault)
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else None
            self._event("closed", peer, fault, code=code, by="client")

    async def _conversation(self, ws: ServerConnection, peer: str, fault: str) -> None:
        """One connection, with the fault of the listener that accepted it (a later switch does not change it)."""
        cfg = self.config
        if fault == "close_after_upgrade":
            await self._close(ws, peer, fault, *CLOSE_AFTER_UPGRADE)
            return
        try:
            raw = await asyncio.wait_for(ws.recv(), cfg.options.get("first_message_timeout", DEFAULT_FIRST_MESSAGE_TIMEOUT))
        except asyncio.TimeoutError:
            await self._close(ws, peer, fault, 1008, "no CONNECT received")
            return
        try:
            request = decode(raw)
            if request["type"] != "CONNECT" or request["subType"] != "REQUEST":
                raise Malformed("first message is not CONNECT/REQUEST")
            payload = request.get("payload")
            if not isinstance(payload, dict) or not isinstance(payload.get("token"), str):
                raise Malformed("missing payload.token")
        except Malformed as exc:
            LOG.warning("endpoint %s: malformed first message from %s: %s", cfg.name, peer, exc)
            self._event("malformed", peer, fault, reason=str(exc))
            await self._close(ws, peer, fault, 1008, f"malformed CONNECT: {exc}")
            return
        token = payload["token"]
        matches = hmac.compare_digest(token.encode("utf-8", "surrogatepass"), cfg.token.encode("utf-8"))
        self._event("message", peer, fault, type="CONNECT", subType="REQUEST", id=request["id"], version=request["version"],
                    timeStamp=request.get("timeStamp"), token_fp=fingerprint(token), token_match=matches)
        if fault == "no_reply":
            await ws.wait_closed()
            self._event("closed", peer, fault, code=ws.close_code, by="client")
            return
        if fault == "garbage":
            await ws.send(GARBAGE_FRAME)
            self._event("sent_garbage", peer, fault)
        else:
            if fault == "slow":
                await asyncio.sleep(cfg.options.get("delay", DEFAULT_SLOW_DELAY))
            valid = matches and fault != "token_rejected"
            reply_id = str(uuid.uuid4()) if fault == "wrong_id" else request["id"]
            await ws.send(message("CONNECT", "RESPONSE", reply_id, {"valid": valid}))
            self._event("message_sent", peer, fault, type="CONNECT", subType="RESPONSE", id=reply_id, valid=valid)
            if not valid:
                await self._close(ws, peer, fault, 1008, "token rejected")
                return
        await self._session(ws, peer, fault)

    def _command_timed_out(self, pending: dict[str, asyncio.TimerHandle], command_id: str, peer: str, fault: str) -> None:
        pending.pop(command_id, None)
        self._event("command_timeout", peer, fault, id=command_id)

    async def _session(self, ws: ServerConnection, peer: str, fault: str) -> None:
        """After CONNECT: acknowledge NOTIFICATIONs, optionally send one COMMAND, until the client closes."""
        pending: dict[str, asyncio.TimerHandle] = {}
        if self.config.options.get("command"):
            command_id = str(uuid.uuid4())
            await ws.send(message("COMMAND", "REQUEST", command_id, {
                "uri": COMMAND_URI, "method": "GET", "parameters": "",
                # A placeholder, not a credential: the reference app has no NetBackup login.
                "headers": {"Content-Type": "application/vnd.netbackup+json;version=1.0", "Authorization": "cloudapp-placeholder-jwt"},
            }))
            self._event("message_sent", peer, fault, type="COMMAND", subType="REQUEST", id=command_id)
            timeout = self.config.options.get("command_timeout", DEFAULT_COMMAND_TIMEOUT)
            pending[command_id] = asyncio.get_running_loop().call_later(timeout, self._command_timed_out, pending, command_id, peer, fault)
        try:
            async for raw in ws:
                try:
                    data = decode(raw)
                except Malformed as exc:
                    self._event("malformed", peer, fault, reason=str(exc))
                    await self._close(ws, peer, fault, 1008, f"malformed message: {exc}")
                    return
                kind, sub_type, message_id = data["type"], data["subType"], data["id"]
                self._event("message", peer, fault, type=kind, subType=sub_type, id=message_id)
                if (kind, sub_type) == ("NOTIFICATION", "REQUEST"):
                    # NetBackup re-sends unacknowledged notifications, so every one is acknowledged, duplicates included.
                    await ws.send(message("NOTIFICATION", "RESPONSE", message_id, []))
                    self._event("message_sent", peer, fault, type="NOTIFICATION", subType="RESPONSE", id=message_id)
                elif (kind, sub_type) == ("COMMAND", "RESPONSE") and message_id in pending:
                    pending.pop(message_id).cancel()
                    self._event("command_answered", peer, fault, id=message_id)
        finally:
            for handle in pending.values():
                handle.cancel()
        self._event("closed", peer, fault, code=ws.close_code, by="client")
