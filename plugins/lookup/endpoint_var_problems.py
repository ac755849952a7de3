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
    host, the variable that the C(netbackup.nbwss.rollout) role deploys (default C(nbwss_endpoints)), that is
    every entry in the forms M(netbackup.nbwss.endpoint_set) accepts, the rules across the host's endpoints,
    and the file names they would get.
  - 'A host that does not set the variable is a problem, C(HOST: nbwss_endpoints is not set), with a hint when
    the host sets a near miss (C(did you mean nbwss_endpoints? the host sets nbwss_endpoint)); see
    O(allow_empty) and O(hosts).'
  - Vaulted values (C(!vault) strings or vault-encrypted variable files) are decrypted with the vault
    secrets of the run. A value that cannot be decrypted is one problem naming the host and the variable.
  - C(sealed) entries are opened with the host's C(nbwss_key) and C(nbwss_previous_keys) when it has
    them (this needs the Python library C(cryptography) on the controller); without a key they are
    reported as a warning and not checked.
  - C(provider) entries are checked as M(netbackup.nbwss.endpoint_set) checks them before it fetches, with
    the host's C(nbwss_provider_*) variables (the role passes them as the module's provider options) as the
    defaults of each entry, and those variables are checked as the module checks its options. A named
    provider entry's file name is checked too. The endpoint details are fetched at deploy time, so they are
    not part of the rules across the host's endpoints here.
  - 'Each host variable whose name starts with C(nbwss_) and that is neither a variable of the
    C(netbackup.nbwss.rollout) role (its C(meta/argument_specs.yml)) nor one of the collection''s playbooks is
    an Ansible warning naming the nearest known variable, for example C(m1: nbwss_probe_failon is not a variable
    of the netbackup.nbwss.rollout role; did you mean nbwss_probe_fail_on?). Values are never shown.'
  - Returns one entry per problem, so an empty result means every host's endpoints are valid. This is
    what the C(netbackup.nbwss.validate) playbook runs with C(nbwss_validate_vars), in CI before a
    fleet rollout; no managed host is contacted. With O(summary=true) it returns one dictionary that also
    says what was checked.
  - The token is never part of the result, of warnings or of errors.
  - Without inventory sources, it checks the hosts named in O(play_hosts) as the running play sees them
    (their C(hostvars), and the play's own variables, such as C(vars) and C(vars_files), for what a host does
    not set). The C(netbackup.nbwss.rollout) role does this before it touches any master. In this mode, a host
    whose C(nbwss_format) is C(sealed) (the default) and that has endpoints but neither C(nbwss_key) nor
    C(nbwss_key_file) is a problem too.
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
    description:
      - With inventory sources, a host pattern limiting the hosts checked, for example the group of the master
        servers when the inventory also holds other hosts. Only these hosts count for O(allow_empty).
      - In a play (O(play_hosts)), the play's hosts are the ones checked and this is not used.
    type: str
    default: all
  allow_empty:
    description:
      - Without this, every host checked must set O(variable) (a host without it is a problem), and an inventory
        in which O(hosts) matches no host is a problem, so that a CI gate cannot pass on nothing (a typo in the
        path, the pattern or the variable name).
      - With this, hosts that do not set O(variable) are skipped (not counted), and finding nothing to check is
        not a problem.
    type: bool
    default: false
  summary:
    description:
      - Return one dictionary instead of the list of problems, that also says what was checked, for a playbook or
        role to print one line on success (see RV(_raw[].message)) without counting anything itself.
      - Use it with C(lookup()), or take element 0 of C(query()).
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
  loop: "{{ query('netbackup.nbwss.endpoint_var_problems', 'inventory/', hosts='masters') }}"
  loop_control:
    label: "{{ item.host }}"

- name: Check the play's masters once, as the rollout role does
  ansible.builtin.set_fact:
    checked: "{{ lookup('netbackup.nbwss.endpoint_var_problems', play_hosts=ansible_play_hosts_all, summary=true) }}"
  run_once: true
  delegate_to: localhost

- name: Fail on each problem
  ansible.builtin.fail:
    msg: "{{ item.message }}"
  loop: "{{ checked.problems }}"
  loop_control:
    label: "{{ item.host }}"
  run_once: true
  delegate_to: localhost
  any_errors_fatal: true

- name: 'Say what was checked, for example "3 masters, 21 entries checked: no problem"'
  ansible.builtin.debug:
    msg: "{{ checked.message }}"
  run_once: true
"""

RETURN = r"""
_raw:
  description:
    - One entry per problem; empty when every host's endpoints are valid.
    - With O(summary=true), one dictionary with RV(_raw[].problems), RV(_raw[].hosts_checked),
      RV(_raw[].entries_checked) and RV(_raw[].message) instead.
  type: list
  elements: dict
  contains:
    problems:
      description: With O(summary=true), the problems, each a dictionary as without it (RV(_raw[].host), RV(_raw[].field), RV(_raw[].message)).
      type: list
      elements: dict
      returned: O(summary=true)
    hosts_checked:
      description: With O(summary=true), how many hosts (masters) were checked, those that do not set O(variable) included unless O(allow_empty=true).
      type: int
      returned: O(summary=true)
    entries_checked:
      description: With O(summary=true), how many entries were checked (sealed entries that could not be opened are not counted).
      type: int
      returned: O(summary=true)
    host:
      description: The inventory host the problem is about (empty for a problem with the inventory as a whole).
      type: str
    field:
      description: The endpoint key the problem is about, when it is about one key.
      type: str
    message:
      description:
        - 'For a problem, one line, C(host: variable[index]: field: problem), never containing the token.'
        - 'With O(summary=true), what was checked and what was found: C(3 masters, 21 entries checked: no problem)
          or C(3 masters, 21 entries checked: 2 problems).'
      type: str
"""

import os

import yaml

from ansible.errors import AnsibleError, AnsibleLookupError
from ansible.inventory.manager import InventoryManager
from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.plugins.lookup import LookupBase
from ansible.template import Templar
from ansible.utils.display import Display
from ansible.vars.manager import VariableManager

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint import EndpointError, near_miss
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_entries import (
    EntryReader,
    ProviderEntry,
    provider_defaults,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_file import FORMATS, file_argument_spec
from ansible_collections.netbackup.nbwss.plugins.module_utils._set_rules import set_problems, set_warnings
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_set_plan import plan_entries
from ansible_collections.netbackup.nbwss.plugins.module_utils._keys import KeyRing, sealing_key_problem
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import TaskError
from ansible_collections.netbackup.nbwss.plugins.module_utils._provider_options import provider_argument_spec
from ansible_collections.netbackup.nbwss.plugins.plugin_utils._wording import checked_summary, counted

display = Display()

ROLE = 'netbackup.nbwss.rollout'
# plugins/lookup/<this file> -> the collection root, whatever the collection is installed as.
COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLE_ARGUMENT_SPECS = os.path.join(COLLECTION_ROOT, 'roles', 'rollout', 'meta', 'argument_specs.yml')
# Variables of the collection's playbooks (playbooks/rollout.yml and playbooks/validate.yml): they choose the
# hosts, the batches and what to validate, so they belong to the plays, not to the role's argument spec.
PLAYBOOK_VARIABLES = (
    'nbwss_rollout_hosts', 'nbwss_serial', 'nbwss_max_fail_percentage',
    'nbwss_validate_path', 'nbwss_validate_set_per', 'nbwss_validate_vars', 'nbwss_validate_variable',
    'nbwss_validate_hosts', 'nbwss_validate_allow_empty',
)
KEY_VARIABLES = ('nbwss_key', 'nbwss_key_file', 'nbwss_previous_keys')
# The role passes nbwss_provider_<option> as endpoint_set's <option>, the defaults of its provider entries.
PROVIDER_VARIABLE = 'nbwss_provider_%s'
PROVIDER_VARIABLES = tuple(PROVIDER_VARIABLE % name for name in sorted(provider_argument_spec()))
DEFAULT_FORMAT = file_argument_spec()['format']['default']
# How many hosts a warning about a variable names before it says "and N more".
HOSTS_NAMED = 5

_role_variables = []


def role_variables():
    """The variable names the rollout role declares (its meta/argument_specs.yml), read once."""
    if not _role_variables:
        try:
            with open(ROLE_ARGUMENT_SPECS, 'rb') as handle:
                specs = yaml.safe_load(handle)
            _role_variables.extend(specs['argument_specs']['main']['options'])
        except (IOError, OSError, KeyError, TypeError, yaml.YAMLError) as err:
            raise AnsibleLookupError('cannot read the variables of the %s role from %s: %s'
                                     % (ROLE, ROLE_ARGUMENT_SPECS, to_native(err)))
    return _role_variables


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


def error_rows(host, error):
    """One problem row per line of an EndpointError."""
    return [row(host, line, field) for (field, dummy), line in zip(error.problems, error.lines())]


def first_line(error):
    """The first line of an Ansible error: decryption and templating errors name files and variables, not values."""
    return to_native(getattr(error, 'message', None) or error).splitlines()[0]


def hosts_phrase(hosts):
    """``m1``, ``m1, m2`` or ``m1, ..., m5 and 995 more hosts``."""
    if len(hosts) <= HOSTS_NAMED:
        return ', '.join(hosts)
    return '%s and %s' % (', '.join(hosts[:HOSTS_NAMED]), counted(len(hosts) - HOSTS_NAMED, 'more host'))


class Unreadable(Exception):
    """A variable's value cannot be templated or decrypted; ``str()`` names the variable, never the value."""


def _raise_unreadable(message):
    """A ``read`` for HostVariables that fails with ``message`` whatever is read."""
    def read(dummy):
        raise AnsibleError(message)
    return read


class HostVariables(object):
    """One host's variables as the check sees them: the names it sets, and values read on demand.

    ``read(name)`` returns the templated, decrypted value. ``names`` are the names the host sets itself
    (inventory, facts, extra vars); ``play_names`` those it gets from the play (``vars``, ``vars_files``).
    """

    def __init__(self, host, names, read, play_names=()):
        self.host = host
        self.names = frozenset(names)
        self.play_names = frozenset(play_names)
        self._read = read

    def sets(self, name):
        return name in self.names or name in self.play_names

    def values(self, names):
        """``{name: plain value}`` for the ``names`` set; raise Unreadable at the first that cannot be read."""
        found = {}
        for name in names:
            if self.sets(name):
                try:
                    found[name] = plain(self._read(name))
                except AnsibleError as err:
                    raise Unreadable('%s cannot be read: %s' % (name, first_line(err)))
        return found


class LookupModule(LookupBase):

    # --- where the hosts and their variables come from ----------------------------------------

    def _inventory_hosts(self, sources):
        """A HostVariables for each host of the inventory sources that O(hosts) matches."""
        inventory = InventoryManager(loader=self._loader, sources=sources)
        manager = VariableManager(loader=self._loader, inventory=inventory)
        try:
            hosts = inventory.get_hosts(self.get_option('hosts'))
        except AnsibleError:
            # A pattern that matches nothing, under HOST_PATTERN_MISMATCH=error: no host (allow_empty decides).
            hosts = []
        for host in hosts:
            try:
                host_vars = manager.get_vars(host=host, include_hostvars=False)
            except AnsibleError as err:
                # A host_vars or group_vars file this run cannot read (a vault it has no secret for): the host's problem.
                yield HostVariables(host.name, [self.get_option('variable')], _raise_unreadable(first_line(err)))
                continue
            yield self._host_variables(host.name, host_vars)

    def _play_hosts(self, variables):
        """A HostVariables for each play host: its own variables, then the play's for what it does not set.

        The play's variables are those the running task sees that its own host does not set (play vars,
        vars_files, role defaults), as they are before templating; each host's values are templated with
        its own variables over the play's, as a task on that host would see them (play vars do not
        override a host's own here).
        """
        variables = variables or {}
        hostvars = variables.get('hostvars') or {}
        # Untemplated: HostVars.raw_get on ansible-core; a plain mapping of host -> variables in unit tests.
        raw_vars = getattr(hostvars, 'raw_get', None) or hostvars.__getitem__
        current = variables.get('inventory_hostname')
        own = set(raw_vars(current)) if current in hostvars else set()
        play_vars = dict((name, variables[name]) for name in variables if name not in own)
        for name in self.get_option('play_hosts') or []:
            yield self._host_variables(name, raw_vars(name) if name in hostvars else {}, play_vars)

    def _host_variables(self, host, host_vars, play_vars=None):
        """A HostVariables reading ``host_vars`` (over ``play_vars``) through a templar of their own."""
        context = dict(play_vars or {})
        context.update(host_vars)
        templar = Templar(loader=self._loader, variables=context)
        return HostVariables(host, host_vars, lambda name: templar.template(context[name]), play_vars or ())

    # --- one host -------------------------------------------------------------------------------

    def _names(self):
        return (self.get_option('variable'), 'nbwss_format') + KEY_VARIABLES + PROVIDER_VARIABLES

    def _not_set(self, host, variable):
        """The problem of a host without the variable, with a hint when it sets a near miss."""
        message = '%s: %s is not set' % (host.host, variable)
        near = near_miss(variable, sorted(host.names | host.play_names))
        if near:
            message += ' (did you mean %s? the host sets %s)' % (variable, near)
        return row(host.host, message)

    @staticmethod
    def _keyring(values):
        """The key ring of the host's nbwss_key and nbwss_previous_keys, None without any; raise TaskError."""
        if values.get('nbwss_key') is None and not values.get('nbwss_previous_keys'):
            return None
        return KeyRing.from_texts(values.get('nbwss_key'), values.get('nbwss_previous_keys'),
                                  names=('nbwss_key', 'nbwss_previous_keys'))

    @staticmethod
    def _provider_defaults(host, values):
        """endpoint_set's module-level provider options from the host's nbwss_provider_* variables."""
        params = dict((name, values.get(PROVIDER_VARIABLE % name)) for name in provider_argument_spec())
        return provider_defaults(params, source=host, label=PROVIDER_VARIABLE)

    @staticmethod
    def _format(host, values):
        """``(format, problem rows)``: the host's nbwss_format, or endpoint_set's default."""
        fmt = values.get('nbwss_format')
        if fmt is None:
            return DEFAULT_FORMAT, []
        if fmt not in FORMATS:
            return DEFAULT_FORMAT, [row(host, '%s: nbwss_format: must be one of %s' % (host, ', '.join(FORMATS)))]
        return fmt, []

    @staticmethod
    def _key_rows(host, values, fmt, entries):
        """The role's rule: sealed files need a key to seal with (endpoint_set fails without one)."""
        has_key = values.get('nbwss_key') is not None or values.get('nbwss_key_file') is not None
        problem = sealing_key_problem(fmt, has_key or not entries,
                                      names=('nbwss_format', 'nbwss_key (in Ansible Vault)', 'nbwss_key_file'))
        return [row(host, '%s: %s' % (host, problem))] if problem else []

    def _check_host(self, host, values, play_mode):
        """``(problem rows, entries checked)`` for one host that sets the variable; warnings are shown."""
        variable = self.get_option('variable')
        entries = values[variable]
        if not isinstance(entries, list):
            return [row(host, '%s: %s must be a list of entries' % (host, variable))], 0
        fmt, rows = self._format(host, values)
        if play_mode:
            rows.extend(self._key_rows(host, values, fmt, entries))
        try:
            reader = EntryReader(self._keyring(values), self._provider_defaults(host, values))
        except TaskError as err:
            return rows + [row(host, '%s: %s' % (host, err))], 0
        except EndpointError as err:
            return rows + error_rows(host, err), 0
        read, skipped, entry_rows = self._read_entries(host, entries, reader)
        rows.extend(entry_rows)
        rows.extend(self._set_rows(host, read, fmt))
        if not rows:
            self._warn_about_entries(read, all_read=not skipped and len(read) == len(entries))
        return rows, len(entries) - len(skipped)

    def _read_entries(self, host, entries, reader):
        """``(read, skipped, problem rows)``: ``read`` is ``[(index, name, Endpoint or None)]``, None for an entry
        whose endpoint is not known here (provider, or sealed without a key); ``skipped`` the unopened sealed ones."""
        variable = self.get_option('variable')
        read, skipped, rows = [], [], []
        for index, entry in enumerate(entries):
            source = '%s: %s[%d]' % (host, variable, index)
            if reader.keyring is None and isinstance(entry, dict) and 'sealed' in entry:
                skipped.append(index)
                name = entry.get('name')
                if isinstance(name, str):
                    read.append((index, name, None))
                continue
            try:
                found = reader.endpoint(entry, source)
            except EndpointError as err:
                rows.extend(error_rows(host, err))
            except TaskError as err:
                rows.append(row(host, '%s: %s' % (source, err)))
            else:
                read.append((index, entry.get('name'), None if isinstance(found, ProviderEntry) else found))
        if skipped:
            display.warning('%s: %s: entries %s are sealed and the host has no nbwss_key; they were not checked'
                            % (host, variable, ', '.join(str(index) for index in skipped)))
        return read, skipped, rows

    def _set_rows(self, host, read, fmt):
        """Problem rows for the rules across the host's known endpoints and for the file names of all entries."""
        rows = [row(host, conflict.message) for conflict in set_problems([e for dummy, dummy, e in read if e])]
        try:
            plan_entries('', read, fmt, option=self.get_option('variable'))
        except TaskError as err:
            rows.append(row(host, '%s: %s' % (host, err)))
        return rows

    @staticmethod
    def _warn_about_entries(read, all_read):
        endpoints = [endpoint for dummy, dummy, endpoint in read if endpoint is not None]
        found = [warning for endpoint in endpoints for warning in endpoint.warnings()]
        if all_read and len(endpoints) == len(read):
            # With provider or unopened sealed entries, the set is only known on the master: no set warnings yet.
            found += set_warnings(endpoints)
        for warning in found:
            display.warning(warning)

    # --- variables that are not the role's ------------------------------------------------------

    def _unknown_variables(self, names):
        """``[(name, nearest known name or None)]`` for each ``nbwss_*`` name (any case) that is not known."""
        known = set(role_variables()) | set(PLAYBOOK_VARIABLES) | set([self.get_option('variable')])
        unknown = sorted(name for name in names if name.lower().startswith('nbwss_') and name not in known)
        return [(name, near_miss(name, sorted(known))) for name in unknown]

    @staticmethod
    def _warn_unknown_variables(unknown):
        """One warning per unknown variable, naming the hosts (or the play) that set it; never a value."""
        for name in sorted(unknown):
            hint, setters = unknown[name]
            display.warning('%s: %s is not a variable of the %s role%s' % (
                hosts_phrase(setters), name, ROLE, '; did you mean %s?' % hint if hint else ''))

    def _collect_unknown(self, host, unknown):
        """Add ``host`` under each unknown variable it sets itself, and ``the play`` under those the play sets:
        ``unknown`` maps a name to ``(nearest known name or None, [host or 'the play'])``."""
        for names, setter in ((host.names, host.host), (host.play_names, 'the play')):
            for name, hint in self._unknown_variables(names):
                setters = unknown.setdefault(name, (hint, []))[1]
                if setter not in setters:
                    setters.append(setter)

    # --- the run --------------------------------------------------------------------------------

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        sources = [to_native(term) for term in self._flatten(terms or [])]
        play_mode = not sources
        hosts = self._play_hosts(variables) if play_mode else self._inventory_hosts(sources)
        problems, hosts_checked, entries_checked, seen = [], 0, 0, 0
        unknown = {}
        for host in hosts:
            seen += 1
            self._collect_unknown(host, unknown)
            rows, entries = self._check(host, play_mode)
            if rows is None:
                continue
            hosts_checked += 1
            entries_checked += entries
            problems.extend(rows)
        self._warn_unknown_variables(unknown)
        if not seen and not self.get_option('allow_empty'):
            problems.append(self._nothing_row(sources))
        if not self.get_option('summary'):
            return problems
        result = checked_summary(problems, [counted(hosts_checked, 'master'), counted(entries_checked, 'entry', 'entries')])
        result.update(hosts_checked=hosts_checked, entries_checked=entries_checked)
        return [result]

    def _check(self, host, play_mode):
        """``(problem rows, entries checked)`` for one host, or ``(None, 0)`` for a host skipped by allow_empty."""
        variable = self.get_option('variable')
        if not host.sets(variable):
            return (None, 0) if self.get_option('allow_empty') else ([self._not_set(host, variable)], 0)
        try:
            values = host.values(self._names())
        except Unreadable as err:
            return [row(host.host, '%s: %s' % (host.host, err))], 0
        try:
            return self._check_host(host.host, values, play_mode)
        except TaskError as err:
            return [row(host.host, '%s: %s' % (host.host, err))], 0

    def _nothing_row(self, sources):
        if sources:
            return row('', 'no host of %s matches %s; check the inventory path and the hosts pattern, or set allow_empty '
                           'if that is expected' % (', '.join(sources), self.get_option('hosts')))
        return row('', 'play_hosts names no host; give the hosts of the play (play_hosts=ansible_play_hosts_all)')
