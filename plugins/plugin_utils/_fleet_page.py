# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""fleet.html of a fleet view: the rollout role's page template, rendered by Jinja2 itself.

The template is the collection's own and reads one variable, the view (plain JSON data, as in fleet.json), so
Ansible's templating adds nothing to it but cost: under ansible-core 2.19 and later its lazy containers wrap every
value the page reads (5.3 s against 0.3 s for a page of 500 masters). Jinja2 is a dependency of ansible-core, so it
is on every controller. The environment is set as Ansible's template lookup sets it (blocks trimmed, the last newline
kept, None printed as nothing, an undefined name an error unless defaulted, the two Ansible filters the page uses),
so the page is byte for byte the same; tests/playbooks/test_fleet_page.py checks it under each ansible-core.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import jinja2

PAGE_TEMPLATE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                             'roles', 'rollout', 'templates', 'fleet.html.j2')


class _Undefined(jinja2.StrictUndefined):
    """Undefined as Ansible has it: an attribute or item of it is undefined too, so ``r.failure.msg | default('')``
    works; printing it, iterating it or testing it is an error."""

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return self

    def __getitem__(self, key):
        return self


def _finalize(value):
    return '' if value is None else value


def _environment():
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.dirname(PAGE_TEMPLATE)),
                                     undefined=_Undefined, trim_blocks=True, keep_trailing_newline=True,
                                     finalize=_finalize)
    environment.filters.update(basename=os.path.basename, zip=zip)
    return environment


def render_page(view):
    """The page of ``view``; raises jinja2.TemplateError when it cannot be rendered."""
    return _environment().get_template(os.path.basename(PAGE_TEMPLATE)).render(rollout_view=view)
