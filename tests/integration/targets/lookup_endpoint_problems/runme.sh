#!/usr/bin/env bash
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The lookup netbackup.nbwss.endpoint_problems on good and bad endpoint files (runme.yml). A runme.sh target,
# because the run needs vault secrets: a vault password file made here, and another password the run is not
# given. Then the run's whole output: no token of the test in it, and the warnings the lookup must show.
# ansible-test passes its verbosity as arguments.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c 24 /dev/urandom | base64 > "$work/vault-pass"
head -c 24 /dev/urandom | base64 > "$work/other-vault-pass"

rc=0
ansible-playbook -i inventory runme.yml --vault-password-file "$work/vault-pass" -e "lookup_work=$work" "$@" \
  2>&1 | tee "$work/output" || rc=$?
[ "$rc" = 0 ] || exit "$rc"

# Tokens of the suite look like nbwss<Word>Tok3n-...: none may be in the output, at any verbosity.
if grep -qE 'nbwss[A-Za-z]*Tok3n-[A-Za-z0-9]' "$work/output"; then
  echo "FAILED: a token of the test appears in the output above"
  exit 1
fi
# Warnings do not count as problems, but they are shown (ansible-core before 2.19 wraps them).
flat=$(tr -s ' \n' '  ' < "$work/output")
for warning in \
  'groupId LONELY has a single endpoint, so NetBackup has nothing to fail over to' \
  'warned/other.json: hostName: differs from the host of url (third.example.com); NetBackup connects to the url host'; do
  case "$flat" in
    *"$warning"*) ;;
    *) echo "FAILED: the warning '$warning' is not in the output"; exit 1 ;;
  esac
done
echo "lookup_endpoint_problems: no token in the output; the warnings were shown"
