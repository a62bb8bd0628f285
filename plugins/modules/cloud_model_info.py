#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cloud_model_info
short_description: Validate and plan a helion.openstack cloud model
version_added: 0.1.0
description:
  - Loads a cloud model directory, validates it (every error in one pass, each naming the file, the line,
    the key path and the fix) and returns its plan, the same plan the P(helion.openstack.cloud_model#inventory)
    inventory plugin builds.
  - Optionally renders the plan as a Markdown network plan, a Graphviz DOT topology and the content of
    C(allocations.yml).
  - Runs on the controller (use C(delegate_to=localhost)). It reads files only.
extends_documentation_fragment:
  - helion.openstack.attributes.INFO_MODULE
options:
  model:
    description: The directory of the cloud model.
    type: path
    required: true
  render:
    description: Also return RV(markdown), RV(dot) and RV(allocations_yaml).
    type: bool
    default: false
  fail_on_warnings:
    description: Fail when the model has warnings, not only when it has errors.
    type: bool
    default: false
author:
  - helion.openstack contributors (@helion-openstack)
"""

EXAMPLES = r"""
- name: Validate and plan the model
  helion.openstack.cloud_model_info:
    model: "{{ inventory_dir }}"
  delegate_to: localhost
  run_once: true
  register: cloud_plan

- name: Show the planned management addresses
  ansible.builtin.debug:
    msg: "{{ cloud_plan.plan.hosts | dict2items | map(attribute='value.helion_addresses.management') }}"
"""

RETURN = r"""
plan:
  description: The planned model.
  returned: success
  type: dict
  contains:
    cloud:
      description: Cloud settings with defaults filled in.
      type: dict
      returned: success
    networks:
      description: The networks, with prefix length and netmask added.
      type: list
      elements: dict
      returned: success
    vips:
      description: Virtual IPs by name, with network, address and name (fqdn).
      type: dict
      returned: success
    hosts:
      description: Per server, the host variables the inventory plugin sets.
      type: dict
      returned: success
    groups:
      description: Inventory groups and their members.
      type: dict
      returned: success
    allocations:
      description: Planned addresses per network, per server or VIP.
      type: dict
      returned: success
  sample: {"cloud": {"name": "lab"}, "groups": {"controllers": ["lab-ctl1", "lab-ctl2", "lab-ctl3"]}}
warnings_found:
  description: Warnings about the model, each with file, line, key path, message and fix.
  returned: always
  type: list
  elements: dict
  sample: [{"severity": "warning", "file": "swift.yml", "line": 4, "path": "swift.rings[0].replicas",
            "message": "ring 'account' has 3 replicas but only 2 Swift zone(s)", "fix": "add server groups"}]
errors:
  description: Errors about the model, each with file, line, key path, message and fix.
  returned: failure
  type: list
  elements: dict
  sample: [{"severity": "error", "file": "servers.yml", "line": 12, "path": "servers[3].role",
            "message": "unknown server role 'COMPUTE-ROLEX'", "fix": "use one of the names in server_roles"}]
markdown:
  description: The network plan as Markdown.
  returned: when O(render=true)
  type: str
  sample: "# Network plan of cloud `lab`"
dot:
  description: The topology as Graphviz DOT.
  returned: when O(render=true)
  type: str
  sample: 'graph "cloud lab" {'
allocations_yaml:
  description: The content of C(allocations.yml) for the planned addresses.
  returned: when O(render=true)
  type: str
  sample: "allocations:"
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.errors import CloudModelError
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.loader import HAS_YAML, YAML_IMPORT_ERROR
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.planner import load_and_plan
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.render import (
    render_allocations,
    render_dot,
    render_markdown,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            model=dict(type="path", required=True),
            render=dict(type="bool", default=False),
            fail_on_warnings=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    if not HAS_YAML:
        module.fail_json(msg=missing_required_lib("PyYAML"), exception=YAML_IMPORT_ERROR)
    try:
        plan, warnings = load_and_plan(module.params["model"])
    except CloudModelError as exc:
        module.fail_json(msg=exc.report(), errors=[f.as_dict() for f in exc.errors],
                         warnings_found=[f.as_dict() for f in exc.warnings])
    # cloud_vars holds the same values as the plan's cloud, networks ... keys, named as inventory variables.
    plan = dict((key, value) for key, value in plan.items() if key != "cloud_vars")
    result = dict(changed=False, plan=plan, warnings_found=[f.as_dict() for f in warnings])
    if warnings and module.params["fail_on_warnings"]:
        module.fail_json(msg="the cloud model has warnings:\n" + "\n".join("  " + f.format() for f in warnings),
                         **result)
    if module.params["render"]:
        result.update(markdown=render_markdown(plan), dot=render_dot(plan), allocations_yaml=render_allocations(plan))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
