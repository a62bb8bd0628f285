"""storevirtual_info through real Ansible against our LeftHand OS REST simulator (tests/peers/storevirtual_sim.py)."""

import pytest

from tests.peers.common import free_port
from tests.peers.playbook import run_playbook
from tests.peers.storage import StoreVirtualSim

USER = "admin"
PASSWORD = "vsa-Secret-pw"


@pytest.fixture(scope="module")
def lhos():
    with StoreVirtualSim(USER, PASSWORD) as sim:
        yield sim.url


def play(url, tasks, password=PASSWORD):
    return {
        "name": "storevirtual",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/helion.openstack.storevirtual": {
            "api_url": url, "username": USER, "password": password, "array_name": "vsa-cluster1"}},
        "tasks": tasks,
    }


def test_info(tmp_path, lhos):
    run = run_playbook(tmp_path, play(lhos, [
        {"name": "all", "helion.openstack.storevirtual_info": {}},
        {"name": "one", "helion.openstack.storevirtual_info": {"clusters": ["cluster1"]}},
        {"name": "missing", "helion.openstack.storevirtual_info": {"clusters": ["nope"]}, "ignore_errors": True},
    ]), check=True)
    info = run.result("all")
    assert not info.get("failed"), info
    assert info["changed"] is False
    assert info["api_version"] == "1.2"
    assert [c["name"] for c in info["clusters"]] == ["cluster1", "cluster2"]
    one = run.result("one")["clusters"]
    assert len(one) == 1
    cluster = one[0]
    assert cluster["vips"] == ["10.120.3.240"]
    assert [s["name"] for s in cluster["storage_systems"]] == ["vsa1", "vsa2"]
    assert [s["ip"] for s in cluster["storage_systems"]] == ["10.120.3.21", "10.120.3.22"]
    assert cluster["capacity"] == {"total_bytes": 10 * 1024 ** 4, "available_bytes": 8 * 1024 ** 4,
                                   "used_bytes": 2 * 1024 ** 4, "provisioned_bytes": 3 * 1024 ** 4}
    assert info["clusters"][0] == cluster
    missing = run.result("missing")
    assert missing["failed"]
    assert missing["msg"] == "Cluster 'nope' does not exist on StoreVirtual 'vsa-cluster1' (%s)." % lhos


def test_errors(tmp_path, lhos):
    closed = free_port()  # nothing listens there
    https = lhos.replace("http://", "https://")
    run = run_playbook(tmp_path, [
        play(lhos, [{"name": "bad password", "helion.openstack.storevirtual_info": {}, "ignore_errors": True}],
             password="Wrong-Secret-pw"),
        play("http://127.0.0.1:%d/lhos" % closed,
             [{"name": "unreachable", "helion.openstack.storevirtual_info": {}, "ignore_errors": True}]),
        play(https, [{"name": "tls", "helion.openstack.storevirtual_info": {}, "ignore_errors": True}]),
    ])
    bad = run.result("bad password")
    assert bad["failed"]
    assert bad["msg"] == ("Authentication to StoreVirtual 'vsa-cluster1' (%s) failed: wrong username or password."
                          % lhos)
    unreachable = run.result("unreachable")
    assert unreachable["failed"]
    assert unreachable["msg"].startswith("Cannot reach StoreVirtual 'vsa-cluster1' (http://127.0.0.1:%d/lhos)"
                                         % closed)
    assert "refused" in unreachable["msg"]
    tls = run.result("tls")
    assert tls["failed"]
    assert tls["msg"].startswith("TLS failure talking to StoreVirtual 'vsa-cluster1' (%s)" % https), tls["msg"]
    for secret in ("Wrong-Secret-pw", PASSWORD):
        assert secret not in run.stdout
