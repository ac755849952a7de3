# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
name: endpoint_problems
short_description: Find problems in NBWSS endpoint files on the controller
version_added: 0.1.0
author: netbackup.nbwss contributors (@netbackup-nbwss)
description:
  - Reads every C(*.json) file under the given paths on the Ansible controller (recursively for
    directories), validates each as one NetBackup WebSocket Service endpoint, and checks the rules
    across all of them (unique C(groupId) and C(priority) pair, unique C(url)).
  - Files encrypted with ansible-vault are decrypted with the vault secrets of the run.
  - Returns one entry per problem, so an empty result means every file is valid. This is what
    the C(netbackup.nbwss.validate) playbook uses in CI before a rollout; no managed host is contacted.
  - The token is never part of the result, of warnings or of errors.
  - Warnings (a C(hostName) that differs from the host of the C(url), a group with a single
    endpoint) are shown as Ansible warnings and do not count as problems.
options:
  _terms:
    description:
      - Files or directories to validate. Relative paths are taken from the current working directory.
    type: list
    elements: path
    required: true
notes:
  - Files larger than 64 KiB (before vault encryption) are refused; an endpoint file is a small JSON object.
  - Sealed endpoint files (see C(docs/sealed-format.md)) need a key and are reported as problems here;
    validate the plain or vault-encrypted source files instead.
seealso:
  - plugin: netbackup.nbwss.endpoint_problems
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: Fail when any endpoint file in files/endpoints is invalid
  ansible.builtin.fail:
    msg: "{{ item.message }}"
  loop: "{{ query('netbackup.nbwss.endpoint_problems', 'files/endpoints') }}"
  loop_control:
    label: "{{ item.files | join(', ') }}"
"""

RETURN = r"""
_raw:
  description: One entry per problem; empty when every file and the set as a whole are valid.
  type: list
  elements: dict
  contains:
    files:
      description: The files the problem is about (two or more for a rule across files).
      type: list
      elements: str
    field:
      description: The endpoint key the problem is about, when it is about one key.
      type: str
    message:
      description: 'One line, C(file: field: problem), never containing the token.'
      type: str
"""

import os

from ansible.errors import AnsibleLookupError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import (
    MAX_ENDPOINT_BYTES,
    EndpointError,
    parse_endpoint,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_set import set_problems, set_warnings
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import is_sealed

display = Display()

VAULT_HEADER = b'$ANSIBLE_VAULT;'
# Vault output is hex of the ciphertext plus a header: a little over twice the plaintext.
MAX_VAULT_BYTES = MAX_ENDPOINT_BYTES * 3


def endpoint_files(paths):
    """Every *.json file under ``paths``, sorted, each once."""
    found = []
    for path in paths:
        path = os.path.abspath(os.path.expanduser(path))
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs.sort()
                found.extend(os.path.join(root, name) for name in sorted(files) if name.endswith('.json'))
        elif os.path.isfile(path):
            found.append(path)
        else:
            raise AnsibleLookupError('%s: no such file or directory' % path)
    return sorted(set(found))


class LookupModule(LookupBase):

    def _read(self, path):
        with open(path, 'rb') as handle:
            head = handle.read(MAX_VAULT_BYTES + 1)
        if not head.startswith(VAULT_HEADER):
            return head
        if len(head) > MAX_VAULT_BYTES:
            raise EndpointError('file is larger than %d bytes; an endpoint file is a small JSON object'
                                % MAX_ENDPOINT_BYTES, source=path)
        real = self._loader.get_real_file(path, decrypt=True)
        try:
            with open(real, 'rb') as handle:
                return handle.read(MAX_ENDPOINT_BYTES + 1)
        finally:
            self._loader.cleanup_tmp_file(real)

    def _check_file(self, path):
        try:
            data = self._read(path)
            if is_sealed(data):
                raise EndpointError('is a sealed endpoint file; validate the plain or vault-encrypted source instead',
                                    source=path)
            return parse_endpoint(data, source=path), None
        except EndpointError as error:
            return None, {'files': [path], 'field': error.field, 'message': str(error)}
        except (IOError, OSError) as error:
            return None, {'files': [path], 'field': None, 'message': '%s: cannot be read: %s' % (path, error.strerror)}

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        paths = [to_native(term) for term in terms]
        problems = []
        endpoints = []
        for path in endpoint_files(paths):
            endpoint, problem = self._check_file(path)
            if problem:
                problems.append(problem)
            else:
                endpoints.append(endpoint)
        for endpoint in endpoints:
            for warning in endpoint.warnings():
                display.warning(warning)
        conflicts = set_problems(endpoints)
        for conflict in conflicts:
            problems.append({'files': conflict.sources, 'field': None, 'message': conflict.message})
        if not conflicts:
            for warning in set_warnings(endpoints):
                display.warning(warning)
        return problems
