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
    """Run the playbook on endpoint files as a CI pipeline would; return (rc, combined output)."""
    return run_playbook('-e', 'nbwss_validate_path=%s' % path, *extra)


def run_playbook(*args):
    """Run netbackup.nbwss.validate with ``args``; return (rc, combined output)."""
    return ansible_playbook('-i', 'localhost,', 'netbackup.nbwss.validate', *args)


def ansible_playbook(*args):
    """Run ansible-playbook with ``args``, its output logged for the leak scan; return (rc, combined output)."""
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_DEPRECATION_WARNINGS='false')
    env.setdefault('ANSIBLE_COLLECTIONS_PATH', os.environ.get('ANSIBLE_COLLECTIONS_PATH', ''))
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook')] + list(args), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, timeout=120, check=False)
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
    assert 'WARNING' not in output


def test_single_endpoint_group_is_a_warning_not_a_failure(tmp_path):
    endpoint_file(tmp_path, 'lonely.json', 'nbwssPlaybookTok3n-gggg', group='ALONE')
    rc, output = run_validate(tmp_path)
    assert rc == 0, output
    # ansible-core before 2.19 wraps warnings at the terminal width.
    assert 'groupId ALONE has a single endpoint, so NetBackup has nothing to fail over to' in ' '.join(output.split())


def test_whole_bad_corpus_reports_every_file_without_tokens(tmp_path):
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
    # One line per problem: a file with two problems has two lines.
    assert len(lines) >= len(expected)
    assert sorted(set(line.split('(item=')[1].split(')')[0] for line in lines)) == sorted(str(tmp_path / n) for n in expected)
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


# --- a CI gate that cannot pass on nothing --------------------------------------------------------

@pytest.mark.parametrize('layout', ['empty', 'other_extensions'])
def test_a_path_without_endpoint_files_fails_unless_allowed(tmp_path, layout):
    if layout == 'other_extensions':
        (tmp_path / 'endpoint.yaml').write_text(u'token: x\n')
        (tmp_path / 'README.md').write_text(u'notes\n')

    rc, output = run_validate(tmp_path)
    allowed_rc, allowed = run_validate(tmp_path, '-e', 'nbwss_validate_allow_empty=true')

    assert rc == 2 and 'no endpoint files found under %s' % tmp_path in output
    assert allowed_rc == 0, allowed


def test_set_rules_per_directory_for_one_folder_per_master(tmp_path):
    for master in ('master1', 'master2'):
        (tmp_path / master).mkdir()
        endpoint_file(tmp_path / master, 'a.json', 'nbwssPlaybookTok3n-%s-a' % master, priority=1)
        endpoint_file(tmp_path / master, 'b.json', 'nbwssPlaybookTok3n-%s-b' % master, priority=2)

    rc_all, output_all = run_validate(tmp_path)
    rc_dir, output_dir = run_validate(tmp_path, '-e', 'nbwss_validate_set_per=directory')

    assert rc_all == 2 and 'groupId G1 has priority 1 more than once' in output_all
    assert rc_dir == 0, output_dir


def test_several_paths_may_be_given_as_a_list(tmp_path):
    first, second = tmp_path / 'one', tmp_path / 'two'
    first.mkdir()
    second.mkdir()
    endpoint_file(first, 'a.json', 'nbwssPlaybookTok3n-list-a', priority=1)
    bad = endpoint_file(second, 'b.json', 'nbwssPlaybookTok3n-list-b', priority=1)

    rc, output = run_playbook('-e', json.dumps({'nbwss_validate_path': [str(first), str(second)]}))

    assert rc == 2
    assert '%s, %s: groupId G1 has priority 1 more than once' % (first / 'a.json', bad) in output


def test_a_file_that_cannot_be_decrypted_is_one_line_and_the_others_are_still_checked(tmp_path):
    right, wrong = tmp_path / 'right-pass', tmp_path / 'wrong-pass'
    right.write_text(u'the right vault password\n')
    wrong.write_text(u'another vault password\n')
    files = tmp_path / 'endpoints'
    files.mkdir()
    vaulted = endpoint_file(files, 'vaulted.json', 'nbwssPlaybookTok3n-vaulted', priority=1)
    subprocess.run([os.path.join(BIN, 'ansible-vault'), 'encrypt', '--vault-password-file', str(wrong), vaulted],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint_file(files, 'good.json', 'nbwssPlaybookTok3n-plain-good', priority=2)
    bad = str(files / 'bad.json')
    shutil.copy(os.path.join(BAD, '06_ws_scheme.json'), bad)

    rc, output = run_validate(files, '--vault-password-file', str(right))

    lines = failed_lines(output)
    assert rc == 2 and len(lines) == 2
    assert '"msg": "%s: is vault-encrypted and cannot be decrypted' % vaulted in output
    assert '"msg": "%s: url: uses ws://' % bad in output
    assert 'nbwssPlaybookTok3n' not in output


def test_every_problem_of_a_file_is_its_own_line(tmp_path):
    path = str(tmp_path / 'two.json')
    with open(path, 'w') as handle:
        json.dump({'token': 'nbwssPlaybookTok3n-twoproblems', 'priority': '1', 'groupId': 'G1',
                   'hostName': 'cloud.example.com', 'url': 'ws://cloud.example.com/x'}, handle)

    rc, output = run_validate(tmp_path)

    assert rc == 2 and len(failed_lines(output)) == 2
    assert '"msg": "%s: priority: must be a JSON integer' % path in output
    assert '"msg": "%s: url: uses ws://' % path in output


def test_white_space_outside_the_braces_is_a_warning(tmp_path):
    path = endpoint_file(tmp_path, 'a.json', 'nbwssPlaybookTok3n-layout-a', priority=1)
    endpoint_file(tmp_path, 'b.json', 'nbwssPlaybookTok3n-layout-b', priority=2)
    with open(path, 'a') as handle:
        handle.write('\n')

    rc, output = run_validate(tmp_path)

    assert rc == 0, output
    assert 'white space before the opening { or after the closing }' in ' '.join(output.split())


# --- endpoint variables of an inventory -----------------------------------------------------------

def encrypt_string(password_file, value):
    return subprocess.check_output([os.path.join(BIN, 'ansible-vault'), 'encrypt_string', '--vault-password-file',
                                    str(password_file), value], universal_newlines=True, stderr=subprocess.DEVNULL)


def inventory(tmp_path, bad_priority='1'):
    """An inventory with two masters, tokens vaulted in group_vars, one host's entries in host_vars."""
    password = tmp_path / 'vault-pass'
    password.write_text(u'inventory vault password\n')
    root = tmp_path / 'inventory'
    (root / 'group_vars').mkdir(parents=True)
    (root / 'host_vars').mkdir()
    (root / 'hosts.yml').write_text(u'all:\n  hosts:\n    other: {}\n  children:\n    masters:\n      hosts:\n'
                                    u'        master1: {}\n        master2: {}\n')
    (root / 'group_vars' / 'all.yml').write_text(
        u'vault_token_a: %s\nvault_token_b: %s\n' % (
            encrypt_string(password, 'nbwssInventoryTok3n-AaAaAa').replace('\n', '\n  ').rstrip(),
            encrypt_string(password, 'nbwssInventoryTok3n-BbBbBb').replace('\n', '\n  ').rstrip()))
    for host, second_priority, scheme in (('master1', '2', 'ws'), ('master2', bad_priority, 'wss')):
        (root / 'host_vars' / ('%s.yml' % host)).write_text(u"""nbwss_endpoints:
  - token: "{{ vault_token_a }}"
    priority: 1
    groupId: G1
    hostName: a.example.com
    url: wss://a.example.com/nbwss
  - token: "{{ vault_token_b }}"
    priority: %s
    groupId: G1
    hostName: b.example.com
    url: %s://b.example.com/nbwss
""" % (second_priority, scheme))
    return root, password


def test_inventory_variables_are_checked_per_host_with_vaulted_tokens(tmp_path):
    root, password = inventory(tmp_path, bad_priority='1')

    rc, output = run_playbook('-e', 'nbwss_validate_vars=%s' % root, '-e', 'nbwss_validate_hosts=masters',
                              '--vault-password-file', str(password), '-vvvv')

    lines = failed_lines(output)
    assert rc == 2
    assert all(line.startswith('failed: [localhost] (item=master') for line in lines)
    assert 'master1: nbwss_endpoints[1]: url: uses ws://' in output
    assert 'master2: nbwss_endpoints[0], master2: nbwss_endpoints[1]: groupId G1 has priority 1 more than once' in output
    assert 'other' not in ' '.join(lines)
    assert 'nbwssInventoryTok3n' not in output


def test_inventory_without_the_variable_fails_unless_allowed(tmp_path):
    root = tmp_path / 'inventory'
    root.mkdir()
    (root / 'hosts.yml').write_text(u'all:\n  hosts:\n    master1: {}\n')

    rc, output = run_playbook('-e', 'nbwss_validate_vars=%s' % root)
    allowed_rc, allowed = run_playbook('-e', 'nbwss_validate_vars=%s' % root, '-e', 'nbwss_validate_allow_empty=true')

    assert rc == 2 and '"msg": "master1: nbwss_endpoints is not set"' in output
    assert allowed_rc == 0 and '"msg": "0 masters, 0 entries checked: no problem"' in allowed


def test_inventory_with_a_wrong_vault_password_is_one_line_per_host(tmp_path):
    root, dummy = inventory(tmp_path)
    wrong = tmp_path / 'wrong'
    wrong.write_text(u'not the password\n')

    rc, output = run_playbook('-e', 'nbwss_validate_vars=%s' % root, '-e', 'nbwss_validate_hosts=masters',
                              '--vault-password-file', str(wrong))

    lines = failed_lines(output)
    assert rc == 2 and len(lines) == 2
    assert 'master1: nbwss_endpoints cannot be read' in output and 'nbwssInventoryTok3n' not in output


def test_provider_entries_are_checked_for_shape_without_fetching(tmp_path):
    root = tmp_path / 'inventory'
    (root / 'host_vars').mkdir(parents=True)
    (root / 'hosts.yml').write_text(u'all:\n  hosts:\n    master1: {}\n    master2: {}\n')
    # .invalid never resolves: a fetch could not succeed, so a clean run proves nothing was fetched.
    (root / 'host_vars' / 'master1.yml').write_text(u"""nbwss_endpoints:
  - token: nbwssInventoryTok3n-CcCcCc
    priority: 1
    groupId: G1
    hostName: a.example.com
    url: wss://a.example.com/nbwss
  - provider:
      url: https://portal.example.invalid/nbwss/eu-1
      api_token: nbwssInventoryApiTok3n-DdDdDd
    name: eu-1
""")
    (root / 'host_vars' / 'master2.yml').write_text(u"""nbwss_endpoints:
  - provider:
      url: https://portal.example.invalid/nbwss/eu-2
      api_tokn: nbwssInventoryApiTok3n-DdDdDd
  - provider: https://portal.example.invalid/nbwss/eu-3
""")

    rc, output = run_playbook('-e', 'nbwss_validate_vars=%s' % root, '-vvvv')

    lines = failed_lines(output)
    assert rc == 2 and len(lines) == 2, output
    assert all(line.startswith('failed: [localhost] (item=master2)') for line in lines)
    assert 'master2: nbwss_endpoints[0]: provider.api_tokn: is not a provider option (did you mean api_token?)' in output
    assert 'master2: nbwss_endpoints[1]: provider: must be a mapping with url and provider options, not a str' in output
    assert 'ProviderEntry' not in output
    assert 'nbwssInventory' not in output


def good_inventory(tmp_path):
    """Two masters with valid entries (tokens vaulted in group_vars); returns (root, vault password file)."""
    root, password = inventory(tmp_path)
    for host in ('master1', 'master2'):
        path = root / 'host_vars' / ('%s.yml' % host)
        path.write_text(path.read_text().replace('ws://', 'wss://').replace('priority: 1\n    groupId: G1\n'
                                                                            '    hostName: b', 'priority: 2\n    '
                                                                            'groupId: G1\n    hostName: b'))
    return root, password


def test_a_clean_inventory_says_how_many_masters_and_entries_were_checked(tmp_path):
    root, password = good_inventory(tmp_path)

    rc, output = run_playbook('-e', 'nbwss_validate_vars=%s' % root, '-e', 'nbwss_validate_hosts=masters',
                              '--vault-password-file', str(password))

    assert rc == 0, output
    assert '"msg": "2 masters, 4 entries checked: no problem"' in output
    assert 'nbwssInventoryTok3n' not in output


def test_every_host_the_pattern_selects_must_set_the_variable_and_a_near_miss_is_named(tmp_path):
    root, password = good_inventory(tmp_path)
    (root / 'host_vars' / 'other.yml').write_text(u'nbwss_endpoint:\n  - content: "{{ vault_token_a }}"\n')

    rc, output = run_playbook('-e', 'nbwss_validate_vars=%s' % root, '--vault-password-file', str(password))

    assert rc == 2 and failed_lines(output) == [line for line in failed_lines(output) if '(item=other)' in line]
    assert '"msg": "other: nbwss_endpoints is not set (did you mean nbwss_endpoints? the host sets nbwss_endpoint)"' \
        in output
    assert 'nbwssInventoryTok3n' not in output


def test_a_misspelled_role_variable_is_a_warning_that_never_shows_its_value(tmp_path):
    root, password = good_inventory(tmp_path)
    with open(str(root / 'group_vars' / 'all.yml'), 'a') as handle:
        handle.write(u'nbwss_probe_failon: %s\n' % encrypt_string(password, 'nbwssInventoryTok3n-Misspelled')
                     .replace('\n', '\n  ').rstrip())

    rc, output = run_playbook('-e', 'nbwss_validate_vars=%s' % root, '-e', 'nbwss_validate_hosts=masters',
                              '--vault-password-file', str(password))

    assert rc == 0, output
    assert ('master1, master2: nbwss_probe_failon is not a variable of the netbackup.nbwss.rollout role; did you mean '
            'nbwss_probe_fail_on?') in ' '.join(output.split())
    assert 'nbwssInventoryTok3n' not in output


def test_provider_entries_are_judged_with_the_hosts_provider_defaults(tmp_path):
    root, password = good_inventory(tmp_path)
    secret = encrypt_string(password, 'nbwssInventoryPassw0rd-EeEeEe').replace('\n', '\n  ').rstrip()
    (root / 'group_vars' / 'masters.yml').write_text(u'nbwss_provider_url_username: fetcher\nvault_password: %s\n'
                                                     % secret)
    for host, auth in (('master1', 'url_password: "{{ vault_password }}"'), ('master2', 'api_token: "{{ vault_token_a }}"')):
        with open(str(root / 'host_vars' / ('%s.yml' % host)), 'a') as handle:
            handle.write(u'  - provider:\n      url: https://portal.example.invalid/nbwss/%s\n      %s\n    name: eu-1\n'
                         % (host, auth))

    rc, output = run_playbook('-e', 'nbwss_validate_vars=%s' % root, '-e', 'nbwss_validate_hosts=masters',
                              '--vault-password-file', str(password))

    assert rc == 2 and [line.split(' => ')[0] for line in failed_lines(output)] == ['failed: [localhost] (item=master2)']
    assert ('"msg": "master2: nbwss_endpoints[2]: provider: api_token and url_username are mutually exclusive: give '
            'one way to authenticate"') in output
    assert 'nbwssInventory' not in output


# --- the rollout role's gate: the lookup over the play's hosts --------------------------------------

# The tasks the role's tasks/validate.yml runs (the role owner wires them), here in a play of their own.
ROLE_GATE = u"""
- name: The rollout role's gate
  hosts: masters
  gather_facts: false
  vars_files: [play_vars.yml]
  tasks:
    - name: Check every master's endpoint entries on the controller (the entries are never printed)
      ansible.builtin.set_fact:
        rollout_validation: "{{ lookup('netbackup.nbwss.endpoint_var_problems', play_hosts=ansible_play_hosts_all,
                                       summary=true) }}"
      run_once: true
      delegate_to: localhost

    - name: Fail on every problem found, one line each
      ansible.builtin.fail:
        msg: "{{ item.message }}"
      loop: "{{ rollout_validation.problems }}"
      loop_control:
        label: "{{ item.host }}"
      run_once: true
      delegate_to: localhost
      any_errors_fatal: true

    - name: Say what was checked
      ansible.builtin.debug:
        msg: "{{ rollout_validation.message }}"
      run_once: true
"""


def gate_failures(output):
    return [line.split(' => ')[0] for line in output.splitlines() if line.startswith('failed: [')]


def run_gate(root, *args):
    playbook = root.parent / 'gate.yml'
    playbook.write_text(ROLE_GATE)
    if not (root.parent / 'play_vars.yml').exists():
        (root.parent / 'play_vars.yml').write_text(u'{}\n')
    return ansible_playbook('-i', str(root), str(playbook), '-e', 'ansible_connection=local',
                            '-e', 'ansible_python_interpreter=%s' % sys.executable, *args)


def test_the_role_gate_needs_a_key_for_sealed_and_says_what_it_checked(tmp_path):
    root, password = good_inventory(tmp_path)
    key = encrypt_string(password, base64.b64encode(os.urandom(32)).decode('ascii')).replace('\n', '\n  ').rstrip()

    missing_rc, missing = run_gate(root, '--vault-password-file', str(password))
    (root / 'group_vars' / 'masters.yml').write_text(u'nbwss_key: %s\n' % key)
    with open(str(root / 'host_vars' / 'master2.yml'), 'a') as handle:
        handle.write(u'nbwss_purg: true\n')
    keyed_rc, keyed = run_gate(root, '--vault-password-file', str(password))

    assert missing_rc == 2
    assert gate_failures(missing) == ['failed: [master1 -> localhost] (item=master1)',
                                      'failed: [master1 -> localhost] (item=master2)']
    assert '"msg": "master1: nbwss_format sealed needs a key to seal with; give nbwss_key (in Ansible Vault) or nbwss_key_file."' in missing
    assert keyed_rc == 0, keyed
    assert '"msg": "2 masters, 4 entries checked: no problem"' in keyed
    assert ('master2: nbwss_purg is not a variable of the netbackup.nbwss.rollout role; did you mean nbwss_purge?'
            in ' '.join(keyed.split()))
    assert 'nbwssInventoryTok3n' not in missing + keyed


def test_the_role_gate_names_a_master_without_entries(tmp_path):
    root, password = good_inventory(tmp_path)
    (root / 'group_vars' / 'masters.yml').write_text(u'nbwss_format: plain\n')
    (root / 'host_vars' / 'master2.yml').write_text(u'nbwss_endpoins: []\n')

    rc, output = run_gate(root, '--vault-password-file', str(password))

    assert rc == 2 and gate_failures(output) == ['failed: [master1 -> localhost] (item=master2)']
    assert '"msg": "master2: nbwss_endpoints is not set (did you mean nbwss_endpoints? the host sets nbwss_endpoins)"' \
        in output


def test_the_role_gate_reads_the_plays_vars_files_and_names_an_unreadable_variable(tmp_path):
    root, password = good_inventory(tmp_path)
    key = encrypt_string(password, base64.b64encode(os.urandom(32)).decode('ascii')).replace('\n', '\n  ').rstrip()
    (tmp_path / 'play_vars.yml').write_text(u'nbwss_key: %s\n' % key)
    (root / 'host_vars' / 'master2.yml').write_text(u'nbwss_endpoints: "{{ nbwss_not_defined_anywhere }}"\n')

    rc, output = run_gate(root, '--vault-password-file', str(password))

    assert rc == 2 and gate_failures(output) == ['failed: [master1 -> localhost] (item=master2)'], output
    assert '"msg": "master2: nbwss_endpoints cannot be read: \'nbwss_not_defined_anywhere\' is undefined' in output


def test_a_host_vars_file_vaulted_with_another_password_is_that_hosts_problem_not_a_crash(tmp_path):
    root, password = good_inventory(tmp_path)
    other = tmp_path / 'other-pass'
    other.write_text(u'another password\n')
    subprocess.check_call([os.path.join(BIN, 'ansible-vault'), 'encrypt', '--vault-password-file', str(other),
                           str(root / 'host_vars' / 'master2.yml')], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    rc, output = run_playbook('-e', 'nbwss_validate_vars=%s' % root, '-e', 'nbwss_validate_hosts=masters',
                              '--vault-password-file', str(password))

    assert rc == 2, output
    assert 'master2: nbwss_endpoints cannot be read' in output
    assert 'master1' not in ' '.join(failed_lines(output)) and 'Traceback' not in output
    assert 'nbwssInventoryTok3n' not in output


def test_a_pattern_matching_no_host_is_empty_even_when_ansible_errors_on_mismatches(tmp_path):
    root, password = good_inventory(tmp_path)
    os.environ['ANSIBLE_HOST_PATTERN_MISMATCH'] = 'error'  # as ansible-test sets it
    try:
        rc, output = run_playbook('-e', 'nbwss_validate_vars=%s' % root, '-e', 'nbwss_validate_hosts=nomatch*',
                                  '-e', 'nbwss_validate_allow_empty=true', '--vault-password-file', str(password))
        strict_rc, strict = run_playbook('-e', 'nbwss_validate_vars=%s' % root, '-e', 'nbwss_validate_hosts=nomatch*',
                                         '--vault-password-file', str(password))
    finally:
        del os.environ['ANSIBLE_HOST_PATTERN_MISMATCH']

    assert rc == 0 and '"msg": "0 masters, 0 entries checked: no problem"' in output, output
    assert strict_rc == 2 and 'matches nomatch*' in strict, strict
