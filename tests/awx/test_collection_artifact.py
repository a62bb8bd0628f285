"""The collection as AWX, Automation Controller or an execution environment gets it: built with
`ansible-galaxy collection build`, installed from the tarball (offline, no Galaxy) into a clean path, and run from
there with only the `ansible` package's bundled collections beside it."""

import json
import os
import subprocess
import tarfile

import ansible
import yaml
from ansible.galaxy.dependency_resolution.versioning import meets_requirements

from tests.awx.conftest import clean_env, run
from tests.peers.common import ROOT, VENV_BIN

# What the build leaves out (galaxy.yml build_ignore): lab tools, tests, benchmarks, local state, repo tooling.
NOT_SHIPPED = (".venv/", ".cache/", ".ci/", ".git/", "benchmarks/", "inventories/", "lab/", "molecule/", "scripts/",
               "tests/", "build/", "ansible.cfg", "Makefile", "pytest.ini", "ruff.toml", ".ansible-lint",
               "execution-environment.yml")
SHIPPED = ("MANIFEST.json", "FILES.json", "README.md", "LICENSE", "meta/runtime.yml", "requirements.txt",
           "bindep.txt", "plugins/inventory/cloud_model.py", "plugins/modules/cloud_model_info.py",
           "playbooks/network_plan.yml", "roles/keystone/tasks/main.yml", "changelogs/changelog.yaml")
# The `ansible` package's collections, beside ansible-core in site-packages.
BUNDLED = os.path.join(os.path.dirname(os.path.dirname(ansible.__file__)), "ansible_collections")


def test_build_ships_the_collection_and_nothing_else(collection, galaxy):
    with tarfile.open(collection["tarball"]) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("MANIFEST.json"))
    for name in SHIPPED:
        assert name in names, name
    leaked = [n for n in names if n.startswith(NOT_SHIPPED) or n.rstrip("/") in NOT_SHIPPED or "__pycache__" in n
              or n.endswith((".pyc", ".tar.gz"))]
    assert not leaked, leaked[:20]
    info = manifest["collection_info"]
    assert (info["namespace"], info["name"], info["version"]) == ("helion", "openstack", galaxy["version"])
    assert info["dependencies"] == galaxy["dependencies"]


def test_dependencies_are_the_collections_used_and_ansible_12_satisfies_them(galaxy):
    deps = galaxy["dependencies"]
    used = set()
    for top in ("roles", "playbooks", "plugins"):
        for dirpath, _dirs, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if name.endswith((".yml", ".yaml", ".py", ".j2")):
                    with open(os.path.join(dirpath, name), errors="replace") as handle:
                        text = handle.read()
                    used.update(fqcn for fqcn in deps if fqcn + "." in text)
    # every dependency but community.general is used by a role, playbook or plugin today
    assert used >= set(deps) - {"community.general"}, sorted(set(deps) - used)
    for fqcn, requirement in sorted(deps.items()):
        namespace, name = fqcn.split(".")
        with open(os.path.join(BUNDLED, namespace, name, "MANIFEST.json")) as handle:
            version = json.load(handle)["collection_info"]["version"]
        assert meets_requirements(version, requirement), "%s %s (ansible 12) is outside %s" % (
            fqcn, version, requirement)


def test_playbook_runs_from_the_installed_collection(collection, project, tmp_path):
    env = clean_env(collection["collections"], ANSIBLE_CONFIG=str(project / "ansible.cfg"))
    (project / "ansible.cfg").write_text(
        "[inventory]\nany_unparsed_is_failed = True\n"
        "enable_plugins = helion.openstack.cloud_model, ansible.builtin.yaml\n")
    # the only helion.openstack ansible sees is the installed copy
    listed = run([os.path.join(VENV_BIN, "ansible-galaxy"), "collection", "list", "--format", "json"],
                 cwd=str(project), env=env)
    where = {path: sorted(found) for path, found in json.loads(listed.stdout).items()}
    holders = [path for path, found in where.items() if "helion.openstack" in found]
    assert holders == [os.path.join(collection["collections"], "ansible_collections")], where
    assert any("community.mysql" in found for found in where.values())

    proc = subprocess.run([os.path.join(VENV_BIN, "ansible-playbook"), "helion.openstack.network_plan",
                           "-i", "inventories/lab/inventory.yml"], cwd=str(project), env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    plan = project / "inventories" / "lab" / "plan"
    assert (plan / "network-plan.md").read_text().startswith("# Network plan of cloud `lab`")
    allocations = yaml.safe_load((project / "inventories" / "lab" / "allocations.yml").read_text())
    assert allocations, "network_plan wrote no allocations"
    assert not os.path.exists(os.path.join(collection["installed"], "inventories"))
