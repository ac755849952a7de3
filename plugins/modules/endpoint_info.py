#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: endpoint_info
short_description: Read NBWSS endpoint files on a NetBackup master server
version_added: 0.1.0
author: netbackup.nbwss contributors (@netbackup-nbwss)
description:
  - Reads one endpoint file, or the endpoint files of a directory, on the managed host, sealed or plain, and
    returns their redacted endpoints, the group table and the problems across them. Never changes anything.
  - Files that cannot be read (invalid JSON or endpoint, sealed with an unknown key, tampered, sealed and no key
    given) are listed in RV(errors); the task does not fail for them.
  - A C(hostName) that differs from the host of C(url), and a group with a single endpoint, are returned in
    RV(endpoint_warnings) and also shown as Ansible warnings (the C(warnings) list of the registered result,
    which Ansible leaves out when there are none).
  - A C(url), or a C(groupId) and C(priority) pair, used by more than one file is returned in RV(problems) and
    also shown as an Ansible warning; M(netbackup.nbwss.endpoint_set) refuses to write such a set.
  - The token never appears in the result; it is shown as a C(sha256:) fingerprint.
options:
  path:
    description:
      - An endpoint file, or a directory whose files matching O(pattern) and ending in C(.json) or C(.sealed) are
        read (not recursively).
      - A file given directly is read whatever its name. It must be an absolute path.
    type: path
    required: true
  pattern:
    description:
      - Shell-style pattern (as in C(fnmatch)) of the file names to read in a directory O(path).
      - Only names ending in C(.json) or C(.sealed) are considered, whatever the pattern.
    type: str
    default: nbwss_*
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - netbackup.nbwss.sealed
attributes:
  check_mode:
    support: full
    details: The module never changes anything; it reads the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - Without O(key), O(key_file) or O(previous_keys), sealed files are listed in RV(errors) with their key id.
seealso:
  - module: netbackup.nbwss.endpoint
  - module: netbackup.nbwss.endpoint_set
'''

EXAMPLES = r'''
- name: Read the endpoint files of the master
  netbackup.nbwss.endpoint_info:
    path: /usr/openv/var/global/wss
    key_file: /etc/nbwss/endpoints.key
  register: nbwss

- name: Fail on unreadable files or conflicts
  ansible.builtin.assert:
    that:
      - nbwss.errors | length == 0
      - nbwss.problems | length == 0
    fail_msg: "{{ nbwss.errors | map(attribute='message') | list + nbwss.problems }}"

- name: List files still sealed with an old key
  ansible.builtin.debug:
    msg: "{{ nbwss.endpoints | selectattr('rekey_needed', 'defined') | selectattr('rekey_needed') | map(attribute='path') | list }}"
'''

RETURN = r'''
endpoints:
  description: The files that could be read, sorted by path, each a redacted endpoint with its file facts.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The file.
      type: str
      sample: /usr/openv/var/global/wss/nbwss_cloud1_1.sealed
    format:
      description: V(sealed) or V(plain).
      type: str
      sample: sealed
    key_id:
      description: Key id the file is sealed with.
      type: str
      returned: for sealed files
      sample: 3f0c6a1d92b4e857
    rekey_needed:
      description: True when the file was opened with one of O(previous_keys) rather than the current key.
      type: bool
      returned: for sealed files
      sample: false
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
      sample: wss://wss1.cloud.example.com/nbwss
errors:
  description: The files that could not be read, each with one sentence saying why (never a secret).
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The file.
      type: str
    message:
      description: What is wrong, naming the file.
      type: str
  sample:
    - path: /usr/openv/var/global/wss/nbwss_old_1.sealed
      message: "/usr/openv/var/global/wss/nbwss_old_1.sealed: the file was sealed with key id 3f0c6a1d92b4e857, ..."
groups:
  description:
    - The readable endpoints by group, sorted by C(groupId); each group's endpoints in the order NetBackup tries them.
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
endpoint_warnings:
  description:
    - Findings that do not make the files unusable, one sentence each naming the file, never a secret.
    - A C(hostName) that differs from the host of C(url), and a group with a single endpoint (no failover).
    - When O(path) is a directory, backups of endpoint files (made with O(netbackup.nbwss.endpoint#module:backup)) and
      temporary files left by interrupted writes, because both hold tokens.
    - Ansible's own C(warnings) key cannot be returned by a module, so they are returned under this name and also
      emitted as Ansible warnings.
  returned: always
  type: list
  elements: str
  sample: ["/a/nbwss_g2_1.sealed: groupId g2 has a single endpoint, so NetBackup has nothing to fail over to"]
problems:
  description:
    - Broken rules across the readable endpoints (a C(groupId) and C(priority) pair or a C(url) used twice), one sentence
      each naming the files.
    - Each is also emitted as an Ansible warning; the task still does not fail.
  returned: always
  type: list
  elements: str
  sample: ["/a/nbwss_g_1.json, /a/nbwss_g_1b.json: groupId g has priority 1 more than once; NetBackup could not tell which to try first"]
'''

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_dir import DEFAULT_PATTERN, read_endpoint_files
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_file import require_absolute
from ansible_collections.netbackup.nbwss.plugins.module_utils._keys import KeyRing, key_argument_spec
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import NbwssModule, TaskError


def main():
    module = NbwssModule(
        argument_spec=dict(
            path=dict(type='path', required=True),
            pattern=dict(type='str', default=DEFAULT_PATTERN),
            **key_argument_spec()
        ),
        mutually_exclusive=[('key', 'key_file')],
        supports_check_mode=True,
    )
    params = module.params
    try:
        require_absolute(params['path'], 'path')
        keyring = KeyRing.from_params(module, params['key'], params['key_file'], params['previous_keys'])
        found = read_endpoint_files(module, params['path'], params['pattern'], keyring)
    except TaskError as err:
        module.fail_task(err)
    for warning in found.warnings:
        module.warn(warning)
    # A url or a (groupId, priority) used twice: endpoint_set refuses to write it, so say it out loud here too.
    for problem in found.report['problems']:
        module.warn(problem)
    module.exit_json(changed=False, endpoint_warnings=found.warnings, **found.report)


if __name__ == '__main__':
    main()
