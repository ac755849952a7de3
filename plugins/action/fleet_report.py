# -*- coding: utf-8 -*-
# Copyright (c) 2026, netbackup.nbwss contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller side of netbackup.nbwss.fleet_report: host reports from hostvars, the report files on the controller.

The one place that writes the report: ``hosts/<master>.json``, ``fleet.json``, ``fleet.prom`` and ``fleet.html``
of one run, together (the page and the metrics are rendered before anything is written), through the collection's
safe write path.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os
import time

import jinja2

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible.plugins.action import ActionBase

from ansible_collections.netbackup.nbwss.plugins.module_utils._files import ControllerWriter, FilesError, write_file
from ansible_collections.netbackup.nbwss.plugins.module_utils._probe_groups import DEFAULT_MIN_CERT_DAYS
from ansible_collections.netbackup.nbwss.plugins.plugin_utils._fleet_metrics import fleet_metrics
from ansible_collections.netbackup.nbwss.plugins.plugin_utils._fleet_page import render_page
from ansible_collections.netbackup.nbwss.plugins.plugin_utils._fleet_report import (
    deploy_lines,
    fleet_table,
    fleet_view,
    host_report,
    summary_line,
)

_ARGUMENT_SPEC = dict(
    dir=dict(type='path'),
    hosts=dict(type='list', elements='str'),
    run_id=dict(type='str'),
    seen_var=dict(type='str', default='rollout_run_id'),
    deploy_var=dict(type='str', default='rollout_deploy'),
    probe_var=dict(type='str', default='rollout_probe'),
    min_cert_days=dict(type='int', default=DEFAULT_MIN_CERT_DAYS),
    generated=dict(type='str'),
    merge=dict(type='bool', default=False),
    page=dict(type='bool', default=True),
    from_report=dict(type='bool', default=False),
    slices=dict(type='list', elements='path'),
)

# The page template ships with the rollout role: collection root / roles / rollout / templates.
REPORT_MODE = '0644'


def report_dir(path):
    """``path`` made absolute against the directory ansible-playbook was started in (its working directory: Ansible
    never changes it), so a relative ``nbwss_report_dir`` means the same thing everywhere."""
    return os.path.abspath(os.path.expanduser(path))


def host_file_name(host):
    """A file name for a host's report that no inventory name can escape from, and that two names never share
    (``db:1`` and ``db_1``): a changed name gets a short hash of the real one."""
    safe = (''.join(char if char.isalnum() or char in '._-' else '_' for char in host).lstrip('.') or '_')
    if safe != host:
        safe += '-' + hashlib.sha256(to_bytes(host)).hexdigest()[:8]
    return safe + '.json'


def _json_bytes(value):
    return to_bytes(json.dumps(value, indent=1, sort_keys=True))


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=_ARGUMENT_SPEC,
                                                  mutually_exclusive=[('hosts', 'slices')],
                                                  required_if=[('from_report', False, ('hosts', 'slices'), True)],
                                                  required_by={'slices': ('dir',)})
        task_vars = task_vars or {}
        directory = report_dir(args['dir']) if args['dir'] else None
        if args['from_report']:
            if directory is None:
                raise AnsibleActionFail('from_report needs dir, the directory of the fleet.json to render again')
            view = self._read_view(directory)
        elif args['slices']:
            view = fleet_view(self._slice_reports([report_dir(path) for path in args['slices']]),
                              generated=args['generated'], run_id=args['run_id'], min_cert_days=args['min_cert_days'])
        else:
            view = fleet_view(self._host_reports(args, task_vars), generated=args['generated'], run_id=args['run_id'],
                              min_cert_days=args['min_cert_days'],
                              carried=self._carried(directory, args) if directory and args['merge'] else ())
        # This run's own deploy, in the rollout's table; a report put together again (from_report, slices) has none.
        deploy = None if args['from_report'] or args['slices'] else deploy_lines(view, check_mode=self._task.check_mode)
        result.update(changed=False, view=view, table=fleet_table(view, deploy=deploy), summary=summary_line(view),
                      findings=view['findings'], files=[])
        if directory:
            result['dir'] = directory
            page = self._render(view) if args['page'] else None
            # Rendered again from an earlier fleet.json, the metrics would carry this run's time: left as they are.
            metrics = None if args['from_report'] else fleet_metrics(view, time.time())
            if self._task.check_mode:
                # A check run changes nothing, the report of the last real run included.
                result['msg'] = 'check mode: the report in %s was not written' % directory
            else:
                result['files'] = self._write(directory, view, page, metrics, hosts_too=not args['from_report'])
        return result

    @staticmethod
    def _host_reports(args, task_vars):
        hostvars = task_vars['hostvars']
        reports = []
        for host in args['hosts']:
            # raw_get: the host's variables as stored. hostvars[host][name] would template each registered result
            # again, a walk over all of it that finds nothing to render (results are data) and costs about 0.4 s per
            # 50 masters under ansible-core 2.19.
            variables = hostvars.raw_get(host) if host in hostvars else {}
            seen = args['seen_var'] in variables and (args['run_id'] is None or variables[args['seen_var']] == args['run_id'])
            reports.append(host_report(host, seen=seen,
                                       deploy=variables[args['deploy_var']] if args['deploy_var'] in variables else None,
                                       probe=variables[args['probe_var']] if args['probe_var'] in variables else None,
                                       run_id=args['run_id'], generated=args['generated']))
        return reports

    @staticmethod
    def _host_files(directory, skip=()):
        """The host reports under ``directory``/hosts (file names in ``skip`` left out)."""
        hosts_dir = os.path.join(directory, 'hosts')
        reports = []
        for name in sorted(os.listdir(hosts_dir)) if os.path.isdir(hosts_dir) else []:
            if not name.endswith('.json') or name in skip:
                continue
            path = os.path.join(hosts_dir, name)
            try:
                with open(path, 'rb') as handle:
                    report = json.loads(to_text(handle.read()))
            except (IOError, OSError, ValueError) as err:
                raise AnsibleActionFail('Could not read the host report %s: %s'
                                        % (path, to_native(getattr(err, 'strerror', None) or err)))
            if not isinstance(report, dict) or 'state' not in report or 'host' not in report:
                raise AnsibleActionFail('%s is not a host report of this collection (no host or state)' % path)
            reports.append(report)
        return reports

    def _carried(self, directory, args):
        """The host reports of earlier runs in ``directory`` for masters this run does not include."""
        return self._host_files(directory, skip=set(host_file_name(host) for host in args['hosts']))

    def _slice_reports(self, directories):
        """The host reports of several runs' report directories (AWX job slices) as one fleet; a master found in
        two slices is an error, since the fleet view could not say which run to believe."""
        reports = {}
        for directory in directories:
            if not os.path.isdir(os.path.join(directory, 'hosts')):
                raise AnsibleActionFail('%s has no hosts/ directory: not a fleet report directory' % directory)
            for report in self._host_files(directory):
                if report['host'] in reports:
                    raise AnsibleActionFail('%s is in two of the slices (%s and %s); give each master to one slice'
                                            % (report['host'], reports[report['host']][0], directory))
                reports[report['host']] = (directory, report)
        return [report for dummy, report in reports.values()]

    @staticmethod
    def _read_view(directory):
        path = os.path.join(directory, 'fleet.json')
        try:
            with open(path, 'rb') as handle:
                view = json.loads(to_text(handle.read()))
        except (IOError, OSError) as err:
            raise AnsibleActionFail('Could not read %s: %s' % (path, to_native(err.strerror or err)))
        except ValueError as err:
            raise AnsibleActionFail('%s is not a fleet report: %s' % (path, to_native(err)))
        if not isinstance(view, dict) or 'host_states' not in view or 'reports' not in view:
            raise AnsibleActionFail('%s is not a fleet report of this collection (no host_states or reports)' % path)
        return view

    @staticmethod
    def _render(view):
        """fleet.html of ``view``, rendered before anything is written, so that a page that cannot be rendered leaves
        the last report as it was."""
        try:
            return render_page(view)
        except (jinja2.TemplateError, OSError) as err:
            raise AnsibleActionFail('Could not render the fleet report page: %s' % to_native(err))

    @staticmethod
    def _write(directory, view, page, metrics, hosts_too=True):
        """Write one run's report: host files, then fleet.json, fleet.prom (``metrics``, unless None), then fleet.html;
        host files of masters not in the view are removed. Returns the files written."""
        written = []
        try:
            if not os.path.isdir(directory):
                os.makedirs(directory)
            if hosts_too:
                hosts_dir = os.path.join(directory, 'hosts')
                if not os.path.isdir(hosts_dir):
                    os.makedirs(hosts_dir)
                wanted = set()
                for report in view['reports']:
                    name = host_file_name(report['host'])
                    wanted.add(name)
                    if not report.get('carried'):
                        write_file(ControllerWriter, os.path.join(hosts_dir, name), _json_bytes(report), mode=REPORT_MODE)
                for name in os.listdir(hosts_dir):
                    if name.endswith('.json') and name not in wanted:
                        os.unlink(os.path.join(hosts_dir, name))
                write_file(ControllerWriter, os.path.join(directory, 'fleet.json'), _json_bytes(view), mode=REPORT_MODE)
                written.append(os.path.join(directory, 'fleet.json'))
            if metrics is not None:
                write_file(ControllerWriter, os.path.join(directory, 'fleet.prom'), to_bytes(metrics), mode=REPORT_MODE)
                written.append(os.path.join(directory, 'fleet.prom'))
            if page is not None:
                write_file(ControllerWriter, os.path.join(directory, 'fleet.html'), to_bytes(page), mode=REPORT_MODE)
                written.append(os.path.join(directory, 'fleet.html'))
        except FilesError as err:
            raise AnsibleActionFail('Could not write the fleet report in %s: %s' % (directory, to_native(err)))
        except OSError as err:
            raise AnsibleActionFail('Could not write the fleet report in %s: %s' % (directory, to_native(err.strerror or err)))
        return written
