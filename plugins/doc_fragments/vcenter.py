# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Connection options of the vCenter modules (action group helion.openstack.vcenter)."""

    DOCUMENTATION = r"""
options:
  hostname:
    description:
      - Name or address of the vCenter server.
    type: str
    required: true
  port:
    description:
      - HTTPS port of the vCenter API.
    type: int
    default: 443
  username:
    description:
      - vCenter user, for example C(administrator@vsphere.local).
    type: str
    required: true
  password:
    description:
      - Password of O(username). Keep it in Ansible Vault.
    type: str
    required: true
  validate_certs:
    description:
      - Validate the vCenter TLS certificate against the system CAs or O(ca_file).
      - Set it to V(false) only for a test vCenter with a self-signed certificate.
    type: bool
    default: true
  ca_file:
    description:
      - PEM file with the CA that signed the vCenter certificate, used when O(validate_certs=true).
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request to vCenter.
    type: int
    default: 30
requirements:
  - pyvmomi >= 8.0
notes:
  - Discovery uses one container view and one property collector retrieval (paged), not one call per object.
"""

    ACTIONGROUP_VCENTER = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/helion.openstack.vcenter) in C(module_defaults) to set defaults for this module.
    support: full
    membership: [helion.openstack.vcenter]
"""
