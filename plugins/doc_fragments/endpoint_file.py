# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # Options of the modules that write endpoint files (endpoint, endpoint_set).
    # The behaviour is in plugins/module_utils/_endpoint_file.py and _files.py; keep the two in step.
    DOCUMENTATION = r'''
options:
  format:
    description:
      - V(sealed) writes the endpoint inside an encrypted, authenticated envelope (see C(docs/sealed-format.md)).
        It needs O(key) or O(key_file).
      - V(plain) writes the canonical JSON that the NetBackup WebSocket Server dialog imports (the five keys in
        a stable order, UTF-8, beginning with C({) and ending with C(}) as the reference guide asks, without a
        final newline). It holds the token in clear text, so remove it after the import.
      - Changing the format of an existing file rewrites it (reason V(updated)).
    type: str
    choices: [sealed, plain]
    default: sealed
  force:
    description:
      - Replace an existing file that cannot be read or used, for example one sealed with a key that is neither
        O(key) nor in O(previous_keys), tampered with, of an unknown sealed format, sealed while no key is given,
        or not a valid endpoint (invalid JSON for example).
      - Without O(force) such a file makes the task fail with a message naming the file and the reason, and the
        file is left untouched.
    type: bool
    default: false
  backup:
    description:
      - Keep the old file when it is replaced or removed, named with a timestamp beside it
        (C(<file>.<pid>.<YYYY-MM-DD@HH:MM:SS>~)).
      - The backup is the old file itself (hard-linked before the replacement, or renamed for a removal), so it keeps
        its mode and owner and never exists with looser ones. It holds the old token, and
        M(netbackup.nbwss.endpoint_info) lists backups in its warnings; remove them when no longer needed.
    type: bool
    default: false
  mode:
    description:
      - Permissions of the file, as for M(ansible.builtin.file) (octal string such as V('0600'), or symbolic such
        as V(u=rw,g=,o=)).
      - The file holds a token, so a mode that gives others any access, or that does not let the owner read and
        write, is refused. Group access is allowed (for example V('0640')).
      - Quote octal values in YAML. An unquoted V(600) reaches the module as the decimal number 600 (octal 1130) and
        is refused with a message saying to quote it.
      - The default keeps the token readable by the owner only, also for an existing file with another mode.
    type: raw
    default: '0600'
  owner:
    description:
      - Owner (name or uid) of the file. By default an existing file keeps its owner and a new one belongs to the
        user the task runs as.
    type: str
  group:
    description:
      - Group (name or gid) of the file. By default an existing file keeps its group.
    type: str
notes:
  - >-
    Idempotence compares meaning: an existing file is read (and unsealed) and its endpoint is compared with the
    wanted one. Ciphertext is never compared, and an existing file with the same meaning, format and key is not
    rewritten, even when its bytes differ from the canonical form.
  - >-
    A file sealed with a key from O(previous_keys) is re-sealed with O(key) and reported with reason V(rekeyed).
  - >-
    Writes are atomic: a temporary file in the same directory gets the final mode, owner and SELinux context
    before any byte is written, is synced and renamed over the file. Symbolic links and directories at the path
    are refused. Before the first write, everything that would stop it is checked (directory writable, no
    directory or immutable file at the path, ownership), also in check mode, so that nothing is half done.
  - >-
    A write killed at the wrong moment (SIGKILL, power loss) can leave a hidden temporary file
    C(.<file>.<random>.nbwss-tmp) in the directory. The next write into the directory removes every such file
    that no process holds a lock on and that is older than 5 seconds (one hour on a filesystem without locks), so
    that a concurrent run's live temporary file is never touched. They are reported as RV(stale_temp_removed).
  - >-
    Files over 64 KiB (plain) or 1 MiB (sealed) are not read as endpoint files.
'''
