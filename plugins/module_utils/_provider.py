# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""Fetching one endpoint's details from a cloud provider's URL: the only place that talks HTTP.

``fetch_endpoint`` GETs an https:// URL with urllib and the TLS context of ``ansible.module_utils.urls``
(CA bundles and client certificates as ``ansible.builtin.uri`` handles them, proxies from the
environment), follows a few https:// redirects itself, bounds every attempt as a whole by ``timeout``
(a watchdog shuts the connection down at the deadline), retries connection errors, timeouts, 429 and
5xx with exponential backoff and jitter, caps the body at ``max_bytes`` and hands it to the strict
``_endpoint.parse_endpoint``. The URL and every redirect target pass ``_endpoint.url_problem`` first.

Every failure is a ``ProviderError``: one sentence naming the URL without query string or
userinfo, the HTTP status when there is one and the endpoint field at fault. It never holds the
endpoint token, the api_token, the password, an Authorization value or bytes of the body.
The options and ProviderError are in ``_provider_options``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import email.utils
import os
import random
import re
import socket
import ssl
import threading
import time
import unicodedata
import urllib.request

from http.client import HTTPException, HTTPSConnection, IncompleteRead, RemoteDisconnected
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urljoin, urlsplit

from ansible.module_utils.urls import basic_auth_header, make_context

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import EndpointError, parse_endpoint, url_problem
from ansible_collections.netbackup.nbwss.plugins.module_utils._http_status import http_status_text
from ansible_collections.netbackup.nbwss.plugins.module_utils._provider_options import MAX_WAIT, ProviderError

MAX_REDIRECTS = 5
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# Each backoff wait is stretched by up to this fraction, so a fleet does not retry in step.
JITTER = 0.5
RETRY_AFTER_STATUSES = (429, 503)
USER_AGENT = 'ansible-netbackup.nbwss'

_READ_CHUNK = 16384
# Python 3.7+ raises ssl.SSLCertVerificationError (hostname mismatches included); Python 3.6 a plain
# SSLError for an untrusted certificate and ssl.CertificateError (a ValueError) for a hostname mismatch.
_CERT_VERIFY_ERRORS = (getattr(ssl, 'SSLCertVerificationError', ssl.CertificateError), ssl.CertificateError)
# Everything printable in ASCII stays as it is in a request; other characters are percent-encoded.
_ASCII_PRINTABLE = ''.join(chr(code) for code in range(0x21, 0x7f))
_DIGITS = re.compile(r'^[0-9]+$')

Fetched = collections.namedtuple('Fetched', ['endpoint', 'attempts', 'status', 'url'])
Fetched.__doc__ = """A fetched endpoint: the validated ``Endpoint``, the number of attempts, the final HTTP status
and the redacted URL."""


# --- pure parts: URLs, the retry schedule ---------------------------------------------------

def redact_url(url):
    """``url`` without userinfo, query string and fragment: safe to show in results and errors.

    Plain string work, because urlsplit raises on some malformed URLs that still need a name in an error.
    """
    scheme, sep, rest = url.partition('://')
    if not sep:
        scheme, rest = '', url
    rest = re.split(r'[?#]', rest, 1)[0]
    netloc, slash, path = rest.partition('/')
    return _printable('%s%s%s%s%s' % (scheme, sep, netloc.rpartition('@')[2], slash, path))


def _printable(text):
    """``text`` with white space other than a blank and invisible characters written as escapes, for messages."""
    return ''.join(char if char == ' ' or not (char.isspace() or unicodedata.category(char) in ('Cc', 'Cf', 'Cs', 'Zl', 'Zp'))
                   else ('\\x%02x' % ord(char) if ord(char) < 0x100 else '\\u%04x' % ord(char)) for char in text)


def _request_url(url):
    """``url`` (already checked) as sent: non-ASCII characters of path and query percent-encoded as UTF-8, as
    browsers do; http.client would otherwise fail on them."""
    return quote(url, safe=_ASCII_PRINTABLE)


def same_origin(first, second):
    """True when both URLs have the same scheme, host and port: credentials may go to both."""
    one, two = urlsplit(first), urlsplit(second)
    return (one.scheme.lower(), one.hostname, one.port or 443) == (two.scheme.lower(), two.hostname, two.port or 443)


def is_retryable_status(status):
    """429 (rate limited) and every 5xx may succeed later; other statuses will not."""
    return status == 429 or 500 <= status <= 599


def backoff_delay(retry_number, retry_delay, rand):
    """Seconds before retry ``retry_number`` (1 for the first): ``retry_delay`` doubled per retry,
    stretched by ``rand()`` (0 <= rand() < 1) times JITTER, and never above MAX_WAIT."""
    base = retry_delay * (2 ** (retry_number - 1))
    return min(MAX_WAIT, base * (1 + JITTER * rand()))


def retry_after_seconds(value, now):
    """Seconds a Retry-After header asks for (delay-seconds or an HTTP date, compared with the
    epoch time ``now``); never negative; None when the header is absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if _DIGITS.match(text):
        return float(min(int(text), 10 ** 9))
    try:
        parsed = email.utils.parsedate_tz(text)
        when = email.utils.mktime_tz(parsed) if parsed else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return None if when is None else max(0.0, when - now)


def next_wait(retry_number, retry_delay, retry_after, rand):
    """The wait before a retry: the backoff, or a longer Retry-After cut to MAX_WAIT."""
    wait = backoff_delay(retry_number, retry_delay, rand)
    if retry_after is not None:
        wait = max(wait, min(retry_after, MAX_WAIT))
    return wait


def retry_loop(attempt, retries, retry_delay, sleep=time.sleep, rand=random.random):
    """Call ``attempt()`` until it returns, at most ``retries + 1`` times; return ``(result, attempts)``.

    Only a ProviderError marked ``retryable`` is retried, after ``next_wait``. The error that ends the
    loop is raised with ``attempts`` set.
    """
    number = 0
    while True:
        number += 1
        try:
            return attempt(), number
        except ProviderError as err:
            err.attempts = number
            if not err.retryable or number > retries:
                raise
            sleep(next_wait(number, retry_delay, err.retry_after, rand))


def tls_context(options):
    """The TLS context of ``options``, built as ``ansible.builtin.uri`` builds it; ProviderError (``local_files``)
    when ca_path, client_cert or client_key cannot be used.

    Done once before the first request: a missing file is a setting to fix, not a network error
    to retry.
    """
    for name in ('ca_path', 'client_cert', 'client_key'):
        path = getattr(options, name)
        if path is not None and not (os.path.isfile(path) and os.access(path, os.R_OK)):
            raise ProviderError('%s %s: no such readable file' % (name, path), 'local_files')
    try:
        return make_context(cafile=options.ca_path, validate_certs=options.validate_certs,
                            client_cert=options.client_cert, client_key=options.client_key)
    except (ssl.SSLError, OSError, ValueError) as err:
        raise ProviderError('ca_path, client_cert or client_key cannot be loaded: %s' % _os_error_text(err),
                            'local_files')


# --- one deadline per attempt -------------------------------------------------------------------

class _Deadline(object):
    """The end of one attempt. Socket timeouts count per read, so a server trickling a byte at a time
    would never hit them: at the deadline a watchdog shuts down every connection of the attempt, which
    ends any wait (TCP, proxy tunnel, TLS handshake, status line, headers, body) at once."""

    def __init__(self, seconds):
        self.at = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets = []
        self._timer = None

    def left(self):
        return self.at - time.monotonic()

    def watch(self, sock):
        """Shut ``sock`` down at the deadline. A duplicate is kept: the TLS layer takes over the original's descriptor."""
        with self._lock:
            self._sockets.append(sock.dup())
            if self.expired:
                self._shut_down()
            elif self._timer is None:
                self._timer = threading.Timer(max(0.0, self.left()), self._expire)
                self._timer.daemon = True
                self._timer.start()

    def _expire(self):
        with self._lock:
            self.expired = True
            self._shut_down()

    def _shut_down(self):
        for sock in self._sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed

    def close(self):
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            for sock in self._sockets:
                sock.close()
            self._sockets = []


def _connect_within(address, deadline, source_address=None):
    """``socket.create_connection``, except that all addresses of the host together get only the time left."""
    host, port = address
    failure = None
    for family, kind, proto, dummy, sockaddr in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
        left = deadline.left()
        if left <= 0:
            raise socket.timeout('timed out')
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(left)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as err:
            sock.close()
            failure = err
    raise failure or OSError('getaddrinfo returned no address')


class _WatchedHTTPSConnection(HTTPSConnection):
    """An HTTPS connection whose socket (to the provider, or to the proxy that tunnels to it) the deadline watches."""

    def __init__(self, host, deadline=None, **kwargs):
        HTTPSConnection.__init__(self, host, **kwargs)
        self._deadline = deadline
        # http.client opens its socket through this attribute, for direct and tunnelled connections alike.
        self._create_connection = self._connect_watched

    def _connect_watched(self, address, timeout=None, source_address=None):
        sock = _connect_within(address, self._deadline, source_address)
        self._deadline.watch(sock)
        return sock


class _WatchedHTTPSHandler(urllib.request.HTTPSHandler):
    """urllib's HTTPS handler, opening ``_WatchedHTTPSConnection``s with the attempt's deadline."""

    def __init__(self, context, deadline):
        urllib.request.HTTPSHandler.__init__(self, context=context)
        self._deadline = deadline

    def https_open(self, req):
        return self.do_open(_WatchedHTTPSConnection, req, context=self._context, deadline=self._deadline)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects come back as HTTPError: ``_follow`` checks every Location before anything goes there
    (urllib's own handler parses it first, and fails on some malformed hosts)."""

    def http_error_302(self, req, fp, code, msg, headers):
        return None

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener(context, deadline, use_proxy):
    """A urllib opener of one attempt: proxies from the environment unless ``use_proxy`` is false; no netrc.

    Built per attempt and used directly, never installed globally: entries fetched in parallel keep their own
    TLS settings.
    """
    handlers = [_WatchedHTTPSHandler(context, deadline), _NoRedirects()]
    if not use_proxy:
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


# --- fetching -----------------------------------------------------------------------------------

def fetch_endpoint(url, options, source=None, sleep=time.sleep, rand=random.random):
    """GET ``url`` and return ``Fetched`` with the validated endpoint; raise ProviderError.

    ``source`` names the endpoint in errors and warnings (default: the redacted URL). ``sleep`` and
    ``rand`` pace the retries (tests replace them). Each attempt ends within ``options.timeout``.
    """
    redacted = redact_url(url)
    label = redacted if source is None else '%s (%s)' % (source, redacted)
    problem = url_problem(url, scheme='https')
    if problem:
        raise ProviderError('%s: %s' % (label, problem), 'url', url=redacted)
    context = tls_context(options)
    (status, body), attempts = retry_loop(lambda: _attempt(url, options, context, label, redacted),
                                          options.retries, options.retry_delay, sleep=sleep, rand=rand)
    try:
        endpoint = parse_endpoint(body, source=source or redacted)
    except EndpointError as err:
        failure = ProviderError('%s: HTTP %d, but the body is not a valid endpoint: %s'
                                % (label, status, EndpointError(err.problem, field=err.field).describe()),
                                'invalid_endpoint', url=redacted, status=status, field=err.field)
        failure.attempts = attempts
        raise failure
    return Fetched(endpoint, attempts, status, redacted)


def _attempt(url, options, context, label, redacted):
    """One attempt, redirects included, within ``options.timeout``: return ``(status, body bytes)``.

    Whatever a connection shut down by the deadline's watchdog looks like to http.client (a closed
    connection, cut headers, a short body), the attempt ends as a timeout. Name resolution is bounded
    only by the system resolver.
    """
    deadline = _Deadline(options.timeout)
    try:
        status, body = _attempt_redirects(url, options, context, deadline, label, redacted)
    except ProviderError as err:
        if deadline.expired and err.reason != 'timeout':
            raise _timeout_error(options, label, redacted, status=err.status)
        raise
    finally:
        deadline.close()
    if deadline.expired:
        raise _timeout_error(options, label, redacted, status=status)
    return status, body


def _attempt_redirects(url, options, context, deadline, label, redacted):
    target, credentials = url, True
    for dummy in range(MAX_REDIRECTS + 1):
        try:
            response = _open(target, options, context, deadline, credentials, label, redacted)
        except HTTPError as err:
            try:
                if err.code not in REDIRECT_STATUSES:
                    raise _status_error(err, label, redacted)
                target, credentials = _follow(err, target, url, credentials, label, redacted)
                continue
            finally:
                _close_quietly(err)
        try:
            return response.status, _read_body(response, options, deadline, label, redacted)
        except ProviderError as err:
            err.status = response.status
            raise
        finally:
            _close_quietly(response)
    raise ProviderError('%s: more than %d redirects; the last one pointed to %s'
                        % (label, MAX_REDIRECTS, redact_url(target)), 'redirect', url=redacted)


def _open(target, options, context, deadline, credentials, label, redacted):
    """Send the request; return the response of a 2xx, raise HTTPError for other statuses."""
    request = urllib.request.Request(_request_url(target), method='GET')
    headers = {'Accept': 'application/json', 'User-Agent': USER_AGENT}
    headers.update(options.headers)
    if credentials and options.api_token is not None:
        headers['Authorization'] = 'Bearer ' + options.api_token
    elif credentials and options.url_username is not None:
        # Sent with the first request, as ansible.builtin.uri does with force_basic_auth: no 401 round trip.
        headers['Authorization'] = basic_auth_header(options.url_username, options.url_password or '')
    for name, value in headers.items():
        request.add_header(name, value)
    opener = _opener(context, deadline, options.use_proxy)
    try:
        return opener.open(request, timeout=_remaining(deadline, options, label, redacted))
    except HTTPError:
        raise
    except (URLError, socket.timeout, OSError, HTTPException, ssl.CertificateError) as err:
        raise _network_error(err, options, label, redacted)
    except ValueError as err:
        # url_problem let the URL through, but urllib, http.client or the idna codec refused it: still no traceback.
        raise ProviderError('%s: the URL cannot be requested (%s)' % (label, type(err).__name__), 'url', url=redacted)


def _remaining(deadline, options, label, redacted):
    """Seconds left in this attempt; ProviderError (timeout) when none are."""
    left = deadline.left()
    if left <= 0:
        raise _timeout_error(options, label, redacted)
    return left


def _follow(err, target, url, credentials, label, redacted):
    """The next URL of a redirect and whether credentials still go there; refuse anything but https."""
    location = err.headers.get('Location') if err.headers is not None else None
    if not location:
        raise ProviderError('%s: HTTP %d redirect without a Location header' % (label, err.code), 'redirect',
                            url=redacted, status=err.code)
    try:
        following = urljoin(target, location.strip())
    except ValueError:
        following = location.strip()  # urljoin refuses some malformed hosts; url_problem names why
    if following.lower().startswith('http://'):
        raise ProviderError('%s: redirected (HTTP %d) to the plain http:// URL %s, which is refused: endpoint details '
                            'hold the token and travel over https:// only' % (label, err.code, redact_url(following)),
                            'redirect', url=redacted, status=err.code)
    problem = url_problem(following, scheme='https')
    if problem:
        raise ProviderError('%s: redirected (HTTP %d) to %s, which is refused: the target %s'
                            % (label, err.code, redact_url(following), problem), 'redirect', url=redacted, status=err.code)
    # Like curl and requests: credentials only go to the origin the user named.
    return following, credentials and same_origin(url, following)


def _status_error(err, label, redacted):
    status = err.code
    hint = {401: '; check api_token or url_username and url_password',
            403: '; the credentials are not allowed to read these details',
            404: '; check the URL'}.get(status, '')
    retry_after = None
    if status in RETRY_AFTER_STATUSES and err.headers is not None:
        retry_after = retry_after_seconds(err.headers.get('Retry-After'), time.time())
    return ProviderError('%s: the provider answered HTTP %s%s' % (label, http_status_text(status), hint),
                         'http_status', url=redacted, status=status, retryable=is_retryable_status(status),
                         retry_after=retry_after)


def _network_error(err, options, label, redacted):
    """Translate what urllib and http.client raise into a ProviderError; messages of known types only."""
    reason = err.reason if isinstance(err, URLError) else err
    if isinstance(reason, socket.timeout):
        return _timeout_error(options, label, redacted)
    if _is_cert_verify_error(reason):
        return ProviderError('%s: the TLS certificate cannot be verified (%s); trust its CA with ca_path'
                             % (label, _verify_message(reason)), 'tls_verify', url=redacted)
    if isinstance(reason, (IncompleteRead, RemoteDisconnected)):
        return ProviderError('%s: the connection closed before the answer was complete' % label, 'connection',
                             url=redacted, retryable=True)
    if isinstance(reason, HTTPException):
        return ProviderError('%s: the answer is not valid HTTP (%s)' % (label, type(reason).__name__), 'protocol',
                             url=redacted)
    if isinstance(reason, (OSError, str)):
        return ProviderError('%s: connection failed: %s' % (label, _os_error_text(reason)), 'connection',
                             url=redacted, retryable=True)
    return ProviderError('%s: connection failed (%s)' % (label, type(reason).__name__), 'connection', url=redacted,
                         retryable=True)


def _is_cert_verify_error(err):
    if isinstance(err, _CERT_VERIFY_ERRORS):
        return True
    # Python 3.6: an untrusted certificate is a plain SSLError.
    return isinstance(err, ssl.SSLError) and 'certificate verify failed' in str(err)


def _verify_message(err):
    message = getattr(err, 'verify_message', None)
    if not message and isinstance(err, ssl.CertificateError) and not isinstance(err, OSError):
        message = str(err)  # Python 3.6: "hostname 'a' doesn't match 'b'"
    return message or 'certificate verify failed'


def _timeout_error(options, label, redacted, status=None):
    return ProviderError('%s: no complete answer within the timeout of %g s' % (label, options.timeout), 'timeout',
                         url=redacted, status=status, retryable=True)


def _os_error_text(err):
    if isinstance(err, ssl.SSLError):
        return 'TLS error %s' % (err.reason or err.strerror or type(err).__name__)
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return str(err) or type(err).__name__


def _read_body(response, options, deadline, label, redacted):
    """The body, at most ``max_bytes``, read before ``deadline``; a larger Content-Length is refused unread."""
    status = response.status
    encoding = (response.headers.get('Content-Encoding') or 'identity').strip().lower()
    if encoding != 'identity':
        raise ProviderError('%s: HTTP %d with Content-Encoding %s, although only identity was accepted'
                            % (label, status, encoding[:20]), 'protocol', url=redacted, status=status)
    length = _content_length(response)
    if length is not None and length > options.max_bytes:
        raise ProviderError('%s: HTTP %d with Content-Length %d, more than max_bytes (%d); the body was not read'
                            % (label, status, length, options.max_bytes), 'too_large', url=redacted, status=status)
    sock = _response_socket(response)
    chunks, size = [], 0
    # http.client closes the response at EOF, and from Python 3.13 on once Content-Length bytes are in.
    while not response.isclosed():
        left = _remaining(deadline, options, label, redacted)
        if sock is not None:
            # read1 waits for at most one socket read, and that read for at most the time left.
            sock.settimeout(left)
        try:
            chunk = response.read1(min(_READ_CHUNK, options.max_bytes + 1 - size))
        except (socket.timeout, OSError, HTTPException) as err:
            raise _network_error(err, options, label, redacted)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > options.max_bytes:
            raise ProviderError('%s: the body of the HTTP %d answer is larger than max_bytes (%d); reading stopped there'
                                % (label, status, options.max_bytes), 'too_large', url=redacted, status=status)
    return b''.join(chunks)


def _content_length(response):
    value = (response.headers.get('Content-Length') or '').strip()
    return int(value) if _DIGITS.match(value) else None


def _response_socket(response):
    """The socket under an http.client response (ansible's getpeercert looks there too), or None."""
    return getattr(getattr(getattr(response, 'fp', None), 'raw', None), '_sock', None)


def _close_quietly(response):
    try:
        response.close()
    except (OSError, AttributeError):
        pass
