"""Role helion.openstack.cinder_backends: the rendered cinder.conf backends for the kvm-reference model,
read back with a real INI parser, and the check action against the 3PAR mock and the StoreVirtual simulator."""

import configparser
import grp
import os
import pwd
import stat

import pytest
import yaml

from tests.peers.playbook import ROOT, run_playbook
from tests.peers.storage import Hpe3parMock, StoreVirtualSim

INVENTORY = os.path.join(ROOT, "inventories", "kvm-reference", "inventory.yml")
SECRETS = {"vault_3par_password": "3par-Vault-pw", "vault_storevirtual_password": "vsa-Vault-pw"}


def task(run, name):
    return run.result("helion.openstack.cinder_backends : " + name)


def owner_vars():
    return {"cinder_backends_conf_owner": pwd.getpwuid(os.getuid()).pw_name,
            "cinder_backends_conf_group": grp.getgrgid(os.getgid()).gr_name}


def role_play(role_vars, play_vars=None):
    return {"name": "cinder backends", "hosts": "localhost", "gather_facts": False,
            "vars": dict(SECRETS, **(play_vars or {})),
            "roles": [{"role": "helion.openstack.cinder_backends", "vars": role_vars}]}


def test_render_kvm_reference(tmp_path):
    conf = tmp_path / "cinder.conf.d" / "backends.conf"
    run = run_playbook(tmp_path, role_play(dict(owner_vars(), cinder_backends_action="render",
                                                cinder_backends_conf_path=str(conf))), inventory=INVENTORY)
    assert run.rc == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert stat.S_IMODE(os.stat(conf).st_mode) == 0o640
    for secret in SECRETS.values():
        assert secret not in run.stdout

    ini = configparser.ConfigParser(interpolation=None)
    ini.read(conf)
    assert ini.get("DEFAULT", "enabled_backends").split(",") == ["3par-iscsi-r6", "3par-iscsi-ssd", "vsa-gold"]
    assert set(ini.sections()) == {"3par-iscsi-r6", "3par-iscsi-ssd", "vsa-gold"}

    r6 = ini["3par-iscsi-r6"]
    assert r6["volume_driver"] == "cinder.volume.drivers.hpe.hpe_3par_iscsi.HPE3PARISCSIDriver"
    assert r6["volume_backend_name"] == "3par-iscsi-r6"
    assert r6["hpe3par_api_url"] == "https://10.100.3.10:8080/api/v1"
    assert r6["hpe3par_username"] == "3paradm"
    assert r6["hpe3par_password"] == "3par-Vault-pw"
    assert r6["hpe3par_cpg"] == "CPG_R6_FC"
    assert r6["san_ip"] == "10.100.3.10"
    assert r6["san_login"] == "3paradm" and r6["san_password"] == "3par-Vault-pw"
    assert r6["hpe3par_iscsi_ips"] == "10.120.2.10,10.120.2.11"
    assert r6["hpe3par_iscsi_chap_enabled"] == "false"
    assert r6["driver_ssl_cert_verify"] == "true"
    assert ini["3par-iscsi-ssd"]["hpe3par_cpg"] == "CPG_R1_SSD"

    vsa = ini["vsa-gold"]
    assert vsa["volume_driver"] == "cinder.volume.drivers.hpe.hpe_lefthand_iscsi.HPELeftHandISCSIDriver"
    assert vsa["volume_backend_name"] == "vsa-gold"
    assert vsa["hpelefthand_api_url"] == "https://10.100.3.20:8081/lhos"
    assert vsa["hpelefthand_username"] == "admin"
    assert vsa["hpelefthand_password"] == "vsa-Vault-pw"
    assert vsa["hpelefthand_clustername"] == "cluster1"
    assert "hpe3par_cpg" not in vsa
    assert "# HPE StoreVirtual vsa-cluster1, cluster cluster1, VIP 10.120.3.240" in conf.read_text()

    # Rendering again changes nothing.
    again = run_playbook(tmp_path, role_play(dict(owner_vars(), cinder_backends_action="render",
                                                  cinder_backends_conf_path=str(conf))), inventory=INVENTORY)
    assert again.rc == 0 and task(again, "Render the Cinder backend sections")["changed"] is False


def fc_storage(url3par, urlsv, create=True, cpg="CPG_HELION_ROLE"):
    return {
        "hpe3par": [{"name": "3par-t", "wsapi_url": url3par, "san_ip": "127.0.0.1", "username": "3paradm",
                     "password": "{{ vault_3par_password }}", "protocol": "fc",
                     "cpgs": [{"name": cpg, "raid_type": "r6", "set_size": 8, "high_availability": "cage",
                               "disk_type": "FC", "create": create}]}],
        "storevirtual": [{"name": "vsa-cluster1", "cluster": "cluster1", "api_url": urlsv, "username": "admin",
                          "password": "{{ vault_storevirtual_password }}"}],
        "backends": [{"name": "3par-fc", "array": "3par-t", "cpg": cpg},
                     {"name": "vsa-gold", "storevirtual": "vsa-cluster1"}],
        "volume_types": [{"name": "standard", "backend": "3par-fc"}],
    }


@pytest.fixture(scope="module")
def arrays():
    with Hpe3parMock("3paradm", SECRETS["vault_3par_password"]) as mock, \
            StoreVirtualSim("admin", SECRETS["vault_storevirtual_password"]) as sim:
        yield mock.url, sim.url


def test_deploy_checks_arrays_creates_cpg_and_renders(tmp_path, arrays):
    url3, urlsv = arrays
    conf = tmp_path / "backends.conf"
    role_vars = dict(owner_vars(), cinder_backends_action="deploy", cinder_backends_conf_path=str(conf),
                     cinder_backends_storage=fc_storage(url3, urlsv))
    run = run_playbook(tmp_path, role_play(role_vars), inventory=INVENTORY)
    assert run.rc == 0, run.stdout[-3000:]
    created = task(run, "Create the CPGs the model marks with create true")
    assert created["changed"] is True
    info = task(run, "Read each 3PAR array and the CPGs its backends use")["results"][0]
    assert [c["name"] for c in info["cpgs"]] == ["CPG_HELION_ROLE"]
    assert info["cpgs"][0]["raid_type"] == "r6"
    sv = task(run, "Read each StoreVirtual cluster")["results"][0]
    assert sv["clusters"][0]["vips"] == ["10.120.3.240"]
    for secret in SECRETS.values():
        assert secret not in run.stdout

    ini = configparser.ConfigParser(interpolation=None)
    ini.read(conf)
    fc = ini["3par-fc"]
    assert fc["volume_driver"] == "cinder.volume.drivers.hpe.hpe_3par_fc.HPE3PARFCDriver"
    assert fc["hpe3par_cpg"] == "CPG_HELION_ROLE"
    assert "hpe3par_iscsi_ips" not in fc

    # Idempotent: the CPG now exists with the model's layout.
    again = run_playbook(tmp_path, role_play(role_vars), inventory=INVENTORY)
    assert again.rc == 0
    assert task(again, "Create the CPGs the model marks with create true")["changed"] is False


def test_check_fails_on_missing_cpg_and_wrong_vip(tmp_path, arrays):
    url3, urlsv = arrays
    storage = fc_storage(url3, urlsv, create=False, cpg="CPG_NOT_THERE")
    run = run_playbook(tmp_path, role_play(dict(owner_vars(), cinder_backends_action="check",
                                                cinder_backends_storage=storage)), inventory=INVENTORY)
    assert run.rc != 0
    res = task(run, "Read each 3PAR array and the CPGs its backends use")
    assert res["failed"]
    assert "CPG 'CPG_NOT_THERE' does not exist on 3PAR array '3par-t'" in res["results"][0]["msg"]

    storage = fc_storage(url3, urlsv, create=True, cpg="CPG_VIP_TEST")
    vips = {"storevirtual:vsa-cluster1": {"address": "10.120.3.99", "network": "storage"}}
    run = run_playbook(tmp_path, role_play(dict(owner_vars(), cinder_backends_action="check",
                                                cinder_backends_storage=storage, cinder_backends_vips=vips)),
                       inventory=INVENTORY)
    assert run.rc != 0
    res = task(run, "Check each StoreVirtual cluster carries the model's VIP")
    assert res["failed"]
    assert "has VIPs 10.120.3.240, but the model says 10.120.3.99" in res["results"][0]["msg"]


def test_storage_inventory_playbook(tmp_path, arrays):
    """helion.openstack.storage_inventory writes the YAML and markdown reports from the model and the arrays."""
    url3, urlsv = arrays
    storage = fc_storage(url3, urlsv, create=True, cpg="CPG_REPORT")
    storage["hpe3par"][0]["cpgs"].append({"name": "UnitTestCPG"})
    storage["hpe3par"][0]["cpgs"].append({"name": "CPG_ONLY_IN_MODEL"})
    out = tmp_path / "report"
    extra = tmp_path / "extra.yml"
    extra.write_text(yaml.safe_dump(dict(SECRETS, helion_storage=storage, storage_inventory_dir=str(out))))
    run = run_playbook(tmp_path, [{"ansible.builtin.import_playbook": "helion.openstack.storage_inventory"}],
                       inventory=INVENTORY, extra_args=["-e", "@" + str(extra)])
    assert run.rc == 0, run.stdout[-3000:] + run.stderr[-2000:]
    for secret in SECRETS.values():
        assert secret not in run.stdout

    report = yaml.safe_load((out / "storage-inventory.yml").read_text())
    assert report["cloud"]
    array = report["hpe3par"][0]
    assert array["name"] == "3par-t"
    assert array["system"]["model"] == "HP_3PAR 7400" and array["system"]["serial_number"] == "1234567"
    assert array["capacity"]["total_mib"] == 35549184.0
    assert "UnitTestCPG" in [c["name"] for c in array["cpgs"]]
    assert array["missing_cpgs"] == ["CPG_REPORT", "CPG_ONLY_IN_MODEL"]
    assert [p["ip"] for p in array["iscsi_ports"]] == ["10.120.2.10", "10.120.2.11"]
    assert array["backends"] == ["3par-fc"]
    vsa = report["storevirtual"][0]
    assert vsa["model_vip"] == "10.120.3.240"
    assert vsa["clusters"][0]["vips"] == ["10.120.3.240"]
    assert vsa["backends"] == ["vsa-gold"]
    assert report["backends"] == [
        {"name": "3par-fc", "type": "hpe3par", "system": "3par-t", "cpg": "CPG_REPORT", "protocol": "fc",
         "volume_types": ["standard"]},
        {"name": "vsa-gold", "type": "storevirtual", "system": "vsa-cluster1", "cpg": None, "protocol": "iscsi",
         "volume_types": []},
    ]
    text = (out / "storage-inventory.md").read_text()
    assert "| 3par-fc | hpe3par | 3par-t | CPG_REPORT | fc | standard |" in text
    assert "**CPGs in the model but not on the array: CPG_REPORT, CPG_ONLY_IN_MODEL**" in text
    assert "| 1:7:1 | iSCSI | ready | 10.120.2.10 |" in text
    assert "| cluster1 | 10.120.3.240 | vsa1, vsa2 |" in text
    for secret in SECRETS.values():
        assert secret not in text and secret not in (out / "storage-inventory.yml").read_text()
