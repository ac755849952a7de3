# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The README's tour ("Using it on your own inventory"), run as written in a fresh clone of this checkout.

The tour's shell blocks are the fenced blocks after an HTML comment ``<!-- tour -->`` (run command by
command, each must exit 0) or ``<!-- tour: background -->`` (the reference cloud application, started in
the background and stopped by PID at the end). A ``<!-- tour: output -->`` block holds lines that every
ansible-playbook command of the tour block before it must print.

The clone is the HEAD commit of the checkout (or, in make test's copied tree, which has no .git, a fresh
repository of that copy), with a new HOME and no ANSIBLE_* or PYTHONPATH from the caller, so the collection
Ansible uses is the one the tour installs. ``.venv-demo`` (made by ``make demo``) is, in the clone, the
virtualenv running this test: the tour also checks the install step on that venv's ansible-core.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest
import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
README = os.path.join(REPO_ROOT, 'README.md')
LOGS = os.environ.get('NBWSS_LOG_DIR')
SECTION = '### Using it on your own inventory'
MARKER = re.compile(r'^<!-- tour(?:: (background|output))? -->$')
RECAP = re.compile(r'^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.MULTILINE)
# The example's cloud application listens on fixed ports: one tour at a time on this machine.
LOCK = os.path.join(tempfile.gettempdir(), 'nbwss-readme-tour.lock')
COMMAND_TIMEOUT = 120


def readme_section(text, heading):
    """The lines of the README section under ``heading``, up to the next heading of the same or a higher level."""
    lines = text.splitlines()
    start = lines.index(heading) + 1
    level = heading.split(' ')[0]
    end = next((i for i in range(start, len(lines)) if re.match(r'^#{1,%d} ' % len(level), lines[i])), len(lines))
    return lines[start:end]


def fenced_blocks(lines):
    """``(kind, body lines)`` for each fenced block after a tour marker: kind is run, background or output."""
    blocks, index = [], 0
    while index < len(lines):
        match = MARKER.match(lines[index].strip())
        index += 1
        if not match:
            continue
        assert lines[index].startswith('```'), 'a tour marker must be followed by a fenced block: %r' % lines[index]
        end = lines.index('```', index + 1)
        blocks.append((match.group(1) or 'run', lines[index + 1:end]))
        index = end + 1
    return blocks


def commands(body):
    """Shell commands of a block: one per line, backslash continuations joined, comments and blanks skipped."""
    found, pending = [], ''
    for line in body:
        if line.rstrip().endswith('\\'):
            pending += line.rstrip()[:-1] + ' '
            continue
        line = pending + line
        pending = ''
        if line.strip() and not line.lstrip().startswith('#'):
            found.append(line.strip())
    return found


def tour(readme=README):
    with open(readme, encoding='utf-8') as handle:
        return fenced_blocks(readme_section(handle.read(), SECTION))


def clean_environment(home):
    """The caller's environment without Ansible settings, Python paths or a venv's bin directory; HOME is ``home``."""
    env = dict((key, value) for key, value in os.environ.items()
               if not key.startswith(('ANSIBLE_', 'NBWSS_', 'PYTHON', 'VIRTUAL_ENV', 'PYTEST', 'COV_')))
    # The tour must find ansible-galaxy and ansible-playbook through the venv it activates, not through PATH.
    env['PATH'] = os.pathsep.join(entry for entry in os.environ.get('PATH', '').split(os.pathsep)
                                  if entry and not os.path.exists(os.path.join(entry, 'ansible-playbook')))
    env.update(HOME=home, LC_ALL='C.UTF-8', GIT_CONFIG_NOSYSTEM='1')
    return env


def git(*args, **kwargs):
    return subprocess.run(['git', '-c', 'safe.directory=*'] + list(args), check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, **kwargs)


def fresh_clone(dest, env):
    """HEAD of the checkout; in make test's tree copy (no .git), a one-commit repository of the copy."""
    inside = subprocess.run(['git', '-C', REPO_ROOT, 'rev-parse', '--show-toplevel'], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, check=False)
    if inside.returncode == 0 and os.path.realpath(inside.stdout.strip()) == os.path.realpath(REPO_ROOT):
        git('clone', '--quiet', REPO_ROOT, dest, env=env)
        return
    shutil.copytree(REPO_ROOT, dest, symlinks=True, ignore=shutil.ignore_patterns(
        '.git', '.tmp', '.venv', '.venv-*', '__pycache__', '.pytest_cache', '.hypothesis', 'output', 'nbwss-report'))
    git('init', '--quiet', dest, env=env)
    git('-C', dest, 'add', '.', env=env)
    git('-C', dest, '-c', 'user.name=tour', '-c', 'user.email=tour@example.invalid', 'commit', '--quiet', '-m', 'tour',
        env=env)


def secrets(clone):
    """The example's demo tokens and demo key, which no output may show."""
    with open(os.path.join(clone, 'examples', 'cloudapp.yml')) as handle:
        app = yaml.safe_load(handle)
    with open(os.path.join(clone, 'examples', 'inventory.yml')) as handle:
        inventory = yaml.safe_load(handle)
    found = [endpoint['token'] for endpoint in app['endpoints']]
    found += [provider['auth']['bearer'] for provider in app['providers'] if provider.get('auth', {}).get('bearer')]
    found.append(inventory['masters']['vars']['nbwss_key'])
    return found


def ports(clone):
    with open(os.path.join(clone, 'examples', 'cloudapp.yml')) as handle:
        app = yaml.safe_load(handle)
    return [app['provider_port']] + [endpoint['port'] for endpoint in app['endpoints']]


def require_free(port_numbers):
    for port in port_numbers:
        with socket.socket() as probe:
            # As the application binds (asyncio sets SO_REUSEADDR): a port left in TIME_WAIT by an earlier run is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(('127.0.0.1', port))
            except OSError:
                pytest.fail('port %d on 127.0.0.1 is in use; the tour\'s cloud application (examples/cloudapp.yml) needs '
                            'ports %s: stop what holds it' % (port, ', '.join(str(p) for p in port_numbers)))


class Shell:
    """Runs commands one by one as a reader's shell would: exported variables and the directory carry over."""

    def __init__(self, clone, scratch, env, log):
        self.clone, self.env, self.log = clone, env, log
        self.state = os.path.join(scratch, 'shell-env.sh')
        self.cwd = os.path.join(scratch, 'shell-cwd')
        with open(self.cwd, 'w') as handle:
            handle.write(clone)
        subprocess.run(['bash', '-c', 'export -p > "$1"', 'tour', self.state], env=env, check=True)
        self.background = []

    def _script(self, command):
        return '. "$1"; cd "$(cat "$2")" || exit 97\n%s\nrc=$?; export -p > "$1"; pwd > "$2"; exit $rc' % command

    def run(self, command):
        started = time.monotonic()
        proc = subprocess.run(['bash', '-c', self._script(command), 'tour', self.state, self.cwd], env=self.env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=COMMAND_TIMEOUT,
                              check=False)
        self.log.write('$ %s\n%s[exit %d after %.1f s]\n' % (command, proc.stdout, proc.returncode, time.monotonic() - started))
        self.log.flush()
        return proc.returncode, proc.stdout

    def start(self, command, output, ready='cloudapp ready', timeout=30):
        """Start a long-running command in the background; return once ``ready`` appears in its output."""
        handle = open(output, 'w')
        proc = subprocess.Popen(['bash', '-c', '. "$1"; cd "$(cat "$2")" || exit 97\nexec %s' % command, 'tour', self.state,
                                 self.cwd], env=self.env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        handle.close()
        self.background.append((command, proc, output))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(output) as text:
                if ready in text.read():
                    return proc
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        with open(output) as text:
            pytest.fail('%s did not say %r (exit %s):\n%s' % (command, ready, proc.poll(), text.read()[-3000:]))

    def stop(self):
        codes = []
        for command, proc, output in self.background:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            with open(output) as text:
                self.log.write('$ %s   (background, stopped with SIGTERM)\n%s[exit %s]\n' % (command, text.read(), proc.returncode))
            codes.append(proc.returncode)
        self.background = []
        return codes


@contextlib.contextmanager
def tour_lock():
    with open(LOCK, 'a') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def test_the_set_up_is_two_commands_and_the_tour_is_marked():
    with open(README, encoding='utf-8') as handle:
        text = handle.read()
    setup = readme_section(text, '## Set up')
    blocks = [commands(setup[i + 1:setup.index('```', i + 1)]) for i, line in enumerate(setup) if line == '```sh']
    assert [[command.split('#')[0].strip() for command in block] for block in blocks] == [['make demo', 'make test']]
    kinds = [kind for kind, body in tour()]
    assert kinds.count('background') == 1 and 'output' in kinds and kinds.count('run') >= 3
    for kind, body in tour():
        for command in commands(body) if kind != 'output' else []:
            if '-i localhost,' in command:
                assert 'ansible_python_interpreter=' in command, command


@pytest.mark.skipif(sys.prefix == sys.base_prefix, reason='the tour activates a virtualenv: run the tests from one')
def test_the_readme_tour_runs_as_written_in_a_fresh_clone(tmp_path):
    started = time.monotonic()
    home, clone = str(tmp_path / 'home'), str(tmp_path / 'clone')
    os.makedirs(home)
    env = clean_environment(home)
    fresh_clone(clone, env)
    # What `make demo` makes in a checkout: a venv with ansible-core and the collection's requirements.
    os.symlink(sys.prefix, os.path.join(clone, '.venv-demo'))
    hidden = secrets(clone)
    log_path = os.path.join(LOGS, 'readme-tour.log') if LOGS else str(tmp_path / 'readme-tour.log')
    outputs = []
    with tour_lock(), open(log_path, 'a') as log:
        log.write('==== README tour on ansible-core of %s\n' % sys.prefix)
        shell = Shell(clone, str(tmp_path), env, log)
        try:
            require_free(ports(clone))
            previous = []
            # The README of the clone: the tour as a newcomer reads it.
            for kind, body in tour(os.path.join(clone, 'README.md')):
                if kind == 'background':
                    for command in commands(body):
                        shell.start(command, str(tmp_path / 'background.out'))
                    continue
                if kind == 'output':
                    expected = [line for line in body if line.strip() and line.strip() != '...']
                    checked = [(command, out) for command, out in previous if command.startswith('ansible-playbook ')]
                    assert checked, 'an output block must follow a block of ansible-playbook commands'
                    for command, out in checked:
                        missing = [line for line in expected if line not in out]
                        assert not missing, '%s does not print the README\'s lines %s:\n%s' % (command, missing, out[-3000:])
                    continue
                previous = []
                for command in commands(body):
                    rc, out = shell.run(command)
                    assert rc == 0, '%s exited %d:\n%s' % (command, rc, out[-3000:])
                    previous.append((command, out))
                    outputs.append((command, out))
        finally:
            codes = shell.stop()
    assert codes == [0], 'the cloud application did not stop cleanly on SIGTERM: %s' % codes

    # What the README says the commands do, in substance.
    installed = os.path.join(home, '.ansible', 'collections', 'ansible_collections', 'netbackup', 'nbwss')
    assert os.path.isfile(os.path.join(installed, 'MANIFEST.json')), 'the tour did not install the collection for Ansible'
    assert not {'tools', 'examples', '.venv-demo', '.tmp'} & set(os.listdir(installed))
    by_playbook = dict((name, [(command, out) for command, out in outputs if 'netbackup.nbwss.%s' % name in command])
                       for name in ('validate', 'rollout'))
    assert len(by_playbook['validate']) == 1 and len(by_playbook['rollout']) == 2
    validate = RECAP.findall(by_playbook['validate'][0][1])
    assert [(host, failed) for host, ok, changed, unreachable, failed in validate] == [('localhost', '0')]
    for command, out in by_playbook['rollout']:
        recap = dict((host, (int(changed), int(unreachable), int(failed))) for host, ok, changed, unreachable, failed
                     in RECAP.findall(out))
        assert sorted(recap) == ['master1', 'master2', 'master3'], out[-3000:]
        changed = 0 if '--tags probe' in command else 1
        assert set(recap.values()) == {(changed, 0, 0)}, (command, recap)
        assert 'NetBackup would connect to alpha-2 (priority 2)' in out
    with open(os.path.join(clone, 'nbwss-report', 'fleet.json')) as handle:
        view = json.load(handle)
    assert view['host_states'] == {'master1': 'failover', 'master2': 'failover', 'master3': 'failover'}
    with open(os.path.join(clone, 'nbwss-report', 'fleet.html'), encoding='utf-8') as handle:
        page = handle.read()
    for secret in hidden:
        for command, out in outputs:
            assert secret not in out, 'a demo token or the demo key appears in the output of %s' % command
        assert secret not in page and secret not in json.dumps(view)
    assert time.monotonic() - started < 90, 'the tour took %.0f s' % (time.monotonic() - started)
