# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Connection options shared by the HPE StoreVirtual (LeftHand) modules."""

    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - URL of the LeftHand OS REST API, for example V(https://10.100.3.20:8081/lhos).
    type: str
    required: true
  username:
    description:
      - Management group user name.
    type: str
    required: true
  password:
    description:
      - Management group password.
    type: str
    required: true
  array_name:
    description:
      - Name of the StoreVirtual system in the cloud model, used in messages. Defaults to the host of O(api_url).
    type: str
  validate_certs:
    description:
      - Verify the TLS certificate of the REST API.
    type: bool
    default: true
  ca_path:
    description:
      - CA bundle used to verify the certificate when O(validate_certs=true).
    type: path
  timeout:
    description:
      - Timeout in seconds for each REST request.
    type: int
    default: 30
notes:
  - The modules talk to the LeftHand OS REST API with Ansible's own HTTP client (C(ansible.module_utils.urls));
    they need no extra Python library. See docs/block-storage.md for why python-lefthandclient is not used.
  - Use C(group/helion.openstack.storevirtual) in C(module_defaults) to set the connection options once.
attributes:
  action_group:
    description: Use C(group/helion.openstack.storevirtual) in C(module_defaults) to set defaults for this module.
    support: full
    membership: [helion.openstack.storevirtual]
"""
