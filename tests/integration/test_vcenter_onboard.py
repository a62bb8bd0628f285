# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The esx_onboard role and playbook: templates rendered for the esx-reference model (checked with configparser),
the whole playbook against vcsimlite with a copy of esx-reference pointed at it, and bad input."""

import configparser
import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from tests.peers.common import free_port
from tests.peers.playbook import ROOT, ansible_env, run_playbook, run_tasks
from tests.peers.vcenter import Vcsim, build

REFERENCE = os.path.join(ROOT, "inventories", "esx-reference")
VAULT_PASSWORD = "Vc$ecret%1"  # $ must reach oslo.config as $$, % must survive
NETWORKS = [{"name": "esx", "purpose": "esx", "vlan": 300},
            {"name": "esx-tenant", "purpose": "esx_tenant", "vlan": 310}]


def parse(path):
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    with open(path) as handle:
        parser.read_file(handle)
    return parser


def node_vars(tmp_path, **extra):
    """Extra vars that render the node configuration under tmp_path on the controller."""
    out = {
        "vault_vcenter_password": VAULT_PASSWORD,
        "ansible_connection": "local",
        "ansible_python_interpreter": sys.executable,
        "esx_onboard_become": False,
        "esx_onboard_output_dir": str(tmp_path / "onboarding"),
        "esx_onboard_nova_conf_path": str(tmp_path / "nodes") + "/{{ inventory_hostname }}/nova.conf",
        "esx_onboard_ovsvapp_conf_path": str(tmp_path / "nodes") + "/{{ inventory_hostname }}/ovsvapp_agent.ini",
    }
    out.update(extra)
    return ["-e", json.dumps(out)]


def configure_play():
    return {"name": "configure", "hosts": "compute_esx:ovsvapp", "gather_facts": False, "tasks": [
        {"name": "configure", "ansible.builtin.include_role": {"name": "helion.openstack.esx_onboard"},
         "vars": {"esx_onboard_action": "configure"}}]}


def model_copy(tmp_path, vcenters):
    model = tmp_path / "model"
    shutil.copytree(REFERENCE, str(model))
    with open(str(model / "vcenters.yml"), "w") as handle:
        yaml.safe_dump({"vcenters": vcenters}, handle, sort_keys=False)
    return str(model / "inventory.yml")


def reference_inventory():
    """The esx-reference model as the inventory plugin gives it (expected values come from the model)."""
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i",
                           os.path.join(REFERENCE, "inventory.yml"), "--list"],
                          check=False, capture_output=True, text=True, env=ansible_env(), cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_templates_for_esx_reference(tmp_path):
    model = reference_inventory()
    hostvars = model["_meta"]["hostvars"]
    proxies, ovsvapps = model["compute_esx"]["hosts"], model["ovsvapp"]["hosts"]
    some = hostvars[proxies[0]]
    vcenter = some["helion_vcenters"][0]
    nets = {n["purpose"]: n for n in some["helion_networks"]}
    inventory = os.path.join(REFERENCE, "inventory.yml")
    run = run_playbook(tmp_path, configure_play(), inventory=inventory,
                       extra_args=node_vars(tmp_path, esx_onboard_ovsvapp_dvs_name="DVS-ESX"))
    assert run.rc == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert len(proxies) >= 1 and len(ovsvapps) >= 1
    for proxy in proxies:
        cluster = [c for c in vcenter["clusters"] if c.get("proxy") == proxy][0]
        nova = parse(str(tmp_path / "nodes" / proxy / "nova.conf"))
        assert nova["DEFAULT"]["compute_driver"] == "vmwareapi.VMwareVCDriver"
        assert nova["DEFAULT"]["host"] == proxy
        vmware = nova["vmware"]
        assert (vmware["host_ip"], vmware["host_port"]) == (vcenter["address"], str(vcenter.get("port", 443)))
        assert vmware["host_username"] == vcenter["username"]
        assert vmware["host_password"] == VAULT_PASSWORD.replace("$", "$$")
        assert vmware["cluster_name"] == cluster["name"]
        assert vmware["datastore_regex"] == cluster.get("datastore_regex", ".*").replace("$", "$$")
        assert vmware["insecure"] == str(not vcenter.get("validate_certs", True))
        assert ("ca_file" in vmware) == ("ca_file" in vcenter and vcenter.get("validate_certs", True))
        assert oct(os.stat(str(tmp_path / "nodes" / proxy / "nova.conf")).st_mode & 0o777) == "0o640"
    mapping = ",".join("%s/host/%s:DVS-ESX" % (vcenter["datacenter"], c["name"]) for c in vcenter["clusters"])
    for node in ovsvapps:
        agent = parse(str(tmp_path / "nodes" / node / "ovsvapp_agent.ini"))
        assert agent.sections() == ["ovsvapp", "vmware", "securitygroup"]
        vlan = nets["esx_tenant"]["vlan"]
        assert agent["ovsvapp"]["network_vlan_ranges"] == "physnet-esx:%d:%d" % (vlan, vlan)
        assert agent["ovsvapp"]["bridge_mappings"] == "physnet-esx:br-esx-tenant"
        assert agent["ovsvapp"]["local_ip"] == hostvars[node]["helion_addresses"][nets["esx"]["name"]]
        assert agent["vmware"]["vcenter_ip"] == vcenter["address"]
        assert agent["vmware"]["vcenter_password"] == VAULT_PASSWORD.replace("$", "$$")
        assert agent["vmware"]["cert_check"] == str(vcenter.get("validate_certs", True))
        assert agent["vmware"]["cluster_dvs_mapping"] == mapping
    rendered = sorted(os.listdir(str(tmp_path / "nodes")))
    assert rendered == sorted(proxies + ovsvapps)  # nothing on the controllers or the undercloud
    assert VAULT_PASSWORD not in run.stdout


def test_templates_ca_file_and_missing_switch(tmp_path):
    with open(os.path.join(REFERENCE, "vcenters.yml")) as handle:
        vcenters = yaml.safe_load(handle)["vcenters"]
    vcenters[0]["ca_file"] = "/etc/ssl/certs/vcenter-ca.pem"
    inventory = model_copy(tmp_path, vcenters)
    run = run_playbook(tmp_path, configure_play(), inventory=inventory,
                       extra_args=node_vars(tmp_path, esx_onboard_ovsvapp_dvs_name="DVS-A"))
    assert run.rc == 0, run.stdout[-3000:]
    nova = parse(str(tmp_path / "nodes" / "esx-proxy1" / "nova.conf"))
    assert (nova["vmware"]["insecure"], nova["vmware"]["ca_file"]) == ("False", "/etc/ssl/certs/vcenter-ca.pem")
    agent = parse(str(tmp_path / "nodes" / "ovsvapp1" / "ovsvapp_agent.ini"))
    assert agent["vmware"]["cert_path"] == "/etc/ssl/certs/vcenter-ca.pem"

    # Without an onboarding result or a switch name, the OVSvApp nodes fail with the clusters named.
    run = run_playbook(tmp_path, configure_play(), inventory=inventory,
                       extra_args=node_vars(tmp_path / "second"))
    assert run.rc != 0
    assert "No distributed switch is known for the ESX tenant network of cluster(s) Cluster1, Cluster2" in run.stdout
    assert not (tmp_path / "second" / "nodes" / "ovsvapp1").exists()


@pytest.fixture(scope="module")
def vcsim():
    with Vcsim(build(), dc=2, cluster=3, host=2, dvpg=["ESX-CONF:300", "ESX-TENANT:310", "ESX-TENANT-BAD:999"],
               cluster_ds=True, host_ds=True, drs_off=["DC0_C2"], maintenance=["DC0_C2_H0"]) as sim:
        yield sim


def sim_vcenter(sim, clusters, **overrides):
    vcenter = {"name": "vc1", "address": "127.0.0.1", "port": sim.port, "username": sim.username,
               "password": "{{ vault_vcenter_password }}", "validate_certs": False, "datacenter": "DC0",
               "port_groups": {"esx": "ESX-CONF", "esx_tenant": "ESX-TENANT"}, "clusters": clusters}
    vcenter.update(overrides)
    return vcenter


def test_onboard_playbook_end_to_end(vcsim, tmp_path):
    clusters = [{"name": "DC0_C0", "datastore_regex": "^shared-", "proxy": "esx-proxy1"},
                {"name": "DC0_C1", "datastore_regex": "^shared-", "proxy": "esx-proxy2"}]
    inventory = model_copy(tmp_path, [sim_vcenter(vcsim, clusters)])
    book = os.path.join(ROOT, "playbooks", "esx_onboard.yml")
    run = run_playbook(tmp_path, yaml.safe_load(open(book)), inventory=inventory,
                       extra_args=node_vars(tmp_path, vault_vcenter_password=vcsim.password))
    assert run.rc == 0, run.stdout[-4000:] + run.stderr[-2000:]
    with open(str(tmp_path / "onboarding" / "esx-onboarding.yml")) as handle:
        result = yaml.safe_load(handle)["clusters"]
    assert [(c["name"], c["state"], c["proxy"]) for c in result] == [
        ("DC0_C0", "activated", "esx-proxy1"), ("DC0_C1", "activated", "esx-proxy2")]
    assert result[0]["hosts"] == ["DC0_C0_H0", "DC0_C0_H1"] and result[0]["datastores"] == ["shared-DC0_C0"]
    assert result[0]["switches"] == {"esx": "DVS0", "esx_tenant": "DVS0"}
    assert all(check["passed"] for c in result for check in c["checks"])
    with open(str(tmp_path / "onboarding" / "esx-servers.yml")) as handle:
        servers = yaml.safe_load(handle)["servers"]
    # The proxies are already in the model; one OVSvApp node per ESX host is new.
    assert servers == [{"name": "ovsvapp-dc0-c%d-h%d" % (c, h), "role": "OVSVAPP-ROLE"} for c in (0, 1) for h in (0, 1)]
    nova = parse(str(tmp_path / "nodes" / "esx-proxy2" / "nova.conf"))
    assert (nova["vmware"]["host_port"], nova["vmware"]["cluster_name"]) == (str(vcsim.port), "DC0_C1")
    assert nova["vmware"]["insecure"] == "True"
    agent = parse(str(tmp_path / "nodes" / "ovsvapp2" / "ovsvapp_agent.ini"))
    assert agent["vmware"]["cluster_dvs_mapping"] == "DC0/host/DC0_C0:DVS0,DC0/host/DC0_C1:DVS0"
    assert agent["vmware"]["cert_check"] == "False"
    assert vcsim.password not in run.stdout

    # A rerun that stops after writing keeps the clusters activated and changes nothing.
    again = run_playbook(tmp_path, yaml.safe_load(open(book)), inventory=inventory,
                         extra_args=node_vars(tmp_path, vault_vcenter_password=vcsim.password,
                                              esx_onboard_configure=False))
    assert again.rc == 0, again.stdout[-3000:]
    assert again.changed("localhost") == 0
    with open(str(tmp_path / "onboarding" / "esx-onboarding.yml")) as handle:
        assert [c["state"] for c in yaml.safe_load(handle)["clusters"]] == ["activated", "activated"]


BAD_CASES = [
    ("unknown cluster", [{"name": "Nope"}], {},
     "cluster Nope of vCenter vc1 is not in datacenter DC0 (it has: DC0_C0, DC0_C1, DC0_C2): nothing was written."),
    ("missing port group", [{"name": "DC0_C0"}], {"port_groups": {"esx": "ESX-CONF", "esx_tenant": "NO-SUCH-PG"}},
     "cluster DC0_C0 failed check esx_tenant_network: port group NO-SUCH-PG (esx_tenant network) not found in "
     "datacenter DC0 for cluster DC0_C0; nothing was written."),
    ("wrong vlan and drs off", [{"name": "DC0_C2"}],
     {"port_groups": {"esx": "ESX-CONF", "esx_tenant": "ESX-TENANT-BAD"}},
     "cluster DC0_C2 failed check drs_enabled: DRS is disabled on cluster DC0_C2; cluster DC0_C2 failed check "
     "esx_tenant_network: distributed port group ESX-TENANT-BAD (esx_tenant network) carries VLAN 999, the model wants "
     "310; nothing was written."),
    ("wrong password", [{"name": "DC0_C0"}], {"password": "Wrong-pass1"},
     "rejected the login of user administrator@vsphere.local: wrong username or password"),
    ("vcenter down", [{"name": "DC0_C0"}], {"port": "DOWN"}, "cannot reach vCenter 127.0.0.1:"),
]


@pytest.mark.parametrize("case, clusters, overrides, message", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_onboard_bad_input_writes_nothing(vcsim, tmp_path, case, clusters, overrides, message):
    if overrides.get("port") == "DOWN":
        overrides = dict(overrides, port=free_port())
    vcenter = sim_vcenter(vcsim, clusters, **overrides)
    out = tmp_path / "onboarding"
    task = {"name": "onboard", "ansible.builtin.include_role": {"name": "helion.openstack.esx_onboard"},
            "vars": {"esx_onboard_vcenters": [vcenter], "esx_onboard_networks": NETWORKS,
                     "esx_onboard_output_dir": str(out), "esx_onboard_timeout": 5}}
    run = run_tasks(tmp_path, [task],
                    extra_args=["-e", json.dumps({"vault_vcenter_password": vcsim.password})])
    assert run.rc != 0
    assert message in run.stdout.replace("\\n", " ").replace("  ", " ")
    assert not out.exists()
    assert vcsim.password not in run.stdout
