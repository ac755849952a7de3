# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller side of netbackup.nbwss.fleet_report: host reports from hostvars, files on the controller."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_bytes, to_native
from ansible.plugins.action import ActionBase

from ansible_collections.netbackup.nbwss.plugins.module_utils._fleet_report import (
    fleet_table,
    fleet_view,
    host_report,
    summary_line,
)

_ARGUMENT_SPEC = dict(
    dir=dict(type='path'),
    hosts=dict(type='list', elements='str', required=True),
    run_id=dict(type='str'),
    seen_var=dict(type='str', default='rollout_run_id'),
    deploy_var=dict(type='str', default='rollout_deploy'),
    probe_var=dict(type='str', default='rollout_probe'),
    min_cert_days=dict(type='int'),
    generated=dict(type='str'),
)


def write_json(path, value):
    """Write ``value`` as JSON to ``path`` atomically (a reader never sees half a file)."""
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.%s.' % os.path.basename(path))
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(to_bytes(json.dumps(value, indent=1, sort_keys=True)))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def host_file_name(host):
    """A file name for a host's report that no inventory name can escape from."""
    safe = ''.join(char if char.isalnum() or char in '._-' else '_' for char in host)
    return (safe.lstrip('.') or '_') + '.json'


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=_ARGUMENT_SPEC)
        hostvars = (task_vars or {}).get('hostvars') or {}
        reports = []
        for host in args['hosts']:
            variables = hostvars[host] if host in hostvars else {}
            seen = args['seen_var'] in variables and (args['run_id'] is None or variables[args['seen_var']] == args['run_id'])
            reports.append(host_report(host, seen=seen,
                                       deploy=variables[args['deploy_var']] if args['deploy_var'] in variables else None,
                                       probe=variables[args['probe_var']] if args['probe_var'] in variables else None))
        view = fleet_view(reports, generated=args['generated'], run_id=args['run_id'], min_cert_days=args['min_cert_days'])
        if args['dir']:
            self._write(args['dir'], view)
            result['files'] = [os.path.join(args['dir'], 'fleet.json')]
        result.update(changed=False, view=view, table=fleet_table(view), summary=summary_line(view),
                      findings=view['findings'])
        return result

    @staticmethod
    def _write(directory, view):
        """One JSON per host under DIR/hosts and DIR/fleet.json; host files of other runs are removed."""
        hosts_dir = os.path.join(directory, 'hosts')
        try:
            os.makedirs(hosts_dir, exist_ok=True)
            wanted = set()
            for report in view['reports']:
                name = host_file_name(report['host'])
                wanted.add(name)
                write_json(os.path.join(hosts_dir, name), report)
            for name in os.listdir(hosts_dir):
                if name.endswith('.json') and name not in wanted:
                    os.unlink(os.path.join(hosts_dir, name))
            write_json(os.path.join(directory, 'fleet.json'), view)
        except OSError as err:
            raise AnsibleActionFail('Could not write the fleet report in %s: %s' % (directory, to_native(err.strerror or err)))
