# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fault modes, cert kind and options added for the probe: what a plain client sees."""

from __future__ import annotations

import socket
import ssl
import time

import pytest
from websockets.exceptions import InvalidHeaderValue
from websockets.sync.client import connect

from tools.cloudapp import run_in_subprocess
from tools.cloudapp.client import handshake
from tools.cloudapp.config import ConfigError, parse
from tools.cloudapp.endpoints import BAD_ACCEPT


def _endpoint(name, fault="healthy", cert="valid", **options):
    entry = {"name": name, "groupId": "EXTRA", "priority": 1, "token": f"nbwssExtraTok3n-{name}", "fault": fault, "cert": cert}
    if options:
        entry["options"] = options
    return entry


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One application with the added fault modes, sending two TLS 1.3 session tickets per handshake."""
    config = {"session_tickets": 2, "endpoints": [
        _endpoint("tcp-stall", "tcp_stall"), _endpoint("upgrade-stall", "upgrade_stall"), _endpoint("no-tls", "no_tls"),
        _endpoint("bad-accept", "bad_accept"), _endpoint("not-yet-valid", cert="not_yet_valid"),
        _endpoint("client-auth", client_auth=True), _endpoint("healthy"),
    ]}
    handle = run_in_subprocess(config, str(tmp_path_factory.mktemp("cloudapp-extra")))
    yield handle
    handle.stop()


def _tls(app, name, context, timeout=2.0):
    sock = socket.create_connection(("127.0.0.1", app.endpoint(name)["port"]), timeout=timeout)
    return context.wrap_socket(sock, server_hostname="localhost")


def test_tcp_stall_connect_times_out(app):
    started = time.monotonic()
    with pytest.raises((socket.timeout, TimeoutError)):
        socket.create_connection(("127.0.0.1", app.endpoint("tcp-stall")["port"]), timeout=1.0)
    assert time.monotonic() - started >= 0.9


def test_upgrade_stall_completes_tls_and_never_answers(app):
    with _tls(app, "upgrade-stall", app.client_context(), timeout=1.0) as tls:
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
        tls.sendall(b"GET /nbwss/upgrade-stall HTTP/1.1\r\nHost: localhost\r\n\r\n")
        with pytest.raises((socket.timeout, TimeoutError)):
            tls.recv(100)


def test_no_tls_fails_the_handshake(app):
    with pytest.raises((ssl.SSLError, ConnectionError)):
        _tls(app, "no-tls", app.client_context())


def test_bad_accept_spoils_the_accept_header(app):
    with pytest.raises(InvalidHeaderValue) as info:
        with connect(app.endpoint("bad-accept")["url"], ssl=app.client_context(), open_timeout=2):
            pass
    assert (info.value.name, info.value.value) == ("Sec-WebSocket-Accept", BAD_ACCEPT)


def test_not_yet_valid_certificate_fails_verification(app):
    with pytest.raises(ssl.SSLCertVerificationError) as info:
        _tls(app, "not-yet-valid", app.client_context())
    assert (info.value.verify_code, info.value.verify_message) == (9, "certificate is not yet valid")


def test_client_auth_accepts_the_app_client_certificate(app):
    context = app.client_context()
    context.load_cert_chain(*app.client_cert_files)
    endpoint = app.endpoint("client-auth")
    assert handshake(endpoint["url"], endpoint["token"], context) is True


def test_client_auth_hangs_up_without_a_client_certificate(app):
    # TLS 1.3: the client's side of the handshake completes, then the server hangs up without a TLS alert.
    with _tls(app, "client-auth", app.client_context()) as tls:
        assert tls.version() == "TLSv1.3"
        try:
            tls.sendall(b"GET /nbwss/client-auth HTTP/1.1\r\nHost: localhost\r\n\r\n")
            answer = tls.recv(100)
        except (ConnectionResetError, BrokenPipeError, ssl.SSLEOFError):
            answer = b""
    assert answer == b""


def test_session_tickets_are_sent_when_configured(app):
    with _tls(app, "healthy", app.client_context()) as tls:
        tls.sendall(b"GET /nbwss/other HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert tls.recv(100).startswith(b"HTTP/1.1 404")
        assert tls.version() == "TLSv1.3" and tls.session.has_ticket


def test_no_session_tickets_by_default(tmp_path):
    with run_in_subprocess({"endpoints": [_endpoint("plain")]}, str(tmp_path)) as plain:
        with _tls(plain, "plain", plain.client_context()) as tls:
            tls.sendall(b"GET /nbwss/other HTTP/1.1\r\nHost: localhost\r\n\r\n")
            assert tls.recv(100).startswith(b"HTTP/1.1 404")
            assert not (tls.session and tls.session.has_ticket)


@pytest.mark.parametrize("tickets", [-1, 17, True, "2"])
def test_session_tickets_must_be_a_small_integer(tickets):
    with pytest.raises(ConfigError, match="config.session_tickets: must be an integer 0..16"):
        parse({"session_tickets": tickets, "endpoints": [_endpoint("a")]})


def test_client_auth_must_be_boolean():
    with pytest.raises(ConfigError, match=r"endpoints\[0\].options.client_auth: must be true or false"):
        parse({"endpoints": [_endpoint("a", client_auth=1)]})
