# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Configuration of the reference cloud application: loading, expansion of ``generate`` entries, validation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .certs import CERT_KINDS

ENDPOINT_FAULTS = (
    "healthy", "token_rejected", "wrong_id", "no_reply", "garbage", "close_after_upgrade",
    "http_401", "http_403", "http_500", "tls_stall", "port_closed", "slow",
    "tcp_stall", "upgrade_stall", "no_tls", "bad_accept",
)
PROVIDER_FAULTS = (
    "ok", "fail_first", "not_found", "unauthorized", "slow", "endless_body", "invalid_json", "duplicate_keys",
    "apostrophe", "ws_url", "list", "oversized", "redirect_http", "redirect_https",
)

_ENDPOINT_KEYS = {"name", "groupId", "priority", "token", "fault", "cert", "port", "options"}
_ENDPOINT_OPTIONS = {"delay", "command", "command_timeout", "first_message_timeout", "client_auth"}
_BOOLEAN_OPTIONS = {"command", "client_auth"}
_GENERATE_KEYS = {"count", "groups", "token_prefix", "name_prefix", "group_prefix", "fault", "cert", "options"}
_PROVIDER_KEYS = {"name", "endpoint", "path", "auth", "fault", "options"}
_PROVIDER_OPTIONS = {"n", "delay", "size", "interval"}
_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class ConfigError(ValueError):
    """The configuration is invalid; the message says which entry and field."""


@dataclass
class EndpointConfig:
    """One wss endpoint to serve."""

    name: str
    group_id: str
    priority: int
    token: str
    fault: str = "healthy"
    cert: str = "valid"
    port: int = 0
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class ProviderConfig:
    """One provider URL that serves the details of one endpoint."""

    name: str
    endpoint: str
    path: str
    auth: dict[str, Any] | None = None
    fault: str = "ok"
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class AppConfig:
    """The whole application: endpoints plus provider URLs."""

    endpoints: list[EndpointConfig]
    providers: list[ProviderConfig]
    provider_port: int = 0
    # TLS 1.3 session tickets every TLS listener sends after a handshake (OpenSSL's own default is 2).
    session_tickets: int = 0


def load_file(path: str) -> AppConfig:
    """Read a YAML (or JSON) config file and validate it."""
    with open(path, "r", encoding="utf-8") as handle:
        try:
            data = yaml.safe_load(handle)
        except yaml.YAMLError as exc:
            raise ConfigError(f"not valid YAML: {exc}") from None
    return parse(data)


def _check_keys(where: str, data: Any, allowed: set[str]) -> None:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: must be a mapping")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")


def _options(where: str, data: Any, allowed: set[str]) -> dict[str, Any]:
    if data is None:
        return {}
    if isinstance(data, dict) and "notify" in data:
        raise ConfigError(f"{where}.options.notify: NOTIFICATION requests go from NetBackup to the cloud application, which "
                          "acknowledges every one it receives; use 'command: true' for a request sent by the application")
    _check_keys(f"{where}.options", data, allowed)
    for key, value in data.items():
        if key in _BOOLEAN_OPTIONS:
            if not isinstance(value, bool):
                raise ConfigError(f"{where}.options.{key}: must be true or false")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ConfigError(f"{where}.options.{key}: must be a non-negative number")
    return dict(data)


def _string(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: must be a non-empty string")
    return value


def _port(where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise ConfigError(f"{where}: must be an integer port 0..65535 (0 picks a free port)")
    return value


def _endpoint(where: str, data: dict[str, Any]) -> EndpointConfig:
    _check_keys(where, data, _ENDPOINT_KEYS)
    for key in ("name", "groupId", "priority", "token"):
        if key not in data:
            raise ConfigError(f"{where}: missing key {key}")
    name = _string(f"{where}.name", data["name"])
    if not _NAME_RE.match(name):
        raise ConfigError(f"{where}.name: use 1-64 letters, digits, '.', '_' or '-' (it becomes the URL path)")
    priority = data["priority"]
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise ConfigError(f"{where}.priority: must be an integer")
    fault = data.get("fault", "healthy")
    if fault not in ENDPOINT_FAULTS:
        raise ConfigError(f"{where}.fault: {fault!r} is not one of {', '.join(ENDPOINT_FAULTS)}")
    cert = data.get("cert", "valid")
    if cert not in CERT_KINDS:
        raise ConfigError(f"{where}.cert: {cert!r} is not one of {', '.join(CERT_KINDS)}")
    return EndpointConfig(
        name=name, group_id=_string(f"{where}.groupId", data["groupId"]), priority=priority,
        token=_string(f"{where}.token", data["token"]), fault=fault, cert=cert,
        port=_port(f"{where}.port", data.get("port", 0)), options=_options(where, data.get("options"), _ENDPOINT_OPTIONS),
    )


def _generate(where: str, spec: Any) -> list[EndpointConfig]:
    """Expand ``generate: {count, groups, token_prefix, ...}`` into endpoints spread round-robin over groups."""
    _check_keys(where, spec, _GENERATE_KEYS)
    count, groups = spec.get("count"), spec.get("groups", 1)
    for key, value in (("count", count), ("groups", groups)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{where}.{key}: must be a positive integer")
    token_prefix = _string(f"{where}.token_prefix", spec.get("token_prefix"))
    name_prefix = spec.get("name_prefix", "ep")
    group_prefix = spec.get("group_prefix", "group")
    width = len(str(count))
    result = []
    for index in range(count):
        group = index % groups
        result.append(_endpoint(f"{where}[{index}]", {
            "name": f"{name_prefix}{index + 1:0{width}d}",
            "groupId": f"{group_prefix}{group + 1:0{len(str(groups))}d}",
            # Endpoints are dealt to groups round-robin, so the n-th endpoint of a group has priority n.
            "priority": index // groups + 1,
            "token": f"{token_prefix}{index + 1:0{width}d}",
            "fault": spec.get("fault", "healthy"),
            "cert": spec.get("cert", "valid"),
            "options": spec.get("options"),
        }))
    return result


def _auth(where: str, auth: Any) -> dict[str, Any] | None:
    if auth is None:
        return None
    if not isinstance(auth, dict) or len(auth) != 1 or next(iter(auth)) not in ("bearer", "basic"):
        raise ConfigError(f"{where}: must be {{bearer: TOKEN}} or {{basic: {{username: U, password: P}}}}")
    if "bearer" in auth:
        return {"bearer": _string(f"{where}.bearer", auth["bearer"])}
    basic = auth["basic"]
    _check_keys(f"{where}.basic", basic, {"username", "password"})
    username = _string(f"{where}.basic.username", basic.get("username"))
    if ":" in username:
        raise ConfigError(f"{where}.basic.username: must not contain ':'")
    return {"basic": {"username": username, "password": _string(f"{where}.basic.password", basic.get("password"))}}


def _provider(where: str, data: Any, endpoint_names: set[str]) -> ProviderConfig:
    _check_keys(where, data, _PROVIDER_KEYS)
    name = _string(f"{where}.name", data.get("name"))
    if not _NAME_RE.match(name):
        raise ConfigError(f"{where}.name: use 1-64 letters, digits, '.', '_' or '-'")
    endpoint = _string(f"{where}.endpoint", data.get("endpoint"))
    if endpoint not in endpoint_names:
        raise ConfigError(f"{where}.endpoint: no endpoint named {endpoint!r}")
    path = data.get("path", f"/providers/{name}")
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("/_") or "?" in path or " " in path:
        raise ConfigError(f"{where}.path: must start with '/' (not '/_', reserved), without '?' or spaces")
    fault = data.get("fault", "ok")
    if fault not in PROVIDER_FAULTS:
        raise ConfigError(f"{where}.fault: {fault!r} is not one of {', '.join(PROVIDER_FAULTS)}")
    return ProviderConfig(name=name, endpoint=endpoint, path=path, auth=_auth(f"{where}.auth", data.get("auth")),
                          fault=fault, options=_options(where, data.get("options"), _PROVIDER_OPTIONS))


def parse(data: Any) -> AppConfig:
    """Validate a config mapping and return the expanded configuration."""
    _check_keys("config", data, {"endpoints", "providers", "provider_port", "session_tickets"})
    raw_endpoints = data.get("endpoints") or []
    if not isinstance(raw_endpoints, list):
        raise ConfigError("config.endpoints: must be a list")
    endpoints: list[EndpointConfig] = []
    for index, entry in enumerate(raw_endpoints):
        where = f"endpoints[{index}]"
        if isinstance(entry, dict) and "generate" in entry:
            _check_keys(where, entry, {"generate"})
            endpoints.extend(_generate(f"{where}.generate", entry["generate"]))
        else:
            endpoints.append(_endpoint(where, entry))
    names = [endpoint.name for endpoint in endpoints]
    duplicates = sorted({name for name in names if names.count(name) > 1}) if len(set(names)) != len(names) else []
    if duplicates:
        raise ConfigError(f"config.endpoints: duplicate name(s) {', '.join(duplicates)}")
    raw_providers = data.get("providers") or []
    if not isinstance(raw_providers, list):
        raise ConfigError("config.providers: must be a list")
    providers = [_provider(f"providers[{index}]", entry, set(names)) for index, entry in enumerate(raw_providers)]
    for attribute in ("name", "path"):
        values = [getattr(provider, attribute) for provider in providers]
        if len(set(values)) != len(values):
            raise ConfigError(f"config.providers: duplicate {attribute}")
    tickets = data.get("session_tickets", 0)
    if isinstance(tickets, bool) or not isinstance(tickets, int) or not 0 <= tickets <= 16:
        raise ConfigError("config.session_tickets: must be an integer 0..16 (TLS 1.3 tickets sent after each handshake)")
    return AppConfig(endpoints=endpoints, providers=providers, provider_port=_port("config.provider_port", data.get("provider_port", 0)),
                     session_tickets=tickets)
