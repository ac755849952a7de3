# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pure pieces of _probe: the CONNECT request, judging the answer, mapping failures to reasons, options."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import calendar
import errno
import json
import os
import re
import ssl
import time

import pytest

from websockets.datastructures import Headers
from websockets.exceptions import InvalidHeaderValue, InvalidMessage, InvalidStatus
from websockets.http11 import Response

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import token_fingerprint
from ansible_collections.netbackup.nbwss.plugins.module_utils._probe import (
    REASONS,
    ProbeError,
    ProbeOptions,
    cert_seconds,
    check_connect_response,
    client_ssl_context,
    connect_request,
    probe_endpoints,
    tcp_failure,
    tls_failure,
    upgrade_failure,
    _redact,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._websockets import websockets_problem

TOKEN = 'nbwssUnitTok3n-5b9d1e'
REQUEST_ID = '6f1c1b7e-2a44-4d6e-9a51-0c3d2f1e8b77'


def answer(**changes):
    """A correct CONNECT/RESPONSE to REQUEST_ID, with ``changes`` applied (None removes a key)."""
    message = {'version': '1.0', 'id': REQUEST_ID, 'type': 'CONNECT', 'subType': 'RESPONSE', 'timeStamp': 1444944191,
               'payload': {'valid': True}}
    for key, value in changes.items():
        if value is None:
            del message[key]
        else:
            message[key] = value
    return json.dumps(message).encode('utf-8')


def test_connect_request_is_the_protocol_message():
    frame = connect_request(TOKEN, REQUEST_ID, 1444944181.9)
    assert frame == ('{"version":"1.0","id":"%s","type":"CONNECT","subType":"REQUEST","timeStamp":1444944181,'
                     '"payload":{"token":"%s"}}' % (REQUEST_ID, TOKEN))


def test_valid_true_with_same_id_is_ok():
    assert check_connect_response(True, answer(), REQUEST_ID) == ('ok', 'The endpoint answered CONNECT with valid: true.')


@pytest.mark.parametrize('is_text, data, reason', [
    (True, answer(payload={'valid': False}), 'token_rejected'),
    (True, answer(id='00000000-0000-4000-8000-000000000000'), 'connect_mismatch'),
    (True, answer(id=None), 'connect_mismatch'),
    (True, answer(id=7), 'connect_mismatch'),
    (True, b'<nbwss-cloudapp> this frame is not JSON', 'protocol_error'),
    (True, b'\xff\xfe', 'protocol_error'),
    (True, b'[1, 2]', 'protocol_error'),
    (True, b'"CONNECT"', 'protocol_error'),
    (False, answer(), 'protocol_error'),
    (True, answer(type='COMMAND', subType='REQUEST'), 'protocol_error'),
    (True, answer(subType='REQUEST'), 'protocol_error'),
    (True, answer(type=None), 'protocol_error'),
    (True, answer(version='2.0'), 'protocol_error'),
    (True, answer(payload={'valid': 'true'}), 'protocol_error'),
    (True, answer(payload={'valid': 1}), 'protocol_error'),
    (True, answer(payload={}), 'protocol_error'),
    (True, answer(payload=[]), 'protocol_error'),
    (True, answer(payload=None), 'protocol_error'),
])
def test_every_other_answer_has_its_reason(is_text, data, reason):
    got, detail = check_connect_response(is_text, data, REQUEST_ID)
    assert got == reason
    assert detail.endswith('.') and detail[0].isupper()


def test_detail_never_quotes_the_answer():
    echoed = json.dumps({'version': '1.0', 'id': REQUEST_ID, 'type': TOKEN, 'subType': 'REQUEST', 'payload': {'token': TOKEN}})
    reason, detail = check_connect_response(True, echoed.encode('utf-8'), REQUEST_ID)
    assert (reason, detail) == ('protocol_error', 'The answer to CONNECT is a message of unknown type, not a CONNECT/RESPONSE.')
    assert check_connect_response(True, answer(type='COMMAND', subType='REQUEST'), REQUEST_ID)[1] == (
        'The answer to CONNECT is a COMMAND/REQUEST message, not a CONNECT/RESPONSE.')


def test_an_echoed_token_is_replaced_by_its_fingerprint():
    assert _redact('bad token %s, bye' % TOKEN, TOKEN) == 'bad token %s, bye' % token_fingerprint(TOKEN)
    assert _redact('nothing secret', TOKEN) == 'nothing secret'
    assert _redact(None, TOKEN) is None


def os_error(code):
    return OSError(code, 'Connect call failed')


@pytest.mark.parametrize('codes, reason', [
    ([errno.ECONNREFUSED], 'tcp_refused'),
    ([errno.ENETUNREACH], 'tcp_unreachable'),
    ([errno.EHOSTUNREACH], 'tcp_unreachable'),
    ([errno.EADDRNOTAVAIL], 'tcp_unreachable'),
    ([errno.ETIMEDOUT], 'tcp_timeout'),
    ([errno.EMFILE], 'tcp_error'),
    ([errno.EACCES], 'tcp_error'),
    ([errno.ENETUNREACH, errno.ECONNREFUSED], 'tcp_refused'),
    ([errno.EMFILE, errno.EHOSTUNREACH], 'tcp_unreachable'),
])
def test_tcp_reason_is_the_most_telling_of_all_addresses(codes, reason):
    attempts = [('192.0.2.%d:443' % index, os_error(code)) for index, code in enumerate(codes)]
    assert tcp_failure(attempts)[0] == reason


def test_tcp_detail_names_every_address_and_the_system_message():
    detail = tcp_failure([('[::1]:443', os_error(errno.ENETUNREACH)), ('127.0.0.1:443', os_error(errno.ECONNREFUSED))])[1]
    assert detail == 'TCP connection failed: [::1]:443 network is unreachable, 127.0.0.1:443 connection refused.'


def verify_error(code, message):
    exc = ssl.SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed')
    exc.verify_code, exc.verify_message = code, message
    return exc


@pytest.mark.parametrize('code, message, reason', [
    (10, 'certificate has expired', 'tls_expired'),
    (9, 'certificate is not yet valid', 'tls_not_yet_valid'),
    (62, "Hostname mismatch, certificate is not valid for 'localhost'.", 'tls_hostname'),
    (64, "IP address mismatch, certificate is not valid for '127.0.0.1'.", 'tls_hostname'),
    (20, 'unable to get local issuer certificate', 'tls_untrusted'),
    (18, 'self-signed certificate', 'tls_untrusted'),
    (19, 'self-signed certificate in certificate chain', 'tls_untrusted'),
    (26, 'unsupported certificate purpose', 'tls_untrusted'),
])
def test_verification_failures_by_openssl_code(code, message, reason):
    assert tls_failure(verify_error(code, message)) == (
        reason, 'The server certificate failed verification: %s.' % message.rstrip('.'))


def ssl_error(name, cls=ssl.SSLError):
    exc = cls(1, '[SSL: %s] %s' % (name, name.lower().replace('_', ' ')))
    exc.reason = name
    return exc


@pytest.mark.parametrize('name', ['TLSV13_ALERT_CERTIFICATE_REQUIRED', 'SSLV3_ALERT_BAD_CERTIFICATE', 'TLSV1_ALERT_UNKNOWN_CA',
                                  'SSLV3_ALERT_CERTIFICATE_UNKNOWN', 'SSLV3_ALERT_CERTIFICATE_EXPIRED'])
def test_certificate_alerts_from_the_server_are_about_the_client_certificate(name):
    reason, detail = tls_failure(ssl_error(name))
    assert reason == 'tls_client_cert'
    assert detail == 'The server refused the TLS connection over the client certificate (%s).' % name.lower().replace('_', ' ')


@pytest.mark.parametrize('name, detail', [
    ('WRONG_VERSION_NUMBER', 'TLS failed (wrong version number): the port does not seem to speak TLS.'),
    ('SSLV3_ALERT_HANDSHAKE_FAILURE', 'TLS failed: sslv3 alert handshake failure.'),
    ('TLSV1_ALERT_PROTOCOL_VERSION', 'TLS failed: tlsv1 alert protocol version.'),
])
def test_other_tls_errors(name, detail):
    assert tls_failure(ssl_error(name)) == ('tls_error', detail)


def test_connection_ending_in_the_handshake():
    expected = ('tls_error', 'The connection ended during the TLS handshake (closed by the server): the port may not serve '
                             'TLS, or the server refused the handshake.')
    assert tls_failure(ConnectionResetError('Connection lost')) == expected
    assert tls_failure(ssl_error('UNEXPECTED_EOF_WHILE_READING', ssl.SSLEOFError)) == expected
    assert tls_failure(ConnectionResetError(errno.ECONNRESET, 'reset'))[1].startswith(
        'The connection ended during the TLS handshake (connection reset by peer)')


def test_tls_ending_after_the_handshake():
    assert tls_failure(ssl_error('UNEXPECTED_EOF_WHILE_READING', ssl.SSLEOFError), handshake=False) == (
        'tls_error', 'The TLS connection ended abruptly (unexpected eof while reading).')


def http_response(status):
    return Response(status, 'Reason From Server', Headers(), b'')


@pytest.mark.parametrize('status, phrase', [(401, 'Unauthorized'), (403, 'Forbidden'), (500, 'Internal Server Error'),
                                            (200, 'OK'), (302, 'Found')])
def test_non_101_status_is_http_status(status, phrase):
    assert upgrade_failure(InvalidStatus(http_response(status))) == (
        'http_status', 'The server answered the WebSocket upgrade with HTTP %d %s instead of 101.' % (status, phrase), status)


def test_a_status_python_does_not_name_is_given_as_its_number():
    assert upgrade_failure(InvalidStatus(http_response(599))) == (
        'http_status', 'The server answered the WebSocket upgrade with HTTP 599 instead of 101.', 599)


def test_eof_before_the_upgrade_answer():
    expected = ('upgrade_error', 'The server closed the connection without answering the WebSocket upgrade.', None)
    assert upgrade_failure(EOFError('connection closed while reading HTTP status line')) == expected
    wrapped = InvalidMessage('did not receive a valid HTTP response')
    wrapped.__cause__ = EOFError('connection closed while reading HTTP status line')
    assert upgrade_failure(wrapped) == expected


def test_invalid_handshake_answers():
    assert upgrade_failure(InvalidHeaderValue('Sec-WebSocket-Accept', 'bm90')) == (
        'upgrade_error', 'The answer to the WebSocket upgrade is not a valid handshake: invalid Sec-WebSocket-Accept header: bm90.', None)
    wrapped = InvalidMessage('did not receive a valid HTTP response')
    wrapped.__cause__ = ValueError('unsupported protocol; expected HTTP/1.1: HTTP/1.0 200 ok')
    assert upgrade_failure(wrapped)[1] == ('The answer to the WebSocket upgrade is not a valid handshake: did not receive a valid '
                                           'HTTP response (unsupported protocol; expected HTTP/1.1: HTTP/1.0 200 ok).')


DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'docs', 'probe.md')


def test_reason_table_is_complete_and_documented():
    with open(DOCS) as handle:
        documented = set(re.findall(r'^\| `([a-z_]+)` \|', handle.read(), re.MULTILINE))
    assert set(REASONS) <= documented
    assert set(REASONS) >= {'ok', 'dns', 'tcp_refused', 'tcp_timeout', 'tls_timeout', 'tls_untrusted', 'tls_expired', 'tls_hostname',
                            'http_status', 'upgrade_timeout', 'closed', 'connect_timeout', 'connect_mismatch', 'protocol_error',
                            'token_rejected', 'token_withheld'}


# ---- options and TLS material --------------------------------------------------------------------

def test_default_options():
    options = ProbeOptions()
    assert (options.stage, options.timeout, options.concurrency, options.validate_certs, options.ca_path, options.client_cert,
            options.client_key, options.allow_unverified_token) == ('connect', 10.0, 1000, True, None, None, None, False)


@pytest.mark.parametrize('kwargs, message', [
    ({'stage': 'resolve'}, "stage must be one of tcp, tls, upgrade, connect, not 'resolve'."),
    ({'stage': 'CONNECT'}, "stage must be one of tcp, tls, upgrade, connect, not 'CONNECT'."),
    ({'timeout': 0}, 'timeout must be a positive number of seconds.'),
    ({'timeout': -1.5}, 'timeout must be a positive number of seconds.'),
    ({'timeout': True}, 'timeout must be a positive number of seconds.'),
    ({'timeout': '10'}, 'timeout must be a positive number of seconds.'),
    ({'timeout': float('nan')}, 'timeout must be a positive number of seconds.'),
    ({'timeout': float('inf')}, 'timeout must be a positive number of seconds.'),
    ({'concurrency': 0}, 'concurrency must be a positive integer.'),
    ({'concurrency': 2.5}, 'concurrency must be a positive integer.'),
    ({'client_key': '/k.pem'}, 'client_key needs client_cert.'),
])
def test_bad_options_are_refused(kwargs, message):
    with pytest.raises(ProbeError) as caught:
        ProbeOptions(**kwargs)
    assert str(caught.value) == message


def test_context_verifies_by_default_and_not_when_told():
    verifying = client_ssl_context(ProbeOptions())
    assert (verifying.verify_mode, verifying.check_hostname, verifying.minimum_version) == (
        ssl.CERT_REQUIRED, True, ssl.TLSVersion.TLSv1_2)
    relaxed = client_ssl_context(ProbeOptions(validate_certs=False))
    assert (relaxed.verify_mode, relaxed.check_hostname) == (ssl.CERT_NONE, False)


def test_missing_ca_path_is_one_sentence(tmp_path):
    missing = str(tmp_path / 'nope.pem')
    with pytest.raises(ProbeError) as caught:
        client_ssl_context(ProbeOptions(ca_path=missing))
    assert str(caught.value) == 'ca_path %s cannot be used: No such file or directory.' % missing


def test_ca_path_without_certificates_is_refused(tmp_path):
    junk = tmp_path / 'junk.pem'
    junk.write_text(u'not a certificate\n')
    with pytest.raises(ProbeError, match='ca_path .*junk.pem cannot be used: '):
        client_ssl_context(ProbeOptions(ca_path=str(junk)))


def test_unusable_client_cert_is_refused_without_prompting(tmp_path):
    junk = tmp_path / 'client.pem'
    junk.write_text(u'-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n')
    with pytest.raises(ProbeError, match=r'client_cert .*client.pem cannot be used with client_key \(none\): .*the key must be PEM'):
        client_ssl_context(ProbeOptions(client_cert=str(junk)))


def test_no_endpoints_no_probe():
    assert probe_endpoints([], ProbeOptions()) == []


def test_websockets_is_usable_here():
    assert websockets_problem() is None


def test_certificate_times_read_as_the_ssl_module_reads_them():
    # Every month, day widths 1 and 2, leap days, the epoch and far dates: OpenSSL's "%b %e %H:%M:%S %Y GMT".
    moments = [0, 951782400, 1709164799, 2147483647, 4102444799] + list(range(1700000000, 1700000000 + 400 * 86400, 86400 + 3671))
    for moment in moments:
        text = time.strftime('%b %e %H:%M:%S %Y GMT', time.gmtime(moment))
        assert cert_seconds(text) == ssl.cert_time_to_seconds(text) == moment, text
    assert cert_seconds('Feb 29 12:00:00 2028 GMT') == calendar.timegm((2028, 2, 29, 12, 0, 0))


@pytest.mark.parametrize('text', ['', 'May  9 2027', 'Mai  9 00:00:00 2027 GMT', 'May  9 00:00:00 2027 CET', 'May 9 00:00 2027 GMT'])
def test_a_certificate_time_in_another_form_is_the_ssl_modules_to_refuse(text):
    with pytest.raises(ValueError):
        ssl.cert_time_to_seconds(text)
    with pytest.raises(ValueError):
        cert_seconds(text)
