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

from ansible_collections.netbackup.nbwss.plugins.module_utils._probe_groups import DEFAULT_MIN_CERT_DAYS
from tools.cloudapp.certs import CERT_DAYS, CertStore


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


def _days_left(cert):
    return (cert.not_valid_after_utc - datetime.datetime.now(datetime.timezone.utc)).days


def test_good_certificates_outlast_the_default_min_cert_days(cloudapp, client_ctx):
    # They lasted 30 days, so every run against the application had a cert_expiry finding at the probe's default
    # min_cert_days (30), in the rollout role and the fleet report too.
    untrusting = ssl.create_default_context(cafile=cloudapp.state["untrusted_ca_bundle"])
    certs = {"valid": _peer_cert(cloudapp, "healthy", client_ctx), "untrusted": _peer_cert(cloudapp, "cert-untrusted", untrusting)}
    no_check = ssl.create_default_context(cafile=cloudapp.state["ca_bundle"])
    no_check.check_hostname = False
    certs["wrong_host"] = _peer_cert(cloudapp, "cert-wrong-host", no_check)
    with open(cloudapp.client_cert_files[0], "rb") as handle:
        certs["client"] = x509.load_pem_x509_certificate(handle.read())
    assert CERT_DAYS == 825
    assert dict((kind, _days_left(cert)) for kind, cert in certs.items()) == dict((kind, CERT_DAYS - 1) for kind in certs)
    assert CERT_DAYS - 1 > 10 * DEFAULT_MIN_CERT_DAYS
    for bundle in ("ca_bundle", "untrusted_ca_bundle"):
        with open(cloudapp.state[bundle], "rb") as handle:
            assert _days_left(x509.load_pem_x509_certificate(handle.read())) >= CERT_DAYS


def test_the_deliberately_bad_dates_stay_as_documented(tmp_path):
    store = CertStore(str(tmp_path))
    now = datetime.datetime.now(datetime.timezone.utc)
    dates = {}
    for kind in ("expired", "not_yet_valid"):
        store.server_context(kind)
        with open(str(tmp_path / f"server-{kind}.pem"), "rb") as handle:
            cert = x509.load_pem_x509_certificate(handle.read())
        dates[kind] = (round((cert.not_valid_before_utc - now).total_seconds() / 86400),
                       round((cert.not_valid_after_utc - now).total_seconds() / 86400))
    assert dates == {"expired": (-30, -1), "not_yet_valid": (1, 31)}
