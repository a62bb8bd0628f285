"""execution-environment.yml through ansible-builder: the build context it makes (`ansible-builder create`), and what
ansible-builder finds in the installed collection (`ansible-builder introspect`).

Building the image itself needs the base image (quay.io/ansible/awx-ee) from a registry, which the test machines
cannot reach: docs/testing.md says why that is not tested here."""

import os
import shutil

import yaml

from tests.awx.conftest import run
from tests.peers.common import ROOT, VENV_BIN


def lines(path):
    """The requirement lines of a requirements.txt or bindep.txt (no comments, no blank lines)."""
    with open(path) as handle:
        return [line.split("#")[0].strip() for line in handle if line.split("#")[0].strip()]


def read_ee():
    with open(os.path.join(ROOT, "execution-environment.yml")) as handle:
        return yaml.safe_load(handle)


def test_execution_environment_matches_galaxy_yml(galaxy):
    ee = read_ee()
    assert ee["version"] == 3
    deps = ee["dependencies"]
    assert {c["name"]: c["version"] for c in deps["galaxy"]["collections"]} == galaxy["dependencies"]
    assert (deps["python"], deps["system"]) == ("requirements.txt", "bindep.txt")
    assert deps["ansible_core"]["package_pip"].startswith("ansible-core")
    assert deps["ansible_runner"]["package_pip"].startswith("ansible-runner")


def test_builder_create_makes_the_context(collection, galaxy, tmp_path):
    work = tmp_path / "ee"
    (work / "build").mkdir(parents=True)
    for name in ("execution-environment.yml", "requirements.txt", "bindep.txt"):
        shutil.copy(os.path.join(ROOT, name), str(work / name))
    shutil.copy(collection["tarball"], str(work / "build"))
    out = run([os.path.join(VENV_BIN, "ansible-builder"), "create", "-f", "execution-environment.yml",
               "-c", "context", "--output-filename", "Containerfile"], cwd=str(work), timeout=120)
    assert "No matches" not in out.stdout + out.stderr
    context = work / "context"
    build = context / "_build"
    # our collection's Python requirements and system packages
    assert lines(str(build / "requirements.txt")) == lines(os.path.join(ROOT, "requirements.txt"))
    assert lines(str(build / "bindep.txt")) == lines(os.path.join(ROOT, "bindep.txt"))
    assert "pyghmi>=1.5.60" in lines(str(build / "requirements.txt"))
    # the collections it depends on, with galaxy.yml's ranges
    wanted = yaml.safe_load((build / "requirements.yml").read_text())["collections"]
    assert {c["name"]: c["version"] for c in wanted} == galaxy["dependencies"]
    # the collection itself, from the tarball, installed in the galaxy stage
    tarball = build / "helion" / os.path.basename(collection["tarball"])
    assert tarball.read_bytes() == open(collection["tarball"], "rb").read()
    containerfile = (context / "Containerfile").read_text()
    assert 'ARG EE_BASE_IMAGE="%s"' % read_ee()["images"]["base_image"]["name"] in containerfile
    assert "ansible-runner>=2.4" in containerfile and "ansible-core>=2.17" in containerfile
    galaxy_stage = containerfile[containerfile.index("FROM base AS galaxy"):containerfile.index("FROM base AS builder")]
    assert ("ansible-galaxy collection install --offline --no-deps --collections-path /usr/share/ansible/collections "
            "/build/helion/helion-openstack-*.tar.gz") in galaxy_stage
    assert "COPY _build /build" in galaxy_stage


def test_builder_introspect_finds_the_collections_requirements(collection):
    out = run([os.path.join(VENV_BIN, "ansible-builder"), "introspect", "--sanitize", collection["collections"]],
              timeout=120)
    found = yaml.safe_load(out.stdout)
    python = [entry.split("#")[0].strip() for entry in found["python"]]
    system = [entry.split("#")[0].strip() for entry in found["system"]]
    assert all("from collection helion.openstack" in entry for entry in found["python"] + found["system"])
    # PyYAML is dropped by --sanitize: ansible-core brings it
    assert python == [line for line in lines(os.path.join(ROOT, "requirements.txt")) if not line.startswith("PyYAML")]
    assert system == lines(os.path.join(ROOT, "bindep.txt"))
