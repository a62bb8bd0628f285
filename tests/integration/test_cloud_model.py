"""The cloud model through Ansible itself: ansible-inventory, the info module and network_plan."""

import json
import os
import shutil
import subprocess

import pytest

from tests.peers.playbook import ROOT, ansible_env, run_playbook, run_tasks

CORPUS = os.path.join(ROOT, "tests", "unit", "model_corpus")


def _copy_model(tmp_path, name):
    """A copy of a reference model without local state (a lab's generated vault, plans)."""
    model = tmp_path / name
    shutil.copytree(os.path.join(ROOT, "inventories", name), str(model),
                    ignore=shutil.ignore_patterns("group_vars", "plan", "allocations.yml"))
    return model


def inventory(model_dir, *args):
    cmd = [os.path.join(ROOT, ".venv", "bin", "ansible-inventory"), "-i", os.path.join(model_dir, "inventory.yml")]
    return subprocess.run(cmd + list(args), check=False, capture_output=True, text=True, env=ansible_env(), timeout=120,
                          cwd=ROOT)


@pytest.mark.parametrize("name, controllers, hosts", [
    ("kvm-reference", ["ctl1", "ctl2", "ctl3"], 12),
    ("esx-reference", ["ctl1", "ctl2", "ctl3"], 8),
    ("lab", ["lab-ctl1", "lab-ctl2", "lab-ctl3"], 7),
])
def test_inventory_lists_the_reference_models(tmp_path, name, controllers, hosts):
    proc = inventory(str(_copy_model(tmp_path, name)), "--list")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["controllers"]["hosts"] == controllers
    assert len(data["_meta"]["hostvars"]) == hosts
    assert "WARNING" not in proc.stderr


def test_inventory_templates_vault_references(tmp_path):
    model = _copy_model(tmp_path, "lab")
    run = run_playbook(tmp_path, {"name": "t", "hosts": "lab-ctl1", "gather_facts": False, "tasks": [
        {"name": "ipmi", "ansible.builtin.debug": {"var": "helion_ipmi.password"}}]},
        inventory=str(model / "inventory.yml"), extra_args=["-e", "vault_ipmi_password=s3cret"])
    assert run.rc == 0, run.stdout + run.stderr
    assert run.result("ipmi", "lab-ctl1")["helion_ipmi.password"] == "s3cret"


def _broken(tmp_path, case):
    model = tmp_path / case
    shutil.copytree(os.path.join(CORPUS, "_base"), str(model))
    for name in os.listdir(os.path.join(CORPUS, case)):
        if name != "expected.yml":
            target = name[:-3] if name.endswith(".in") else name
            shutil.copy(os.path.join(CORPUS, case, name), str(model / target))
    shutil.copy(os.path.join(ROOT, "inventories", "kvm-reference", "inventory.yml"), str(model / "inventory.yml"))
    return model


@pytest.mark.parametrize("case, message", [
    ("01-unknown-role", "servers.yml:11: servers[4].role: unknown server role 'COMPUTE-ROLEX' "
                        "(did you mean 'COMPUTE-ROLE'?) Fix: use one of the names in server_roles"),
    ("61-yaml-syntax-error", "cloud.yml:7: (top level): YAML syntax error"),
    ("23-too-few-addresses", "networks.yml:56: networks[6].host_range: too few addresses on network 'external'"),
])
def test_inventory_rejects_a_broken_model_without_traceback(tmp_path, case, message):
    model = _broken(tmp_path, case)
    proc = inventory(str(model), "--list")
    assert proc.returncode != 0
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_info_module_fails_with_structured_errors(tmp_path):
    model = _broken(tmp_path, "53-volume-type-unknown-backend")
    run = run_tasks(tmp_path, [{"name": "plan", "helion.openstack.cloud_model_info": {"model": str(model)}}])
    assert run.rc != 0
    res = run.result("plan")
    assert res["failed"]
    assert res["errors"] == [{"severity": "error", "file": str(model / "storage.yml"), "line": 29,
                              "path": "storage.volume_types[2].backend",
                              "message": "unknown backend 'vsa-gld' (did you mean 'vsa-gold'?)",
                              "fix": "use one of the names in storage.backends: 3par-iscsi-r6, 3par-iscsi-ssd, "
                                     "vsa-gold."}]


def test_network_plan_writes_plan_and_allocations_idempotently(tmp_path):
    model = _copy_model(tmp_path, "kvm-reference")
    book = os.path.join(ROOT, "playbooks", "network_plan.yml")
    first = run_playbook(tmp_path, [{"name": "plan", "ansible.builtin.import_playbook": book}],
                         extra_args=["-e", "network_plan_model=%s" % model])
    assert first.rc == 0, first.stdout + first.stderr
    assert first.changed() >= 4
    plan_dir = model / "plan"
    assert (plan_dir / "network-plan.md").read_text().startswith("# Network plan of cloud `kvm-reference`")
    assert "<svg" in (plan_dir / "topology.svg").read_text()
    assert "    ctl1: 10.100.0.11\n" in (model / "allocations.yml").read_text()
    second = run_playbook(tmp_path, [{"name": "plan", "ansible.builtin.import_playbook": book}],
                          extra_args=["-e", "network_plan_model=%s" % model])
    assert second.rc == 0 and second.changed() == 0
    # The inventory now reads the persisted allocations back.
    proc = inventory(str(model), "--host", "ctl1")
    assert json.loads(proc.stdout)["helion_addresses"]["management"] == "10.100.0.11"


def test_network_plan_check_mode_writes_nothing(tmp_path):
    model = _copy_model(tmp_path, "lab")
    book = os.path.join(ROOT, "playbooks", "network_plan.yml")
    run = run_playbook(tmp_path, [{"name": "plan", "ansible.builtin.import_playbook": book}], check=True,
                       extra_args=["-e", "network_plan_model=%s" % model])
    assert run.rc == 0, run.stdout + run.stderr
    assert not (model / "allocations.yml").exists()
    assert not (model / "plan").exists()


def test_hosts_entries_variable_is_computed_in_a_play(tmp_path):
    model = _copy_model(tmp_path, "lab")
    run = run_playbook(tmp_path, {"name": "t", "hosts": "lab-ctl1", "gather_facts": False, "tasks": [
        {"name": "entries", "ansible.builtin.set_fact": {"entries": "{{ helion_hosts_entries }}"}}]},
        inventory=str(model / "inventory.yml"))
    assert run.rc == 0, run.stdout + run.stderr
    entries = run.result("entries", "lab-ctl1")["ansible_facts"]["entries"]
    by_name = dict((n, e["address"]) for e in entries for n in e["names"])
    assert by_name["lab-ctl2"] == "172.30.1.12"
    assert by_name["api-int.lab.helion.test"] == "172.30.1.200"
    assert by_name["lab-swift2-swift"] == "172.30.3.14"
    assert by_name["lab-ctl1-swift"] == "172.30.3.10"  # controllers carry the Swift proxy
    assert len(entries) == 7 + 3 + 1 + 3 + 2 + 2  # management, external x3 ctl + cpu, swift x3 ctl + 2 storage, VIPs
