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
    (O(format=plain)). See O(endpoints[].name).
  - Every entry is validated, the rules across the endpoints are checked (the C(groupId) and C(priority) pair and
    the C(url) are unique), no two entries may share a file name, and every existing file is read and compared
    before anything is written. Any problem fails the task naming the entries, and nothing is written.
  - Existing files are compared by meaning, as M(netbackup.nbwss.endpoint) does, with the same reasons.
  - Groups with a single endpoint (nothing to fail over to) and a C(hostName) that differs from the host of
    C(url) are reported as warnings.
  - The token never appears in results, diffs, warnings or errors; it is shown as a C(sha256:) fingerprint.
options:
  dir:
    description:
      - The directory on the managed host that holds the endpoint files. It must exist.
    type: path
    required: true
  endpoints:
    description:
      - The endpoints, each given EITHER as O(endpoints[].content) OR as the five keys O(endpoints[].token),
        O(endpoints[].priority), O(endpoints[].groupId), O(endpoints[].hostName) and O(endpoints[].url).
      - An empty list is allowed (with O(purge) it removes every endpoint file of the directory).
    type: list
    elements: dict
    required: true
    suboptions:
      content:
        description: The raw JSON text of one endpoint.
        type: str
      token:
        description: The bearer token NetBackup presents to the cloud application.
        type: str
      priority:
        description: Priority within the group; a lower number is tried first.
        type: int
      groupId:
        description: The group the endpoint belongs to.
        type: str
      hostName:
        description: Host name of the endpoint; should be the host of the url.
        type: str
      url:
        description: The C(wss://) URL of the endpoint.
        type: str
      name:
        description:
          - The file name part, C(DIR/nbwss_<name>.sealed) or C(DIR/nbwss_<name>.json).
          - Must match C(^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$).
          - Defaults to C(<groupId>_<priority>) with every character outside C([A-Za-z0-9.-]) replaced by C(_). If
            that default does not match the pattern above (for example a C(groupId) starting with C(.)), the task
            fails and asks for a name.
        type: str
  purge:
    description:
      - Remove the files in O(dir) that follow the collection's naming pattern
        C(^nbwss_[A-Za-z0-9][A-Za-z0-9._-]*\.(json|sealed)$) and are not the file of a listed endpoint, including the
        other-format file of a listed endpoint when O(format) changed.
      - No other file in O(dir) is ever touched, and subdirectories are left alone. Removed files are not read, so
        no key is needed to purge them.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - netbackup.nbwss.endpoint_file
  - netbackup.nbwss.sealed
attributes:
  check_mode:
    support: full
    details: Check mode reads and unseals the existing files and reports the same C(changed), reasons and removals as a real run.
  diff_mode:
    support: full
    details: One redacted before / after per file that changes (token fingerprint, format, key id, mode), never the token.
  platform:
    platforms: posix
seealso:
  - module: netbackup.nbwss.endpoint
  - module: netbackup.nbwss.endpoint_info
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
      description: The file name part (O(endpoints[].name) or the default).
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
  description: Files removed by O(purge) (or that would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [/usr/openv/var/global/wss/nbwss_cloud1_3.sealed]
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

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_dir import EndpointDirectory
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_file import (
    EndpointFileError,
    KeyRing,
    file_argument_spec,
    key_argument_spec,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dir=dict(type='path', required=True),
            endpoints=dict(type='list', elements='dict', required=True, options=dict(
                content=dict(type='str', no_log=True),
                token=dict(type='str', no_log=True),
                priority=dict(type='int'),
                groupId=dict(type='str'),
                hostName=dict(type='str'),
                url=dict(type='str'),
                name=dict(type='str'),
            )),
            purge=dict(type='bool', default=False),
            **dict(key_argument_spec(), **file_argument_spec())
        ),
        mutually_exclusive=[('key', 'key_file')],
        supports_check_mode=True,
    )
    params = module.params
    try:
        keyring = KeyRing.from_params(module, params['key'], params['key_file'], params['previous_keys'])
        directory = EndpointDirectory(module, params['dir'], params['endpoints'], keyring, fmt=params['format'],
                                      force=params['force'], mode=params['mode'], owner=params['owner'],
                                      group=params['group'], backup=params['backup'], purge=params['purge'])
        directory.plan()
        diff = directory.diff() if module._diff else None
        directory.apply()
    except EndpointFileError as err:
        module.fail_json(msg=to_native(err))
    for warning in directory.warnings:
        module.warn(warning)
    result = directory.result()
    if diff is not None:
        result['diff'] = diff
    module.exit_json(**result)


if __name__ == '__main__':
    main()
