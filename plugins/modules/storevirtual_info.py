#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: storevirtual_info
short_description: Read clusters, VIPs, storage systems and capacity from HPE StoreVirtual (LeftHand)
version_added: 0.1.0
description:
  - Logs in to the LeftHand OS REST API and returns each cluster with its virtual IP addresses,
    its storage systems (nodes) and its capacity.
author:
  - helion.openstack contributors (@helion-openstack)
options:
  clusters:
    description:
      - Only return these clusters (by name). The module fails if one of them does not exist.
      - All clusters of the management group are returned when omitted.
    type: list
    elements: str
extends_documentation_fragment:
  - helion.openstack.storevirtual
  - helion.openstack.attributes
  - helion.openstack.attributes.INFO_MODULE
"""

EXAMPLES = r"""
- name: Read the StoreVirtual cluster
  helion.openstack.storevirtual_info:
    api_url: https://10.100.3.20:8081/lhos
    username: admin
    password: "{{ vault_storevirtual_password }}"
    clusters: [cluster1]
  register: vsa

- name: Show the cluster VIP
  ansible.builtin.debug:
    msg: "{{ vsa.clusters[0].vips }}"
"""

RETURN = r"""
api_version:
  description: The REST API version the system reported at login (X-API-Version header), if any.
  returned: success
  type: str
  sample: "1.2"
clusters:
  description: The clusters with VIPs, storage systems and capacity in bytes.
  returned: success
  type: list
  elements: dict
  sample:
    - id: 12
      name: cluster1
      vips: [10.120.3.240]
      storage_systems:
        - {id: 1, name: vsa1, ip: 10.120.3.21, status: online, model: VSA}
      capacity: {total_bytes: 10995116277760, available_bytes: 8796093022208, used_bytes: 2199023255552,
                 provisioned_bytes: 3298534883328}
"""

import traceback

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.helion.openstack.plugins.module_utils import _storevirtual


def main():
    argument_spec = _storevirtual.connection_argument_spec()
    argument_spec.update(
        clusters=dict(type="list", elements="str"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        with _storevirtual.client_from_params(module.params) as client:
            info = _storevirtual.gather_info(client, cluster_names=module.params["clusters"])
    except _storevirtual.StoreVirtualError as exc:
        module.fail_json(msg=str(exc), exception=traceback.format_exc())
    module.exit_json(changed=False, **info)


if __name__ == "__main__":
    main()
