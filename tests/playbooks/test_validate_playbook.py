# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real ansible-playbook runs of netbackup.nbwss.validate, the CI check before a rollout."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import json
import os
import shutil
import subprocess
import sys

import pytest

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'unit', 'fixtures', 'endpoints')
GOOD = os.path.join(FIXTURES, 'good')
BAD = os.path.join(FIXTURES, 'bad')
BIN = os.path.dirname(sys.executable)
LOGS = os.environ.get('NBWSS_LOG_DIR')


def endpoint_file(directory, name, token, group='G1', priority=1, host='cloud.example.com'):
    value = {'token': token, 'priority': priority, 'groupId': group, 'hostName': host,
             'url': 'wss://%s:14146/%s' % (host, name)}
    path = os.path.join(str(directory), name)
    with open(path, 'w') as handle:
        json.dump(value, handle)
    return path


def run_validate(path, *extra):
    """Run the playbook as a CI pipeline would; return (rc, combined output)."""
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_DEPRECATION_WARNINGS='false')
    env.setdefault('ANSIBLE_COLLECTIONS_PATH', os.environ.get('ANSIBLE_COLLECTIONS_PATH', ''))
    cmd = [os.path.join(BIN, 'ansible-playbook'), 'netbackup.nbwss.validate', '-e', 'nbwss_validate_path=%s' % path]
    proc = subprocess.run(cmd + list(extra), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=120, check=False)
    if LOGS:
        # The suite's leak scan reads every log written here.
        with open(os.path.join(LOGS, 'playbooks.log'), 'a') as log:
            log.write(proc.stdout)
    return proc.returncode, proc.stdout


def failed_lines(output):
    return [line for line in output.splitlines() if line.startswith('failed: [localhost]')]


def test_one_bad_file_fails_naming_only_that_file(tmp_path):
    endpoint_file(tmp_path, 'a.json', 'nbwssPlaybookTok3n-aaaa', priority=1)
    endpoint_file(tmp_path, 'b.json', 'nbwssPlaybookTok3n-bbbb', priority=2)
    shutil.copy(os.path.join(BAD, '06_ws_scheme.json'), str(tmp_path / 'c.json'))
    rc, output = run_validate(tmp_path)
    assert rc == 2
    lines = failed_lines(output)
    assert len(lines) == 1
    assert '%s: url: uses ws://' % (tmp_path / 'c.json') in lines[0]
    assert 'a.json' not in output and 'b.json' not in output


def test_two_files_sharing_group_and_priority_fail_naming_both(tmp_path):
    first = endpoint_file(tmp_path, 'first.json', 'nbwssPlaybookTok3n-cccc', group='GX', priority=3)
    second = endpoint_file(tmp_path, 'second.json', 'nbwssPlaybookTok3n-dddd', group='GX', priority=3)
    rc, output = run_validate(tmp_path)
    assert rc == 2
    lines = failed_lines(output)
    assert len(lines) == 1
    assert '%s, %s: groupId GX has priority 3 more than once' % (first, second) in lines[0]


def test_valid_directory_succeeds_quietly(tmp_path):
    endpoint_file(tmp_path, 'a.json', 'nbwssPlaybookTok3n-eeee', priority=1)
    endpoint_file(tmp_path, 'b.json', 'nbwssPlaybookTok3n-ffff', priority=2)
    (tmp_path / 'notes.txt').write_text(u'not an endpoint file, not a *.json file')
    rc, output = run_validate(tmp_path)
    assert rc == 0, output
    assert 'failed=0' in output
    assert 'WARNING' not in output.replace('[WARNING]: No inventory', '').replace('[WARNING]: provided hosts', '')


def test_single_endpoint_group_is_a_warning_not_a_failure(tmp_path):
    endpoint_file(tmp_path, 'lonely.json', 'nbwssPlaybookTok3n-gggg', group='ALONE')
    rc, output = run_validate(tmp_path)
    assert rc == 0, output
    # ansible-core before 2.19 wraps warnings at the terminal width.
    assert 'groupId ALONE has a single endpoint, so NetBackup has nothing to fail over to' in ' '.join(output.split())


def test_whole_bad_corpus_reports_one_line_per_file_without_tokens(tmp_path):
    for name in os.listdir(BAD):
        if name.endswith('.json') and name != 'expected.json':
            shutil.copy(os.path.join(BAD, name), str(tmp_path / name))
        elif name.endswith('.json.b64'):
            with open(os.path.join(BAD, name), 'rb') as handle:
                (tmp_path / name[:-len('.b64')]).write_bytes(base64.b64decode(handle.read()))
    rc, output = run_validate(tmp_path, '-vvvv', '--diff')
    assert rc == 2
    with open(os.path.join(BAD, 'expected.json')) as handle:
        expected = json.load(handle)
    lines = failed_lines(output)
    assert len(lines) == len(expected)
    for name, field in expected.items():
        prefix = '%s: %s: ' % (tmp_path / name, field) if field else '%s: ' % (tmp_path / name)
        assert '"msg": "%s' % prefix in output, name
    assert 'nbwssFixtureTok3n' not in output


def test_vault_encrypted_files_are_decrypted_and_checked(tmp_path):
    password = tmp_path / 'vault-pass'
    password.write_text(u'correct horse battery staple\n')
    files = tmp_path / 'endpoints'
    files.mkdir()
    good = endpoint_file(files, 'vaulted-good.json', 'nbwssPlaybookTok3n-hhhh', priority=1)
    bad = endpoint_file(files, 'vaulted-bad.json', "nbwssPlaybookTok3n-ii'ii", priority=2)
    for path in (good, bad):
        subprocess.run([os.path.join(BIN, 'ansible-vault'), 'encrypt', '--vault-password-file', str(password), path],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(path, 'rb') as handle:
            assert handle.read().startswith(b'$ANSIBLE_VAULT;')
    rc, output = run_validate(files, '--vault-password-file', str(password), '-vvvv')
    assert rc == 2
    lines = failed_lines(output)
    assert len(lines) == 1 and lines[0].startswith('failed: [localhost] (item=%s)' % bad)
    assert '"msg": "%s: token: contains an apostrophe' % bad in output
    assert 'nbwssPlaybookTok3n' not in output


@pytest.mark.parametrize('where', ['missing'])
def test_missing_path_fails_with_a_clear_message(tmp_path, where):
    rc, output = run_validate(tmp_path / where)
    assert rc == 2
    assert '%s: no such file or directory' % (tmp_path / where) in output
