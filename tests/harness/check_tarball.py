# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fail when a Python file in the built collection imports code the collection does not ship.

Usage: python tests/harness/check_tarball.py netbackup-nbwss-X.Y.Z.tar.gz

Checks every ``*.py`` in the tarball: an import of ``tools`` or ``benchmarks`` (never shipped), or
of an ``ansible_collections.netbackup.nbwss`` module that is not in the tarball, is reported with
the file and line, and the exit status is 1.
"""

from __future__ import annotations

import ast
import sys
import tarfile

PREFIX = 'ansible_collections.netbackup.nbwss.'
UNSHIPPED = ('tools', 'benchmarks')


def imported_names(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module


def problems(path):
    with tarfile.open(path) as tar:
        members = dict((m.name, m) for m in tar.getmembers() if m.isfile())
        shipped = set(name[:-3].replace('/', '.') for name in members if name.endswith('.py'))
        shipped |= set(name.replace('/', '.') for name in members if name.endswith('/__init__.py'))
        packages = set(name.rsplit('/', 1)[0].replace('/', '.') for name in members if name.endswith('.py'))
        found = []
        for name, member in sorted(members.items()):
            if not name.endswith('.py'):
                continue
            tree = ast.parse(tar.extractfile(member).read(), name)
            for line, module in imported_names(tree):
                top = module.split('.')[0]
                if top in UNSHIPPED:
                    found.append('%s:%d: imports %s, which is not shipped' % (name, line, module))
                elif module.startswith(PREFIX):
                    local = module[len(PREFIX):]
                    if local not in shipped and local not in packages:
                        found.append('%s:%d: imports %s, which is not in the tarball' % (name, line, module))
        return found, sum(1 for name in members if name.endswith('.py'))


def main(argv):
    found, checked = problems(argv[1])
    for line in found:
        print('   ' + line)
    print('   tarball imports: %d Python files checked, %d import(s) of unshipped code' % (checked, len(found)))
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
