#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: probe
short_description: Check NBWSS endpoints from a NetBackup master, up to the real CONNECT, and which one each group uses
version_added: 0.2.0
author: netbackup.nbwss contributors (@netbackup-nbwss)
description:
  - Probes every endpoint the way NetBackup connects to it, stage by stage - C(resolve) (DNS), C(tcp), C(tls) (the
    certificate verified against O(ca_path) or the system trust, for the url's host), C(upgrade) (the WebSocket opening
    handshake) and C(connect) (the real NBWSS C(CONNECT) request with the endpoint's token, answered with
    C(valid) true and the same id), then closes the connection cleanly.
  - Each endpoint gets one deadline, O(timeout), for all its stages; when it expires the reason names the stage that
    was running. All endpoints are probed at once (up to O(concurrency)), so the task takes about one O(timeout)
    however many endpoints are silent.
  - Then it looks at each group the way NetBackup chooses - the healthy endpoint with the lowest priority is RV(groups)
    C(active), the endpoint NetBackup would connect to at the group's next (re)connect; C(failover) when that is not
    the group's best priority; a group without a healthy endpoint is down. NetBackup does not pre-empt - a master
    already connected to a lower priority stays there until that connection closes, so a recovered priority 1 does
    not mean the master has moved back (C(docs/probe.md)).
  - Runs on the master by default, the network path that matters; with O(path) the tokens never leave it. With
    C(delegate_to) it probes from anywhere.
  - It changes nothing on the host (O(metrics_path) aside). The token is sent only over a connection whose certificate was verified,
    unless O(allow_unverified_token) says otherwise, and it never appears in the output (a C(sha256:) fingerprint
    does).
  - With O(metrics_path) it also writes the run's results as Prometheus metrics, for node_exporter's textfile
    collector (C(docs/monitoring.md)). C(changed) stays false - the file is a monitoring side output rewritten by
    every run, like a log, not a change to the master.
  - Reason codes (RV(endpoints[].reason)), what they mean and what to do about them are in C(docs/probe.md) -
    V(ok), V(dns), V(tcp_refused), V(tcp_unreachable), V(tcp_timeout), V(tcp_error), V(tls_timeout),
    V(tls_untrusted), V(tls_expired), V(tls_not_yet_valid), V(tls_hostname), V(tls_client_cert), V(tls_error),
    V(http_status), V(upgrade_timeout), V(upgrade_error), V(closed), V(connect_timeout), V(connect_mismatch),
    V(protocol_error), V(token_rejected), V(token_withheld).
options:
  path:
    description:
      - An endpoint file, or a directory whose files matching O(pattern) and ending in C(.json) or C(.sealed) are
        probed, on the managed host (an absolute path). Sealed files are opened with O(key), O(key_file) or one of
        O(previous_keys).
      - Files that cannot be read are listed in RV(errors) and warned about; they are not probed.
      - Exactly one of O(path) and O(endpoints) is required.
    type: path
  pattern:
    description: Shell-style pattern of the file names to read in a directory O(path).
    type: str
    default: nbwss_*
  endpoints:
    description:
      - Endpoints given directly, in the entry forms of M(netbackup.nbwss.endpoint_set) (the five keys, C(content) or
        C(sealed)). The whole option is C(no_log) and checked by the collection itself.
      - Exactly one of O(path) and O(endpoints) is required.
    type: raw
  stage:
    description: The last stage to probe. Reaching it is reason V(ok).
    type: str
    choices: [tcp, tls, upgrade, connect]
    default: connect
  timeout:
    description: Seconds each endpoint's probe may take, all its stages together.
    type: float
    default: 10
  concurrency:
    description:
      - How many endpoints are probed at once, each over its own connection (about 60 KiB of memory). An endpoint
        beyond that waits for a free slot, and its O(timeout) starts when it gets one.
      - The default runs up to 1000 endpoints at once, so that they finish in about one O(timeout) however many are
        silent.
    type: int
    default: 1000
  validate_certs:
    description:
      - Verify the endpoints' TLS certificates and host names.
      - With V(false) the probe stops after C(upgrade) with reason V(token_withheld) (the token is not sent over a
        connection whose certificate was not verified), unless O(allow_unverified_token=true).
    type: bool
    default: true
  ca_path:
    description: PEM file on the managed host with the CA certificates that may issue the endpoints' certificates. Default is the system trust.
    type: path
  client_cert:
    description: PEM certificate on the managed host for TLS client authentication.
    type: path
  client_key:
    description: PEM private key on the managed host for O(client_cert), when the certificate file does not hold it.
    type: path
  allow_unverified_token:
    description: With O(validate_certs=false), send the CONNECT and its token anyway. Only for a test endpoint you control.
    type: bool
    default: false
  fail_on:
    description:
      - What fails the task (all results are still returned). V(group_down) - a group has no healthy endpoint.
        V(any_down) - any endpoint is not V(ok). V(failover) - a group's active endpoint is not its best priority.
        V(conflict) - two endpoints of a group share a priority, or two share a url. V(cert_expiry) - a certificate
        expires within O(min_cert_days) days (or has expired). V(unreadable) - an endpoint file under O(path) could not
        be read (RV(errors)), so its endpoint was not probed and its group may look healthier than it is.
      - An empty list never fails for findings.
    type: list
    elements: str
    choices: [group_down, any_down, failover, conflict, cert_expiry, unreadable]
    default: [group_down, unreadable]
  min_cert_days:
    description: A certificate that expires within this many days is a finding (see O(fail_on)).
    type: int
    default: 30
  metrics_path:
    description:
      - A file on the managed host (an absolute path, for example in node_exporter's C(--collector.textfile.directory),
        named C(*.prom)) to which each run writes its results in the Prometheus text format - endpoints up, reason,
        stage durations and certificate expiry, each group's active priority, failover and down, the run's time and
        the count of files that could not be read. The metrics are listed in C(docs/monitoring.md).
      - Written atomically (a temp file renamed over it) with mode C(0644), also when a O(fail_on) condition fails the
        task. It holds no token, fingerprint, url path or query. Its directory must exist.
      - Not written in check mode.
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - netbackup.nbwss.sealed
attributes:
  check_mode:
    support: full
    details: The probe only reads and connects; it runs the same in check mode, except that O(metrics_path) is not written.
  diff_mode:
    support: none
  platform:
    platforms: posix
requirements:
  - Python 3.8 or newer on the managed host; on an older Python (RHEL 8's platform-python and SLES 15 are 3.6) the task
    fails saying so, before anything else
  - websockets >= 11.0 on the managed host (13.1 is the last release for Python 3.8)
seealso:
  - module: netbackup.nbwss.endpoint_set
  - module: netbackup.nbwss.endpoint_info
'''

EXAMPLES = r'''
- name: Probe every endpoint deployed on the master
  netbackup.nbwss.probe:
    path: /usr/openv/var/global/wss
    key: "{{ vault_nbwss_key }}"
  register: probe

- name: Show which endpoint each group uses
  ansible.builtin.debug:
    msg: "{{ probe.msg }}"

- name: Before a change window - fail on any endpoint down or a certificate expiring within 60 days
  netbackup.nbwss.probe:
    path: /usr/openv/var/global/wss
    key_file: /etc/nbwss/endpoints.key
    fail_on: [any_down, cert_expiry, conflict]
    min_cert_days: 60

- name: Probe every endpoint and leave the results for node_exporter's textfile collector
  netbackup.nbwss.probe:
    path: /usr/openv/var/global/wss
    key: "{{ vault_nbwss_key }}"
    metrics_path: /var/lib/node_exporter/textfile_collector/nbwss.prom

- name: Only check that the masters reach the endpoints' TLS, without sending a token
  netbackup.nbwss.probe:
    path: /usr/openv/var/global/wss
    key: "{{ vault_nbwss_key }}"
    stage: tls
'''

RETURN = r'''
ok:
  description: True when no O(fail_on) condition holds.
  returned: success or when O(fail_on) failed the task
  type: bool
msg:
  description:
    - One line per group, for example C(ALPHA - would connect to alpha-2 (priority 2, failover - alpha-1 tcp_refused)),
      as the module prints them.
    - Lines and findings name an endpoint by the C(<name>) of its file C(nbwss_<name>.json) or C(nbwss_<name>.sealed),
      else by its RV(endpoints[].source).
  returned: always
  type: str
fired:
  description:
    - The O(fail_on) conditions that hold, each with C(condition), C(groups) (group ids) and C(message); V(unreadable)
      also has C(files), the paths of the files that could not be read.
  returned: success or when O(fail_on) failed the task
  type: list
  elements: dict
endpoints:
  description: One result per endpoint, in the order of the files or of O(endpoints).
  returned: success or when O(fail_on) failed the task
  type: list
  elements: dict
  contains:
    url:
      description: The endpoint url.
      type: str
    groupId:
      description: The group.
      type: str
    priority:
      description: The priority within the group.
      type: int
    hostName:
      description: The endpoint's host name.
      type: str
    source:
      description: The endpoint file (with O(path)) or C(endpoints[N]).
      type: str
    token:
      description: The token's fingerprint, C(sha256:) and 12 hex digits.
      type: str
    stage:
      description: The last stage passed (V(resolve), V(tcp), V(tls), V(upgrade), V(connect)), or V(null).
      type: str
    reason:
      description: V(ok) or the reason code of the failure (see the description and C(docs/probe.md)).
      type: str
    detail:
      description: One sentence about the outcome, never a secret.
      type: str
    http_status:
      description: The HTTP status of a refused upgrade (reason V(http_status)).
      type: int
    close_code:
      description: The WebSocket close code when the server closed (reason V(closed)).
      type: int
    close_reason:
      description: The server's close reason text.
      type: str
    ms:
      description: Milliseconds per stage (C(resolve), C(tcp), C(tls), C(upgrade), C(connect)) and C(total).
      type: dict
    tls:
      description:
        - Facts of the TLS connection, null before the TLS stage - C(verified), C(protocol) and C(cipher) always; C(subject),
          C(issuer), C(san), C(not_before), C(not_after) and C(days_left) when the certificate was verified, else null (C(san)
          empty).
      type: dict
    address:
      description: The address connected to, C(ip:port).
      type: str
groups:
  description:
    - One per C(groupId), sorted - C(members) (the group's indexes in RV(endpoints), in the order NetBackup tries
      them; C(probe.groups[0].members | map('extract', probe.endpoints)) gives its results), C(active) (the
      url NetBackup would connect to when the group (re)connects, or null), C(active_priority), C(active_source) and
      C(active_name) (which endpoint that is), C(failover), C(healthy), C(total), C(findings) (C(kind) and C(message) -
      group_down, single_endpoint, duplicate_priority, duplicate_url (once per shared url), cert_expiry) and C(line).
  returned: success or when O(fail_on) failed the task
  type: list
  elements: dict
errors:
  description: Files under O(path) that could not be read, each with C(path) and C(message); they were not probed.
  returned: with O(path)
  type: list
  elements: dict
metrics_path:
  description: The metrics file written (O(metrics_path)).
  returned: when O(metrics_path) was written (not in check mode)
  type: str
  sample: /var/lib/node_exporter/textfile_collector/nbwss.prom
'''

import time

from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_dir import DEFAULT_PATTERN, read_endpoint_files
from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_file import require_absolute
from ansible_collections.netbackup.nbwss.plugins.module_utils._files import FilesError, write_file, write_problem
from ansible_collections.netbackup.nbwss.plugins.module_utils._keys import KeyRing, key_argument_spec
from ansible_collections.netbackup.nbwss.plugins.module_utils._module import NbwssModule, TaskError, mask_secrets
from ansible_collections.netbackup.nbwss.plugins.module_utils._probe import (
    ProbeError,
    ProbeOptions,
    probe_argument_spec,
    probe_endpoints,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._probe_groups import (
    DEFAULT_FAIL_ON,
    DEFAULT_MIN_CERT_DAYS,
    FAIL_ON_CONDITIONS,
    fired_conditions,
    group_view,
    returned_groups,
)
from ansible_collections.netbackup.nbwss.plugins.module_utils._websockets import require_websockets


METRICS_MODE = 0o644


def check_metrics_path(path):
    """Fail before probing when ``metrics_path`` could not be written, rather than after a long probe."""
    if path is None:
        return
    require_absolute(path, 'metrics_path')
    problem = write_problem(path)
    if problem:
        raise TaskError('metrics_path: %s' % problem)


def endpoints_to_probe(module, keyring):
    """``(endpoints, errors, warnings)`` from ``path`` or ``endpoints``; tokens masked."""
    params = module.params
    if params['path'] is not None:
        require_absolute(params['path'], 'path')
        found = read_endpoint_files(module, params['path'], params['pattern'], keyring)
        errors = found.report['errors']
        return found.endpoints, errors, found.warnings + [error['message'] for error in errors]
    # Imported here and in write_metrics only when used: the module's code is compiled from its zip on every run
    # (twice: zipimport compiles a module to find its file name too), and most runs read a directory, write no metrics.
    from ansible_collections.netbackup.nbwss.plugins.module_utils._endpoint_entries import EntryReader

    read = EntryReader(keyring).entries(params['endpoints'], 'endpoints')
    endpoints = []
    for index, dummy, endpoint in read:
        if endpoint is None:
            raise TaskError('endpoints[%d]: provider entries cannot be probed; fetch them first (endpoint_fetch).' % index)
        endpoints.append(endpoint.with_source('endpoints[%d]' % index))
    mask_secrets(module, *[endpoint.token for endpoint in endpoints])
    warnings = [warning for endpoint in endpoints for warning in endpoint.warnings()]
    return endpoints, None, warnings


def write_metrics(module, groups, errors, started):
    """Write the run's metrics to ``metrics_path`` (not in check mode); return the path written, or None."""
    path = module.params['metrics_path']
    if path is None or module.check_mode:
        return None
    from ansible_collections.netbackup.nbwss.plugins.module_utils._metrics import probe_metrics

    text = probe_metrics(groups, unreadable=len(errors or []), started=started, finished=time.time())
    try:
        # No secret in it, and node_exporter may run as another user.
        write_file(module, path, text.encode('utf-8'), mode=METRICS_MODE)
    except FilesError as err:
        raise TaskError('metrics_path: %s' % err)
    return path


def main():
    module = NbwssModule(
        secret_containers=('endpoints',),
        argument_spec=dict(
            path=dict(type='path'),
            pattern=dict(type='str', default=DEFAULT_PATTERN),
            endpoints=dict(type='raw', no_log=True),
            fail_on=dict(type='list', elements='str', default=list(DEFAULT_FAIL_ON), choices=list(FAIL_ON_CONDITIONS)),
            min_cert_days=dict(type='int', default=DEFAULT_MIN_CERT_DAYS),
            metrics_path=dict(type='path'),
            **dict(probe_argument_spec(), **key_argument_spec())
        ),
        mutually_exclusive=[('path', 'endpoints'), ('key', 'key_file')],
        required_one_of=[('path', 'endpoints')],
        supports_check_mode=True,
    )
    params = module.params
    started = time.time()
    require_websockets(module)
    try:
        check_metrics_path(params['metrics_path'])
        keyring = KeyRing.from_params(module, params['key'], params['key_file'], params['previous_keys'])
        endpoints, errors, warnings = endpoints_to_probe(module, keyring)
        results = probe_endpoints(endpoints, ProbeOptions.from_params(params))
    except ProbeError as err:
        module.fail_task(TaskError(str(err)))
    except TaskError as err:
        module.fail_task(err)
    groups = group_view(results, min_cert_days=params['min_cert_days'])
    fired = fired_conditions(groups, params['fail_on'], errors)
    for warning in warnings:
        module.warn(warning)
    lines = [group['line'] for group in groups] or ['no endpoint to probe']
    result = dict(changed=False, ok=not fired, fired=fired, endpoints=results, groups=returned_groups(groups))
    if errors is not None:
        result['errors'] = errors
    try:
        written = write_metrics(module, groups, errors, started)
    except TaskError as err:
        module.fail_task(err, **result)
    if written:
        result['metrics_path'] = written
    if fired:
        module.fail_json(msg=' '.join(condition['message'] for condition in fired) + ' | ' + '; '.join(lines), **result)
    module.exit_json(msg='; '.join(lines), **result)


if __name__ == '__main__':
    main()
