# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""Probe NBWSS endpoints the way NetBackup connects to them, stage by stage.

Stages: ``resolve`` (DNS), ``tcp``, ``tls``, ``upgrade`` (the WebSocket opening handshake) and
``connect`` (the NBWSS CONNECT request and its answer). This is the only place that opens
WebSocket connections.

All endpoints run concurrently on one asyncio event loop, bounded by ``concurrency``. Each
endpoint has one deadline (``timeout``) covering all of its stages and its closing handshake;
when it expires the reason names the stage that was running. DNS lookups run in daemon threads
(``getaddrinfo`` blocks and cannot be cancelled), TCP on the event loop's socket calls, TLS through
``ssl.SSLObject`` on memory buffers (``_TlsStream``), the upgrade and the frames through websockets'
Sans-I/O ``ClientProtocol``.

The token is sent only over a TLS connection whose certificate was verified, unless the caller
explicitly allows otherwise, and it never appears in a result: results carry its fingerprint.
Reason codes are documented in docs/probe.md.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import asyncio
import calendar
import collections
import datetime
import errno
import json
import logging
import math
import os
import socket
import ssl
import threading
import time
import uuid

from urllib.parse import urlsplit

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import token_fingerprint
from ansible_collections.netbackup.nbwss.plugins.module_utils._http_status import http_status_text
from ansible_collections.netbackup.nbwss.plugins.module_utils._websockets import (
    ClientProtocol,
    InvalidStatus,
    Opcode,
    Response,
    State,
    parse_uri,
    websockets_problem,
)

try:
    import resource
except ImportError:  # not on every platform; the open-file limit is then left as it is
    resource = None

STAGES = ('resolve', 'tcp', 'tls', 'upgrade', 'connect')
# Where a probe may be told to stop; reaching that stage is reason ``ok``.
STOP_STAGES = ('tcp', 'tls', 'upgrade', 'connect')

DEFAULT_TIMEOUT = 10.0
# High enough that a master's 1000 endpoints run at once (about 60 KiB each; an endpoint waiting for a
# free slot starts its deadline late). The bound keeps a huge list from starving the probes' CPU.
DEFAULT_CONCURRENCY = 1000

# Every reason code, with the one-line meaning docs/probe.md expands on.
REASONS = {
    'ok': 'the requested stage was reached (for connect: CONNECT answered valid: true)',
    'dns': 'the url host did not resolve, or not within the deadline',
    'tcp_refused': 'the host answered but nothing listens on the port',
    'tcp_unreachable': 'no route to the host or network',
    'tcp_timeout': 'the TCP connection did not complete within the deadline',
    'tcp_error': 'another socket error while connecting',
    'tls_timeout': 'the TLS handshake did not complete within the deadline',
    'tls_untrusted': 'the certificate does not chain to a trusted CA, or is otherwise not acceptable',
    'tls_expired': 'the certificate (or one in its chain) has expired',
    'tls_not_yet_valid': 'the certificate is not valid yet',
    'tls_hostname': 'the certificate does not name the url host',
    'tls_client_cert': 'the server requires a client certificate or rejected the one sent',
    'tls_error': 'another TLS failure: no TLS on the port, no common protocol or cipher, aborted handshake',
    'http_status': 'the server answered the WebSocket upgrade with an HTTP status other than 101',
    'upgrade_timeout': 'no answer to the WebSocket upgrade within the deadline',
    'upgrade_error': 'the answer to the upgrade is not a valid WebSocket handshake, or the connection closed first',
    'closed': 'the server closed the WebSocket before answering CONNECT',
    'connect_timeout': 'no answer to CONNECT within the deadline',
    'connect_mismatch': 'a CONNECT response with another id than the request',
    'protocol_error': 'the answer to CONNECT is not an NBWSS CONNECT/RESPONSE',
    'token_rejected': 'CONNECT answered valid: false',
    'token_withheld': 'the certificate was not verified, so CONNECT (and the token) was not sent',
}

_TIMEOUT_REASONS = {
    'resolve': 'dns', 'tcp': 'tcp_timeout', 'tls': 'tls_timeout', 'upgrade': 'upgrade_timeout', 'connect': 'connect_timeout',
}

# The closing handshake gets at most this long (and never more than the endpoint's deadline leaves).
CLOSE_GRACE = 1.0
# A CONNECT response is about 150 bytes; anything near this size is not one.
MAX_MESSAGE_BYTES = 64 * 1024
READ_CHUNK = 64 * 1024
USER_AGENT = 'netbackup.nbwss-probe'

# OpenSSL verify codes with a reason of their own; every other verification failure is tls_untrusted.
_VERIFY_REASONS = {9: 'tls_not_yet_valid', 10: 'tls_expired', 62: 'tls_hostname', 64: 'tls_hostname'}
# TLS alerts a server sends about the client's certificate.
_CLIENT_CERT_ALERTS = ('CERTIFICATE_REQUIRED', 'BAD_CERTIFICATE', 'UNKNOWN_CA', 'CERTIFICATE_UNKNOWN',
                       'CERTIFICATE_EXPIRED', 'CERTIFICATE_REVOKED', 'UNSUPPORTED_CERTIFICATE')
# What a TLS client reads when the port speaks plain HTTP or another protocol.
_NOT_TLS = ('WRONG_VERSION_NUMBER', 'PACKET_LENGTH_TOO_LONG', 'RECORD_LAYER_FAILURE', 'HTTP_REQUEST', 'UNKNOWN_PROTOCOL')
_TCP_ERRNO_REASONS = {
    errno.ECONNREFUSED: 'tcp_refused',
    errno.ENETUNREACH: 'tcp_unreachable',
    errno.EHOSTUNREACH: 'tcp_unreachable',
    errno.EADDRNOTAVAIL: 'tcp_unreachable',
    errno.EAFNOSUPPORT: 'tcp_unreachable',
    errno.ETIMEDOUT: 'tcp_timeout',
}
# When a name has several addresses and all fail, the most telling reason is reported.
_TCP_REASON_ORDER = ('tcp_refused', 'tcp_timeout', 'tcp_unreachable', 'tcp_error')

_X509_NAMES = {
    'commonName': 'CN', 'organizationName': 'O', 'organizationalUnitName': 'OU', 'countryName': 'C',
    'stateOrProvinceName': 'ST', 'localityName': 'L', 'domainComponent': 'DC', 'emailAddress': 'emailAddress',
}

# websockets logs every frame at DEBUG level, the CONNECT token included: its protocol logger stays silent.
_PROTOCOL_LOGGER = logging.getLogger('ansible_collections.netbackup.nbwss.probe.websockets')
_PROTOCOL_LOGGER.setLevel(logging.CRITICAL)
_PROTOCOL_LOGGER.propagate = False
_PROTOCOL_LOGGER.addHandler(logging.NullHandler())


class ProbeError(ValueError):
    """Options or TLS material that make every probe impossible; ``str()`` is one sentence."""


class ProbeOptions(object):
    """What to probe and how; validated on creation (``ProbeError``)."""

    __slots__ = ('stage', 'timeout', 'concurrency', 'validate_certs', 'ca_path', 'client_cert', 'client_key',
                 'allow_unverified_token')

    def __init__(self, stage='connect', timeout=DEFAULT_TIMEOUT, concurrency=DEFAULT_CONCURRENCY, validate_certs=True,
                 ca_path=None, client_cert=None, client_key=None, allow_unverified_token=False):
        if stage not in STOP_STAGES:
            raise ProbeError('stage must be one of %s, not %r.' % (', '.join(STOP_STAGES), stage))
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout) or timeout <= 0:
            raise ProbeError('timeout must be a positive number of seconds.')
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ProbeError('concurrency must be a positive integer.')
        if client_key and not client_cert:
            raise ProbeError('client_key needs client_cert.')
        self.stage = stage
        self.timeout = float(timeout)
        self.concurrency = concurrency
        self.validate_certs = bool(validate_certs)
        self.ca_path = ca_path
        self.client_cert = client_cert
        self.client_key = client_key
        self.allow_unverified_token = bool(allow_unverified_token)

    @classmethod
    def from_params(cls, params):
        """The options of checked ``params`` of ``probe_argument_spec`` (other keys are ignored)."""
        return cls(**dict((name, params[name]) for name in cls.__slots__))


def probe_argument_spec():
    """``ProbeOptions`` as an argument spec, with the engine's defaults: the probe module's and the EDA source's."""
    return dict(
        stage=dict(type='str', default=STOP_STAGES[-1], choices=list(STOP_STAGES)),
        timeout=dict(type='float', default=DEFAULT_TIMEOUT),
        concurrency=dict(type='int', default=DEFAULT_CONCURRENCY),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        client_cert=dict(type='path'),
        client_key=dict(type='path', no_log=False),
        allow_unverified_token=dict(type='bool', default=False),
    )


def _no_key_password():
    # Without a callback OpenSSL would prompt on the terminal for an encrypted key's passphrase.
    return b''


def _os_message(exc):
    """A short, human message for an ``OSError`` (``ssl.SSLError`` included)."""
    reason = getattr(exc, 'reason', None)
    if isinstance(exc, ssl.SSLError) and isinstance(reason, str):
        return reason.replace('_', ' ').lower()
    return getattr(exc, 'strerror', None) or str(exc) or type(exc).__name__


def client_ssl_context(options):
    """The ``ssl.SSLContext`` every probe uses.

    TLS 1.2 or later; certificate and hostname verification on unless ``validate_certs`` is false;
    trust from ``ca_path`` (a CA bundle file, or a hashed directory) instead of the system store;
    the client certificate if given. Raises ``ProbeError`` for files that cannot be used.
    """
    # PROTOCOL_TLS_CLIENT verifies and checks hostnames by default, the same on every Python
    # (create_default_context() adds stricter X.509 flags from 3.13 on).
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if not options.validate_certs:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif options.ca_path:
        try:
            if os.path.isdir(options.ca_path):
                context.load_verify_locations(capath=options.ca_path)
            else:
                context.load_verify_locations(cafile=options.ca_path)
        except (OSError, ValueError) as exc:
            raise ProbeError('ca_path %s cannot be used: %s.' % (options.ca_path, _os_message(exc)))
    else:
        context.load_default_certs(ssl.Purpose.SERVER_AUTH)
    if options.client_cert:
        try:
            context.load_cert_chain(options.client_cert, options.client_key or None, password=_no_key_password)
        except (OSError, ValueError) as exc:
            raise ProbeError('client_cert %s cannot be used with client_key %s: %s (the key must be PEM, unencrypted, '
                             'and match the certificate).' % (options.client_cert, options.client_key or '(none)',
                                                              _os_message(exc)))
    return context


# ---- pure pieces: the CONNECT request, the answer, reasons, TLS facts ----------------------------

def connect_request(token, request_id, timestamp):
    """The NBWSS CONNECT/REQUEST text frame carrying ``token`` (compact JSON, the protocol's key order)."""
    return json.dumps({
        'version': '1.0', 'id': request_id, 'type': 'CONNECT', 'subType': 'REQUEST', 'timeStamp': int(timestamp),
        'payload': {'token': token},
    }, separators=(',', ':'))


def check_connect_response(is_text, data, request_id):
    """Judge the first message after CONNECT; return ``(reason, detail)``.

    ``ok`` only for a text CONNECT/RESPONSE, version 1.0, with ``request_id`` and ``payload.valid``
    true. The detail never quotes the message: a server may echo what it received.
    """
    if not is_text:
        return 'protocol_error', 'The answer to CONNECT is a binary frame; NBWSS messages are JSON text frames.'
    try:
        message = json.loads(data.decode('utf-8'))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return 'protocol_error', 'The answer to CONNECT is not JSON.'
    if not isinstance(message, dict):
        return 'protocol_error', 'The answer to CONNECT is JSON but not an object.'
    kind = (message.get('type'), message.get('subType'))
    if kind != ('CONNECT', 'RESPONSE'):
        known = kind[0] in ('CONNECT', 'COMMAND', 'NOTIFICATION') and kind[1] in ('REQUEST', 'RESPONSE')
        return 'protocol_error', 'The answer to CONNECT is %s, not a CONNECT/RESPONSE.' % (
            'a %s/%s message' % kind if known else 'a message of unknown type')
    if message.get('id') != request_id:
        return 'connect_mismatch', 'The CONNECT response carries another id than the request sent.'
    if message.get('version') != '1.0':
        return 'protocol_error', 'The CONNECT response does not have version "1.0".'
    payload = message.get('payload')
    valid = payload.get('valid') if isinstance(payload, dict) else None
    if not isinstance(valid, bool):
        return 'protocol_error', 'The CONNECT response has no boolean payload.valid.'
    if not valid:
        return 'token_rejected', 'The endpoint answered CONNECT with valid: false: it does not accept this token.'
    return 'ok', 'The endpoint answered CONNECT with valid: true.'


def tcp_failure(attempts):
    """Reason and detail when no address accepted a connection; ``attempts`` is ``[(address, OSError)]``."""
    reasons = [_TCP_ERRNO_REASONS.get(exc.errno, 'tcp_error') for dummy, exc in attempts]
    reason = min(reasons, key=_TCP_REASON_ORDER.index)
    tried = ', '.join('%s %s' % (address, (os.strerror(exc.errno) if exc.errno else _os_message(exc)).lower())
                      for address, exc in attempts)
    return reason, 'TCP connection failed: %s.' % tried


def tls_failure(exc, handshake=True):
    """Reason and detail for an exception raised by the TLS handshake (or, ``handshake`` false, by later TLS traffic)."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = _VERIFY_REASONS.get(exc.verify_code, 'tls_untrusted')
        return reason, 'The server certificate failed verification: %s' % (exc.verify_message or _os_message(exc)).rstrip('.') + '.'
    name = getattr(exc, 'reason', None) or ''
    if isinstance(exc, ssl.SSLError) and 'ALERT' in name and any(alert in name for alert in _CLIENT_CERT_ALERTS):
        return 'tls_client_cert', 'The server refused the TLS connection over the client certificate (%s).' % _os_message(exc)
    if isinstance(exc, ssl.SSLError) and name in _NOT_TLS:
        return 'tls_error', 'TLS failed (%s): the port does not seem to speak TLS.' % _os_message(exc)
    if isinstance(exc, ssl.SSLError) and not isinstance(exc, ssl.SSLEOFError):
        return 'tls_error', 'TLS failed: %s.' % _os_message(exc)
    if not handshake:
        return 'tls_error', 'The TLS connection ended abruptly (%s).' % _os_message(exc).lower()
    why = os.strerror(exc.errno).lower() if exc.errno and not isinstance(exc, ssl.SSLError) else 'closed by the server'
    return 'tls_error', ('The connection ended during the TLS handshake (%s): the port may not serve TLS, or the server '
                         'refused the handshake.' % why)


def upgrade_failure(exc):
    """Reason, detail and HTTP status for a failed WebSocket opening handshake."""
    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        return 'http_status', 'The server answered the WebSocket upgrade with HTTP %s instead of 101.' % (
            http_status_text(status)), status
    if isinstance(exc, EOFError) or isinstance(exc.__cause__, EOFError):
        return 'upgrade_error', 'The server closed the connection without answering the WebSocket upgrade.', None
    why = str(exc).rstrip('.') or type(exc).__name__
    if exc.__cause__ is not None and str(exc.__cause__):
        why = '%s (%s)' % (why, str(exc.__cause__).rstrip('.'))
    return 'upgrade_error', 'The answer to the WebSocket upgrade is not a valid handshake: %s.' % why, None


def _x509_name(rdns):
    """``getpeercert()`` name tuples as a readable string, most specific first: ``CN=host, O=org``."""
    parts = []
    for rdn in reversed(rdns or ()):
        parts.extend('%s=%s' % (_X509_NAMES.get(key, key), value) for key, value in rdn)
    return ', '.join(parts) or None


def _iso_utc(seconds):
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


_MONTHS = ('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec')


def cert_seconds(text):
    """Seconds since the epoch of a certificate time as ``getpeercert()`` gives it (``May  9 00:00:00 2027 GMT``).

    ``ssl.cert_time_to_seconds`` goes through ``time.strptime``, whose first call imports ``_strptime`` and compiles
    its patterns, then takes about 6 us a call against 1 us here. OpenSSL always writes this one form; anything
    else still goes to the ssl module.
    """
    try:
        month, day, clock, year, zone = text.split()
        hour, minute, second = clock.split(':')
        if zone != 'GMT':
            raise ValueError(text)
        return calendar.timegm((int(year), _MONTHS.index(month) + 1, int(day), int(hour), int(minute), int(second)))
    except ValueError:
        return ssl.cert_time_to_seconds(text)


def tls_facts(ssl_object, verified, now=None):
    """Facts of an established TLS connection: protocol and cipher always; subject, issuer, SANs,
    validity dates and ``days_left`` (whole days) only when the certificate was verified."""
    cipher = ssl_object.cipher()
    facts = {
        'verified': verified, 'protocol': ssl_object.version(), 'cipher': cipher[0] if cipher else None,
        'subject': None, 'issuer': None, 'san': [], 'not_before': None, 'not_after': None, 'days_left': None,
    }
    cert = ssl_object.getpeercert() if verified else None
    if cert:
        not_after = cert_seconds(cert['notAfter'])
        facts.update({
            'subject': _x509_name(cert.get('subject')),
            'issuer': _x509_name(cert.get('issuer')),
            'san': ['%s:%s' % (kind, value) for kind, value in cert.get('subjectAltName', ())],
            'not_before': _iso_utc(cert_seconds(cert['notBefore'])),
            'not_after': _iso_utc(not_after),
            'days_left': int((not_after - (time.time() if now is None else now)) // 86400),
        })
    return facts


def _format_address(sockaddr):
    host, port = sockaddr[0], sockaddr[1]
    return '[%s]:%d' % (host, port) if ':' in host else '%s:%d' % (host, port)


def _redact(text, token):
    """``text`` with any occurrence of the token replaced by its fingerprint (servers may echo it)."""
    if text and token and token in text:
        return text.replace(token, token_fingerprint(token))
    return text


# ---- one endpoint -----------------------------------------------------------------------------

class _StageFailed(Exception):
    """Ends a probe with ``reason``; raised inside the stage that failed."""

    def __init__(self, reason, detail, http_status=None):
        super(_StageFailed, self).__init__(reason)
        self.reason = reason
        self.detail = detail
        self.http_status = http_status


class _Resolver(object):
    """``getaddrinfo`` in daemon threads, one lookup per host name shared by every endpoint that needs it.

    A blocked lookup cannot be cancelled; a daemon thread lets the probe return at its deadline and
    the process exit, while the lookup ends on the resolver's own timeout and its answer is dropped.
    """

    def __init__(self, loop, getaddrinfo):
        self._loop = loop
        self._getaddrinfo = getaddrinfo
        self._lookups = {}

    def lookup(self, host):
        """Awaitable ``(addrinfo list, OSError or None)`` with port 0 in every address; cancelling it
        leaves the shared lookup running."""
        if host not in self._lookups:
            future = self._loop.create_future()
            thread = threading.Thread(target=self._run, args=(future, host), name='nbwss-probe-dns')
            thread.daemon = True
            thread.start()
            self._lookups[host] = future
        return asyncio.shield(self._lookups[host])

    def _run(self, future, host):
        try:
            answer = (self._getaddrinfo(host, None, 0, socket.SOCK_STREAM), None)
        except (OSError, UnicodeError) as exc:
            answer = ([], exc)
        try:
            self._loop.call_soon_threadsafe(_settle, future, answer)
        except RuntimeError:
            pass  # the loop has closed: every probe that wanted this answer has already reported


def _settle(future, answer):
    if not future.done():
        future.set_result(answer)


class _TlsStream(object):
    """TLS on a connected non-blocking socket: an ``ssl.SSLObject`` between two memory BIOs, fed by
    the event loop's ``sock_recv`` and ``sock_sendall``.

    asyncio's TLS transport keeps a 256 KiB read buffer per connection from Python 3.11 on
    (``asyncio.sslproto``), 250 MiB for 1000 endpoints probed at once; here a connection holds
    OpenSSL's own buffers and the chunk being read. Public ``ssl`` and event-loop APIs only, the
    same on every supported Python. The caller owns, and closes, the socket.
    """

    def __init__(self, loop, sock, context, server_hostname):
        self._loop = loop
        self._sock = sock
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        self._notified = False
        self.ssl_object = context.wrap_bio(self._incoming, self._outgoing, server_hostname=server_hostname)

    async def handshake(self):
        """Complete the TLS handshake; raises ``ssl.SSLError`` (``SSLEOFError`` when the peer hangs up) or ``OSError``."""
        while True:
            try:
                self.ssl_object.do_handshake()
            except ssl.SSLWantReadError:
                await self._send_pending()
                await self._receive()
            else:
                break
        await self._send_pending()  # the client's last handshake message

    async def read(self):
        """The next application data, or ``b''`` once the peer has ended the stream (with or without
        ``close_notify``); raises ``ssl.SSLError`` for a TLS failure and ``OSError`` for a socket error."""
        while True:
            try:
                return self.ssl_object.read(READ_CHUNK)
            except ssl.SSLWantReadError:
                await self._send_pending()
                await self._receive()
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return b''

    async def write(self, data):
        self.ssl_object.write(data)
        await self._send_pending()

    def send_now(self, data):
        """Send ``data`` as far as the socket takes it at once, never waiting: the last words before a close."""
        try:
            self.ssl_object.write(data)
        except ssl.SSLError:
            return
        self._send_pending_now()

    def close_notify(self):
        """Send TLS ``close_notify`` (once) if the socket takes it at once; never waits for the peer's."""
        if self._notified:
            return
        self._notified = True
        try:
            self.ssl_object.unwrap()
        except (ssl.SSLError, ValueError):
            pass  # the peer's close_notify has not arrived (or the session never started): not waited for
        self._send_pending_now()

    def _send_pending_now(self):
        data = self._outgoing.read()
        if data:
            try:
                self._sock.send(data)
            except OSError:
                pass

    async def _send_pending(self):
        data = self._outgoing.read()
        if data:
            await self._loop.sock_sendall(self._sock, data)

    async def _receive(self):
        data = await self._loop.sock_recv(self._sock, READ_CHUNK)
        if data:
            self._incoming.write(data)
        else:
            self._incoming.write_eof()


class _EndpointProbe(object):
    """One endpoint, stage by stage, within one deadline. ``run()`` returns its result dict."""

    def __init__(self, endpoint, options, context, resolver):
        self.endpoint = endpoint
        self.options = options
        self.context = context
        self.resolver = resolver
        self.loop = asyncio.get_running_loop()
        self.started = self.loop.time()
        self.deadline = self.started + options.timeout
        self.stage = None
        self.ms = dict.fromkeys(STAGES)
        self.address = None
        self.tls = None
        self.sock = None
        self.stream = None
        self.protocol = None
        self.events = collections.deque()
        self.eof = False
        self.write_failed = False

    def _remaining(self):
        return max(0.0, self.deadline - self.loop.time())

    async def run(self):
        reason, detail, http_status = 'ok', None, None
        try:
            detail = await self._stages()
        except _StageFailed as failure:
            reason, detail, http_status = failure.reason, failure.detail, failure.http_status
        finally:
            await self._shut()
        self.ms['total'] = _ms(self.loop.time() - self.started)
        return self._result(reason, detail, http_status)

    async def _timed(self, stage, awaitable):
        """Run one stage within what is left of the deadline; a timeout names this stage."""
        started = self.loop.time()
        try:
            result = await asyncio.wait_for(awaitable, self._remaining())
        except asyncio.TimeoutError:
            raise _StageFailed(_TIMEOUT_REASONS[stage], _TIMEOUT_DETAILS[stage] % {
                'timeout': self.options.timeout, 'host': urlsplit(self.endpoint.url).hostname, 'address': self.address})
        finally:
            self.ms[stage] = _ms(self.loop.time() - started)
        self.stage = stage
        return result

    async def _stages(self):
        """Every stage up to the requested one; returns the ``ok`` detail or raises ``_StageFailed``."""
        parts = urlsplit(self.endpoint.url)
        host, port = parts.hostname, parts.port or 443
        infos = await self._timed('resolve', self._resolve(host))
        self.sock = await self._timed('tcp', self._connect_tcp(infos, port))
        if self.options.stage == 'tcp':
            return 'TCP connection to %s established.' % self.address
        await self._timed('tls', self._handshake_tls(host))
        if self.options.stage == 'tls':
            return 'TLS handshake completed (%s), certificate %s.' % (
                self.tls['protocol'], 'verified' if self.tls['verified'] else 'NOT verified (validate_certs is false)')
        await self._timed('upgrade', self._upgrade())
        if self.options.stage == 'upgrade':
            return 'WebSocket upgrade accepted (HTTP 101).'
        if not self.tls['verified'] and not self.options.allow_unverified_token:
            raise _StageFailed('token_withheld', 'The certificate was not verified (validate_certs is false), so CONNECT '
                                                 'and the token were not sent; set allow_unverified_token to send them.')
        return await self._timed('connect', self._connect())

    async def _resolve(self, host):
        infos, error = await self.resolver.lookup(host)
        if error is not None:
            raise _StageFailed('dns', 'The host %s did not resolve: %s.' % (host, _os_message(error)))
        if not infos:
            raise _StageFailed('dns', 'The host %s resolved to no address.' % host)
        return infos

    async def _connect_tcp(self, infos, port):
        """Try each address in turn; return the first connected (non-blocking) socket."""
        attempts = []
        for family, kind, proto, dummy, address in infos:
            sockaddr = (address[0], port) + tuple(address[2:])
            self.address = _format_address(sockaddr)
            sock = None
            try:
                sock = socket.socket(family, kind, proto)
                sock.setblocking(False)
                # The handshakes are small writes each awaiting an answer: Nagle's algorithm would hold one back
                # for the server's delayed ACK (40 ms). asyncio's transports set this too.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                await self.loop.sock_connect(sock, sockaddr)
                return sock
            except OSError as exc:
                attempts.append((self.address, exc))
                if sock is not None:
                    sock.close()
            except BaseException:
                if sock is not None:
                    sock.close()
                raise
        reason, detail = tcp_failure(attempts)
        raise _StageFailed(reason, detail)

    async def _handshake_tls(self, host):
        self.stream = _TlsStream(self.loop, self.sock, self.context, host)
        try:
            await self.stream.handshake()
        except OSError as exc:  # ssl.SSLError included
            self.stream = None
            raise _StageFailed(*tls_failure(exc))
        verified = self.context.verify_mode == ssl.CERT_REQUIRED
        self.tls = tls_facts(self.stream.ssl_object, verified)

    async def _upgrade(self):
        self.protocol = ClientProtocol(parse_uri(self.endpoint.url), max_size=MAX_MESSAGE_BYTES, logger=_PROTOCOL_LOGGER)
        request = self.protocol.connect()
        request.headers['User-Agent'] = USER_AGENT
        self.protocol.send_request(request)
        await self._flush()
        while True:
            event = await self._next_event()
            if self.protocol.handshake_exc is not None:
                raise _StageFailed(*upgrade_failure(self.protocol.handshake_exc))
            if isinstance(event, Response):
                return
            if event is None:
                raise _StageFailed(*upgrade_failure(EOFError()))

    async def _connect(self):
        if self.protocol.state is not State.OPEN:
            raise self._closed_failure()  # the server closed right after the upgrade: the token is not sent
        request_id = str(uuid.uuid4())
        self.protocol.send_text(connect_request(self.endpoint.token, request_id, time.time()).encode('utf-8'))
        await self._flush()
        is_text, data = await self._next_message()
        reason, detail = check_connect_response(is_text, data, request_id)
        if reason != 'ok':
            raise _StageFailed(reason, detail)
        return detail

    async def _next_event(self):
        """The next event from the server (``Response`` or frame), or None once the connection has ended."""
        while not self.events:
            if self.eof:
                return None
            try:
                data = await self.stream.read()
            except ssl.SSLError as exc:
                raise _StageFailed(*tls_failure(exc, handshake=False))
            except OSError:
                data = b''  # a reset ends the stream like an EOF without a close frame
            if data:
                self.protocol.receive_data(data)
            else:
                self.eof = True
                self.protocol.receive_eof()
            await self._flush()  # pongs and the reply to a close frame
            self.events.extend(self.protocol.events_received())
            parser_exc = self.protocol.parser_exc
            if parser_exc is not None and not isinstance(parser_exc, EOFError):
                raise _StageFailed('protocol_error', 'The server sent an invalid WebSocket frame: %s.' % parser_exc)
        return self.events.popleft()

    async def _next_message(self):
        """The next complete data message as ``(is_text, bytes)``; a close or the end of the connection raises ``closed``."""
        parts, is_text = [], None
        while True:
            frame = await self._next_event()
            if frame is None or frame.opcode == Opcode.CLOSE:
                raise self._closed_failure()
            if frame.opcode in (Opcode.TEXT, Opcode.BINARY, Opcode.CONT):
                if is_text is None:
                    is_text = frame.opcode == Opcode.TEXT
                parts.append(frame.data)
                if frame.fin:
                    return is_text, b''.join(parts)

    def _closed_failure(self):
        """The ``closed`` failure for a server that closed the WebSocket (or the connection) before answering."""
        code, why = self._close_received()
        if code is None:
            return _StageFailed('closed', 'The server ended the connection without a WebSocket close frame (1006) '
                                          'before answering CONNECT.')
        return _StageFailed('closed', 'The server closed the WebSocket with code %d%s before answering CONNECT.' % (
            code, ' (%s)' % why if why else ''))

    def _close_received(self):
        close = self.protocol.close_rcvd if self.protocol is not None else None
        if close is None:
            return None, None
        return int(close.code), close.reason

    async def _flush(self):
        """Send what the WebSocket protocol has to send. A connection that can no longer be written
        to is not an error here: the next read reports how it ended."""
        for data in self.protocol.data_to_send():
            if self.write_failed:
                return
            if data:  # b'' asks for a TCP half-close, which TLS cannot do: the close below ends the connection
                try:
                    await self.stream.write(data)
                except OSError:  # ssl.SSLError included
                    self.write_failed = True

    async def _shut(self):
        """Close what is open: WebSocket close 1000 and the peer's answer, then TLS and the socket, all
        within the deadline (at most ``CLOSE_GRACE``); what does not finish in time is cut off."""
        if self.sock is None:
            return
        try:
            if self.protocol is not None and self.protocol.state is State.OPEN:
                self.protocol.send_close(1000)
            grace = min(CLOSE_GRACE, self._remaining())
            if grace > 0 and self.protocol is not None:
                await asyncio.wait_for(self._closing_handshake(), grace)
        except (asyncio.TimeoutError, OSError, _StageFailed):
            pass
        finally:
            if self.tls is not None:
                if self.protocol is not None and not self.write_failed:
                    # Past the deadline nothing is waited for, but the close frame still goes out if it can.
                    for data in self.protocol.data_to_send():
                        if data:
                            self.stream.send_now(data)
                self.stream.close_notify()
            self.sock.close()

    async def _closing_handshake(self):
        await self._flush()
        # The server closes TCP after the closing handshake; a client waits for that EOF. Once both close frames
        # have passed, TLS is closed too: a TLS server (asyncio's) holds the TCP close back until it gets close_notify.
        if self.protocol.state is not State.CONNECTING:
            while await self._next_event() is not None:
                if self.protocol.close_rcvd is not None and self.protocol.close_sent is not None:
                    self.stream.close_notify()

    def _result(self, reason, detail, http_status):
        token = self.endpoint.token
        code, why = self._close_received()
        row = self.endpoint.redacted()
        row.update({
            'source': self.endpoint.source,
            'token': token_fingerprint(token),
            'stage': self.stage,
            'reason': reason,
            'detail': _redact(detail, token),
            'http_status': http_status,
            'close_code': code,
            'close_reason': _redact(why, token) if code is not None else None,
            'ms': self.ms,
            'tls': self.tls,
            'address': self.address,
        })
        return row


_TIMEOUT_DETAILS = {
    'resolve': 'The DNS lookup of %(host)s did not finish within the %(timeout)g s deadline.',
    'tcp': 'No answer to the TCP connection request to %(address)s within the %(timeout)g s deadline: a firewall may '
           'drop it, or the host is down.',
    'tls': 'No TLS handshake within the %(timeout)g s deadline: %(address)s accepted TCP but did not complete TLS.',
    'upgrade': 'No answer to the WebSocket upgrade request within the %(timeout)g s deadline.',
    'connect': 'No answer to CONNECT within the %(timeout)g s deadline.',
}


def _ms(seconds):
    return round(seconds * 1000.0, 1)


# ---- many endpoints ------------------------------------------------------------------------------

def _quiet_transport_errors(loop, context):
    """Drop asyncio's reports of transport errors (probes report them as reasons); pass on the rest."""
    if isinstance(context.get('exception'), OSError):
        return
    loop.default_exception_handler(context)


def _raise_open_file_limit(concurrency):
    """Let ``concurrency`` sockets be open at once: raise the soft open-file limit if it is lower."""
    if resource is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = concurrency + 64
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))
    except (OSError, ValueError):
        pass  # probes past the limit report tcp_error "too many open files"


async def _probe_all(endpoints, options, context, getaddrinfo):
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(_quiet_transport_errors)
    resolver = _Resolver(loop, getaddrinfo)
    gate = asyncio.Semaphore(options.concurrency)

    async def bounded(endpoint):
        async with gate:
            return await _EndpointProbe(endpoint, options, context, resolver).run()

    return await asyncio.gather(*[bounded(endpoint) for endpoint in endpoints])


def probe_endpoints(endpoints, options=None, getaddrinfo=socket.getaddrinfo):
    """Probe every ``Endpoint`` concurrently; return one result dict per endpoint, in the same order.

    Each endpoint gets ``options.timeout`` seconds from the moment its probe starts (at most
    ``options.concurrency`` run at once). A result holds no token, only its fingerprint. Raises
    ``ProbeError`` when websockets is missing or too old, or for TLS files that make every probe
    impossible. ``getaddrinfo`` is the resolver (``socket.getaddrinfo``; tests pass a slow one).
    """
    problem = websockets_problem()
    if problem is not None:
        raise ProbeError(problem)
    options = options or ProbeOptions()
    endpoints = list(endpoints)
    context = client_ssl_context(options)
    if not endpoints:
        return []
    _raise_open_file_limit(min(options.concurrency, len(endpoints)))
    return asyncio.run(_probe_all(endpoints, options, context, getaddrinfo))
