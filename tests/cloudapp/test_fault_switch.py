# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Switching an endpoint's fault mode while the application runs: POST /_admin/fault and CloudApp.set_fault."""

from __future__ import annotations

import errno
import json
import os
import socket
import ssl
import stat
import time
import urllib.error
import urllib.request

import pytest
from websockets.exceptions import ConnectionClosedError, InvalidHeaderValue, InvalidStatus
from websockets.sync.client import connect

from tools.cloudapp import ENDPOINT_FAULTS, CloudAppError, run_in_subprocess
from tools.cloudapp.client import connect_request, handshake, read_log
from tools.cloudapp.endpoints import free_port

SLOW_DELAY = 0.3
TOKENS = {"alpha-1": "alpha-1-switch-tok3n-81c2", "every-fault": "every-fault-tok3n-4a7d", "steady": "steady-tok3n-0be9",
          "starts-closed": "starts-closed-tok3n-5e11"}
# The fault each endpoint is configured with, and goes back to after every test.
INITIAL = {"alpha-1": "healthy", "every-fault": "healthy", "steady": "healthy", "starts-closed": "port_closed"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """An application without provider URLs: the admin path is on the provider listener all the same."""
    config = {"endpoints": [
        {"name": "alpha-1", "groupId": "ALPHA", "priority": 1, "token": TOKENS["alpha-1"]},
        {"name": "every-fault", "groupId": "ALPHA", "priority": 2, "token": TOKENS["every-fault"], "options": {"delay": SLOW_DELAY}},
        {"name": "steady", "groupId": "BETA", "priority": 1, "token": TOKENS["steady"]},
        {"name": "starts-closed", "groupId": "BETA", "priority": 2, "token": TOKENS["starts-closed"], "fault": "port_closed",
         "port": free_port()},
    ]}
    handle = run_in_subprocess(config, str(tmp_path_factory.mktemp("cloudapp-switch")))
    yield handle
    assert handle.stop() == 0  # a clean stop also with listeners of earlier faults and their connections around


@pytest.fixture(autouse=True)
def _initial_faults_again(app):
    """Every test starts and ends with every endpoint at its configured fault."""
    yield
    for name, fault in INITIAL.items():
        app.set_fault(name, fault)


def _admin(app, body, method="POST"):
    """POST ``body`` (bytes, or a value sent as JSON) to /_admin/fault; return (status, parsed answer, raw answer)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(f"https://localhost:{app.state['provider_port']}/_admin/fault", method=method,
                                     data=data if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, context=app.client_context(), timeout=5) as response:
            raw = response.read()
            return response.status, json.loads(raw), raw
    except urllib.error.HTTPError as exc:
        with exc:
            raw = exc.read()
        return exc.code, json.loads(raw), raw


def _handshake(app, name, timeout=2.0):
    endpoint = app.endpoint(name)
    return handshake(endpoint["url"], endpoint["token"], app.client_context(), timeout=timeout)


def _observe(app, name):
    """What a client sees when it opens the endpoint and sends CONNECT, in one word."""
    try:
        return "valid" if _handshake(app, name, timeout=1.0) else "not_valid"
    except ConnectionRefusedError:
        return "refused"
    except TimeoutError:
        return "timeout"
    except InvalidStatus as exc:
        return f"http_{exc.response.status_code}"
    except InvalidHeaderValue:
        return "bad_accept"
    except ConnectionClosedError as exc:
        return f"closed_{exc.rcvd.code}" if exc.rcvd else "closed"
    except (ssl.SSLError, ConnectionError, EOFError):
        return "tls_failed"
    except ValueError:
        return "not_json"


def _peer_certificate(app, name):
    with socket.create_connection(("127.0.0.1", app.endpoint(name)["port"]), timeout=2) as sock:
        with app.client_context().wrap_socket(sock, server_hostname="localhost") as tls:
            return tls.getpeercert(binary_form=True)


def _read_state(app):
    with open(os.path.join(app.state_dir, "state.json"), "r", encoding="utf-8") as handle:
        return json.load(handle)


def test_port_closed_refuses_then_serves_again_on_the_same_port(app):
    before = app.endpoint("alpha-1")
    certificate = _peer_certificate(app, "alpha-1")
    assert app.set_fault("alpha-1", "port_closed") == "healthy"
    with pytest.raises(ConnectionRefusedError) as refused:
        _handshake(app, "alpha-1")
    assert refused.value.errno == errno.ECONNREFUSED
    # Not listening, yet still holding the port: no other server can take it meanwhile, SO_REUSEADDR or not.
    for reuse in (0, 1):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
            other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, reuse)
            with pytest.raises(OSError) as taken:
                other.bind(("127.0.0.1", before["port"]))
        assert taken.value.errno == errno.EADDRINUSE
    assert app.set_fault("alpha-1", "healthy") == "port_closed"
    assert _handshake(app, "alpha-1") is True
    after = app.endpoint("alpha-1")
    assert (after["port"], after["url"]) == (before["port"], before["url"])
    assert _peer_certificate(app, "alpha-1") == certificate


def test_configured_port_closed_starts_listening_on_its_port(app):
    port = app.endpoint("starts-closed")["port"]
    with pytest.raises(ConnectionRefusedError):
        _handshake(app, "starts-closed")
    assert app.set_fault("starts-closed", "healthy") == "port_closed"
    assert _handshake(app, "starts-closed") is True
    assert app.endpoint("starts-closed")["port"] == port
    assert app.set_fault("starts-closed", "port_closed") == "healthy"
    with pytest.raises(ConnectionRefusedError):
        _handshake(app, "starts-closed")


def test_token_rejected_then_valid_again(app):
    assert _handshake(app, "alpha-1") is True
    assert app.set_fault("alpha-1", "token_rejected") == "healthy"
    assert _handshake(app, "alpha-1") is False
    assert app.set_fault("alpha-1", "healthy") == "token_rejected"
    assert _handshake(app, "alpha-1") is True


EXPECTED = {
    "healthy": "valid", "token_rejected": "not_valid", "wrong_id": "not_valid", "no_reply": "timeout", "garbage": "not_json",
    "close_after_upgrade": "closed_1011", "http_401": "http_401", "http_403": "http_403", "http_500": "http_500",
    "tls_stall": "timeout", "port_closed": "refused", "slow": "valid", "tcp_stall": "timeout", "upgrade_stall": "timeout",
    "no_tls": "tls_failed", "bad_accept": "bad_accept",
}


def test_expectations_cover_every_fault_mode():
    assert sorted(EXPECTED) == sorted(ENDPOINT_FAULTS)


@pytest.mark.parametrize("fault", [fault for fault in ENDPOINT_FAULTS if fault != "healthy"])
def test_every_fault_mode_switches_both_ways(app, fault):
    port = app.endpoint("every-fault")["port"]
    assert app.set_fault("every-fault", fault) == "healthy"
    assert app.endpoint("every-fault")["fault"] == fault
    assert _observe(app, "every-fault") == EXPECTED[fault]
    assert _handshake(app, "steady") is True  # the other endpoints are not touched
    assert app.set_fault("every-fault", "healthy") == fault
    assert _observe(app, "every-fault") == "valid"
    assert app.endpoint("every-fault")["port"] == port


def test_open_connection_keeps_its_fault_across_switches(app):
    token = TOKENS["alpha-1"]
    url = app.endpoint("alpha-1")["url"]
    with connect(url, ssl=app.client_context(), open_timeout=2, close_timeout=2) as established, \
            connect(url, ssl=app.client_context(), open_timeout=2, close_timeout=2) as upgraded:
        established.send(connect_request(token)[1])
        assert json.loads(established.recv(timeout=2))["payload"] == {"valid": True}
        app.set_fault("alpha-1", "token_rejected")
        app.set_fault("alpha-1", "port_closed")
        with pytest.raises(ConnectionRefusedError):
            _handshake(app, "alpha-1")
        # Opened while healthy, CONNECT sent after the switches: still answered as the healthy endpoint it reached.
        message_id, frame = connect_request(token)
        upgraded.send(frame)
        assert json.loads(upgraded.recv(timeout=2)) | {"timeStamp": 0} == {
            "version": "1.0", "id": message_id, "type": "CONNECT", "subType": "RESPONSE", "timeStamp": 0, "payload": {"valid": True}}
        notification_id = "switch-notification-1"
        established.send(json.dumps({"version": "1.0", "id": notification_id, "type": "NOTIFICATION", "subType": "REQUEST",
                                     "timeStamp": int(time.time()), "payload": []}))
        assert json.loads(established.recv(timeout=2))["id"] == notification_id
        assert established.ping().wait(2) is True
        app.set_fault("alpha-1", "healthy")
        assert upgraded.ping().wait(2) is True
    assert _handshake(app, "alpha-1") is True


def test_state_json_is_rewritten_atomically_with_the_new_fault(app):
    path = os.path.join(app.state_dir, "state.json")
    before = _read_state(app)
    inode = os.stat(path).st_ino
    app.set_fault("alpha-1", "http_500")
    after = _read_state(app)
    assert os.stat(path).st_ino != inode  # replaced by a rename, never rewritten in place
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    changed = {entry["name"]: entry for entry in after["endpoints"]}
    assert changed["alpha-1"] == dict(next(e for e in before["endpoints"] if e["name"] == "alpha-1"), fault="http_500")
    assert {k: v for k, v in after.items() if k != "endpoints"} == {k: v for k, v in before.items() if k != "endpoints"}
    assert [e for e in after["endpoints"] if e["name"] != "alpha-1"] == [e for e in before["endpoints"] if e["name"] != "alpha-1"]
    assert app.state == after


def test_switch_is_logged_once_without_secrets(app):
    app.set_fault("alpha-1", "no_reply")
    switches = [r for r in read_log(app.state["exchanges_log"]) if r["event"] == "fault_switched"]
    assert {k: v for k, v in switches[-1].items() if k != "ts"} == {
        "event": "fault_switched", "endpoint": "alpha-1", "previous": "healthy", "fault": "no_reply"}
    count = len(switches)
    app.set_fault("alpha-1", "healthy")
    assert len([r for r in read_log(app.state["exchanges_log"]) if r["event"] == "fault_switched"]) == count + 1
    # A connection reached after a switch is logged with the fault it met.
    assert _handshake(app, "alpha-1") is True
    assert read_log(app.state["exchanges_log"])[-1]["fault"] == "healthy"
    for name in ("exchanges.log", "provider.log", "stderr.log"):
        with open(os.path.join(app.state_dir, name), "r", encoding="utf-8") as handle:
            text = handle.read()
        assert not [token for token in TOKENS.values() if token in text], f"{name} contains a token"


def test_answer_names_endpoint_fault_and_previous(app):
    status, answer, raw = _admin(app, {"endpoint": "alpha-1", "fault": "garbage"})
    assert (status, answer) == (200, {"endpoint": "alpha-1", "fault": "garbage", "previous": "healthy"})
    assert raw.count(b"\n") == 1


def test_unknown_endpoint_is_404(app):
    status, answer, raw = _admin(app, {"endpoint": TOKENS["steady"], "fault": "port_closed"})
    assert (status, answer) == (404, {"error": "no endpoint of that name"})
    assert raw.count(b"\n") == 1 and TOKENS["steady"].encode() not in raw
    with pytest.raises(CloudAppError, match=r"\(404\): no endpoint of that name$"):
        app.set_fault("alpha-9", "port_closed")


def test_unknown_fault_mode_is_400_and_changes_nothing(app):
    status, answer, raw = _admin(app, {"endpoint": "alpha-1", "fault": TOKENS["alpha-1"]})
    assert status == 400 and answer["error"].startswith("unknown endpoint fault mode; one of healthy, token_rejected,")
    assert raw.count(b"\n") == 1 and TOKENS["alpha-1"].encode() not in raw
    with pytest.raises(CloudAppError, match=r"\(400\): unknown endpoint fault mode"):
        app.set_fault("alpha-1", "ok")  # a provider fault mode, not an endpoint one
    assert _read_state(app)["endpoints"][0]["fault"] == "healthy"
    assert _handshake(app, "alpha-1") is True


@pytest.mark.parametrize("body", [
    b"{not json", b"\xff\xfe", json.dumps(["alpha-1", "port_closed"]).encode(), json.dumps({"endpoint": "alpha-1"}).encode(),
    json.dumps({"endpoint": "alpha-1", "fault": "port_closed", "token": TOKENS["alpha-1"]}).encode(),
    json.dumps({"endpoint": "alpha-1", "fault": 3}).encode(), b"",
])
def test_malformed_body_is_400(app, body):
    status, answer, raw = _admin(app, body)
    assert status == 400 and set(answer) == {"error"}
    assert raw.count(b"\n") == 1 and TOKENS["alpha-1"].encode() not in raw
    assert _read_state(app)["endpoints"][0]["fault"] == "healthy"


def test_only_post_switches(app):
    status, answer, _raw = _admin(app, None, method="GET")
    assert (status, answer) == (405, {"error": "Method Not Allowed"})


def test_admin_path_without_provider_urls(app):
    state = _read_state(app)
    assert state["providers"] == [] and isinstance(state["provider_port"], int)
    assert _admin(app, {"endpoint": "steady", "fault": "healthy"})[:2] == (200, {"endpoint": "steady", "fault": "healthy", "previous": "healthy"})


def test_app_without_endpoints_answers_404(tmp_path):
    with run_in_subprocess({"endpoints": []}, str(tmp_path)) as empty:
        with pytest.raises(CloudAppError, match=r"\(404\): no endpoint of that name$"):
            empty.set_fault("alpha-1", "healthy")
