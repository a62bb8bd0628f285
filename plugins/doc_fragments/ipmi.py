# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Connection and fleet options shared by the ipmi_power, ipmi_boot and ipmi_info modules."""

    DOCUMENTATION = r"""
options:
  address:
    description:
      - Address (IP or name) of one BMC. Use either O(address) or O(targets).
    type: str
  port:
    description:
      - UDP port of the BMC(s); the default for O(targets) entries that do not set one.
    type: int
    default: 623
  username:
    description:
      - IPMI user; the default for O(targets) entries that do not set one.
    type: str
  password:
    description:
      - IPMI password; the default for O(targets) entries that do not set one. Never returned.
    type: str
  targets:
    description:
      - A fleet of BMCs, handled concurrently in one call. Use either O(address) or O(targets).
      - Each entry may leave out O(targets[].port), O(targets[].username) and O(targets[].password) to take the
        top-level values.
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the server, used in results and messages. Defaults to the address.
        type: str
      address:
        description: Address of the BMC.
        type: str
        required: true
      port:
        description: UDP port of the BMC.
        type: int
      username:
        description: IPMI user.
        type: str
      password:
        description: IPMI password.
        type: str
  concurrency:
    description:
      - How many BMCs are talked to at the same time.
    type: int
    default: 16
  timeout:
    description:
      - Hard deadline in seconds for each BMC, including any waiting. A BMC that does not finish in time gets a
        timeout error; nothing waits past it.
    type: int
    default: 60
  fail_on_error:
    description:
      - When the task fails. V(any) fails when any BMC failed, V(all) only when every BMC failed,
        V(none) never (inspect RV(results)).
      - The per-BMC results and errors are returned in every case.
    type: str
    choices: [any, all, none]
    default: any
requirements:
  - pyghmi >= 1.5.60
notes:
  - Sessions use IPMI 2.0 (RMCP+); cipher suite 17 is tried first and suite 3 when the BMC refuses it or answers
    with SHA-1 algorithms.
  - Credentials never appear in results or messages.
"""
