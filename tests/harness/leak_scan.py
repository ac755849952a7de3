# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fail when a fake token or a test key of the suite appears in a test log.

Usage: python tests/harness/leak_scan.py [--root DIR] [--logs DIR]

Tokens are collected from the suite itself:
- the ``token`` value of every endpoint fixture under tests/unit/fixtures/endpoints/ (the vendor's
  example token included), and
- every value matching the suite's fake-token pattern ``nbwss<Word>Tok3n-...`` anywhere under
  tests/ and benchmarks/ (integration targets, unit and playbook tests, benchmark scripts).

Test keys are collected too: every 32-byte base64 key assigned to a name ending in ``key`` (``KEY``,
``endpoint_key:``, ``nbwss_key:``...) under tests/ and benchmarks/.

Every ``*.log`` in the log directory is searched for each token as written, JSON-escaped and
base64-encoded (at any of the three byte alignments, as inside a slurped or encoded file), and
for any value of the fake-token pattern at all (tokens built at run time). The scan prints one
line: how many tokens were checked in how many logs and the result. On a leak it also names the
log, the line and a fingerprint of the token (never the token) and exits 1.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import os
import re
import sys

TOKEN_PATTERN = re.compile(r'nbwss[A-Za-z]*Tok3n[-A-Za-z0-9]*')
# A pattern match that stops at the marker (a prefix quoted in prose or code) is not a token.
BARE_PREFIX = re.compile(r'\Anbwss[A-Za-z]*Tok3n-?\Z')
# Fixture tokens too short or too uniform to be told apart from ordinary text are not scanned for.
MIN_TOKEN_LENGTH = 12
MIN_DISTINCT_CHARS = 6
FIXTURES = os.path.join('tests', 'unit', 'fixtures', 'endpoints')
VENDOR_EXAMPLE = os.path.join(FIXTURES, 'good', 'vendor_example.json')
SWEEP_DIRS = ('tests', 'benchmarks')
SKIP_DIRS = {'output', '__pycache__', '.pytest_cache', '.hypothesis'}
_JSON_TOKEN = re.compile(r'"token"\s*:\s*"((?:[^"\\]|\\.)*)"')
KEY_PATTERN = re.compile(r'(?:key|KEY)\s*[:=]\s*["\']?([A-Za-z0-9+/]{43}=)')


def fingerprint(token):
    return 'sha256:' + hashlib.sha256(token.encode('utf-8')).hexdigest()[:12]


def scannable(token):
    return (isinstance(token, str) and len(token) >= MIN_TOKEN_LENGTH
            and len(set(token)) >= MIN_DISTINCT_CHARS and not BARE_PREFIX.match(token))


def _fixture_text(path):
    with open(path, 'rb') as handle:
        data = handle.read()
    if path.endswith('.b64'):
        try:
            data = base64.b64decode(data)
        except (binascii.Error, ValueError):
            return ''
    return data.decode('utf-8', errors='replace')


def _tokens_in_json(value):
    if isinstance(value, dict):
        if isinstance(value.get('token'), str):
            yield value['token']
        for item in value.values():
            if isinstance(item, (dict, list)):
                yield from _tokens_in_json(item)
    elif isinstance(value, list):
        for item in value:
            yield from _tokens_in_json(item)


def fixture_tokens(root):
    """The ``token`` strings of every endpoint fixture, valid JSON or not."""
    found = set()
    for directory, dirs, files in os.walk(os.path.join(root, FIXTURES)):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            text = _fixture_text(os.path.join(directory, name))
            try:
                found.update(_tokens_in_json(json.loads(text)))
            except (ValueError, RecursionError):
                for escaped in _JSON_TOKEN.findall(text):
                    try:
                        found.add(json.loads('"%s"' % escaped))
                    except ValueError:
                        found.add(escaped)
    return found


def _swept_texts(root):
    """The text of every file under tests/ and benchmarks/ (outputs and caches left out)."""
    for top in SWEEP_DIRS:
        for directory, dirs, files in os.walk(os.path.join(root, top)):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            for name in sorted(files):
                try:
                    yield _fixture_text(os.path.join(directory, name))
                except OSError:
                    continue


def pattern_tokens(root):
    """Every fake-token pattern value written anywhere under tests/ and benchmarks/."""
    return set(token for text in _swept_texts(root) for token in TOKEN_PATTERN.findall(text))


def pattern_keys(root):
    """Every test key (base64 of 32 bytes assigned to a name ending in key) under tests/ and benchmarks/."""
    return set(key for text in _swept_texts(root) for key in KEY_PATTERN.findall(text))


def collect_tokens(root):
    """The tokens to scan for; fails loudly if the vendor example token is not among them."""
    with open(os.path.join(root, VENDOR_EXAMPLE), 'rb') as handle:
        vendor = json.loads(handle.read().decode('utf-8'))['token']
    tokens = {token for token in fixture_tokens(root) | pattern_tokens(root) | {vendor} if scannable(token)}
    if vendor not in tokens:
        raise SystemExit('leak-scan: the vendor example token was not collected; the scanner is broken')
    return sorted(tokens)


def base64_cores(token):
    """Substrings that the base64 encoding of any data containing ``token`` must contain, one per alignment."""
    raw = token.encode('utf-8')
    cores = []
    for shift in range(3):
        encoded = base64.b64encode(b'\0' * shift + raw).decode('ascii').rstrip('=')
        # Drop the characters that also depend on bytes before or after the token.
        start = -(-(shift * 8) // 6) if shift else 0
        end = ((shift + len(raw)) * 8) // 6
        core = encoded[start:end]
        if len(core) >= MIN_TOKEN_LENGTH:
            cores.append(core)
    return cores


def forms(token):
    """Every way the token could show up in a log."""
    found = {token: 'as written'}
    escaped = json.dumps(token)[1:-1]
    found.setdefault(escaped, 'JSON-escaped')
    found.setdefault(json.dumps(token, ensure_ascii=False)[1:-1], 'JSON-escaped')
    for core in base64_cores(token):
        found.setdefault(core, 'base64-encoded')
    return found


def scan(tokens, log_paths):
    """Return [(log, line number, description)] of every leak found."""
    needles = []
    for token in tokens:
        for text, how in forms(token).items():
            needles.append((text, '%s (%s)' % (fingerprint(token), how)))
    leaks = []
    for log in log_paths:
        with open(log, 'rb') as handle:
            content = handle.read().decode('utf-8', errors='replace')
        for number, line in enumerate(content.splitlines(), 1):
            for text, what in needles:
                if text in line:
                    leaks.append((log, number, 'token %s' % what))
            for match in TOKEN_PATTERN.findall(line):
                if scannable(match) and match not in tokens:
                    leaks.append((log, number, 'fake-token pattern value %s (not in the suite)' % fingerprint(match)))
    return leaks


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument('--root', default=os.path.dirname(os.path.dirname(here)), help='collection root')
    parser.add_argument('--logs', default=None, help='log directory (default: ROOT/.tmp/logs)')
    args = parser.parse_args(argv)
    logs_dir = args.logs or os.path.join(args.root, '.tmp', 'logs')
    tokens = collect_tokens(args.root)
    keys = sorted(pattern_keys(args.root))
    logs = sorted(os.path.join(logs_dir, name) for name in os.listdir(logs_dir)
                  if name.endswith('.log')) if os.path.isdir(logs_dir) else []
    leaks = scan(tokens + keys, logs)
    what = '%d tokens and %d keys' % (len(tokens), len(keys))
    if not logs:
        print('leak-scan: %s checked in 0 logs: FAILED (no *.log in %s)' % (what, logs_dir))
        return 1
    if leaks:
        print('leak-scan: %s checked in %d logs: FAILED, %d leak(s)' % (what, len(logs), len(leaks)))
        for log, number, description in leaks:
            print('  %s:%d: %s' % (os.path.relpath(log, args.root), number, description))
        return 1
    print('leak-scan: %s checked in %d logs: OK, none found' % (what, len(logs)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
