# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures: one reference cloud application per test session, with every fault mode, on free loopback ports."""

from __future__ import annotations

import os
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from tools.cloudapp import run_in_subprocess  # noqa: E402  pylint: disable=wrong-import-position

SLOW_DELAY = 0.6
PROVIDER_BEARER = "provider-bearer-secret-7c1d"
PROVIDER_USER = "fetcher"
PROVIDER_PASSWORD = "provider-basic-secret-93ab"


def _endpoint(name: str, priority: int, fault: str = "healthy", cert: str = "valid", **options: object) -> dict:
    entry = {"name": name, "groupId": "FAULTS", "priority": priority, "token": f"tok-{name}-5f0e", "fault": fault, "cert": cert}
    if options:
        entry["options"] = options
    return entry


ENDPOINTS = [
    _endpoint("healthy", 1),
    _endpoint("token-rejected", 2, "token_rejected"),
    _endpoint("wrong-id", 3, "wrong_id"),
    _endpoint("no-reply", 4, "no_reply"),
    _endpoint("garbage", 5, "garbage"),
    _endpoint("close-after-upgrade", 6, "close_after_upgrade"),
    _endpoint("http-401", 7, "http_401"),
    _endpoint("http-403", 8, "http_403"),
    _endpoint("http-500", 9, "http_500"),
    _endpoint("tls-stall", 10, "tls_stall"),
    _endpoint("port-closed", 11, "port_closed"),
    _endpoint("slow", 12, "slow", delay=SLOW_DELAY),
    _endpoint("cert-expired", 13, cert="expired"),
    _endpoint("cert-wrong-host", 14, cert="wrong_host"),
    _endpoint("cert-untrusted", 15, cert="untrusted"),
    _endpoint("command", 16, command=True, command_timeout=0.5),
    _endpoint("first-timeout", 17, first_message_timeout=0.5),
    {"generate": {"count": 6, "groups": 3, "token_prefix": "gen-secret-", "name_prefix": "gen"}},
]


def _provider(fault: str, **extra: object) -> dict:
    entry = {"name": fault.replace("_", "-"), "endpoint": "healthy", "fault": fault}
    entry.update(extra)
    return entry


PROVIDERS = [
    _provider("ok"),
    _provider("fail_first", options={"n": 2}),
    _provider("not_found"),
    _provider("unauthorized"),
    _provider("slow", options={"delay": SLOW_DELAY}),
    _provider("endless_body", options={"interval": 0.02}),
    _provider("invalid_json"),
    _provider("duplicate_keys"),
    _provider("apostrophe"),
    _provider("ws_url"),
    _provider("list"),
    _provider("oversized"),
    _provider("redirect_http"),
    _provider("redirect_https"),
    {"name": "bearer", "endpoint": "healthy", "path": "/auth/bearer", "auth": {"bearer": PROVIDER_BEARER}},
    {"name": "basic", "endpoint": "healthy", "path": "/auth/basic", "auth": {"basic": {"username": PROVIDER_USER, "password": PROVIDER_PASSWORD}}},
]

CONFIG = {"endpoints": ENDPOINTS, "providers": PROVIDERS}


@pytest.fixture(scope="session")
def cloudapp(tmp_path_factory):
    """A running cloud application (tools.cloudapp.CloudApp handle) with every fault mode; stopped by PID at the end."""
    app = run_in_subprocess(CONFIG, str(tmp_path_factory.mktemp("cloudapp")))
    yield app
    app.stop()


@pytest.fixture(scope="session")
def client_ctx(cloudapp):
    """A verifying client SSLContext that trusts the application's CA."""
    return cloudapp.client_context()
