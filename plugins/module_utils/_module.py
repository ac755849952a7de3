# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the netbackup.nbwss collection: may change without notice.

"""The module shell every netbackup.nbwss module runs in: secret containers and one error channel.

Options that hold secrets inside a structure (``endpoint``, ``endpoints``, ``content``) are
declared ``no_log`` as a whole with a loose type and validated by the collection's own code.
ansible-core's own sub-option validation cannot be trusted with them: on some versions it stops
collecting no_log values at a malformed element and never masks a misspelled sub-option, and
then ``-vvv`` prints the secrets. Declared this way nothing of them reaches ``invocation`` on any
version, whatever their shape.

``no_log`` on a container makes Ansible mask every leaf of it, though, so that a priority of
``1`` or a group name would be masked everywhere in the result. ``NbwssModule`` therefore
releases the leaves found under the keys in ``PUBLIC_KEYS`` (at any depth) right after Ansible
collected them, unless the same text also sits under another key. Everything else stays
masked: tokens, raw content, sealed text, api tokens, anything under an unknown or misspelled
key, and every element that is not a mapping. The containers are replaced by Ansible's no_log
marker in ``invocation``.

An option that is not secret as a whole may still hold a secret part (the query string of a
provider URL): ``shown_as`` maps its name to a function that gives the form ``invocation`` shows.

Deep code raises ``TaskError`` (or an error the module turns into one); only the module's
``main`` turns it into ``fail_json``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.netbackup.nbwss.plugins.module_utils._masking import SecretMask

NO_LOG_MARKER = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'

# Keys of the secret containers whose values are not secret and may show in results.
PUBLIC_KEYS = frozenset((
    'priority', 'groupId', 'hostName', 'url', 'name',
    'url_username', 'validate_certs', 'ca_path', 'client_cert', 'client_key', 'use_proxy', 'timeout', 'retries',
    'retry_delay', 'max_bytes',
))


class TaskError(Exception):
    """The task fails with ``str()``, one sentence without any secret; ``result`` adds keys to the failed result."""

    def __init__(self, msg, **result):
        super(TaskError, self).__init__(msg)
        self.result = result


def leaves(value):
    """Every string and number inside ``value`` as Ansible renders it for no_log (``str``)."""
    if isinstance(value, (str, bytes)):
        if value:
            yield to_native(value, errors='surrogate_or_strict')
    elif isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from leaves(item)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield to_native(value, nonstring='simplerepr')


def public_and_secret_leaves(value, public=False):
    """``(public, secret)`` sets of the leaves of ``value``: public ones sit under a key in PUBLIC_KEYS."""
    public_leaves = set()
    secret_leaves = set()
    if isinstance(value, dict):
        for key, item in value.items():
            more_public, more_secret = public_and_secret_leaves(item, public or key in PUBLIC_KEYS)
            public_leaves |= more_public
            secret_leaves |= more_secret
    elif isinstance(value, (list, tuple)):
        for item in value:
            more_public, more_secret = public_and_secret_leaves(item, public)
            public_leaves |= more_public
            secret_leaves |= more_secret
    else:
        (public_leaves if public else secret_leaves).update(leaves(value))
    return public_leaves, secret_leaves


def mask_secrets(module, *secrets):
    """Mask ``secrets`` (and every leaf inside a structured one) in everything ``module`` (an NbwssModule) returns."""
    for secret in secrets:
        module.secret_mask.update(leaves(secret))


class NbwssModule(AnsibleModule):
    """``AnsibleModule`` whose ``secret_containers`` never reach ``invocation``.

    ``secret_containers`` are option names declared with ``no_log=True`` (see the file docstring).
    ``shown_as`` maps an option name to a function of its string value: ``invocation`` shows what it returns.
    """

    def __init__(self, secret_containers=(), shown_as=None, **kwargs):
        # Set before AnsibleModule.__init__, which may already call fail_json for bad arguments.
        self.secret_containers = tuple(secret_containers)
        self.shown_as = dict(shown_as or {})
        self.secret_mask = SecretMask()
        self._released = False
        super(NbwssModule, self).__init__(**kwargs)
        self._release_public_leaves()

    def _release_public_leaves(self):
        if self._released or not isinstance(getattr(self, 'params', None), dict):
            return
        self._released = True
        for name in self.secret_containers:
            public_leaves, secret_leaves = public_and_secret_leaves(self.params.get(name))
            self.no_log_values.difference_update(public_leaves - secret_leaves)
            # Masked by secret_mask instead, in time linear in the result: Ansible's own masking tests every
            # string against every value, which is quadratic with a token per endpoint.
            self.no_log_values.difference_update(secret_leaves)
            self.secret_mask.update(secret_leaves)

    def _hide_containers(self):
        params = getattr(self, 'params', None)
        if isinstance(params, dict):
            self.params = dict((name, self._shown(name, value)) for name, value in params.items())

    def _shown(self, name, value):
        """The value of option ``name`` as ``invocation`` may show it."""
        if value is None:
            return value
        if name in self.secret_containers:
            return NO_LOG_MARKER
        if name in self.shown_as and isinstance(value, str):
            return self.shown_as[name](value)
        return value

    def warn(self, warning):
        super(NbwssModule, self).warn(self.secret_mask.scrub(warning))

    def exit_json(self, **kwargs):
        self._hide_containers()
        super(NbwssModule, self).exit_json(**self.secret_mask.scrub(kwargs))

    def fail_json(self, msg, **kwargs):
        # Also when AnsibleModule.__init__ fails for bad arguments: keep its message readable.
        self._release_public_leaves()
        self._hide_containers()
        super(NbwssModule, self).fail_json(self.secret_mask.scrub(msg), **self.secret_mask.scrub(kwargs))

    def exit_with(self, result, warnings=(), diff=None):
        """Warn each of ``warnings``, then exit with ``result`` and, when there is one, the redacted ``diff``."""
        for warning in warnings:
            self.warn(warning)
        if diff is not None:
            result['diff'] = diff
        self.exit_json(**result)

    def fail_task(self, err, **result):
        """Fail with a TaskError (or any exception whose ``str()`` is safe), adding its result keys."""
        result.update(getattr(err, 'result', {}))
        self.fail_json(msg=to_native(err), **result)
