# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Command line: ``python -m tools.cloudapp --config FILE --state-dir DIR``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from .app import serve
from .config import ConfigError, load_file


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, load the config and run the application."""
    parser = argparse.ArgumentParser(prog="python -m tools.cloudapp", description="Reference NBWSS cloud application (loopback only).")
    parser.add_argument("--config", required=True, help="YAML file with endpoints and providers")
    parser.add_argument("--state-dir", required=True, help="directory for state.json, CA bundles, keys and logs")
    parser.add_argument("--verbose", action="store_true", help="log debug details to stderr (also CLOUDAPP_VERBOSE=1)")
    args = parser.parse_args(argv)
    args.verbose = args.verbose or os.environ.get("CLOUDAPP_VERBOSE") == "1"
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s cloudapp %(levelname)s %(name)s: %(message)s")
    # websockets' DEBUG level prints frame contents, CONNECT tokens included: never below INFO. Its INFO lines
    # (every connection opened and closed) are noise unless asked for; its warnings and handler errors always show.
    logging.getLogger("websockets").setLevel(logging.INFO if args.verbose else logging.WARNING)
    try:
        config = load_file(args.config)
    except (OSError, ConfigError) as exc:
        print(f"cloudapp: invalid config {args.config}: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(serve(config, args.state_dir))
    except OSError as exc:
        print(f"cloudapp: cannot start: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
