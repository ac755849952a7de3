#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: endpoint
short_description: Manage one NBWSS endpoint file on a NetBackup master server
version_added: 0.1.0
author: netbackup.nbwss contributors (@netbackup-nbwss)
description:
  - Makes one NetBackup WebSocket Service (NBWSS) endpoint file on the managed host hold the wanted endpoint,
    sealed (encrypted at rest) or as the plain JSON that the NetBackup WebSocket Server dialog imports, or
    removes it.
  - The endpoint is validated strictly before anything is written (one JSON object with exactly C(token),
    C(priority), C(groupId), C(hostName) and C(url); C(url) starts with C(wss://); no apostrophe anywhere).
  - An existing file is read (and unsealed) and compared by meaning; it is only rewritten when the endpoint,
    the format or the sealing key changes, and only its attributes are fixed when they alone differ.
  - The token never appears in results, diffs, warnings or errors; it is shown as a C(sha256:) fingerprint.
    Tokens read from O(content), O(endpoint), O(src) and existing files are masked in all output.
  - A C(hostName) that differs from the host of C(url) is reported as a warning.
options:
  path:
    description:
      - The endpoint file on the managed host. Its directory must exist.
    type: path
    required: true
  state:
    description:
      - V(present) makes the file hold the endpoint given by O(content), O(endpoint) or O(src).
      - V(absent) removes the file (without reading it, so no key is needed).
    type: str
    choices: [present, absent]
    default: present
  content:
    description:
      - The raw JSON text of one endpoint, for example from a vaulted file via P(ansible.builtin.file#lookup).
      - Exactly one of O(content), O(endpoint) and O(src) is required when O(state=present).
    type: str
  endpoint:
    description:
      - The endpoint as a dictionary of its five keys.
      - Exactly one of O(content), O(endpoint) and O(src) is required when O(state=present).
    type: dict
    suboptions:
      token:
        description: The bearer token NetBackup presents to the cloud application.
        type: str
        required: true
      priority:
        description: Priority within the group; a lower number is tried first.
        type: int
        required: true
      groupId:
        description: The group the endpoint belongs to.
        type: str
        required: true
      hostName:
        description: Host name of the endpoint; should be the host of O(endpoint.url).
        type: str
        required: true
      url:
        description: The C(wss://) URL of the endpoint.
        type: str
        required: true
  src:
    description:
      - An endpoint file already on the managed host, sealed or plain, whose endpoint is written to O(path) in
        O(format). Use it to turn a sealed file into the plain file for the WebSocket Server dialog.
      - A sealed O(src) is opened with O(key) or O(key_file), or one of O(previous_keys).
      - O(src) may be O(path) itself, to convert a file in place.
      - Exactly one of O(content), O(endpoint) and O(src) is required when O(state=present).
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - netbackup.nbwss.endpoint_file
  - netbackup.nbwss.sealed
attributes:
  check_mode:
    support: full
    details: Check mode reads and unseals the existing file and reports the same C(changed) and C(reason) as a real run.
  diff_mode:
    support: full
    details: The diff shows redacted endpoint metadata (token fingerprint, format, key id, mode), never the token.
  platform:
    platforms: posix
seealso:
  - module: netbackup.nbwss.endpoint_set
  - module: netbackup.nbwss.endpoint_info
'''

EXAMPLES = r'''
- name: Deploy a sealed endpoint file (key from Ansible Vault)
  netbackup.nbwss.endpoint:
    path: /usr/openv/var/global/wss/nbwss_cloud1_1.sealed
    endpoint:
      token: "{{ vault_cloud1_token }}"
      priority: 1
      groupId: cloud1
      hostName: wss1.cloud.example.com
      url: wss://wss1.cloud.example.com:443/nbwss
    key: "{{ vault_nbwss_key }}"

- name: Deploy from the JSON the cloud provider gave (kept in a vaulted file)
  netbackup.nbwss.endpoint:
    path: /usr/openv/var/global/wss/nbwss_cloud1_2.sealed
    content: "{{ lookup('ansible.builtin.file', 'files/cloud1_2.json') }}"
    key_file: /etc/nbwss/endpoints.key

- name: Produce the plain file to import in the WebSocket Server dialog
  netbackup.nbwss.endpoint:
    path: /root/nbwss-import/cloud1_1.json
    src: /usr/openv/var/global/wss/nbwss_cloud1_1.sealed
    format: plain
    key_file: /etc/nbwss/endpoints.key

- name: Remove the plain file after the import
  netbackup.nbwss.endpoint:
    path: /root/nbwss-import/cloud1_1.json
    state: absent

- name: Rotate the key (files sealed with the old key are re-sealed, reason rekeyed)
  netbackup.nbwss.endpoint:
    path: /usr/openv/var/global/wss/nbwss_cloud1_1.sealed
    src: /usr/openv/var/global/wss/nbwss_cloud1_1.sealed
    key: "{{ vault_nbwss_key_2027 }}"
    previous_keys:
      - "{{ vault_nbwss_key_2026 }}"
'''

RETURN = r'''
reason:
  description:
    - Why the task changed or did not change the file.
    - V(created) (no file before), V(updated) (endpoint, format or attributes changed, or an unreadable file was
      replaced with O(force)), V(rekeyed) (same endpoint re-sealed with O(key)), V(unchanged), V(removed),
      V(absent) (nothing to remove).
  returned: always
  type: str
  sample: created
path:
  description: The endpoint file.
  returned: always
  type: str
  sample: /usr/openv/var/global/wss/nbwss_cloud1_1.sealed
format:
  description: The format of the file, O(format).
  returned: always
  type: str
  sample: sealed
endpoint:
  description: The endpoint in the file, redacted. The token is a fingerprint.
  returned: when O(state=present)
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
      sample: cloud1
    hostName:
      description: Host name of the endpoint.
      type: str
      sample: wss1.cloud.example.com
    url:
      description: The endpoint URL.
      type: str
      sample: wss://wss1.cloud.example.com:443/nbwss
key_id:
  description: Key id of O(key) (or the key in O(key_file)), which the file is sealed with. It does not reveal the key.
  returned: when O(state=present) and O(format=sealed)
  type: str
  sample: 3f0c6a1d92b4e857
backup_file:
  description: The copy of the previous file made with O(backup).
  returned: when a backup was made
  type: str
  sample: /usr/openv/var/global/wss/nbwss_cloud1_1.sealed.12345.2026-11-27@17:35:01~
'''

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_file import (
    EndpointFile,
    EndpointFileError,
    KeyRing,
    endpoint_from_options,
    file_argument_spec,
    key_argument_spec,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', required=True),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            content=dict(type='str', no_log=True),
            endpoint=dict(type='dict', options=dict(
                token=dict(type='str', required=True, no_log=True),
                priority=dict(type='int', required=True),
                groupId=dict(type='str', required=True),
                hostName=dict(type='str', required=True),
                url=dict(type='str', required=True),
            )),
            src=dict(type='path'),
            **dict(key_argument_spec(), **file_argument_spec())
        ),
        mutually_exclusive=[('content', 'endpoint', 'src'), ('key', 'key_file')],
        required_if=[('state', 'present', ('content', 'endpoint', 'src'), True)],
        supports_check_mode=True,
    )
    params = module.params
    try:
        keyring = KeyRing.from_params(module, params['key'], params['key_file'], params['previous_keys'])
        target = EndpointFile(module, params['path'], keyring, fmt=params['format'], force=params['force'],
                              mode=params['mode'], owner=params['owner'], group=params['group'], backup=params['backup'])
        wanted = None
        if params['state'] == 'present':
            wanted = endpoint_from_options(module, content=params['content'], endpoint=params['endpoint'],
                                           src=params['src'], keyring=keyring)
            for warning in wanted.warnings():
                module.warn(warning)
        target.want(wanted)
        target.reason()
        diff = target.diff() if module._diff else None
        target.apply()
    except EndpointFileError as err:
        module.fail_json(msg=to_native(err), path=params['path'])
    result = target.result()
    if diff is not None:
        result['diff'] = diff
    module.exit_json(**result)


if __name__ == '__main__':
    main()
