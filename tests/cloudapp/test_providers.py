# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Client-visible behaviour of the provider URLs and their fault modes, driven with urllib."""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request

import pytest

from tools.cloudapp.client import read_log

KEYS = {"token", "priority", "groupId", "hostName", "url"}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _get(cloudapp, ctx, name, headers=None, timeout=3.0, follow=True):
    request = urllib.request.Request(cloudapp.provider(name)["url"], headers=headers or {})
    handlers = [urllib.request.HTTPSHandler(context=ctx)] + ([] if follow else [_NoRedirect()])
    return urllib.request.build_opener(*handlers).open(request, timeout=timeout)


def _error(cloudapp, ctx, name, **kwargs):
    with pytest.raises(urllib.error.HTTPError) as info:
        _get(cloudapp, ctx, name, **kwargs)
    info.value.close()
    return info.value


def _expected(cloudapp):
    endpoint = cloudapp.endpoint("healthy")
    return {key: endpoint[key] for key in KEYS}


def test_ok_serves_endpoint_details(cloudapp, client_ctx):
    with _get(cloudapp, client_ctx, "ok") as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json"
        body = json.loads(response.read())
    assert body == _expected(cloudapp)
    assert body["url"] == cloudapp.endpoint("healthy")["url"] and body["url"].startswith("wss://localhost:")


def test_fail_first_then_ok(cloudapp, client_ctx):
    admin = urllib.request.Request(cloudapp.provider("ok")["url"].replace("/providers/ok", "/_admin/reset"), method="POST", data=b"")
    with urllib.request.urlopen(admin, context=client_ctx, timeout=3) as response:
        assert response.status == 204
    assert [_error(cloudapp, client_ctx, "fail-first").code for _attempt in range(2)] == [500, 500]
    with _get(cloudapp, client_ctx, "fail-first") as response:
        assert json.loads(response.read()) == _expected(cloudapp)


def test_not_found(cloudapp, client_ctx):
    assert _error(cloudapp, client_ctx, "not-found").code == 404


def _bearer(cloudapp):
    return cloudapp.provider("bearer")["auth"]["bearer"]


def _basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_unauthorized_always(cloudapp, client_ctx):
    error = _error(cloudapp, client_ctx, "unauthorized", headers={"Authorization": f"Bearer {_bearer(cloudapp)}"})
    assert error.code == 401
    assert error.headers["WWW-Authenticate"] == 'Bearer realm="nbwss-cloudapp"'


def test_bearer_auth(cloudapp, client_ctx):
    assert _error(cloudapp, client_ctx, "bearer").code == 401
    assert _error(cloudapp, client_ctx, "bearer", headers={"Authorization": "Bearer wrong"}).headers["WWW-Authenticate"].startswith("Bearer ")
    with _get(cloudapp, client_ctx, "bearer", headers={"Authorization": f"Bearer {_bearer(cloudapp)}"}) as response:
        assert json.loads(response.read()) == _expected(cloudapp)


def test_basic_auth(cloudapp, client_ctx):
    credentials = cloudapp.provider("basic")["auth"]["basic"]
    error = _error(cloudapp, client_ctx, "basic", headers=_basic(credentials["username"], "wrong"))
    assert (error.code, error.headers["WWW-Authenticate"]) == (401, 'Basic realm="nbwss-cloudapp"')
    assert _error(cloudapp, client_ctx, "basic", headers={"Authorization": f"Bearer {_bearer(cloudapp)}"}).code == 401
    with _get(cloudapp, client_ctx, "basic", headers=_basic(credentials["username"], credentials["password"])) as response:
        assert json.loads(response.read()) == _expected(cloudapp)


def test_slow(cloudapp, client_ctx):
    delay = cloudapp.provider("slow")["options"]["delay"]
    with pytest.raises(TimeoutError):
        _get(cloudapp, client_ctx, "slow", timeout=delay / 3)
    started = time.monotonic()
    with _get(cloudapp, client_ctx, "slow") as response:
        assert json.loads(response.read()) == _expected(cloudapp)
    assert delay <= time.monotonic() - started < delay + 1


def test_endless_body_trickles_until_client_leaves(cloudapp, client_ctx):
    started = time.monotonic()
    with _get(cloudapp, client_ctx, "endless-body") as response:
        assert response.status == 200
        assert response.headers["Content-Length"] is None and response.headers["Transfer-Encoding"] is None
        received = response.read(77)
    assert received == b'{"padding": "' + b"x" * 64
    assert time.monotonic() - started > 0.1  # trickled, not sent at once
    record = None
    deadline = time.monotonic() + 3
    while record is None and time.monotonic() < deadline:
        time.sleep(0.1)
        record = next((r for r in read_log(cloudapp.state["provider_log"]) if r.get("provider") == "endless-body"), None)
    assert record is not None and record["endless"] is True and record["bytes"] >= 77


def test_invalid_json(cloudapp, client_ctx):
    with _get(cloudapp, client_ctx, "invalid-json") as response:
        body = response.read()
    assert body == b'{"priority": 1, "groupId": '
    with pytest.raises(ValueError):
        json.loads(body)


def test_duplicate_keys(cloudapp, client_ctx):
    with _get(cloudapp, client_ctx, "duplicate-keys") as response:
        pairs = json.loads(response.read(), object_pairs_hook=lambda items: items)
    assert [key for key, _value in pairs].count("token") == 2
    assert {key for key, _value in pairs} == KEYS
    assert dict(pairs[:1])["token"] == cloudapp.endpoint("healthy")["token"]


def test_apostrophe(cloudapp, client_ctx):
    with _get(cloudapp, client_ctx, "apostrophe") as response:
        body = json.loads(response.read())
    assert body["groupId"] == cloudapp.endpoint("healthy")["groupId"] + "'s"
    assert set(body) == KEYS


def test_ws_url(cloudapp, client_ctx):
    with _get(cloudapp, client_ctx, "ws-url") as response:
        body = json.loads(response.read())
    assert body["url"] == cloudapp.endpoint("healthy")["url"].replace("wss://", "ws://", 1)


def test_list(cloudapp, client_ctx):
    with _get(cloudapp, client_ctx, "list") as response:
        body = json.loads(response.read())
    expected = _expected(cloudapp)
    assert body == [expected, dict(expected, priority=expected["priority"] + 1)]


def test_oversized(cloudapp, client_ctx):
    with _get(cloudapp, client_ctx, "oversized") as response:
        assert response.headers["Content-Length"] == str(2 * 1024 * 1024)
        body = response.read()
    assert len(body) == 2 * 1024 * 1024
    assert json.loads(body) == _expected(cloudapp)


def test_redirect_http(cloudapp, client_ctx):
    error = _error(cloudapp, client_ctx, "redirect-http", follow=False)
    assert error.code == 302
    assert error.headers["Location"] == cloudapp.provider("redirect-http")["url"].replace("https://", "http://", 1)


def test_redirect_https(cloudapp, client_ctx):
    provider = cloudapp.provider("redirect-https")
    error = _error(cloudapp, client_ctx, "redirect-https", follow=False)
    assert error.code == 302
    assert error.headers["Location"] == f"https://localhost:{cloudapp.state['provider_port']}/_redirected{provider['path']}"
    with _get(cloudapp, client_ctx, "redirect-https") as response:
        assert response.url == error.headers["Location"]
        assert json.loads(response.read()) == _expected(cloudapp)


def test_unknown_path_and_method(cloudapp, client_ctx):
    url = cloudapp.provider("ok")["url"]
    with pytest.raises(urllib.error.HTTPError) as info:
        with urllib.request.urlopen(url + "-missing", context=client_ctx, timeout=3):
            pass
    assert info.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as info:
        with urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), context=client_ctx, timeout=3):
            pass
    assert (info.value.code, info.value.headers["Allow"]) == (405, "GET")
