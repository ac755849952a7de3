#!/usr/bin/env bash
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The lookup netbackup.nbwss.endpoint_var_problems on good and bad inventories and on a play's own hosts
# (runme.yml). A runme.sh target, because the run needs vault secrets: a vault password file made here, and
# another password the run is not given. Then the run's whole output: no token or key of the test in it, and
# the warnings the lookup must show. ansible-test passes its verbosity as arguments.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c 24 /dev/urandom | base64 > "$work/vault-pass"
head -c 24 /dev/urandom | base64 > "$work/other-vault-pass"

# ansible-test sets ANSIBLE_HOST_PATTERN_MISMATCH=error; with it, a hosts pattern that matches nothing makes the
# lookup fail with Ansible's own message instead of returning its problem (or nothing, with allow_empty).
# The cases run with Ansible's default, as users have it.
export ANSIBLE_HOST_PATTERN_MISMATCH=warning
rc=0
ansible-playbook -i inventory runme.yml --vault-password-file "$work/vault-pass" -e "lookup_work=$work" "$@" \
  2>&1 | tee "$work/output" || rc=$?
[ "$rc" = 0 ] || exit "$rc"

# Tokens of the suite look like nbwss<Word>Tok3n-...; the test key is in vars.yml. Neither may be in the output.
key=$(sed -n 's/^lookup_key: //p' vars.yml)
if grep -qE 'nbwss[A-Za-z]*Tok3n-[A-Za-z0-9]' "$work/output" || grep -qF -e "$key" "$work/output"; then
  echo "FAILED: a token or the key of the test appears in the output above"
  exit 1
fi
# Warnings do not count as problems, but they are shown (ansible-core before 2.19 wraps them).
flat=$(tr -s ' \n' '  ' < "$work/output")
for warning in \
  'm5: nbwss_probe_failon is not a variable of the netbackup.nbwss.rollout role; did you mean nbwss_probe_fail_on?' \
  'groupId SOLO has a single endpoint, so NetBackup has nothing to fail over to'; do
  case "$flat" in
    *"$warning"*) ;;
    *) echo "FAILED: the warning '$warning' is not in the output"; exit 1 ;;
  esac
done
echo "lookup_endpoint_var_problems: no token or key in the output; the warnings were shown"
