#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ipmi_info
short_description: Read power, boot, FRU inventory, sensors, LAN and firmware data from BMCs over IPMI
version_added: 0.1.0
description:
  - Reads, for one BMC or a fleet of BMCs (concurrently), the sections listed in O(gather).
  - A section that fails is reported in RV(results[].errors) and the others are kept (RV(results[].partial)); for
    instance the FRU is read with reads of at most 224 bytes, backing off to 32 bytes and less when the BMC refuses
    (completion codes 0xC8, 0xC9, 0xCA).
extends_documentation_fragment:
  - helion.openstack.ipmi
  - helion.openstack.attributes
  - helion.openstack.attributes.INFO_MODULE
  - helion.openstack.attributes.ACTIONGROUP_IPMI
options:
  gather:
    description: The sections to read.
    type: list
    elements: str
    choices: [power, boot, fru, sensors, lan, firmware]
    default: [power, boot, fru, sensors, lan, firmware]
author:
  - helion.openstack contributors (@helion-openstack)
"""

EXAMPLES = r"""
- name: Inventory of the fleet
  helion.openstack.ipmi_info:
    targets:
      - {name: ctl1, address: 192.168.10.11}
      - {name: ctl2, address: 192.168.10.12}
    username: admin
    password: "{{ ipmi_password }}"
    gather: [fru, lan, firmware]
    fail_on_error: none
  delegate_to: localhost
  run_once: true
  register: inventory

- name: Serial numbers
  ansible.builtin.debug:
    msg: "{{ inventory.results | selectattr('fru', 'defined') | items2dict(key_name='name', value_name='fru') }}"
"""

RETURN = r"""
results:
  description: One entry per BMC, in the order of O(targets) (one entry for O(address)).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The target name (the address when not given).
      type: str
      returned: always
      sample: ctl1
    address:
      description: The BMC address.
      type: str
      returned: always
      sample: 192.168.10.11
    port:
      description: The BMC port.
      type: int
      returned: always
      sample: 623
    failed:
      description: Whether the BMC could not be read at all (no session).
      type: bool
      returned: always
      sample: false
    msg:
      description: C(ok), the sections that failed, or the error naming the BMC and the cause.
      type: str
      returned: always
      sample: "partial answer: sensors failed"
    error:
      description: Error category (auth, unreachable, cipher, timeout, bmc, invalid, error).
      type: str
      returned: on failure
      sample: auth
    partial:
      description: Whether some sections failed.
      type: bool
      returned: success
      sample: true
    errors:
      description: Per failed section, the error.
      type: dict
      returned: success
      sample:
        sensors: "BMC ctl1 (192.168.10.11:623): read SDR repository: completion code 0xC1 (command not supported)"
    power:
      description: Power state, C(on) or C(off).
      type: str
      returned: when gathered
      sample: "on"
    boot:
      description: Boot flags (device, persistent, uefi, valid).
      type: dict
      returned: when gathered
      sample: {device: network, persistent: false, uefi: false, valid: true}
    fru:
      description: FRU inventory of FRU 0 and the system GUID; C(macs) lists MAC addresses found in
        the FRU custom fields (the system NIC where the vendor stores it there).
      type: dict
      returned: when gathered
      sample: {manufacturer: HPE, product: ProLiant DL360 Gen10, model: "867959-B21", serial: CZ1234567,
               asset_tag: "A-42", board_serial: PVABC, uuid: "f5748139-4d45-650b-964e-f289de5e09a5",
               macs: ["52:54:00:12:34:56"], extra: ["MAC:52:54:00:12:34:56"]}
    sensors:
      description: Sensors with reading, units, health (ok, warning, critical, failed), states and thresholds.
      type: list
      elements: dict
      returned: when gathered
      sample:
        - {name: MBTemp, number: 1, type: Temperature, value: 45.0, units: "°C", health: ok, states: [],
           thresholds: {upper_non_critical: 80.0, upper_critical: 85.0}, unavailable: false}
    lan:
      description: BMC LAN settings of channel 1 (ip_address, netmask, gateway, ip_source, mac_address).
      type: dict
      returned: when gathered
      sample: {channel: 1, ip_address: 192.168.10.11, netmask: 255.255.255.0, gateway: 192.168.10.1,
               ip_source: static, mac_address: "94:18:82:00:00:01"}
    firmware:
      description: From Get Device ID.
      type: dict
      returned: when gathered
      sample: {firmware_version: "2.10", ipmi_version: "2.0", device_id: 32, device_revision: 1,
               manufacturer_id: 11, product_id: 8192}
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
power:
  description: With O(address), the same as RV(results[].power).
  returned: when O(address) is used
  type: str
  sample: "on"
boot:
  description: With O(address), the same as RV(results[].boot).
  returned: when O(address) is used
  type: dict
  sample: {device: disk, persistent: true, uefi: false, valid: true}
fru:
  description: With O(address), the same as RV(results[].fru).
  returned: when O(address) is used
  type: dict
  sample: {manufacturer: HPE, serial: CZ1234567}
sensors:
  description: With O(address), the same as RV(results[].sensors).
  returned: when O(address) is used
  type: list
  elements: dict
  sample: [{name: MBTemp, value: 45.0, health: ok}]
lan:
  description: With O(address), the same as RV(results[].lan).
  returned: when O(address) is used
  type: dict
  sample: {ip_address: 192.168.10.11, mac_address: "94:18:82:00:00:01"}
firmware:
  description: With O(address), the same as RV(results[].firmware).
  returned: when O(address) is used
  type: dict
  sample: {firmware_version: "2.10"}
partial:
  description: With O(address), the same as RV(results[].partial).
  returned: when O(address) is used
  type: bool
  sample: false
errors:
  description: With O(address), the same as RV(results[].errors).
  returned: when O(address) is used
  type: dict
  sample: {}
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
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.helion.openstack.plugins.module_utils._ipmi.client import HAS_PYGHMI, PYGHMI_IMPORT_ERROR
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.errors import IpmiError
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.fleet import (
    FLEET_MODULE_KWARGS,
    fleet_argument_spec,
    fleet_call,
)
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.operations import (
    INFO_SECTIONS,
    info_target,
    salvage_info,
)


def main():
    argument_spec = dict(
        gather=dict(type="list", elements="str", choices=list(INFO_SECTIONS), default=list(INFO_SECTIONS)),
    )
    argument_spec.update(fleet_argument_spec())
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **FLEET_MODULE_KWARGS)
    if not HAS_PYGHMI:
        module.fail_json(msg=missing_required_lib("pyghmi"), exception=PYGHMI_IMPORT_ERROR)
    sections = [s for s in INFO_SECTIONS if s in module.params["gather"]]
    try:
        result = fleet_call(module.params, lambda target, box: info_target(target, sections, box),
                            salvage=salvage_info)
    except IpmiError as exc:
        module.fail_json(msg=str(exc))
    if result.pop("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
