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
    Tokens read from O(content), O(endpoint), O(sealed), O(src) and existing files are masked in all output.
  - A C(hostName) that differs from the host of C(url) is reported as a warning.
options:
  path:
    description:
      - The endpoint file on the managed host, an absolute path. Its directory must exist (in check mode a missing
        directory is a warning, since an earlier task may create it).
    type: path
    required: true
  state:
    description:
      - V(present) makes the file hold the endpoint given by O(content), O(endpoint), O(sealed) or O(src).
      - V(absent) removes the file. No key is needed and O(key_file) is not read, so a stale key file path does not
        stop a removal.
    type: str
    choices: [present, absent]
    default: present
  content:
    description:
      - The raw JSON text of one endpoint, for example from a vaulted file via P(ansible.builtin.file#lookup).
      - Ansible-core before 2.19 turns a templated JSON object into a mapping on its way to the module; such a
        mapping is checked exactly as the JSON text would have been.
      - The whole option is C(no_log), whatever its shape.
      - Exactly one of O(content), O(endpoint), O(sealed) and O(src) is required when O(state=present).
    type: raw
  endpoint:
    description:
      - The endpoint as a mapping of exactly its five keys, C(token) (a string), C(priority) (an integer; a string of
        digits is accepted since templating yields strings, but not a sign, a leading C(0) or a decimal point),
        C(groupId), C(hostName) and C(url) (strings).
      - Checked by the collection itself, not by Ansible's sub-option validation, so that a malformed value
        (a string, a misspelled key such as C(tokne)) never shows in the task output. The whole option is
        C(no_log); the results show the redacted endpoint.
      - Exactly one of O(content), O(endpoint), O(sealed) and O(src) is required when O(state=present).
    type: raw
  sealed:
    description:
      - A sealed envelope as text (the content of a sealed endpoint file), opened with O(key),
        O(key_file) or one of O(previous_keys).
      - Exactly one of O(content), O(endpoint), O(sealed) and O(src) is required when O(state=present).
    type: str
  src:
    description:
      - An endpoint file already on the managed host, sealed or plain, whose endpoint is written to O(path) in
        O(format). Use it to turn a sealed file into the plain file for the WebSocket Server dialog.
      - A sealed O(src) is opened with O(key) or O(key_file), or one of O(previous_keys).
      - O(src) may be O(path) itself, to convert a file in place. It must be an absolute path.
      - Exactly one of O(content), O(endpoint), O(sealed) and O(src) is required when O(state=present).
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
  description:
    - The format of the file, O(format).
    - With O(state=absent), the format of the removed file (V(sealed) or V(plain)), or V(null) when there was none.
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
  description: The previous file kept with O(backup) (the old inode itself, with its mode and owner).
  returned: when a backup was made
  type: str
  sample: /usr/openv/var/global/wss/nbwss_cloud1_1.sealed.12345.2026-11-27@17:35:01~
stale_temp_removed:
  description:
    - Temporary files that earlier, interrupted writes left in the directory and that this write removed (in check
      mode, that it would remove). See the notes.
  returned: when there were any
  type: list
  elements: str
  sample: [/usr/openv/var/global/wss/.nbwss_cloud1_1.sealed.k2j4x9.nbwss-tmp]
'''

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import EndpointError
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_entries import (
    EntryReader,
    endpoint_from_content,
    endpoint_from_sealed,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_file import (
    EndpointFile,
    file_argument_spec,
    read_state,
    require_absolute,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._keys import KeyRing, key_argument_spec
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import NbwssModule, TaskError


def wanted_endpoint(module, keyring):
    """The endpoint asked for by exactly one of content, endpoint, sealed or src."""
    params = module.params
    try:
        if params['content'] is not None:
            return endpoint_from_content(params['content'], 'content')
        if params['endpoint'] is not None:
            return EntryReader().endpoint(params['endpoint'], 'endpoint', forms=(), allow_name=False)
        if params['sealed'] is not None:
            return endpoint_from_sealed(params['sealed'], keyring, 'sealed')
    except EndpointError as err:
        raise TaskError(err.describe())
    require_absolute(params['src'], 'src')
    state = read_state(module, params['src'], keyring)
    if state.kind == 'missing':
        raise TaskError('src %s does not exist.' % params['src'])
    if state.problem:
        raise TaskError(state.problem if state.kind == 'unreadable' else 'src %s' % state.problem)
    return state.endpoint


def main():
    module = NbwssModule(
        secret_containers=('content', 'endpoint'),
        argument_spec=dict(
            path=dict(type='path', required=True),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            content=dict(type='raw', no_log=True),
            endpoint=dict(type='raw', no_log=True),
            sealed=dict(type='str', no_log=True),
            src=dict(type='path'),
            **dict(key_argument_spec(), **file_argument_spec())
        ),
        mutually_exclusive=[('content', 'endpoint', 'sealed', 'src'), ('key', 'key_file')],
        required_if=[('state', 'present', ('content', 'endpoint', 'sealed', 'src'), True)],
        supports_check_mode=True,
    )
    params = module.params
    present = params['state'] == 'present'
    try:
        require_absolute(params['path'], 'path')
        # A removal reads no key: a stale key_file path must not stop it.
        keyring = KeyRing.from_params(module, params['key'], params['key_file'], params['previous_keys']) if present \
            else KeyRing()
        target = EndpointFile(module, params['path'], keyring, fmt=params['format'], force=params['force'],
                              mode=params['mode'], owner=params['owner'], group=params['group'], backup=params['backup'])
        wanted = wanted_endpoint(module, keyring) if present else None
        target.want(wanted)
        target.decide()
        problem = target.write_problem()
        if problem:
            raise TaskError('%s Nothing was written.' % problem)
        diff = target.diff() if module._diff else None
        target.apply()
    except TaskError as err:
        module.fail_task(err, path=params['path'])
    module.exit_with(target.result(), (wanted.warnings() if wanted else []) + target.warnings, diff)


if __name__ == '__main__':
    main()
