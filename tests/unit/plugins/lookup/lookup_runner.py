# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run one of the collection's lookups in-process, as a template would, and collect its warnings."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import yaml

from ansible import constants as C
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar


class LookupRun(object):
    """One lookup plugin module made runnable without the plugin loader (which would install the collection
    finder in the test process): its options are registered under its FQCN as the loader would."""

    def __init__(self, module, monkeypatch):
        self.module = module
        self.warnings = []
        monkeypatch.setattr(module.display, 'warning', lambda message, *args, **kwargs: self.warnings.append(message))
        self.name = 'netbackup.nbwss.%s' % module.__name__.rsplit('.', 1)[-1]
        C.config.initialize_plugin_configuration_definitions('lookup', self.name,
                                                             yaml.safe_load(module.DOCUMENTATION)['options'])

    def __call__(self, terms=(), variables=None, **options):
        loader = DataLoader()
        lookup = self.module.LookupModule(loader=loader, templar=Templar(loader=loader, variables=variables or {}))
        lookup._load_name = self.name  # pylint: disable=protected-access
        return lookup.run(list(terms), variables=variables or {}, **options)
