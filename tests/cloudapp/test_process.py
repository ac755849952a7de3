# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Process-level guarantees: loopback only, state file, no secrets in logs, clean stop, config errors."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import stat
import urllib.request

import pytest

from tools.cloudapp import CloudAppError, run_in_subprocess
from tools.cloudapp.client import handshake, read_log
from tools.cloudapp.config import ConfigError, load_file, parse
from tools.cloudapp.endpoints import free_port
from tools.cloudapp.launcher import REPO_ROOT
from tools.cloudapp.logs import fingerprint


def _listening_sockets(pid):
    """Return (ip, port) of every TCP socket in LISTEN state owned by ``pid``, read from /proc (IPv4 and IPv6)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, "r", encoding="ascii") as handle:
            for line in handle.readlines()[1:]:
                fields = line.split()
                if fields[3] != "0A" or fields[9] not in inodes:
                    continue
                address, port = fields[1].split(":")
                if len(address) == 8:
                    ip = socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1])
                else:
                    words = [bytes.fromhex(address[i:i + 8])[::-1] for i in range(0, 32, 8)]
                    ip = socket.inet_ntop(socket.AF_INET6, b"".join(words))
                found.append((ip, int(port, 16)))
    return found


def test_listens_only_on_loopback(cloudapp):
    listening = _listening_sockets(cloudapp.pid)
    expected_ports = {e["port"] for e in cloudapp.state["endpoints"] if e["fault"] != "port_closed"} | {cloudapp.state["provider_port"]}
    assert {ip for ip, _port in listening} == {"127.0.0.1"}
    assert sorted(port for _ip, port in listening) == sorted(expected_ports)
    assert cloudapp.endpoint("port-closed")["port"] not in expected_ports


def test_state_file_schema_and_mode(cloudapp):
    path = os.path.join(cloudapp.state_dir, "state.json")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path, "r", encoding="utf-8") as handle:
        state = json.load(handle)
    assert state["pid"] == cloudapp.pid
    assert {"pid", "started_at", "state_dir", "ca_bundle", "untrusted_ca_bundle", "exchanges_log", "provider_log", "provider_port",
            "endpoints", "providers"} == set(state)
    for entry in state["endpoints"]:
        assert set(entry) == {"name", "groupId", "priority", "token", "hostName", "url", "port", "fault", "cert", "options"}
        assert entry["hostName"] == "localhost"
        assert entry["url"] == f"wss://localhost:{entry['port']}/nbwss/{entry['name']}"
    for entry in state["providers"]:
        assert set(entry) == {"name", "endpoint", "path", "url", "auth", "fault", "options"}
        assert entry["url"] == f"https://localhost:{state['provider_port']}{entry['path']}"
    assert cloudapp.provider("bearer")["auth"] == {"bearer": "provider-bearer-secret-7c1d"}
    assert len(state["endpoints"]) == 23 and len(state["providers"]) == 16


def test_no_secret_in_logs(cloudapp, client_ctx):
    healthy = cloudapp.endpoint("healthy")
    wrong_token = "wrong-token-sent-by-test-6d2b"
    assert handshake(healthy["url"], healthy["token"], client_ctx) is True
    assert handshake(healthy["url"], wrong_token, client_ctx) is False
    bearer = cloudapp.provider("bearer")["auth"]["bearer"]
    credentials = cloudapp.provider("basic")["auth"]["basic"]
    basic = base64.b64encode(f"{credentials['username']}:{credentials['password']}".encode()).decode()
    for name, header in (("bearer", f"Bearer {bearer}"), ("basic", f"Basic {basic}")):
        request = urllib.request.Request(cloudapp.provider(name)["url"], headers={"Authorization": header})
        with urllib.request.urlopen(request, context=client_ctx, timeout=3) as response:
            assert response.status == 200
    secrets = [entry["token"] for entry in cloudapp.state["endpoints"]] + [wrong_token, bearer, credentials["password"], basic]
    logs = {}
    for name in ("exchanges.log", "provider.log", "stderr.log"):
        with open(os.path.join(cloudapp.state_dir, name), "r", encoding="utf-8") as handle:
            logs[name] = handle.read()
    for name, text in logs.items():
        leaked = [secret for secret in secrets if secret in text]
        assert leaked == [], f"{name} contains a secret"
    fingerprints = {record.get("token_fp") for record in read_log(cloudapp.state["exchanges_log"])}
    assert {fingerprint(healthy["token"]), fingerprint(wrong_token)} <= fingerprints
    assert any(r.get("provider") == "bearer" and r["status"] == 200 for r in read_log(cloudapp.state["provider_log"]))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_cleanly(tmp_path, signum):
    port = free_port()
    config = {"endpoints": [{"name": "one", "groupId": "G", "priority": 1, "token": "stop-test-token", "port": port}],
              "providers": [{"name": "one", "endpoint": "one"}]}
    app = run_in_subprocess(config, str(tmp_path))
    try:
        assert app.endpoint("one")["port"] == port
        assert handshake(app.endpoint("one")["url"], "stop-test-token", app.client_context()) is True
        os.kill(app.pid, signum)
        assert app.process.wait(10) == 0
    finally:
        app.stop()
    assert os.path.exists(tmp_path / "state.json") and os.path.exists(tmp_path / "exchanges.log")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


def test_invalid_config_fails_with_message(tmp_path):
    config = {"endpoints": [{"name": "one", "groupId": "G", "priority": 1, "token": "t", "fault": "melting"}]}
    with pytest.raises(CloudAppError, match=r"endpoints\[0\]\.fault: 'melting' is not one of healthy"):
        run_in_subprocess(config, str(tmp_path), timeout=10)


def test_generate_200_in_10_groups():
    config = parse({"endpoints": [{"generate": {"count": 200, "groups": 10, "token_prefix": "p-"}}]})
    assert len(config.endpoints) == 200
    assert len({e.name for e in config.endpoints}) == 200 and len({e.token for e in config.endpoints}) == 200
    groups = {}
    for endpoint in config.endpoints:
        groups.setdefault(endpoint.group_id, []).append(endpoint.priority)
    assert sorted(groups) == [f"group{n:02d}" for n in range(1, 11)]
    assert all(priorities == list(range(1, 21)) for priorities in groups.values())
    assert (config.endpoints[0].name, config.endpoints[0].token) == ("ep001", "p-001")


@pytest.mark.parametrize("data, message", [
    ({"endpoints": [{"name": "a", "groupId": "G", "priority": "1", "token": "t"}]}, r"endpoints\[0\]\.priority: must be an integer"),
    ({"endpoints": [{"name": "a", "groupId": "G", "priority": 1, "token": "t", "cert": "odd"}]}, r"endpoints\[0\]\.cert"),
    ({"endpoints": [{"name": "a", "groupId": "G", "priority": 1, "token": "t"}], "providers": [{"name": "p", "endpoint": "b"}]},
     r"providers\[0\]\.endpoint: no endpoint named 'b'"),
    ({"endpoints": [{"name": "a", "groupId": "G", "priority": 1, "token": "t"}, {"name": "a", "groupId": "G", "priority": 2, "token": "u"}]},
     "duplicate name"),
    ({"endpoints": [{"name": "a", "groupID": "G", "priority": 1, "token": "t"}]}, "unknown key"),
    ({"endpoints": [{"name": "a", "groupId": "G", "priority": 1, "token": "t", "options": {"notify": True}}]}, "use 'command: true'"),
])
def test_config_errors(data, message):
    with pytest.raises(ConfigError, match=message):
        parse(data)


def test_example_config_is_the_demo_layout():
    config = load_file(os.path.join(REPO_ROOT, "tools", "cloudapp", "example.yml"))
    assert sorted((e.group_id, e.priority, e.fault) for e in config.endpoints) == [
        ("ALPHA", 1, "healthy"), ("ALPHA", 2, "healthy"), ("BETA", 1, "healthy"), ("BETA", 2, "healthy")]
    assert sorted(p.endpoint for p in config.providers) == sorted(e.name for e in config.endpoints)
