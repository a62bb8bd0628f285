#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: bmc_discover
short_description: Find the BMCs of an IPMI network
version_added: 0.1.0
description:
  - Sends a sessionless Get Channel Authentication Capabilities request (netfn 6, command 0x38) over UDP to every
    host address of O(cidr) (the ASF presence ping is not answered by every BMC), with at most O(concurrency)
    probes in flight and O(timeout) seconds per probe.
  - Only addresses inside O(cidr) are ever contacted, and ranges of more than 4096 addresses are refused.
  - With O(username) and O(password) it also opens an IPMI session to each responder and reports whether the
    credentials work.
  - Run it on the IPMI network only.
extends_documentation_fragment:
  - helion.openstack.attributes
  - helion.openstack.attributes.INFO_MODULE
  - helion.openstack.attributes.ACTIONGROUP_IPMI
options:
  cidr:
    description: The network to scan, for instance V(192.168.10.0/24). At most 4096 addresses.
    type: str
    required: true
  port:
    description: UDP port to probe.
    type: int
    default: 623
  timeout:
    description: Seconds to wait for each probe's answer.
    type: float
    default: 1.0
  retries:
    description: Extra probes to an address that did not answer.
    type: int
    default: 1
  concurrency:
    description: Probes in flight at once; also the number of concurrent credential checks.
    type: int
    default: 64
  username:
    description: If set with O(password), check these credentials on every responder.
    type: str
  password:
    description: Password for the credential check. Never returned.
    type: str
  credential_timeout:
    description: Hard deadline in seconds for each credential check.
    type: int
    default: 20
author:
  - helion.openstack contributors (@helion-openstack)
"""

EXAMPLES = r"""
- name: Find the BMCs of the IPMI network and check the credentials
  helion.openstack.bmc_discover:
    cidr: 192.168.10.0/24
    username: admin
    password: "{{ ipmi_password }}"
  delegate_to: localhost
  run_once: true
  register: found

- name: BMCs whose credentials do not work
  ansible.builtin.debug:
    msg: "{{ found.bmcs | rejectattr('credentials_ok') | map(attribute='address') }}"
"""

RETURN = r"""
bmcs:
  description: The responders, sorted by address.
  returned: always
  type: list
  elements: dict
  sample:
    - {address: 192.168.10.21, port: 623, ipmi_version: "2.0", versions: ["1.5", "2.0"], auth_types: [md5],
       anonymous_login: false, oem_id: 0, credentials_ok: true}
  contains:
    address:
      description: The BMC address.
      type: str
      returned: always
    port:
      description: The probed port.
      type: int
      returned: always
    ipmi_version:
      description: Highest IPMI version the BMC supports (C(2.0) or C(1.5)).
      type: str
      returned: always
    versions:
      description: IPMI versions the BMC reports.
      type: list
      elements: str
      returned: always
    auth_types:
      description: IPMI 1.5 authentication types offered.
      type: list
      elements: str
      returned: always
    anonymous_login:
      description: Whether anonymous login is enabled.
      type: bool
      returned: always
    oem_id:
      description: OEM IANA number from the answer.
      type: int
      returned: always
    credentials_ok:
      description: Whether a session opened with O(username)/O(password); null when not checked.
      type: bool
      returned: always
    credentials_error:
      description: Why the credential check failed.
      type: str
      returned: when the check failed
scanned:
  description: Number of addresses probed.
  returned: always
  type: int
  sample: 254
elapsed:
  description: Seconds the scan took.
  returned: always
  type: float
  sample: 2.4
"""

import time

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.helion.openstack.plugins.module_utils._ipmi.client import HAS_PYGHMI, PYGHMI_IMPORT_ERROR
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.errors import IpmiError
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.operations import discover


def main():
    module = AnsibleModule(
        argument_spec=dict(
            cidr=dict(type="str", required=True),
            port=dict(type="int", default=623),
            timeout=dict(type="float", default=1.0),
            retries=dict(type="int", default=1),
            concurrency=dict(type="int", default=64),
            username=dict(type="str"),
            password=dict(type="str", no_log=True),
            credential_timeout=dict(type="int", default=20),
        ),
        required_together=[("username", "password")],
        supports_check_mode=True,
    )
    params = module.params
    if params["username"] and not HAS_PYGHMI:
        module.fail_json(msg=missing_required_lib("pyghmi"), exception=PYGHMI_IMPORT_ERROR)
    start = time.time()
    try:
        result = discover(params)
    except IpmiError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, elapsed=round(time.time() - start, 2), **result)


if __name__ == "__main__":
    main()
