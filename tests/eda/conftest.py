# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection's Event-Driven Ansible side under a real ansible-rulebook (make eda, on .venv-eda), against the
reference cloud application (tools/cloudapp, run by NBWSS_CLOUDAPP_PYTHON)."""

from __future__ import annotations

import os
import sys

# tools/ is not a package of the collection: it is imported from the repository root.
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)
