#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: esx_cluster_check
short_description: Check a vCenter cluster against what the cloud model needs to onboard it
version_added: 0.1.0
description:
  - Discovers one cluster (as M(helion.openstack.vcenter_info) does) and runs the onboarding checks of the EON job.
  - C(drs_enabled) DRS is enabled on the cluster.
  - C(active_hosts) at least one host is connected and not in maintenance mode.
  - C(shared_datastore) a datastore mounted by every host of the cluster has a name matching O(datastore_regex).
  - C(esx_network) and C(esx_tenant_network) the port groups named in O(port_groups) exist, either as distributed
    port groups on a switch that all the cluster's active hosts are members of, or as standard port groups on every
    active host, and carry the VLAN ids of O(vlans) (a trunk port group passes when its ranges contain the id).
  - Every check returns passed or failed with the reason. The task fails only for failed checks listed in
    O(fail_on); an unknown cluster or datacenter, an unreachable vCenter or a rejected login always fail it.
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
      - Datacenter of the cluster. Needed when two datacenters have a cluster of the same name.
    type: str
  cluster:
    description:
      - Name of the cluster to check.
    type: str
    required: true
  datastore_regex:
    description:
      - Python regular expression (searched, not anchored) that the shared datastore's name must match.
    type: str
    default: ".*"
  port_groups:
    description:
      - Names of the port groups (standard or distributed) of the model's ESX networks.
    type: dict
    default: {}
    suboptions:
      esx:
        description: Port group of the network of purpose C(esx) (compute proxy and OVSvApp management).
        type: str
      esx_tenant:
        description: Port group of the network of purpose C(esx_tenant) (tenant VLANs trunked to OVSvApp).
        type: str
  vlans:
    description:
      - VLAN ids the port groups must carry, from the model's networks of purpose C(esx) and C(esx_tenant).
      - Leave one out to accept any VLAN on that port group.
    type: dict
    default: {}
    suboptions:
      esx:
        description: VLAN id of the C(esx) network.
        type: int
      esx_tenant:
        description: VLAN id of the C(esx_tenant) network.
        type: int
  fail_on:
    description:
      - Checks whose failure fails the task. V(all) selects every check. By default the task only reports.
    type: list
    elements: str
    choices: [all, drs_enabled, active_hosts, shared_datastore, esx_network, esx_tenant_network]
    default: []
seealso:
  - module: helion.openstack.vcenter_info
"""

EXAMPLES = r"""
- name: Check Cluster1 for onboarding, failing on any failed check
  helion.openstack.esx_cluster_check:
    hostname: vcenter.example.com
    username: administrator@vsphere.local
    password: "{{ vault_vcenter_password }}"
    datacenter: DC1
    cluster: Cluster1
    datastore_regex: "^shared-"
    port_groups:
      esx: ESX-CONF
      esx_tenant: ESX-TENANT
    vlans:
      esx: 300
      esx_tenant: 310
    fail_on: [all]
  register: check

- name: Only report, but insist on DRS
  helion.openstack.esx_cluster_check:
    hostname: vcenter.example.com
    username: administrator@vsphere.local
    password: "{{ vault_vcenter_password }}"
    cluster: Cluster2
    fail_on: [drs_enabled]
"""

RETURN = r"""
cluster:
  description: Name of the checked cluster.
  returned: success
  type: str
  sample: Cluster1
datacenter:
  description: Datacenter of the cluster.
  returned: success
  type: str
  sample: DC1
passed:
  description: True when every check passed.
  returned: success
  type: bool
  sample: false
checks:
  description:
    - One entry per check, in a fixed order, with its result and the reason.
    - Each entry also names the C(cluster). A passed network check on a distributed port group also has C(switch),
      the distributed switch's name.
  returned: always when the cluster was found
  type: list
  elements: dict
  sample:
    - {name: drs_enabled, cluster: Cluster1, passed: false, reason: DRS is disabled on cluster Cluster1}
    - name: active_hosts
      cluster: Cluster1
      passed: true
      reason: "2 of 3 hosts connected and not in maintenance (not usable: esx1)"
    - name: shared_datastore
      cluster: Cluster1
      passed: true
      reason: "datastores shared by all hosts matching ^shared-: shared-1"
    - name: esx_network
      cluster: Cluster1
      passed: true
      reason: distributed port group ESX-CONF on switch DVS0 carries VLAN 300
      switch: DVS0
    - name: esx_tenant_network
      cluster: Cluster1
      passed: true
      reason: distributed port group ESX-TENANT on switch DVS0 carries VLAN 310
      switch: DVS0
datastores:
  description: Datastores shared by all hosts of the cluster that match O(datastore_regex).
  returned: success
  type: list
  elements: str
  sample: [shared-1]
hosts:
  description: The hosts of the cluster.
  returned: success
  type: list
  elements: str
  sample: [esx1, esx2, esx3]
active_hosts:
  description: The hosts of the cluster that are connected and not in maintenance mode.
  returned: success
  type: list
  elements: str
  sample: [esx2, esx3]
switches:
  description: Distributed switch carrying each network's port group (null for a standard port group or a failed check).
  returned: success
  type: dict
  sample: {"esx": "DVS0", "esx_tenant": "DVS0"}
failed_checks:
  description: Names of the failed checks listed in O(fail_on) (the reason the task failed).
  returned: always when the cluster was found
  type: list
  elements: str
  sample: [drs_enabled]
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.helion.openstack.plugins.module_utils import _vcenter


def main():
    argument_spec = _vcenter.connection_argument_spec()
    argument_spec.update(
        datacenter=dict(type="str"),
        cluster=dict(type="str", required=True),
        datastore_regex=dict(type="str", default=".*"),
        port_groups=dict(type="dict", default={}, options=dict(
            esx=dict(type="str"),
            esx_tenant=dict(type="str"),
        )),
        vlans=dict(type="dict", default={}, options=dict(
            esx=dict(type="int"),
            esx_tenant=dict(type="int"),
        )),
        fail_on=dict(type="list", elements="str", default=[],
                     choices=["all"] + list(_vcenter.CHECK_NAMES)),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    if not _vcenter.HAS_PYVMOMI:
        module.fail_json(msg=missing_required_lib("pyvmomi"), exception=_vcenter.PYVMOMI_IMPORT_ERROR)
    params = module.params
    try:
        result = _vcenter.check(params, params["datacenter"], params["cluster"], params["datastore_regex"],
                                params["port_groups"] or {}, params["vlans"] or {})
    except _vcenter.VcenterError as exc:
        module.fail_json(msg=str(exc), exception=traceback.format_exc())
    failed = _vcenter.failed_checks(result, params["fail_on"])
    result["failed_checks"] = [c["name"] for c in failed]
    if failed:
        module.fail_json(msg="cluster %s failed onboarding checks: %s" % (
            result["cluster"], "; ".join("%s: %s" % (c["name"], c["reason"]) for c in failed)), **result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
