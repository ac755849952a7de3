# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rollout role's files agree with each other: the option -> variable map of its error hints and its tasks."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

import pytest
import yaml

ROLE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
                    'roles', 'rollout')


def load(*parts):
    with open(os.path.join(ROLE, *parts)) as handle:
        return yaml.safe_load(handle)


def module_args(task_file, module):
    task = next(task for task in load('tasks', task_file) if module in task)
    return task[module]


@pytest.mark.parametrize('stage, task_file, module', [
    ('deploy', 'deploy.yml', 'netbackup.nbwss.endpoint_set'),
    ('probe', 'probe.yml', 'netbackup.nbwss.probe'),
])
def test_the_hint_map_names_the_variable_each_task_passes_to_each_option(stage, task_file, module):
    passed = dict((option, re.search(r'\b(nbwss_\w+)', value).group(1))
                  for option, value in module_args(task_file, module).items())
    assert load('vars', 'main.yml')['rollout_option_variables'][stage] == passed


def test_every_variable_the_tasks_read_is_documented_in_the_argument_spec():
    documented = set(load('meta', 'argument_specs.yml')['argument_specs']['main']['options'])
    used = set()
    for name in os.listdir(os.path.join(ROLE, 'tasks')):
        with open(os.path.join(ROLE, 'tasks', name)) as handle:
            used.update(re.findall(r'\b(nbwss_\w+)', handle.read()))
    assert used - documented == set()
