#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: endpoint_fetch
short_description: Fetch NBWSS endpoint details from a cloud provider's URL
version_added: 0.2.0
author: netbackup.nbwss contributors (@netbackup-nbwss)
description:
  - Fetches one NetBackup WebSocket Service (NBWSS) endpoint's details from the URL a cloud application gives
    for NetBackup's WebSocket Server dialog, over HTTPS only, with retries, a whole-attempt timeout and a size cap,
    and checks them as strictly as an endpoint file.
  - Without O(path) it only reads. It returns the redacted endpoint (the token as a fingerprint) and, with O(key)
    or O(key_file), RV(sealed) - the endpoint sealed with that key - which M(netbackup.nbwss.endpoint) and
    M(netbackup.nbwss.endpoint_set) accept as input. So a fetch on the controller can feed many masters while the
    token crosses the controller only encrypted.
  - With O(path) it writes the endpoint file exactly as M(netbackup.nbwss.endpoint) does (sealed or plain, the same
    reasons, check mode, diff and idempotence by meaning). On any failure an existing file is left exactly as it
    was.
  - By default the fetch runs on the managed host, the network path that matters, so the token never crosses the
    controller; use C(delegate_to) to fetch from elsewhere.
  - The fetched token is masked in all output; it never appears in results, diffs, warnings or errors.
options:
  url:
    description:
      - The C(https://) URL of the endpoint details. Its query string, if any, never shows in results or errors, nor in
        the module arguments Ansible shows with the result (C(invocation)).
    type: str
    required: true
  path:
    description:
      - An endpoint file on the managed host to write the fetched endpoint to, an absolute path. Its directory must
        exist (in check mode a missing directory is a warning).
      - Without it the module writes nothing.
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - netbackup.nbwss.provider
  - netbackup.nbwss.endpoint_file
  - netbackup.nbwss.sealed
attributes:
  check_mode:
    support: full
    details:
      - The fetch itself only reads, so it also runs in check mode.
      - With O(path), check mode reads and unseals the existing file and reports the same C(changed) and C(reason) as
        a real run, and writes nothing.
  diff_mode:
    support: full
    details: With O(path), the diff shows redacted endpoint metadata (token fingerprint, format, key id, mode), never the token.
  platform:
    platforms: posix
notes:
  - O(format), O(force), O(backup), O(mode), O(owner) and O(group) apply only with O(path).
  - Without O(path), O(key) or O(key_file) seals the endpoint into RV(sealed); O(previous_keys) is not used.
seealso:
  - module: netbackup.nbwss.endpoint
  - module: netbackup.nbwss.endpoint_set
'''

EXAMPLES = r'''
- name: Fetch the details on the master and keep them sealed there
  netbackup.nbwss.endpoint_fetch:
    url: https://portal.cloud.example.com/nbwss/endpoints/eu-1
    api_token: "{{ vault_portal_token }}"
    path: /usr/openv/var/global/wss/nbwss_eu-1.sealed
    key: "{{ vault_nbwss_key }}"

- name: Check what a provider URL answers, without writing anything
  netbackup.nbwss.endpoint_fetch:
    url: https://portal.cloud.example.com/nbwss/endpoints/eu-1
    api_token: "{{ vault_portal_token }}"
  register: details

# Fetch once on the controller, deploy to a whole fleet: the token leaves the
# controller only inside the sealed envelope.
- name: Fetch once, sealed with the fleet key
  netbackup.nbwss.endpoint_fetch:
    url: https://portal.cloud.example.com/nbwss/endpoints/eu-1
    api_token: "{{ vault_portal_token }}"
    key: "{{ vault_nbwss_key }}"
  delegate_to: localhost
  run_once: true
  register: eu1

- name: Deploy it to every master
  netbackup.nbwss.endpoint_set:
    dir: /usr/openv/var/global/wss
    key: "{{ vault_nbwss_key }}"
    endpoints:
      - sealed: "{{ eu1.sealed }}"
        name: eu-1
'''

RETURN = r'''
endpoint:
  description: The fetched endpoint, redacted. The token is a fingerprint.
  returned: success
  type: dict
  contains:
    token:
      description: C(sha256:) and the first 12 hex digits of the SHA-256 of the token.
      type: str
      sample: sha256:9f86d081884c
    priority:
      description: Priority within the group.
      type: int
      sample: 1
    groupId:
      description: The group.
      type: str
      sample: EU
    hostName:
      description: Host name of the endpoint.
      type: str
      sample: wss1.cloud.example.com
    url:
      description: The C(wss://) URL of the endpoint.
      type: str
      sample: wss://wss1.cloud.example.com/nbwss
attempts:
  description: How many requests it took (1 when the first one succeeded).
  returned: always
  type: int
  sample: 2
status:
  description: The HTTP status of the last answer, when there was one.
  returned: always
  type: int
  sample: 200
fetched_from:
  description: The URL fetched, without its query string or user name.
  returned: always
  type: str
  sample: https://portal.cloud.example.com/nbwss/endpoints/eu-1
sealed:
  description:
    - The endpoint in the sealed format (C(docs/sealed-format.md)), sealed with O(key) or the key in O(key_file), as
      text. Give it to M(netbackup.nbwss.endpoint) (O(netbackup.nbwss.endpoint#module:sealed)) or as a C(sealed)
      entry of M(netbackup.nbwss.endpoint_set). Each run seals with a fresh nonce, so the text differs every time.
  returned: without O(path), when O(key) or O(key_file) is given
  type: str
  sample: "NBWSS-SEALED/1 AES-256-GCM kid=3f0c6a1d92b4e857\nq83v...==\n"
key_id:
  description: Key id of the key the endpoint is (or would be) sealed with. It does not reveal the key.
  returned: when sealed
  type: str
  sample: 3f0c6a1d92b4e857
reason:
  description: With O(path), why the file changed or not, as for M(netbackup.nbwss.endpoint).
  returned: with O(path)
  type: str
  sample: created
path:
  description: The endpoint file.
  returned: with O(path)
  type: str
format:
  description: The format of the file.
  returned: with O(path)
  type: str
backup_file:
  description: The previous file kept with O(backup).
  returned: when a backup was made
  type: str
stale_temp_removed:
  description: Temporary files of interrupted earlier writes that this write removed.
  returned: when there were any
  type: list
  elements: str
'''

from ansible_collections.netbackup.nbwss.plugins.module_utils._cryptography import require_cryptography
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_file import (
    EndpointFile,
    file_argument_spec,
    require_absolute,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._keys import KeyRing, key_argument_spec, sealing_key_problem
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import NbwssModule, TaskError, mask_secrets
from ansible_collections.netbackup.nbwss.plugins.module_utils._provider import fetch_endpoint, redact_url
from ansible_collections.netbackup.nbwss.plugins.module_utils._provider_options import (
    ProviderError,
    ProviderOptions,
    provider_argument_spec,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import SealedError, seal


def fetch(module):
    """The Fetched result for the url, its token masked; TaskError carries attempts and status on failure."""
    params = module.params
    try:
        fetched = fetch_endpoint(params['url'], ProviderOptions.from_params(params), source='url')
    except ProviderError as err:
        raise TaskError(str(err), attempts=err.attempts, status=err.status, fetched_from=err.url)
    mask_secrets(module, fetched.endpoint.token)
    return fetched


def sealed_text(endpoint, keyring):
    require_cryptography()
    try:
        return seal(endpoint.canonical_json(), keyring.current).decode('ascii')
    except SealedError as err:
        raise TaskError(str(err))


def main():
    module = NbwssModule(
        argument_spec=dict(
            url=dict(type='str', required=True),
            path=dict(type='path'),
            **dict(provider_argument_spec(), **dict(key_argument_spec(), **file_argument_spec()))
        ),
        mutually_exclusive=[('key', 'key_file'), ('api_token', 'url_username')],
        supports_check_mode=True,
        # A pre-signed URL carries a credential in its query string.
        shown_as={'url': redact_url},
    )
    params = module.params
    result = {'changed': False}
    diff = None
    try:
        require_absolute(params['path'], 'path')
        keyring = KeyRing.from_params(module, params['key'], params['key_file'], params['previous_keys'])
        if params['path'] is not None:
            # What can be checked about the file is checked before the provider is asked.
            problem = sealing_key_problem(params['format'], keyring.current is not None)
            if problem:
                raise TaskError('%s: %s' % (params['path'], problem))
            target = EndpointFile(module, params['path'], keyring, fmt=params['format'], force=params['force'],
                                  mode=params['mode'], owner=params['owner'], group=params['group'],
                                  backup=params['backup'])
            target.check_present()
        fetched = fetch(module)
        result.update(attempts=fetched.attempts, status=fetched.status, fetched_from=fetched.url)
        if params['path'] is None:
            result['endpoint'] = fetched.endpoint.redacted()
            if keyring.current is not None:
                result.update(sealed=sealed_text(fetched.endpoint, keyring), key_id=keyring.current_id)
        else:
            target.want(fetched.endpoint.with_source(params['path']))
            target.decide()
            problem = target.write_problem()
            if problem:
                raise TaskError('%s Nothing was written.' % problem, **result)
            diff = target.diff() if module._diff else None
            target.apply()
            result.update(target.result())
    except TaskError as err:
        module.fail_task(err, **result)
    if not params['validate_certs']:
        module.warn('validate_certs is false: the endpoint details, token included, were fetched without verifying '
                    'the provider\'s certificate.')
    module.exit_with(result, fetched.endpoint.warnings() + (target.warnings if params['path'] is not None else []), diff)


if __name__ == '__main__':
    main()
