# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.helion.openstack.plugins.module_utils import _swift_drive as sd
from ansible_collections.helion.openstack.plugins.module_utils._result import EnsureResult
from ansible_collections.helion.openstack.plugins.module_utils._swift_drive import SwiftDriveError


@pytest.mark.parametrize("device, expected", [
    ("/dev/sdb", "/dev/sdb1"), ("/dev/vdc", "/dev/vdc1"), ("/dev/nvme0n1", "/dev/nvme0n1p1"),
    ("/dev/loop3", "/dev/loop3p1"), ("/dev/mmcblk0", "/dev/mmcblk0p1"),
])
def test_partition_path(device, expected):
    assert sd.partition_path(device) == expected


@pytest.mark.parametrize("label, ok", [("sdb", True), ("obj-1_a", True), ("", False), ("a" * 13, False),
                                       ("a b", False), ("a/b", False)])
def test_check_label(label, ok):
    if ok:
        sd.check_label(label)
    else:
        with pytest.raises(SwiftDriveError):
            sd.check_label(label)


GPT_ONE = {"nr": 1, "start": 2048, "sectors": 100000}

READY = {"whole": {"PTTYPE": "gpt"}, "partitions": [GPT_ONE], "first": {"TYPE": "xfs", "LABEL": "sdb"}}


@pytest.mark.parametrize("inspection, partition, force, verdict, reason", [
    ({"whole": {}, "partitions": [], "first": {}}, True, False, "format", None),
    ({"whole": {}, "partitions": [], "first": {}}, False, False, "format", None),
    (READY, True, False, "ready", None),
    (READY, True, True, "ready", None),
    ({"whole": {"TYPE": "xfs", "LABEL": "sdb"}, "partitions": [], "first": {}}, False, False, "ready", None),
    # the wrong label is data, not ours
    (dict(READY, first={"TYPE": "xfs", "LABEL": "other"}), True, False, "refuse",
     "a xfs filesystem labelled other on partition 1"),
    ({"whole": {"TYPE": "ext4"}, "partitions": [], "first": {}}, True, False, "refuse", "a ext4 filesystem"),
    ({"whole": {"TYPE": "ext4"}, "partitions": [], "first": {}}, True, True, "format", "a ext4 filesystem"),
    ({"whole": {"PTTYPE": "dos"}, "partitions": [GPT_ONE, dict(GPT_ONE, nr=2)], "first": {}}, True, False,
     "refuse", "a dos partition table, 2 partition(s)"),
    ({"whole": {"PTTYPE": "gpt"}, "partitions": [], "first": {}}, True, False, "refuse", "a gpt partition table"),
    # a ready whole-disk filesystem is data when a partition is wanted
    ({"whole": {"TYPE": "xfs", "LABEL": "sdb"}, "partitions": [], "first": {}}, True, False, "refuse",
     "a xfs filesystem labelled sdb"),
    # two partitions, even with the right label on the first
    (dict(READY, partitions=[GPT_ONE, dict(GPT_ONE, nr=2)]), True, False, "refuse", "2 partition(s)"),
])
def test_decide(inspection, partition, force, verdict, reason):
    got_verdict, got_reason = sd.decide(inspection, "sdb", partition, force)
    assert got_verdict == verdict
    if reason is None:
        assert got_reason is None
    else:
        assert reason in got_reason


LINE = "LABEL=sdb /srv/node/sdb xfs noatime,nodiratime,nofail 0 0"


@pytest.mark.parametrize("before, after, changed", [
    ("", LINE + "\n", True),
    ("UUID=1 / ext4 defaults 0 1\n", "UUID=1 / ext4 defaults 0 1\n" + LINE + "\n", True),
    ("UUID=1 / ext4 defaults 0 1\n" + LINE + "\n", "UUID=1 / ext4 defaults 0 1\n" + LINE + "\n", False),
    ("/dev/sdb1 /srv/node/sdb xfs defaults 0 0\n", LINE + "\n", True),
    ("LABEL=sdb /mnt/old xfs defaults 0 0\n", LINE + "\n", True),
    (LINE + "\n" + LINE + "\n", LINE + "\n", True),
    ("# LABEL=sdb /srv/node/sdb xfs x 0 0\n", "# LABEL=sdb /srv/node/sdb xfs x 0 0\n" + LINE + "\n", True),
])
def test_update_fstab(before, after, changed):
    assert sd.update_fstab(before, "sdb", "/srv/node/sdb") == (after, changed)


def test_parsers():
    assert sd.parse_export("DEVNAME=/dev/sdb\nLABEL=sdb\nTYPE=xfs\n") == {
        "DEVNAME": "/dev/sdb", "LABEL": "sdb", "TYPE": "xfs"}
    assert sd.parse_partx("1 2048 817152\n2 819200 100\n") == [
        {"nr": 1, "start": 2048, "sectors": 817152}, {"nr": 2, "start": 819200, "sectors": 100}]
    assert sd.parse_mounts("/dev/sdb1 /srv/node/my\\040disk xfs rw 0 0\n") == [("/dev/sdb1", "/srv/node/my disk")]


class FakeRun(object):
    """Answers blkid/partx like a blank or a used drive; records every command."""

    def __init__(self, whole_rc=2, whole_out=""):
        self.calls = []
        self.whole = (whole_rc, whole_out, "")

    def __call__(self, args):
        self.calls.append(list(args))
        if args[0] == "blkid":
            return self.whole
        return 0, "", ""


def test_manager_refuses_used_drive_without_running_anything(tmp_path):
    device = tmp_path / "disk"
    device.write_bytes(b"")
    mounts = tmp_path / "mounts"
    mounts.write_text("")
    run = FakeRun(0, "TYPE=ext4\n")
    manager = sd.DriveManager(run, mounts_file=str(mounts))
    with pytest.raises(SwiftDriveError) as err:
        manager.prepare(str(device), "sdb", mount_root=str(tmp_path / "node"), fstab=str(tmp_path / "fstab"))
    assert "refusing to format" in str(err.value) and "ext4" in str(err.value) and str(device) in str(err.value)
    assert all(call[0] == "blkid" for call in run.calls)
    assert not (tmp_path / "fstab").exists()


def test_manager_check_mode_reports_and_changes_nothing(tmp_path):
    device = tmp_path / "disk"
    device.write_bytes(b"")
    mounts = tmp_path / "mounts"
    mounts.write_text("")
    run = FakeRun()
    manager = sd.DriveManager(run, check_mode=True, mounts_file=str(mounts))
    result = manager.prepare(str(device), "sdb", mount_root=str(tmp_path / "node"), fstab=str(tmp_path / "fstab"),
                             uid=0, gid=0)
    assert isinstance(result, EnsureResult)
    assert result.changed and result.resource["formatted"] and result.resource["found"] is None
    assert any(a.startswith("create a GPT label") for a in result.actions)
    assert any(a.startswith("mount ") for a in result.actions)
    assert [c[0] for c in run.calls] == ["blkid"]
    assert not (tmp_path / "fstab").exists() and not (tmp_path / "node").exists()
    assert result.diff["before"] == "blank\n"
    assert result.diff["after"].splitlines() == [
        "xfs label sdb on %s1" % device, "LABEL=sdb %s/sdb xfs noatime,nodiratime,nofail 0 0" % (tmp_path / "node"),
        "mounted on %s/sdb, owner 0:0" % (tmp_path / "node")]
    out = result.module_result(diff_mode=False, owner="swift")
    assert sorted(out) == ["actions", "changed", "device", "formatted", "found", "fstab_line", "label",
                           "mount_point", "owner", "partition"]


def test_manager_leaves_a_ready_drive_alone(tmp_path):
    device = tmp_path / "disk"
    device.write_bytes(b"")
    (tmp_path / "disk1").write_bytes(b"")  # the partition node
    node = tmp_path / "node" / "sdb"
    node.mkdir(parents=True)
    fstab = tmp_path / "fstab"
    fstab.write_text("LABEL=sdb %s xfs noatime,nodiratime,nofail 0 0\n" % node)
    mounts = tmp_path / "mounts"
    mounts.write_text("%s1 %s xfs rw 0 0\n" % (device, node))

    class Ready(FakeRun):
        def __call__(self, args):
            self.calls.append(list(args))
            if args[0] == "blkid":
                return (0, "TYPE=xfs\nLABEL=sdb\n", "") if "-O" in args else (0, "PTTYPE=gpt\n", "")
            if args[0] == "partx":
                return 0, "1 2048 1000\n", ""
            return 0, "", ""

    result = sd.DriveManager(Ready(), mounts_file=str(mounts)).prepare(
        str(device), "sdb", mount_root=str(tmp_path / "node"), fstab=str(fstab), owner="swift")
    assert not result.changed and result.actions == [] and not result.resource["formatted"]
    assert result.diff["before"] == "ready\n" and result.diff["after"].endswith("owner swift\n")


def test_manager_refuses_mounted_drive_even_with_force(tmp_path):
    device = tmp_path / "disk"
    device.write_bytes(b"")
    mounts = tmp_path / "mounts"
    mounts.write_text("%s1 /somewhere ext4 rw 0 0\n" % device)
    manager = sd.DriveManager(FakeRun(0, "PTTYPE=gpt\n"), mounts_file=str(mounts))
    with pytest.raises(SwiftDriveError) as err:
        manager.prepare(str(device), "sdb", force=True, mount_root=str(tmp_path / "n"), fstab=str(tmp_path / "f"))
    assert "is mounted" in str(err.value)
