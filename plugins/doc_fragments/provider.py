# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # Options of the modules that fetch endpoint details from a provider URL: exactly
    # provider_argument_spec() in plugins/module_utils/_provider.py; keep the two in step.
    DOCUMENTATION = r'''
options:
  api_token:
    description:
      - Bearer token for the provider URL, sent in the C(Authorization) header. Keep it in Ansible Vault.
      - Never logged or returned.
      - Mutually exclusive with O(url_username).
    type: str
  url_username:
    description:
      - User name for HTTP basic authentication to the provider URL.
      - The credentials are sent with the first request (the provider answers 401 otherwise).
    type: str
  url_password:
    description:
      - Password for HTTP basic authentication, with O(url_username). Keep it in Ansible Vault.
      - Never logged or returned.
    type: str
  headers:
    description:
      - Extra HTTP request headers, as a dictionary. They are not secret and may show in logs.
      - An C(Authorization) or C(Proxy-Authorization) key is refused; use O(api_token) or O(url_username) and
        O(url_password) instead.
    type: dict
  validate_certs:
    description:
      - Verify the provider's TLS certificate and host name.
      - Turn this off only for a test provider you control, because the answer holds the endpoint token.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file on the managed host with the CA certificates that may issue the provider's certificate.
      - When set, only these CAs are trusted; by default the system trust store is used.
    type: path
  client_cert:
    description:
      - PEM certificate chain on the managed host for TLS client authentication. It may hold the key as well.
    type: path
  client_key:
    description:
      - PEM private key on the managed host for O(client_cert), when the certificate file does not hold it.
    type: path
  use_proxy:
    description:
      - Use the proxy named in the E(https_proxy) environment variable of the managed host, except for the
        hosts in E(no_proxy), as M(ansible.builtin.uri) does.
      - V(false) always connects directly.
    type: bool
    default: true
  timeout:
    description:
      - Seconds one attempt may take as a whole, from connecting to the last byte of the body, redirects
        included. A body that trickles in slower than that fails the attempt.
    type: float
    default: 10
  retries:
    description:
      - How many times a failed attempt is tried again, from 0 to 10.
      - Only connection errors, timeouts, HTTP 429 and HTTP 5xx are retried; other statuses, TLS certificate
        errors and invalid endpoint details fail at once.
    type: int
    default: 3
  retry_delay:
    description:
      - Seconds before the first retry, doubled for each further retry and stretched by up to 50% at random,
        so that many hosts do not retry in step. No wait is longer than 60 seconds.
      - A C(Retry-After) header on HTTP 429 or 503 (seconds or a date) makes the wait that long, up to
        60 seconds.
    type: float
    default: 1
  max_bytes:
    description:
      - Largest body accepted, from 1 to 65536 bytes (the endpoint size cap).
      - A larger C(Content-Length) fails before the body is read; a body without one is read up to this size,
        then the fetch fails.
    type: int
    default: 65536
notes:
  - >-
    Endpoint details are fetched with an HTTPS GET only: a C(http://) URL, or a redirect to one, is refused,
    because the answer holds the endpoint token. Up to 5 redirects to C(https://) URLs are followed. Credentials
    go only to the scheme, host and port of the URL given; a redirect elsewhere is followed without them.
  - >-
    The URL must not hold a user name or password; use O(url_username) and O(url_password). Credentials are
    never read from C(~/.netrc).
  - >-
    The answer must be one endpoint object with exactly the keys C(token), C(priority), C(groupId),
    C(hostName) and C(url), validated as strictly as an endpoint file.
  - >-
    Errors name the URL without its query string or user name, the HTTP status and the endpoint field at
    fault; they never show the token, the credentials or the body.
'''
