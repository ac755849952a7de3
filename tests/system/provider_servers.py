# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Loopback servers for what the reference cloud application does not do: a CONNECT proxy, an HTTPS
server that answers a script (429/503 with Retry-After, client certificates, cross-origin redirects) and a
server that trickles its TLS handshake or its headers one byte at a time."""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import os
import select
import socket
import socketserver
import ssl
import threading
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LOOPBACK = "127.0.0.1"


# --- certificates -------------------------------------------------------------------------------

def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_pem(path: str, data: bytes) -> str:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return path


class LoopbackPKI:
    """A fresh CA with a server certificate (localhost, 127.0.0.1) and a client certificate, as PEM files in ``directory``."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._ca_key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        self._ca_cert = (
            x509.CertificateBuilder().subject_name(_name("nbwss test CA")).issuer_name(_name("nbwss test CA"))
            .public_key(self._ca_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self._ca_key, hashes.SHA256())
        )
        self.ca_path = _write_pem(os.path.join(directory, "test-ca.pem"), self._ca_cert.public_bytes(serialization.Encoding.PEM))
        self.server_cert, self.server_key = self._leaf("localhost", ExtendedKeyUsageOID.SERVER_AUTH, "server")
        self.client_cert, self.client_key = self._leaf("nbwss-fetcher", ExtendedKeyUsageOID.CLIENT_AUTH, "client")

    def _leaf(self, common_name: str, usage: x509.ObjectIdentifier, stem: str) -> tuple[str, str]:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        builder = (
            x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(self._ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if usage == ExtendedKeyUsageOID.SERVER_AUTH:
            builder = builder.add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(LOOPBACK))]), critical=False)
        cert = builder.sign(self._ca_key, hashes.SHA256())
        cert_path = _write_pem(os.path.join(self.directory, f"{stem}-cert.pem"), cert.public_bytes(serialization.Encoding.PEM))
        key_path = _write_pem(os.path.join(self.directory, f"{stem}-key.pem"), key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        return cert_path, key_path


# --- scripted HTTPS server ----------------------------------------------------------------------

class Answer:
    """One scripted HTTP answer: sent after ``delay`` seconds; with ``stall``, only half the body is sent (Content-Length
    announces all of it), then the connection stays silent for ``stall`` seconds."""

    def __init__(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None, delay: float = 0.0,
                 stall: float = 0.0) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.delay = delay
        self.stall = stall


class _ScriptedHandler(http.server.BaseHTTPRequestHandler):
    server: ScriptedServer

    def do_GET(self) -> None:  # noqa: N802  (http.server's naming)
        answer = self.server.record_and_next(self)
        time.sleep(answer.delay)
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if answer.stall:
            self.wfile.write(answer.body[:len(answer.body) // 2])
            self.wfile.flush()
            time.sleep(answer.stall)
            return
        self.wfile.write(answer.body)

    def log_message(self, format, *args) -> None:  # pylint: disable=redefined-builtin
        """Quiet: tests read ``server.requests`` instead."""


class ScriptedServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """HTTPS on 127.0.0.1 (URL host ``localhost``): each GET gets the next scripted answer (the last one repeats).

    ``requests`` records, per request: path, whether an Authorization header came, and the client certificate's
    common name (when ``client_ca`` makes client certificates required). ``handshake_failures`` counts refused TLS
    handshakes.
    """

    daemon_threads = True
    block_on_close = False  # a stalled answer must not hold up the end of a test

    def __init__(self, pki: LoopbackPKI, answers: list[Answer], client_ca: str | None = None) -> None:
        super().__init__((LOOPBACK, 0), _ScriptedHandler)
        self.answers = list(answers)
        self.requests: list[dict[str, object]] = []
        self.handshake_failures = 0
        self._lock = threading.Lock()
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(pki.server_cert, pki.server_key)
        if client_ca:
            self.context.load_verify_locations(client_ca)
            self.context.verify_mode = ssl.CERT_REQUIRED
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"https://localhost:{self.server_address[1]}"

    def finish_request(self, request, client_address) -> None:
        # The TLS handshake runs in the request's own thread, so a stuck client cannot block the others.
        request.settimeout(5)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            with self._lock:
                self.handshake_failures += 1
            return
        super().finish_request(tls, client_address)

    def record_and_next(self, handler: _ScriptedHandler) -> Answer:
        peer = handler.connection.getpeercert() if isinstance(handler.connection, ssl.SSLSocket) else None
        client = dict(item[0] for item in peer["subject"]).get("commonName") if peer else None
        with self._lock:
            self.requests.append({"path": handler.path, "authorization": "Authorization" in handler.headers, "client": client})
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(5)


# --- CONNECT proxy ------------------------------------------------------------------------------

class _LoopbackListener:
    """A TCP listener on 127.0.0.1 that hands each connection to ``_handle`` in a thread of its own, from
    ``with`` until the block ends (then it stops accepting and waits for its threads)."""

    def __init__(self) -> None:
        self._listener = socket.create_server((LOOPBACK, 0))
        self._listener.settimeout(0.05)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        return self._listener.getsockname()[1]

    def _handle(self, client: socket.socket) -> None:
        raise NotImplementedError

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, _peer = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            worker = threading.Thread(target=self._handle, args=(client,), daemon=True)
            self._threads.append(worker)
            worker.start()

    def __enter__(self):
        worker = threading.Thread(target=self._serve, daemon=True)
        self._threads.append(worker)
        worker.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        for worker in list(self._threads):
            worker.join(5)
        self._listener.close()


class ConnectProxy(_LoopbackListener):
    """A small HTTP CONNECT proxy on 127.0.0.1 that records every tunnel it opens (``targets``)."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def _handle(self, client: socket.socket) -> None:
        with client:
            client.settimeout(5)
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            method, target, _version = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
            if method != "CONNECT":
                client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            self.targets.append(target)
            host, _colon, port = target.rpartition(":")
            try:
                upstream = socket.create_connection((host, int(port)), timeout=5)
            except OSError:
                client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            with upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self._relay(client, upstream)

    def _relay(self, client: socket.socket, upstream: socket.socket) -> None:
        peers = {client: upstream, upstream: client}
        while not self._stop.is_set():
            readable, _w, _x = select.select(list(peers), [], [], 0.05)
            for sock in readable:
                try:
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
                except OSError:
                    return


# --- trickling HTTPS server ---------------------------------------------------------------------

class TrickleServer(_LoopbackListener):
    """A server on 127.0.0.1 that trickles its answer one byte every ``interval`` seconds, so that a client whose
    socket timeout counts per read never times out. ``phase="headers"``: after the TLS handshake and the request,
    the status line and headers (``head``) come byte by byte and the body never does. ``phase="handshake"``: after
    the ClientHello, a TLS record header announcing 16 KiB comes, then zeros byte by byte: the handshake never ends.
    ``client_gone`` records when (monotonic time) a client's connection broke while the server was still sending."""

    HEADERS = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
               + b"".join(b"X-Padding-%02d: trickle\r\n" % number for number in range(3))
               + b"Content-Length: 200\r\n\r\n")
    HANDSHAKE = b"\x16\x03\x03\x40\x00" + b"\x00" * 400

    def __init__(self, pki: LoopbackPKI, interval: float = 0.25, phase: str = "headers") -> None:
        self.interval = interval
        self.phase = phase
        self.head = self.HEADERS if phase == "headers" else self.HANDSHAKE
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(pki.server_cert, pki.server_key)
        super().__init__()
        self.client_gone: list[float] = []

    @property
    def url(self) -> str:
        return f"https://localhost:{self.port}"

    def _handle(self, client: socket.socket) -> None:
        client.settimeout(5)
        try:
            if self.phase == "handshake":
                with client:
                    client.recv(4096)  # the ClientHello
                    self._trickle(client)
                return
            with self.context.wrap_socket(client, server_side=True) as tls:
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = tls.recv(4096)
                    if not chunk:
                        return
                    request += chunk
                self._trickle(tls)
        except (ssl.SSLError, OSError):
            self.client_gone.append(time.monotonic())  # the client shut the connection down or reset it

    def _trickle(self, sock: socket.socket) -> None:
        for index in range(len(self.head)):
            sock.sendall(self.head[index:index + 1])
            if self._stop.wait(self.interval):
                return
