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
    registered (O(deploy_var), O(probe_var)) from C(hostvars), and builds the fleet view - a summary, the masters x
    groups grid of the endpoint each group would connect to, and findings no single master can see (drift of a
    group's endpoints between masters, groups down, failovers, conflicts, certificates close to expiry, files that
    could not be read, masters that failed, were not probed or could not be reached).
  - "Each master's state is decided once, from its own results: V(healthy) only when its probe ran in this run, passed
    its C(fail_on) checks and every group has a healthy endpoint; V(failover) or V(down) when a group failed over or is
    down and C(fail_on) let it pass; V(empty) when the probe found no endpoint file; V(failed) when its deploy or
    probe failed (the C(fail_on) conditions that held are the reason); V(unreachable); V(not_probed) when no probe result of this run exists (C(--tags deploy),
    C(--tags report), a skipped host); V(pending) for a later C(serial) batch."
  - C(changed) is always false - the report is about the masters, not a change to them.
  - With O(dir), writes one run's report together - one JSON file per host under C(DIR/hosts/), C(DIR/fleet.json),
    C(DIR/fleet.prom) and C(DIR/fleet.html) (the page rendered from the role's page template and the metrics rendered
    before anything is written, so a page that cannot be rendered leaves the last report as it was). Host files of
    hosts that are not in the view are removed. In check mode nothing is written.
  - C(fleet.prom) is the report in the Prometheus text format - the report's time, how many masters are in each
    state, each master's state, its groups' active priority, failover and down, and the fleet findings by kind (the
    metrics are listed in C(docs/monitoring.md)). Mode C(0644) like the other report files.
  - Everything in it is redacted already (tokens as fingerprints, urls without their query); the module copies only
    known keys from the results.
options:
  dir:
    description:
      - Directory on the controller for the report files. Created when missing. Without it nothing is written.
      - A relative path is taken from the directory C(ansible-playbook) was started in.
    type: path
  hosts:
    description:
      - The hosts of the fleet, for example C(ansible_play_hosts_all).
      - One of O(hosts) and O(slices) is required unless O(from_report).
    type: list
    elements: str
  slices:
    description:
      - Report directories of several runs that each covered part of the fleet - the job slices of an AWX / Ansible
        Automation Platform sliced job template, each with its own O(dir) - whose C(hosts/*.json) make one fleet
        view, written to O(dir) (drift and the other fleet findings are found across the slices).
      - A master in two slices is an error. Relative paths are taken from the directory C(ansible-playbook) was started in.
      - Mutually exclusive with O(hosts).
    type: list
    elements: path
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
    default: 30
  generated:
    description: When the report was made, recorded in it (for example an ISO 8601 time).
    type: str
  merge:
    description:
      - Keep the masters of the last report in O(dir) that are not in O(hosts), with their earlier state, marked
        C(carried) in the view and "earlier run" in the table and page. The role sets it for C(--limit) runs.
      - Without it the report holds exactly O(hosts).
    type: bool
    default: false
  page:
    description: Write C(fleet.html) beside C(fleet.json).
    type: bool
    default: true
  from_report:
    description:
      - Render C(fleet.html) again from the C(fleet.json) in O(dir) of an earlier run; no host is read and no JSON file
        written. C(fleet.prom) is left as it is (its time is the time of its run). The C(netbackup.nbwss.report)
        playbook uses it.
    type: bool
    default: false
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
    details: In check mode it builds and returns the view and the table but writes no file, so the last report stays.
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
    dir: nbwss-report
    hosts: "{{ ansible_play_hosts_all }}"
    run_id: "{{ rollout_run_id }}"
  run_once: true
  delegate_to: localhost
  register: fleet

- name: Show it
  ansible.builtin.debug:
    msg: "{{ fleet.table }}"
  run_once: true

- name: One fleet view of the three slices of an AWX sliced job
  netbackup.nbwss.fleet_report:
    dir: /srv/reports/nbwss/fleet
    slices: [/srv/reports/nbwss/slice-1, /srv/reports/nbwss/slice-2, /srv/reports/nbwss/slice-3]
  run_once: true
  delegate_to: localhost

- name: Render the page again from an earlier run's fleet.json
  netbackup.nbwss.fleet_report:
    dir: /srv/reports/nbwss
    from_report: true
  run_once: true
  delegate_to: localhost
'''

RETURN = r'''
summary:
  description: One line, how many masters are in each state (not probed and not run yet only when there are any).
  returned: always
  type: str
  sample: "12 masters: 9 healthy, 2 failed over, 1 down, 0 failed, 0 unreachable"
table:
  description: The printed report, one line per element - the summary, the grid, the findings.
  returned: always
  type: list
  elements: str
findings:
  description:
    - Fleet findings, each with C(kind) (drift, group_down, failover, conflict, cert_expiry, unreadable, failed,
      unreachable, empty, not_probed), C(message) and C(hosts).
  returned: always
  type: list
  elements: dict
view:
  description:
    - The whole fleet view, as written to C(fleet.json) - C(summary), C(hosts), C(host_states), C(groups), C(grid),
      C(findings) and the host C(reports) (each with its C(state), and C(failure) with C(stage) and C(msg) when it
      failed).
  returned: always
  type: dict
files:
  description: The report files written (C(fleet.json), C(fleet.prom) and C(fleet.html)); empty in check mode.
  returned: always
  type: list
  elements: str
dir:
  description: O(dir) made absolute.
  returned: with O(dir)
  type: str
msg:
  description: Says that nothing was written, in check mode.
  returned: in check mode with O(dir)
  type: str
'''
