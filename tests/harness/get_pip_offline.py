# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline stand-in for pip's get-pip.py bootstrap script, used by ansible-test --venv.

ansible-test downloads get-pip.py from a host this machine cannot reach, unless a cached copy
sits at ~/.ansible/test/cache/get_pip_<version>.py. This file is installed there by the test
harness. It bootstraps pip with the standard library's ensurepip and then installs exactly
what ansible-test asked for (for example ``pip==24.2``) from the package index.
"""

from __future__ import annotations

import subprocess
import sys

# get-pip.py options that are not pip install options.
GET_PIP_ONLY = {'--no-setuptools', '--no-wheel'}


def main() -> None:
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'], stdout=subprocess.DEVNULL)
    subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--quiet'] + args)


if __name__ == '__main__':
    main()
