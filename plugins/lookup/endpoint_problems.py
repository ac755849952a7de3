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
    across them (unique C(groupId) and C(priority) pair, unique C(url)).
  - Files encrypted with ansible-vault are decrypted with the vault secrets of the run. A file that
    cannot be decrypted is one problem naming it; the other files are still checked.
  - Returns one entry per problem, every problem of a file included (a C(priority) given as a string
    and a C(ws://) url are two entries), so an empty result means every file is valid. This is what
    the C(netbackup.nbwss.validate) playbook uses in CI before a rollout; no managed host is contacted.
  - The token is never part of the result, of warnings or of errors.
  - Warnings (a C(hostName) that differs from the host of the C(url), a group with a single
    endpoint, white space before the opening or after the closing brace) are shown as Ansible
    warnings and do not count as problems.
options:
  _terms:
    description:
      - Files or directories to validate. Relative paths are taken from the current working directory.
    type: list
    elements: path
    required: true
  allow_empty:
    description:
      - Without this, paths that hold no C(*.json) file at all (an empty directory, only other
        extensions, a typo in the path) are a problem, C(no endpoint files found under PATH), so that a
        CI gate cannot pass on nothing.
    type: bool
    default: false
  set_per:
    description:
      - Where the rules across endpoints apply.
      - V(all) checks them across every file found, as for the files of one master server.
      - V(directory) checks them within each directory on its own, for a tree with one directory per
        master server.
    type: str
    choices: [all, directory]
    default: all
  summary:
    description:
      - Return one dictionary instead of the list of problems, that also says what was checked, for a playbook
        to print one line on success (see RV(_raw[].message)).
      - Use it with C(lookup()), or take element 0 of C(query()).
    type: bool
    default: false
    version_added: 0.2.0
notes:
  - 'Anything found that is not a regular file (a FIFO, a socket, a device, or a symbolic link to one) is a problem,
    C(PATH: not a regular file (a FIFO)); it is never read, so a FIFO named C(x.json) cannot block the run.'
  - Files larger than 64 KiB (before vault encryption) are refused; an endpoint file is a small JSON object.
  - Sealed endpoint files (see C(docs/sealed-format.md)) need a key and are reported as problems here;
    validate the plain or vault-encrypted source files instead.
seealso:
  - plugin: netbackup.nbwss.endpoint_var_problems
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: Fail when any endpoint file in files/endpoints is invalid
  ansible.builtin.fail:
    msg: "{{ item.message }}"
  loop: "{{ query('netbackup.nbwss.endpoint_problems', 'files/endpoints') }}"
  loop_control:
    label: "{{ item.files | join(', ') }}"

- name: One directory per master server, each checked on its own
  ansible.builtin.fail:
    msg: "{{ item.message }}"
  loop: "{{ query('netbackup.nbwss.endpoint_problems', 'masters/', set_per='directory') }}"
  loop_control:
    label: "{{ item.files | join(', ') }}"

- name: Check once, fail on each problem, then say what was checked
  vars:
    checked: "{{ lookup('netbackup.nbwss.endpoint_problems', 'files/endpoints', summary=true) }}"
  block:
    - name: Fail on each problem
      ansible.builtin.fail:
        msg: "{{ item.message }}"
      loop: "{{ checked.problems }}"
    - name: 'Say what was checked, for example "5 files checked: no problem"'
      ansible.builtin.debug:
        msg: "{{ checked.message }}"
"""

RETURN = r"""
_raw:
  description:
    - One entry per problem; empty when every file and every set of files are valid.
    - With O(summary=true), one dictionary with RV(_raw[].problems), RV(_raw[].files_checked) and RV(_raw[].message)
      instead.
  type: list
  elements: dict
  contains:
    problems:
      description: With O(summary=true), the problems, each a dictionary as without it (RV(_raw[].files), RV(_raw[].field), RV(_raw[].message)).
      type: list
      elements: dict
      returned: O(summary=true)
    files_checked:
      description: With O(summary=true), how many files were checked.
      type: int
      returned: O(summary=true)
    files:
      description: The files (or the path without files) the problem is about; two or more for a rule across files.
      type: list
      elements: str
    field:
      description: The endpoint key the problem is about, when it is about one key.
      type: str
    message:
      description:
        - 'For a problem, one line, C(file: field: problem), never containing the token.'
        - 'With O(summary=true), what was checked and what was found: C(5 files checked: no problem) or
          C(5 files checked: 2 problems).'
      type: str
"""

import os
import stat
import tempfile

from ansible.errors import AnsibleError, AnsibleLookupError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import (
    MAX_ENDPOINT_BYTES,
    EndpointError,
    layout_warnings,
    parse_endpoint,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._set_rules import set_problems, set_warnings
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import is_sealed
from ansible_collections.netbackup.nbwss.plugins.plugin_utils._wording import checked_summary, counted

display = Display()

VAULT_HEADER = b'$ANSIBLE_VAULT;'
# Vault output is hex of the ciphertext plus a header: a little over twice the plaintext.
MAX_VAULT_BYTES = MAX_ENDPOINT_BYTES * 3


# What is found where a file should be, by its stat mode; anything else is "not a regular file".
_KINDS = ((stat.S_ISFIFO, 'a FIFO'), (stat.S_ISSOCK, 'a socket'), (stat.S_ISCHR, 'a character device'),
          (stat.S_ISBLK, 'a block device'), (stat.S_ISDIR, 'a directory'))


def endpoint_files(path):
    """Every *.json entry under ``path``, sorted (regular or not); AnsibleLookupError if the path does not exist."""
    path = os.path.abspath(os.path.expanduser(path))
    if os.path.isdir(path):
        found = []
        for root, dirs, files in os.walk(path):
            dirs.sort()
            found.extend(os.path.join(root, name) for name in sorted(files) if name.endswith('.json'))
        return found
    if os.path.exists(path):
        # A file named on its own is checked whatever it is: _read refuses what is not a regular file.
        return [path]
    raise AnsibleLookupError('%s: no such file or directory' % path)


def irregular_kind(mode):
    """None for a regular file's stat mode, else what it is (``a FIFO``...)."""
    if stat.S_ISREG(mode):
        return None
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return 'an unknown kind of file'


def read_regular_file(path, limit):
    """At most ``limit`` bytes of ``path``; EndpointError if it is not a regular file (symbolic links followed).

    Checked before opening, and opened non-blocking and checked again on the open descriptor, so a
    FIFO (also one swapped in after the check) is a problem, never a read that waits for a writer.
    """
    kind = irregular_kind(os.stat(path).st_mode)
    if kind is None:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_NOCTTY', 0))
        with os.fdopen(descriptor, 'rb') as handle:
            kind = irregular_kind(os.fstat(handle.fileno()).st_mode)
            if kind is None:
                return handle.read(limit)
    raise EndpointError('not a regular file (%s)' % kind, source=path)


def problem_rows(error):
    """One problem row per line of an EndpointError."""
    return [{'files': [error.source], 'field': field, 'message': line}
            for (field, dummy), line in zip(error.problems, error.lines())]


class LookupModule(LookupBase):

    def _read(self, path):
        head = read_regular_file(path, MAX_VAULT_BYTES + 1)
        if not head.startswith(VAULT_HEADER):
            return head
        if len(head) > MAX_VAULT_BYTES:
            raise EndpointError('file is larger than %d bytes; an endpoint file is a small JSON object'
                                % MAX_ENDPOINT_BYTES, source=path)
        return self._decrypt(head, path)

    def _decrypt(self, vaulted, path):
        """The plaintext of the vault bytes already read from ``path``, decrypted from a private copy (``path`` is
        not opened again, so it cannot be swapped for a FIFO in between); raise EndpointError."""
        descriptor, copy = tempfile.mkstemp(prefix='nbwss-vaulted-')
        real = None
        try:
            with os.fdopen(descriptor, 'wb') as handle:
                handle.write(vaulted)
            real = self._loader.get_real_file(copy, decrypt=True)
            with open(real, 'rb') as handle:
                return handle.read(MAX_ENDPOINT_BYTES + 1)
        except AnsibleError:
            # Ansible's message may quote vault ids and paths, never content; ours is shorter.
            raise EndpointError('is vault-encrypted and cannot be decrypted with the vault secrets of this run '
                                '(--vault-id, --vault-password-file or --ask-vault-pass)', source=path)
        finally:
            if real is not None:
                self._loader.cleanup_tmp_file(real)
            os.unlink(copy)

    def _check_file(self, path):
        """``(Endpoint or None, problem rows)`` for one file; warnings about its layout are shown."""
        try:
            data = self._read(path)
            if is_sealed(data):
                raise EndpointError('is a sealed endpoint file; validate the plain or vault-encrypted source instead',
                                    source=path)
            endpoint = parse_endpoint(data, source=path)
        except EndpointError as error:
            return None, problem_rows(error)
        except (IOError, OSError) as error:
            return None, [{'files': [path], 'field': None, 'message': '%s: cannot be read: %s' % (path, error.strerror)}]
        for warning in layout_warnings(data, source=path) + endpoint.warnings():
            display.warning(warning)
        return endpoint, []

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        paths = [to_native(term) for term in self._flatten(terms)]
        problems = []
        sets = {}
        seen = set()
        for path in paths:
            files = endpoint_files(path)
            if not files and not self.get_option('allow_empty'):
                problems.append({'files': [path], 'field': None,
                                 'message': 'no endpoint files found under %s (no *.json file); check the path, or set '
                                            'allow_empty (nbwss_validate_allow_empty=true) if that is expected' % path})
            for file_path in files:
                if file_path in seen:
                    continue
                seen.add(file_path)
                endpoint, rows = self._check_file(file_path)
                problems.extend(rows)
                if endpoint is not None:
                    key = os.path.dirname(file_path) if self.get_option('set_per') == 'directory' else None
                    sets.setdefault(key, []).append(endpoint)
        for dummy, endpoints in sorted(sets.items(), key=lambda item: item[0] or ''):
            conflicts = set_problems(endpoints)
            problems.extend({'files': conflict.sources, 'field': None, 'message': conflict.message} for conflict in conflicts)
            if not conflicts:
                for warning in set_warnings(endpoints):
                    display.warning(warning)
        if self.get_option('summary'):
            result = checked_summary(problems, [counted(len(seen), 'file')])
            result['files_checked'] = len(seen)
            return [result]
        return problems
