# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Section `swift`: the object storage rings (account, container, object policies).

This module util is PRIVATE to the collection. Checks: rings when the cloud has Swift object
nodes, one default policy, ring devices that a disk model gives Swift, a device for every ring,
enough zones for the replicas (warning). Plan: helion_swift.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.build import add_cloud_var
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.errors import did_you_mean
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.model import index_by_name
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.schema import STR

SCHEMA = {
    "swift": {
        "type": "object",
        "additionalProperties": False,
        "required": ["rings"],
        "properties": {
            "weight_step": {"type": "number", "exclusiveMinimum": 0},
            "port_base": {"type": "integer"},
            "rings": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name", "part_power", "replicas"],
                    "properties": {
                        "name": {"type": "string", "pattern": "^(account|container|object-[0-9]+)$"},
                        "part_power": {"type": "integer", "minimum": 1, "maximum": 32},
                        "replicas": {"type": "number", "minimum": 1},
                        "min_part_hours": {"type": "integer", "minimum": 0},
                        "default": {"type": "boolean"},
                        "devices": {"type": "array", "items": STR},
                    },
                },
            },
        },
    },
}


def check(model):
    f = model.findings
    swift = model.data.get("swift")
    has_objects = model.has_resource("swift_object")
    if not swift:
        if has_objects:
            f.error(("control_plane", "resources"), "the model has Swift object nodes but no 'swift' rings",
                    "describe the rings under 'swift.rings'.")
        return
    rings = index_by_name(swift["rings"], ("swift", "rings"), f, "ring")
    defaults = [n for n, (_pos, r) in rings.items() if r.get("default")]
    if len(defaults) > 1:
        f.error(("swift", "rings"), "more than one default storage policy: %s" % ", ".join(defaults),
                "mark one object ring default: true.")
    devices = {}
    for _pos, dmodel in model.dmodels.values():
        for dev in dmodel.get("devices", []):
            if dev["consumer"] == "swift":
                devices.setdefault(dev["name"], set()).update(dev.get("rings", []))
    zones = set()
    for name in model.servers_of_type("swift_object"):
        server = model.servers[name][1]
        group = model.sgroups.get(server.get("server_group"), (None, {}))[1]
        zones.add((group.get("swift_region", 1), group.get("swift_zone", group.get("name"))))
    for name, (pos, ring) in rings.items():
        path = ("swift", "rings", pos)
        for dpos, dev in enumerate(ring.get("devices", [])):
            if dev not in devices:
                f.error(path + ("devices", dpos), "ring '%s' names device '%s', which no disk model gives Swift%s"
                        % (name, dev, did_you_mean(dev, devices)), "list it in a disk model with consumer: swift.")
        holders = [d for d, r in devices.items() if name in r]
        if has_objects and not holders:
            f.error(path, "no disk model device holds ring '%s'" % name,
                    "add '%s' to the rings of a swift device." % name)
        if has_objects and zones and len(zones) < ring["replicas"]:
            f.warning(path + ("replicas",), "ring '%s' has %s replicas but only %d Swift zone(s): replicas "
                      "will share a zone" % (name, ring["replicas"], len(zones)),
                      "add server groups with distinct swift_zone values, or lower replicas.")


def contribute(model, plan):
    add_cloud_var(plan, "swift", model.data.get("swift") or {})
