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

CERT_KINDS = ("valid", "expired", "wrong_host", "untrusted")

# The SAN a wrong_host certificate carries instead of localhost (a reserved, never-resolving name).
WRONG_HOST_NAME = "wrong.invalid"


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
        .not_valid_after(now + datetime.timedelta(days=30))
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
    """Create a server certificate of the given kind, signed by ``authority``."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    if kind == "expired":
        not_before, not_after = now - datetime.timedelta(days=30), now - datetime.timedelta(days=1)
    else:
        not_before, not_after = now - datetime.timedelta(hours=1), now + datetime.timedelta(days=30)
    if kind == "wrong_host":
        common_name = WRONG_HOST_NAME
        san = [x509.DNSName(WRONG_HOST_NAME)]
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
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
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
    """Generates the CAs on creation and hands out one server SSLContext per cert kind, on demand.

    All endpoints of one kind share a certificate and a context, so 200 valid endpoints cost one key.
    """

    def __init__(self, state_dir: str) -> None:
        self.state_dir = state_dir
        self._trusted = _make_authority("nbwss cloudapp test CA")
        self._untrusted = _make_authority("nbwss cloudapp untrusted CA")
        self.ca_bundle = os.path.join(state_dir, "ca.pem")
        self.untrusted_ca_bundle = os.path.join(state_dir, "untrusted-ca.pem")
        _write(self.ca_bundle, _pem(self._trusted.cert), 0o644)
        _write(self.untrusted_ca_bundle, _pem(self._untrusted.cert), 0o644)
        self._contexts: dict[str, ssl.SSLContext] = {}

    def server_context(self, kind: str) -> ssl.SSLContext:
        """Return the server SSLContext that presents a certificate of ``kind``."""
        if kind not in CERT_KINDS:
            raise ValueError(f"unknown cert kind {kind!r}")
        if kind not in self._contexts:
            authority = self._untrusted if kind == "untrusted" else self._trusted
            key, cert = _make_leaf(authority, kind)
            cert_path = os.path.join(self.state_dir, f"server-{kind}.pem")
            key_path = os.path.join(self.state_dir, f"server-{kind}.key")
            key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            _write(key_path, key_pem, 0o600)
            # The chain file carries the leaf only: clients must trust the CA through ca_bundle.
            _write(cert_path, _pem(cert), 0o644)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            # No TLS 1.3 session tickets: nothing resumes sessions here, and a ticket arriving while a threaded
            # client (websockets.sync) writes its upgrade request races inside OpenSSL and can stall that request.
            context.num_tickets = 0
            context.load_cert_chain(cert_path, key_path)
            self._contexts[kind] = context
        return self._contexts[kind]
