# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference NBWSS cloud application: wss endpoints and provider URLs on loopback, with fault modes.

Start it with ``python -m tools.cloudapp --config FILE --state-dir DIR`` or, from Python, with
:func:`run_in_subprocess`. See docs/cloudapp.md.
"""

from __future__ import annotations

from .config import ENDPOINT_FAULTS, PROVIDER_FAULTS, ConfigError
from .certs import CERT_KINDS
from .launcher import CloudApp, CloudAppError, run_in_subprocess

__all__ = ["CERT_KINDS", "ENDPOINT_FAULTS", "PROVIDER_FAULTS", "CloudApp", "CloudAppError", "ConfigError", "run_in_subprocess"]
