#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: fleet_report
short_description: Put the rollout results of many NetBackup masters together into one fleet report
version_added: 0.2.0
author: netbackup.nbwss contributors (@netbackup-nbwss)
description:
  - Runs on the controller. Reads, for every host in O(hosts), the results the C(netbackup.nbwss.rollout) role
    registered (O(deploy_var), O(probe_var)) from C(hostvars), and builds the fleet view - a summary, the groups x
    masters grid of active endpoints, and findings no single master can see (drift of a group's endpoints between
    masters, groups down, certificates close to expiry, masters that failed or could not be reached).
  - With O(dir), writes one JSON file per host under C(DIR/hosts/) and C(DIR/fleet.json). Host files of hosts that
    are not in O(hosts) are removed, so the directory always holds one run.
  - Everything in it is redacted already (tokens as fingerprints); the module copies only known keys from the
    results.
options:
  dir:
    description: Directory on the controller for the report files. Created when missing. Without it nothing is written.
    type: path
  hosts:
    description: The hosts of the fleet, for example C(ansible_play_hosts_all).
    type: list
    elements: str
    required: true
  run_id:
    description:
      - The id of this run. A host counts as reached when its O(seen_var) equals it; the others are reported as not run
        yet (a later C(serial) batch).
    type: str
  seen_var:
    description: The host variable the role sets to O(run_id) when it starts on a host.
    type: str
    default: rollout_run_id
  deploy_var:
    description: The host variable holding the registered result of M(netbackup.nbwss.endpoint_set).
    type: str
    default: rollout_deploy
  probe_var:
    description: The host variable holding the registered result of M(netbackup.nbwss.probe).
    type: str
    default: rollout_probe
  min_cert_days:
    description: The fleet findings list every certificate the probes saw with fewer days left than this; recorded in the report.
    type: int
  generated:
    description: When the report was made, recorded in it (for example an ISO 8601 time).
    type: str
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: It reads hostvars and writes report files on the controller, also in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - The C(netbackup.nbwss.rollout) role runs it once per batch with C(run_once) and C(delegate_to=localhost).
seealso:
  - module: netbackup.nbwss.probe
  - module: netbackup.nbwss.endpoint_set
'''

EXAMPLES = r'''
- name: Put the fleet together
  netbackup.nbwss.fleet_report:
    dir: "{{ playbook_dir }}/nbwss-report"
    hosts: "{{ ansible_play_hosts_all }}"
    run_id: "{{ rollout_run_id }}"
  run_once: true
  delegate_to: localhost
  register: fleet

- name: Show it
  ansible.builtin.debug:
    msg: "{{ fleet.table }}"
  run_once: true
'''

RETURN = r'''
summary:
  description: One line, how many masters are healthy, failed over, down, failed, unreachable.
  returned: always
  type: str
  sample: "12 masters: 9 healthy, 2 failed over, 1 down, 0 failed, 0 unreachable"
table:
  description: The printed report, one line per element - the summary, the grid, the findings.
  returned: always
  type: list
  elements: str
findings:
  description: Fleet findings, each with C(kind) (drift, group_down, failover, cert_expiry, failed, unreachable), C(message) and C(hosts).
  returned: always
  type: list
  elements: dict
view:
  description:
    - The whole fleet view, as written to C(fleet.json) - C(summary), C(hosts), C(host_states), C(groups), C(grid),
      C(findings) and the host C(reports).
  returned: always
  type: dict
files:
  description: The fleet file written.
  returned: with O(dir)
  type: list
  elements: str
'''
