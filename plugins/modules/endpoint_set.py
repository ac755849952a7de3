#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: endpoint_set
short_description: Manage all NBWSS endpoint files of a NetBackup master server at once
version_added: 0.1.0
author: netbackup.nbwss contributors (@netbackup-nbwss)
description:
  - Writes every endpoint of O(endpoints) to its own file in O(dir), sealed or plain, in one round trip, and with
    O(purge) removes the collection's endpoint files that are no longer listed.
  - Each endpoint goes to C(DIR/nbwss_<name>.sealed) (O(format=sealed)) or C(DIR/nbwss_<name>.json)
    (O(format=plain)). See C(name).
  - Every entry is validated, the rules across the endpoints are checked (the C(groupId) and C(priority) pair and
    the C(url) are unique; urls are compared with a lower-case host and without the default port 443), no two
    entries may share a file name, every existing file is read and compared, and everything that would stop a write
    (a read-only or immutable directory, a directory or an immutable file at a target path, ownership) is checked
    before anything is written. Any problem fails the task naming the entries or files, and nothing is written.
  - If a write still fails midway (for example a full disk), the task fails with C(changed=true) and lists the
    files written (RV(written)), removed (RV(removed)) and not done (RV(not_done)).
  - Provider entries are fetched on the managed host, side by side, after every entry was checked and before
    anything is written; one failing fetch fails the task and nothing is written. Fetched tokens are masked in
    all output.
  - Existing files are compared by meaning, as M(netbackup.nbwss.endpoint) does, with the same reasons.
  - Groups with a single endpoint (nothing to fail over to) and a C(hostName) that differs from the host of
    C(url) are reported as warnings.
  - The token never appears in results, diffs, warnings or errors; it is shown as a C(sha256:) fingerprint.
options:
  dir:
    description:
      - The directory on the managed host that holds the endpoint files, an absolute path. It must exist (in check
        mode a missing directory is a warning and every entry is reported V(created), since an earlier task may
        create it).
    type: path
    required: true
  endpoints:
    description:
      - The endpoints, a list of entries. Each entry is a mapping in one of these forms, with an optional C(name).
      - The five keys C(token) (a string), C(priority) (an integer; a string of digits is accepted since templating
        yields strings, but not a sign, a leading C(0) or a decimal point), C(groupId), C(hostName) and C(url).
      - C(content), the raw JSON text of one endpoint (a mapping that an older ansible-core's templating made of that
        text is accepted and checked as the JSON was).
      - C(sealed), a sealed envelope as text (the content of a sealed endpoint file, or RV(netbackup.nbwss.endpoint_fetch#module:sealed)),
        opened with O(key), O(key_file) or one of O(previous_keys).
      - C(provider), a mapping with the C(url) to fetch the endpoint details from and any of the provider options
        (O(api_token), O(url_username), O(url_password), O(headers), O(validate_certs), O(ca_path), O(client_cert),
        O(client_key), O(use_proxy), O(timeout), O(retries), O(retry_delay), O(max_bytes)); the ones it does not
        give are taken from the module options of the same name. The fetched details are checked like any other
        entry.
      - C(name) is the file name part, C(DIR/nbwss_<name>.sealed) or C(DIR/nbwss_<name>.json). It must match
        C(^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$). It defaults to C(<groupId>_<priority>) with every character outside
        C([A-Za-z0-9.-]) replaced by C(_); if that default does not match the pattern (for example a C(groupId)
        starting with C(.)), the task fails and asks for a name.
      - The entries are checked by the collection itself, not by Ansible's sub-option validation, so that a malformed
        entry (a stray empty item, a misspelled key such as C(tokne)) never shows in the task output. Every problem of
        every entry is reported at once. The whole option is C(no_log); the results show redacted endpoints.
      - An empty list is allowed (with O(purge) it removes every endpoint file of the directory).
    type: raw
    required: true
  purge:
    description:
      - Remove the files in O(dir) whose names follow the collection's naming pattern, C(nbwss_), then a letter or
        digit and more letters, digits, V(.), V(_) or V(-), then V(.json) or V(.sealed), and that are not the file of
        a listed endpoint.
      - Without O(purge) such files stay, each reported as a warning, and they are checked against the rules across
        the set (a listed endpoint with the same C(groupId) and C(priority), or the same url, as an unlisted file is a
        warning naming that file).
      - The other-format file of a listed endpoint (C(nbwss_<name>.json) when O(format=sealed) and the other way
        round) is always removed, with or without O(purge), so that a format change leaves one file per endpoint.
      - No other file in O(dir) is ever touched, and subdirectories are left alone. Removed files are not read, so
        no key is needed to remove them.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - netbackup.nbwss.endpoint_file
  - netbackup.nbwss.sealed
  - netbackup.nbwss.provider
attributes:
  check_mode:
    support: full
    details: Check mode reads and unseals the existing files and reports the same C(changed), reasons and removals as a real run.
  diff_mode:
    support: full
    details: One redacted before / after per file that changes (token fingerprint, format, key id, mode), never the token.
  platform:
    platforms: posix
notes:
  - The provider options (O(api_token) to O(max_bytes)) are the defaults of the C(provider) entries of O(endpoints).
seealso:
  - module: netbackup.nbwss.endpoint
  - module: netbackup.nbwss.endpoint_info
  - module: netbackup.nbwss.endpoint_fetch
'''

EXAMPLES = r'''
- name: Deploy all endpoints of the master, sealed, and remove the ones no longer listed
  netbackup.nbwss.endpoint_set:
    dir: /usr/openv/var/global/wss
    key: "{{ vault_nbwss_key }}"
    purge: true
    endpoints:
      - token: "{{ vault_cloud1_token_a }}"
        priority: 1
        groupId: cloud1
        hostName: wss1.cloud.example.com
        url: wss://wss1.cloud.example.com/nbwss
      - content: "{{ lookup('ansible.builtin.file', 'files/cloud1_2.json') }}"
        name: cloud1-backup
  register: deployed

- name: Fetch some endpoints from the cloud provider's URLs on the master, others given inline
  netbackup.nbwss.endpoint_set:
    dir: /usr/openv/var/global/wss
    key: "{{ vault_nbwss_key }}"
    ca_path: /etc/pki/cloud-provider-ca.pem
    retries: 5
    endpoints:
      - provider:
          url: https://portal.cloud.example.com/nbwss/endpoints/eu-1
          api_token: "{{ vault_portal_token }}"
      - provider:
          url: https://portal.cloud.example.com/nbwss/endpoints/eu-2
          api_token: "{{ vault_portal_token }}"
        name: eu-backup

- name: Rotate the key for every file of the master
  netbackup.nbwss.endpoint_set:
    dir: /usr/openv/var/global/wss
    key: "{{ vault_nbwss_key_2027 }}"
    previous_keys:
      - "{{ vault_nbwss_key_2026 }}"
    endpoints: "{{ nbwss_endpoints }}"
'''

RETURN = r'''
files:
  description: One entry per listed endpoint, in the order of O(endpoints).
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The endpoint file.
      type: str
      sample: /usr/openv/var/global/wss/nbwss_cloud1_1.sealed
    name:
      description: The file name part (C(name) or the default).
      type: str
      sample: cloud1_1
    reason:
      description: V(created), V(updated), V(rekeyed) or V(unchanged), as for M(netbackup.nbwss.endpoint).
      type: str
      sample: created
    format:
      description: The format of the file.
      type: str
      sample: sealed
    key_id:
      description: Key id of the key the file is sealed with (when O(format=sealed)).
      type: str
      sample: 3f0c6a1d92b4e857
    backup_file:
      description: The copy of the previous file made with O(backup), when one was made.
      type: str
    endpoint:
      description: The endpoint, redacted (C(token) is a C(sha256:) fingerprint; C(priority), C(groupId), C(hostName), C(url)).
      type: dict
      sample:
        token: sha256:9f86d081884c
        priority: 1
        groupId: cloud1
        hostName: wss1.cloud.example.com
        url: wss://wss1.cloud.example.com/nbwss
removed:
  description: Files removed (or that would be, in check mode) by O(purge), or as the other-format file of a listed
    endpoint.
  returned: always
  type: list
  elements: str
  sample: [/usr/openv/var/global/wss/nbwss_cloud1_3.sealed]
written:
  description: When a write failed midway, the files written before it.
  returned: on a failure midway
  type: list
  elements: str
not_done:
  description: When a write failed midway, the files that were to be written or removed and were not.
  returned: on a failure midway
  type: list
  elements: str
stale_temp_removed:
  description:
    - Temporary files that earlier, interrupted writes left in O(dir) and that this run removed (in check mode, that it
      would remove).
  returned: when there were any
  type: list
  elements: str
groups:
  description:
    - The listed endpoints by group, sorted by C(groupId); each group's endpoints in the order NetBackup tries them.
  returned: always
  type: list
  elements: dict
  contains:
    groupId:
      description: The group.
      type: str
    priorities:
      description: The priorities of the group, ascending.
      type: list
      elements: int
    endpoints:
      description: The redacted endpoints of the group, each with C(source), the path of its file.
      type: list
      elements: dict
'''

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import EndpointError
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_entries import EntryReader, provider_defaults
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_file import file_argument_spec
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_set_plan import EndpointSetPlan
from ansible_collections.netbackup.nbwss.plugins.module_utils._keys import KeyRing, key_argument_spec
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import NbwssModule, TaskError, mask_secrets
from ansible_collections.netbackup.nbwss.plugins.module_utils._provider_options import provider_argument_spec


def fetch_endpoint(url, options, source):
    """``_provider.fetch_endpoint``, imported on the first provider entry: urllib and ansible.module_utils.urls
    add about 50 ms to every run, and most runs have no provider entry."""
    from ansible_collections.netbackup.nbwss.plugins.module_utils._provider import fetch_endpoint as fetch
    return fetch(url, options, source=source)


def main():
    module = NbwssModule(
        secret_containers=('endpoints',),
        argument_spec=dict(
            dir=dict(type='path', required=True),
            endpoints=dict(type='raw', required=True, no_log=True),
            purge=dict(type='bool', default=False),
            **dict(key_argument_spec(), **dict(file_argument_spec(), **provider_argument_spec()))
        ),
        mutually_exclusive=[('key', 'key_file'), ('api_token', 'url_username')],
        supports_check_mode=True,
    )
    params = module.params
    try:
        keyring = KeyRing.from_params(module, params['key'], params['key_file'], params['previous_keys'])
        try:
            defaults = provider_defaults(params)
        except EndpointError as err:
            raise TaskError(str(err))
        reader = EntryReader(keyring, defaults, fetch=fetch_endpoint)
        validated = reader.entries(params['endpoints'], 'endpoints')
        mask_secrets(module, *[endpoint.token for dummy, dummy, endpoint in validated])
        plan = EndpointSetPlan(module, params['dir'], validated, keyring, fmt=params['format'], force=params['force'],
                               mode=params['mode'], owner=params['owner'], group=params['group'],
                               backup=params['backup'], purge=params['purge'])
        plan.plan()
        diff = plan.diff() if module._diff else None
        plan.apply()
    except TaskError as err:
        module.fail_task(err)
    if reader.unverified:
        # Per entry: an entry may turn certificate checks off, or back on when the module level turns them off.
        module.warn('validate_certs is false for %s: the endpoint details, tokens included, were fetched without '
                    'verifying the provider\'s certificate.' % ', '.join(reader.unverified))
    module.exit_with(plan.result(), plan.warnings, diff)


if __name__ == '__main__':
    main()
