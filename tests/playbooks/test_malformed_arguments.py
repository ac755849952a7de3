# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Malformed module arguments at -vvvv --diff: the token and the key never show, on any ansible-core.

ansible-core 2.16 and 2.19 printed both in clear here, because their sub-option validation stops
collecting no_log values at a malformed element and never masks a misspelled sub-option. The
suite runs this file on 2.16, 2.19 and 2.21; every run's output also goes to the leak scan.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess
import sys

import pytest

BIN = os.path.dirname(sys.executable)
LOGS = os.environ.get('NBWSS_LOG_DIR')
TOKEN = 'nbwssMalformedTok3n-Zq81Lp0Xv'
KEY = 'kT0m3lYw8dJq4Zs2nV6pB1cR9xE5uA7hG3fL0iO2yWk='
GOOD = {'token': TOKEN, 'priority': 1, 'groupId': 'G1', 'hostName': 'cloud.example.com',
        'url': 'wss://cloud.example.com/nbwss'}

# Each case: the module, its arguments as YAML (the secrets come from a vars file, so that no
# version's error display of the playbook source can show them).
CASES = {
    'stray_empty_element': ('endpoint_set', 'endpoints:\n          - "{{ good }}"\n          -'),
    'element_is_a_string': ('endpoint_set', 'endpoints:\n          - "{{ good.token }}"'),
    'endpoints_is_a_string': ('endpoint_set', 'endpoints: "{{ good.token }}"'),
    'misspelled_token': ('endpoint_set', 'endpoints:\n          - "{{ good | combine({\'tokne\': good.token}) }}"'),
    'capitalised_token': ('endpoint_set', 'endpoints:\n          - "{{ good | dict2items | map(\'combine\', {}) | '
                                          'items2dict | combine({\'Token\': good.token}) }}"'),
    'token_is_a_list': ('endpoint_set', 'endpoints:\n          - "{{ good | combine({\'token\': [good.token]}) }}"'),
    'endpoint_is_a_string': ('endpoint', 'endpoint: "{{ good.token }}"'),
    'endpoint_misspelled': ('endpoint', 'endpoint: "{{ good | combine({\'tokne\': good.token}) }}"'),
    'content_is_a_list': ('endpoint', 'content: ["{{ good.token }}"]'),
    'unknown_top_level_option': ('endpoint_set', 'endpoints: ["{{ good }}"]\n        purgee: true'),
}


def playbook(tmp_path, module, arguments):
    directory = tmp_path / 'dir'
    directory.mkdir(exist_ok=True)
    target = 'dir: %s' % directory if module == 'endpoint_set' else 'path: %s/e.sealed' % directory
    (tmp_path / 'secrets.yml').write_text(
        u'good: {token: %s, priority: 1, groupId: G1, hostName: cloud.example.com, url: "wss://cloud.example.com/nbwss"}\n'
        u'nbwss_key: "%s"\n' % (TOKEN, KEY))
    (tmp_path / 'play.yml').write_text(u'''- hosts: localhost
  gather_facts: false
  vars_files: [secrets.yml]
  tasks:
    - name: A malformed call
      netbackup.nbwss.%s:
        key: "{{ nbwss_key }}"
        %s
        %s
''' % (module, target, arguments))
    return tmp_path / 'play.yml', directory


@pytest.mark.parametrize('case', sorted(CASES))
def test_malformed_arguments_never_show_the_token_or_the_key(tmp_path, case):
    module, arguments = CASES[case]
    play, directory = playbook(tmp_path, module, arguments)
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_DEPRECATION_WARNINGS='false')
    cmd = [os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', '-vvvv', '--diff',
           '-e', 'ansible_python_interpreter=%s' % sys.executable, str(play)]
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          timeout=120, check=False, cwd=str(tmp_path))
    if LOGS:
        with open(os.path.join(LOGS, 'playbooks.log'), 'a') as log:
            log.write(proc.stdout)

    assert proc.returncode == 2, proc.stdout[-3000:]
    assert 'fatal: [localhost]' in proc.stdout
    for secret in (TOKEN, KEY, KEY.rstrip('=')):
        assert secret not in proc.stdout, case
    assert os.listdir(str(directory)) == []
