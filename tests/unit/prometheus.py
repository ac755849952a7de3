# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""For tests of the collection's Prometheus files: promtool's checks, and the samples of a text exposition read back.

promtool comes with Debian's ``prometheus`` package; ``make test`` installs it, so a missing promtool fails the
test instead of skipping it (a skipped check would pass a broken file).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import shutil
import subprocess

import pytest

from ansible_collections.netbackup.nbwss.plugins.module_utils._metrics import escape_label_value

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')
_UNESCAPE = {'\\\\': '\\', '\\"': '"', '\\n': '\n'}


def promtool(*args, **kwargs):
    """Run ``promtool ARGS`` (``stdin`` text optional); return (exit code, output). Fails the test without promtool."""
    path = shutil.which('promtool')
    if path is None:
        pytest.fail('promtool is not installed: apt-get install prometheus (make test installs it)')
    proc = subprocess.run([path] + list(args), input=kwargs.get('stdin'), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=120, cwd=kwargs.get('cwd'), check=False)
    return proc.returncode, proc.stdout


def assert_valid_metrics(text):
    """``promtool check metrics`` finds nothing at all in ``text``: it parses, and no lint (help, units, names)."""
    code, output = promtool('check', 'metrics', stdin=text)
    assert (code, output) == (0, ''), output


def samples(text):
    """``[(name, labels dict, value)]`` of a text exposition, in file order (comments skipped)."""
    found = []
    for line in text.splitlines():
        if not line or line.startswith('#'):
            continue
        match = _SAMPLE.match(line)
        assert match, 'not a sample line: %r' % line
        name, labels, value = match.groups()
        pairs = dict((key, re.sub(r'\\[\\"n]', lambda escaped: _UNESCAPE[escaped.group(0)], raw))
                     for key, raw in _LABEL.findall(labels or ''))
        found.append((name, pairs, float(value)))
    return found


def series_over_time(texts, minutes, labels):
    """promtool ``input_series`` of metrics files served one after the other, each for ``minutes`` one-minute steps,
    every sample with ``labels`` added (``{'instance': 'master1:9100', 'job': 'node'}``, as Prometheus scrapes it);
    a series missing from a file is absent (``_``) while that file is served."""
    timeline = {}
    for index, text in enumerate(texts):
        for name, pairs, sample in samples(text):
            pairs = dict(labels, **pairs)
            key = '%s{%s}' % (name, ','.join('%s="%s"' % (label, escape_label_value(pairs[label])) for label in sorted(pairs)))
            timeline.setdefault(key, [None] * len(texts))[index] = sample
    return [{'series': key, 'values': ' '.join(('_' if sample is None else repr(sample)) + 'x%d' % (minutes - 1)
                                               for sample in values)}
            for key, values in sorted(timeline.items())]


def value(text, metric, **labels):
    """The one value of ``metric`` whose labels include ``labels`` (None when there is none)."""
    hits = [sample_value for sample_name, pairs, sample_value in samples(text)
            if sample_name == metric and all(pairs.get(key) == str(wanted) for key, wanted in labels.items())]
    assert len(hits) <= 1, '%s%r matches %d samples' % (metric, labels, len(hits))
    return hits[0] if hits else None
