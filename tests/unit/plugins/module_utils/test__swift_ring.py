# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.helion.openstack.plugins.module_utils import _swift_ring as sr
from ansible_collections.helion.openstack.plugins.module_utils._swift_ring import SwiftRingError, save_ring


def dev(zone, ip, device="sdb", weight=100.0, **kw):
    base = {"region": 1, "zone": zone, "ip": ip, "port": 6200, "device": device, "weight": weight}
    base.update(kw)
    return sr.normalize_device(base)


def have(dev_id, zone, ip, device="sdb", weight=100.0, **kw):
    out = dev(zone, ip, device, weight, **kw)
    out["id"] = dev_id
    return out


# ---------------------------------------------------------------- normalisation


@pytest.mark.parametrize("raw, expected", [
    ({"zone": 1, "ip": "10.0.0.1", "port": 6200, "device": "sdb", "weight": 10},
     {"region": 1, "zone": 1, "ip": "10.0.0.1", "port": 6200, "replication_ip": "10.0.0.1",
      "replication_port": 6200, "device": "sdb", "weight": 10.0, "meta": ""}),
    ({"region": "2", "zone": "3", "ip": "10.0.0.1", "port": "6200", "device": "d1", "weight": "1.5",
      "replication_ip": "10.1.0.1", "replication_port": 6300, "meta": "host1"},
     {"region": 2, "zone": 3, "ip": "10.0.0.1", "port": 6200, "replication_ip": "10.1.0.1",
      "replication_port": 6300, "device": "d1", "weight": 1.5, "meta": "host1"}),
])
def test_normalize_device(raw, expected):
    assert sr.normalize_device(raw, "object-0") == expected


@pytest.mark.parametrize("raw, fragment", [
    ({"ip": "10.0.0.1", "port": 6200, "device": "sdb", "weight": 1}, "missing zone"),
    ({"zone": 1, "port": 6200, "device": "sdb", "weight": 1}, "missing ip"),
    ({"zone": 1, "ip": "10.0.0.1", "port": 6200, "device": "/dev/sdb", "weight": 1}, "not a path"),
    ({"zone": 1, "ip": "10.0.0.1", "port": 6200, "device": "sdb", "weight": -1}, "weight must be >= 0"),
    ({"zone": 1, "ip": "10.0.0.1", "port": 6200, "device": "sdb", "weight": "x"}, "weight must be a number"),
    ({"zone": 1, "ip": "10.0.0.1", "port": "p", "device": "sdb", "weight": 1}, "port must be an integer"),
    ({"zone": 1, "region": 0, "ip": "10.0.0.1", "port": 6200, "device": "sdb", "weight": 1}, "region must be >= 1"),
    ("sdb", "must be a dict"),
])
def test_normalize_device_errors(raw, fragment):
    with pytest.raises(SwiftRingError) as err:
        sr.normalize_device(raw, "object-0")
    assert fragment in str(err.value)
    assert "object-0" in str(err.value)


@pytest.mark.parametrize("name, kind", [
    ("account", "account"), ("container", "container"), ("object", "object"), ("object-12", "object"),
])
def test_ring_kind(name, kind):
    assert sr.ring_kind(name) == kind


@pytest.mark.parametrize("name", ["objects", "object-x", "", None, "account-1"])
def test_ring_kind_rejects(name):
    with pytest.raises(SwiftRingError):
        sr.ring_kind(name)


# ---------------------------------------------------------------- weight stepping


@pytest.mark.parametrize("current, target, step, expected", [
    (0, 100, 25, 25),
    (25, 100, 25, 50),
    (90, 100, 25, 100),
    (100, 0, 25, 75),
    (10, 0, 25, 0),
    (0, 100, None, 100),
    (0, 100, 0, 100),
    (100, 100, 25, 100),
    (100, 40, 25, 75),
    (0, 4000, 1000, 1000),
])
def test_step_weight(current, target, step, expected):
    assert sr.step_weight(current, target, step) == pytest.approx(expected)


def test_stepping_converges_in_expected_number_of_runs():
    weight, runs = 0.0, 0
    while weight != 4000.0:
        weight = sr.step_weight(weight, 4000, 1000)
        runs += 1
        assert runs < 10
    assert runs == 4


# ---------------------------------------------------------------- device diff

CURRENT = [have(0, 1, "10.0.0.1"), have(1, 2, "10.0.0.2"), None, have(3, 3, "10.0.0.3")]


@pytest.mark.parametrize("desired, step, counts", [
    # unchanged
    ([dev(1, "10.0.0.1"), dev(2, "10.0.0.2"), dev(3, "10.0.0.3")], 25, (0, 0, 0, 0, 0, 0)),
    # one added: first step only
    ([dev(1, "10.0.0.1"), dev(2, "10.0.0.2"), dev(3, "10.0.0.3"), dev(4, "10.0.0.4")], 25, (1, 0, 0, 0, 0, 1)),
    # one added without step: full weight, nothing pending
    ([dev(1, "10.0.0.1"), dev(2, "10.0.0.2"), dev(3, "10.0.0.3"), dev(4, "10.0.0.4")], None, (1, 0, 0, 0, 0, 0)),
    # one reweighted by less than a step
    ([dev(1, "10.0.0.1", weight=110), dev(2, "10.0.0.2"), dev(3, "10.0.0.3")], 25, (0, 1, 0, 0, 0, 0)),
    # one reweighted by more than a step
    ([dev(1, "10.0.0.1", weight=200), dev(2, "10.0.0.2"), dev(3, "10.0.0.3")], 25, (0, 1, 0, 0, 0, 1)),
    # one gone: drained, not removed
    ([dev(1, "10.0.0.1"), dev(2, "10.0.0.2")], 25, (0, 0, 1, 0, 0, 1)),
    # replication IP changed: set_info only
    ([dev(1, "10.0.0.1", replication_ip="10.9.0.1"), dev(2, "10.0.0.2"), dev(3, "10.0.0.3")], 25,
     (0, 0, 0, 0, 1, 0)),
])
def test_plan_counts(desired, step, counts):
    plan = sr.plan_device_changes(CURRENT, desired, step, "object-0")
    got = tuple(len(plan[k]) for k in ("add", "reweight", "drain", "remove", "set_info", "pending"))
    assert got == counts


def test_plan_add_weight_is_one_step():
    plan = sr.plan_device_changes(CURRENT, [dev(1, "10.0.0.1"), dev(2, "10.0.0.2"), dev(3, "10.0.0.3"),
                                            dev(4, "10.0.0.4", weight=100)], 30, "object-0")
    assert plan["add"][0]["weight"] == 30.0
    assert plan["add"][0]["ip"] == "10.0.0.4"


def test_plan_drain_then_remove():
    desired = [dev(1, "10.0.0.1"), dev(2, "10.0.0.2")]
    plan = sr.plan_device_changes(CURRENT, desired, 60, "object-0")
    assert plan["drain"] == [{"id": 3, "device": sr.format_device(CURRENT[3]), "from": 100.0, "to": 40.0}]
    assert plan["remove"] == []
    drained = [CURRENT[0], CURRENT[1], dict(CURRENT[3], weight=0.0)]
    plan = sr.plan_device_changes(drained, desired, 60, "object-0")
    assert plan["drain"] == []
    assert [x["id"] for x in plan["remove"]] == [3]
    assert plan["pending"] == []


def test_plan_without_stepping_removes_at_once():
    plan = sr.plan_device_changes(CURRENT, [dev(1, "10.0.0.1")], 25, "object-0", stepping=False)
    assert sorted(x["id"] for x in plan["remove"]) == [1, 3]
    assert plan["drain"] == []


def test_plan_reweight_details():
    plan = sr.plan_device_changes(CURRENT, [dev(1, "10.0.0.1", weight=20), dev(2, "10.0.0.2"),
                                            dev(3, "10.0.0.3")], 25, "object-0")
    item = plan["reweight"][0]
    assert (item["id"], item["from"], item["to"], item["target"]) == (0, 100.0, 75.0, 20.0)


@pytest.mark.parametrize("changed", [{"zone": 5}, {"region": 2}])
def test_plan_refuses_zone_or_region_move(changed):
    moved = dict(dev(1, "10.0.0.1"), **changed)
    with pytest.raises(SwiftRingError) as err:
        sr.plan_device_changes(CURRENT, [moved, dev(2, "10.0.0.2"), dev(3, "10.0.0.3")], 25, "object-0")
    assert "object-0" in str(err.value) and "10.0.0.1:6200/sdb" in str(err.value)


def test_plan_refuses_duplicates():
    with pytest.raises(SwiftRingError) as err:
        sr.plan_device_changes([], [dev(1, "10.0.0.1"), dev(2, "10.0.0.1")], None, "account")
    assert "listed twice" in str(err.value)


def test_apply_plan_to_list():
    desired = [dev(1, "10.0.0.1", weight=50), dev(2, "10.0.0.2"), dev(4, "10.0.0.4")]
    current = [CURRENT[0], CURRENT[1], None, dict(CURRENT[3], weight=0.0)]
    plan = sr.plan_device_changes(current, desired, None, "object-0")
    after = sr.apply_plan_to_list(current, plan)
    assert [(d["id"], d["ip"], d["weight"]) for d in after] == [
        (0, "10.0.0.1", 50.0), (1, "10.0.0.2", 100.0), (4, "10.0.0.4", 100.0)]


# ---------------------------------------------------------------- safety checks


@pytest.mark.parametrize("existing, wanted, ok", [(None, 14, True), (14, 14, True), (14, 15, False), (18, 10, False)])
def test_check_part_power(existing, wanted, ok):
    if ok:
        sr.check_part_power("object-0", existing, wanted)
    else:
        with pytest.raises(SwiftRingError) as err:
            sr.check_part_power("object-0", existing, wanted)
        assert "never changes part power" in str(err.value)


R2P2D = [[0, 1, 2, 0], [1, 2, 0, 3], [2, 3, 3, 1]]  # 3 replicas x 4 partitions


@pytest.mark.parametrize("remove, degraded, refused", [
    ([], 0, False),
    ([0], 3, False),
    ([3], 3, False),
    ([0, 1], 4, False),
    ([2, 3], 4, False),
    ([1, 2, 3], None, True),  # partition 1 has its replicas on 1, 2 and 3
    ([0, 1, 2], None, True),
])
def test_check_removal_safety(remove, degraded, refused):
    if refused:
        with pytest.raises(SwiftRingError) as err:
            sr.check_removal_safety("object-0", R2P2D, remove)
        assert "would lose every copy" in str(err.value)
    else:
        assert sr.check_removal_safety("object-0", R2P2D, remove) == degraded


@pytest.mark.parametrize("weights, replicas, ok", [
    ([1, 1, 1], 3, True), ([1, 1, 0], 3, False), ([1, 1], 2, True), ([1, 1], 2.5, False), ([], 1, False),
])
def test_check_enough_devices(weights, replicas, ok):
    devices = [{"weight": w} for w in weights]
    if ok:
        sr.check_enough_devices("account", devices, replicas)
    else:
        with pytest.raises(SwiftRingError) as err:
            sr.check_enough_devices("account", devices, replicas)
        assert "account" in str(err.value) and "weight > 0" in str(err.value)


# ---------------------------------------------------------------- device list from the model

NETWORKS = [{"name": "MGMT", "purpose": "management"}, {"name": "SWIFT-NET", "purpose": "swift"},
            {"name": "REPL", "purpose": "storage"}]


def host(zone, mgmt, swift=None, region=1, disks=None, repl=None):
    addresses = {"MGMT": mgmt}
    if swift:
        addresses["SWIFT-NET"] = swift
    if repl:
        addresses["REPL"] = repl
    return {
        "helion_server": {"swift_zone": zone, "swift_region": region},
        "helion_addresses": addresses,
        "helion_disks": {"os_disk": "/dev/sda", "devices": disks if disks is not None else [
            {"name": "/dev/sdb", "consumer": "swift", "size_gb": 10, "rings": ["account", "container", "object-0"]},
            {"name": "/dev/sdc", "consumer": "swift", "size_gb": 20, "rings": ["object-0"]},
            {"name": "/dev/sdd", "consumer": "vsa", "size_gb": 20},
        ]},
    }


HOSTS = {"s2": host(2, "10.1.0.2", "10.3.0.2"), "s1": host(1, "10.1.0.1", "10.3.0.1")}


@pytest.mark.parametrize("ring, expected", [
    ("account", [("10.3.0.1", 6202, "sdb", 10.0, 1), ("10.3.0.2", 6202, "sdb", 10.0, 2)]),
    ("container", [("10.3.0.1", 6201, "sdb", 10.0, 1), ("10.3.0.2", 6201, "sdb", 10.0, 2)]),
    ("object-0", [("10.3.0.1", 6200, "sdb", 10.0, 1), ("10.3.0.1", 6200, "sdc", 20.0, 1),
                  ("10.3.0.2", 6200, "sdb", 10.0, 2), ("10.3.0.2", 6200, "sdc", 20.0, 2)]),
    ("object-1", []),
])
def test_model_ring_devices(ring, expected):
    devs = sr.model_ring_devices(ring, HOSTS, NETWORKS)
    assert [(d["ip"], d["port"], d["device"], d["weight"], d["zone"]) for d in devs] == expected
    assert all(d["meta"] in ("s1", "s2") for d in devs)


@pytest.mark.parametrize("ring", ["account", "container", "object-0"])
def test_a_decommissioned_server_lists_no_device(ring):
    leaving = host(2, "10.1.0.2", "10.3.0.2")
    leaving["helion_server"]["decommission"] = True
    devs = sr.model_ring_devices(ring, {"s1": HOSTS["s1"], "s2": leaving}, NETWORKS)
    assert devs and {d["meta"] for d in devs} == {"s1"}


def test_model_ring_devices_falls_back_to_management():
    hosts = {"s1": host(1, "10.1.0.1")}
    nets = [n for n in NETWORKS if n["purpose"] != "swift"]
    devs = sr.model_ring_devices("account", hosts, nets)
    assert devs[0]["ip"] == "10.1.0.1"


def test_model_ring_devices_replication_network_and_options():
    hosts = {"s1": host(1, "10.1.0.1", "10.3.0.1", region=2, repl="10.4.0.1")}
    devs = sr.model_ring_devices("object-0", hosts, NETWORKS, ports={"object": 6000}, weight_per_gb=0.5,
                                 replication_network_purpose="storage")
    assert [(d["region"], d["port"], d["replication_ip"], d["weight"]) for d in devs] == [
        (2, 6000, "10.4.0.1", 5.0), (2, 6000, "10.4.0.1", 10.0)]


def test_model_devices_without_rings_go_to_default_ring():
    disks = [{"name": "/dev/sdb", "consumer": "swift", "size_gb": 10}]
    hosts = {"s1": host(1, "10.1.0.1", "10.3.0.1", disks=disks)}
    rings = [{"name": "object-0"}, {"name": "object-1", "default": True}]
    assert sr.model_ring_devices("object-0", hosts, NETWORKS, rings) == []
    assert len(sr.model_ring_devices("object-1", hosts, NETWORKS, rings)) == 1


@pytest.mark.parametrize("hosts, fragment", [
    ({"s9": host(None, "10.1.0.9", "10.3.0.9")}, "s9: helion_server.swift_zone"),
    ({"s9": dict(host(1, "10.1.0.9"), helion_addresses={})}, "s9: no address on network SWIFT-NET"),
    ({"s9": host(1, "10.1.0.9", "10.3.0.9", disks=[
        {"name": "/dev/disk/by-path/pci-0000:00:1f.2-ata-1", "consumer": "swift", "size_gb": 1}])}, "XFS limit"),
    ({"s9": host(1, "10.1.0.9", "10.3.0.9", disks=[
        {"name": "/dev/sdb", "consumer": "swift", "size_gb": 1},
        {"name": "/dev/sdb", "consumer": "swift", "size_gb": 1}])}, "share the label"),
    ({"s9": host(1, "10.1.0.9", "10.3.0.9", disks=[{"name": "/dev/sdb", "consumer": "swift"}])}, "size_gb"),
])
def test_model_ring_devices_errors(hosts, fragment):
    with pytest.raises(SwiftRingError) as err:
        sr.model_ring_devices("object-0", hosts, NETWORKS)
    assert fragment in str(err.value)


@pytest.mark.parametrize("name, label, expected", [
    ("/dev/sdb", None, "sdb"), ("/dev/nvme0n1", None, "nvme0n1"), ("/dev/sdb", "obj1", "obj1"),
])
def test_drive_label(name, label, expected):
    assert sr.drive_label(name, label) == expected


def test_model_rings():
    swift = {"weight_step": 10, "rings": [
        {"name": "account", "part_power": 10, "replicas": 2, "min_part_hours": 1},
        {"name": "object-0", "part_power": 12, "replicas": 3, "weight_step": 5, "default": True}]}
    rings = sr.model_rings(HOSTS, NETWORKS, swift)
    assert [(r["name"], r["part_power"], r["replicas"], r["min_part_hours"], r["weight_step"], len(r["devices"]))
            for r in rings] == [("account", 10, 2.0, 1, 10.0, 2), ("object-0", 12, 3.0, 1, 5.0, 4)]


@pytest.mark.parametrize("swift, fragment", [
    ({}, "declares no Swift ring"),
    ({"rings": [{"name": "object-0", "replicas": 3}]}, "part_power is missing"),
    ({"rings": [{"name": "bogus", "part_power": 10, "replicas": 3}]}, "the name must be"),
])
def test_model_rings_errors(swift, fragment):
    with pytest.raises(SwiftRingError) as err:
        sr.model_rings(HOSTS, NETWORKS, swift)
    assert fragment in str(err.value)


def test_find_network_missing():
    with pytest.raises(SwiftRingError):
        sr.find_network([{"name": "x", "purpose": "external"}], "swift")


def test_format_and_describe():
    d = dict(have(0, 1, "10.0.0.1", meta="h1"), replication_port=6300)
    assert sr.format_device(d) == 'r1 z1 10.0.0.1:6200 R10.0.0.1:6300 /sdb "h1" weight 100.00'
    text = sr.describe({"part_power": 10, "replicas": 3, "min_part_hours": 1}, [d])
    assert text.splitlines() == ["part_power: 10", "replicas: 3", "min_part_hours: 1", "d0 " + sr.format_device(d)]


# ---------------------------------------------------------------- the swift_devices filter


class LazyVars(object):
    """Stands in for Ansible's HostVarsVars: a mapping with keys() and item access only."""

    def __init__(self, data):
        self._data = data

    def keys(self):
        return self._data.keys()

    def __getitem__(self, key):
        value = self._data[key]
        return LazyVars(value) if isinstance(value, dict) else value

    def get(self, key, default=None):
        return self[key] if key in self._data else default


def test_swift_devices_filter_matches_module_utils():
    from ansible_collections.helion.openstack.plugins.filter.swift_devices import FilterModule

    func = FilterModule().filters()["swift_devices"]
    hostvars = dict((h, LazyVars(v)) for h, v in HOSTS.items())
    swift = {"weight_step": 10, "rings": [{"name": "object-0", "part_power": 10, "replicas": 2}]}
    rings = func(hostvars, ["s1", "s2", "s1"], NETWORKS, swift)
    assert rings == sr.model_rings(HOSTS, NETWORKS, swift)
    assert [d["device"] for d in rings[0]["devices"]] == ["sdb", "sdc", "sdb", "sdc"]


@pytest.mark.parametrize("hosts, swift, fragment", [
    (["nope"], {"rings": [{"name": "object-0", "part_power": 10, "replicas": 2}]}, "host nope is not in the inventory"),
    (["s1"], {"rings": []}, "declares no Swift ring"),
])
def test_swift_devices_filter_errors(hosts, swift, fragment):
    from ansible.errors import AnsibleFilterError
    from ansible_collections.helion.openstack.plugins.filter.swift_devices import swift_devices

    with pytest.raises(AnsibleFilterError) as err:
        swift_devices(dict((h, LazyVars(v)) for h, v in HOSTS.items()), hosts, NETWORKS, swift)
    assert fragment in str(err.value)


# ---------------------------------------------------------------- ensure_ring: reproducible placement


def _placement(builder_file):
    from swift.common.ring import RingBuilder

    builder = RingBuilder.load(str(builder_file))
    return [list(row) for row in builder._replica2part2dev], [(d["id"], sr.device_key(d)) for d in builder.devs]


def test_ensure_ring_seed_matches_the_cli_convention(tmp_path):
    """seed 7 gives what ``swift-ring-builder ... rebalance 7`` gives: Swift seeded with the text "7"."""
    ring_mod = pytest.importorskip("swift.common.ring")
    devs = [{"zone": z, "ip": "10.0.0.%d" % z, "port": 6200, "device": "d%d" % d, "weight": 100.0}
            for z in (3, 1, 4, 2) for d in (1, 0)]
    ours = sr.ensure_ring("object-0", str(tmp_path / "a"), devs, 8, 3, 1, seed=7)
    assert ours.resource["rebalanced"] and ours.resource["parts_moved"] == 3 * 256

    # The same ring built by hand like the CLI does: devices in (ip, port, device) order, seed as text.
    ref = ring_mod.RingBuilder(8, 3, 1)
    for d in sorted((sr.normalize_device(d) for d in devs), key=sr.device_key):
        ref.add_dev(d)
    ref.rebalance(seed="7")
    ref.save(str(tmp_path / "ref.builder"))
    placement = _placement(tmp_path / "a" / "object-0.builder")
    assert placement == _placement(tmp_path / "ref.builder")
    # ids follow the sorted device keys, whatever the order of the input list
    assert [key for _unused, key in placement[1]] == sorted(sr.device_key(d) for d in ours.resource["devices"])

    # An int and its text are the same seed; another seed places partitions differently.
    sr.ensure_ring("object-0", str(tmp_path / "b"), list(reversed(devs)), 8, 3, 1, seed="7")
    assert _placement(tmp_path / "b" / "object-0.builder") == placement
    sr.ensure_ring("object-0", str(tmp_path / "c"), devs, 8, 3, 1, seed=8)
    assert _placement(tmp_path / "c" / "object-0.builder")[0] != placement[0]


# ---------------------------------------------------------------- ensure_ring: the result


def test_plan_actions_one_line_per_change():
    dev = {"region": 1, "zone": 1, "ip": "10.0.0.1", "port": 6200, "device": "d0", "weight": 100.0}
    plan = {"add": [dict(dev, weight=50.0)], "reweight": [{"id": 1, "device": "X", "from": 100.0, "to": 150.0}],
            "drain": [{"id": 2, "device": "Y", "from": 10.0, "to": 0.0}],
            "set_info": [{"id": 3, "device": "Z", "changes": {"meta": {"from": "", "to": "m"}}}],
            "remove": [{"id": 4, "device": "W"}], "pending": []}
    assert sr.plan_actions(plan) == [
        "add r1 z1 10.0.0.1:6200 R10.0.0.1:6200 /d0 weight 50.00", "reweight d1 100.00 -> 150.00 (X)",
        "drain d2 10.00 -> 0.00 (Y)", 'set meta "" -> m of d3 (Z)', "remove d4 (W)"]


def test_ensure_ring_returns_an_ensure_result(tmp_path):
    pytest.importorskip("swift.common.ring")
    from ansible_collections.helion.openstack.plugins.module_utils._result import EnsureResult

    devs = [{"zone": z, "ip": "10.0.0.%d" % z, "port": 6200, "device": "d0", "weight": 100.0} for z in (1, 2, 3)]
    bdir = str(tmp_path / "rings")
    created = sr.ensure_ring("object-0", bdir, devs, 6, 3, 1, seed=1)
    assert isinstance(created, EnsureResult) and created.changed
    assert created.actions[0] == "create %s/object-0.builder" % bdir
    assert created.actions[-2:] == ["rebalance", "write %s/object-0.ring.gz" % bdir]
    assert sum(a.startswith("add ") for a in created.actions) == 3
    assert created.resource["created"] and "changed" not in created.resource and "diff" not in created.resource
    assert created.diff["before"] == "" and "10.0.0.1:6200" in created.diff["after"]
    assert created.diff["before_header"] == created.diff["after_header"] == bdir + "/object-0.builder"

    again = sr.ensure_ring("object-0", bdir, devs, 6, 3, 1, seed=1)
    assert not again.changed and again.actions == [] and again.differences == []
    assert again.diff["before"] == again.diff["after"]

    heavier = [dict(d, weight=150.0) if d["zone"] == 1 else d for d in devs]
    check = sr.ensure_ring("object-0", bdir, heavier, 6, 3, 4, check_mode=True, pretend_min_part_hours_passed=True)
    assert check.changed and check.actions[0].startswith("reweight d0 100.00 -> 150.00")
    assert check.differences == [{"name": "min_part_hours", "before": 1, "after": 4}]
    out = check.module_result(diff_mode=True)
    assert out["changed"] and out["actions"] == check.actions and out["min_part_hours"] == 4
    assert "weight 150.00" in out["diff"]["after"] and "weight 100.00" in out["diff"]["before"]
    assert sr.ensure_ring("object-0", bdir, devs, 6, 3, 1).changed is False, "check mode wrote nothing"


class _RingBefore236(object):
    """The RingData.save of Swift 2.35 (Debian 13): no format_version."""

    def __init__(self):
        self.calls = []

    def save(self, filename, mtime=1300507380.0):
        self.calls.append((filename, mtime))


class _RingFrom236(object):
    def __init__(self):
        self.calls = []

    def save(self, filename, mtime=1300507380.0, format_version=None):
        self.calls.append((filename, format_version))


@pytest.mark.parametrize("ring_class, format_version, expected", [
    (_RingBefore236, 1, [("r.ring.gz", 1300507380.0)]),
    (_RingFrom236, 1, [("r.ring.gz", 1)]),
    (_RingFrom236, 2, [("r.ring.gz", 2)]),
])
def test_save_ring_with_and_without_format_version(ring_class, format_version, expected):
    ring = ring_class()
    save_ring(ring, "r.ring.gz", format_version)
    assert ring.calls == expected


def test_save_ring_format_2_on_old_swift_is_a_clear_error():
    with pytest.raises(SwiftRingError, match="Swift 2.36"):
        save_ring(_RingBefore236(), "r.ring.gz", 2)
