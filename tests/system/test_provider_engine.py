# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The provider fetch engine (_provider.fetch_endpoint) against the reference cloud application, a CONNECT proxy
and a scripted HTTPS server, all real and on loopback. Every error is checked for leaked secrets."""

from __future__ import annotations

import contextlib
import email.utils
import json
import os
import pathlib
import socket
import ssl
import subprocess
import time
import urllib.request

import pytest
from ansible.release import __version__ as ansible_version

from tools.cloudapp import run_in_subprocess
from tools.cloudapp.client import read_log

from ansible_collections.netbackup.nbwss.plugins.module_utils import _provider
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import endpoint_from_dict
from ansible_collections.netbackup.nbwss.plugins.module_utils._provider import fetch_endpoint
from ansible_collections.netbackup.nbwss.plugins.module_utils._provider_options import ProviderError, ProviderOptions
from ansible_collections.netbackup.nbwss.tests.system.provider_servers import (
    Answer,
    ConnectProxy,
    LoopbackPKI,
    ScriptedServer,
    TrickleServer,
)

ENDPOINT_TOKEN = "nbwssFetchTok3n-Vb7Nm2Qw9Er4"
API_TOKEN = "nbwssFetchApiTok3n-Hs5Jd8Kf2Lg7"
WRONG_API_TOKEN = "nbwssFetchWrongTok3n-Pz3Xc6Vb9Nm1"
USER = "fetcher"
PASSWORD = "nbwssFetchPassTok3n-Tq4Wr7Ey1Ui5"
WRONG_PASSWORD = "nbwssFetchBadPassTok3n-Aa2Ss5Dd8Ff0"
SECRETS = (ENDPOINT_TOKEN, API_TOKEN, WRONG_API_TOKEN, PASSWORD, WRONG_PASSWORD)

SLOW_DELAY = 1.2
FAIL_FIRST = 2
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def provider_entry(name: str, fault: str = "ok", **extra: object) -> dict:
    return dict({"name": name, "endpoint": "fetched", "fault": fault}, **extra)


CONFIG = {
    "endpoints": [{"name": "fetched", "groupId": "FETCH", "priority": 1, "token": ENDPOINT_TOKEN}],
    "providers": [
        provider_entry("ok"),
        provider_entry("fail-first", "fail_first", options={"n": FAIL_FIRST}),
        provider_entry("not-found", "not_found"),
        provider_entry("unauthorized", "unauthorized", auth={"bearer": API_TOKEN}),
        provider_entry("slow", "slow", options={"delay": SLOW_DELAY}),
        provider_entry("endless-body", "endless_body", options={"interval": 0.02}),
        provider_entry("endless-fast", "endless_body", options={"interval": 0.001}),
        provider_entry("invalid-json", "invalid_json"),
        provider_entry("duplicate-keys", "duplicate_keys"),
        provider_entry("apostrophe", "apostrophe"),
        provider_entry("ws-url", "ws_url"),
        provider_entry("list", "list"),
        provider_entry("oversized", "oversized"),
        provider_entry("redirect-http", "redirect_http"),
        provider_entry("redirect-https", "redirect_https"),
        provider_entry("bearer", path="/auth/bearer", auth={"bearer": API_TOKEN}),
        provider_entry("bearer-redirect", "redirect_https", path="/auth/bearer-redirect", auth={"bearer": API_TOKEN}),
        provider_entry("basic", path="/auth/basic", auth={"basic": {"username": USER, "password": PASSWORD}}),
    ],
}


# --- fixtures and helpers -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """This module's own cloud application with exactly the providers above; stopped by PID."""
    handle = run_in_subprocess(CONFIG, str(tmp_path_factory.mktemp("provider-engine")))
    yield handle
    handle.stop()


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return LoopbackPKI(str(tmp_path_factory.mktemp("pki")))


@pytest.fixture(autouse=True)
def clean_proxy_environment(monkeypatch):
    """No proxy of the machine's environment may change what these tests see."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def tls_bytes_read(monkeypatch):
    """Counts the plaintext bytes this process reads from TLS sockets (the cloud application runs in another process)."""
    counter = {"bytes": 0}
    real_recv_into = ssl.SSLSocket.recv_into

    def counting_recv_into(sock, buffer, nbytes=0, flags=0):
        received = real_recv_into(sock, buffer, nbytes, flags)
        counter["bytes"] += received
        return received

    monkeypatch.setattr(ssl.SSLSocket, "recv_into", counting_recv_into)
    return counter


def url_of(app, name: str) -> str:
    return app.provider(name)["url"]


def trusting(app, **values) -> ProviderOptions:
    """Options that trust the application's CA; fast retries unless a test says otherwise."""
    values.setdefault("ca_path", app.state["ca_bundle"])
    values.setdefault("retry_delay", 0.05)
    return ProviderOptions(**values)


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text
    assert "Bearer " not in text and "Basic " not in text


def fetch(url: str, options: ProviderOptions, **kwargs):
    """fetch_endpoint, timed: (Fetched, seconds)."""
    started = time.monotonic()
    result = fetch_endpoint(url, options, **kwargs)
    assert_no_secret(repr(result))
    return result, time.monotonic() - started


def fetch_error(url: str, options: ProviderOptions, **kwargs) -> tuple[ProviderError, float]:
    """The ProviderError of fetch_endpoint, timed, after checking that no form of it holds a secret."""
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        fetch_endpoint(url, options, **kwargs)
    elapsed = time.monotonic() - started
    error = info.value
    for text in (str(error), repr(error), error.message, repr(error.args)):
        assert_no_secret(text)
    return error, elapsed


def expected_endpoint(app):
    entry = app.endpoint("fetched")
    return endpoint_from_dict({key: entry[key] for key in ("token", "priority", "groupId", "hostName", "url")})


def server_requests(app, name: str, expected: int, settle: float = 0.3) -> list[dict]:
    """provider.log records of one provider, once ``expected`` are there (the app logs after answering)."""
    deadline = time.monotonic() + SLOW_DELAY + 3
    while True:
        records = [r for r in read_log(app.state["provider_log"]) if r.get("provider") == name]
        if len(records) >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    time.sleep(settle)
    return [r for r in read_log(app.state["provider_log"]) if r.get("provider") == name]


def reset_counters(app) -> None:
    reset_url = f"https://localhost:{app.state['provider_port']}/_admin/reset"
    request = urllib.request.Request(reset_url, method="POST", data=b"")
    with urllib.request.urlopen(request, context=app.client_context(), timeout=5) as response:
        assert response.status == 204


# --- success and retries ------------------------------------------------------------------------

def test_ok_returns_the_validated_endpoint_in_one_attempt(app):
    result, _elapsed = fetch(url_of(app, "ok"), trusting(app))
    assert result.endpoint == expected_endpoint(app)
    assert result.endpoint.token == ENDPOINT_TOKEN
    assert (result.attempts, result.status, result.url) == (1, 200, url_of(app, "ok"))
    assert result.endpoint.source == url_of(app, "ok")


def test_query_string_never_reaches_results_or_errors(app):
    result, _elapsed = fetch(url_of(app, "ok") + "?sig=" + API_TOKEN, trusting(app), source="providers[0]")
    assert (result.url, result.endpoint.source) == (url_of(app, "ok"), "providers[0]")
    error, _elapsed = fetch_error(url_of(app, "not-found") + "?sig=" + API_TOKEN, trusting(app))
    assert error.url == url_of(app, "not-found")


def test_500_then_200_succeeds_within_the_retry_budget_and_counts_attempts(app):
    reset_counters(app)
    result, elapsed = fetch(url_of(app, "fail-first"), trusting(app, retries=3, retry_delay=0.2))
    assert (result.attempts, result.status) == (FAIL_FIRST + 1, 200)
    assert result.endpoint == expected_endpoint(app)
    # Waits of 0.2 and 0.4 s, each stretched by up to 50 % jitter.
    assert 0.6 <= elapsed < 0.9 + 1.0
    assert [r["status"] for r in server_requests(app, "fail-first", 3)][-3:] == [500, 500, 200]


def test_500_beyond_the_retry_budget_fails_with_the_status_and_attempts(app):
    reset_counters(app)
    error, _elapsed = fetch_error(url_of(app, "fail-first"), trusting(app, retries=1))
    assert str(error) == f"{url_of(app, 'fail-first')}: the provider answered HTTP 500 Internal Server Error (after 2 attempts)"
    assert (error.reason, error.status, error.attempts) == ("http_status", 500, 2)


@pytest.mark.parametrize("name, status, hint", [
    ("not-found", 404, "Not Found; check the URL"),
    ("unauthorized", 401, "Unauthorized; check api_token or url_username and url_password"),
])
def test_client_errors_fail_at_once_without_retry(app, name, status, hint):
    before = len(server_requests(app, name, 0, settle=0))
    error, elapsed = fetch_error(url_of(app, name), trusting(app, api_token=API_TOKEN, retries=3, retry_delay=2.0))
    assert str(error) == f"{url_of(app, name)}: the provider answered HTTP {status} {hint}"
    assert (error.reason, error.status, error.attempts) == ("http_status", status, 1)
    assert elapsed < 0.5  # well under one retry_delay
    assert len(server_requests(app, name, before + 1)) == before + 1


# --- authentication -----------------------------------------------------------------------------

def test_bearer_token_right_and_wrong(app):
    result, _elapsed = fetch(url_of(app, "bearer"), trusting(app, api_token=API_TOKEN))
    assert result.endpoint == expected_endpoint(app)
    for options in (trusting(app, api_token=WRONG_API_TOKEN), trusting(app)):
        error, _elapsed = fetch_error(url_of(app, "bearer"), options)
        assert (error.status, error.attempts) == (401, 1)
        assert "HTTP 401 Unauthorized; check api_token" in str(error)


def test_basic_auth_is_sent_preemptively_right_and_wrong(app):
    result, _elapsed = fetch(url_of(app, "basic"), trusting(app, url_username=USER, url_password=PASSWORD))
    assert (result.endpoint, result.attempts) == (expected_endpoint(app), 1)
    for options in (trusting(app, url_username=USER, url_password=WRONG_PASSWORD), trusting(app, api_token=API_TOKEN)):
        error, _elapsed = fetch_error(url_of(app, "basic"), options)
        assert (error.reason, error.status, error.attempts) == ("http_status", 401, 1)
    records = server_requests(app, "basic", 3)
    assert [r["status"] for r in records] == [200, 401, 401]  # one request each: no 401 round trip first


def test_credentials_follow_a_redirect_to_the_same_origin(app):
    result, _elapsed = fetch(url_of(app, "bearer-redirect"), trusting(app, api_token=API_TOKEN))
    assert (result.endpoint, result.attempts, result.url) == (expected_endpoint(app), 1, url_of(app, "bearer-redirect"))


# --- timeouts -----------------------------------------------------------------------------------

def test_slow_answer_within_the_timeout_succeeds(app):
    result, elapsed = fetch(url_of(app, "slow"), trusting(app, timeout=SLOW_DELAY + 3))
    assert (result.endpoint, result.attempts) == (expected_endpoint(app), 1)
    assert elapsed >= SLOW_DELAY


def test_slow_answer_beyond_the_timeout_fails_as_timeout_and_is_retried(app):
    before = len(server_requests(app, "slow", 0, settle=0))
    error, elapsed = fetch_error(url_of(app, "slow"), trusting(app, timeout=0.4, retries=1, retry_delay=0.1))
    assert str(error) == f"{url_of(app, 'slow')}: no complete answer within the timeout of 0.4 s (after 2 attempts)"
    assert (error.reason, error.status, error.attempts) == ("timeout", None, 2)
    assert 0.8 <= elapsed < 0.8 + 0.15 + 1.0
    assert len(server_requests(app, "slow", before + 2)) == before + 2


def test_endless_body_fails_within_timeout_plus_one_second(app):
    error, elapsed = fetch_error(url_of(app, "endless-body"), trusting(app, timeout=1.0, retries=0))
    assert str(error) == f"{url_of(app, 'endless-body')}: no complete answer within the timeout of 1 s"
    assert (error.reason, error.status, error.attempts) == ("timeout", 200, 1)
    assert 1.0 <= elapsed < 2.0
    record = server_requests(app, "endless-body", 1)[-1]
    assert record["endless"] is True and record["client_gone"] is True


def test_endless_body_is_retried_and_every_attempt_is_bounded(app):
    error, elapsed = fetch_error(url_of(app, "endless-body"), trusting(app, timeout=0.5, retries=2, retry_delay=0.05))
    assert (error.reason, error.attempts) == ("timeout", 3)
    assert 1.5 <= elapsed < 3 * 0.5 + (0.05 + 0.1) * 1.5 + 1.0


def test_stalled_body_fails_at_the_deadline_not_a_whole_socket_timeout_later(app, pki):
    # Headers at 0.7 s, then half the body and silence: the read waits only for the 0.3 s left, not for the full timeout.
    with ScriptedServer(pki, [Answer(200, endpoint_body(app), delay=0.7, stall=3.0)]) as server:
        error, elapsed = fetch_error(server.url + "/ep", ProviderOptions(ca_path=pki.ca_path, timeout=1.0, retries=0))
    assert (error.reason, error.status, error.attempts) == ("timeout", 200, 1)
    assert 1.0 <= elapsed < 1.3


def wait_for(condition, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return bool(condition())


@pytest.mark.parametrize("phase, route", [("headers", "direct"), ("headers", "proxy"), ("handshake", "direct")])
def test_a_trickling_server_is_cut_off_at_the_timeout(pki, monkeypatch, phase, route):
    # One byte every 0.25 s never trips a per-read socket timeout: with timeout 2, such an attempt used to take
    # about 35 s. The deadline covers the TLS handshake, a proxy tunnel, the status line and the headers.
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(TrickleServer(pki, interval=0.25, phase=phase))
        url = server.url + "/ep"
        if route == "proxy":
            monkeypatch.setenv("https_proxy", stack.enter_context(ConnectProxy()).url)
        error, elapsed = fetch_error(url, ProviderOptions(ca_path=pki.ca_path, timeout=1.0, retries=0))
        assert wait_for(lambda: server.client_gone)  # the connection was shut down, not left trickling
    assert str(error) == f"{url}: no complete answer within the timeout of 1 s"
    assert (error.reason, error.status, error.attempts) == ("timeout", None, 1)
    assert 1.0 <= elapsed < 1.0 + 1.5


def test_a_trickling_server_costs_at_most_retries_plus_one_timeouts(pki):
    with TrickleServer(pki, interval=0.25) as server:
        error, elapsed = fetch_error(server.url + "/ep", ProviderOptions(ca_path=pki.ca_path, timeout=1.0, retries=1,
                                                                         retry_delay=0.05))
    assert (error.reason, error.attempts) == ("timeout", 2)
    assert 2.0 <= elapsed < 2 * 1.0 + 0.05 * 1.5 + 1.5


def test_body_without_length_is_read_only_up_to_max_bytes(app, tls_bytes_read):
    error, elapsed = fetch_error(url_of(app, "endless-fast"), trusting(app, max_bytes=1024, timeout=5, retries=3))
    assert str(error) == (f"{url_of(app, 'endless-fast')}: the body of the HTTP 200 answer is larger than max_bytes (1024); "
                          "reading stopped there")
    assert (error.reason, error.status, error.attempts) == ("too_large", 200, 1)
    assert elapsed < 5
    assert 1024 < tls_bytes_read["bytes"] < 1024 + 1024


# --- size cap -----------------------------------------------------------------------------------

def test_oversized_content_length_fails_before_the_body_is_read(app, tls_bytes_read):
    result, _elapsed = fetch(url_of(app, "ok"), trusting(app))
    assert tls_bytes_read["bytes"] > len(result.endpoint.canonical_json())  # the counter sees bodies
    tls_bytes_read["bytes"] = 0
    error, elapsed = fetch_error(url_of(app, "oversized"), trusting(app, retries=3))
    assert str(error) == (f"{url_of(app, 'oversized')}: HTTP 200 with Content-Length 2097152, more than max_bytes (65536); "
                          "the body was not read")
    assert (error.reason, error.status, error.attempts) == ("too_large", 200, 1)
    # Only http.client's header buffer (8 KiB) of the 2 MiB body came in.
    assert tls_bytes_read["bytes"] <= 8192
    assert elapsed < 1.0


def test_content_length_over_a_smaller_max_bytes_is_refused(app):
    error, _elapsed = fetch_error(url_of(app, "ok"), trusting(app, max_bytes=100))
    assert "HTTP 200 with Content-Length " in str(error) and "more than max_bytes (100); the body was not read" in str(error)


# --- invalid endpoint details -------------------------------------------------------------------

@pytest.mark.parametrize("name, field, detail", [
    ("invalid-json", None, "is not valid JSON: Expecting value at line 1, column 28"),
    ("duplicate-keys", "token", "token: appears more than once in the same object"),
    ("apostrophe", "groupId",
     "groupId: contains an apostrophe ('), which NetBackup does not support"),
    ("ws-url", "url", "url: uses ws://, which NetBackup does not support; the endpoint must be wss://"),
    ("list", None, "holds a list of 2 item(s); NetBackup reads exactly one endpoint object per file"),
])
def test_invalid_details_fail_once_with_the_field(app, name, field, detail):
    error, _elapsed = fetch_error(url_of(app, name), trusting(app, retries=3))
    assert str(error) == f"{url_of(app, name)}: HTTP 200, but the body is not a valid endpoint: {detail}"
    assert (error.reason, error.status, error.field, error.attempts) == ("invalid_endpoint", 200, field, 1)
    assert "duplicate-token-value" not in str(error)
    assert len(server_requests(app, name, 1)) == 1


# --- redirects ----------------------------------------------------------------------------------

def test_redirect_to_http_is_refused(app):
    url = url_of(app, "redirect-http")
    error, _elapsed = fetch_error(url, trusting(app, retries=3))
    assert str(error) == (f"{url}: redirected (HTTP 302) to the plain http:// URL {url.replace('https://', 'http://', 1)}, "
                          "which is refused: endpoint details hold the token and travel over https:// only")
    assert (error.reason, error.status, error.attempts) == ("redirect", 302, 1)
    # Nothing was sent in plain text to the TLS port (the app would log a 400 bad request).
    assert [r["status"] for r in read_log(app.state["provider_log"]) if r.get("status") == 400] == []


def test_redirect_to_https_is_followed(app):
    result, _elapsed = fetch(url_of(app, "redirect-https"), trusting(app))
    assert (result.endpoint, result.attempts, result.status, result.url) == (
        expected_endpoint(app), 1, 200, url_of(app, "redirect-https"))


# --- TLS ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("trust", ["system", "untrusted_ca_bundle"])
def test_untrusted_certificate_fails_at_once(app, trust):
    ca_path = None if trust == "system" else app.state[trust]
    error, elapsed = fetch_error(url_of(app, "ok"), ProviderOptions(ca_path=ca_path, retries=3, retry_delay=2.0))
    assert str(error) == (f"{url_of(app, 'ok')}: the TLS certificate cannot be verified (unable to get local issuer "
                          "certificate); trust its CA with ca_path")
    assert (error.reason, error.status, error.attempts) == ("tls_verify", None, 1)
    assert elapsed < 0.5


def test_ca_path_trusts_the_provider_and_validate_certs_false_skips_the_check(app):
    assert fetch(url_of(app, "ok"), ProviderOptions(ca_path=app.state["ca_bundle"]))[0].attempts == 1
    assert fetch(url_of(app, "ok"), ProviderOptions(validate_certs=False))[0].endpoint == expected_endpoint(app)


def test_missing_ca_path_is_a_setting_error_not_a_network_error(app, tmp_path):
    missing = str(tmp_path / "nope.pem")
    error, _elapsed = fetch_error(url_of(app, "ok"), ProviderOptions(ca_path=missing))
    assert str(error) == f"ca_path {missing}: no such readable file"
    assert (error.reason, error.attempts) == ("local_files", 0)


# --- client certificates, Retry-After, cross-origin redirects (scripted HTTPS server) -----------

def endpoint_body(app) -> bytes:
    return expected_endpoint(app).canonical_json()


def test_client_certificate_is_presented_when_required(app, pki):
    with ScriptedServer(pki, [Answer(200, endpoint_body(app))], client_ca=pki.ca_path) as server:
        result, _elapsed = fetch(server.url + "/ep", ProviderOptions(ca_path=pki.ca_path, client_cert=pki.client_cert,
                                                                     client_key=pki.client_key))
        assert result.endpoint == expected_endpoint(app)
        assert server.requests == [{"path": "/ep", "authorization": False, "client": "nbwss-fetcher"}]
        error, _elapsed = fetch_error(server.url + "/ep", ProviderOptions(ca_path=pki.ca_path, retries=0))
        assert error.reason == "connection" and "TLS error" in str(error)
        deadline = time.monotonic() + 2
        while server.handshake_failures == 0 and time.monotonic() < deadline:
            time.sleep(0.02)  # the server thread counts the refused handshake after the client has its error
        assert len(server.requests) == 1 and server.handshake_failures == 1


def test_unusable_client_key_is_a_setting_error(pki, tmp_path):
    mismatched = ProviderOptions(ca_path=pki.ca_path, client_cert=pki.client_cert, client_key=pki.server_key)
    error, _elapsed = fetch_error("https://localhost:9/ep", mismatched)
    assert error.reason == "local_files" and error.attempts == 0
    assert str(error).startswith("ca_path, client_cert or client_key cannot be loaded: TLS error KEY_VALUES_MISMATCH")
    missing = str(tmp_path / "client.pem")
    error, _elapsed = fetch_error("https://localhost:9/ep", ProviderOptions(client_cert=missing))
    assert str(error) == f"client_cert {missing}: no such readable file"


def test_retry_after_seconds_on_429_is_honoured(app, pki):
    answers = [Answer(429, b"{}", {"Retry-After": "1"}), Answer(200, endpoint_body(app))]
    with ScriptedServer(pki, answers) as server:
        result, elapsed = fetch(server.url + "/ep", ProviderOptions(ca_path=pki.ca_path, retry_delay=0.05))
    assert (result.attempts, result.status) == (2, 200)
    assert 1.0 <= elapsed < 2.0  # Retry-After, not the 0.05 s backoff


def test_retry_after_date_on_503_is_honoured(app, pki):
    when = email.utils.formatdate(time.time() + 2, usegmt=True)  # whole seconds: a wait of 1 to 2 s
    answers = [Answer(503, b"{}", {"Retry-After": when}), Answer(200, endpoint_body(app))]
    with ScriptedServer(pki, answers) as server:
        result, elapsed = fetch(server.url + "/ep", ProviderOptions(ca_path=pki.ca_path, retry_delay=0.05))
    assert result.attempts == 2
    assert 0.9 <= elapsed < 3.0


def test_rate_limit_beyond_the_budget_fails(pki):
    with ScriptedServer(pki, [Answer(429, b"{}")]) as server:
        error, _elapsed = fetch_error(server.url + "/ep", ProviderOptions(ca_path=pki.ca_path, retries=2, retry_delay=0.05))
        assert str(error) == f"{server.url}/ep: the provider answered HTTP 429 Too Many Requests (after 3 attempts)"
        assert len(server.requests) == 3


def test_redirect_to_another_origin_is_followed_without_credentials(app, pki):
    with ScriptedServer(pki, [Answer(200, endpoint_body(app))]) as target:
        with ScriptedServer(pki, [Answer(302, b"", {"Location": target.url + "/moved"})]) as origin:
            result, _elapsed = fetch(origin.url + "/ep", ProviderOptions(ca_path=pki.ca_path, api_token=API_TOKEN))
            assert origin.requests == [{"path": "/ep", "authorization": True, "client": None}]
        assert target.requests == [{"path": "/moved", "authorization": False, "client": None}]
    assert (result.endpoint, result.url) == (expected_endpoint(app), origin.url + "/ep")


# UTF-8 bytes on the wire, read back as Latin-1 by http.client: non-ASCII hosts the idna codec would choke on.
# The Cyrillic name's bytes include C1 control characters (U+0080), which a message shows escaped.
LATIN_HOST_ON_THE_WIRE = "b\u00fccher.example".encode("utf-8").decode("latin-1")
CYRILLIC_HOST_ON_THE_WIRE = "\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444".encode("utf-8").decode("latin-1")
CYRILLIC_HOST_SHOWN = "".join(f"\\x{ord(char):02x}" if 0x80 <= ord(char) < 0xa0 else char for char in CYRILLIC_HOST_ON_THE_WIRE)


@pytest.mark.parametrize("location, shown, phrase", [
    ("https://a..b/x", "https://a..b/x", "host has an empty label (two dots in a row, or a dot at the start)"),
    ("https://[abc/x", "https://[abc/x", "has an invalid host: a [ without its ]"),
    ("https://[abc]/x", "https://[abc]/x", "host in brackets [ ] must be an IPv6 address"),
    (f"https://{LATIN_HOST_ON_THE_WIRE}/x", f"https://{LATIN_HOST_ON_THE_WIRE}/x", "host has non-ASCII characters"),
    (f"https://{CYRILLIC_HOST_ON_THE_WIRE}/x", f"https://{CYRILLIC_HOST_SHOWN}/x",
     "contains the invisible or control character U+0080"),
])
def test_redirect_to_a_bad_host_is_a_redirect_error_without_the_query(pki, location, shown, phrase):
    # These used to end in a UnicodeError or ValueError traceback from urljoin, http.client or the idna codec.
    with ScriptedServer(pki, [Answer(302, b"", {"Location": location + "?sig=" + API_TOKEN})]) as server:
        url = server.url + "/ep"
        error, _elapsed = fetch_error(url + "?sig=" + API_TOKEN, ProviderOptions(ca_path=pki.ca_path, retries=3))
        assert len(server.requests) == 1
    assert str(error).startswith(f"{url}: redirected (HTTP 302) to {shown}, which is refused: the target {phrase}")
    assert (error.reason, error.status, error.attempts, error.url) == ("redirect", 302, 1, url)
    assert "sig=" not in str(error)


def test_non_ascii_path_is_sent_percent_encoded(app, pki):
    with ScriptedServer(pki, [Answer(200, endpoint_body(app))]) as server:
        result, _elapsed = fetch(server.url + "/endpoints/caf\u00e9?n=\u00fc", ProviderOptions(ca_path=pki.ca_path))
        assert server.requests[0]["path"] == "/endpoints/caf%C3%A9?n=%C3%BC"
    assert result.endpoint == expected_endpoint(app)


def test_redirect_loop_stops_after_five_redirects(pki):
    with ScriptedServer(pki, [Answer(302, b"", {"Location": "/again"})]) as server:
        error, _elapsed = fetch_error(server.url + "/ep", ProviderOptions(ca_path=pki.ca_path, retries=3))
        assert str(error) == f"{server.url}/ep: more than 5 redirects; the last one pointed to {server.url}/again"
        assert (error.reason, error.attempts, len(server.requests)) == ("redirect", 1, 6)


# --- proxies ------------------------------------------------------------------------------------

def test_https_proxy_is_used_through_connect(app, monkeypatch):
    with ConnectProxy() as proxy:
        monkeypatch.setenv("https_proxy", proxy.url)
        result, _elapsed = fetch(url_of(app, "ok"), trusting(app))
        assert result.endpoint == expected_endpoint(app)
        assert proxy.targets == [f"localhost:{app.state['provider_port']}"]


@pytest.mark.parametrize("bypass", ["use_proxy_false", "no_proxy"])
def test_proxy_is_bypassed(app, monkeypatch, bypass):
    with ConnectProxy() as proxy:
        monkeypatch.setenv("https_proxy", proxy.url)
        if bypass == "no_proxy":
            monkeypatch.setenv("no_proxy", "localhost")
        result, _elapsed = fetch(url_of(app, "ok"), trusting(app, use_proxy=bypass != "use_proxy_false"))
        assert result.endpoint == expected_endpoint(app)
        assert proxy.targets == []


def test_unreachable_proxy_is_a_connection_error_and_retried(app, monkeypatch):
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        closed_port = placeholder.getsockname()[1]
    monkeypatch.setenv("https_proxy", f"http://127.0.0.1:{closed_port}")
    error, _elapsed = fetch_error(url_of(app, "ok"), trusting(app, retries=1))
    assert str(error) == f"{url_of(app, 'ok')}: connection failed: Connection refused (after 2 attempts)"
    assert (error.reason, error.attempts) == ("connection", 2)


# --- the oldest and newest target Pythons --------------------------------------------------------

TARGET_SCRIPT = """
import json, sys
from ansible_collections.netbackup.nbwss.plugins.module_utils._provider import fetch_endpoint
from ansible_collections.netbackup.nbwss.plugins.module_utils._provider_options import ProviderOptions, ProviderError
result = fetch_endpoint(sys.argv[1], ProviderOptions(ca_path=sys.argv[2]))
try:
    fetch_endpoint(sys.argv[3], ProviderOptions(ca_path=sys.argv[2], retries=0))
except ProviderError as err:
    failure = [err.reason, err.status]
print(json.dumps([sys.version_info[:2], result.attempts, result.endpoint.redacted(), failure]))
"""


@pytest.mark.parametrize("version", ["3.8.18", "3.9.18", "3.13.0"])
def test_engine_runs_on_target_python(app, tmp_path, version):
    """Module code runs on the managed host: run it there, with this ansible-core's module_utils as AnsiballZ ships them."""
    import ansible.module_utils  # pylint: disable=import-outside-toplevel
    from ansible.module_utils import basic  # pylint: disable=import-outside-toplevel

    # ansible-core 2.16 to 2.19 run modules on Python 3.8; later releases declare a newer minimum here.
    minimum = getattr(basic, "_PY_MIN", None)
    wanted = tuple(int(part) for part in version.split(".")[:2])
    if isinstance(minimum, tuple) and wanted < minimum:
        pytest.skip(f"ansible-core {ansible_version} itself requires Python {minimum[0]}.{minimum[1]}+ on the target")
    root = os.environ.get("PYENV_ROOT") or subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False).stdout.strip()
    python = os.path.join(root, "versions", version, "bin", "python3")
    if not os.access(python, os.X_OK):
        pytest.skip(f"Python {version} is not installed at {python}")
    package = tmp_path / "ansible"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "module_utils").symlink_to(os.path.dirname(ansible.module_utils.__file__))
    # .../ansible_collections/netbackup/nbwss/plugins/module_utils/_provider.py: the directory above ansible_collections.
    # Not resolved: the tree may be a symlink to a checkout that is not under ansible_collections.
    tree_root = pathlib.Path(os.path.abspath(_provider.__file__)).parents[5]
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": os.pathsep.join([str(tmp_path), str(tree_root)])}
    completed = subprocess.run([python, "-c", TARGET_SCRIPT, url_of(app, "ok"), app.state["ca_bundle"], url_of(app, "list")],
                               capture_output=True, text=True, env=env, timeout=60, check=False)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert_no_secret(completed.stdout + completed.stderr)
    version_info, attempts, redacted, failure = json.loads(completed.stdout)
    assert version_info == [int(part) for part in version.split(".")[:2]]
    assert (attempts, redacted, failure) == (1, expected_endpoint(app).redacted(), ["invalid_endpoint", 200])
