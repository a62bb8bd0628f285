# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Connection options shared by the HPE 3PAR modules."""

    DOCUMENTATION = r"""
options:
  wsapi_url:
    description:
      - URL of the array's Web Services API, for example V(https://10.100.3.10:8080/api/v1).
    type: str
    required: true
  username:
    description:
      - WSAPI user name.
    type: str
    required: true
  password:
    description:
      - WSAPI password.
    type: str
    required: true
  array_name:
    description:
      - Name of the array in the cloud model, used in messages. Defaults to the host of O(wsapi_url).
    type: str
  validate_certs:
    description:
      - Verify the array's TLS certificate.
    type: bool
    default: true
  ca_path:
    description:
      - CA bundle used to verify the array's certificate when O(validate_certs=true).
    type: path
  timeout:
    description:
      - Timeout in seconds for each WSAPI request.
    type: int
    default: 30
requirements:
  - python-3parclient >= 4.2.12
notes:
  - The modules use HPE's python-3parclient. Connection attempts are not retried, so an unreachable array fails at once.
  - Use C(group/helion.openstack.hpe3par) in C(module_defaults) to set the connection options once.
attributes:
  action_group:
    description: Use C(group/helion.openstack.hpe3par) in C(module_defaults) to set defaults for this module.
    support: full
    membership: [helion.openstack.hpe3par]
"""
