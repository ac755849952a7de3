# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Client-visible behaviour of every endpoint fault mode, driven with the websockets sync client."""

from __future__ import annotations

import errno
import json
import socket
import time
import uuid

import pytest
from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK, InvalidStatus
from websockets.sync.client import connect

from tools.cloudapp.client import connect_request, read_log


def _open(cloudapp, ctx, name, open_timeout=2.0):
    return connect(cloudapp.endpoint(name)["url"], ssl=ctx, open_timeout=open_timeout, close_timeout=2)


def _wait_for_event(cloudapp, predicate, timeout=2.0):
    """Return the first exchanges.log record matching ``predicate``, polling because the app logs asynchronously."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for record in read_log(cloudapp.state["exchanges_log"]):
            if predicate(record):
                return record
        time.sleep(0.05)
    raise AssertionError("expected event not logged")


def test_healthy_valid_token(cloudapp, client_ctx):
    endpoint = cloudapp.endpoint("healthy")
    with _open(cloudapp, client_ctx, "healthy") as ws:
        message_id, frame = connect_request(endpoint["token"])
        ws.send(frame)
        reply = json.loads(ws.recv(timeout=2))
        assert ws.ping().wait(2) is True
    assert set(reply) == {"version", "id", "type", "subType", "timeStamp", "payload"}
    assert (reply["version"], reply["id"], reply["type"], reply["subType"]) == ("1.0", message_id, "CONNECT", "RESPONSE")
    assert reply["payload"] == {"valid": True}
    assert isinstance(reply["timeStamp"], int) and abs(reply["timeStamp"] - time.time()) < 5
    record = _wait_for_event(cloudapp, lambda r: r.get("id") == message_id and r["event"] == "message_sent")
    assert (record["endpoint"], record["valid"], record["fault"]) == ("healthy", True, "healthy")


def test_healthy_wrong_token_closes_1008(cloudapp, client_ctx):
    with _open(cloudapp, client_ctx, "healthy") as ws:
        message_id, frame = connect_request("not-the-token")
        ws.send(frame)
        reply = json.loads(ws.recv(timeout=2))
        with pytest.raises(ConnectionClosedError) as info:
            ws.recv(timeout=2)
    assert reply["id"] == message_id and reply["payload"] == {"valid": False}
    assert (info.value.rcvd.code, info.value.rcvd.reason) == (1008, "token rejected")


def test_token_rejected_even_with_right_token(cloudapp, client_ctx):
    endpoint = cloudapp.endpoint("token-rejected")
    with _open(cloudapp, client_ctx, "token-rejected") as ws:
        message_id, frame = connect_request(endpoint["token"])
        ws.send(frame)
        reply = json.loads(ws.recv(timeout=2))
        with pytest.raises(ConnectionClosedError) as info:
            ws.recv(timeout=2)
    assert (reply["id"], reply["type"], reply["subType"], reply["payload"]) == (message_id, "CONNECT", "RESPONSE", {"valid": False})
    assert info.value.rcvd.code == 1008


def test_wrong_id_reply_carries_other_uuid(cloudapp, client_ctx):
    endpoint = cloudapp.endpoint("wrong-id")
    with _open(cloudapp, client_ctx, "wrong-id") as ws:
        message_id, frame = connect_request(endpoint["token"])
        ws.send(frame)
        reply = json.loads(ws.recv(timeout=2))
    assert reply["id"] != message_id
    assert str(uuid.UUID(reply["id"])) == reply["id"]
    assert (reply["type"], reply["subType"], reply["payload"]) == ("CONNECT", "RESPONSE", {"valid": True})


def test_no_reply_keeps_connection_open(cloudapp, client_ctx):
    endpoint = cloudapp.endpoint("no-reply")
    with _open(cloudapp, client_ctx, "no-reply") as ws:
        ws.send(connect_request(endpoint["token"])[1])
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.5)
        # Still open: pings are answered.
        assert ws.ping().wait(2) is True


def test_garbage_reply_is_not_json(cloudapp, client_ctx):
    endpoint = cloudapp.endpoint("garbage")
    with _open(cloudapp, client_ctx, "garbage") as ws:
        ws.send(connect_request(endpoint["token"])[1])
        reply = ws.recv(timeout=2)
    assert isinstance(reply, str)
    assert reply == "<nbwss-cloudapp> this frame is not JSON"
    with pytest.raises(ValueError):
        json.loads(reply)


def test_close_after_upgrade_1011(cloudapp, client_ctx):
    with _open(cloudapp, client_ctx, "close-after-upgrade") as ws:
        with pytest.raises(ConnectionClosedError) as info:
            ws.recv(timeout=2)
    assert (info.value.rcvd.code, info.value.rcvd.reason) == (1011, "close_after_upgrade fault")


@pytest.mark.parametrize("name, status", [("http-401", 401), ("http-403", 403), ("http-500", 500)])
def test_http_status_rejects_upgrade(cloudapp, client_ctx, name, status):
    with pytest.raises(InvalidStatus) as info:
        with _open(cloudapp, client_ctx, name):
            pass
    response = info.value.response
    assert response.status_code == status
    assert ("WWW-Authenticate" in response.headers) is (status == 401)


def test_unknown_path_is_404(cloudapp, client_ctx):
    url = cloudapp.endpoint("healthy")["url"].replace("/nbwss/healthy", "/nbwss/other")
    with pytest.raises(InvalidStatus) as info:
        with connect(url, ssl=client_ctx, open_timeout=2):
            pass
    assert info.value.response.status_code == 404


def test_tls_stall_times_out(cloudapp, client_ctx):
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        with _open(cloudapp, client_ctx, "tls-stall", open_timeout=0.5):
            pass
    assert 0.4 < time.monotonic() - started < 2


def test_port_closed_refused(cloudapp, client_ctx):
    endpoint = cloudapp.endpoint("port-closed")
    assert endpoint["url"] == f"wss://localhost:{endpoint['port']}/nbwss/port-closed"
    with pytest.raises(ConnectionRefusedError):
        with _open(cloudapp, client_ctx, "port-closed"):
            pass


def test_port_closed_stays_closed_while_the_app_runs(cloudapp):
    # Another test's server started meanwhile must not be handed the port (it would answer instead of refusing).
    port = cloudapp.endpoint("port-closed")["port"]
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        with pytest.raises(OSError) as caught:
            other.bind(("127.0.0.1", port))
    assert caught.value.errno == errno.EADDRINUSE


def test_slow_delays_reply(cloudapp, client_ctx):
    endpoint = cloudapp.endpoint("slow")
    delay = endpoint["options"]["delay"]
    with _open(cloudapp, client_ctx, "slow") as ws:
        message_id, frame = connect_request(endpoint["token"])
        started = time.monotonic()
        ws.send(frame)
        with pytest.raises(TimeoutError):
            ws.recv(timeout=delay / 3)
        reply = json.loads(ws.recv(timeout=3))
        elapsed = time.monotonic() - started
    assert delay <= elapsed < delay + 1
    assert (reply["id"], reply["payload"]) == (message_id, {"valid": True})


@pytest.mark.parametrize("frame, reason", [
    ("hello", "malformed CONNECT: not JSON"),
    (b"\x00\x01", "malformed CONNECT: binary frame"),
    ('{"version": "1.0", "type": "CONNECT", "subType": "REQUEST", "payload": {"token": "x"}}', "malformed CONNECT: missing id"),
    ('{"version": "1.0", "id": "1", "type": "COMMAND", "subType": "REQUEST", "payload": {}}', "malformed CONNECT: first message is not CONNECT/REQUEST"),
    ('{"version": "1.0", "id": "1", "type": "CONNECT", "subType": "REQUEST", "payload": {}}', "malformed CONNECT: missing payload.token"),
    ('{"version": "2.0", "id": "1", "type": "CONNECT", "subType": "REQUEST", "payload": {"token": "x"}}', "malformed CONNECT: version is not 1.0"),
])
def test_malformed_first_message_closes_1008(cloudapp, client_ctx, frame, reason):
    with _open(cloudapp, client_ctx, "healthy") as ws:
        ws.send(frame)
        with pytest.raises(ConnectionClosedError) as info:
            ws.recv(timeout=2)
    assert (info.value.rcvd.code, info.value.rcvd.reason) == (1008, reason)
    _wait_for_event(cloudapp, lambda r: r["event"] == "malformed" and r["reason"] == reason.split(": ", 1)[1])


def test_no_connect_within_first_message_timeout(cloudapp, client_ctx):
    with _open(cloudapp, client_ctx, "first-timeout") as ws:
        with pytest.raises(ConnectionClosedError) as info:
            ws.recv(timeout=2)
    assert (info.value.rcvd.code, info.value.rcvd.reason) == (1008, "no CONNECT received")


def test_notification_is_acknowledged_with_same_id(cloudapp, client_ctx):
    endpoint = cloudapp.endpoint("healthy")
    notification_id = str(uuid.uuid4())
    job = {"jobId": 42, "parentJobId": 42, "jobType": "BACKUP", "state": "DONE", "status": 0, "policyName": "p", "policyType": "Standard",
           "scheduleType": "FULL", "clientName": "c1", "startTime": int(time.time())}
    with _open(cloudapp, client_ctx, "healthy") as ws:
        ws.send(connect_request(endpoint["token"])[1])
        assert json.loads(ws.recv(timeout=2))["payload"] == {"valid": True}
        for _attempt in range(2):  # NetBackup re-sends unacknowledged notifications: duplicates are acknowledged too
            ws.send(json.dumps({"version": "1.0", "id": notification_id, "type": "NOTIFICATION", "subType": "REQUEST",
                                "timeStamp": int(time.time()), "payload": [{"notificationType": "INFO", "object": "JOB", "data": [job]}]}))
            ack = json.loads(ws.recv(timeout=2))
            assert (ack["id"], ack["type"], ack["subType"], ack["payload"]) == (notification_id, "NOTIFICATION", "RESPONSE", [])


def test_command_is_sent_and_answer_logged(cloudapp, client_ctx):
    endpoint = cloudapp.endpoint("command")
    with _open(cloudapp, client_ctx, "command") as ws:
        ws.send(connect_request(endpoint["token"])[1])
        assert json.loads(ws.recv(timeout=2))["payload"] == {"valid": True}
        command = json.loads(ws.recv(timeout=2))
        assert (command["type"], command["subType"]) == ("COMMAND", "REQUEST")
        assert command["payload"]["uri"] == "/netbackup/config/servers/vmservers"
        assert command["payload"]["headers"]["Content-Type"] == "application/vnd.netbackup+json;version=1.0"
        ws.send(json.dumps({"version": "1.0", "id": command["id"], "type": "COMMAND", "subType": "RESPONSE", "timeStamp": int(time.time()),
                            "payload": {"status": 200, "headers": {}, "body": "{}"}}))
        _wait_for_event(cloudapp, lambda r: r["event"] == "command_answered" and r["id"] == command["id"])
    with _open(cloudapp, client_ctx, "command") as ws:
        ws.send(connect_request(endpoint["token"])[1])
        ws.recv(timeout=2)
        unanswered = json.loads(ws.recv(timeout=2))["id"]
        _wait_for_event(cloudapp, lambda r: r["event"] == "command_timeout" and r["id"] == unanswered)


def test_generated_endpoints_answer(cloudapp, client_ctx):
    generated = [entry for entry in cloudapp.state["endpoints"] if entry["name"].startswith("gen")]
    assert [(e["name"], e["groupId"], e["priority"]) for e in generated] == [
        ("gen1", "group1", 1), ("gen2", "group2", 1), ("gen3", "group3", 1), ("gen4", "group1", 2), ("gen5", "group2", 2), ("gen6", "group3", 2)]
    with connect(generated[3]["url"], ssl=client_ctx, open_timeout=2) as ws:
        message_id, frame = connect_request("gen-secret-4")
        ws.send(frame)
        assert json.loads(ws.recv(timeout=2)) | {"timeStamp": 0} == {
            "version": "1.0", "id": message_id, "type": "CONNECT", "subType": "RESPONSE", "timeStamp": 0, "payload": {"valid": True}}
    with pytest.raises(ConnectionClosedOK):
        ws.recv(timeout=1)
