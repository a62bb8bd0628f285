"""A job as AWX runs it: ansible-runner (the library AWX drives ansible with) in a private data directory, the
project checked out under project/, the cloud model's inventory.yml as the inventory source, and the collection
installed from its tarball (as in an execution environment)."""

import json
import os

import ansible_runner

from tests.awx.conftest import clean_env, model_hosts

PLAYBOOK = """
- name: Every host of the cloud model
  hosts: all
  gather_facts: false
  tasks:
    - name: Report the host's planned address
      ansible.builtin.debug:
        msg: "{{ inventory_hostname }} {{ helion_addresses.management | default('-') }}"

- name: The model, validated on the controller
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Validate and plan the model
      helion.openstack.cloud_model_info:
        model: "{{ playbook_dir }}/inventories/lab"
      register: plan

    - name: Every server of the inventory is planned
      ansible.builtin.assert:
        that: (plan.plan.hosts | list | sort) == (groups['all'] | sort)
"""


def envvars(collection, data_dir):
    env = clean_env(collection["collections"])
    env["ANSIBLE_CONFIG"] = str(data_dir / "project" / "ansible.cfg")
    return {key: value for key, value in env.items() if key.startswith("ANSIBLE_") or key == "PATH"}


def private_data_dir(tmp_path, project):
    data = tmp_path / "runner"
    data.mkdir()
    os.rename(str(project), str(data / "project"))
    (data / "project" / "site.yml").write_text(PLAYBOOK)
    # the project's own settings, as AWX honours a project's ansible.cfg
    (data / "project" / "ansible.cfg").write_text("[inventory]\nany_unparsed_is_failed = True\n")
    return data


def test_inventory_update_lists_the_models_hosts(collection, project, tmp_path, monkeypatch):
    """What AWX does to import an inventory source: ansible-inventory --list through ansible-runner."""
    monkeypatch.setenv("PATH", envvars(collection, tmp_path)["PATH"])  # ansible-runner looks for ansible-inventory
    data = private_data_dir(tmp_path, project)
    source = str(data / "project" / "inventories" / "lab" / "inventory.yml")
    out, err = ansible_runner.get_inventory(action="list", inventories=[source], response_format="json",
                                            envvars=envvars(collection, data), quiet=True, timeout=300)
    assert isinstance(out, dict), (out, err)
    hosts = sorted(out["_meta"]["hostvars"])
    assert hosts == model_hosts()
    assert out["_meta"]["hostvars"]["lab-ctl1"]["helion_addresses"]["management"]


def test_job_runs_against_the_cloud_model(collection, project, tmp_path, monkeypatch):
    """A job template's run: the playbook on every host of the model, events and stats as AWX reads them."""
    monkeypatch.setenv("PATH", envvars(collection, tmp_path)["PATH"])
    data = private_data_dir(tmp_path, project)
    result = ansible_runner.run(private_data_dir=str(data), playbook="site.yml",
                                inventory=str(data / "project" / "inventories" / "lab" / "inventory.yml"),
                                envvars=envvars(collection, data), quiet=True, timeout=300)
    stdout = result.stdout.read() if result.stdout else ""
    assert result.status == "successful", stdout[-3000:]
    assert result.rc == 0
    events = list(result.events)
    ok = sorted({e["event_data"]["host"] for e in events if e["event"] == "runner_on_ok"
                 and e["event_data"].get("task") == "Report the host's planned address"})
    assert ok == model_hosts()
    assert not [e for e in events if e["event"] in ("runner_on_failed", "runner_on_unreachable")]
    assert set(result.stats["ok"]) == set(model_hosts()) | {"localhost"}
    assert json.dumps(result.stats["failures"]) == "{}"
