# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the pure parts of _vcenter: inventory building from raw property sets, VLAN specs, checks."""

from types import SimpleNamespace as NS

import pytest

from ansible_collections.helion.openstack.plugins.module_utils import _vcenter as vc

GB = 1024 * 1024 * 1024


def host(name, parent, state="connected", maint=False, datastores=(), pgs=(), stats=True, hardware=True):
    return {
        "name": name,
        "parent": parent,
        "runtime.connectionState": state,
        "runtime.inMaintenanceMode": maint,
        "runtime.powerState": "poweredOn",
        "summary.hardware": NS(numCpuCores=4, cpuMhz=2000, memorySize=16 * GB, cpuModel="Xeon") if hardware else None,
        "summary.quickStats": NS(overallCpuUsage=500, overallMemoryUsage=4096) if stats else None,
        "summary.config.product": NS(version="7.0.3", build="21930508"),
        "config.network.portgroup": [NS(spec=NS(name=n, vlanId=v, vswitchName="vSwitch0")) for n, v in pgs],
        "datastore": list(datastores),
    }


def model_objects():
    """Two datacenters: DC1 (Cluster1: h1 h2, Cluster2: h3 in maintenance, standalone h4), DC2 (Cluster1: h5)."""
    objs = {
        "Folder:root": {"name": "Datacenters", "parent": None},
        "Datacenter:dc1": {"name": "DC1", "parent": "Folder:root"},
        "Folder:dc1-host": {"name": "host", "parent": "Datacenter:dc1"},
        "Folder:dc1-ds": {"name": "datastore", "parent": "Datacenter:dc1"},
        "Folder:dc1-net": {"name": "network", "parent": "Datacenter:dc1"},
        "Datacenter:dc2": {"name": "DC2", "parent": "Folder:root"},
        "Folder:dc2-host": {"name": "host", "parent": "Datacenter:dc2"},
        "ClusterComputeResource:c1": {
            "name": "Cluster1", "parent": "Folder:dc1-host", "host": ["HostSystem:h1", "HostSystem:h2"],
            "summary": NS(totalCpu=16000, totalMemory=32 * GB),
            "configurationEx": NS(drsConfig=NS(enabled=True, defaultVmBehavior="fullyAutomated"),
                                  dasConfig=NS(enabled=True)),
        },
        "ClusterComputeResource:c2": {
            "name": "Cluster2", "parent": "Folder:dc1-host", "host": ["HostSystem:h3"],
            "summary": None, "configurationEx": NS(drsConfig=NS(enabled=False), dasConfig=None),
        },
        "ComputeResource:cr4": {"name": "h4", "parent": "Folder:dc1-host", "host": ["HostSystem:h4"], "summary": None},
        "ClusterComputeResource:c5": {
            "name": "Cluster1", "parent": "Folder:dc2-host", "host": ["HostSystem:h5"],
            "summary": NS(totalCpu=8000, totalMemory=16 * GB), "configurationEx": None,
        },
        "HostSystem:h1": host("h1", "ClusterComputeResource:c1", datastores=["Datastore:shared", "Datastore:l1"],
                              pgs=[("ESX-CONF", 300), ("VM Network", 0)]),
        "HostSystem:h2": host("h2", "ClusterComputeResource:c1", datastores=["Datastore:shared"],
                              pgs=[("ESX-CONF", 300)]),
        "HostSystem:h3": host("h3", "ClusterComputeResource:c2", maint=True, datastores=["Datastore:other"],
                              stats=False, hardware=False),
        "HostSystem:h4": host("h4", "ComputeResource:cr4", state="disconnected"),
        "HostSystem:h5": host("h5", "ClusterComputeResource:c5", datastores=["Datastore:dc2ds"]),
        # vcsim keeps only the last mount on the datastore side: sharing must also come from host.datastore.
        "Datastore:shared": {"name": "shared-ds1", "parent": "Folder:dc1-ds",
                             "summary": NS(capacity=100 * GB, freeSpace=40 * GB, type="VMFS", accessible=True),
                             "host": [NS(key="HostSystem:h2")]},
        "Datastore:l1": {"name": "local-h1", "parent": "Folder:dc1-ds", "summary": None, "host": None},
        "Datastore:other": {"name": "shared-other", "parent": "Folder:dc1-ds", "summary": NS(capacity=None),
                            "host": []},
        "Datastore:dc2ds": {"name": "dc2-ds", "parent": "Datacenter:dc2", "summary": None, "host": []},
        "DistributedVirtualSwitch:dvs1": {"name": "DVS1", "parent": "Folder:dc1-net", "uuid": "same-uuid",
                                          "summary.hostMember": ["HostSystem:h1", "HostSystem:h2", "HostSystem:h3"]},
        "VmwareDistributedVirtualSwitch:dvs2": {"name": "DVS2", "parent": "Datacenter:dc2", "uuid": "same-uuid",
                                                "summary.hostMember": None},
        "DistributedVirtualPortgroup:pg1": {
            "name": "ESX-TENANT", "parent": "Folder:dc1-net", "key": "dvportgroup-1",
            "config.distributedVirtualSwitch": "DistributedVirtualSwitch:dvs1",
            "config.defaultPortConfig": NS(vlan=NS(vlanId=[NS(start=310, end=320)])),
        },
        "DistributedVirtualPortgroup:pg2": {
            "name": "DVPG-300", "parent": "Folder:dc1-net", "key": "dvportgroup-2",
            "config.distributedVirtualSwitch": "DistributedVirtualSwitch:dvs1",
            "config.defaultPortConfig": NS(vlan=NS(vlanId=300)),
        },
        "DistributedVirtualPortgroup:pg3": {
            "name": "ESX-TENANT", "parent": "Datacenter:dc2", "key": "dvportgroup-3",
            "config.distributedVirtualSwitch": "VmwareDistributedVirtualSwitch:dvs2",
            "config.defaultPortConfig": None,
        },
        "Network:vmnet": {"name": "VM Network", "parent": "Folder:dc1-net", "host": ["HostSystem:h1"]},
    }
    return objs


@pytest.mark.parametrize("obj, path, default, expected", [
    (NS(a=NS(b=NS(c=3))), "a.b.c", None, 3),
    (NS(a=None), "a.b.c", "x", "x"),
    ({"a": {"b": 2}}, "a.b", None, 2),
    (None, "a", 0, 0),
    (NS(a=NS(b=0)), "a.b", 5, 0),
])
def test_get_tolerates_missing(obj, path, default, expected):
    assert vc._get(obj, path, default) == expected


@pytest.mark.parametrize("ref, expected", [
    ("HostSystem:h1", "HostSystem:h1"),
    (None, None),
    (NS(_wsdlName="Datastore", _moId="datastore-5"), "Datastore:datastore-5"),
])
def test_ref_key(ref, expected):
    assert vc.ref_key(ref) == expected


@pytest.mark.parametrize("config, expected", [
    (None, {"type": None, "vlan_id": None, "ranges": []}),
    (NS(vlan=None), {"type": None, "vlan_id": None, "ranges": []}),
    (NS(vlan=NS(vlanId=300)), {"type": "vlan", "vlan_id": 300, "ranges": []}),
    (NS(vlan=NS(vlanId=0)), {"type": "vlan", "vlan_id": 0, "ranges": []}),
    (NS(vlan=NS(vlanId=[NS(start=10, end=20), NS(start=30, end=30)])),
     {"type": "trunk", "vlan_id": None, "ranges": [[10, 20], [30, 30]]}),
    (NS(vlan=NS(vlanId=[NS(start=None, end=5)])), {"type": "trunk", "vlan_id": None, "ranges": []}),
    (NS(vlan=NS(pvlanId=101)), {"type": "pvlan", "vlan_id": 101, "ranges": []}),
])
def test_vlan_of(config, expected):
    assert vc.vlan_of(config) == expected


@pytest.mark.parametrize("vlan, wanted, expected", [
    ({"type": "vlan", "vlan_id": 300}, 300, True),
    ({"type": "vlan", "vlan_id": 301}, 300, False),
    ({"type": "trunk", "ranges": [[100, 200], [300, 310]]}, 305, True),
    ({"type": "trunk", "ranges": [[100, 200]]}, 305, False),
    ({"type": None}, 300, False),
    ({"type": None}, None, True),
])
def test_vlan_matches(vlan, wanted, expected):
    assert vc.vlan_matches(vlan, wanted) is expected


def test_build_inventory_counts_and_names():
    inv = vc.build_inventory(model_objects())
    assert [d["name"] for d in inv["datacenters"]] == ["DC1", "DC2"]
    assert inv["datacenters"][0] == {"name": "DC1", "clusters": ["Cluster1", "Cluster2"], "hosts": 4, "datastores": 3}
    assert [(c["datacenter"], c["name"]) for c in inv["clusters"]] == [
        ("DC1", "Cluster1"), ("DC1", "Cluster2"), ("DC2", "Cluster1")]
    assert [h["name"] for h in inv["hosts"]] == ["h1", "h2", "h3", "h4", "h5"]


def test_build_inventory_cluster_settings_and_capacity():
    clusters = {(c["datacenter"], c["name"]): c for c in vc.build_inventory(model_objects())["clusters"]}
    c1 = clusters[("DC1", "Cluster1")]
    assert (c1["drs_enabled"], c1["drs_behavior"], c1["ha_enabled"]) == (True, "fullyAutomated", True)
    assert (c1["cpu_total_mhz"], c1["cpu_used_mhz"], c1["cpu_free_mhz"]) == (16000, 1000, 15000)
    assert (c1["memory_total_mb"], c1["memory_used_mb"], c1["memory_free_mb"]) == (32768, 8192, 24576)
    assert c1["active_hosts"] == ["h1", "h2"]
    c2 = clusters[("DC1", "Cluster2")]
    # Empty summary, dasConfig None, host without quickStats: no exception, None/0 values.
    assert (c2["drs_enabled"], c2["ha_enabled"], c2["cpu_total_mhz"], c2["cpu_free_mhz"]) == (False, False, None, None)
    assert c2["active_hosts"] == [] and c2["hosts"] == ["h3"]
    assert clusters[("DC2", "Cluster1")]["drs_enabled"] is False  # configurationEx None


def test_build_inventory_hosts():
    hosts = {h["name"]: h for h in vc.build_inventory(model_objects())["hosts"]}
    h1 = hosts["h1"]
    assert (h1["cluster"], h1["datacenter"], h1["esxi_version"], h1["cpu_total_mhz"], h1["memory_total_mb"]) == (
        "Cluster1", "DC1", "7.0.3", 8000, 16384)
    assert h1["standard_port_groups"] == [{"name": "ESX-CONF", "vlan_id": 300, "vswitch": "vSwitch0"},
                                          {"name": "VM Network", "vlan_id": 0, "vswitch": "vSwitch0"}]
    assert hosts["h3"]["maintenance_mode"] is True and hosts["h3"]["cpu_total_mhz"] is None
    assert hosts["h4"]["cluster"] is None and hosts["h4"]["connection_state"] == "disconnected"


def test_build_inventory_datastore_sharing_uses_both_sides():
    ds = {d["name"]: d for d in vc.build_inventory(model_objects())["datastores"]}
    assert ds["shared-ds1"]["hosts"] == ["h1", "h2"]
    assert ds["shared-ds1"]["shared_by_clusters"] == ["Cluster1"]
    assert (ds["shared-ds1"]["capacity_mb"], ds["shared-ds1"]["free_mb"]) == (102400, 40960)
    assert ds["local-h1"]["shared_by_clusters"] == [] and ds["local-h1"]["capacity_mb"] is None
    assert ds["shared-other"]["shared_by_clusters"] == ["Cluster2"]
    assert ds["dc2-ds"]["datacenter"] == "DC2"


def test_build_inventory_networks():
    nets = vc.build_inventory(model_objects())["networks"]
    std = {(p["datacenter"], p["name"]): p for p in nets["port_groups"]}
    assert std[("DC1", "ESX-CONF")] == {"name": "ESX-CONF", "datacenter": "DC1", "vlan_ids": [300],
                                        "hosts": ["h1", "h2"], "vswitches": ["vSwitch0"]}
    switches = {(s["datacenter"], s["name"]): s for s in nets["distributed_switches"]}
    # Same UUID in both datacenters (a vcsim quirk): both switches are still reported.
    assert sorted(switches) == [("DC1", "DVS1"), ("DC2", "DVS2")]
    pgs = {p["name"]: p for p in switches[("DC1", "DVS1")]["port_groups"]}
    assert pgs["ESX-TENANT"]["vlan_type"] == "trunk" and pgs["ESX-TENANT"]["vlan_ranges"] == [[310, 320]]
    assert pgs["DVPG-300"]["vlan_id"] == 300
    assert switches[("DC2", "DVS2")]["port_groups"][0]["vlan_type"] is None
    assert switches[("DC2", "DVS2")]["hosts"] == []


def test_filter_by_datacenter_and_cluster():
    inv = vc.build_inventory(model_objects(), datacenter="DC1", cluster="Cluster1")
    assert [c["name"] for c in inv["clusters"]] == ["Cluster1"]
    assert [h["name"] for h in inv["hosts"]] == ["h1", "h2"]
    assert sorted(d["name"] for d in inv["datastores"]) == ["local-h1", "shared-ds1"]
    assert [d["name"] for d in inv["datacenters"]] == ["DC1"]
    inv2 = vc.build_inventory(model_objects(), datacenter="DC2")
    assert [h["name"] for h in inv2["hosts"]] == ["h5"]


@pytest.mark.parametrize("datacenter, cluster, message", [
    ("DC9", None, "datacenter 'DC9' not found (the vCenter has: DC1, DC2)"),
    (None, "Cluster9", "cluster 'Cluster9' not found in any datacenter"),
    ("DC2", "Cluster2", "cluster 'Cluster2' not found in datacenter 'DC2'"),
    (None, "Cluster1", "cluster name 'Cluster1' is ambiguous (in datacenters DC1, DC2): set datacenter"),
])
def test_filter_errors_name_the_target(datacenter, cluster, message):
    with pytest.raises(vc.VcenterError) as err:
        vc.build_inventory(model_objects(), datacenter=datacenter, cluster=cluster)
    assert str(err.value) == message


def checks_of(result):
    return {c["name"]: (c["passed"], c["reason"]) for c in result["checks"]}


def test_check_cluster_passes():
    inv = vc.build_inventory(model_objects(), datacenter="DC1", cluster="Cluster1")
    res = vc.check_cluster(inv, "Cluster1", "^shared-", {"esx": "ESX-CONF", "esx_tenant": "ESX-TENANT"},
                           {"esx": 300, "esx_tenant": 315})
    assert res["passed"] is True, res
    assert res["datastores"] == ["shared-ds1"]
    assert res["switches"] == {"esx": None, "esx_tenant": "DVS1"}
    assert res["hosts"] == ["h1", "h2"] and res["active_hosts"] == ["h1", "h2"]
    assert {c["cluster"] for c in res["checks"]} == {"Cluster1"}
    assert [c["name"] for c in res["checks"]] == list(vc.CHECK_NAMES)
    assert checks_of(res)["esx_network"][1] == "standard port group ESX-CONF carries VLAN 300 on all 2 hosts"
    assert checks_of(res)["esx_tenant_network"][1] == (
        "distributed port group ESX-TENANT on switch DVS1 carries VLAN trunk 310-320")


@pytest.mark.parametrize("regex, port_groups, vlans, check, reason", [
    ("^nomatch", {"esx": "ESX-CONF"}, {}, "shared_datastore",
     "no datastore shared by all hosts of cluster Cluster1 matches ^nomatch (shared: shared-ds1)"),
    (None, {"esx": "MISSING"}, {}, "esx_network",
     "port group MISSING (esx network) not found in datacenter DC1 for cluster Cluster1"),
    (None, {"esx": "ESX-CONF"}, {"esx": 301}, "esx_network",
     "standard port group ESX-CONF (esx network) carries VLAN 300, the model wants 301"),
    (None, {"esx_tenant": "DVPG-300"}, {"esx_tenant": 310}, "esx_tenant_network",
     "distributed port group DVPG-300 (esx_tenant network) carries VLAN 300, the model wants 310"),
    (None, {"esx_tenant": "VM Network"}, {}, "esx_tenant_network",
     "standard port group VM Network (esx_tenant network) is missing on hosts h2 of cluster Cluster1"),
    (None, {}, {}, "esx_network", "no port group is set for the esx network of cluster Cluster1"),
])
def test_check_cluster_failures(regex, port_groups, vlans, check, reason):
    inv = vc.build_inventory(model_objects(), datacenter="DC1")
    res = vc.check_cluster(inv, "Cluster1", regex, port_groups, vlans)
    assert res["passed"] is False
    assert checks_of(res)[check] == (False, reason)


def test_check_cluster_drs_off_and_no_active_host():
    inv = vc.build_inventory(model_objects(), datacenter="DC1")
    res = checks_of(vc.check_cluster(inv, "Cluster2", "^shared-", {}, {}))
    assert res["drs_enabled"] == (False, "DRS is disabled on cluster Cluster2")
    assert res["active_hosts"] == (False, "cluster Cluster2 has no connected host outside maintenance mode (hosts: h3)")
    assert res["shared_datastore"][0] is True


def test_check_cluster_errors():
    inv = vc.build_inventory(model_objects(), datacenter="DC1")
    with pytest.raises(vc.VcenterError, match="cluster 'Nope' not found"):
        vc.check_cluster(inv, "Nope")
    with pytest.raises(vc.VcenterError, match="datastore_regex '\\[' of cluster Cluster1 is not a valid"):
        vc.check_cluster(inv, "Cluster1", "[")


@pytest.mark.parametrize("fail_on, expected", [
    ([], []),
    (["drs_enabled"], ["drs_enabled"]),
    (["shared_datastore"], []),
    (["all"], ["drs_enabled", "active_hosts", "esx_network"]),
])
def test_failed_checks(fail_on, expected):
    result = {"checks": [
        {"name": "drs_enabled", "passed": False}, {"name": "active_hosts", "passed": False},
        {"name": "shared_datastore", "passed": True}, {"name": "esx_network", "passed": False},
    ]}
    assert [c["name"] for c in vc.failed_checks(result, fail_on)] == expected


def test_model_vlans():
    nets = [{"name": "mgmt", "purpose": "management", "vlan": 100}, {"name": "esx", "purpose": "esx", "vlan": 300},
            {"name": "esx-tenant", "purpose": "esx_tenant", "vlan": 310}]
    assert vc.model_vlans(nets) == {"esx": 300, "esx_tenant": 310}
    assert vc.model_vlans(None) == {}


@pytest.mark.parametrize("params, target", [
    ({"hostname": "vc.example.com"}, "vCenter vc.example.com:443"),
    ({"hostname": "127.0.0.1", "port": 8989}, "vCenter 127.0.0.1:8989"),
])
def test_target(params, target):
    assert vc._target(params) == target


def test_connect_bad_ca_file_names_the_file(tmp_path):
    missing = str(tmp_path / "none.pem")
    with pytest.raises(vc.VcenterError, match="cannot load CA file .*none.pem for vCenter vc:443"):
        vc.connect({"hostname": "vc", "port": 443, "username": "u", "password": "secret-pw",
                    "validate_certs": True, "ca_file": missing})
