#!/usr/bin/env bash
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The rollout role (playbook netbackup.nbwss.rollout) end to end: runme.yml starts the reference cloud
# application, writes inventories of three simulated masters and runs ansible-playbook on them, step by step.
# ansible-test passes its verbosity as arguments, puts tests/integration/integration_config.yml (written by the
# Makefile: nbwss_collection_root, nbwss_cloudapp_python) two directories up, and exports ANSIBLE_COLLECTIONS_PATH.
set -eu
export ANSIBLE_ROLES_PATH=..
ansible-playbook -i inventory runme.yml -e @../../integration_config.yml \
  -e "rollout_ansible_playbook=$(command -v ansible-playbook)" "$@"
