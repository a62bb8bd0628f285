"""The collection built with `ansible-galaxy collection build` and installed from the tarball into a clean path, once
per session, as AWX (or an execution environment build) gets it."""

import glob
import os
import shutil
import subprocess

import pytest
import yaml

from tests.peers.common import ROOT, VENV_BIN


def run(cmd, timeout=300, **kwargs):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)
    assert proc.returncode == 0, "%s failed:\n%s%s" % (" ".join(cmd), proc.stdout[-3000:], proc.stderr[-3000:])
    return proc


def clean_env(collections, **extra):
    """The environment of a controller that has only the installed collection (ANSIBLE_COLLECTIONS_PATH) and the
    `ansible` package's bundled collections (on sys.path): not this checkout, not ~/.ansible/collections."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("ANSIBLE_") and key not in ("PYTHONPATH",)}
    env.update({
        "PATH": VENV_BIN + os.pathsep + os.environ.get("PATH", ""),
        "ANSIBLE_COLLECTIONS_PATH": collections,
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "true",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCALHOST_WARNING": "0",
    })
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def galaxy():
    with open(os.path.join(ROOT, "galaxy.yml")) as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="session")
def collection(tmp_path_factory, galaxy):
    """{"tarball", "collections" (the clean install path), "installed" (the collection's directory there)}."""
    work = tmp_path_factory.mktemp("collection")
    build = work / "build"
    run([os.path.join(VENV_BIN, "ansible-galaxy"), "collection", "build", "--output-path", str(build), ROOT],
        cwd=str(work))
    tarballs = glob.glob(str(build / "*.tar.gz"))
    assert [os.path.basename(t) for t in tarballs] == ["helion-openstack-%s.tar.gz" % galaxy["version"]]
    collections = work / "collections"
    # No Galaxy server is reachable (nor needed): the dependencies come with the `ansible` package.
    run([os.path.join(VENV_BIN, "ansible-galaxy"), "collection", "install", "--offline", "--no-deps",
         "-p", str(collections), tarballs[0]], cwd=str(work), env=clean_env(str(collections)))
    installed = collections / "ansible_collections" / "helion" / "openstack"
    assert (installed / "MANIFEST.json").is_file()
    return {"tarball": tarballs[0], "collections": str(collections), "installed": str(installed)}


@pytest.fixture
def project(tmp_path):
    """An AWX-like project directory: a copy of the lab model (without local state) under inventories/lab."""
    proj = tmp_path / "project"
    shutil.copytree(os.path.join(ROOT, "inventories", "lab"), str(proj / "inventories" / "lab"),
                    ignore=shutil.ignore_patterns("group_vars", "plan", "allocations.yml"))
    return proj


def model_hosts():
    """The names of the lab model's servers (inventories/lab/servers.yml)."""
    with open(os.path.join(ROOT, "inventories", "lab", "servers.yml")) as handle:
        return sorted(server["name"] for server in yaml.safe_load(handle)["servers"])
