#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: hpe3par_info
short_description: Read system, CPG, port and capacity information from an HPE 3PAR array
version_added: 0.1.0
description:
  - Logs in to the 3PAR Web Services API and returns the system (model, serial number, OS version),
    the CPGs with their RAID type, set size, growth settings and usage, the iSCSI ports with their IP addresses,
    the Fibre Channel ports with their WWNs, and the capacity.
author:
  - helion.openstack contributors (@helion-openstack)
options:
  cpgs:
    description:
      - Only return these CPGs. The module fails if one of them does not exist.
      - All CPGs are returned when omitted.
    type: list
    elements: str
  free_space:
    description:
      - Also read each CPG's free space (one extra request per CPG).
    type: bool
    default: true
extends_documentation_fragment:
  - helion.openstack.hpe3par
  - helion.openstack.attributes
  - helion.openstack.attributes.INFO_MODULE
"""

EXAMPLES = r"""
- name: Read the array
  helion.openstack.hpe3par_info:
    wsapi_url: https://10.100.3.10:8080/api/v1
    username: 3paradm
    password: "{{ vault_3par_password }}"
    array_name: 3par-a
  register: array

- name: Show the iSCSI portal addresses
  ansible.builtin.debug:
    msg: "{{ array.iscsi_ports | map(attribute='ip') | list }}"
"""

RETURN = r"""
system:
  description: The storage system.
  returned: success
  type: dict
  sample:
    id: 12345
    name: 3par-a
    model: HP_3PAR 7400
    serial_number: "1234567"
    version: 3.2.1.46
    ip: 10.100.3.10
    total_nodes: 2
    online_nodes: [0, 1]
    location: rack 4
    wsapi_version: 1.3.30201256
cpgs:
  description: The CPGs, with RAID type, set size, HA, disk type, growth settings (MiB) and usage (MiB).
  returned: success
  type: list
  elements: dict
  sample:
    - name: CPG_R6_FC
      id: 3
      domain: null
      raid_type: r6
      set_size: 8
      high_availability: cage
      disk_type: FC
      growth: {increment_mib: 32768, limit_mib: 0, warning_mib: 0}
      usage:
        user: {total_mib: 119808, used_mib: 114688}
        snapshot: {total_mib: 16384, used_mib: 1024}
        admin: {total_mib: 8192, used_mib: 256}
      num_tpvvs: 0
      num_fpvvs: 12
      available: {raw_free_mib: 7630848, usable_free_mib: 3815424}
iscsi_ports:
  description: The iSCSI ports (position node:slot:port, link state, IP address, IQN, VLAN flag).
  returned: success
  type: list
  elements: dict
  sample:
    - position: "1:7:1"
      link_state: ready
      label: null
      ip: 10.120.2.10
      iqn: "iqn.2000-05.com.3pardata:21810002ac00383d"
      vlan: 0
fc_ports:
  description: The Fibre Channel ports (position, link state, port and node WWNs in lower-case hex).
  returned: success
  type: list
  elements: dict
  sample:
    - {position: "3:5:3", link_state: ready, label: null, wwn: "2c27d75375d7", node_wwn: null}
capacity:
  description: System capacity in MiB.
  returned: success
  type: dict
  sample: {total_mib: 35549184.0, allocated_mib: 4318208.0, free_mib: 31230976.0, failed_mib: 0.0}
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.helion.openstack.plugins.module_utils import _hpe3par


def main():
    argument_spec = _hpe3par.connection_argument_spec()
    argument_spec.update(
        cpgs=dict(type="list", elements="str"),
        free_space=dict(type="bool", default=True),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    if not _hpe3par.HAS_HPE3PARCLIENT:
        module.fail_json(msg=missing_required_lib("python-3parclient"),
                         exception=str(_hpe3par.HPE3PARCLIENT_IMPORT_ERROR))

    try:
        with _hpe3par.session_from_params(module.params) as session:
            info = _hpe3par.gather_info(session, cpg_names=module.params["cpgs"],
                                        with_available=module.params["free_space"])
    except _hpe3par.Hpe3parError as exc:
        module.fail_json(msg=str(exc), exception=traceback.format_exc())

    module.exit_json(changed=False, **info)


if __name__ == "__main__":
    main()
