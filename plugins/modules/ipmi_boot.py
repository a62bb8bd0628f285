#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ipmi_boot
short_description: Set the boot device of one BMC or a fleet of BMCs over IPMI
version_added: 0.1.0
description:
  - Reads the boot flags (Get System Boot Options, parameter 5), compares them and sets them only when needed.
  - Some BMCs (OpenIPMI's ipmi_sim among them) never set the boot-flags valid bit. The module detects that,
    reports it (RV(results[].valid_bit), RV(results[].warning)) and then compares only the boot device, so that
    repeated runs answer the same way instead of flip-flopping between changed and unchanged. RV(results[].msg)
    then says that persistence and firmware mode were not compared, and what the BMC reports for them.
  - Handles a fleet of BMCs concurrently in one call (O(targets)), or one BMC (O(address)).
extends_documentation_fragment:
  - helion.openstack.ipmi
  - helion.openstack.attributes
  - helion.openstack.attributes.ACTIONGROUP_IPMI
attributes:
  check_mode:
    support: full
    details: Reads the boot flags and reports whether they would change.
  diff_mode:
    support: full
    details: Shows the boot flags of each BMC before and after.
options:
  device:
    description: Boot device. V(network) is PXE, V(bios) is the firmware setup.
    type: str
    required: true
    choices: [network, disk, cdrom, bios]
  persistent:
    description: Apply to every following boot (V(true)) or only to the next one (V(false)).
    type: bool
    default: false
  mode:
    description: Boot in UEFI or legacy BIOS mode.
    type: str
    choices: [legacy, uefi]
    default: legacy
author:
  - helion.openstack contributors (@helion-openstack)
"""

EXAMPLES = r"""
- name: PXE-boot one server on its next boot
  helion.openstack.ipmi_boot:
    address: 192.168.10.21
    username: admin
    password: "{{ ipmi_password }}"
    device: network
  delegate_to: localhost

- name: Boot every compute node from disk, UEFI, persistently
  helion.openstack.ipmi_boot:
    targets: "{{ groups['compute'] | map('extract', hostvars, 'helion_ipmi') | list }}"
    device: disk
    persistent: true
    mode: uefi
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
results:
  description: One entry per BMC, in the order of O(targets) (one entry for O(address)).
  returned: always
  type: list
  elements: dict
  sample:
    - name: cmp1
      address: 192.168.10.31
      port: 623
      changed: false
      failed: false
      valid_bit: false
      compared: [device]
      before: {device: network, persistent: false, uefi: false, valid: false}
      boot: {device: network, persistent: false, uefi: false}
      actions: []
      warning: "the BMC does not set the boot-flags valid bit: only the boot device was compared, ..."
      msg: "boot device is already network; persistence and firmware mode were not compared
        (the BMC reports next-boot-only, legacy)"
  contains:
    name:
      description: The target name (the address when not given).
      type: str
      returned: always
    address:
      description: The BMC address.
      type: str
      returned: always
    port:
      description: The BMC port.
      type: int
      returned: always
    changed:
      description: Whether the boot flags were (or would be) changed.
      type: bool
      returned: always
    failed:
      description: Whether this BMC failed.
      type: bool
      returned: always
    msg:
      description:
        - What happened, or the error naming the BMC and the cause.
        - When nothing changed, it names what was compared; with the valid bit clear it says that persistence and
          firmware mode were not compared and what the BMC reports for them.
      type: str
      returned: always
    actions:
      description: What was done (in check mode, what would be done); empty when nothing changed.
      type: list
      elements: str
      returned: success
      sample: ["set boot device network (once, legacy)"]
    error:
      description: Error category (auth, unreachable, cipher, timeout, bmc, invalid, error).
      type: str
      returned: on failure
    before:
      description: The boot flags read before acting (device, persistent, uefi, valid).
      type: dict
      returned: success
    after:
      description: The boot flags read back after setting them.
      type: dict
      returned: when changed and not in check mode
    boot:
      description: The requested boot flags (device, persistent, uefi).
      type: dict
      returned: success
    valid_bit:
      description: Whether the BMC reported the boot-flags valid bit.
      type: bool
      returned: success
    compared:
      description: The fields that were compared (only C(device) when the valid bit is clear).
      type: list
      elements: str
      returned: success
    warning:
      description: Set when the BMC does not report the valid bit.
      type: str
      returned: when the valid bit is clear
address:
  description: With O(address), the same as RV(results[].address).
  returned: when O(address) is used
  type: str
  sample: 192.168.10.21
port:
  description: With O(address), the same as RV(results[].port).
  returned: when O(address) is used
  type: int
  sample: 623
error:
  description: With O(address), the same as RV(results[].error).
  returned: when O(address) is used
  type: str
  sample: auth
before:
  description: With O(address), the same as RV(results[].before).
  returned: when O(address) is used
  type: dict
  sample: {device: default, persistent: false, uefi: false, valid: false}
after:
  description: With O(address), the same as RV(results[].after).
  returned: when O(address) is used
  type: dict
  sample: {device: network, persistent: false, uefi: false, valid: true}
actions:
  description: With O(address), the same as RV(results[].actions).
  returned: when O(address) is used and the BMC answered
  type: list
  elements: str
  sample: ["set boot device network (once, legacy)"]
boot:
  description: With O(address), the same as RV(results[].boot).
  returned: when O(address) is used
  type: dict
  sample: {device: network, persistent: false, uefi: false}
compared:
  description: With O(address), the same as RV(results[].compared).
  returned: when O(address) is used
  type: list
  elements: str
  sample: [device]
warning:
  description: With O(address), the same as RV(results[].warning).
  returned: when O(address) is used
  type: str
  sample: the BMC does not set the boot-flags valid bit
elapsed:
  description: Seconds the whole call took (all BMCs).
  returned: always
  type: float
  sample: 1.25
msg:
  description: Summary, or the error for O(address).
  returned: always
  type: str
  sample: "2 of 2 BMC(s) succeeded"
valid_bit:
  description: Whether the BMC reported the boot-flags valid bit, for O(address).
  returned: when O(address) is used and the BMC answered
  type: bool
  sample: true
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.helion.openstack.plugins.module_utils._ipmi.client import HAS_PYGHMI, PYGHMI_IMPORT_ERROR
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.errors import IpmiError
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.fleet import (
    FLEET_MODULE_KWARGS,
    fleet_argument_spec,
    fleet_call,
)
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.operations import boot_target


def main():
    argument_spec = dict(
        device=dict(type="str", required=True, choices=["network", "disk", "cdrom", "bios"]),
        persistent=dict(type="bool", default=False),
        mode=dict(type="str", default="legacy", choices=["legacy", "uefi"]),
    )
    argument_spec.update(fleet_argument_spec())
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **FLEET_MODULE_KWARGS)
    if not HAS_PYGHMI:
        module.fail_json(msg=missing_required_lib("pyghmi"), exception=PYGHMI_IMPORT_ERROR)
    params = module.params

    def operation(target):
        return boot_target(target, params["device"], params["persistent"], params["mode"] == "uefi",
                           module.check_mode)

    try:
        result = fleet_call(params, operation, diff_mode=module._diff)
    except IpmiError as exc:
        module.fail_json(msg=str(exc))
    if result.pop("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
