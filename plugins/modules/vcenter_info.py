#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vcenter_info
short_description: Discover the datacenters, clusters, hosts, datastores and networks of a vCenter
version_added: 0.1.0
description:
  - Reads a vCenter inventory for ESX onboarding (the EON job) in a handful of round trips, using a container
    view and the property collector rather than one call per object.
  - Returns the datacenters; the clusters with their DRS and HA settings, hosts, total, used and free CPU and
    memory; the hosts with connection state, maintenance mode, ESXi version, CPU and memory; the datastores with
    capacity, free space and the hosts and clusters that share them; the standard port groups and the
    distributed switches with their port groups and VLAN ids.
  - Properties a vCenter leaves empty come back as V(null) (or empty lists) instead of failing the module.
author:
  - helion.openstack contributors (@helion-openstack)
extends_documentation_fragment:
  - helion.openstack.vcenter
  - helion.openstack.vcenter.ACTIONGROUP_VCENTER
  - helion.openstack.attributes
  - helion.openstack.attributes.INFO_MODULE
options:
  datacenter:
    description:
      - Only report this datacenter. The module fails if the vCenter has no datacenter of that name.
    type: str
  cluster:
    description:
      - Only report this cluster, its hosts, the datastores its hosts mount and the networks of its hosts.
      - The module fails if the cluster does not exist (in O(datacenter) when that is set).
    type: str
seealso:
  - module: helion.openstack.esx_cluster_check
"""

EXAMPLES = r"""
- name: Discover the whole vCenter
  helion.openstack.vcenter_info:
    hostname: vcenter.example.com
    username: administrator@vsphere.local
    password: "{{ vault_vcenter_password }}"
    ca_file: /etc/ssl/certs/vcenter-ca.pem
  register: vc

- name: Discover one cluster of a test vCenter with a self-signed certificate
  helion.openstack.vcenter_info:
    hostname: 127.0.0.1
    port: 8989
    username: user
    password: pass
    validate_certs: false
    datacenter: DC0
    cluster: DC0_C0
  register: vc_cluster
"""

RETURN = r"""
datacenters:
  description: The datacenters, with the names of their clusters and counts of hosts and datastores.
  returned: success
  type: list
  elements: dict
  sample: [{"name": "DC0", "clusters": ["DC0_C0", "DC0_C1"], "hosts": 7, "datastores": 3}]
clusters:
  description:
    - The clusters with DRS and HA settings, member hosts, the hosts that are connected and not in maintenance
      (C(active_hosts)), and total, used and free CPU (MHz) and memory (MiB).
  returned: success
  type: list
  elements: dict
  sample:
    - name: DC0_C0
      datacenter: DC0
      drs_enabled: true
      drs_behavior: fullyAutomated
      ha_enabled: false
      hosts: [DC0_C0_H0, DC0_C0_H1]
      active_hosts: [DC0_C0_H0, DC0_C0_H1]
      cpu_total_mhz: 4588
      cpu_used_mhz: 134
      cpu_free_mhz: 4454
      memory_total_mb: 8190
      memory_used_mb: 2808
      memory_free_mb: 5382
hosts:
  description:
    - The ESXi hosts; C(cluster) is null for a standalone host. CPU in MHz, memory in MiB.
    - C(standard_port_groups) lists the port groups of the host's standard switches with their VLAN id.
  returned: success
  type: list
  elements: dict
  sample:
    - name: DC0_C0_H0
      datacenter: DC0
      cluster: DC0_C0
      connection_state: connected
      maintenance_mode: false
      power_state: poweredOn
      esxi_version: 6.5.0
      esxi_build: "5969303"
      cpu_model: Intel(R) Core(TM) i7-3615QM CPU @ 2.30GHz
      cpu_cores: 2
      cpu_total_mhz: 4588
      cpu_used_mhz: 67
      memory_total_mb: 4095
      memory_used_mb: 1404
      standard_port_groups: [{"name": "VM Network", "vlan_id": 0, "vswitch": "vSwitch0"}]
datastores:
  description:
    - The datastores with capacity and free space (MiB), the hosts that mount them, and the clusters all of whose
      hosts mount them (C(shared_by_clusters)).
  returned: success
  type: list
  elements: dict
  sample:
    - name: shared-DC0_C0
      datacenter: DC0
      type: VMFS
      capacity_mb: 258019
      free_mb: 233119
      accessible: true
      hosts: [DC0_C0_H0, DC0_C0_H1]
      shared_by_clusters: [DC0_C0]
networks:
  description:
    - C(port_groups) are standard port groups aggregated over hosts (name, datacenter, VLAN ids, hosts, vSwitches).
    - C(distributed_switches) are the distributed switches with member hosts and their port groups; C(vlan_type) is
      C(vlan) (single C(vlan_id), 0 means untagged), C(trunk) (C(vlan_ranges)) or C(pvlan).
  returned: success
  type: dict
  sample:
    port_groups:
      - {name: VM Network, datacenter: DC0, vlan_ids: [0], hosts: [DC0_C0_H0], vswitches: [vSwitch0]}
    distributed_switches:
      - name: DVS0
        datacenter: DC0
        uuid: fea97929-4b2d-5972-b146-930c6d0b4014
        hosts: [DC0_C0_H0]
        port_groups:
          - {name: ESX-CONF, key: dvportgroup-14, vlan_type: vlan, vlan_id: 300, vlan_ranges: []}
round_trips:
  description: Number of requests made to vCenter (version probe, login, view, retrievals, cleanup).
  returned: success
  type: int
  sample: 5
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.helion.openstack.plugins.module_utils import _vcenter


def main():
    argument_spec = _vcenter.connection_argument_spec()
    argument_spec.update(
        datacenter=dict(type="str"),
        cluster=dict(type="str"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    if not _vcenter.HAS_PYVMOMI:
        module.fail_json(msg=missing_required_lib("pyvmomi"), exception=_vcenter.PYVMOMI_IMPORT_ERROR)
    try:
        inventory = _vcenter.discover(module.params, datacenter=module.params["datacenter"],
                                      cluster=module.params["cluster"])
    except _vcenter.VcenterError as exc:
        module.fail_json(msg=str(exc), exception=traceback.format_exc())
    module.exit_json(changed=False, **inventory)


if __name__ == "__main__":
    main()
