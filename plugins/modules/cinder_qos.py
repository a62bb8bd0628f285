#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cinder_qos
short_description: Create, update or delete a Cinder QoS spec and its volume type associations
version_added: 0.2.0
description:
  - Makes a Block Storage (Cinder) QoS spec present with the wanted consumer and keys, associated with exactly
    the listed volume types, or absent.
  - Reads first and changes only what differs. A changed value is set, a key the spec no longer lists is removed,
    a volume type no longer listed is disassociated. A volume type associated with another QoS spec is moved
    to this one (a volume type has one QoS spec).
  - The openstack.cloud collection has no module for QoS specs; this one calls the Block Storage API v3 through
    openstacksdk's session.
author:
  - helion.openstack contributors (@helion-openstack)
requirements:
  - openstacksdk
options:
  cloud:
    description:
      - Name of a cloud in C(clouds.yaml). Give O(cloud) or O(auth). A cloud admin, since QoS specs are
        admin-only.
    type: str
  auth:
    description:
      - Keystone password authentication (C(auth_url), C(username), C(password), C(project_name),
        C(user_domain_id) or C(user_domain_name), C(project_domain_id) or C(project_domain_name)), as the
        openstack.cloud modules take it. Give O(cloud) or O(auth).
    type: dict
  interface:
    description:
      - Endpoint interface of the catalog to use.
    type: str
    choices: [public, internal, admin]
    default: public
  region_name:
    description:
      - Region of the Block Storage endpoint.
    type: str
  name:
    description:
      - Name of the QoS spec.
    type: str
    required: true
  consumer:
    description:
      - Where the limits are applied. V(back-end) is the array (the HPE 3PAR and StoreVirtual drivers read the
        spec), V(front-end) the hypervisor, V(both) both.
    type: str
    choices: [front-end, back-end, both]
    default: back-end
  specs:
    description:
      - The spec's keys and values (for the 3PAR driver C(maxIOPS), C(maxBWS), C(minIOPS), C(minBWS),
        C(latency), C(priority)). Values are compared as strings, as Cinder keeps them.
    type: dict
    default: {}
  volume_types:
    description:
      - Names of the volume types associated with the spec; the others are disassociated.
    type: list
    elements: str
    default: []
  state:
    description:
      - Whether the spec should exist. V(absent) disassociates it from its volume types and deletes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - helion.openstack.attributes
attributes:
  check_mode:
    support: full
    details: Reads the spec and its associations, and reports the steps it would take.
  diff_mode:
    support: full
    details: The diff shows the consumer, the keys and the associated volume types before and after.
"""

EXAMPLES = r"""
- name: Limit the fast volume type to 2000 IOPS on the array
  helion.openstack.cinder_qos:
    auth:
      auth_url: http://api-int.example.net:5000/v3
      username: admin
      password: "{{ vault_keystone_admin_password }}"
      project_name: admin
      user_domain_id: default
      project_domain_id: default
    interface: internal
    name: gold-iops
    consumer: back-end
    specs:
      maxIOPS: 2000
    volume_types: [fast]
"""

RETURN = r"""
actions:
  description: What the module did (or would do in check mode).
  returned: always
  type: list
  elements: str
  sample: [set maxIOPS=3000, associate fast]
qos_spec:
  description: The spec's consumer, keys and associated volume types after the run (empty when absent).
  returned: success
  type: dict
  sample:
    consumer: back-end
    specs: {maxIOPS: "2000"}
    volume_types: [fast]
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.helion.openstack.plugins.module_utils import _cinder_qos

try:
    import openstack
    HAS_OPENSTACKSDK = True
    OPENSTACKSDK_IMPORT_ERROR = None
except ImportError:
    HAS_OPENSTACKSDK = False
    OPENSTACKSDK_IMPORT_ERROR = traceback.format_exc()


def main():
    module = AnsibleModule(
        argument_spec=dict(
            cloud=dict(type="str"),
            auth=dict(type="dict", no_log=True),
            interface=dict(type="str", choices=["public", "internal", "admin"], default="public"),
            region_name=dict(type="str"),
            name=dict(type="str", required=True),
            consumer=dict(type="str", choices=list(_cinder_qos.CONSUMERS), default="back-end"),
            specs=dict(type="dict", default={}),
            volume_types=dict(type="list", elements="str", default=[]),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        supports_check_mode=True,
        required_one_of=[("cloud", "auth")],
        mutually_exclusive=[("cloud", "auth")],
    )
    if not HAS_OPENSTACKSDK:
        module.fail_json(msg=missing_required_lib("openstacksdk"), exception=OPENSTACKSDK_IMPORT_ERROR)
    params = module.params
    wanted = dict((k, params[k]) for k in ("state", "consumer", "specs", "volume_types"))
    try:
        if params["cloud"]:
            conn = openstack.connect(cloud=params["cloud"], interface=params["interface"],
                                     region_name=params["region_name"])
        else:
            conn = openstack.connect(auth=params["auth"], auth_type="password", interface=params["interface"],
                                     region_name=params["region_name"], load_yaml_config=False,
                                     load_envvars=False)
        api = _cinder_qos.CinderRest(conn.block_storage)
        result = _cinder_qos.ensure_qos(api, params["name"], wanted, module.check_mode)
    except _cinder_qos.CinderQosError as exc:
        module.fail_json(msg="QoS spec %s: %s" % (params["name"], exc), exception=traceback.format_exc())
    except openstack.exceptions.SDKException as exc:
        module.fail_json(msg="QoS spec %s: %s" % (params["name"], exc), exception=traceback.format_exc())
    module.exit_json(**result.module_result(diff_mode=module._diff))


if __name__ == "__main__":
    main()
