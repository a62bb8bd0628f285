# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Block storage on the lab: Cinder's HPE 3PAR driver (Debian's Cinder, HPE's python-3parclient) against HPE's
own WSAPI mock, which scripts/lab.sh runs at the array's address of the model (inventories/lab/storage.yml).

As a user of a new project: a volume of each volume type, checked on the array (its CPG, its size, the QoS rule
of its type). As the admin: the services report each backend up, the volume types and QoS specs are the model's,
the connection an attach would use names the model's iSCSI portals, and a QoS value changed in the model is changed
in Cinder by the next run of the role, and only then. The lab kernel has no iSCSI initiator, so nothing is attached
to an instance here (docs/block-storage.md).
"""

from __future__ import annotations

import json
import os
import time
import uuid

import pytest

from tests.lab.arrays import Array, backend_host, name_on_3par, storage_model, wait_volume
from tests.lab.cloud import Cloud, ensure_user
from tests.lab.lab import CLOUD, LAB, ROOT, admin_password, recap, run, wait_until

USER = "lab-volume-user"
PROJECT = "lab-volumes"
FIGURES = {}


@pytest.fixture(scope="module")
def admin(deployed):
    return Cloud(deployed, "admin", admin_password(deployed["controllers"][0]), "admin")


@pytest.fixture(scope="module")
def user(deployed, admin):
    password = uuid.uuid4().hex
    ensure_user(admin, USER, password, PROJECT, "member")
    return Cloud(deployed, USER, password, PROJECT)


@pytest.fixture(scope="module")
def array(deployed):
    return Array(storage_model()["hpe3par"][0]["name"])


def test_services_report_each_backend_up(admin, deployed):
    services = admin.json("GET", admin.url("block-storage") + "/os-services")["services"]
    up = {(s["binary"], s["host"]) for s in services if s["state"] == "up" and s["status"] == "enabled"}
    for backend in storage_model()["backends"]:
        assert ("cinder-volume", "%s@%s" % (backend_host(), backend["name"])) in up, services
    controllers = deployed["groups"]["cinder_api"]
    assert {h for b, h in up if b == "cinder-scheduler"} == set(controllers), services
    assert {h for b, h in up if b == "cinder-backup"} == set(deployed["groups"]["cinder_volume"]), services
    # One volume service at a time, on the first node of the group.
    running = [h for h in deployed["groups"]["cinder_volume"]
               if run(["docker", "exec", h, "systemctl", "is-active", "cinder-volume"], check=False).returncode == 0]
    assert running == deployed["groups"]["cinder_volume"][:1]


def test_volume_types_and_qos_specs_are_the_model(admin):
    st = storage_model()
    url = admin.url("block-storage")
    types = {t["name"]: t for t in admin.json("GET", url + "/types")["volume_types"]}
    specs = {q["name"]: q for q in admin.json("GET", url + "/qos-specs")["qos_specs"]}
    for vtype in st["volume_types"]:
        assert types[vtype["name"]]["extra_specs"].get("volume_backend_name") == vtype["backend"]
    for qos in st["qos_specs"]:
        assert specs[qos["name"]]["consumer"] == qos["consumer"]
        assert specs[qos["name"]]["specs"] == {k: str(v) for k, v in qos["specs"].items()}
        assoc = admin.json("GET", url + "/qos-specs/%s/associations" % specs[qos["name"]]["id"])["qos_associations"]
        wanted = sorted(t["name"] for t in st["volume_types"] if t.get("qos") == qos["name"])
        assert sorted(a["name"] for a in assoc) == wanted


@pytest.fixture(scope="module")
def volumes(user):
    """One 1 GiB volume of each volume type of the model, made as the user; deleted at the end."""
    url = user.url("block-storage") + "/volumes"
    made = {}
    for vtype in storage_model()["volume_types"]:
        start = time.monotonic()
        name = "lab-%s-%s" % (vtype["name"], uuid.uuid4().hex[:6])
        vol = user.json("POST", url, {"volume": {"size": 1, "volume_type": vtype["name"], "name": name}})["volume"]
        made[vtype["name"]] = wait_volume(user, vol["id"], "available")
        FIGURES["create %s (s)" % vtype["name"]] = round(time.monotonic() - start, 1)
    yield made
    for vol in made.values():
        user.call("DELETE", url + "/" + vol["id"], expect=(202, 404))


def test_a_volume_of_each_type_is_made_on_the_array_in_its_cpg(volumes, array):
    st = storage_model()
    backends = {b["name"]: b for b in st["backends"]}
    qos = {q["name"]: q for q in st["qos_specs"]}
    for vtype in st["volume_types"]:
        vol = volumes[vtype["name"]]
        on_array = array.get("/volumes/" + name_on_3par("osv-", vol["id"]))[1]
        assert on_array["userCPG"] == backends[vtype["backend"]]["cpg"], on_array
        assert on_array["sizeMiB"] == 1024, on_array
        vvs = name_on_3par("vvs-", vol["id"])
        if "qos" in vtype:
            specs = qos[vtype["qos"]]["specs"]
            _status, rule = array.get("/qos/vvset:" + vvs)
            assert rule["ioMaxLimit"] == int(specs["maxIOPS"]), rule
            assert rule["bwMaxLimitKB"] == int(specs["maxBWS"]) * 1024, rule
        else:
            status = array.get("/volumesets/" + vvs, expect=(200, 404))[0]
            assert status == 404, "a volume of %s, a type without QoS, got volume set %s" % (vtype["name"], vvs)
    print("block storage: %s" % FIGURES)


def test_an_attach_would_use_the_model_iscsi_portals(admin, volumes, array):
    """What Nova would receive to attach: Cinder asks the array to export the volume to a host with this
    initiator, and answers with the portal and target. The lab cannot log in to it (no iSCSI initiator)."""
    portals = storage_model()["hpe3par"][0]["iscsi_ips"]
    vol = volumes["standard"]
    url = admin.url("block-storage") + "/volumes/%s/action" % vol["id"]
    connector = {"initiator": "iqn.2026-12.test.helion:lab-probe", "ip": "172.30.1.250", "host": "lab-probe",
                 "multipath": False, "platform": "x86_64", "os_type": "linux2"}
    info = admin.json("POST", url, {"os-initialize_connection": {"connector": connector}})["connection_info"]
    try:
        assert info["driver_volume_type"] == "iscsi", info
        data = info["data"]
        assert data["target_portal"].rsplit(":", 1) == [data["target_portal"].rsplit(":", 1)[0], "3260"]
        assert data["target_portal"].rsplit(":", 1)[0] in portals, data
        _status, ports = array.get("/ports")
        iqns = {p.get("iSCSIName") for p in ports["members"] if p.get("IPAddr") in portals}
        assert data["target_iqn"] in iqns, data
        _status, vluns = array.get("/vluns")
        exported = [v for v in vluns["members"] if v.get("volumeName") == name_on_3par("osv-", vol["id"])]
        assert exported, "the array exports no VLUN of the volume"
        assert exported[0]["hostname"] == connector["host"] and exported[0]["lun"] == data["target_lun"], exported
        print("block storage: an attach would log in to %s %s LUN %s" % (
            data["target_portal"], data["target_iqn"], data["target_lun"]))
    finally:
        admin.json("POST", url, {"os-terminate_connection": {"connector": connector}})
    _status, vluns = array.get("/vluns")
    assert not [v for v in vluns["members"] if v.get("volumeName") == name_on_3par("osv-", vol["id"])]


def types_run(storage):
    """The role's volume types and QoS step, with the model's storage section replaced by `storage`:
    (changes, output)."""
    path = os.path.join(ROOT, ".cache", "lab", "storage-override.json")
    with open(path, "w") as handle:
        json.dump({"helion_storage": storage}, handle)
    res = run(LAB + ["playbook", CLOUD, os.path.join(ROOT, "tests", "lab", "playbooks", "cinder_types.yml"),
                     "-e", "@" + path], timeout=600)
    return sum(v["changed"] for v in recap(res.stdout).values()), res.stdout


def test_a_qos_value_changed_in_the_model_changes_in_cinder_on_the_next_run_only(admin):
    st = storage_model()
    spec = st["qos_specs"][0]
    changed = json.loads(json.dumps(st))
    changed["qos_specs"][0]["specs"]["maxIOPS"] = str(int(spec["specs"]["maxIOPS"]) + 1000)
    url = admin.url("block-storage") + "/qos-specs"

    def in_cinder():
        return next(q for q in admin.json("GET", url)["qos_specs"] if q["name"] == spec["name"])["specs"]
    try:
        count, out = types_run(changed)
        assert count > 0, out[-3000:]
        assert in_cinder()["maxIOPS"] == changed["qos_specs"][0]["specs"]["maxIOPS"]
        count, out = types_run(changed)
        assert count == 0, "a second run with the same model changed something:\n" + out[-3000:]
    finally:
        count, out = types_run(st)
    assert count > 0, out[-3000:]
    assert in_cinder()["maxIOPS"] == str(spec["specs"]["maxIOPS"])


def test_deleting_a_volume_removes_it_from_the_array(user, array):
    url = user.url("block-storage") + "/volumes"
    vol = user.json("POST", url, {"volume": {"size": 1, "volume_type": "standard", "name": "lab-delete"}})["volume"]
    wait_volume(user, vol["id"], "available")
    name = name_on_3par("osv-", vol["id"])
    assert array.get("/volumes/" + name)[0] == 200
    start = time.monotonic()
    user.call("DELETE", url + "/" + vol["id"], expect=(202,))

    def gone():
        return array.get("/volumes/" + name, expect=(200, 404))[0] == 404 or None
    wait_until("volume %s removed from the array" % name, gone, 120)
    FIGURES["delete (s)"] = round(time.monotonic() - start, 1)
    print("block storage: %s" % FIGURES)
