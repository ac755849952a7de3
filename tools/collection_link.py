# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""This checkout as an installed collection, for ANSIBLE_COLLECTIONS_PATH (the demo and the benchmarks)."""

from __future__ import annotations

import os

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def link_collection(scratch: str) -> str:
    """Make SCRATCH/collections/ansible_collections/netbackup/nbwss a link to this checkout; return SCRATCH/collections."""
    tree = os.path.join(scratch, 'collections')
    os.makedirs(os.path.join(tree, 'ansible_collections', 'netbackup'))
    os.symlink(REPO_ROOT, os.path.join(tree, 'ansible_collections', 'netbackup', 'nbwss'))
    return tree
