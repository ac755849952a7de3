# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Headless Chromium (Debian's ``chromium``) for the tests and benchmarks of the fleet report page.

``dump_dom`` returns the DOM Chromium built from a file, ``screenshot`` writes a PNG of it, and
``ElementIndex`` parses a dumped DOM into what the tests assert on. Every run gets a new empty
profile and the flags that keep Chromium off the network (this machine has none, and the page
must not need any).
"""

from __future__ import annotations

import html.parser
import os
import shutil
import subprocess
import tempfile

FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync',
         '--disable-default-apps', '--mute-audio']


def chromium():
    """The Chromium binary, or None when it is not installed (make test installs Debian's package)."""
    return shutil.which('chromium') or shutil.which('chromium-browser')


def _run(args, timeout):
    profile = tempfile.mkdtemp(prefix='nbwss-chromium-')
    try:
        return subprocess.run([chromium()] + FLAGS + ['--user-data-dir=%s' % profile] + args, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout, check=True)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def dump_dom(path, timeout=60):
    """The DOM of the page at ``path`` after Chromium loaded it, as HTML text."""
    return _run(['--dump-dom', 'file://' + os.path.abspath(path)], timeout).stdout.decode('utf-8')


def screenshot(path, png, width=1280, height=900, timeout=60):
    """A PNG of the page at ``path`` as Chromium renders it; returns the PNG's size in bytes."""
    _run(['--screenshot=%s' % os.path.abspath(png), '--window-size=%d,%d' % (width, height),
          'file://' + os.path.abspath(path)], timeout)
    return os.path.getsize(png)


class ElementIndex(html.parser.HTMLParser):
    """Elements of a dumped DOM: tag, attributes and own text, in document order."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self._open = []
        self.feed(text)

    def feed(self, data):
        super().feed(data)
        for element in self.elements:
            element['text'] = ''.join(element.pop('parts'))

    def handle_starttag(self, tag, attrs):
        element = {'tag': tag, 'attrs': dict(attrs), 'parts': []}
        self.elements.append(element)
        if tag not in ('meta', 'link', 'br', 'img', 'input'):
            self._open.append(element)

    def handle_endtag(self, tag):
        while self._open:
            element = self._open.pop()
            if element['tag'] == tag:
                break

    def handle_data(self, data):
        for element in self._open:
            element['parts'].append(data)

    def find(self, tag=None, **attrs):
        """Elements with ``tag`` whose attributes include ``attrs`` (use class_ for class)."""
        wanted = dict((key.rstrip('_'), value) for key, value in attrs.items())
        return [element for element in self.elements if (tag is None or element['tag'] == tag)
                and all(element['attrs'].get(key) == value for key, value in wanted.items())]
