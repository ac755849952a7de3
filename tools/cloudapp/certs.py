# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Throwaway certificate authorities and server certificates for the cloud application."""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .files import CLIENT_CERT_FILE, CLIENT_KEY_FILE

CERT_KINDS = ("valid", "expired", "wrong_host", "untrusted", "not_yet_valid")

# The SAN a wrong_host certificate carries instead of localhost (a reserved, never-resolving name).
WRONG_HOST_NAME = "wrong.invalid"
# Subject of the client certificate that endpoints with options.client_auth accept.
CLIENT_NAME = "nbwss-probe-client.invalid"
# Lifetime in days of the good certificates (valid, wrong_host, untrusted, the client certificate): far beyond the
# probe's default min_cert_days (30), so that a run against the application has no cert_expiry finding. The expired
# and not_yet_valid kinds keep their deliberate dates (docs/cloudapp.md).
CERT_DAYS = 825
# The CAs outlive every certificate they issue.
CA_DAYS = CERT_DAYS + 30


@dataclass
class _Authority:
    """A CA key and certificate."""

    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "netbackup.nbwss cloudapp"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _make_authority(common_name: str) -> _Authority:
    """Create a self-signed CA with the extensions strict OpenSSL verification expects."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                          key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _Authority(key=key, cert=cert)


def _make_leaf(authority: _Authority, kind: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """Create a server certificate of the given kind (or the ``client`` certificate), signed by ``authority``."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    if kind == "expired":
        not_before, not_after = now - datetime.timedelta(days=30), now - datetime.timedelta(days=1)
    elif kind == "not_yet_valid":
        not_before, not_after = now + datetime.timedelta(days=1), now + datetime.timedelta(days=31)
    else:
        not_before, not_after = now - datetime.timedelta(hours=1), now + datetime.timedelta(days=CERT_DAYS)
    if kind == "wrong_host":
        common_name = WRONG_HOST_NAME
        san = [x509.DNSName(WRONG_HOST_NAME)]
    elif kind == "client":
        common_name = CLIENT_NAME
        san = [x509.DNSName(CLIENT_NAME)]
    else:
        common_name = "localhost"
        san = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(authority.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH if kind == "client" else ExtendedKeyUsageOID.SERVER_AUTH]),
                       critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key()), critical=False)
        .sign(authority.key, hashes.SHA256())
    )
    return key, cert


def _write(path: str, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, mode)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


class CertStore:
    """Generates the CAs and the client certificate on creation and hands out one server SSLContext per
    (cert kind, client_auth), on demand.

    All endpoints of one kind share a certificate and a context, so 200 valid endpoints cost one key.
    """

    def __init__(self, state_dir: str, session_tickets: int = 0) -> None:
        self.state_dir = state_dir
        self.session_tickets = session_tickets
        self._trusted = _make_authority("nbwss cloudapp test CA")
        self._untrusted = _make_authority("nbwss cloudapp untrusted CA")
        self.ca_bundle = os.path.join(state_dir, "ca.pem")
        self.untrusted_ca_bundle = os.path.join(state_dir, "untrusted-ca.pem")
        _write(self.ca_bundle, _pem(self._trusted.cert), 0o644)
        _write(self.untrusted_ca_bundle, _pem(self._untrusted.cert), 0o644)
        self.client_cert, self.client_key = self._write_leaf(self._trusted, "client")
        self._contexts: dict[tuple[str, bool], ssl.SSLContext] = {}

    def _write_leaf(self, authority: _Authority, kind: str) -> tuple[str, str]:
        """Create a leaf certificate of ``kind``; return the paths of its PEM certificate and key."""
        key, cert = _make_leaf(authority, kind)
        if kind == "client":
            cert_path, key_path = os.path.join(self.state_dir, CLIENT_CERT_FILE), os.path.join(self.state_dir, CLIENT_KEY_FILE)
        else:
            cert_path, key_path = os.path.join(self.state_dir, f"server-{kind}.pem"), os.path.join(self.state_dir, f"server-{kind}.key")
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        _write(key_path, key_pem, 0o600)
        # The chain file carries the leaf only: peers must trust the CA through ca_bundle.
        _write(cert_path, _pem(cert), 0o644)
        return cert_path, key_path

    def server_context(self, kind: str, client_auth: bool = False) -> ssl.SSLContext:
        """Return the server SSLContext that presents a certificate of ``kind`` (and, with ``client_auth``,
        requires a client certificate issued by the CA in ca_bundle)."""
        if kind not in CERT_KINDS:
            raise ValueError(f"unknown cert kind {kind!r}")
        if (kind, client_auth) not in self._contexts:
            if kind not in {k for k, _auth in self._contexts}:
                self._write_leaf(self._untrusted if kind == "untrusted" else self._trusted, kind)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            # No TLS 1.3 session tickets unless the config asks for them (session_tickets): nothing resumes sessions
            # here, and a ticket arriving while a threaded client (websockets.sync) writes its upgrade request races
            # inside OpenSSL and can stall that request. Real servers send them, so the probe is tested with them on.
            context.num_tickets = self.session_tickets
            context.load_cert_chain(os.path.join(self.state_dir, f"server-{kind}.pem"), os.path.join(self.state_dir, f"server-{kind}.key"))
            if client_auth:
                context.verify_mode = ssl.CERT_REQUIRED
                context.load_verify_locations(cafile=self.ca_bundle)
            self._contexts[(kind, client_auth)] = context
        return self._contexts[(kind, client_auth)]
