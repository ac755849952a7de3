# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TLS certificate kinds: what a verifying client sees for each."""

from __future__ import annotations

import datetime
import socket
import ssl

import pytest
from cryptography import x509
from websockets.sync.client import connect


def _peer_cert(cloudapp, name, ctx, server_hostname="localhost"):
    with socket.create_connection(("127.0.0.1", cloudapp.endpoint(name)["port"]), timeout=2) as sock:
        with ctx.wrap_socket(sock, server_hostname=server_hostname) as tls:
            return x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))


def test_generated_ca_verifies_valid_endpoint(cloudapp, client_ctx):
    cert = _peer_cert(cloudapp, "healthy", client_ctx)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    with open(cloudapp.state["ca_bundle"], "rb") as handle:
        ca = x509.load_pem_x509_certificate(handle.read())
    assert cert.issuer == ca.subject
    cert.verify_directly_issued_by(ca)


def test_valid_cert_also_matches_ip_address(cloudapp, client_ctx):
    cert = _peer_cert(cloudapp, "healthy", client_ctx, server_hostname="127.0.0.1")
    assert cert.not_valid_after_utc > datetime.datetime.now(datetime.timezone.utc)


@pytest.mark.parametrize("name, code, verify_message", [
    ("cert-expired", 10, "certificate has expired"),
    ("cert-wrong-host", 62, "Hostname mismatch, certificate is not valid for 'localhost'."),
    ("cert-untrusted", 20, "unable to get local issuer certificate"),
])
def test_bad_cert_kinds_fail_verification(cloudapp, client_ctx, name, code, verify_message):
    with pytest.raises(ssl.SSLCertVerificationError) as info:
        with connect(cloudapp.endpoint(name)["url"], ssl=client_ctx, open_timeout=2):
            pass
    assert (info.value.verify_code, info.value.verify_message) == (code, verify_message)


def test_expired_cert_dates(cloudapp):
    ctx = ssl.create_default_context(cafile=cloudapp.state["ca_bundle"])
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    cert = _peer_cert(cloudapp, "cert-expired", ctx)
    assert cert.not_valid_after_utc < datetime.datetime.now(datetime.timezone.utc)


def test_wrong_host_cert_names_other_host_only(cloudapp):
    ctx = ssl.create_default_context(cafile=cloudapp.state["ca_bundle"])
    ctx.check_hostname = False
    cert = _peer_cert(cloudapp, "cert-wrong-host", ctx)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["wrong.invalid"]
    assert san.get_values_for_type(x509.IPAddress) == []


def test_untrusted_cert_verifies_with_untrusted_bundle(cloudapp):
    cert = _peer_cert(cloudapp, "cert-untrusted", cloudapp.client_context(untrusted=True))
    with open(cloudapp.state["untrusted_ca_bundle"], "rb") as handle:
        untrusted_ca = x509.load_pem_x509_certificate(handle.read())
    with open(cloudapp.state["ca_bundle"], "rb") as handle:
        trusted_ca = x509.load_pem_x509_certificate(handle.read())
    assert cert.issuer == untrusted_ca.subject != trusted_ca.subject
