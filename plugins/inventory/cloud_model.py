# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: cloud_model
short_description: Inventory from a helion.openstack cloud model
version_added: 0.1.0
description:
  - Loads the cloud model (a directory of YAML files, see C(docs/cloud-model.md)), validates it
    and plans it, then yields its groups and per-host variables.
  - Validation collects every error in one pass. Each names the file, the line, the key path,
    what is wrong and how to fix it. A model with errors yields no inventory; set
    C(any_unparsed_is_failed=true) in the C([inventory]) section of C(ansible.cfg) so that the run
    stops there.
  - Addresses are planned deterministically. Addresses in C(allocations.yml) in the model directory
    (written by the M(helion.openstack.cloud_model_info) based playbook C(helion.openstack.network_plan))
    are kept, so adding or removing a server never renumbers the others.
  - The plugin is read-only. It writes nothing.
options:
  plugin:
    description: The name of this plugin.
    required: true
    type: str
    choices: [helion.openstack.cloud_model]
  model:
    description:
      - The directory of the cloud model, relative to the inventory source file or absolute.
    type: str
    default: .
  strict_warnings:
    description:
      - Treat model warnings (one controller, fewer Swift zones than replicas ...) as errors.
    type: bool
    default: false
  freeze_gc:
    description:
      - Pause Python's cyclic garbage collector while the plugin builds the inventory, and then move
        everything built so far to the collector's permanent generation (C(gc.freeze())).
      - The inventory lives as long as the Ansible process. Without this, every full collection of
        the run scans its hundreds of thousands of objects again; at 1,000 servers that costs
        C(ansible-inventory --list) about half a second. Frozen objects also stay shared with
        forked workers instead of being copied when the collector touches them.
      - Set to V(false) to leave the collector as Ansible set it.
    type: bool
    default: true
    version_added: 0.4.0
notes:
  - Groups are C(seed), C(undercloud), C(controllers), C(compute_kvm), C(compute_esx), C(ovsvapp),
    C(swift_proxy), C(swift_object), C(vsa), and one group per service (for example C(keystone)).
  - Cloud-wide data goes to the C(all) group as C(helion_cloud), C(helion_features), C(helion_networks),
    C(helion_vips), C(helion_storage), C(helion_vcenters), C(helion_swift) and C(helion_model_dir).
  - C(helion_hosts_entries) (the C(/etc/hosts) entries of the whole cloud) is an expression over the host
    variables, computed by the P(helion.openstack.hosts_entries#filter) filter when a play uses it.
"""

EXAMPLES = r"""
# inventories/mycloud/inventory.yml, next to the model files:
plugin: helion.openstack.cloud_model
model: .
"""

import gc
import os

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.errors import CloudModelError
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.planner import load_and_plan

# Group 'all' variables are copied into every host by `ansible-inventory --list`, so the
# /etc/hosts entries (one per server and network) are computed on use, not stored: at 1,000
# servers, storing them would repeat about 5,000 entries 1,000 times.
HOSTS_ENTRIES = ("{{ groups['all'] | helion.openstack.hosts_entries(hostvars, helion_cloud, helion_vips) }}")


class InventoryModule(BaseInventoryPlugin):
    NAME = "helion.openstack.cloud_model"

    # The model is operator-written configuration, like a YAML inventory: credentials in it may
    # reference vault variables ("{{ vault_ipmi_password }}"), which must be templated.
    trusted_by_default = True

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith((".yml", ".yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        model = self.get_option("model")
        base = os.path.dirname(os.path.abspath(path))
        model_dir = model if os.path.isabs(model) else os.path.normpath(os.path.join(base, model))
        if not self.get_option("freeze_gc"):
            self._load(model_dir)
            return
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._load(model_dir)
        finally:
            if collecting:
                gc.enable()
        # Only after a successful load (a failure raises above): the inventory lives as long as the process.
        gc.freeze()

    def _load(self, model_dir):
        try:
            plan, warnings = load_and_plan(model_dir, display_root=os.path.relpath(model_dir))
        except CloudModelError as exc:
            # The report names file, line, key and fix for each error: no traceback is useful.
            raise AnsibleParserError(exc.report())
        if warnings and self.get_option("strict_warnings"):
            raise AnsibleParserError(CloudModelError(warnings).report().replace("0 error(s)", "warnings treated "
                                                                                "as errors"))
        for finding in warnings:
            self.display.warning("cloud model: " + finding.format())
        self._populate(plan, model_dir)

    def _populate(self, plan, model_dir):
        """Groups, hosts and their variables, and the cloud-wide variables, as the plan gives them."""
        inv = self.inventory
        for group in plan["groups"]:
            inv.add_group(group)
        for name, hostvars in plan["hosts"].items():
            inv.add_host(name)
            for key, value in hostvars.items():
                inv.set_variable(name, key, value)
        for group, members in plan["groups"].items():
            for name in members:
                inv.add_child(group, name)
        for key, value in plan["cloud_vars"].items():
            inv.set_variable("all", key, value)
        inv.set_variable("all", "helion_model_dir", model_dir)
        inv.set_variable("all", "helion_hosts_entries", HOSTS_ENTRIES)
