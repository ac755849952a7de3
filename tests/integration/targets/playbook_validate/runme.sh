#!/usr/bin/env bash
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The collection's playbook netbackup.nbwss.validate, run as a CI pipeline runs it: runme.yml writes endpoint
# files and inventories (tokens vaulted with a password file made here) and runs ansible-playbook on them.
# ansible-test passes its verbosity as arguments.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c 24 /dev/urandom | base64 > "$work/vault-pass"

ansible-playbook -i inventory runme.yml -e "validate_work=$work" \
  -e "validate_ansible_playbook=$(command -v ansible-playbook)" "$@"
