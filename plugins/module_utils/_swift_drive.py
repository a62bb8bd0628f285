# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Swift drive preparation: GPT partition, XFS with a label, fstab entry, mount, ownership.

This module util is PRIVATE to the collection. It is not part of its public API.

The decisions (is the drive already prepared, may it be formatted, what changes in fstab) are
pure functions; :class:`DriveManager` runs the commands (``blkid``, ``partx``, ``parted``,
``wipefs``, ``mkfs.xfs``, ``mount``) through a ``run(args) -> (rc, stdout, stderr)`` callable;
:meth:`DriveManager.prepare` returns an :class:`EnsureResult`. Every error is raised as
:class:`SwiftDriveError`, naming the drive and the cause.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import time

from ansible_collections.helion.openstack.plugins.module_utils._result import EnsureResult

MAX_LABEL_LEN = 12
DEFAULT_MOUNT_OPTIONS = "noatime,nodiratime,nofail"
SECTOR = 512


class SwiftDriveError(Exception):
    """A Swift drive could not be inspected or prepared."""


def check_label(label):
    if not label or len(label) > MAX_LABEL_LEN or not re.match(r"^[A-Za-z0-9_-]+$", label):
        raise SwiftDriveError("label %r: an XFS label for Swift must be 1-%d characters of letters, digits, "
                              "'-' and '_'" % (label, MAX_LABEL_LEN))


def partition_path(device, number=1):
    """``/dev/sdb`` -> ``/dev/sdb1``; ``/dev/nvme0n1``, ``/dev/loop0`` -> ``...p1``."""
    if device[-1:].isdigit():
        return "%sp%d" % (device, number)
    return "%s%d" % (device, number)


def parse_export(text):
    """``KEY=value`` lines (``blkid -o export``) to a dict."""
    out = {}
    for line in text.splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            out[key.strip()] = value.strip()
    return out


def parse_partx(text):
    """``partx -g -r -o NR,START,SECTORS`` output to [{nr, start, sectors}]."""
    parts = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 3 and all(f.isdigit() for f in fields):
            parts.append({"nr": int(fields[0]), "start": int(fields[1]), "sectors": int(fields[2])})
    return parts


def decide(inspection, label, partition=True, force=False):
    """What to do with a drive: ``ready`` (leave it), ``format`` or ``refuse`` (with the reason).

    ``inspection`` holds ``whole`` (blkid probe of the device: TYPE, LABEL, PTTYPE),
    ``partitions`` (partx list) and ``first`` (blkid probe of partition 1, or {}).
    """
    whole = inspection.get("whole") or {}
    parts = inspection.get("partitions") or []
    first = inspection.get("first") or {}
    if partition:
        if (whole.get("PTTYPE") == "gpt" and len(parts) == 1 and first.get("TYPE") == "xfs"
                and first.get("LABEL") == label):
            return "ready", None
    elif whole.get("TYPE") == "xfs" and whole.get("LABEL") == label and not parts:
        return "ready", None
    found = []
    if whole.get("PTTYPE"):
        found.append("a %s partition table" % whole["PTTYPE"])
    if parts:
        found.append("%d partition(s)" % len(parts))
    if whole.get("TYPE"):
        label = " labelled %s" % whole["LABEL"] if whole.get("LABEL") else ""
        found.append("a %s filesystem%s" % (whole["TYPE"], label))
    if first.get("TYPE"):
        found.append("a %s filesystem%s on partition 1" % (
            first["TYPE"], " labelled %s" % first["LABEL"] if first.get("LABEL") else ""))
    if not found:
        return "format", None
    reason = "holds %s" % ", ".join(found)
    if force:
        return "format", reason
    return "refuse", reason


def fstab_entry(label, mount_point, options=DEFAULT_MOUNT_OPTIONS):
    return "LABEL=%s %s xfs %s 0 0" % (label, mount_point, options)


def update_fstab(text, label, mount_point, options=DEFAULT_MOUNT_OPTIONS):
    """The fstab text with exactly one line for mount_point (by label). Returns (text, changed)."""
    wanted = fstab_entry(label, mount_point, options)
    out = []
    found = False
    changed = False
    for line in text.splitlines():
        fields = line.split()
        if fields and not fields[0].startswith("#") and len(fields) >= 2 and (
                fields[1] == mount_point or fields[0] == "LABEL=%s" % label):
            if found:
                changed = True
                continue
            found = True
            if line.strip() != wanted:
                changed = True
            out.append(wanted)
            continue
        out.append(line)
    if not found:
        out.append(wanted)
        changed = True
    return "\n".join(out) + "\n", changed


def parse_mounts(text):
    """/proc/mounts to [(source, target)] with octal escapes decoded."""
    out = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 2:
            out.append(tuple(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), f) for f in fields[:2]))
    return out


class DriveManager(object):
    """Prepares one drive. ``run(args)`` returns (rc, stdout, stderr)."""

    def __init__(self, run, check_mode=False, mounts_file="/proc/mounts", settle_timeout=10.0):
        self.run = run
        self.check_mode = check_mode
        self.mounts_file = mounts_file
        self.settle_timeout = settle_timeout
        self.result = EnsureResult()

    def _act(self, text):
        self.result.act(text)

    def _cmd(self, args, ok=(0,)):
        rc, out, err = self.run(args)
        if rc not in ok:
            detail = " / ".join((err or out).strip().splitlines()[:2])
            raise SwiftDriveError("%s: %s failed (rc=%s): %s" % (args[-1], " ".join(args), rc, detail))
        return rc, out

    def probe(self, device, offset=None):
        args = ["blkid", "-p", "-o", "export"]
        if offset:
            args += ["-O", str(offset)]
        rc, out = self._cmd(args + [device], ok=(0, 2))
        return parse_export(out) if rc == 0 else {}

    def inspect(self, device):
        if not os.path.exists(device):
            raise SwiftDriveError("%s: no such device" % device)
        whole = self.probe(device)
        parts = []
        first = {}
        if whole.get("PTTYPE"):
            rc, out = self._cmd(["partx", "-g", "-r", "-o", "NR,START,SECTORS", device], ok=(0, 1))
            parts = parse_partx(out) if rc == 0 else []
            ones = [p for p in parts if p["nr"] == 1]
            if ones:
                first = self.probe(device, ones[0]["start"] * SECTOR)
        return {"whole": whole, "partitions": parts, "first": first}

    def mounts(self):
        with open(self.mounts_file) as handle:
            return parse_mounts(handle.read())

    def _wait_for_node(self, device, part):
        deadline = time.time() + self.settle_timeout
        tried_add = False
        while not os.path.exists(part):
            if time.time() > deadline:
                raise SwiftDriveError("%s: partition node %s did not appear within %.0f s"
                                      % (device, part, self.settle_timeout))
            if not tried_add:
                self.run(["partx", "-u", device])
                self.run(["partx", "-a", device])
                tried_add = True
            time.sleep(0.2)

    def prepare(self, device, label, mount_root="/srv/node", partition=True, force=False,
                fstab="/etc/fstab", mount_options=DEFAULT_MOUNT_OPTIONS, mkfs_options=(),
                uid=None, gid=None, mode=0o755, owner=None):
        """Prepare the drive. Returns an EnsureResult: the actions (what was done, or in check mode what would
        be), the resource (device, partition, label, mount_point, fstab_line, formatted, found) and a text diff
        (what the drive held before; the filesystem, fstab line, mount and ``owner`` after)."""
        check_label(label)
        device = os.path.realpath(device)
        mount_point = os.path.join(mount_root, label)
        part = partition_path(device) if partition else device
        inspection = self.inspect(device)
        verdict, reason = decide(inspection, label, partition, force)
        self.result = EnsureResult(resource={
            "device": device, "partition": part, "label": label, "mount_point": mount_point,
            "fstab_line": fstab_entry(label, mount_point, mount_options), "formatted": False, "found": reason})
        result = self.result.resource
        mounted = self.mounts()
        if verdict == "refuse":
            raise SwiftDriveError(
                "%s: refusing to format it: it %s. Set force to wipe it (every byte on it is lost), or give "
                "Swift a blank drive" % (device, reason))
        if verdict == "format":
            busy = [src for src, _tgt in mounted if src == device or src.startswith(device)]
            if busy:
                raise SwiftDriveError("%s: refusing to format it: %s is mounted" % (device, busy[0]))
            self._format(device, part, label, partition, force, mkfs_options)
            result["formatted"] = True
        elif partition and not os.path.exists(part):
            self._act("tell the kernel about the partitions of %s" % device)
            if not self.check_mode:
                self._wait_for_node(device, part)

        self._ensure_fstab(fstab, label, mount_point, mount_options)
        self._ensure_mount(device, part, mount_point, mount_options, mounted)
        self._ensure_owner(mount_point, uid, gid, mode)
        if owner is None:
            owner = "%s:%s" % (uid, gid) if uid is not None else "unchanged"
        self.result.set_diff(
            "%s\n" % (reason or ("ready" if not result["formatted"] else "blank")),
            "\n".join(["xfs label %s on %s" % (label, part), result["fstab_line"],
                       "mounted on %s, owner %s" % (mount_point, owner)]) + "\n")
        return self.result

    def _format(self, device, part, label, partition, force, mkfs_options):
        if force:
            self._act("wipe every signature on %s" % device)
        if partition:
            self._act("create a GPT label and one partition (1MiB-100%%) on %s" % device)
        self._act(" ".join(["mkfs.xfs"] + list(mkfs_options) + ["-L", label, part]))
        if self.check_mode:
            return
        if force:
            if partition and os.path.exists(part):
                self._cmd(["wipefs", "-a", part], ok=(0, 1))
            self._cmd(["wipefs", "-a", device])
        if partition:
            self._cmd(["parted", "-s", "-a", "optimal", device, "mklabel", "gpt",
                       "mkpart", label, "xfs", "1MiB", "100%"])
            self._wait_for_node(device, part)
        self._cmd(["mkfs.xfs", "-f"] + list(mkfs_options) + ["-L", label, part])

    def _ensure_fstab(self, fstab, label, mount_point, options):
        text = ""
        if os.path.exists(fstab):
            with open(fstab) as handle:
                text = handle.read()
        new, changed = update_fstab(text, label, mount_point, options)
        if not changed:
            return
        self._act("set the fstab line for %s in %s" % (mount_point, fstab))
        if self.check_mode:
            return
        tmp = fstab + ".swift-drive.tmp"
        with open(tmp, "w") as handle:
            handle.write(new)
        if os.path.exists(fstab):
            st = os.stat(fstab)
            os.chmod(tmp, st.st_mode & 0o7777)
        os.rename(tmp, fstab)

    def _ensure_mount(self, device, part, mount_point, options, mounted):
        here = [src for src, tgt in mounted if tgt == mount_point]
        if here:
            if os.path.realpath(here[-1]) != os.path.realpath(part):
                raise SwiftDriveError("%s: %s is already mounted from %s" % (device, mount_point, here[-1]))
            return
        if not os.path.isdir(mount_point):
            self._act("create %s" % mount_point)
            if not self.check_mode:
                os.makedirs(mount_point, mode=0o755)
        self._act("mount %s on %s" % (part, mount_point))
        if not self.check_mode:
            self._cmd(["mount", "-t", "xfs", "-o", options, part, mount_point])

    def _ensure_owner(self, mount_point, uid, gid, mode):
        if uid is None:
            return
        if not os.path.isdir(mount_point):
            self._act("set the owner of %s to %s:%s" % (mount_point, uid, gid))
            return
        st = os.stat(mount_point)
        if (st.st_uid, st.st_gid) != (uid, gid):
            self._act("set the owner of %s to %s:%s" % (mount_point, uid, gid))
            if not self.check_mode:
                os.chown(mount_point, uid, gid)
        if mode is not None and (st.st_mode & 0o7777) != mode:
            self._act("set the mode of %s to %o" % (mount_point, mode))
            if not self.check_mode:
                os.chmod(mount_point, mode)
