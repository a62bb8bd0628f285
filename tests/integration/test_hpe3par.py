"""hpe3par_info and hpe3par_cpg through real Ansible against HPE's WSAPI mock (python-3parclient 4.2.0 sdist).

The mock is downloaded by the fixture (pip download), patched for Flask 3 and client 4.4
(tests/peers/hpe3par_mock.py) and started on 127.0.0.1.
"""

import warnings

import pytest

from tests.peers.common import free_port
from tests.peers.playbook import run_playbook
from tests.peers.storage import Hpe3parMock

USER = "3paradm"
PASSWORD = "3par-Secret-pw"
CPG = "CPG_HELION_TEST"

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from hpe3parclient import client as hpe3par_client
    from hpe3parclient import exceptions as hpe3par_exceptions


@pytest.fixture(scope="module")
def wsapi():
    with Hpe3parMock(USER, PASSWORD) as mock:
        yield mock.url


@pytest.fixture
def array(wsapi):
    """A logged-in python-3parclient, to check what the modules did."""
    cl = hpe3par_client.HPE3ParClient(wsapi)
    cl.login(USER, PASSWORD)
    try:
        yield cl
    finally:
        cl.logout()


def play(url, tasks, password=PASSWORD):
    """One play whose tasks get the connection options through the hpe3par action group."""
    return {
        "name": "3par",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/helion.openstack.hpe3par": {
            "wsapi_url": url, "username": USER, "password": password, "array_name": "3par-a"}},
        "tasks": tasks,
    }


def cpg_task(name, check=False, ignore=False, **props):
    task = {"name": name, "helion.openstack.hpe3par_cpg": dict({"name": CPG}, **props)}
    if check:
        task["check_mode"] = True
    if ignore:
        task["ignore_errors"] = True
    return task


WANTED = {"raid_type": "r6", "set_size": 8, "high_availability": "cage", "disk_type": "FC",
          "growth_increment_mib": 16384, "growth_limit_mib": 1048576}


def test_info(tmp_path, wsapi):
    run = run_playbook(tmp_path, play(wsapi, [
        {"name": "info", "helion.openstack.hpe3par_info": {}},
        {"name": "one cpg", "helion.openstack.hpe3par_info": {"cpgs": ["UnitTestCPG"], "free_space": False}},
        {"name": "unknown cpg", "helion.openstack.hpe3par_info": {"cpgs": ["NOPE"]}, "ignore_errors": True},
    ]))
    info = run.result("info")
    assert not info.get("failed"), info
    assert info["changed"] is False
    assert info["system"]["model"] == "HP_3PAR 7400"
    assert info["system"]["serial_number"] == "1234567"
    assert info["system"]["version"] == "3.2.1.46"
    assert info["system"]["wsapi_version"] == "1.3.30201256"
    names = [c["name"] for c in info["cpgs"]]
    assert "UnitTestCPG" in names and "UnitTestCPG2" in names
    unit = info["cpgs"][names.index("UnitTestCPG")]
    assert unit["disk_type"] == "FC"
    assert unit["growth"] == {"increment_mib": 16384, "limit_mib": 256000, "warning_mib": 204800}
    assert unit["usage"]["user"] == {"total_mib": 119808, "used_mib": 114688}
    assert unit["available"]["usable_free_mib"] == 3815424
    assert [p["ip"] for p in info["iscsi_ports"]] == ["10.120.2.10", "10.120.2.11"]
    assert [p["wwn"] for p in info["fc_ports"]] == ["2c27d75375d7", "2c27d75375d8"]
    assert info["capacity"]["total_mib"] == 35549184.0
    one = run.result("one cpg")
    assert [c["name"] for c in one["cpgs"]] == ["UnitTestCPG"]
    assert "available" not in one["cpgs"][0]
    missing = run.result("unknown cpg")
    assert missing["failed"]
    assert missing["msg"] == "CPG 'NOPE' does not exist on 3PAR array '3par-a' (%s)." % wsapi


def test_cpg_lifecycle(tmp_path, wsapi, array):
    # Check mode and diff: reports the creation, creates nothing.
    run = run_playbook(tmp_path, play(wsapi, [cpg_task("create (check)", check=True, **WANTED)]), diff=True)
    res = run.result("create (check)")
    assert res["changed"] and res["actions"] == ["create"], res
    assert res["diff"]["before"] == {} and res["diff"]["after"]["raid_type"] == "r6"
    with pytest.raises(hpe3par_exceptions.HTTPNotFound):
        array.getCPG(CPG)

    # Create, then rerun unchanged.
    run = run_playbook(tmp_path, play(wsapi, [cpg_task("create", **WANTED), cpg_task("again", **WANTED)]),
                       diff=True)
    created = run.result("create")
    assert created["changed"] and created["actions"] == ["create"], created
    assert created["diff"]["after"]["set_size"] == 8
    assert run.result("again")["changed"] is False
    cpg = array.getCPG(CPG)
    assert cpg["SDGrowth"]["LDLayout"] == {"RAIDType": 4, "setSize": 8, "HA": 2, "diskPatterns": [{"diskType": 1}]}
    assert cpg["SDGrowth"]["incrementMiB"] == 16384 and cpg["SDGrowth"]["limitMiB"] == 1048576

    # Drift made behind Ansible's back is corrected in place (growth settings), with a diff.
    array.http.put("/cpgs/%s" % CPG, body={"growthIncrementMiB": 4096})
    run = run_playbook(tmp_path, play(wsapi, [cpg_task("correct drift", **WANTED)]), diff=True)
    fixed = run.result("correct drift")
    assert fixed["changed"] and fixed["actions"] == ["modify growth_increment_mib"], fixed
    assert fixed["diff"]["before"]["growth_increment_mib"] == 4096
    assert fixed["diff"]["after"]["growth_increment_mib"] == 16384
    assert array.getCPG(CPG)["SDGrowth"]["incrementMiB"] == 16384

    # In one run: a modifiable change in check mode (reported, not made); changes the array cannot make
    # in place (refused, also in check mode); a delete in check mode (reported, not made).
    run = run_playbook(tmp_path, play(wsapi, [
        cpg_task("limit (check)", check=True, **{**WANTED, "growth_limit_mib": 0}),
        cpg_task("raid change", ignore=True, **{**WANTED, "raid_type": "r1", "set_size": 2}),
        cpg_task("ha change (check)", check=True, ignore=True, **{**WANTED, "high_availability": "mag"}),
        cpg_task("delete (check)", check=True, state="absent"),
    ]))
    assert run.result("limit (check)")["changed"]
    refused = run.result("raid change")
    assert refused["failed"]
    assert "CPG '%s' on 3PAR array '3par-a'" % CPG in refused["msg"]
    assert "raid_type is r6, wanted r1" in refused["msg"] and "set_size is 8, wanted 2" in refused["msg"]
    assert "must be recreated" in refused["msg"]
    assert "must be recreated" in run.result("ha change (check)")["msg"]
    assert run.result("delete (check)")["changed"]
    cpg = array.getCPG(CPG)
    assert cpg["SDGrowth"]["limitMiB"] == 1048576
    assert cpg["SDGrowth"]["LDLayout"] == {"RAIDType": 4, "setSize": 8, "HA": 2, "diskPatterns": [{"diskType": 1}]}

    # Delete, then delete again (unchanged).
    run = run_playbook(tmp_path, play(wsapi, [
        cpg_task("delete", state="absent"), cpg_task("delete again", state="absent"),
    ]), diff=True)
    deleted = run.result("delete")
    assert deleted["changed"] and deleted["actions"] == ["delete"]
    assert deleted["diff"]["before"]["raid_type"] == "r6" and deleted["diff"]["after"] == {}
    assert run.result("delete again")["changed"] is False
    with pytest.raises(hpe3par_exceptions.HTTPNotFound):
        array.getCPG(CPG)


def test_connection_errors(tmp_path, wsapi):
    closed = free_port()  # nothing listens there
    https = wsapi.replace("http://", "https://")
    run = run_playbook(tmp_path, [
        play(wsapi, [{"name": "bad password", "helion.openstack.hpe3par_info": {}, "ignore_errors": True}],
             password="Wrong-Secret-pw"),
        play("http://127.0.0.1:%d/api/v1" % closed,
             [{"name": "unreachable", "helion.openstack.hpe3par_cpg": {"name": CPG}, "ignore_errors": True}]),
        play(https, [{"name": "tls", "helion.openstack.hpe3par_info": {}, "ignore_errors": True}]),
    ])
    bad = run.result("bad password")
    assert bad["failed"]
    assert bad["msg"] == "Authentication to 3PAR array '3par-a' (%s) failed: wrong username or password." % wsapi
    unreachable = run.result("unreachable")
    assert unreachable["failed"]
    assert unreachable["msg"].startswith("Cannot reach 3PAR array '3par-a' (http://127.0.0.1:%d/api/v1)" % closed)
    assert "Connection refused" in unreachable["msg"]
    tls = run.result("tls")
    assert tls["failed"]
    assert tls["msg"].startswith("TLS failure talking to 3PAR array '3par-a' (%s)" % https)
    for secret in ("Wrong-Secret-pw", PASSWORD):
        assert secret not in run.stdout
