#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: swift_drive
short_description: Prepare a drive for Swift (GPT partition, labelled XFS, fstab mount, ownership)
version_added: 0.1.0
description:
  - Prepares one drive that the disk model gives to Swift. It creates a GPT label with one partition
    (1 MiB to the end), makes an XFS filesystem with the label O(label) on it, adds
    a C(LABEL=<label>) line to fstab, mounts it on C(<mount_root>/<label>) and gives the mounted directory to the
    Swift user.
  - A drive already prepared (one GPT partition holding XFS with the expected label) is left alone; only the fstab
    line, the mount and the ownership are checked.
  - Refuses to touch a drive that holds a filesystem, a partition table or partitions, unless O(force) is set.
    Never formats a drive that is mounted.
requirements:
  - util-linux (blkid, partx, wipefs, mount), parted and xfsprogs on the target.
extends_documentation_fragment:
  - helion.openstack.attributes
attributes:
  check_mode:
    support: full
    details: Inspects the drive and reports in RV(actions) what it would do.
  diff_mode:
    support: full
    details: The diff shows the state of the drive (filesystem, label, fstab line, mount) before and after.
options:
  device:
    description: The drive, for example C(/dev/sdb).
    type: path
    required: true
  label:
    description: The XFS label, also the directory name under O(mount_root) and the device name in the rings.
    type: str
    required: true
  mount_root:
    description: The Swift devices root.
    type: path
    default: /srv/node
  partition:
    description: Create a GPT partition table with one partition. V(false) puts XFS on the whole drive.
    type: bool
    default: true
  force:
    description: Wipe a drive that holds a filesystem, a partition table or partitions. Every byte on it is lost.
    type: bool
    default: false
  owner:
    description: The owner of the mounted directory. Defaults to C(swift); the module fails when neither this nor
      a C(swift) user exists.
    type: str
  group:
    description: The group of the mounted directory. Defaults to the owner's primary group.
    type: str
  mount_options:
    description: The XFS mount options.
    type: str
    default: noatime,nodiratime,nofail
  mkfs_options:
    description:
      - Extra C(mkfs.xfs) options. The xfsprogs defaults (512-byte inodes with CRCs) suit Swift; older guides'
        C(-i size=256) is refused by current xfsprogs.
    type: list
    elements: str
    default: []
  fstab:
    description: The fstab file to update.
    type: path
    default: /etc/fstab
author:
  - helion.openstack contributors (@helion-openstack)
"""

EXAMPLES = r"""
- name: Prepare the Swift drives of the disk model
  helion.openstack.swift_drive:
    device: "{{ item.name }}"
    label: "{{ item.name | basename }}"
  loop: "{{ helion_disks.devices | selectattr('consumer', 'equalto', 'swift') }}"
  loop_control:
    label: "{{ item.name }}"
"""

RETURN = r"""
device:
  description: The drive (symlinks resolved).
  returned: always
  type: str
  sample: /dev/sdb
partition:
  description: The block device holding the filesystem.
  returned: always
  type: str
  sample: /dev/sdb1
label:
  description: The filesystem label.
  returned: always
  type: str
  sample: sdb
mount_point:
  description: Where the filesystem is mounted.
  returned: always
  type: str
  sample: /srv/node/sdb
fstab_line:
  description: The fstab line for the drive.
  returned: always
  type: str
  sample: LABEL=sdb /srv/node/sdb xfs noatime,nodiratime,nofail 0 0
formatted:
  description: Whether the drive was (or, in check mode, would be) partitioned and formatted.
  returned: always
  type: bool
  sample: true
found:
  description: What was on the drive before it was wiped with O(force); null when it was blank or ready.
  returned: always
  type: str
  sample: holds a ext4 filesystem
actions:
  description: What the module did (or would do in check mode).
  returned: always
  type: list
  elements: str
  sample: ["create a GPT label and one partition (1MiB-100%) on /dev/sdb", "mount /dev/sdb1 on /srv/node/sdb"]
owner:
  description: The owner given to the mount point.
  returned: always
  type: str
  sample: swift
"""

import grp
import pwd
import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.helion.openstack.plugins.module_utils._swift_drive import (
    DriveManager,
    SwiftDriveError,
)


def resolve_owner(owner, group):
    """(name, uid, gid) of the owner; SwiftDriveError when it does not exist."""
    name = owner or "swift"
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        if owner:
            raise SwiftDriveError("owner %s: no such user" % owner) from None
        raise SwiftDriveError("the swift user does not exist on this host: install Swift first or set owner") from None
    gid = entry.pw_gid
    if group:
        try:
            gid = grp.getgrnam(group).gr_gid
        except KeyError:
            raise SwiftDriveError("group %s: no such group" % group) from None
    return name, entry.pw_uid, gid


def main():
    module = AnsibleModule(
        argument_spec=dict(
            device=dict(type="path", required=True),
            label=dict(type="str", required=True),
            mount_root=dict(type="path", default="/srv/node"),
            partition=dict(type="bool", default=True),
            force=dict(type="bool", default=False),
            owner=dict(type="str"),
            group=dict(type="str"),
            mount_options=dict(type="str", default="noatime,nodiratime,nofail"),
            mkfs_options=dict(type="list", elements="str", default=[]),
            fstab=dict(type="path", default="/etc/fstab"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    for tool in ("blkid", "partx", "wipefs", "mount", "mkfs.xfs") + (("parted",) if p["partition"] else ()):
        module.get_bin_path(tool, required=True, opt_dirs=["/usr/sbin", "/sbin"])

    def run(args):
        args = list(args)
        args[0] = module.get_bin_path(args[0], opt_dirs=["/usr/sbin", "/sbin"]) or args[0]
        return module.run_command(args)

    try:
        name, uid, gid = resolve_owner(p["owner"], p["group"])
        manager = DriveManager(run, check_mode=module.check_mode)
        result = manager.prepare(
            p["device"], p["label"], mount_root=p["mount_root"], partition=p["partition"], force=p["force"],
            fstab=p["fstab"], mount_options=p["mount_options"], mkfs_options=p["mkfs_options"], uid=uid, gid=gid,
            owner=name)
    except SwiftDriveError as exc:
        module.fail_json(msg=str(exc), exception=traceback.format_exc())
    module.exit_json(**result.module_result(diff_mode=module._diff and result.changed, owner=name))


if __name__ == "__main__":
    main()
