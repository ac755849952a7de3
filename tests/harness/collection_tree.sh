#!/usr/bin/env bash
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Copy the files git sees (tracked, or new and not ignored) into DEST/ansible_collections/netbackup/nbwss.
# ansible-test refuses symlinked trees, so this is a real copy. tools/ and benchmarks/ come along:
# they are not shipped (galaxy.yml build_ignore) but are held to the same sanity checks.
set -euo pipefail
dest=${1:?usage: collection_tree.sh DEST}
top=$(git rev-parse --show-toplevel)
tree="$dest/ansible_collections/netbackup/nbwss"
rm -rf "$tree"
mkdir -p "$tree"
cd "$top"
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
  | xargs -0 cp --parents -t "$tree"
echo "$tree"
