"""The cloud model package: sections, their registration, the services table and the plan's shape."""

import copy
import os
import re
import types

import pytest

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model import sections
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.build import add_cloud_var
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.errors import CloudModelError
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.loader import load_model_dir
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.model import index_by_name
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.planner import load_and_plan, plan_model
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.schema import NAME, model_schema
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.sections.networks import NETWORK_PURPOSES
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.services import (
    BASE_GROUPS,
    DVR_EXTRA_NEEDS,
    SERVICE_NEEDS,
    VXLAN_SERVICES,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
HOOKS = ("index", "check", "vip_requests", "contribute")


def _model(name):
    data, _positions, findings = load_model_dir(os.path.join(ROOT, "inventories", name))
    assert not findings.items
    return data


def test_every_top_level_key_has_one_section():
    owners = {}
    for section in sections.SECTIONS:
        for key in section.SCHEMA:
            assert key not in owners, "%s is in %s and %s" % (key, owners[key], section.__name__)
            owners[key] = section.__name__
        assert set(getattr(section, "REQUIRED", ())) <= set(section.SCHEMA), section.__name__
        assert section.__doc__, section.__name__
        for hook in HOOKS:
            assert callable(getattr(section, hook, len)), (section.__name__, hook)
    assert set(owners) == set(sections.SCHEMA["properties"])
    assert sections.SCHEMA["required"] == [k for s in sections.SECTIONS for k in getattr(s, "REQUIRED", ())]


def test_every_section_module_is_registered():
    folder = os.path.dirname(sections.__file__)
    modules = sorted(n[:-3] for n in os.listdir(folder) if n.endswith(".py") and n != "__init__.py")
    assert modules == sorted(s.__name__.rsplit(".", 1)[1] for s in sections.SECTIONS)


def test_services_table():
    for service, needs in SERVICE_NEEDS.items():
        assert needs, service
        for need in needs:
            assert isinstance(need, tuple) and need, service
            assert set(need) <= set(NETWORK_PURPOSES), service
    assert set(VXLAN_SERVICES) <= set(SERVICE_NEEDS)
    assert set(DVR_EXTRA_NEEDS) <= set(SERVICE_NEEDS)


def test_every_service_is_documented():
    with open(os.path.join(ROOT, "docs", "cloud-model.md")) as handle:
        text = handle.read()
    table = text.split("| Services | Need networks of purpose |")[1].split("\n\n")[0]
    documented = set(re.findall(r"[a-z][a-z0-9_]+", " ".join(line.split("|")[1] for line in table.splitlines()[2:])))
    assert documented == set(SERVICE_NEEDS)


@pytest.mark.parametrize("name", ["kvm-reference", "esx-reference", "lab"])
def test_plan_gives_the_inventory_its_hosts_groups_and_cloud_vars(name):
    plan, _unused = load_and_plan(os.path.join(ROOT, "inventories", name))
    keys = ("cloud", "features", "networks", "vips", "server_groups", "storage", "vcenters", "swift")
    assert sorted(plan["cloud_vars"]) == sorted("helion_" + k for k in keys)
    for key in keys:
        assert plan["cloud_vars"]["helion_" + key] is plan[key]
    assert list(plan["groups"])[:len(BASE_GROUPS)] == list(BASE_GROUPS)
    for hostvars in plan["hosts"].values():
        assert {"helion_server", "helion_addresses", "helion_network_interfaces", "helion_disks",
                "helion_services"} <= set(hostvars)
    members = set(n for names in plan["groups"].values() for n in names)
    assert members <= set(plan["hosts"])


def _dns_zones_section():
    """A section as someone adding one would write it: schema, index, check, plan."""
    section = types.ModuleType("dns_zones")
    section.SCHEMA = {"dns_zones": {"type": "array", "items": {
        "type": "object", "additionalProperties": False, "required": ["name", "network"],
        "properties": {"name": NAME, "network": NAME}}}}

    def index(model):
        model.dns_zones = index_by_name(model.data.get("dns_zones"), ("dns_zones",), model.findings, "DNS zone")

    def check(model):
        for pos, zone in model.dns_zones.values():
            if zone["network"] not in model.nets:
                model.findings.error(("dns_zones", pos, "network"), "unknown network '%s'" % zone["network"],
                                     "name a network.")

    def contribute(model, plan):
        add_cloud_var(plan, "dns_zones", [zone for _pos, zone in sorted(model.dns_zones.values())])
        for hostvars in plan["hosts"].values():
            hostvars["helion_dns_zones"] = sorted(model.dns_zones)

    section.index, section.check, section.contribute = index, check, contribute
    return section


def test_a_new_section_is_one_module_and_one_registration(monkeypatch):
    extended = sections.SECTIONS + (_dns_zones_section(),)
    monkeypatch.setattr(sections, "SECTIONS", extended)
    monkeypatch.setattr(sections, "SCHEMA", model_schema(extended))
    data = _model("lab")
    data["dns_zones"] = [{"name": "lab.helion.test", "network": "management"}]
    plan, _unused = plan_model(copy.deepcopy(data))
    assert plan["cloud_vars"]["helion_dns_zones"] == data["dns_zones"]
    assert plan["hosts"]["lab-ctl1"]["helion_dns_zones"] == ["lab.helion.test"]
    data["dns_zones"].append({"name": "lab.helion.test", "network": "mgmt"})
    with pytest.raises(CloudModelError) as info:
        plan_model(copy.deepcopy(data))
    assert [f.format() for f in info.value.errors] == [
        "ERROR: <model>: dns_zones[1].name: duplicate DNS zone name 'lab.helion.test' (also dns_zones[0]) "
        "Fix: give each DNS zone a unique name."]
    data["dns_zones"][1] = {"name": "other", "network": "mgmt", "ttl": 5}
    with pytest.raises(CloudModelError) as info:
        plan_model(data)
    assert "dns_zones[1].ttl: unknown key 'ttl'" in info.value.report()


def test_without_the_registration_the_key_is_unknown():
    data = _model("lab")
    data["dns_zones"] = []
    with pytest.raises(CloudModelError) as info:
        plan_model(data)
    assert "dns_zones: unknown key 'dns_zones'" in info.value.report()


def test_a_new_service_is_one_row(monkeypatch):
    data = _model("lab")
    data["control_plane"]["controllers"]["services"].append("barbican")
    with pytest.raises(CloudModelError) as info:
        plan_model(copy.deepcopy(data))
    assert "unknown service 'barbican'" in info.value.report()
    monkeypatch.setitem(SERVICE_NEEDS, "barbican", [("management",)])
    plan, _unused = plan_model(copy.deepcopy(data))
    assert plan["groups"]["barbican"] == plan["groups"]["controllers"]
    assert "barbican" in plan["hosts"]["lab-ctl1"]["helion_services"]
    monkeypatch.setitem(SERVICE_NEEDS, "barbican", [("management",), ("ipmi",)])
    with pytest.raises(CloudModelError) as info:
        plan_model(data)
    assert "lacks a ipmi network, which service 'barbican' needs" in info.value.report()


@pytest.mark.parametrize("section, value, expected, error", [
    # the log server's store
    ("logging", None, {"max_use_mb": 4096, "max_file_size_mb": 128}, None),
    ("logging", {"max_use_mb": 20480}, {"max_use_mb": 20480, "max_file_size_mb": 128}, None),
    ("logging", {"max_use_mb": 100}, None, "cloud.logging.max_use_mb"),
    ("logging", {"max_use": "4G"}, None, "cloud.logging.max_use"),
    # monitoring
    ("monitoring", None, {"webhook_url": "", "scrape_interval_s": 15, "retention_days": 15}, None),
    ("monitoring", {"webhook_url": "https://alerts.example.com/hook", "retention_days": 30},
     {"webhook_url": "https://alerts.example.com/hook", "scrape_interval_s": 15, "retention_days": 30}, None),
    ("monitoring", {"webhook_url": "alerts.example.com"}, None, "cloud.monitoring.webhook_url"),
    ("monitoring", {"scrape_interval_s": 1}, None, "cloud.monitoring.scrape_interval_s"),
    ("monitoring", {"receiver": "ops"}, None, "cloud.monitoring.receiver"),
])
def test_operations_settings_come_from_the_model_with_defaults(section, value, expected, error):
    data = _model("lab")
    data["cloud"].pop(section, None)
    if value is not None:
        data["cloud"][section] = value
    if error:
        with pytest.raises(CloudModelError, match=re.escape(error)):
            plan_model(data)
        return
    plan, _unused = plan_model(data)
    assert plan["cloud"][section] == expected
