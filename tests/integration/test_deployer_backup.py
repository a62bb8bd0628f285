# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""deployer_backup and deployer_restore on the lab model, with real Swift ring builders (swift_rings run first,
the builder node reached with -c local): the model's files and the builders come back byte for byte, a damaged
archive and a model that differs are refused with nothing written, and a second restore changes nothing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import filecmp
import os
import shutil
import subprocess
import sys
import tarfile

import pytest

from tests.peers.playbook import ROOT, VENV_BIN, PlaybookRun, ansible_env

LAB = os.path.join(ROOT, "inventories", "lab")
BUILDER = "lab-swift1"
RINGS = ("account", "container", "object-0")


def playbook(tmp_path, name, *extra, inventory=None, vault_password_file=None):
    cmd = [os.path.join(VENV_BIN, "ansible-playbook"), "helion.openstack.%s" % name,
           "-i", inventory or "localhost,", "-c", "local", "-e", "ansible_python_interpreter=" + sys.executable,
           "-e", "swift_rings_builder_dir=%s" % (tmp_path / "builder"),
           "-e", "swift_rings_dest_dir=%s/dest/{{ inventory_hostname }}" % tmp_path] + list(extra)
    if vault_password_file:
        cmd += ["--vault-password-file", vault_password_file]
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=600, cwd=ROOT, env=ansible_env())
    return PlaybookRun(proc)


def same_tree(left, right):
    """Every file of each side is on the other with the same bytes."""
    cmp = filecmp.dircmp(str(left), str(right))
    if cmp.left_only or cmp.right_only or cmp.funny_files:
        return False
    _match, mismatch, errors = filecmp.cmpfiles(str(left), str(right), cmp.common_files, shallow=False)
    return not mismatch and not errors and all(same_tree(os.path.join(str(left), d), os.path.join(str(right), d))
                                               for d in cmp.common_dirs)


def changed(run):
    return sum(s.get("changed", 0) for s in run.stats.values())


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("deployer")
    model = tmp_path / "model"
    # Not the lab's vault (its password is the lab's): a vault of the test's own, encrypted by ansible-vault.
    shutil.copytree(LAB, str(model), ignore=shutil.ignore_patterns("group_vars", "host_vars"))
    vault = model / "group_vars" / "all" / "vault.yml"
    vault.parent.mkdir(parents=True)
    vault.write_text("vault_deployer_backup_test: secret-%d\n" % os.getpid())
    password = tmp_path / "vault-pass"
    password.write_text("deployer-backup-test\n")
    subprocess.run([os.path.join(VENV_BIN, "ansible-vault"), "encrypt", "--vault-password-file", str(password),
                    str(vault)], check=True, capture_output=True, env=ansible_env())
    os.chmod(str(vault), 0o600)
    inventory = str(model / "inventory.yml")
    run = playbook(tmp_path, "swift_rings", inventory=inventory, vault_password_file=str(password))
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    run = playbook(tmp_path, "deployer_backup", "-e", "deployer_backup_dir=%s" % (tmp_path / "backups"),
                   inventory=inventory, vault_password_file=str(password))
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    archives = os.listdir(str(tmp_path / "backups"))
    assert len(archives) == 1 and archives[0].startswith("deployer-lab-") and archives[0].endswith(".tar.gz")
    return tmp_path, model, str(tmp_path / "backups" / archives[0]), str(password)


def test_backup_holds_the_model_and_the_ring_builders_with_their_sums(backed_up):
    _tmp_path, model, archive, _password = backed_up
    assert os.stat(archive).st_mode & 0o077 == 0
    with tarfile.open(archive) as tar:
        names = set(n[2:] if n.startswith("./") else n for n in tar.getnames())
    assert {"SHA256SUMS", "INFO.json", "model/inventory.yml", "model/servers.yml",
            "model/group_vars/all/vault.yml"} <= names
    assert {"swift-builders/%s.builder" % r for r in RINGS} <= names
    assert not any(n.endswith(".vault-pass") for n in names)
    # The vault is in the archive as it is on disk: encrypted.
    with tarfile.open(archive) as tar:
        vault = tar.extractfile("./model/group_vars/all/vault.yml").read()
    assert vault == (model / "group_vars" / "all" / "vault.yml").read_bytes()
    assert vault.startswith(b"$ANSIBLE_VAULT;") and b"secret-" not in vault


def test_restore_into_an_empty_directory_then_again_changes_nothing(backed_up, tmp_path):
    _t, model, archive, _password = backed_up
    target = tmp_path / "restored"
    run = playbook(tmp_path, "deployer_restore", "-e", "deployer_restore_archive=" + archive,
                   "-e", "deployer_restore_model_dir=%s" % target)
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    assert same_tree(model, target)
    assert os.stat(str(target / "group_vars" / "all" / "vault.yml")).st_mode & 0o777 == 0o600
    run = playbook(tmp_path, "deployer_restore", "-e", "deployer_restore_archive=" + archive,
                   "-e", "deployer_restore_model_dir=%s" % target)
    assert run.rc == 0 and changed(run) == 0, run.stats


def test_restore_refuses_a_model_that_differs_without_the_confirmation(backed_up, tmp_path):
    _t, model, archive, _password = backed_up
    target = tmp_path / "edited"
    shutil.copytree(str(model), str(target))
    (target / "servers.yml").write_text("# edited since the backup\n")
    run = playbook(tmp_path, "deployer_restore", "-e", "deployer_restore_archive=" + archive,
                   "-e", "deployer_restore_model_dir=%s" % target)
    assert run.rc != 0
    assert "deployer_restore_confirm=replace-the-model" in run.stdout and "servers.yml" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    assert (target / "servers.yml").read_text() == "# edited since the backup\n"
    run = playbook(tmp_path, "deployer_restore", "-e", "deployer_restore_archive=" + archive,
                   "-e", "deployer_restore_model_dir=%s" % target, "-e", "deployer_restore_confirm=replace-the-model")
    assert run.rc == 0, run.stdout[-3000:]
    assert (target / "servers.yml").read_bytes() == (model / "servers.yml").read_bytes()


def test_restore_refuses_a_damaged_archive(backed_up, tmp_path):
    _t, _model, archive, _password = backed_up
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(str(unpacked))
    (unpacked / "model" / "networks.yml").write_text("tampered: true\n")
    damaged = str(tmp_path / "damaged.tar.gz")
    with tarfile.open(damaged, "w:gz") as tar:
        tar.add(str(unpacked), arcname=".")
    target = tmp_path / "nothing"
    run = playbook(tmp_path, "deployer_restore", "-e", "deployer_restore_archive=" + damaged,
                   "-e", "deployer_restore_model_dir=%s" % target)
    assert run.rc != 0
    assert "is damaged" in run.stdout and "networks.yml" in run.stdout, run.stdout[-3000:]
    assert not target.exists()


def test_restore_writes_the_builders_a_rebuilt_builder_node_lacks_and_keeps_one_that_differs(backed_up):
    tmp_path, model, archive, password = backed_up
    builder = tmp_path / "builder"
    saved = {r: (builder / ("%s.builder" % r)).read_bytes() for r in RINGS}
    for r in RINGS:
        (builder / ("%s.builder" % r)).unlink()
    inventory = str(model / "inventory.yml")
    run = playbook(tmp_path, "deployer_restore", "-e", "deployer_restore_archive=" + archive, inventory=inventory,
                   vault_password_file=password)
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    assert {r: (builder / ("%s.builder" % r)).read_bytes() for r in RINGS} == saved
    run = playbook(tmp_path, "deployer_restore", "-e", "deployer_restore_archive=" + archive, inventory=inventory,
                   vault_password_file=password)
    assert run.rc == 0 and changed(run) == 0, run.stats
    (builder / "account.builder").write_bytes(b"newer")
    run = playbook(tmp_path, "deployer_restore", "-e", "deployer_restore_archive=" + archive, inventory=inventory,
                   vault_password_file=password)
    assert run.rc == 0 and changed(run) == 0
    assert (builder / "account.builder").read_bytes() == b"newer"
    assert "Kept %s/account.builder" % builder in run.stdout
    (builder / "account.builder").write_bytes(saved["account"])
