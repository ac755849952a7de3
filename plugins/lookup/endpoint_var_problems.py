# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
name: endpoint_var_problems
short_description: Find problems in the NBWSS endpoint variables of an inventory or a play, on the controller
version_added: 0.2.0
author: netbackup.nbwss contributors (@netbackup-nbwss)
description:
  - Loads an inventory (with its C(group_vars) and C(host_vars)) on the controller and checks, for each
    host that defines it, the variable that the C(netbackup.nbwss.rollout) role deploys (default
    C(nbwss_endpoints)), that is every entry in the forms M(netbackup.nbwss.endpoint_set) accepts, the rules
    across the host's endpoints, and the file names they would get.
  - Vaulted values (C(!vault) strings or vault-encrypted variable files) are decrypted with the vault
    secrets of the run. A value that cannot be decrypted is one problem naming the host.
  - C(sealed) entries are opened with the host's C(nbwss_key) and C(nbwss_previous_keys) when it has
    them (this needs the Python library C(cryptography) on the controller); without a key they are
    reported as a warning and not checked.
  - C(provider) entries are checked for their shape and options only (the C(url), known option names,
    their types); their endpoint details are fetched at deploy time, so they are not part of the rules
    across the host's endpoints here.
  - Returns one entry per problem, so an empty result means every host's endpoints are valid. This is
    what the C(netbackup.nbwss.validate) playbook runs with C(nbwss_validate_vars), in CI before a
    fleet rollout; no managed host is contacted.
  - The token is never part of the result, of warnings or of errors.
  - Without inventory sources, it checks the hosts named in O(play_hosts) as the running play sees them
    (their C(hostvars)). The C(netbackup.nbwss.rollout) role does this before it touches any master.
options:
  _terms:
    description:
      - Inventory sources (files or directories), as given to C(ansible-playbook -i).
      - Leave empty to check O(play_hosts) instead.
    type: list
    elements: path
  play_hosts:
    description:
      - Hosts of the running play whose variables are checked, when no inventory sources are given, for
        example C(ansible_play_hosts_all).
    type: list
    elements: str
  variable:
    description: The variable that holds each host's endpoint entries.
    type: str
    default: nbwss_endpoints
  hosts:
    description: A host pattern limiting the hosts checked.
    type: str
    default: all
  allow_empty:
    description:
      - Without this, an inventory in which no host defines O(variable) is a problem, so that a CI gate
        cannot pass on nothing (a typo in the path or in the variable name).
    type: bool
    default: false
seealso:
  - plugin: netbackup.nbwss.endpoint_problems
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: Fail when any host's nbwss_endpoints in inventory/ is invalid
  ansible.builtin.fail:
    msg: "{{ item.message }}"
  loop: "{{ query('netbackup.nbwss.endpoint_var_problems', 'inventory/') }}"
  loop_control:
    label: "{{ item.host }}"
"""

RETURN = r"""
_raw:
  description: One entry per problem; empty when every host's endpoints are valid.
  type: list
  elements: dict
  contains:
    host:
      description: The inventory host the problem is about (empty for a problem with the inventory as a whole).
      type: str
    field:
      description: The endpoint key the problem is about, when it is about one key.
      type: str
    message:
      description: 'One line, C(host: variable[index]: field: problem), never containing the token.'
      type: str
"""

from ansible.errors import AnsibleError
from ansible.inventory.manager import InventoryManager
from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.plugins.lookup import LookupBase
from ansible.template import Templar
from ansible.utils.display import Display
from ansible.vars.manager import VariableManager

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import EndpointError
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_entries import EntryReader, ProviderEntry
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_set import set_problems, set_warnings
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_set_plan import plan_entries
from ansible_collections.netbackup.nbwss.plugins.module_utils._keys import KeyRing
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import TaskError
from ansible_collections.netbackup.nbwss.plugins.module_utils._sealed import KeyFormatError, parse_key

display = Display()


def plain(value):
    """``value`` with every vaulted or tagged string turned into plain text (decrypting it)."""
    if isinstance(value, dict):
        return dict((to_text(key), plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return to_text(value)


def row(host, message, field=None):
    return {'host': host, 'field': field, 'message': message}


class LookupModule(LookupBase):

    def _host_values(self, variables, names):
        """The templated, decrypted values of ``names`` for one host (missing names are absent)."""
        templar = Templar(loader=self._loader, variables=variables)
        return dict((name, plain(templar.template(variables[name]))) for name in names if name in variables)

    def _keyring(self, values):
        if values.get('nbwss_key') is None and not values.get('nbwss_previous_keys'):
            return None
        try:
            current = parse_key(values['nbwss_key'], 'nbwss_key') if values.get('nbwss_key') else None
            previous = [parse_key(text, 'nbwss_previous_keys[%d]' % index)
                        for index, text in enumerate(values.get('nbwss_previous_keys') or [])]
        except KeyFormatError as err:
            raise TaskError(str(err))
        return KeyRing(current, previous)

    def _check_host(self, host, values, variable):
        """Problem rows for one host's entries; warnings are shown."""
        entries = values[variable]
        keyring = self._keyring(values)
        if keyring is None and isinstance(entries, list):
            sealed = [index for index, entry in enumerate(entries) if isinstance(entry, dict) and 'sealed' in entry]
            if sealed:
                display.warning('%s: %s: entries %s are sealed and the host has no nbwss_key; they were not checked'
                                % (host, variable, ', '.join(str(index) for index in sealed)))
                entries = [entry for index, entry in enumerate(entries) if index not in sealed]
        reader = EntryReader(keyring)
        rows = []
        validated = []
        if not isinstance(entries, list):
            return [row(host, '%s: %s must be a list of entries' % (host, variable))]
        for index, entry in enumerate(entries):
            source = '%s: %s[%d]' % (host, variable, index)
            try:
                endpoint = reader.endpoint(entry, source)
                if not isinstance(endpoint, ProviderEntry):
                    validated.append((index, entry.get('name'), endpoint))
            except EndpointError as err:
                rows.extend(row(host, line, field) for (field, dummy), line in zip(err.problems, err.lines()))
            except TaskError as err:
                rows.append(row(host, '%s: %s' % (source, err)))
        # Provider entries are only checked for their shape here (their endpoint comes with the fetch).
        endpoints = [endpoint for dummy, dummy, endpoint in validated]
        conflicts = set_problems(endpoints)
        rows.extend(row(host, conflict.message) for conflict in conflicts)
        try:
            plan_entries('/', validated, 'sealed')
        except TaskError as err:
            rows.append(row(host, '%s: %s: %s' % (host, variable, err)))
        if not rows:
            found = [w for endpoint in endpoints for w in endpoint.warnings()]
            if len(endpoints) == len(entries):
                # With provider entries, the set is only known after the fetch: no set warnings yet.
                found += set_warnings(endpoints)
            for warning in found:
                display.warning(warning)
        return rows

    def _inventory_hosts(self, sources):
        """``(name, values)`` for each host of the inventory sources that defines the variables."""
        inventory = InventoryManager(loader=self._loader, sources=sources)
        manager = VariableManager(loader=self._loader, inventory=inventory)
        for host in inventory.get_hosts(self.get_option('hosts')):
            host_vars = manager.get_vars(host=host, include_hostvars=False)
            if self.get_option('variable') in host_vars:
                yield host.name, lambda host_vars=host_vars: self._host_values(host_vars, self._names())

    def _play_hosts(self, variables):
        """``(name, values)`` for each play host that defines the variable, as the play sees it."""
        hostvars = (variables or {}).get('hostvars') or {}
        for name in self.get_option('play_hosts') or []:
            host_vars = hostvars[name] if name in hostvars else {}
            if self.get_option('variable') in host_vars:
                yield name, lambda host_vars=host_vars: dict(
                    (key, plain(host_vars[key])) for key in self._names() if key in host_vars)

    def _names(self):
        return (self.get_option('variable'), 'nbwss_key', 'nbwss_previous_keys')

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        sources = [to_native(term) for term in self._flatten(terms or [])]
        variable = self.get_option('variable')
        hosts = self._inventory_hosts(sources) if sources else self._play_hosts(variables)
        problems = []
        checked = 0
        for name, read_values in hosts:
            checked += 1
            try:
                values = read_values()
            except AnsibleError as err:
                # Decryption and templating errors name files and variables, never values.
                first_line = to_native(err.message).splitlines()[0]
                problems.append(row(name, '%s: %s cannot be read: %s' % (name, variable, first_line)))
                continue
            try:
                problems.extend(self._check_host(name, values, variable))
            except TaskError as err:
                problems.append(row(name, '%s: %s' % (name, err)))
        if not checked and not self.get_option('allow_empty'):
            where = ', '.join(sources) if sources else 'the play'
            problems.append(row('', 'no host of %s defines %s; check the inventory path and the variable name, or set '
                                    'allow_empty if that is expected' % (where, variable)))
        return problems
