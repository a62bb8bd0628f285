"""Swift rings and drives through Ansible itself.

Rings: built by helion.openstack.swift_ring, loaded by Swift's Ring class, validated by the
swift-ring-builder CLI and compared with CLI-built rings; a growth scenario (2 -> 4 nodes, then a
node drained and removed) checked partition by partition. Drives: loop devices over sparse image
files (root only), cleaned up in teardown.
"""

import os
import pwd
import re
import shutil
import subprocess
import sys

import pytest

from tests.peers.playbook import ROOT, VENV_BIN, PlaybookRun, ansible_env, run_tasks

from swift.common import utils as swift_utils
from swift.common.ring import Ring, RingBuilder

# Ring() checks /etc/swift/swift.conf for the hash path prefix/suffix; tests need no such file.
swift_utils.HASH_PATH_SUFFIX = b"helion-test"
SRB = os.path.join(VENV_BIN, "swift-ring-builder")


def devices(nodes, per_node=2, weight=100.0, zones=None, port=6200):
    """Devices of nodes 1..nodes (one zone per node unless zones maps node -> zone)."""
    out = []
    for n in range(1, nodes + 1):
        for d in range(per_node):
            out.append({"region": 1, "zone": (zones or {}).get(n, n), "ip": "10.9.0.%d" % n, "port": port,
                        "device": "d%d" % d, "weight": weight, "meta": "node%d" % n})
    return out


def ring_task(builder_dir, devs, name="object-0", part_power=8, replicas=3, task="ring", **extra):
    args = {"name": name, "builder_dir": str(builder_dir), "part_power": part_power, "replicas": replicas,
            "min_part_hours": 1, "seed": 7, "devices": devs}
    args.update(extra)
    return {"name": task, "helion.openstack.swift_ring": args}


def srb(*args):
    return subprocess.run([SRB] + [str(a) for a in args], check=False, capture_output=True, text=True, timeout=300)


def replica_map(builder_file):
    builder = RingBuilder.load(str(builder_file))
    return builder, [list(row) for row in builder._replica2part2dev]


# ------------------------------------------------------------------------------------ rings


def test_ring_build_idempotence_check_and_diff(tmp_path):
    bdir = tmp_path / "swift"
    devs = devices(3)
    run = run_tasks(tmp_path, [ring_task(bdir, devs, part_power=10, task="create")], diff=True)
    assert run.rc == 0, run.stdout + run.stderr
    res = run.result("create")
    assert res["changed"] and res["created"] and res["rebalanced"] and res["ring_written"]
    assert res["parts_moved"] == 3 * 1024
    assert res["balance"] == 0.0 and res["dispersion"] == 0.0 and res["converged"]
    assert "r1 z1 10.9.0.1:6200 R10.9.0.1:6200 /d0" in res["diff"]["after"]

    # The ring loads in Swift's Ring class and passes the CLI's validate.
    ring = Ring(str(bdir), ring_name="object-0")
    assert ring.partition_count == 1024 and ring.replica_count == 3
    assert len(ring.devs) == 6
    for part in range(ring.partition_count):
        assert len({d["zone"] for d in ring.get_part_nodes(part)}) == 3
    proc = srb(bdir / "object-0.builder", "validate")
    assert proc.returncode == 0, proc.stdout + proc.stderr

    # Second run: nothing changes, no rebalance, the ring file is byte-identical.
    before = (bdir / "object-0.ring.gz").read_bytes()
    run = run_tasks(tmp_path, [ring_task(bdir, devs, part_power=10, task="again")], diff=True)
    res = run.result("again")
    assert run.rc == 0 and not res["changed"] and not res["rebalanced"] and "diff" not in res
    assert (bdir / "object-0.ring.gz").read_bytes() == before

    # Check mode with a reweight: predicted, reported in the diff, nothing written.
    devs2 = [dict(d, weight=150.0) if d["ip"] == "10.9.0.1" and d["device"] == "d0" else d for d in devs]
    run = run_tasks(tmp_path, [ring_task(bdir, devs2, part_power=10, task="check", pretend_min_part_hours_passed=True)],
                    check=True, diff=True)
    res = run.result("check")
    assert run.rc == 0 and res["changed"] and res["rebalanced"] and res["parts_moved"] > 0
    assert "10.9.0.1:6200 R10.9.0.1:6200 /d0 \"node1\" weight 150.00" in res["diff"]["after"]
    assert "weight 100.00" in res["diff"]["before"]
    assert (bdir / "object-0.ring.gz").read_bytes() == before
    assert not (bdir / "backups").exists() or not os.listdir(str(bdir / "backups"))  # the CLI makes the dir

    # The real run writes it and keeps a dated backup of the old builder and ring.
    run = run_tasks(tmp_path, [ring_task(bdir, devs2, part_power=10, task="apply", pretend_min_part_hours_passed=True)])
    res = run.result("apply")
    assert run.rc == 0 and res["changed"] and res["plan"]["reweight"][0]["to"] == 150.0
    backups = sorted(os.listdir(str(bdir / "backups")))
    assert len(backups) == 2 and all(re.match(r"^\d{8}T\d{6}Z\.object-0\.(builder|ring\.gz)$", b) for b in backups)
    assert (bdir / "object-0.ring.gz").read_bytes() != before
    assert srb(bdir / "object-0.builder", "validate").returncode == 0


def test_ring_refusals(tmp_path):
    bdir = tmp_path / "swift"
    devs = devices(3, per_node=1)
    assert run_tasks(tmp_path, [ring_task(bdir, devs, task="create")]).rc == 0
    builder_bytes = (bdir / "object-0.builder").read_bytes()
    run = run_tasks(tmp_path, [
        ring_task(bdir, devs, part_power=9, task="part power"),
    ])
    res = run.result("part power")
    assert run.rc != 0 and res["failed"]
    assert "part power 8 and the model asks for 9" in res["msg"]

    # Removing two of three nodes from a 3-replica ring: refused, nothing written.
    run = run_tasks(tmp_path, [ring_task(bdir, devs[:1], task="shrink", pretend_min_part_hours_passed=True)])
    res = run.result("shrink")
    assert run.rc != 0 and "need at least 3 devices with weight > 0" in res["msg"]
    assert (bdir / "object-0.builder").read_bytes() == builder_bytes

    # A zone move is refused with the way out.
    moved = [dict(devs[0], zone=9)] + devs[1:]
    run = run_tasks(tmp_path, [ring_task(bdir, moved, task="zone")])
    assert run.rc != 0 and "cannot move a device between regions or zones" in run.result("zone")["msg"]


def test_removal_of_every_replica_holder_is_refused(tmp_path):
    """Three nodes at weight 0 that still hold both replicas of partitions (min_part_hours kept them) cannot go."""
    bdir = tmp_path / "swift"
    devs = devices(6, per_node=1)
    assert run_tasks(tmp_path, [ring_task(bdir, devs, replicas=2, task="create")]).rc == 0
    # Weight three nodes down to 0 in the builder without rebalancing (as if min_part_hours held the parts).
    builder = RingBuilder.load(str(bdir / "object-0.builder"))
    for dev in builder.devs[:3]:
        builder.set_dev_weight(dev["id"], 0.0)
    builder.save(str(bdir / "object-0.builder"))
    before = (bdir / "object-0.builder").read_bytes()
    _unused, rmap = replica_map(bdir / "object-0.builder")
    assert any(all(row[p] < 3 for row in rmap) for p in range(len(rmap[0])))
    run = run_tasks(tmp_path, [ring_task(bdir, devs[3:], replicas=2, task="remove",
                                         pretend_min_part_hours_passed=True)])
    res = run.result("remove")
    assert run.rc != 0 and "would lose every copy" in res["msg"] and "10.9.0.1:6200" in res["msg"]
    assert (bdir / "object-0.builder").read_bytes() == before


def test_rebalance_with_warnings_is_a_success(tmp_path):
    """Two zones, one much heavier than the other, three replicas: Swift warns about dispersion."""
    bdir = tmp_path / "swift"
    devs = devices(2, per_node=2)
    devs = [dict(d, weight=1000.0) if d["zone"] == 1 else dict(d, weight=10.0) for d in devs]
    run = run_tasks(tmp_path, [ring_task(bdir, devs, task="lopsided")])
    res = run.result("lopsided")
    assert run.rc == 0, run.stdout + run.stderr
    assert res["changed"] and res["ring_warnings"]
    assert res["dispersion"] > 0 or res["balance"] > 5
    # the CLI says the same thing with exit code 1
    proc = srb(bdir / "object-0.builder", "rebalance", "--force")
    assert proc.returncode in (0, 1), proc.stdout


@pytest.mark.parametrize("nodes, per_node, zones", [(3, 4, None), (5, 2, {1: 1, 2: 1, 3: 2, 4: 2, 5: 3})])
def test_balance_and_dispersion_match_the_cli(tmp_path, nodes, per_node, zones):
    devs = devices(nodes, per_node=per_node, zones=zones)
    devs[0]["weight"] = 50.0
    ours = tmp_path / "ours"
    run = run_tasks(tmp_path, [ring_task(ours, devs, part_power=12, task="ours")])
    assert run.rc == 0, run.stdout + run.stderr
    res = run.result("ours")

    cli = tmp_path / "cli"
    cli.mkdir()
    builder = cli / "object-0.builder"
    assert srb(builder, "create", 12, 3, 1).returncode == 0
    args = []
    for d in devs:
        args += ["r%dz%d-%s:%d/%s" % (d["region"], d["zone"], d["ip"], d["port"], d["device"]), d["weight"]]
    proc = srb(builder, "add", *args)
    assert proc.returncode == 0, proc.stdout
    proc = srb(builder, "rebalance", 7)  # the module's seed (ring_task): same seed, same device order
    assert proc.returncode in (0, 1), proc.stdout
    cli_builder = RingBuilder.load(str(builder))
    assert res["balance"] == round(cli_builder.get_balance(), 4)
    assert res["dispersion"] == round(cli_builder.dispersion, 4)
    # same seed and same devices: the module places every partition replica exactly where the CLI does
    assert replica_map(ours / "object-0.builder")[1] == replica_map(builder)[1]
    for path in (ours / "object-0.builder", builder):
        assert srb(path, "validate").returncode == 0
    # both rings hold the same devices
    ring_ours = Ring(str(ours), ring_name="object-0")
    ring_cli = Ring(str(cli), ring_name="object-0")
    key = sorted((d["ip"], d["port"], d["device"], d["weight"]) for d in ring_ours.devs if d)
    assert key == sorted((d["ip"], d["port"], d["device"], d["weight"]) for d in ring_cli.devs if d)


def _check_every_partition(builder_file, removed_keys):
    """Every replica maps to an existing device; no partition has all replicas on removed devices."""
    builder, rmap = replica_map(builder_file)
    ids = {d["id"] for d in builder.devs if d is not None}
    removed_ids = {d["id"] for d in builder.devs if d is not None and (d["ip"], d["device"]) in removed_keys}
    weighted = {d["id"] for d in builder.devs if d is not None and d["weight"] > 0}
    for part in range(builder.parts):
        holders = [row[part] for row in rmap]
        assert all(h in ids for h in holders), "partition %d maps to a missing device" % part
        assert not all(h in removed_ids for h in holders), "partition %d only on removed devices" % part
        assert any(h in weighted for h in holders), "partition %d has no replica on a weighted device" % part
    return builder


def test_growth_two_to_four_nodes_then_drain_one(tmp_path):
    """One playbook: every run of swift_ring is followed by a snapshot of the builder, checked afterwards."""
    bdir = tmp_path / "swift"
    snaps = tmp_path / "snaps"
    snaps.mkdir()
    step = 40.0
    two, four = devices(2, per_node=2), devices(4, per_node=2)
    three = [d for d in four if d["ip"] != "10.9.0.1"]
    tasks = []

    def stage(name, devs, pretend=True):
        tasks.append(ring_task(bdir, devs, replicas=2, task=name, weight_step=step,
                               pretend_min_part_hours_passed=pretend))
        tasks.append({"name": "snapshot " + name, "ansible.builtin.copy": {
            "src": str(bdir / "object-0.builder"), "dest": str(snaps / (name + ".builder")), "mode": "0644"}})

    stage("two", two)
    for n in range(4):
        stage("grow%d" % n, four)
    stage("deferred", three, pretend=False)
    for n in range(5):
        stage("shrink%d" % n, three)
    run = run_tasks(tmp_path, tasks)
    assert run.rc == 0, run.stdout + run.stderr
    assert run.result("two")["converged"]

    # Growth: 0 -> 40 -> 80 -> 100 over three runs, partitions moved every run, then nothing to do.
    removed = {("10.9.0.1", "d0"), ("10.9.0.1", "d1")}
    grow = []
    for n in range(4):
        res = run.result("grow%d" % n)
        builder = _check_every_partition(snaps / ("grow%d.builder" % n), set())
        weights = sorted({d["weight"] for d in builder.devs if d and d["ip"] in ("10.9.0.3", "10.9.0.4")})
        grow.append((res["parts_moved"] > 0, weights, res["converged"], res["changed"]))
    assert grow == [(True, [40.0], False, True), (True, [80.0], False, True), (True, [100.0], True, True),
                    (False, [100.0], True, False)]

    # Without pretend, min_part_hours defers the next change.
    res = run.result("deferred")
    assert not res["changed"] and res["deferred"] and "min_part_hours" in res["ring_warnings"][0]

    # Drain node 1 by steps (100 -> 60 -> 20 -> 0), then remove it; every step keeps a replica of every partition.
    phases = []
    for n in range(5):
        res = run.result("shrink%d" % n)
        phase = "remove" if res["plan"]["remove"] else "drain" if res["plan"]["drain"] else "done"
        phases.append((phase, res["parts_moved"] > 0, res["removed_devices"], res.get("degraded_partitions")))
        _check_every_partition(snaps / ("shrink%d.builder" % n), removed if phase == "drain" else set())
    # the drained devices hold no partition any more when they are removed
    assert phases == [("drain", True, 0, None)] * 3 + [("remove", False, 2, 0), ("done", False, 0, None)]
    builder = RingBuilder.load(str(bdir / "object-0.builder"))
    assert not [d for d in builder.devs if d and d["ip"] == "10.9.0.1"]
    assert srb(bdir / "object-0.builder", "validate").returncode == 0


# ------------------------------------------------------------------------------------ drives

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="loop devices and mount need root")


def _sh(*args, **kw):
    return subprocess.run([str(a) for a in args], check=False, capture_output=True, text=True, timeout=60, **kw)


@pytest.fixture
def loop_drives(tmp_path):
    """Two 400 MiB sparse image files on loop devices; unmounted and detached in teardown."""
    loops = []
    for n in range(2):
        img = tmp_path / ("disk%d.img" % n)
        with open(str(img), "wb") as handle:
            handle.truncate(400 * 1024 * 1024)
        proc = _sh("losetup", "-f", "--show", img)
        assert proc.returncode == 0, proc.stderr
        loops.append(proc.stdout.strip())
    root = tmp_path / "node"
    yield loops, root
    with open("/proc/mounts") as handle:
        mounted = [line.split()[1] for line in handle if str(root) in line]
    for target in reversed(mounted):
        _sh("umount", "-l", target)
    for loop in loops:
        _sh("partx", "-d", loop)
        _sh("losetup", "-d", loop)


def drive_task(task, device, label, root, fstab, **extra):
    args = {"device": device, "label": label, "mount_root": str(root), "fstab": str(fstab), "owner": "nobody"}
    args.update(extra)
    return {"name": task, "helion.openstack.swift_drive": args}


@needs_root
def test_drive_prepare_idempotent_refuse_and_force(tmp_path, loop_drives):
    (blank, used), root = loop_drives
    fstab = tmp_path / "fstab"
    fstab.write_text("UUID=abc / ext4 defaults 0 1\n")
    assert _sh("mkfs.xfs", "-q", "-f", "-L", "olddata", used).returncode == 0

    run = run_tasks(tmp_path, [
        drive_task("check", blank, "sdb", root, fstab),
    ], check=True, diff=True)
    res = run.result("check")
    assert run.rc == 0 and res["changed"] and res["formatted"]
    assert not (root / "sdb").exists() and "sdb" not in fstab.read_text()

    run = run_tasks(tmp_path, [
        drive_task("prepare", blank, "sdb", root, fstab),
        drive_task("again", blank, "sdb", root, fstab),
    ], diff=True)
    assert run.rc == 0, run.stdout + run.stderr
    res = run.result("prepare")
    assert res["changed"] and res["formatted"] and res["partition"] == blank + "p1"
    assert not run.result("again")["changed"] and run.result("again")["actions"] == []
    probe = _sh("blkid", "-p", "-o", "export", blank + "p1").stdout
    assert "TYPE=xfs" in probe and "LABEL=sdb" in probe
    assert "PTTYPE=gpt" in _sh("blkid", "-p", "-o", "export", blank).stdout
    lines = fstab.read_text().splitlines()
    assert lines == ["UUID=abc / ext4 defaults 0 1", "LABEL=sdb %s/sdb xfs noatime,nodiratime,nofail 0 0" % root]
    with open("/proc/mounts") as handle:
        assert any(line.split()[:3] == [blank + "p1", "%s/sdb" % root, "xfs"] for line in handle)
    st = os.stat(str(root / "sdb"))
    assert st.st_uid == pwd.getpwnam("nobody").pw_uid

    # A drive holding a filesystem is refused, unless force.
    run = run_tasks(tmp_path, [drive_task("refuse", used, "sdc", root, fstab)])
    res = run.result("refuse")
    assert run.rc != 0 and "refusing to format" in res["msg"] and "labelled olddata" in res["msg"]
    assert "LABEL=olddata" in _sh("blkid", "-p", "-o", "export", used).stdout

    # Forcing a mounted drive is refused too.
    run = run_tasks(tmp_path, [drive_task("busy", blank, "other", root, fstab, force=True)])
    assert run.rc != 0 and "is mounted" in run.result("busy")["msg"]

    run = run_tasks(tmp_path, [drive_task("force", used, "sdc", root, fstab, force=True, partition=False)])
    res = run.result("force")
    assert run.rc == 0, run.stdout + run.stderr
    assert res["formatted"] and "olddata" in res["found"] and res["partition"] == used
    assert "LABEL=sdc" in _sh("blkid", "-p", "-o", "export", used).stdout
    assert len(fstab.read_text().splitlines()) == 3


@needs_root
def test_drive_owner_must_exist(tmp_path, loop_drives):
    (blank, _used), root = loop_drives
    run = run_tasks(tmp_path, [drive_task("owner", blank, "sdb", root, tmp_path / "fstab",
                                          owner="no-such-user-here")])
    assert run.rc != 0 and "no-such-user-here: no such user" in run.result("owner")["msg"]
    assert "PTTYPE" not in _sh("blkid", "-p", "-o", "export", blank).stdout


# ------------------------------------------------------------------------------------ role / playbooks

LAB = os.path.join(ROOT, "inventories", "lab")


def _lab_model(tmp_path):
    """A copy of the lab model without group_vars (the vault there needs a password the rings do not use)."""
    model = tmp_path / "lab-model"
    if not model.exists():
        shutil.copytree(LAB, str(model), ignore=shutil.ignore_patterns("group_vars", "host_vars"))
    return str(model / "inventory.yml")


def _playbook(tmp_path, name, *extra, check=False, diff=False):
    cmd = [os.path.join(VENV_BIN, "ansible-playbook"), "helion.openstack.%s" % name, "-i", _lab_model(tmp_path),
           "-c", "local", "-e", "ansible_python_interpreter=" + sys.executable,
           "-e", "swift_rings_builder_dir=%s" % (tmp_path / "builder"),
           "-e", "swift_rings_dest_dir=%s/dest/{{ inventory_hostname }}" % tmp_path] + list(extra)
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=600, cwd=ROOT, env=ansible_env())
    return PlaybookRun(proc)


def test_rings_playbook_on_the_lab_model(tmp_path):
    builder = "lab-swift1"
    run = _playbook(tmp_path, "swift_rings_compare", diff=True)
    assert run.rc == 0, run.stdout + run.stderr
    compare = run.result("helion.openstack.swift_rings : Compare each ring with the model (check mode, diff)", builder)
    assert [r["item"]["name"] for r in compare["results"]] == ["account", "container", "object-0"]
    assert all(r["changed"] and r["created"] for r in compare["results"])
    assert "172.30.3.13:6200 R172.30.3.13:6200 /sdc" in compare["results"][2]["diff"]["after"]
    assert not (tmp_path / "builder").exists() or not os.listdir(str(tmp_path / "builder"))

    run = _playbook(tmp_path, "swift_rings")
    assert run.rc == 0, run.stdout + run.stderr
    for name in ("account", "container", "object-0"):
        ring = Ring(str(tmp_path / "builder"), ring_name=name)
        assert ring.replica_count == 2 and ring.partition_count == 1024
        expected = 4 if name == "object-0" else 2
        assert len([d for d in ring.devs if d]) == expected
        assert {d["ip"] for d in ring.devs if d} == {"172.30.3.13", "172.30.3.14"}
        assert {d["zone"] for d in ring.devs if d} == {1, 2}
        for host in ("lab-swift1", "lab-swift2"):
            dest = tmp_path / "dest" / host / ("%s.ring.gz" % name)
            assert dest.read_bytes() == (tmp_path / "builder" / ("%s.ring.gz" % name)).read_bytes()
        assert srb(tmp_path / "builder" / ("%s.builder" % name), "validate").returncode == 0

    run = _playbook(tmp_path, "swift_rings")
    assert run.rc == 0, run.stdout + run.stderr
    assert run.stats and all(s.get("changed", 0) == 0 for s in run.stats.values()), run.stats

    # A distributed ring that drifts is put back, and the verification passes again.
    (tmp_path / "dest" / "lab-swift2" / "account.ring.gz").write_bytes(b"junk")
    run = _playbook(tmp_path, "swift_rings")
    assert run.rc == 0, run.stdout + run.stderr
    assert run.stats["lab-swift2"]["changed"] == 1 and run.stats["lab-swift1"].get("changed", 0) == 0
