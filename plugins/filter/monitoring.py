# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: monitoring_targets
short_description: What Prometheus scrapes and probes, from the cloud model
version_added: 0.3.0
description:
  - Plans the file-based service discovery of Prometheus on the monitoring server, one list of target groups
    per job; C(node) (the node exporter of every node), C(mysqld), C(haproxy) and C(rabbitmq) (the exporters
    of those services' nodes), C(api_vip) and C(api_node) (every HTTP API HAProxy serves, through each VIP and
    on each of its nodes, for the blackbox exporter), C(tcp_vip) and C(tcp_node) (the same for TCP frontends).
  - Every target carries a C(host) label (the node) or C(api) and C(vip) labels, which the alerts name.
options:
  _input:
    description: The nodes whose node exporter is scraped.
    type: list
    elements: str
    required: true
  hostvars:
    description: The inventory's C(hostvars); each node's address is its C(helion_addresses) on O(network).
    type: dict
    required: true
  groups:
    description: The inventory's C(groups).
    type: dict
    required: true
  exporter_groups:
    description: The inventory group of each exporter job (C(mysqld), C(haproxy), C(rabbitmq)).
    type: dict
    required: true
  frontends:
    description:
      - HAProxy's frontend descriptions (role C(helion.openstack.haproxy) writes one file per service); C(name),
        C(port), C(mode), C(check_path) or C(check_port), C(vips) (name to address) and C(servers) (C(host),
        C(address), C(port)).
    type: list
    elements: dict
    default: []
  ports:
    description: The port of the node exporter (C(node)) and of each exporter job.
    type: dict
    required: true
  network:
    description: The network Prometheus scrapes over.
    type: str
    default: management
"""

EXAMPLES = r"""
- name: Write the scrape targets
  ansible.builtin.copy:
    content: "{{ item.value | to_nice_json }}"
    dest: "/etc/prometheus/targets/{{ item.key }}.json"
    mode: "0644"
  loop: >-
    {{ groups['controllers'] | helion.openstack.monitoring_targets(hostvars=hostvars, groups=groups,
       exporter_groups={'mysqld': 'mariadb', 'haproxy': 'haproxy', 'rabbitmq': 'rabbitmq'}, frontends=frontends,
       ports={'node': 9100, 'mysqld': 9104, 'haproxy': 8405, 'rabbitmq': 15692}) | dict2items }}
"""

RETURN = r"""
_value:
  description: The target groups (C(targets), C(labels)) of each job, by job name.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.helion.openstack.plugins.module_utils._monitoring import MonitoringError, plan


def monitoring_targets(nodes, hostvars, groups, exporter_groups, ports, frontends=None, network="management"):
    try:
        return plan(nodes, hostvars, groups, exporter_groups, frontends or [], ports, network)
    except MonitoringError as exc:
        raise AnsibleFilterError("monitoring_targets: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"monitoring_targets": monitoring_targets}
