"""Planning behaviour of the cloud model core, on the reference models and on variations."""

import copy
import json
import os

import pytest
import yaml

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.errors import CloudModelError, Findings
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.loader import load_model_dir
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.planner import load_and_plan, plan_model
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.sections import SCHEMA

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
REFERENCE = ["kvm-reference", "esx-reference", "lab"]


def _model(name):
    path = os.path.join(ROOT, "inventories", name)
    data, _positions, findings = load_model_dir(path)
    assert not findings.items
    return data


@pytest.mark.parametrize("name", REFERENCE)
def test_reference_models_validate_cleanly(name):
    plan, warnings = load_and_plan(os.path.join(ROOT, "inventories", name))
    assert warnings == []
    assert len(plan["groups"]["controllers"]) == 3


@pytest.mark.parametrize("name", REFERENCE)
def test_reference_models_satisfy_the_shipped_json_schema(name):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert list(validator.iter_errors(_model(name))) == []


def test_shipped_schema_file_matches_the_code():
    with open(os.path.join(ROOT, "docs", "cloud-model.schema.json")) as handle:
        assert json.load(handle) == json.loads(json.dumps(SCHEMA)), \
            "docs/cloud-model.schema.json differs from the code: write it out again (docs/cloud-model.md, The code)"


def test_kvm_reference_plan():
    plan, _unused = load_and_plan(os.path.join(ROOT, "inventories", "kvm-reference"))
    groups = plan["groups"]
    assert groups["compute_kvm"] == ["cpu1", "cpu2"]
    assert groups["vsa"] == ["vsa1", "vsa2"]
    assert groups["swift_object"] == ["swobj1", "swobj2", "swobj3"]
    assert groups["keystone"] == ["ctl1", "ctl2", "ctl3"]
    assert groups["seed"] == ["uc1"] and groups["undercloud"] == ["uc1"]
    assert plan["features"] == {"dvr": True, "dnsaas": True}
    assert plan["vips"]["internal_api"] == {"network": "management", "address": "10.100.3.201",
                                            "fqdn": "api-int.cloud.example.com"}
    assert plan["vips"]["public_api"]["address"] == "203.0.113.5"
    assert plan["vips"]["storevirtual:vsa-cluster1"]["address"] == "10.120.3.240"
    ctl1 = plan["hosts"]["ctl1"]
    assert ctl1["ansible_host"] == ctl1["helion_addresses"]["management"]
    devices = dict((d["name"], d) for d in ctl1["helion_network_interfaces"])
    assert devices["bond0"]["members"] == ["eth1", "eth2"] and devices["bond0"]["mtu"] == 9000
    assert devices["bond0.100"] == {"name": "bond0.100", "type": "vlan", "parent": "bond0", "vlan_id": 100,
                                    "mtu": 9000, "addresses": [ctl1["helion_addresses"]["management"] + "/22"],
                                    "networks": ["management"], "gateway": "10.100.0.1"}
    # The external network rides its VLAN into the OVS bridge, which holds the address.
    assert devices["bond0.200"]["bridge"] == "br-ex" and devices["bond0.200"]["addresses"] == []
    assert devices["br-ex"]["ports"] == ["bond0.200"] and devices["br-ex"]["mtu"] == 1500
    assert devices["br-ex"]["addresses"] == [ctl1["helion_addresses"]["external"] + "/24"]
    swobj = plan["hosts"]["swobj2"]
    assert swobj["helion_server"]["swift_zone"] == 2
    assert [d["name"] for d in swobj["helion_disks"]["devices"]] == ["/dev/sdb", "/dev/sdc", "/dev/sdd"]


def test_esx_reference_plan():
    plan, _unused = load_and_plan(os.path.join(ROOT, "inventories", "esx-reference"))
    assert plan["features"]["dvr"] is False
    assert plan["groups"]["compute_esx"] == ["esx-proxy1", "esx-proxy2"]
    assert plan["groups"]["ovsvapp"] == ["ovsvapp1", "ovsvapp2"]
    ovs = plan["hosts"]["ovsvapp1"]
    # The ESX tenant network has no addresses: the port carries it, the host has no IP on it.
    assert "esx-tenant" not in ovs["helion_addresses"]
    eth1 = [d for d in ovs["helion_network_interfaces"] if d["name"] == "eth1.310"][0]
    assert eth1["networks"] == ["esx-tenant"] and eth1["addresses"] == []
    assert "helion_ipmi" not in ovs


def test_hosts_entries_cover_servers_and_endpoints():
    plan, _unused = load_and_plan(os.path.join(ROOT, "inventories", "lab"))
    names = dict((n, e["address"]) for e in plan["hosts_entries"] for n in e["names"])
    assert names["lab-ctl1"] == plan["hosts"]["lab-ctl1"]["helion_addresses"]["management"]
    assert names["lab-ctl1.lab.helion.test"] == names["lab-ctl1"]
    assert names["api-int.lab.helion.test"] == plan["vips"]["internal_api"]["address"]
    assert names["api.lab.helion.test"] == plan["vips"]["public_api"]["address"]
    assert names["lab-swift1-swift"] == plan["hosts"]["lab-swift1"]["helion_addresses"]["swift"]


def test_plan_is_deterministic():
    data = _model("kvm-reference")
    first, _unused = plan_model(copy.deepcopy(data))
    second, _unused = plan_model(copy.deepcopy(data))
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def _addresses(plan):
    return dict((name, hv["helion_addresses"]) for name, hv in plan["hosts"].items())


def test_persisted_allocations_keep_addresses_when_servers_come_and_go():
    data = _model("kvm-reference")
    plan, _unused = plan_model(copy.deepcopy(data))
    before = _addresses(plan)
    grown = copy.deepcopy(data)
    # A new compute server listed first would take cpu1's address without the allocation file.
    new = dict(grown["servers"][4], name="cpu0", pxe_mac="52:54:00:00:03:00")
    new["ipmi"] = dict(new["ipmi"], address="10.10.0.30")
    grown["servers"].insert(0, new)
    del grown["servers"][5]  # cpu1 leaves
    unpersisted = _addresses(plan_model(copy.deepcopy(grown))[0])
    # Without the allocation file, existing servers would be renumbered ...
    assert [n for n in before if n != "cpu1" and unpersisted[n] != before[n]]
    after, _unused = plan_model(grown, allocations=plan["allocations"])
    after = _addresses(after)
    for name, nets in before.items():
        if name != "cpu1":
            assert after[name] == nets, name
    # The newcomer takes a free address, not one an existing server holds.
    taken = set(a for name, nets in before.items() for a in nets.values())
    assert not set(after["cpu0"].values()) & (taken - set(before["cpu1"].values()))


def test_pinned_address_wins():
    data = _model("lab")
    data["servers"][1]["addresses"] = {"management": "172.30.1.77"}
    plan, _unused = plan_model(data)
    assert plan["hosts"]["lab-ctl1"]["helion_addresses"]["management"] == "172.30.1.77"
    assert plan["hosts"]["lab-ctl1"]["ansible_host"] == "172.30.1.77"


def test_vip_and_floating_ranges_are_never_given_to_hosts():
    data = _model("lab")
    net = [n for n in data["networks"] if n["name"] == "external"][0]
    del net["host_range"]
    plan, _unused = plan_model(data)
    for hv in plan["hosts"].values():
        address = hv["helion_addresses"].get("external")
        if address:
            last = int(address.rsplit(".", 1)[1])
            assert not 5 <= last <= 9 and not 100 <= last <= 200 and last != 1


def test_error_report_is_one_exception_with_every_finding():
    data = _model("lab")
    data["servers"][0]["role"] = "NOPE"
    data["networks"][1]["gateway"] = "10.0.0.1"
    with pytest.raises(CloudModelError) as info:
        plan_model(data, findings=Findings(default_file="lab"))
    assert len(info.value.errors) == 2
    assert "unknown server role 'NOPE'" in info.value.report()
    assert "gateway 10.0.0.1 is outside 172.30.1.0/24" in info.value.report()


def test_allocations_file_round_trips(tmp_path):
    from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.render import render_allocations

    plan, _unused = load_and_plan(os.path.join(ROOT, "inventories", "lab"))
    loaded = yaml.safe_load(render_allocations(plan))["allocations"]
    assert loaded == dict((k, v) for k, v in plan["allocations"].items() if v)
