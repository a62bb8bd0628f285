"""The inventory plugin sets what the plan gives: groups, host variables and cloud-wide variables."""

import os

from ansible_collections.helion.openstack.plugins.inventory.cloud_model import HOSTS_ENTRIES, InventoryModule
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.build import add_cloud_var
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.planner import load_and_plan

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


class FakeInventory(object):
    def __init__(self):
        self.groups = []
        self.hosts = []
        self.children = []
        self.vars = {}

    def add_group(self, name):
        self.groups.append(name)

    def add_host(self, name):
        self.hosts.append(name)

    def add_child(self, group, name):
        self.children.append((group, name))

    def set_variable(self, entity, key, value):
        self.vars.setdefault(entity, {})[key] = value


def _populate(plan):
    plugin = InventoryModule()
    plugin.inventory = FakeInventory()
    plugin._populate(plan, "/models/lab")
    return plugin.inventory


def test_inventory_takes_groups_hosts_and_variables_from_the_plan():
    plan, _unused = load_and_plan(os.path.join(ROOT, "inventories", "lab"))
    inv = _populate(plan)
    assert inv.groups == list(plan["groups"])
    assert inv.hosts == list(plan["hosts"])
    assert inv.children == [(g, n) for g, names in plan["groups"].items() for n in names]
    for name, hostvars in plan["hosts"].items():
        assert inv.vars[name] == hostvars
    assert inv.vars["all"] == dict(plan["cloud_vars"], helion_model_dir="/models/lab",
                                   helion_hosts_entries=HOSTS_ENTRIES)


def test_a_cloud_var_a_section_adds_reaches_the_inventory():
    plan, _unused = load_and_plan(os.path.join(ROOT, "inventories", "lab"))
    add_cloud_var(plan, "dns_zones", ["lab.helion.test"])
    assert _populate(plan).vars["all"]["helion_dns_zones"] == ["lab.helion.test"]
