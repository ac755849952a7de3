# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""Masking secrets in what a module returns, in time linear in the size of the result.

Ansible masks its ``no_log_values`` by testing every string of the result against every value:
with a token per endpoint that is quadratic (1000 endpoints: seconds of CPU after the probe is
done). ``SecretMask`` gives the same guarantee - any secret found anywhere in a string is
replaced by Ansible's mask - with an index of the secrets' fixed-size pieces: the result's text
is sampled every few characters, and only where a sample is a piece of some secret is that
secret looked for. A secret shorter than the sampling needs is tested the plain way.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

MASK = '********'
# Length of the pieces indexed. A secret of at least PIECE + STEP - 1 characters always has a piece
# that starts at a sampled position (every STEP characters) wherever it sits in a text.
PIECE = 8
STEP = 8


class SecretMask(object):
    """A set of secret strings, and ``scrub`` to mask them in a result (dicts, lists, strings)."""

    def __init__(self):
        self._secrets = set()
        self._pieces = {}   # piece -> secrets that contain it
        self._short = set()  # secrets too short to be found by sampling
        self._numbers = set()  # secrets a number in a result may print as

    def __len__(self):
        return len(self._secrets)

    def __contains__(self, secret):
        return secret in self._secrets

    def add(self, secret):
        if not isinstance(secret, str) or not secret or secret in self._secrets:
            return
        self._secrets.add(secret)
        if _is_number(secret):
            self._numbers.add(secret)
        if len(secret) < PIECE + STEP - 1:
            self._short.add(secret)
            return
        for start in range(len(secret) - PIECE + 1):
            self._pieces.setdefault(secret[start:start + PIECE], set()).add(secret)

    def update(self, secrets):
        for secret in secrets:
            self.add(secret)

    def found_in(self, text):
        """The secrets that occur in ``text``."""
        found = set(secret for secret in self._short if secret in text)
        for position in range(0, max(len(text) - PIECE + 1, 0), STEP):
            for secret in self._pieces.get(text[position:position + PIECE], ()):
                if secret not in found and secret in text:
                    found.add(secret)
        return found

    def scrub_text(self, text):
        """``text`` with every secret in it masked (longest first, so that a secret inside another goes too)."""
        if len(text) < PIECE and not self._short:
            return text  # most strings of a result (keys, reasons, numbers as text) are shorter than any secret
        for secret in sorted(self.found_in(text), key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text

    def scrub(self, value):
        """``value`` (a result: dicts, lists, tuples, strings, numbers) with every secret masked in every string."""
        if not self._secrets:
            return value
        return self._scrub(value)

    def _scrub(self, value):
        if isinstance(value, str):
            return self.scrub_text(value)
        if isinstance(value, dict):
            return {self._scrub(key): self._scrub(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self._scrub(item) for item in value)
        if self._numbers and isinstance(value, (int, float)) and not isinstance(value, bool) and str(value) in self._numbers:
            return MASK  # as Ansible masks a number that equals a no_log value
        return value


def _is_number(text):
    """Whether ``text`` parses as a number, so that a number in a result could print as it."""
    try:
        float(text)
    except ValueError:
        return False
    return True
