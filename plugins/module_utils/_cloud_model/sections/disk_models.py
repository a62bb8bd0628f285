# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Section `disk_models`: the OS disk and what each other disk is for (Swift, VSA, Cinder LVM).

This module util is PRIVATE to the collection. Checks: each device used once, Swift devices
name known rings and only Swift devices hold rings. Plan: helion_disks of each host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.errors import did_you_mean
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.model import index_by_name
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.schema import NAME, STR

DISK_CONSUMERS = ["swift", "vsa", "cinder_lvm"]

SCHEMA = {
    "disk_models": {
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "os_disk"],
            "properties": {
                "name": NAME,
                "os_disk": STR,
                "devices": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name", "consumer"],
                        "properties": {
                            "name": STR,
                            "consumer": {"enum": DISK_CONSUMERS},
                            "size_gb": {"type": "number", "exclusiveMinimum": 0},
                            "rings": {"type": "array", "items": NAME},
                        },
                    },
                },
            },
        },
    },
}
REQUIRED = ("disk_models",)


def index(model):
    model.dmodels = index_by_name(model.data["disk_models"], ("disk_models",), model.findings, "disk model")


def check(model):
    f = model.findings
    ring_names = [r["name"] for r in (model.data.get("swift") or {}).get("rings", [])]
    for name, (pos, dmodel) in model.dmodels.items():
        seen = {dmodel["os_disk"]: "os_disk"}
        for dpos, dev in enumerate(dmodel.get("devices", [])):
            dpath = ("disk_models", pos, "devices", dpos)
            if dev["name"] in seen:
                f.error(dpath + ("name",), "device %s is used twice in disk model '%s' (also as %s)"
                        % (dev["name"], name, seen[dev["name"]]), "give each device one use.")
            seen[dev["name"]] = dev["consumer"]
            if dev["consumer"] == "swift":
                if not dev.get("rings"):
                    f.error(dpath, "a swift device must say which rings it holds",
                            "add 'rings: [object-0]' (or account, container).")
                for rpos, ring in enumerate(dev.get("rings", [])):
                    if ring not in ring_names:
                        f.error(dpath + ("rings", rpos), "unknown ring '%s'%s" % (ring, did_you_mean(ring, ring_names)),
                                "define the ring under swift.rings or use one of: %s."
                                % (", ".join(ring_names) or "(no rings defined)"))
            elif dev.get("rings"):
                f.error(dpath + ("rings",), "only swift devices hold rings, not %s devices" % dev["consumer"],
                        "remove 'rings' or set consumer: swift.")


def contribute(model, plan):
    for name, hostvars in plan["hosts"].items():
        role = model.roles[model.servers[name][1]["role"]][1]
        dmodel = model.dmodels[role["disk_model"]][1]
        hostvars["helion_disks"] = {"os_disk": dmodel["os_disk"],
                                    "devices": [dict(d) for d in dmodel.get("devices", [])]}
