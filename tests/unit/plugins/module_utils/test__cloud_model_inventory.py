"""The inventory plugin sets what the plan gives: groups, host variables and cloud-wide variables."""

import gc
import os

import pytest
from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin

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


class _CollectorWatch(object):
    """Runs the plugin's parse with the given options and records the collector around `_load`."""

    def __init__(self, monkeypatch, options, fail=False):
        self.plugin = InventoryModule()
        self.seen_enabled = None
        monkeypatch.setattr(BaseInventoryPlugin, "parse", _base_parse)
        monkeypatch.setattr(self.plugin, "_read_config_data", lambda path: None)
        monkeypatch.setattr(self.plugin, "get_option", lambda name: options[name])
        load = self.plugin._load

        def watched_load(model_dir):
            self.seen_enabled = gc.isenabled()
            if fail:
                raise AnsibleParserError("broken model")
            return load(model_dir)

        monkeypatch.setattr(self.plugin, "_load", watched_load)

    def parse(self):
        self.plugin.parse(FakeInventory(), None, os.path.join(ROOT, "inventories", "lab", "inventory.yml"))
        return self.plugin.inventory


def _base_parse(self, inventory, loader, path, cache=True):
    self.inventory = inventory


@pytest.fixture
def collector():
    """Leaves the collector as it was: enabled and nothing frozen."""
    yield
    gc.unfreeze()
    gc.enable()


@pytest.mark.parametrize("freeze_gc, enabled_before, enabled_in_load, enabled_after, freezes", [
    (True, True, False, True, True),
    (True, False, False, False, True),   # an Ansible that disabled it finds it disabled
    (False, True, True, True, False),
    (False, False, False, False, False),
])
def test_collector_paused_while_loading_then_what_was_built_frozen(
        monkeypatch, collector, freeze_gc, enabled_before, enabled_in_load, enabled_after, freezes):
    gc.unfreeze()
    if not enabled_before:
        gc.disable()
    watch = _CollectorWatch(monkeypatch, {"model": ".", "strict_warnings": False, "freeze_gc": freeze_gc})
    inventory = watch.parse()
    plan, _unused = load_and_plan(os.path.join(ROOT, "inventories", "lab"))
    assert inventory.hosts == list(plan["hosts"])
    assert watch.seen_enabled is enabled_in_load
    assert gc.isenabled() is enabled_after
    assert (gc.get_freeze_count() > 0) is freezes


def test_collector_enabled_again_when_the_model_fails(monkeypatch, collector):
    gc.unfreeze()
    watch = _CollectorWatch(monkeypatch, {"model": ".", "strict_warnings": False, "freeze_gc": True}, fail=True)
    with pytest.raises(AnsibleParserError, match="broken model"):
        watch.parse()
    assert watch.seen_enabled is False
    assert gc.isenabled()
