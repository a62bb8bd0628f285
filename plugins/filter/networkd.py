# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that turn a host's planned interfaces (helion_network_interfaces) into
systemd-networkd files, and find the device that carries a network."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

# The model's bond modes, and the spellings people also use, as systemd-networkd names them.
BOND_MODES = {
    "802.3ad": "802.3ad",
    "lacp": "802.3ad",
    "4": "802.3ad",
    "active-backup": "active-backup",
    "1": "active-backup",
    "balance-rr": "balance-rr",
    "0": "balance-rr",
    "balance-xor": "balance-xor",
    "2": "balance-xor",
    "broadcast": "broadcast",
    "3": "broadcast",
    "balance-tlb": "balance-tlb",
    "5": "balance-tlb",
    "balance-alb": "balance-alb",
    "6": "balance-alb",
}
KINDS = ("ethernet", "bond", "vlan", "bridge")


class NetworkdError(Exception):
    """A planned interface that cannot be written as systemd-networkd files."""


def _section(name, pairs):
    lines = ["[%s]" % name]
    lines.extend("%s=%s" % (k, v) for k, v in pairs if v is not None and v != "")
    return "\n".join(lines) + "\n"


def _render(sections):
    return "# Written by helion.openstack.network_config from the cloud model.\n" + "\n".join(
        _section(n, p) for n, p in sections if p or n in ("Match", "Network")
    )


def networkd_files(interfaces, prefix="10-helion-"):
    """Return {file name: content} for the devices of one host.

    interfaces is the list the cloud model plans for the host: each item has name, type
    (ethernet, bond, vlan or bridge), mtu, addresses (CIDR strings), and optionally gateway,
    routes ([{to, via}]), bond (the bond an ethernet port belongs to), members and bond_mode
    (bonds), parent and vlan_id (VLANs), bridge (the bridge a device is a port of), and
    bridge_type (linux or ovs) and ports (bridges).
    """
    if not isinstance(interfaces, list):
        raise NetworkdError("interfaces must be a list, got %s" % type(interfaces).__name__)
    by_name = {}
    for itf in interfaces:
        if not isinstance(itf, dict) or not itf.get("name"):
            raise NetworkdError("every interface needs a name: %r" % (itf,))
        if itf.get("type") not in KINDS:
            raise NetworkdError("%s: unknown type %r (expected one of %s)"
                                % (itf["name"], itf.get("type"), ", ".join(KINDS)))
        if itf["name"] in by_name:
            raise NetworkdError("%s: planned twice" % itf["name"])
        by_name[itf["name"]] = itf

    vlans_of = {}
    for itf in interfaces:
        if itf["type"] == "vlan":
            parent = itf.get("parent")
            if parent not in by_name:
                raise NetworkdError("%s: parent %r is not an interface of this host" % (itf["name"], parent))
            vid = itf.get("vlan_id")
            if not isinstance(vid, int) or isinstance(vid, bool) or not 1 <= vid <= 4094:
                raise NetworkdError("%s: vlan_id must be an integer from 1 to 4094, got %r" % (itf["name"], vid))
            vlans_of.setdefault(parent, []).append(itf["name"])
    bond_of = {}
    for itf in interfaces:
        if itf["type"] == "bond":
            members = itf.get("members") or []
            if not members:
                raise NetworkdError("%s: a bond needs members" % itf["name"])
            for member in members:
                if member not in by_name:
                    raise NetworkdError("%s: member %r is not an interface of this host" % (itf["name"], member))
                bond_of[member] = itf["name"]
        elif itf.get("bond"):
            bond_of.setdefault(itf["name"], itf["bond"])

    files = {}
    for itf in interfaces:
        name, kind = itf["name"], itf["type"]
        mtu = itf.get("mtu")
        bridge_name = itf.get("bridge")
        bridge = by_name.get(bridge_name) if bridge_name else None
        if bridge_name and bridge is None:
            raise NetworkdError("%s: bridge %r is not an interface of this host" % (name, bridge_name))
        ovs = kind == "bridge" and itf.get("bridge_type", "linux") == "ovs"

        if kind == "bond":
            mode = BOND_MODES.get(str(itf.get("bond_mode", "active-backup")).lower())
            if mode is None:
                raise NetworkdError("%s: unknown bond_mode %r" % (name, itf.get("bond_mode")))
            bond = [("Mode", mode), ("MIIMonitorSec", "100ms")]
            if mode == "802.3ad":
                bond += [("LACPTransmitRate", "fast"), ("TransmitHashPolicy", "layer3+4")]
            files["%s%s.netdev" % (prefix, name)] = _render(
                [("NetDev", [("Name", name), ("Kind", "bond"), ("MTUBytes", mtu)]), ("Bond", bond)])
        elif kind == "vlan":
            files["%s%s.netdev" % (prefix, name)] = _render(
                [("NetDev", [("Name", name), ("Kind", "vlan"), ("MTUBytes", mtu)]), ("VLAN", [("Id", itf["vlan_id"])])])
        elif kind == "bridge" and not ovs:
            files["%s%s.netdev" % (prefix, name)] = _render(
                [("NetDev", [("Name", name), ("Kind", "bridge"), ("MTUBytes", mtu)])])

        network = []
        if name in bond_of:
            network.append(("Bond", bond_of[name]))
        if bridge is not None and bridge.get("bridge_type", "linux") != "ovs":
            network.append(("Bridge", bridge_name))
        network.extend(("VLAN", v) for v in sorted(vlans_of.get(name, [])))
        addresses = itf.get("addresses") or []
        network.extend(("Address", a) for a in addresses)
        if itf.get("gateway"):
            network.append(("Gateway", itf["gateway"]))
        network.append(("LinkLocalAddressing", "no"))
        network.append(("IPv6AcceptRA", "no"))
        if kind in ("bond", "bridge"):
            network.append(("ConfigureWithoutCarrier", "yes"))
        link = [("MTUBytes", mtu)]
        if not addresses:
            link.append(("RequiredForOnline", "no"))
        sections = [("Match", [("Name", name)]), ("Link", link), ("Network", network)]
        for route in itf.get("routes") or []:
            if not isinstance(route, dict) or not route.get("to"):
                raise NetworkdError("%s: a route needs 'to': %r" % (name, route))
            sections.append(("Route", [("Destination", route["to"]), ("Gateway", route.get("via")),
                                       ("Metric", route.get("metric"))]))
        files["%s%s.network" % (prefix, name)] = _render(sections)
    return files


def network_device(interfaces, network):
    """The name of the device that carries network (the one holding its address)."""
    for itf in interfaces or []:
        if network in (itf.get("networks") or []):
            return itf["name"]
    raise NetworkdError("no interface of this host carries the network %r" % network)


def _wrap(func):
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except NetworkdError as exc:
            raise AnsibleFilterError(str(exc))
    return wrapper


class FilterModule(object):
    """systemd-networkd filters."""

    def filters(self):
        return {
            "networkd_files": _wrap(networkd_files),
            "network_device": _wrap(network_device),
        }
