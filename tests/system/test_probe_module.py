# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""netbackup.nbwss.probe through main() against the reference cloud application.

Ansible masks no_log values in everything a module prints, so a test that reads the printed
result cannot see a token the module's own code put there. ``run`` keeps that masking for
``invocation`` only (Ansible's part: the options as given) and turns it off for the rest, as
tests/unit/plugins/modules/test_endpoint_modules.py does: the result is exactly what the module
built, and it must hold no token and no key by construction.

Like tests/system/test_probe_engine.py, this runs on the managed host's Python too: set
``NBWSS_CLOUDAPP_PYTHON`` to a Python 3.11+ with websockets 17 when the test's own Python is older.
"""

from __future__ import annotations

import base64
import json
import os
import pwd
import shutil
import stat
import tempfile

import pytest

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.netbackup.nbwss.plugins.module_utils import _websockets
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import token_fingerprint
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import encode_key, generate_key, parse_key, seal
from ansible_collections.netbackup.nbwss.plugins.modules import probe
from ansible_collections.netbackup.nbwss.tests.unit.module_runner import run_module
from tools.cloudapp import run_in_subprocess

CLOUDAPP_PYTHON = os.environ.get("NBWSS_CLOUDAPP_PYTHON") or None
NO_LOG_MARKER = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
FIELDS = ("token", "priority", "groupId", "hostName", "url")
KEY = encode_key(generate_key())
OTHER_KEY = encode_key(generate_key())
# Tokens of endpoints the tests make up (never sent anywhere).
STRAY_TOKEN = "nbwssModProbeTok3n-Stray-7Qx2"
APOSTROPHE_TOKEN = "nbwssModProbeTok3n-Bad'Quote-4Rt"

APP_ENDPOINTS = [
    {"name": "healthy", "groupId": "UP", "priority": 1, "token": "nbwssModProbeTok3n-Healthy-2Kd8"},
    {"name": "rejected", "groupId": "UP", "priority": 2, "fault": "token_rejected", "token": "nbwssModProbeTok3n-Rejected-5Wn1"},
    {"name": "garbage", "groupId": "UP", "priority": 3, "fault": "garbage", "token": "nbwssModProbeTok3n-Garbage-8Lp3"},
    {"name": "closed", "groupId": "UP", "priority": 4, "fault": "close_after_upgrade", "token": "nbwssModProbeTok3n-Closed-1Vb6"},
    {"name": "down-1", "groupId": "DOWN", "priority": 1, "fault": "port_closed", "token": "nbwssModProbeTok3n-Down1-9Hs4"},
    {"name": "down-2", "groupId": "DOWN", "priority": 2, "fault": "http_403", "token": "nbwssModProbeTok3n-Down2-3Jc7"},
]
TOKENS = [entry["token"] for entry in APP_ENDPOINTS] + [STRAY_TOKEN, APOSTROPHE_TOKEN]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    handle = run_in_subprocess({"endpoints": APP_ENDPOINTS}, str(tmp_path_factory.mktemp("probe-module-app")), python=CLOUDAPP_PYTHON)
    yield handle
    handle.stop()


def five_keys(app, name):
    entry = app.endpoint(name)
    return {key: entry[key] for key in FIELDS}


def run(args, capsys, monkeypatch, check_mode=False):
    """Run probe's main() and return (parsed result, printed text); no_log masking stays on for ``invocation`` only."""
    return run_module(probe, args, capsys, monkeypatch, check_mode=check_mode, diff=False)


def assert_no_secret(raw, *more):
    for secret in TOKENS + [KEY, OTHER_KEY] + list(more):
        assert secret not in raw
    assert "Quote-4Rt" not in raw  # the apostrophe token's tail, should a message cut the token at its quote


def warning_texts(result):
    """The warning sentences of a raw result (ansible-core 2.19+ returns each as a structured event)."""
    texts = []
    for warning in result.get("warnings", []):
        if isinstance(warning, dict):
            warning = warning.get("event", warning).get("msg")
        texts.append(warning)
    return texts


# ---- endpoints given directly -------------------------------------------------------------------

def test_results_of_good_endpoints_hold_no_token(app, capsys, monkeypatch):
    names = ["healthy", "rejected", "garbage", "closed"]
    args = {"endpoints": [five_keys(app, name) for name in names], "ca_path": app.state["ca_bundle"], "timeout": 3}

    result, raw = run(args, capsys, monkeypatch)

    assert result["changed"] is False and "failed" not in result
    assert [row["reason"] for row in result["endpoints"]] == ["ok", "token_rejected", "protocol_error", "closed"]
    assert [row["token"] for row in result["endpoints"]] == [token_fingerprint(app.endpoint(name)["token"]) for name in names]
    assert [row["source"] for row in result["endpoints"]] == ["endpoints[%d]" % index for index in range(4)]
    assert result["endpoints"][0]["priority"] == 1 and result["endpoints"][0]["groupId"] == "UP"
    assert result["msg"] == "UP: would connect to endpoints[0] (priority 1, 1 of 4 healthy; down: endpoints[1] token_rejected, " \
                            "endpoints[2] protocol_error, endpoints[3] closed)"
    assert result["invocation"]["module_args"]["endpoints"] == NO_LOG_MARKER
    assert "errors" not in result
    assert_no_secret(raw)


def test_check_mode_probes_the_same(app, capsys, monkeypatch):
    args = {"endpoints": [five_keys(app, "healthy"), five_keys(app, "rejected")], "ca_path": app.state["ca_bundle"], "timeout": 3}

    result, raw = run(args, capsys, monkeypatch, check_mode=True)

    assert result["changed"] is False
    assert [row["reason"] for row in result["endpoints"]] == ["ok", "token_rejected"]
    assert_no_secret(raw)


def test_endpoints_as_content_and_sealed_entries(app, capsys, monkeypatch):
    healthy = five_keys(app, "healthy")
    sealed = seal(json.dumps(five_keys(app, "rejected")).encode(), parse_key(KEY)).decode("ascii")
    args = {"endpoints": [{"content": json.dumps(healthy)}, {"sealed": sealed}], "key": KEY,
            "ca_path": app.state["ca_bundle"], "timeout": 3}

    result, raw = run(args, capsys, monkeypatch)

    assert [row["reason"] for row in result["endpoints"]] == ["ok", "token_rejected"]
    assert result["invocation"]["module_args"]["key"] == NO_LOG_MARKER
    assert_no_secret(raw, sealed)


ENDPOINT = {"token": STRAY_TOKEN, "priority": 1, "groupId": "G", "hostName": "localhost", "url": "wss://localhost:1/nbwss/x"}


@pytest.mark.parametrize("endpoints", [
    [ENDPOINT, None],
    [dict(ENDPOINT, tokne=STRAY_TOKEN)],
    [dict((("Token" if key == "token" else key), value) for key, value in ENDPOINT.items())],
    [dict(ENDPOINT, token=[STRAY_TOKEN])],
    [dict(ENDPOINT, priority="01")],
    [dict(ENDPOINT, url="ws://localhost:1/nbwss/x")],
    [dict(ENDPOINT, token=APOSTROPHE_TOKEN)],
    [{"content": '{"token": "%s", "priority": 1' % STRAY_TOKEN}],
    [{"content": json.dumps(ENDPOINT), "token": STRAY_TOKEN}],
    [{"sealed": STRAY_TOKEN}],
    [STRAY_TOKEN],
    STRAY_TOKEN,
    {"endpoints": [ENDPOINT]},
], ids=["null-entry", "misspelled-key", "capitalised-key", "token-list", "priority-string", "ws-url", "apostrophe",
        "broken-content", "content-and-token", "not-sealed", "bare-token", "not-a-list", "mapping"])
def test_malformed_endpoints_fail_in_one_sentence_without_any_secret(capsys, monkeypatch, endpoints):
    result, raw = run({"endpoints": endpoints, "timeout": 1}, capsys, monkeypatch)

    assert result["failed"] is True and result["msg"]
    assert "Traceback" not in raw and "exception" not in result
    assert "endpoints" not in result or result["endpoints"] == NO_LOG_MARKER
    assert result["invocation"]["module_args"]["endpoints"] == NO_LOG_MARKER
    assert_no_secret(raw)


def test_provider_entries_are_refused_before_any_fetch(capsys, monkeypatch):
    endpoints = [{"provider": {"url": "https://localhost:1/providers/x", "api_token": STRAY_TOKEN}}]

    result, raw = run({"endpoints": endpoints}, capsys, monkeypatch)

    assert result["failed"] is True
    assert result["msg"] == "endpoints[0]: provider entries cannot be probed; fetch them first (endpoint_fetch)."
    assert_no_secret(raw)


# ---- websockets missing ---------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    {"endpoints": [ENDPOINT]},
    {"endpoints": [dict(ENDPOINT, tokne=STRAY_TOKEN)], "key": "not a key"},
    {"path": "/nonexistent/nbwss", "key": KEY},
    {"path": "relative/path"},
    {"endpoints": [ENDPOINT], "ca_path": "/nonexistent/ca.pem", "client_key": "/nonexistent/key.pem"},
], ids=["good", "malformed-endpoints-and-bad-key", "missing-path", "relative-path", "bad-tls-files"])
def test_missing_websockets_is_the_first_and_only_failure(capsys, monkeypatch, args):
    monkeypatch.setattr(_websockets, "HAS_WEBSOCKETS", False)

    result, raw = run(args, capsys, monkeypatch)

    assert result["failed"] is True
    assert result["msg"] == missing_required_lib("websockets >= %s" % _websockets.MINIMUM_WEBSOCKETS_VERSION)
    assert "endpoints" not in result or result["endpoints"] == NO_LOG_MARKER
    assert_no_secret(raw)


def test_too_old_websockets_is_named_with_its_version(capsys, monkeypatch):
    monkeypatch.setattr(_websockets, "WEBSOCKETS_VERSION", "10.4")

    result, raw = run({"endpoints": [ENDPOINT]}, capsys, monkeypatch)

    assert result["failed"] is True
    assert result["msg"] == "The Python library websockets >= 11.0 is required on the managed host, found 10.4."
    assert_no_secret(raw)


# ---- fail_on ------------------------------------------------------------------------------------------

def test_fail_on_failure_returns_every_result(app, capsys, monkeypatch):
    names = ["down-1", "healthy", "down-2", "rejected"]
    args = {"endpoints": [five_keys(app, name) for name in names], "ca_path": app.state["ca_bundle"], "timeout": 3}

    result, raw = run(args, capsys, monkeypatch)

    assert result["failed"] is True and result["ok"] is False
    assert [row["reason"] for row in result["endpoints"]] == ["tcp_refused", "ok", "http_status", "token_rejected"]
    assert result["endpoints"][2]["http_status"] == 403
    assert [group["groupId"] for group in result["groups"]] == ["DOWN", "UP"]
    assert [condition["condition"] for condition in result["fired"]] == ["group_down"]
    assert result["fired"][0]["groups"] == ["DOWN"]
    assert result["msg"] == (
        "group_down: DOWN: no endpoint is healthy, so NetBackup cannot connect this group (endpoints[0] tcp_refused, "
        "endpoints[2] http_status 403). | DOWN: DOWN, no healthy endpoint (endpoints[0] tcp_refused, endpoints[2] http_status 403); "
        "UP: would connect to endpoints[1] (priority 1, 1 of 2 healthy; down: endpoints[3] token_rejected)")
    assert_no_secret(raw)


def test_every_condition_fires_in_fail_on_order_and_an_empty_fail_on_never_fails(app, capsys, monkeypatch):
    endpoints = [five_keys(app, name) for name in ("down-1", "down-2", "healthy", "rejected")]
    endpoints.append(dict(five_keys(app, "healthy"), priority=2))  # same url twice: a conflict
    common = {"endpoints": endpoints, "ca_path": app.state["ca_bundle"], "timeout": 3, "min_cert_days": 1000}

    failed, raw_failed = run(dict(common, fail_on=["cert_expiry", "conflict", "failover", "any_down", "group_down"]),
                             capsys, monkeypatch)
    passed, raw_passed = run(dict(common, fail_on=[]), capsys, monkeypatch)

    assert failed["failed"] is True
    assert [condition["condition"] for condition in failed["fired"]] == ["cert_expiry", "conflict", "any_down", "group_down"]
    assert "failed" not in passed and passed["ok"] is True and passed["fired"] == []
    assert [row["reason"] for row in passed["endpoints"]] == [row["reason"] for row in failed["endpoints"]]
    assert_no_secret(raw_failed)
    assert_no_secret(raw_passed)


# ---- path -----------------------------------------------------------------------------------------------

@pytest.fixture()
def files_dir():
    """A directory on /tmp any user may enter (the unreadable-file case runs as nobody when the tests run as root)."""
    directory = tempfile.mkdtemp(prefix="nbwss-probe-module-")
    os.chmod(directory, 0o755)
    yield directory
    shutil.rmtree(directory)


def write(path, data, mode=0o644):
    with open(path, "wb") as handle:
        handle.write(data)
    os.chmod(path, mode)
    return path


class Unprivileged(object):
    """Run the block as a user to whom a mode-000 file is really unreadable (root reads any file)."""

    def __enter__(self):
        self.uid = None
        if os.geteuid() == 0:
            # Python's own files under /root are closed to nobody: import what the probe imports late first.
            import _strptime  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
            self.uid = pwd.getpwnam("nobody").pw_uid
            os.seteuid(self.uid)
        return self

    def __exit__(self, *exc_info):
        if self.uid is not None:
            os.seteuid(0)


def test_path_lists_files_that_cannot_be_read_in_errors_and_probes_the_rest(app, files_dir, capsys, monkeypatch):
    good = write(os.path.join(files_dir, "nbwss_healthy.json"), json.dumps(five_keys(app, "healthy")).encode())
    rejected = write(os.path.join(files_dir, "nbwss_rejected.sealed"),
                     seal(json.dumps(five_keys(app, "rejected")).encode(), parse_key(KEY)))
    unreadable = write(os.path.join(files_dir, "nbwss_unreadable.json"), json.dumps(ENDPOINT).encode(), mode=0)
    other_key = write(os.path.join(files_dir, "nbwss_other-key.sealed"), seal(json.dumps(ENDPOINT).encode(), parse_key(OTHER_KEY)))
    broken = write(os.path.join(files_dir, "nbwss_broken.json"), b'{"token": "%s", "priority": ' % STRAY_TOKEN.encode())
    oversized = write(os.path.join(files_dir, "nbwss_oversized.json"),
                      json.dumps(ENDPOINT).encode() + b" " * (1024 * 1024 + 1))
    link = os.path.join(files_dir, "nbwss_link.json")
    os.symlink(good, link)
    fifo = os.path.join(files_dir, "nbwss_fifo.json")
    os.mkfifo(fifo)
    write(os.path.join(files_dir, "unrelated.json"), json.dumps(ENDPOINT).encode())  # not matching nbwss_*
    ca_path = shutil.copy(app.state["ca_bundle"], os.path.join(files_dir, "ca.pem"))
    os.chmod(ca_path, 0o644)  # readable by nobody
    args = {"path": files_dir, "key": KEY, "ca_path": ca_path, "timeout": 3}

    with Unprivileged():
        result, raw = run(args, capsys, monkeypatch)
        carry_on, dummy = run(dict(args, fail_on=["group_down"]), capsys, monkeypatch)

    # By default files that could not be read fail the task, after everything is returned.
    assert result["failed"] is True and [fired["condition"] for fired in result["fired"]] == ["unreadable"]
    assert result["msg"].startswith("unreadable: 6 endpoint files could not be read and were not probed: ")
    assert "failed" not in carry_on, carry_on["msg"]
    assert [(row["source"], row["reason"]) for row in result["endpoints"]] == [(good, "ok"), (rejected, "token_rejected")]
    errors = dict((error["path"], error["message"]) for error in result["errors"])
    assert sorted(errors) == sorted([unreadable, other_key, broken, oversized, link, fifo])
    assert errors[unreadable] == "Could not read %s: Permission denied." % unreadable
    assert "none of the keys given" in errors[other_key]
    assert "is not valid JSON" in errors[broken]
    assert errors[oversized] == "Refusing to read %s: it is larger than 1048576 bytes." % oversized
    assert "symlink" in errors[link]
    assert "not a regular file" in errors[fifo]
    assert sorted(set(errors.values()) & set(warning_texts(result))) == sorted(errors.values())
    assert_no_secret(raw, base64.b64encode(STRAY_TOKEN.encode()).decode())


def test_path_that_does_not_exist_fails_naming_it(capsys, monkeypatch, tmp_path):
    missing = str(tmp_path / "missing")

    result, raw = run({"path": missing, "key": KEY}, capsys, monkeypatch)

    assert result["failed"] is True and result["msg"] == "path %s does not exist." % missing
    assert_no_secret(raw)


def test_a_file_path_is_probed_alone_and_pattern_selects_in_a_directory(app, files_dir, capsys, monkeypatch):
    healthy = write(os.path.join(files_dir, "nbwss_a.json"), json.dumps(five_keys(app, "healthy")).encode())
    write(os.path.join(files_dir, "nbwss_b.json"), json.dumps(five_keys(app, "rejected")).encode())
    write(os.path.join(files_dir, "other_c.json"), json.dumps(five_keys(app, "garbage")).encode())
    common = {"ca_path": app.state["ca_bundle"], "timeout": 3, "fail_on": []}

    alone, dummy = run(dict(common, path=healthy), capsys, monkeypatch)
    default, dummy = run(dict(common, path=files_dir), capsys, monkeypatch)
    every, raw = run(dict(common, path=files_dir, pattern="*"), capsys, monkeypatch)

    assert [row["source"] for row in alone["endpoints"]] == [healthy]
    assert [row["reason"] for row in default["endpoints"]] == ["ok", "token_rejected"]
    assert [row["reason"] for row in every["endpoints"]] == ["ok", "token_rejected", "protocol_error"]
    assert every["errors"] == []
    assert_no_secret(raw)


def test_unreadable_file_mode_is_what_makes_it_unreadable(files_dir):
    """The permission case above is real: as the user it runs as, the file cannot be opened."""
    path = write(os.path.join(files_dir, "nbwss_x.json"), b"{}", mode=0)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0
    with Unprivileged():
        with pytest.raises(PermissionError):
            open(path, "rb").close()
