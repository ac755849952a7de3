# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # Key options, requirements and notes for modules that read or write sealed endpoint files.
    # ansible-doc refuses a fragment without options or attributes, so the key options live here.
    # The minimum version must equal MINIMUM_CRYPTOGRAPHY_VERSION in plugins/module_utils/_cryptography.py.
    DOCUMENTATION = r'''
options:
  key:
    description:
      - The current key for sealed files, 32 random bytes in base64 (for example from C(openssl rand -base64 32)).
        Keep it in Ansible Vault.
      - Existing sealed files are opened with it or with one of O(previous_keys). Modules that write files seal
        new and changed files with it.
      - Mutually exclusive with O(key_file).
    type: str
  key_file:
    description:
      - A file on the managed host that holds the current key as base64 text, instead of O(key).
      - Like ssh with a private key, the task refuses a key file that group or others may access; make it C(0600)
        or C(0400). The message gives the command to fix it.
    type: path
  previous_keys:
    description:
      - Older keys (base64 text) accepted to open existing sealed files during a key rotation.
      - Never used to seal.
    type: list
    elements: str
requirements:
  - cryptography >= 3.3 (on the managed host, only for sealed files)
notes:
  - >-
    Sealed files are encrypted at rest with AES-256-GCM. The envelope, the key id and key rotation are
    described in C(docs/sealed-format.md) in the collection.
  - >-
    A key is 32 random bytes written as base64, for example from C(openssl rand -base64 32). Keep it in
    Ansible Vault, or in a key file on the managed host that only its owner can read (mode C(0600)).
  - >-
    Key ids shown in results and errors identify a key without revealing it.
  - >-
    Secret options are C(no_log). A misspelled option name (for example C(previous_key:) for O(previous_keys)) is
    not an option of the module, so no module can mask it: Ansible shows it when it reports the unknown option.
    Check option names before putting secrets in them, or set C(no_log) on the task.
'''
