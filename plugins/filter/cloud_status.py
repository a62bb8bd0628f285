# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: cloud_status_report
short_description: The cloud's health from the records its nodes' checks left
version_added: 0.4.0
description:
  - Turns the status records of the C(cloud_status) playbook (each role's C(check) action run with its
    failures recorded, and the checks made through the VIPs and the APIs) into one row per check (node,
    service, check, ok, detail), the failed rows and a verdict.
  - A record's C(kind) says how it is read; C(units) (the default) checks each unit active and the node's API
    answering 200; C(galera) a node Synced in a Primary component of the expected size; C(rabbitmq) every
    member running, no partition and no alarm; C(ovn) each RAFT database with a leader and every server;
    C(swift_replication) a recent replication pass without failures; C(http) an API through a VIP
    answering below 500; C(compute_services) every Nova service up and enabled and every compute node
    registered; C(certificates) each certificate file of the node ending no sooner than C(min_days), and the
    node's own metrics collector (role C(helion.openstack.monitoring_agent)) run recently without errors.
options:
  _input:
    description: The records each node left (C(common_status_checks)), by node name.
    type: dict
    required: true
  unreachable:
    description: The nodes the run could not reach.
    type: list
    elements: str
    default: []
  cloud:
    description: The records of the checks made from the deployer.
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Build the report
  ansible.builtin.set_fact:
    cloud_status: >-
      {{ dict(_nodes | zip(_nodes | map('extract', hostvars, 'common_status_checks')))
         | helion.openstack.cloud_status_report(unreachable=_down, cloud=_vip_checks) }}
"""

RETURN = r"""
_value:
  description: The report.
  type: dict
  contains:
    ok:
      description: Whether every check passed.
      type: bool
    rows:
      description: Every check (C(node), C(service), C(check), C(ok), C(detail)).
      type: list
      elements: dict
    failed:
      description: The rows that did not pass.
      type: list
      elements: dict
    counts:
      description: C(checks), C(failed) and C(nodes).
      type: dict
    nodes_down:
      description: The nodes that could not be reached.
      type: list
      elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.helion.openstack.plugins.module_utils._cloud_status import (
    CloudStatusError,
    build_report,
    catalog_endpoints,
    http_records,
    render_table,
)


def cloud_status_report(node_records, unreachable=None, cloud=None):
    if not isinstance(node_records, dict):
        raise AnsibleFilterError("cloud_status_report: expected the records by node name, got %r" % (node_records,))
    try:
        return build_report({node: list(records or []) for node, records in node_records.items()},
                            unreachable=list(unreachable or []), cloud_records=list(cloud or []))
    except CloudStatusError as exc:
        raise AnsibleFilterError("cloud_status_report: %s" % exc)


def cloud_status_table(report, only_failed=False):
    try:
        return render_table(report, only_failed=only_failed)
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError("cloud_status_table: expected a cloud_status_report result (%s)" % exc)


def cloud_status_endpoints(catalog):
    if not isinstance(catalog, list):
        raise AnsibleFilterError("cloud_status_endpoints: expected a Keystone token's catalog (a list), got %r"
                                 % (catalog,))
    return catalog_endpoints(catalog)


def cloud_status_http_records(results):
    if not isinstance(results, list):
        raise AnsibleFilterError("cloud_status_http_records: expected the results of a looped uri task, got %r"
                                 % (results,))
    return http_records(results)


class FilterModule(object):
    def filters(self):
        return {
            "cloud_status_report": cloud_status_report,
            "cloud_status_table": cloud_status_table,
            "cloud_status_endpoints": cloud_status_endpoints,
            "cloud_status_http_records": cloud_status_http_records,
        }
