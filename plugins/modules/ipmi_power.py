#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ipmi_power
short_description: Set the power state of one BMC or a fleet of BMCs over IPMI
version_added: 0.1.0
description:
  - Reads the power state of each BMC, acts only when needed and waits until the BMC reports the wanted state.
  - Handles a fleet of BMCs concurrently in one call (O(targets)), or one BMC (O(address)).
  - Runs on the controller (C(delegate_to) V(localhost)).
extends_documentation_fragment:
  - helion.openstack.ipmi
  - helion.openstack.attributes
  - helion.openstack.attributes.ACTIONGROUP_IPMI
attributes:
  check_mode:
    support: full
    details: Reads the power state and reports what it would do.
  diff_mode:
    support: full
    details: Shows the power state of each BMC before and after.
options:
  state:
    description:
      - V(on) and V(off) switch the chassis power (hard off).
      - V(soft-off) asks the operating system to shut down (ACPI), waits O(soft_off_timeout) seconds, then powers
        off hard if the server is still on (RV(results[].forced_off)).
      - V(reset) and V(cycle) always act on a running server; on a server that is off they power it on.
      - V(off), V(soft-off) and V(on) are idempotent.
    type: str
    required: true
    choices: ["on", "off", soft-off, reset, cycle]
  soft_off_timeout:
    description: Seconds to wait for an ACPI shutdown before powering off hard. Must be less than O(timeout).
    type: int
    default: 30
author:
  - helion.openstack contributors (@helion-openstack)
"""

EXAMPLES = r"""
- name: Power on one server
  helion.openstack.ipmi_power:
    address: 192.168.10.21
    username: admin
    password: "{{ ipmi_password }}"
    state: "on"
  delegate_to: localhost

- name: Shut down a fleet gracefully, in one call
  helion.openstack.ipmi_power:
    targets:
      - {name: cmp1, address: 192.168.10.31}
      - {name: cmp2, address: 192.168.10.32, username: root, password: "{{ cmp2_password }}"}
    username: admin
    password: "{{ ipmi_password }}"
    state: soft-off
    soft_off_timeout: 120
    timeout: 300
    concurrency: 32
    fail_on_error: none
  delegate_to: localhost
  run_once: true
  register: shutdown

- name: Show the BMCs that failed
  ansible.builtin.debug:
    msg: "{{ shutdown.results | selectattr('failed') | map(attribute='msg') }}"
"""

RETURN = r"""
results:
  description: One entry per BMC, in the order of O(targets) (one entry for O(address)).
  returned: always
  type: list
  elements: dict
  sample:
    - {name: cmp1, address: 192.168.10.31, port: 623, changed: true, failed: false, before: "on", power: "off",
       actions: [shutdown], forced_off: false, elapsed: 12.5, msg: "on -> off (shutdown)"}
    - {name: cmp2, address: 192.168.10.32, port: 623, changed: false, failed: true, error: auth,
       msg: "BMC cmp2 (192.168.10.32:623): cannot open a session: authentication failed (wrong username or password)"}
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
      description: Whether this BMC was (or, in check mode, would be) changed.
      type: bool
      returned: always
    failed:
      description: Whether this BMC failed.
      type: bool
      returned: always
    msg:
      description: What happened, or the error naming the BMC and the cause.
      type: str
      returned: always
    error:
      description: Error category (auth, unreachable, cipher, timeout, bmc, invalid, error).
      type: str
      returned: on failure
    before:
      description: Power state read before acting.
      type: str
      returned: success
    power:
      description: Power state after the task (in check mode, the state it would reach).
      type: str
      returned: success
    actions:
      description: Chassis control actions sent (on, off, shutdown, reset, cycle).
      type: list
      elements: str
      returned: success
    forced_off:
      description: Whether V(soft-off) had to fall back to a hard power off.
      type: bool
      returned: success
    elapsed:
      description: Seconds between the first action and the BMC reporting the wanted state.
      type: float
      returned: when changed and not in check mode
power:
  description: Power state after the task, for O(address).
  returned: when O(address) is used and the BMC answered
  type: str
  sample: "on"
before:
  description: Power state before the task, for O(address).
  returned: when O(address) is used and the BMC answered
  type: str
  sample: "off"
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
actions:
  description: With O(address), the same as RV(results[].actions).
  returned: when O(address) is used
  type: list
  elements: str
  sample: ["on"]
forced_off:
  description: With O(address), the same as RV(results[].forced_off).
  returned: when O(address) is used
  type: bool
  sample: false
elapsed:
  description: Seconds the whole call took (all BMCs).
  returned: always
  type: float
  sample: 1.25
msg:
  description: Summary, or the error for O(address).
  returned: always
  type: str
  sample: "3 of 3 BMC(s) succeeded"
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.helion.openstack.plugins.module_utils._ipmi.client import HAS_PYGHMI, PYGHMI_IMPORT_ERROR
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.errors import IpmiError
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.fleet import (
    FLEET_MODULE_KWARGS,
    fleet_argument_spec,
    fleet_call,
)
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.operations import POWER_STATES, power_target


def main():
    argument_spec = dict(
        state=dict(type="str", required=True, choices=list(POWER_STATES)),
        soft_off_timeout=dict(type="int", default=30),
    )
    argument_spec.update(fleet_argument_spec())
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **FLEET_MODULE_KWARGS)
    if not HAS_PYGHMI:
        module.fail_json(msg=missing_required_lib("pyghmi"), exception=PYGHMI_IMPORT_ERROR)
    params = module.params
    if params["state"] == "soft-off" and params["soft_off_timeout"] >= params["timeout"]:
        module.fail_json(msg="soft_off_timeout (%s) must be less than timeout (%s)"
                         % (params["soft_off_timeout"], params["timeout"]))

    def operation(target):
        return power_target(target, params["state"], module.check_mode, params["timeout"],
                            params["soft_off_timeout"])

    try:
        result = fleet_call(params, operation, diff_mode=module._diff)
    except IpmiError as exc:
        module.fail_json(msg=str(exc))
    if result.pop("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
