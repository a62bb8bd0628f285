# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vcenter_info and esx_cluster_check through real Ansible against vcsimlite (govmomi 0.24.2 simulator).

Topology: 3 datacenters x 3 clusters x 3 hosts + 1 standalone host each; per datacenter LocalDS_0 on every
host, shared-<cluster> on the hosts of each cluster, local-<host> on each cluster host; a distributed
switch per datacenter with ESX-CONF (VLAN 300) and ESX-TENANT (VLAN 310); a standard port group STD-ESX
(VLAN 300) on every host. Scenarios: DC0_C1 has DRS off and DC0_C1_H0 in maintenance, every host of
DC0_C2 is in maintenance, DC1_C0_H2 is disconnected, DC0_C0 has HA on.
"""

import pytest

from tests.peers.common import free_port
from tests.peers.playbook import run_tasks
from tests.peers.vcenter import Vcsim, build

TOPOLOGY = dict(
    dc=3, cluster=3, host=3, standalone_host=1, ds=1, pg=1,
    dvpg=["ESX-CONF:300", "ESX-TENANT:310"], std_pg=["STD-ESX:300"], cluster_ds=True, host_ds=True,
    drs_off=["DC0_C1"], ha_on=["DC0_C0"], maintenance=["DC0_C1_H0", "DC0_C2_H0", "DC0_C2_H1", "DC0_C2_H2"],
    disconnected=["DC1_C0_H2"],
)
GOOD_NETWORKS = {"port_groups": {"esx": "ESX-CONF", "esx_tenant": "ESX-TENANT"},
                 "vlans": {"esx": 300, "esx_tenant": 310}}


@pytest.fixture(scope="session")
def vcsim_binary():
    return build()


@pytest.fixture(scope="module")
def vcsim(vcsim_binary):
    with Vcsim(vcsim_binary, **TOPOLOGY) as sim:
        yield sim


def info_task(name, conn, **args):
    args.update(conn)
    return {"name": name, "helion.openstack.vcenter_info": args, "ignore_errors": True}


def check_task(name, conn, **args):
    args.update(conn)
    return {"name": name, "helion.openstack.esx_cluster_check": args, "ignore_errors": True}


def by_name(items, key="name"):
    return {(item.get("datacenter"), item[key]): item for item in items}


def test_discovery_inventory(vcsim, tmp_path):
    conn = vcsim.connection()
    run = run_tasks(tmp_path, [
        info_task("all", conn),
        info_task("dc", conn, datacenter="DC1"),
        info_task("cluster", conn, datacenter="DC0", cluster="DC0_C0"),
        info_task("unknown cluster", conn, datacenter="DC0", cluster="NoSuchCluster"),
        info_task("unknown datacenter", conn, datacenter="DC9"),
    ], check=True)
    full = run.result("all")
    assert not full.get("failed"), full.get("msg")
    assert full["changed"] is False
    assert [dc["name"] for dc in full["datacenters"]] == ["DC0", "DC1", "DC2"]
    assert len(full["clusters"]) == 9 and len(full["hosts"]) == 30 and len(full["datastores"]) == 39
    assert full["round_trips"] <= 6

    clusters = by_name(full["clusters"])
    assert {key for key, c in clusters.items() if not c["drs_enabled"]} == {("DC0", "DC0_C1")}
    assert [key for key, c in clusters.items() if c["ha_enabled"]] == [("DC0", "DC0_C0")]
    c0 = clusters[("DC0", "DC0_C0")]
    assert c0["hosts"] == ["DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2"]
    assert c0["cpu_total_mhz"] > c0["cpu_free_mhz"] > 0 and c0["memory_total_mb"] > c0["memory_free_mb"] > 0
    assert clusters[("DC0", "DC0_C1")]["active_hosts"] == ["DC0_C1_H1", "DC0_C1_H2"]
    assert clusters[("DC0", "DC0_C2")]["active_hosts"] == []
    assert clusters[("DC1", "DC1_C0")]["active_hosts"] == ["DC1_C0_H0", "DC1_C0_H1"]

    hosts = by_name(full["hosts"])
    assert hosts[("DC0", "DC0_C1_H0")]["maintenance_mode"] is True
    assert hosts[("DC1", "DC1_C0_H2")]["connection_state"] == "disconnected"
    assert hosts[("DC2", "DC2_H0")]["cluster"] is None
    h = hosts[("DC2", "DC2_C2_H1")]
    assert (h["cluster"], h["connection_state"], h["maintenance_mode"], h["esxi_version"]) == (
        "DC2_C2", "connected", False, "6.5.0")
    assert h["cpu_cores"] > 0 and h["memory_total_mb"] > 0

    datastores = by_name(full["datastores"])
    assert datastores[("DC1", "shared-DC1_C2")]["shared_by_clusters"] == ["DC1_C2"]
    assert datastores[("DC1", "shared-DC1_C2")]["hosts"] == ["DC1_C2_H0", "DC1_C2_H1", "DC1_C2_H2"]
    assert datastores[("DC1", "LocalDS_0")]["shared_by_clusters"] == ["DC1_C0", "DC1_C1", "DC1_C2"]
    assert len(datastores[("DC1", "LocalDS_0")]["hosts"]) == 10
    assert datastores[("DC1", "local-DC1_C2_H0")]["shared_by_clusters"] == []
    assert datastores[("DC1", "local-DC1_C2_H0")]["capacity_mb"] >= datastores[("DC1", "local-DC1_C2_H0")]["free_mb"]

    switches = by_name(full["networks"]["distributed_switches"])
    assert sorted(switches) == [("DC0", "DVS0"), ("DC1", "DVS0"), ("DC2", "DVS0")]
    pgs = {pg["name"]: pg for pg in switches[("DC2", "DVS0")]["port_groups"]}
    assert (pgs["ESX-CONF"]["vlan_type"], pgs["ESX-CONF"]["vlan_id"]) == ("vlan", 300)
    assert pgs["ESX-TENANT"]["vlan_id"] == 310
    assert pgs["DC2_DVPG0"]["vlan_id"] == 0
    assert len(switches[("DC2", "DVS0")]["hosts"]) == 10
    std = by_name(full["networks"]["port_groups"])
    assert std[("DC0", "STD-ESX")]["vlan_ids"] == [300] and len(std[("DC0", "STD-ESX")]["hosts"]) == 10

    dc = run.result("dc")
    assert [d["name"] for d in dc["datacenters"]] == ["DC1"]
    assert {c["datacenter"] for c in dc["clusters"]} == {"DC1"} and len(dc["hosts"]) == 10

    one = run.result("cluster")
    assert [c["name"] for c in one["clusters"]] == ["DC0_C0"]
    assert [h["name"] for h in one["hosts"]] == ["DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2"]
    assert sorted(d["name"] for d in one["datastores"]) == [
        "LocalDS_0", "local-DC0_C0_H0", "local-DC0_C0_H1", "local-DC0_C0_H2", "shared-DC0_C0"]

    bad = run.result("unknown cluster")
    assert bad["failed"] is True
    assert "cluster 'NoSuchCluster' not found in datacenter 'DC0'" in bad["msg"]
    bad_dc = run.result("unknown datacenter")
    assert "datacenter 'DC9' not found (the vCenter has: DC0, DC1, DC2)" in bad_dc["msg"]


def test_cluster_checks(vcsim, tmp_path):
    conn = vcsim.connection()
    run = run_tasks(tmp_path, [
        check_task("good", conn, datacenter="DC0", cluster="DC0_C0", datastore_regex="^shared-",
                   fail_on=["all"], **GOOD_NETWORKS),
        check_task("drs off report", conn, datacenter="DC0", cluster="DC0_C1", datastore_regex="^shared-",
                   **GOOD_NETWORKS),
        check_task("drs off fail", conn, datacenter="DC0", cluster="DC0_C1", datastore_regex="^shared-",
                   fail_on=["drs_enabled"], **GOOD_NETWORKS),
        check_task("all in maintenance", conn, datacenter="DC0", cluster="DC0_C2", datastore_regex="^shared-",
                   fail_on=["drs_enabled"], **GOOD_NETWORKS),
        check_task("bad networks", conn, datacenter="DC1", cluster="DC1_C1", datastore_regex="^san-",
                   port_groups={"esx": "NO-SUCH-PG", "esx_tenant": "STD-ESX"}, vlans={"esx": 300, "esx_tenant": 310},
                   fail_on=["esx_network", "esx_tenant_network"]),
        check_task("unknown cluster", conn, datacenter="DC1", cluster="Cluster9"),
    ])
    good = run.result("good")
    assert not good.get("failed"), good.get("msg")
    assert good["passed"] is True and good["datastores"] == ["shared-DC0_C0"] and good["failed_checks"] == []
    assert [c["name"] for c in good["checks"]] == [
        "drs_enabled", "active_hosts", "shared_datastore", "esx_network", "esx_tenant_network"]

    report = run.result("drs off report")
    assert not report.get("failed") and report["passed"] is False
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["drs_enabled"] == {"name": "drs_enabled", "cluster": "DC0_C1", "passed": False,
                                     "reason": "DRS is disabled on cluster DC0_C1"}
    assert checks["active_hosts"]["passed"] is True
    assert checks["active_hosts"]["reason"] == "2 of 3 hosts connected and not in maintenance (not usable: DC0_C1_H0)"

    fail = run.result("drs off fail")
    assert fail["failed"] is True and fail["failed_checks"] == ["drs_enabled"]
    assert fail["msg"] == "cluster DC0_C1 failed onboarding checks: drs_enabled: DRS is disabled on cluster DC0_C1"

    maint = run.result("all in maintenance")
    assert not maint.get("failed")  # only DRS was asked to fail the task
    checks = {c["name"]: c for c in maint["checks"]}
    assert checks["active_hosts"]["passed"] is False
    assert "has no connected host outside maintenance mode (hosts: DC0_C2_H0, DC0_C2_H1, DC0_C2_H2)" in \
        checks["active_hosts"]["reason"]

    nets = run.result("bad networks")
    assert nets["failed"] is True and nets["failed_checks"] == ["esx_network", "esx_tenant_network"]
    assert "port group NO-SUCH-PG (esx network) not found in datacenter DC1 for cluster DC1_C1" in nets["msg"]
    assert "standard port group STD-ESX (esx_tenant network) carries VLAN 300, the model wants 310" in nets["msg"]
    checks = {c["name"]: c for c in nets["checks"]}
    assert checks["shared_datastore"]["reason"].startswith(
        "no datastore shared by all hosts of cluster DC1_C1 matches ^san-")

    unknown = run.result("unknown cluster")
    assert unknown["failed"] is True and "cluster 'Cluster9' not found in datacenter 'DC1'" in unknown["msg"]


def test_connection_errors(vcsim, tmp_path):
    down = free_port()
    run = run_tasks(tmp_path, [
        info_task("wrong password", vcsim.connection(password="Wrong-pass9")),
        check_task("wrong user", vcsim.connection(username="nobody"), cluster="DC0_C0"),
        info_task("down", vcsim.connection(port=down, timeout=5)),
        info_task("tls", vcsim.connection(validate_certs=True)),
    ])
    wrong = run.result("wrong password")
    assert wrong["failed"] is True
    assert wrong["msg"] == ("vCenter 127.0.0.1:%d rejected the login of user administrator@vsphere.local: "
                            "wrong username or password" % vcsim.port)
    assert "Wrong-pass9" not in run.stdout and vcsim.password not in run.stdout
    assert "rejected the login of user nobody" in run.result("wrong user")["msg"]
    assert run.result("down")["msg"] == "cannot reach vCenter 127.0.0.1:%d: Connection refused" % down
    tls = run.result("tls")["msg"]
    assert tls.startswith("TLS certificate validation failed for vCenter 127.0.0.1:%d" % vcsim.port)
    assert "set validate_certs to false" in tls
