# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""endpoint_fetch and endpoint_set's provider entries through main(), against the reference cloud application.

Every module run goes through ``run_module`` with Ansible's no_log masking off for everything but
``invocation``: what the tests read is exactly what the module built, so a fetched token, an api
token, a password or a key in it would show. Every output is checked for all of them.
"""

from __future__ import annotations

import os
import time
import urllib.request

import pytest

from tools.cloudapp import run_in_subprocess
from tools.cloudapp.client import read_log

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import endpoint_from_dict, parse_endpoint
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import encode_key, generate_key, parse_key, unseal
from ansible_collections.netbackup.nbwss.plugins.modules import endpoint, endpoint_fetch, endpoint_info, endpoint_set
from ansible_collections.netbackup.nbwss.tests.unit.module_runner import run_module

TOKEN_1 = "nbwssModFetchTok3n-Jy6Ku2Lo8Pq4"
TOKEN_2 = "nbwssModFetchTok3n-Zm1Xn5Cb9Vq3"
MIX_TOKENS = ("nbwssModMixTok3n-Ab4Cd6Ef8Gh0", "nbwssModMixTok3n-Ij2Kl4Mn6Op8", "nbwssModMixTok3n-Qr1St3Uv5Wx7")
INLINE_TOKEN = "nbwssModInlineTok3n-Yz9Ab7Cd5Ef3"
API_TOKEN = "nbwssModApiTok3n-Gh2Jk4Lm6Np8"
WRONG_API_TOKEN = "nbwssModWrongTok3n-Qs3Tv5Wx7Yz9"
USER = "fetcher"
PASSWORD = "nbwssModPassTok3n-Bc8Df6Gh4Jk2"
WRONG_PASSWORD = "nbwssModBadPassTok3n-Lm1Np3Qr5St7"
KEY = encode_key(generate_key())
OTHER_KEY = encode_key(generate_key())
SECRETS = (TOKEN_1, TOKEN_2, INLINE_TOKEN, API_TOKEN, WRONG_API_TOKEN, PASSWORD, WRONG_PASSWORD, KEY, OTHER_KEY) + MIX_TOKENS
SLOW_DELAY = 1.0
NO_LOG = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
INLINE = {"token": INLINE_TOKEN, "priority": 9, "groupId": "MIX", "hostName": "inline.example.com",
          "url": "wss://inline.example.com:14146/nbwss"}


def provider(name: str, endpoint_name: str = "one", fault: str = "ok", **extra: object) -> dict:
    return dict({"name": name, "endpoint": endpoint_name, "fault": fault}, **extra)


CONFIG = {
    "endpoints": [
        {"name": "one", "groupId": "FETCH", "priority": 1, "token": TOKEN_1},
        {"name": "two", "groupId": "FETCH", "priority": 2, "token": TOKEN_2},
    ] + [{"name": "mix-%d" % number, "groupId": "MIX", "priority": number, "token": token}
         for number, token in enumerate(MIX_TOKENS, 1)],
    "providers": [
        provider("ok"),
        provider("ok-2", "two"),
        provider("fail-first", fault="fail_first", options={"n": 1}),
        provider("not-found", fault="not_found"),
        provider("unauthorized", fault="unauthorized"),
        provider("slow", fault="slow", options={"delay": SLOW_DELAY}),
        provider("endless-body", fault="endless_body", options={"interval": 0.02}),
        provider("invalid-json", fault="invalid_json"),
        provider("duplicate-keys", fault="duplicate_keys"),
        provider("apostrophe", fault="apostrophe"),
        provider("ws-url", fault="ws_url"),
        provider("list", fault="list"),
        provider("oversized", fault="oversized"),
        provider("redirect-http", fault="redirect_http"),
        provider("redirect-https", fault="redirect_https"),
        provider("bearer", path="/auth/bearer", auth={"bearer": API_TOKEN}),
        provider("basic", path="/auth/basic", auth={"basic": {"username": USER, "password": PASSWORD}}),
        provider("mix-1", "mix-1"),
        provider("mix-2", "mix-2", fault="slow", options={"delay": SLOW_DELAY}),
        provider("mix-3", "mix-3", path="/auth/mix-3", auth={"bearer": API_TOKEN}),
    ],
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """This module's own cloud application with exactly the providers above; stopped by PID."""
    handle = run_in_subprocess(CONFIG, str(tmp_path_factory.mktemp("fetch-modules")))
    yield handle
    handle.stop()


@pytest.fixture(autouse=True)
def clean_proxy_environment(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def url_of(app, name: str) -> str:
    return app.provider(name)["url"]


def expected(app, name: str = "one"):
    entry = app.endpoint(name)
    return endpoint_from_dict({key: entry[key] for key in ("token", "priority", "groupId", "hostName", "url")})


def assert_no_secret(raw: str) -> None:
    for secret in SECRETS:
        assert secret not in raw
    assert "Bearer " not in raw and "Basic " not in raw and "duplicate-token-value" not in raw


def fetch(app, capsys, monkeypatch, check_mode=False, **args):
    """endpoint_fetch.main() with the application's CA trusted; returns the parsed result after the secret check."""
    args.setdefault("ca_path", app.state["ca_bundle"])
    result, raw = run_module(endpoint_fetch, args, capsys, monkeypatch, check_mode=check_mode)
    assert_no_secret(raw)
    return result


def deploy_set(app, capsys, monkeypatch, check_mode=False, **args):
    """endpoint_set.main() with the application's CA as the module-level default; parsed result after the secret check."""
    args.setdefault("ca_path", app.state["ca_bundle"])
    args.setdefault("key", KEY)
    result, raw = run_module(endpoint_set, args, capsys, monkeypatch, check_mode=check_mode)
    assert_no_secret(raw)
    assert result["invocation"]["module_args"]["endpoints"] == NO_LOG
    return result


def warnings_of(result: dict) -> list[str]:
    """The warning texts of a result: strings before ansible-core 2.19, warning summaries (msg in event) after."""
    texts = []
    for warning in result.get("warnings", []):
        while isinstance(warning, dict):
            warning = warning.get("event", warning.get("msg"))
        texts.append(warning)
    return texts


def snapshot(directory) -> dict:
    """name -> (inode, mtime_ns, bytes) of every entry of a directory, hidden ones included."""
    found = {}
    for name in sorted(os.listdir(str(directory))):
        path = os.path.join(str(directory), name)
        with open(path, "rb") as handle:
            found[name] = (os.stat(path).st_ino, os.stat(path).st_mtime_ns, handle.read())
    return found


def reset_counters(app) -> None:
    """Every provider's request counter back to 0 (fail_first answers 500 again)."""
    request = urllib.request.Request(f"https://localhost:{app.state['provider_port']}/_admin/reset", method="POST", data=b"")
    with urllib.request.urlopen(request, context=app.client_context(), timeout=5) as response:
        assert response.status == 204


def requests_of(app, name: str, settle: float = 0.3) -> int:
    """How many requests the provider has logged (the application logs after answering)."""
    time.sleep(settle)
    return len([record for record in read_log(app.state["provider_log"]) if record.get("provider") == name])


# --- endpoint_fetch without path -----------------------------------------------------------------

def test_fetch_returns_the_redacted_endpoint_and_an_envelope_the_key_opens(app, capsys, monkeypatch):
    result = fetch(app, capsys, monkeypatch, url=url_of(app, "bearer"), api_token=API_TOKEN, key=KEY)

    assert result["changed"] is False and "failed" not in result
    assert (result["attempts"], result["status"], result["fetched_from"]) == (1, 200, url_of(app, "bearer"))
    assert result["endpoint"] == expected(app).redacted()
    assert result["endpoint"]["token"].startswith("sha256:")
    assert parse_endpoint(unseal(result["sealed"].encode("ascii"), [parse_key(KEY)])[0]) == expected(app)
    assert result["sealed"].startswith("NBWSS-SEALED/1 AES-256-GCM kid=%s\n" % result["key_id"])
    assert result["invocation"]["module_args"]["api_token"] == NO_LOG
    assert result["invocation"]["module_args"]["key"] == NO_LOG
    assert "path" not in result and "reason" not in result


def test_fetch_without_a_key_returns_no_envelope(app, capsys, monkeypatch):
    result = fetch(app, capsys, monkeypatch, url=url_of(app, "basic"), url_username=USER, url_password=PASSWORD)

    assert result["endpoint"] == expected(app).redacted()
    assert "sealed" not in result and "key_id" not in result
    assert result["invocation"]["module_args"]["url_password"] == NO_LOG


def test_fetch_retries_a_500_and_reports_the_attempts(app, capsys, monkeypatch):
    reset_counters(app)
    result = fetch(app, capsys, monkeypatch, url=url_of(app, "fail-first"), retry_delay=0.05)

    assert (result["attempts"], result["status"]) == (2, 200)


def test_fetch_with_validate_certs_false_warns(app, capsys, monkeypatch):
    result = fetch(app, capsys, monkeypatch, url=url_of(app, "ok"), ca_path=None, validate_certs=False)

    assert result["endpoint"] == expected(app).redacted()
    assert [w for w in warnings_of(result) if w.startswith("validate_certs is false")]


# --- endpoint_fetch with path ----------------------------------------------------------------------

def test_fetch_to_a_sealed_file_in_the_rhythm_check_apply_check_apply_change(app, tmp_path, capsys, monkeypatch):
    path = str(tmp_path / "nbwss_one.sealed")
    args = {"url": url_of(app, "ok"), "path": path, "key": KEY}

    checked = fetch(app, capsys, monkeypatch, check_mode=True, **args)
    assert (checked["changed"], checked["reason"], os.path.exists(path)) == (True, "created", False)
    created = fetch(app, capsys, monkeypatch, **args)
    assert (created["changed"], created["reason"], created["format"], created["path"]) == (True, "created", "sealed", path)
    before = snapshot(tmp_path)
    assert parse_endpoint(unseal(before["nbwss_one.sealed"][2], [parse_key(KEY)])[0]) == expected(app)
    again_checked = fetch(app, capsys, monkeypatch, check_mode=True, **args)
    again = fetch(app, capsys, monkeypatch, **args)
    assert (again_checked["changed"], again_checked["reason"]) == (again["changed"], again["reason"]) == (False, "unchanged")
    assert snapshot(tmp_path) == before
    change = dict(args)
    change["url"] = url_of(app, "ok-2")
    change_checked = fetch(app, capsys, monkeypatch, check_mode=True, **change)
    assert (change_checked["changed"], change_checked["reason"]) == (True, "updated")
    assert change_checked["diff"]["before"]["token"] == expected(app).redacted()["token"]
    assert change_checked["diff"]["after"]["token"] == expected(app, "two").redacted()["token"]
    assert snapshot(tmp_path) == before
    changed = fetch(app, capsys, monkeypatch, **change)
    assert (changed["changed"], changed["reason"]) == (True, "updated")
    after = snapshot(tmp_path)
    assert parse_endpoint(unseal(after["nbwss_one.sealed"][2], [parse_key(KEY)])[0]) == expected(app, "two")


def test_fetch_to_a_plain_file_writes_the_canonical_json(app, tmp_path, capsys, monkeypatch):
    path = tmp_path / "nbwss_one.json"

    created = fetch(app, capsys, monkeypatch, url=url_of(app, "redirect-https"), path=str(path), format="plain")
    unchanged = fetch(app, capsys, monkeypatch, url=url_of(app, "ok"), path=str(path), format="plain")

    assert (created["reason"], unchanged["reason"]) == ("created", "unchanged")
    assert path.read_bytes() == expected(app).canonical_json()
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_format_sealed_without_a_key_fails_before_the_provider_is_asked(app, tmp_path, capsys, monkeypatch):
    before = requests_of(app, "ok", settle=0)

    result = fetch(app, capsys, monkeypatch, url=url_of(app, "ok"), path=str(tmp_path / "e.sealed"))

    assert result["failed"] is True and result["msg"].endswith("format sealed needs a key to seal with; give key or key_file.")
    assert "attempts" not in result
    assert requests_of(app, "ok") == before
    assert os.listdir(str(tmp_path)) == []


FAILURES = [
    ("not-found", {}, 404, 1, "the provider answered HTTP 404 Not Found; check the URL"),
    ("unauthorized", {"api_token": API_TOKEN}, 401, 1, "the provider answered HTTP 401 Unauthorized"),
    ("bearer", {"api_token": WRONG_API_TOKEN}, 401, 1, "the provider answered HTTP 401 Unauthorized"),
    ("basic", {"url_username": USER, "url_password": WRONG_PASSWORD}, 401, 1, "the provider answered HTTP 401 Unauthorized"),
    ("slow", {"timeout": 0.3, "retries": 1, "retry_delay": 0.05}, None, 2,
     "no complete answer within the timeout of 0.3 s (after 2 attempts)"),
    ("endless-body", {"timeout": 0.5, "retries": 0}, 200, 1, "no complete answer within the timeout of 0.5 s"),
    ("invalid-json", {}, 200, 1, "HTTP 200, but the body is not a valid endpoint: is not valid JSON"),
    ("duplicate-keys", {}, 200, 1, "HTTP 200, but the body is not a valid endpoint: token: appears more than once"),
    ("apostrophe", {}, 200, 1, "HTTP 200, but the body is not a valid endpoint: groupId: contains an apostrophe"),
    ("ws-url", {}, 200, 1, "HTTP 200, but the body is not a valid endpoint: url: uses ws://"),
    ("list", {}, 200, 1, "HTTP 200, but the body is not a valid endpoint: holds a list of 2 item(s)"),
    ("oversized", {}, 200, 1, "HTTP 200 with Content-Length 2097152, more than max_bytes (65536); the body was not read"),
    ("redirect-http", {}, 302, 1, "redirected (HTTP 302) to the plain http:// URL http://localhost:"),
    ("ok", {"ca_path": None}, None, 1, "the TLS certificate cannot be verified (unable to get local issuer certificate)"),
]


@pytest.mark.parametrize("fmt", ["sealed", "plain"])
@pytest.mark.parametrize("name, options, status, attempts, message", FAILURES,
                         ids=[f[0] + ("-" + "-".join(f[1]) if f[1] else "") for f in FAILURES])
def test_every_failure_leaves_an_existing_good_file_exactly_as_it_was(app, tmp_path, capsys, monkeypatch, fmt, name, options,
                                                                      status, attempts, message):
    path = str(tmp_path / ("nbwss_one." + ("json" if fmt == "plain" else "sealed")))
    fetch(app, capsys, monkeypatch, url=url_of(app, "ok-2"), path=path, format=fmt, key=KEY)
    before = snapshot(tmp_path)

    result = fetch(app, capsys, monkeypatch, **dict({"url": url_of(app, name), "path": path, "format": fmt, "key": KEY,
                                                     "retry_delay": 0.05}, **options))

    assert result["failed"] is True and result["changed"] is False
    assert result["msg"].startswith("url (%s): %s" % (url_of(app, name), message))
    assert (result["status"], result["attempts"], result["fetched_from"]) == (status, attempts, url_of(app, name))
    assert "reason" not in result and "exception" not in result
    assert snapshot(tmp_path) == before


def test_a_failure_in_check_mode_is_the_failure_of_a_real_run(app, tmp_path, capsys, monkeypatch):
    path = str(tmp_path / "nbwss_one.sealed")
    fetch(app, capsys, monkeypatch, url=url_of(app, "ok"), path=path, key=KEY)
    before = snapshot(tmp_path)

    checked = fetch(app, capsys, monkeypatch, check_mode=True, url=url_of(app, "list"), path=path, key=KEY)
    real = fetch(app, capsys, monkeypatch, url=url_of(app, "list"), path=path, key=KEY)

    assert checked["failed"] is real["failed"] is True and checked["msg"] == real["msg"]
    assert snapshot(tmp_path) == before


# --- the controller chain: fetch sealed, deploy the envelope -------------------------------------

def test_an_envelope_fetched_once_deploys_with_endpoint_and_endpoint_set(app, tmp_path, capsys, monkeypatch):
    fetched = fetch(app, capsys, monkeypatch, url=url_of(app, "ok"), key=KEY)
    again = fetch(app, capsys, monkeypatch, url=url_of(app, "ok"), key=KEY)
    assert fetched["sealed"] != again["sealed"]  # a fresh nonce per seal
    (tmp_path / "set").mkdir()

    single, raw_single = run_module(endpoint, {"path": str(tmp_path / "nbwss_one.sealed"), "sealed": fetched["sealed"], "key": KEY},
                                    capsys, monkeypatch)
    whole, raw_whole = run_module(endpoint_set, {"dir": str(tmp_path / "set"), "key": KEY,
                                                 "endpoints": [{"sealed": fetched["sealed"], "name": "one"}]}, capsys, monkeypatch)
    single_again, dummy = run_module(endpoint, {"path": str(tmp_path / "nbwss_one.sealed"), "sealed": again["sealed"], "key": KEY},
                                     capsys, monkeypatch)
    read, raw_read = run_module(endpoint_info, {"path": str(tmp_path / "set"), "key": KEY}, capsys, monkeypatch)

    assert (single["reason"], whole["files"][0]["reason"], single_again["reason"]) == ("created", "created", "unchanged")
    assert read["endpoints"][0]["token"] == single["endpoint"]["token"] == expected(app).redacted()["token"]
    for raw in (raw_single, raw_whole, raw_read):
        assert_no_secret(raw)


# --- endpoint_set with provider entries -----------------------------------------------------------

def mixed_entries(app) -> list:
    return [
        dict(INLINE),
        {"provider": {"url": url_of(app, "mix-1")}},
        {"provider": {"url": url_of(app, "mix-2"), "timeout": SLOW_DELAY + 3}},
        {"provider": {"url": url_of(app, "mix-3"), "api_token": API_TOKEN}, "name": "mix-three"},
    ]


def test_endpoint_set_mixes_inline_and_provider_entries_with_module_defaults(app, tmp_path, capsys, monkeypatch):
    args = {"dir": str(tmp_path), "endpoints": mixed_entries(app), "timeout": 0.5, "retries": 0}

    checked = deploy_set(app, capsys, monkeypatch, check_mode=True, **args)
    assert os.listdir(str(tmp_path)) == []
    created = deploy_set(app, capsys, monkeypatch, **args)
    before = snapshot(tmp_path)
    again = deploy_set(app, capsys, monkeypatch, **args)

    reasons = dict((f["name"], f["reason"]) for f in created["files"])
    assert reasons == {"MIX_9": "created", "MIX_1": "created", "MIX_2": "created", "mix-three": "created"}
    assert [f["reason"] for f in checked["files"]] == [f["reason"] for f in created["files"]]
    assert (again["changed"], set(f["reason"] for f in again["files"])) == (False, {"unchanged"})
    assert snapshot(tmp_path) == before
    assert [f["endpoint"] for f in created["files"][1:]] == [expected(app, "mix-%d" % n).redacted() for n in (1, 2, 3)]
    assert created["groups"][0]["priorities"] == [1, 2, 3, 9]


def test_endpoint_set_inherits_the_module_timeout_unless_the_entry_overrides_it(app, tmp_path, capsys, monkeypatch):
    entries = mixed_entries(app)
    entries[2] = {"provider": {"url": url_of(app, "mix-2")}}

    result = deploy_set(app, capsys, monkeypatch, dir=str(tmp_path), endpoints=entries, timeout=0.5, retries=0)

    assert result["failed"] is True
    assert result["msg"] == "nothing was written: endpoints[2] (%s): no complete answer within the timeout of 0.5 s" % url_of(app, "mix-2")
    assert os.listdir(str(tmp_path)) == []


def test_endpoint_set_with_one_failing_fetch_writes_nothing(app, tmp_path, capsys, monkeypatch):
    deploy_set(app, capsys, monkeypatch, dir=str(tmp_path), endpoints=mixed_entries(app))
    before = snapshot(tmp_path)
    entries = [dict(INLINE, url="wss://inline.example.com:14147/nbwss")] + mixed_entries(app)[1:] + [
        {"provider": {"url": url_of(app, "duplicate-keys")}, "name": "dup"}]

    for check_mode in (True, False):
        result = deploy_set(app, capsys, monkeypatch, check_mode=check_mode, dir=str(tmp_path), endpoints=entries)
        assert result["failed"] is True and result.get("changed", False) is False
        assert result["msg"] == ("nothing was written: endpoints[4] (%s): HTTP 200, but the body is not a valid endpoint: "
                                 "token: appears more than once in the same object" % url_of(app, "duplicate-keys"))
        assert snapshot(tmp_path) == before


def test_endpoint_set_reports_provider_shape_errors_without_values(app, tmp_path, capsys, monkeypatch):
    entries = [{"provider": {"url": url_of(app, "bearer"), "api_tokn": API_TOKEN}},
               {"provider": {"url": url_of(app, "ok"), "retries": WRONG_API_TOKEN}},
               {"provider": API_TOKEN}]

    result = deploy_set(app, capsys, monkeypatch, dir=str(tmp_path), endpoints=entries)

    assert result["failed"] is True
    assert result["msg"] == ("endpoints[0]: provider.api_tokn: is not a provider option (did you mean api_token?); "
                             "endpoints[1]: provider.retries: must be of type int; "
                             "endpoints[2]: provider: must be a mapping with url and provider options, not a str")


# --- found while testing: each failed before its fix ------------------------------------------------

def test_the_query_string_of_the_url_never_shows_in_the_output(app, capsys, monkeypatch):
    # A pre-signed URL carries its credential in the query string; the module documents that it never shows.
    signed = url_of(app, "ok") + "?sig=" + API_TOKEN

    ok, raw_ok = run_module(endpoint_fetch, {"url": signed, "ca_path": app.state["ca_bundle"]}, capsys, monkeypatch)
    failed, raw_failed = run_module(endpoint_fetch, {"url": url_of(app, "not-found") + "?sig=" + API_TOKEN,
                                                     "ca_path": app.state["ca_bundle"]}, capsys, monkeypatch)
    refused, raw_refused = run_module(endpoint_fetch, {"url": signed, "ca_path": app.state["ca_bundle"], "retries": "many"},
                                      capsys, monkeypatch)

    assert ok["fetched_from"] == url_of(app, "ok") and failed["status"] == 404 and refused["failed"] is True
    assert ok["invocation"]["module_args"]["url"] == url_of(app, "ok")
    for raw in (raw_ok, raw_failed, raw_refused):
        assert_no_secret(raw)


def test_an_existing_file_that_cannot_be_opened_fails_before_the_provider_is_asked(app, tmp_path, capsys, monkeypatch):
    path = str(tmp_path / "nbwss_one.sealed")
    fetch(app, capsys, monkeypatch, url=url_of(app, "ok-2"), path=path, key=KEY)
    before = snapshot(tmp_path)
    requests = requests_of(app, "ok", settle=0)

    result = fetch(app, capsys, monkeypatch, url=url_of(app, "ok"), path=path, key=OTHER_KEY)

    assert result["failed"] is True and "matches none of the keys given" in result["msg"] and "force: true" in result["msg"]
    assert "attempts" not in result
    assert requests_of(app, "ok") == requests
    assert snapshot(tmp_path) == before


def test_a_missing_directory_fails_a_real_run_before_the_provider_is_asked(app, tmp_path, capsys, monkeypatch):
    path = str(tmp_path / "not-yet" / "nbwss_one.sealed")
    requests = requests_of(app, "ok", settle=0)

    checked = fetch(app, capsys, monkeypatch, check_mode=True, url=url_of(app, "ok"), path=path, key=KEY)
    real = fetch(app, capsys, monkeypatch, url=url_of(app, "ok"), path=path, key=KEY)

    # Check mode warns (an earlier task may create the directory) and so has to fetch; a real run fails first.
    assert (checked["changed"], checked["reason"], checked["attempts"]) == (True, "created", 1)
    assert [w for w in warnings_of(checked) if "does not exist yet" in w]
    assert real["failed"] is True and real["msg"] == "%s: the directory %s does not exist; create it first." % (
        path, os.path.dirname(path))
    assert "attempts" not in real
    assert requests_of(app, "ok") == requests + 1


def test_endpoint_set_warns_for_each_entry_fetched_without_verifying_the_certificate(app, tmp_path, capsys, monkeypatch):
    unverified = deploy_set(app, capsys, monkeypatch, dir=str(tmp_path), ca_path=None, endpoints=[
        {"provider": {"url": url_of(app, "mix-1"), "validate_certs": False}},
        {"provider": {"url": url_of(app, "mix-3"), "api_token": API_TOKEN, "validate_certs": "no"}}])
    verified = deploy_set(app, capsys, monkeypatch, dir=str(tmp_path), validate_certs=False, endpoints=[
        {"provider": {"url": url_of(app, "mix-1"), "validate_certs": True}},
        {"provider": {"url": url_of(app, "mix-3"), "api_token": API_TOKEN, "validate_certs": True}}])

    assert [w for w in warnings_of(unverified) if "validate_certs is false" in w] == [
        "validate_certs is false for endpoints[0], endpoints[1]: the endpoint details, tokens included, were fetched without "
        "verifying the provider's certificate."]
    assert [w for w in warnings_of(verified) if "validate_certs is false" in w] == []
