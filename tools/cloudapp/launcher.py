# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start the cloud application in a child process and wait for it: the one way tests and benchmarks run it."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

import yaml

from .files import CLIENT_CERT_FILE, CLIENT_KEY_FILE, STATE_FILE

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class CloudAppError(RuntimeError):
    """The application did not start (the message carries its stderr), or refused an admin request (its one-line error)."""


class CloudApp:
    """Handle on a running cloud application child process."""

    def __init__(self, process: subprocess.Popen, state_dir: str, state: dict[str, Any]) -> None:
        self.process = process
        self.state_dir = state_dir
        self.state = state

    @property
    def pid(self) -> int:
        """Process id of the application."""
        return self.process.pid

    @property
    def stderr_path(self) -> str:
        """File that receives the application's stderr."""
        return os.path.join(self.state_dir, "stderr.log")

    def endpoint(self, name: str) -> dict[str, Any]:
        """The state.json entry of one endpoint."""
        for entry in self.state["endpoints"]:
            if entry["name"] == name:
                return entry
        raise KeyError(name)

    def provider(self, name: str) -> dict[str, Any]:
        """The state.json entry of one provider URL."""
        for entry in self.state["providers"]:
            if entry["name"] == name:
                return entry
        raise KeyError(name)

    @property
    def client_cert_files(self) -> tuple[str, str]:
        """Paths of the PEM client certificate and key that endpoints with ``options.client_auth`` accept."""
        return os.path.join(self.state_dir, CLIENT_CERT_FILE), os.path.join(self.state_dir, CLIENT_KEY_FILE)

    def client_context(self, untrusted: bool = False) -> ssl.SSLContext:
        """A verifying client SSLContext that trusts the app's CA (or only its untrusted CA)."""
        return ssl.create_default_context(cafile=self.state["untrusted_ca_bundle" if untrusted else "ca_bundle"])

    def set_fault(self, name: str, fault: str, timeout: float = 10.0) -> str:
        """Switch endpoint ``name`` to endpoint fault mode ``fault`` for new connections; return its previous fault.

        Posts to ``/_admin/fault`` on the provider listener (HTTPS, verified against the app's CA), then re-reads
        state.json into :attr:`state`. Raises CloudAppError with the application's one-line error if it refuses.
        """
        request = urllib.request.Request(
            f"https://localhost:{self.state['provider_port']}/_admin/fault", method="POST",
            data=json.dumps({"endpoint": name, "fault": fault}).encode(), headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, context=self.client_context(), timeout=timeout) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as exc:
            with exc:
                reason = _error_reason(exc.read())
            raise CloudAppError(f"cloudapp refused to switch the fault ({exc.code}): {reason}") from None
        with open(os.path.join(self.state_dir, STATE_FILE), "r", encoding="utf-8") as handle:
            self.state = json.load(handle)
        return answer["previous"]

    def stop(self, timeout: float = 10.0) -> int:
        """Send SIGTERM to this process (by PID), wait, kill if it hangs; return the exit code."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout)
        return self.process.returncode

    def __enter__(self) -> CloudApp:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _error_reason(body: bytes) -> str:
    """The ``error`` of the application's one-line JSON error body."""
    try:
        return str(json.loads(body)["error"])
    except (ValueError, KeyError, TypeError):
        return "(no error message)"


def _read_text(path: str) -> str:
    try:
        with open(path, "r", encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def run_in_subprocess(config: dict[str, Any] | str, state_dir: str, timeout: float = 20.0, python: str | None = None) -> CloudApp:
    """Start ``python -m tools.cloudapp`` with ``config`` (a mapping, or a path to a YAML file) and wait until state.json is written.

    Raises CloudAppError with the child's stderr if it exits or does not get ready within ``timeout`` seconds.
    """
    os.makedirs(state_dir, mode=0o700, exist_ok=True)
    state_path = os.path.join(state_dir, STATE_FILE)
    if os.path.exists(state_path):
        os.unlink(state_path)
    if isinstance(config, str):
        config_path = os.path.abspath(config)
    else:
        config_path = os.path.join(state_dir, "config.yml")
        fd = os.open(config_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yaml.safe_dump(config, handle, sort_keys=False)
    stderr_path = os.path.join(state_dir, "stderr.log")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [REPO_ROOT, env.get("PYTHONPATH")]))
    # stderr goes to a file, not a pipe: nobody drains a pipe during a long test session.
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            [python or sys.executable, "-m", "tools.cloudapp", "--config", config_path, "--state-dir", state_dir],
            cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CloudAppError(f"cloudapp exited with code {process.returncode} before it was ready:\n{_read_text(stderr_path)}")
        try:
            with open(state_path, "r", encoding="utf-8") as handle:
                state = json.load(handle)
            if state.get("pid") == process.pid:
                return CloudApp(process, state_dir, state)
        except (OSError, ValueError):
            pass
        time.sleep(0.02)
    CloudApp(process, state_dir, {}).stop()
    raise CloudAppError(f"cloudapp was not ready within {timeout} s:\n{_read_text(stderr_path)}")
