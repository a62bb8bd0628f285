#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: haproxy_server
short_description: Drain a server from every HAProxy backend that has it, or put it back
version_added: 0.2.0
description:
  - Sets the administrative state of server O(name) in every backend of the local HAProxy that has a server of
    that name, through HAProxy's runtime API (its C(stats socket) at level admin). The collection's HAProxy
    names each backend server after its node, so one call takes a node out of, or puts it back into, every
    load balancer.
  - V(drain) sends no new connection to the server while its health checks keep running; V(maint) stops the
    checks too; V(ready) puts it back, but only once the server passes its health checks in every backend
    (within O(healthy_timeout)), so that a node whose services do not answer stays out.
  - Reads the state first and changes only the backends where it differs. The runtime state lasts until HAProxy
    restarts or reloads its configuration.
author:
  - helion.openstack contributors (@helion-openstack)
options:
  name:
    description:
      - The server's name in the backends (the node's inventory name in the collection's HAProxy configuration).
    type: str
    required: true
  state:
    description:
      - V(drain) (no new connections, checks go on), V(maint) (no traffic, no checks) or V(ready).
    type: str
    choices: [ready, drain, maint]
    default: ready
  socket:
    description:
      - The UNIX socket of HAProxy's runtime API, at level admin.
    type: path
    default: /run/haproxy/admin.sock
  drain_timeout:
    description:
      - With V(drain) or V(maint), seconds to wait for the server's current sessions to end. Sessions that
        last longer (pooled database connections) are left to end by themselves.
    type: float
    default: 0
  healthy_timeout:
    description:
      - With V(ready), seconds to wait for the server to pass its health checks in every backend before it is
        put back. The module fails, and leaves the server out, when it does not.
    type: float
    default: 60
extends_documentation_fragment:
  - helion.openstack.attributes
attributes:
  check_mode:
    support: full
    details: Reads the servers' states and reports the commands it would send; it neither waits nor changes anything.
  diff_mode:
    support: full
    details: The diff shows each backend's server state before and after.
"""

EXAMPLES = r"""
- name: Take this controller out of every load balancer on every HAProxy node
  helion.openstack.haproxy_server:
    name: "{{ inventory_hostname }}"
    state: drain
    drain_timeout: 30
  delegate_to: "{{ item }}"
  loop: "{{ groups['haproxy'] }}"

- name: Put it back once its services pass HAProxy's checks
  helion.openstack.haproxy_server:
    name: "{{ inventory_hostname }}"
    state: ready
    healthy_timeout: 300
  delegate_to: "{{ item }}"
  loop: "{{ groups['haproxy'] }}"
"""

RETURN = r"""
actions:
  description: The runtime API commands sent (or, in check mode, that would be sent).
  returned: always
  type: list
  elements: str
  sample: [set server keystone_api/ctl1 state drain]
servers:
  description: The backend/server pairs of O(name) in this HAProxy.
  returned: success
  type: list
  elements: str
  sample: [keystone_api/ctl1, galera/ctl1]
sessions:
  description: The server's current sessions over every backend when the module returned.
  returned: success
  type: int
waited:
  description: Seconds spent waiting for the sessions to end.
  returned: success
  type: float
"""

import traceback

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.helion.openstack.plugins.module_utils import _package_update


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["ready", "drain", "maint"], default="ready"),
            socket=dict(type="path", default="/run/haproxy/admin.sock"),
            drain_timeout=dict(type="float", default=0),
            healthy_timeout=dict(type="float", default=60),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        result = _package_update.ensure_server_state(
            _package_update.HaproxySocket(params["socket"]), params["name"], params["state"],
            check_mode=module.check_mode, drain_timeout=params["drain_timeout"],
            healthy_timeout=params["healthy_timeout"])
    except _package_update.PackageUpdateError as exc:
        module.fail_json(msg="HAProxy server %s: %s" % (params["name"], exc), exception=traceback.format_exc())
    module.exit_json(**result.module_result(diff_mode=module._diff))


if __name__ == "__main__":
    main()
