# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Section `interface_models`: ports, bonds and bridges, and the networks each carries.

This module util is PRIVATE to the collection. Checks: bond members, one untagged network per
port, one use of each VLAN per trunk, known networks, no IPMI network on the host's ports,
bridges on known devices. Learns which network rides which device (model.attachments). Plan:
helion_network_interfaces of each host, in the order the devices must come up.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.errors import did_you_mean
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.model import index_by_name, ref
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.schema import NAME

_NET_REFS = {
    "type": "array",
    "items": {
        "oneOf": [
            NAME,
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {"name": NAME, "tagged": {"type": "boolean"}},
            },
        ]
    },
}
SCHEMA = {
    "interface_models": {
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "ports"],
            "properties": {
                "name": NAME,
                "ports": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name"],
                        "properties": {"name": NAME, "mtu": {"type": "integer"}, "networks": _NET_REFS},
                    },
                },
                "bonds": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name", "members"],
                        "properties": {
                            "name": NAME,
                            "members": {"type": "array", "minItems": 1, "items": NAME},
                            "mode": {"enum": ["802.3ad", "active-backup", "balance-rr", "balance-xor",
                                              "broadcast", "balance-tlb", "balance-alb"]},
                            "networks": _NET_REFS,
                        },
                    },
                },
                "bridges": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name", "device", "networks"],
                        "properties": {
                            "name": NAME,
                            "device": NAME,
                            "type": {"enum": ["ovs", "linux"]},
                            "networks": {"type": "array", "minItems": 1, "items": NAME},
                        },
                    },
                },
            },
        },
    },
}
REQUIRED = ("interface_models",)


def index(model):
    model.imodels = index_by_name(model.data["interface_models"], ("interface_models",), model.findings,
                                  "interface model")


def check(model):
    for name, (pos, imodel) in model.imodels.items():
        model.attachments[name] = _check_model(model, name, pos, imodel)


def _check_model(model, name, imodel_pos, imodel):
    """Check one interface model; return its attachments (which network rides which device)."""
    f = model.findings
    path = ("interface_models", imodel_pos)
    devices = {}
    attached = {}
    att = []
    for kind in ("ports", "bonds"):
        for dpos, dev in enumerate(imodel.get(kind, [])):
            dpath = path + (kind, dpos)
            if dev["name"] in devices:
                f.error(dpath + ("name",), "device '%s' is defined twice in interface model '%s'" % (dev["name"], name),
                        "give each port and bond a unique name.")
                continue
            devices[dev["name"]] = (kind, dpath)
    enslaved = {}
    for bpos, bond in enumerate(imodel.get("bonds", [])):
        for mpos, member in enumerate(bond["members"]):
            mpath = path + ("bonds", bpos, "members", mpos)
            kind = devices.get(member, (None,))[0]
            if kind != "ports":
                f.error(mpath, "bond '%s' member '%s' is not a port of this model%s"
                        % (bond["name"], member, did_you_mean(member, [p["name"] for p in imodel["ports"]])),
                        "list the port under 'ports' or fix the name.")
            elif member in enslaved:
                f.error(mpath, "port '%s' is a member of bonds '%s' and '%s'"
                        % (member, enslaved[member], bond["name"]), "use each port in one bond only.")
            else:
                enslaved[member] = bond["name"]
    for kind in ("ports", "bonds"):
        for dpos, dev in enumerate(imodel.get(kind, [])):
            att.extend(_check_device_networks(model, path + (kind, dpos), kind, dev, enslaved, attached))
    bridged = {}
    for bpos, bridge in enumerate(imodel.get("bridges", [])):
        bpath = path + ("bridges", bpos)
        if bridge["device"] not in devices:
            f.error(bpath + ("device",), "bridge '%s' sits on unknown device '%s'%s"
                    % (bridge["name"], bridge["device"], did_you_mean(bridge["device"], devices)),
                    "name a port or bond of this interface model.")
            continue
        for npos, net_name in enumerate(bridge["networks"]):
            if attached.get(net_name) != bridge["device"]:
                f.error(bpath + ("networks", npos), "bridge '%s' names network '%s', which is not attached to '%s'"
                        % (bridge["name"], net_name, bridge["device"]),
                        "attach '%s' to '%s' first." % (net_name, bridge["device"]))
                continue
            bridged[net_name] = bridge
    for item in att:
        if item["network"] in bridged:
            item["bridge"] = bridged[item["network"]]["name"]
            item["bridge_type"] = bridged[item["network"]].get("type", "ovs")
    return att


def _check_device_networks(model, dpath, kind, dev, enslaved, attached):
    """Check the networks of one port or bond; return their attachments."""
    f = model.findings
    att = []
    if dev.get("networks") and dev["name"] in enslaved:
        f.error(dpath + ("networks",), "port '%s' is a member of bond '%s' and cannot carry networks itself"
                % (dev["name"], enslaved[dev["name"]]), "attach the networks to the bond.")
    untagged = None
    vlans = {}
    for npos, net_ref in enumerate(dev.get("networks", [])):
        npath = dpath + ("networks", npos)
        net_name = net_ref if isinstance(net_ref, str) else net_ref["name"]
        net = model.nets.get(net_name)
        if net is None:
            ref(f, npath, net_name, model.nets, "network", "networks")
            continue
        if net.purpose == "ipmi":
            f.error(npath, "the IPMI network reaches the BMCs, not the host's own ports",
                    "remove '%s' from the interface model." % net_name)
            continue
        if net_name in attached:
            f.error(npath, "network '%s' is attached twice (also on '%s')" % (net_name, attached[net_name]),
                    "attach each network once.")
            continue
        attached[net_name] = dev["name"]
        tagged = net.data.get("tagged", False)
        if isinstance(net_ref, dict):
            tagged = net_ref.get("tagged", tagged)
        if tagged and "vlan" not in net.data:
            f.error(npath, "network '%s' is tagged but has no 'vlan'" % net_name,
                    "add 'vlan:' to network '%s' or make it untagged." % net_name)
            continue
        if not tagged:
            if untagged is not None:
                # Reported, but still attached so that service checks do not cascade.
                f.error(npath, "'%s' carries two untagged networks: '%s' and '%s'" % (dev["name"], untagged, net_name),
                        "tag one of them (tagged: true with a vlan) or move it to another port.")
            untagged = untagged or net_name
        else:
            vlan = net.data["vlan"]
            if vlan in vlans:
                f.error(npath, "VLAN %d is used twice on trunk '%s': by '%s' and '%s'"
                        % (vlan, dev["name"], vlans[vlan], net_name), "give each network on one trunk its own VLAN id.")
            vlans.setdefault(vlan, net_name)
        att.append({"network": net_name, "device": dev["name"], "kind": kind[:-1], "tagged": tagged})
    return att


def contribute(model, plan):
    route_network = plan["cloud"].get("default_route_network")
    for name, hostvars in plan["hosts"].items():
        role = model.roles[model.servers[name][1]["role"]][1]
        imodel = model.imodels[role["interface_model"]][1]
        hostvars["helion_network_interfaces"] = interfaces(model, imodel, hostvars["helion_addresses"], route_network)


def interfaces(model, imodel, addresses, route_network):
    """Devices in the order they must be brought up: ports, bonds, VLANs, bridges."""
    atts = model.attachments.get(imodel["name"], [])
    mtu_of = {}
    for a in atts:
        mtu = model.nets[a["network"]].data.get("mtu", 1500)
        mtu_of[a["device"]] = max(mtu_of.get(a["device"], 0), mtu)
    devices = []
    bond_of = {}
    for bond in imodel.get("bonds", []):
        for member in bond["members"]:
            bond_of[member] = bond["name"]
    for port in imodel["ports"]:
        mtu = port.get("mtu") or mtu_of.get(bond_of.get(port["name"]), mtu_of.get(port["name"], 1500))
        devices.append({"name": port["name"], "type": "ethernet", "mtu": mtu,
                        "bond": bond_of.get(port["name"]), "addresses": [], "networks": []})
    for bond in imodel.get("bonds", []):
        devices.append({"name": bond["name"], "type": "bond", "mtu": mtu_of.get(bond["name"], 1500),
                        "members": list(bond["members"]), "bond_mode": bond.get("mode", "802.3ad"),
                        "addresses": [], "networks": []})
    by_name = dict((d["name"], d) for d in devices)
    bridges = {}
    for bridge in imodel.get("bridges", []):
        bridges[bridge["name"]] = {"name": bridge["name"], "type": "bridge",
                                   "bridge_type": bridge.get("type", "ovs"), "ports": [],
                                   "mtu": max(model.nets[n].data.get("mtu", 1500) for n in bridge["networks"]),
                                   "addresses": [], "networks": []}
    vlans = []
    for a in atts:
        net = model.nets[a["network"]]
        target = by_name[a["device"]]
        if a["tagged"]:
            vlan = {"name": "%s.%d" % (a["device"], net.data["vlan"]), "type": "vlan", "parent": a["device"],
                    "vlan_id": net.data["vlan"], "mtu": net.data.get("mtu", 1500), "addresses": [],
                    "networks": []}
            target.setdefault("vlans", []).append(vlan["name"])
            vlans.append(vlan)
            target = vlan
        if a.get("bridge"):
            bridge = bridges[a["bridge"]]
            if target["name"] not in bridge["ports"]:
                bridge["ports"].append(target["name"])
            target["bridge"] = bridge["name"]
            target = bridge
        target["networks"].append(net.name)
        if net.name in addresses:
            target["addresses"].append("%s/%d" % (addresses[net.name], net.cidr.prefixlen))
            if net.name == route_network and "gateway" in net.data:
                target["gateway"] = net.data["gateway"]
            if net.data.get("routes"):
                target.setdefault("routes", []).extend(dict(r) for r in net.data["routes"])
    return devices + vlans + list(bridges.values())
