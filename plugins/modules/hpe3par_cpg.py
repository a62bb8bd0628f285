#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: hpe3par_cpg
short_description: Create, update or delete a Common Provisioning Group on an HPE 3PAR array
version_added: 0.1.0
description:
  - Makes a CPG present with the wanted RAID type, set size, high availability, disk type and growth settings,
    or absent.
  - Idempotent on the CPG's properties, not only on its existence. Only the options you set are compared.
  - Growth settings are changed in place (WSAPI C(PUT /cpgs/<name>)).
  - RAID type, set size, high availability and disk type cannot be changed on an existing CPG;
    the module then fails and says the CPG must be recreated. It never deletes a CPG to change it.
author:
  - helion.openstack contributors (@helion-openstack)
options:
  name:
    description:
      - Name of the CPG.
    type: str
    required: true
  state:
    description:
      - Whether the CPG should exist.
    type: str
    choices: [present, absent]
    default: present
  raid_type:
    description:
      - RAID type of the CPG's logical disks. Fixed at creation.
    type: str
    choices: [r0, r1, r5, r6]
  set_size:
    description:
      - RAID set size in chunklets (for example 8 for RAID 6 6+2). Fixed at creation.
    type: int
  high_availability:
    description:
      - Failure the layout survives (a port pair, a cage or a magazine). Fixed at creation.
    type: str
    choices: [port, cage, mag]
  disk_type:
    description:
      - Type of the disks the CPG uses. Fixed at creation.
    type: str
    choices: [FC, NL, SSD]
  growth_increment_mib:
    description:
      - Space added by each auto-grow, in MiB. Can be changed in place.
    type: int
  growth_limit_mib:
    description:
      - Auto-grow limit in MiB; V(0) means no limit. Can be changed in place.
    type: int
  growth_warning_mib:
    description:
      - Used logical disk space that raises a warning, in MiB; V(0) means no warning. Can be changed in place.
    type: int
extends_documentation_fragment:
  - helion.openstack.hpe3par
  - helion.openstack.attributes
attributes:
  check_mode:
    support: full
    details: Reports what would change, and still refuses changes the array cannot make in place.
  diff_mode:
    support: full
    details: The diff shows the compared properties before and after.
"""

EXAMPLES = r"""
- name: RAID 6 CPG on FC disks
  helion.openstack.hpe3par_cpg:
    wsapi_url: https://10.100.3.10:8080/api/v1
    username: 3paradm
    password: "{{ vault_3par_password }}"
    name: CPG_R6_FC
    raid_type: r6
    set_size: 8
    high_availability: cage
    disk_type: FC
    growth_increment_mib: 32768

- name: Remove a CPG
  helion.openstack.hpe3par_cpg:
    wsapi_url: https://10.100.3.10:8080/api/v1
    username: 3paradm
    password: "{{ vault_3par_password }}"
    name: CPG_OLD
    state: absent
"""

RETURN = r"""
actions:
  description: What the module did (or would do in check mode).
  returned: always
  type: list
  elements: str
  sample: [modify growth_increment_mib]
cpg:
  description: The CPG's compared properties after the run (empty when absent).
  returned: success
  type: dict
  sample:
    raid_type: r6
    set_size: 8
    high_availability: cage
    disk_type: FC
    growth_increment_mib: 32768
    growth_limit_mib: 0
    growth_warning_mib: 0
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.helion.openstack.plugins.module_utils import _hpe3par


def main():
    argument_spec = _hpe3par.connection_argument_spec()
    argument_spec.update(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        raid_type=dict(type="str", choices=["r0", "r1", "r5", "r6"]),
        set_size=dict(type="int"),
        high_availability=dict(type="str", choices=["port", "cage", "mag"]),
        disk_type=dict(type="str", choices=["FC", "NL", "SSD"]),
        growth_increment_mib=dict(type="int"),
        growth_limit_mib=dict(type="int"),
        growth_warning_mib=dict(type="int"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    if not _hpe3par.HAS_HPE3PARCLIENT:
        module.fail_json(msg=missing_required_lib("python-3parclient"),
                         exception=str(_hpe3par.HPE3PARCLIENT_IMPORT_ERROR))

    desired = _hpe3par.desired_properties(module.params)
    try:
        with _hpe3par.session_from_params(module.params) as session:
            result = _hpe3par.ensure_cpg(session, module.params["name"], module.params["state"], desired,
                                         module.check_mode)
    except _hpe3par.Hpe3parError as exc:
        module.fail_json(msg=str(exc), exception=traceback.format_exc())

    module.exit_json(**result.module_result(diff_mode=module._diff))


if __name__ == "__main__":
    main()
