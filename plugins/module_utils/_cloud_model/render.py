# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Renders a planned cloud model: a readable network plan (Markdown), a topology (Graphviz DOT), allocations.yml.

This module util is PRIVATE to the collection. Pure functions: plan in, text out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

PURPOSE_TEXT = {
    "ipmi": "IPMI / iLO: server hardware management",
    "undercloud_management": "Undercloud management: undercloud APIs, PXE boot of overcloud servers",
    "management": "Overcloud management: internal API, cluster, storage and VxLAN traffic",
    "sdn": "SDN: VxLAN traffic between workload VMs",
    "storage": "Storage: iSCSI between VMs and StoreVirtual / 3PAR",
    "external": "External: internet or intranet, floating IPs",
    "service": "Service: trusted VMs to cloud infrastructure in the undercloud",
    "swift": "Object storage (Swift): traffic between Swift servers",
    "fibre_channel": "Fibre Channel SAN between compute servers and 3PAR (no IP)",
    "esx": "ESX: OVSvApp VMs, Network Operations, vCenter proxy and EON to vCenter",
    "esx_tenant": "ESX tenant: VLANs of ESX virtual machines",
    "operator_access": "Operator access to the management network",
}


def _range_text(spec):
    return "%s - %s" % (spec["start"], spec["end"]) if spec else ""


def _cell(value):
    return str(value).replace("|", "\\|") if value not in (None, "") else "-"


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _unused in header) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return lines


def render_markdown(plan):
    """The network plan as Markdown: networks table, VIPs, per-host interface tables."""
    cloud = plan["cloud"]
    out = ["# Network plan of cloud `%s`" % cloud["name"], ""]
    out.append("DNS domain `%s`; public endpoint `%s`, internal endpoint `%s`; DVR %s."
               % (cloud["dns_domain"], cloud["endpoints"]["public"], cloud["endpoints"]["internal"],
                  "on" if plan["features"]["dvr"] else "off"))
    out += ["", "## Networks", ""]
    rows = []
    for net in plan["networks"]:
        ranges = []
        for key, label in (("host_range", "hosts"), ("vip_range", "VIPs"), ("floating_range", "floating")):
            if net.get(key):
                ranges.append("%s %s" % (label, _range_text(net[key])))
        rows.append([net["name"], PURPOSE_TEXT.get(net["purpose"], net["purpose"]), net.get("vlan"),
                     "tagged" if net.get("tagged") else "untagged", net.get("cidr"), net.get("gateway"),
                     net.get("mtu"), "; ".join(ranges), "yes" if net.get("optional") else "no"])
    out += _table(["Network", "Purpose", "VLAN", "Tagging", "CIDR", "Gateway", "MTU", "Ranges", "Optional"], rows)
    out += ["", "## Virtual IPs", ""]
    out += _table(["VIP", "Network", "Address", "Name"],
                  [[k, v["network"], v["address"], v.get("fqdn")] for k, v in sorted(plan["vips"].items())])
    out += ["", "## Servers", ""]
    for name, hv in plan["hosts"].items():
        server = hv["helion_server"]
        out.append("### %s" % name)
        out.append("")
        out.append("Role `%s`, server group `%s`, IPMI `%s`, PXE MAC `%s`; groups: %s."
                   % (server["role"], server.get("server_group"), (hv.get("helion_ipmi") or {}).get("address"),
                      server.get("pxe_mac"), ", ".join(sorted(g for g, m in plan["groups"].items() if name in m))))
        out.append("")
        rows = []
        for dev in hv["helion_network_interfaces"]:
            detail = []
            if dev["type"] == "vlan":
                detail.append("VLAN %s on %s" % (dev["vlan_id"], dev["parent"]))
            if dev.get("members"):
                detail.append("%s of %s" % (dev["bond_mode"], ", ".join(dev["members"])))
            if dev.get("bond"):
                detail.append("in %s" % dev["bond"])
            if dev.get("bridge"):
                detail.append("in bridge %s" % dev["bridge"])
            if dev.get("ports"):
                detail.append("%s bridge of %s" % (dev["bridge_type"], ", ".join(dev["ports"])))
            rows.append([dev["name"], dev["type"], dev["mtu"], ", ".join(dev["networks"]),
                         ", ".join(dev["addresses"]), dev.get("gateway"), "; ".join(detail)])
        out += _table(["Device", "Type", "MTU", "Networks", "Addresses", "Gateway", "Details"], rows)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _dot_id(text):
    return '"%s"' % str(text).replace('"', '\\"')


def render_dot(plan):
    """The topology as Graphviz DOT: one node per network and per server, edges carry the address."""
    cloud = plan["cloud"]
    out = ["graph %s {" % _dot_id("cloud " + cloud["name"]),
           "  graph [rankdir=LR, fontname=Helvetica, label=%s];" % _dot_id("cloud %s" % cloud["name"]),
           "  node [fontname=Helvetica, fontsize=10];",
           "  edge [fontname=Helvetica, fontsize=8];"]
    for net in plan["networks"]:
        label = "%s\\n%s%s" % (net["name"], net.get("cidr") or "no IP",
                               "\\nVLAN %s%s" % (net["vlan"], " tagged" if net.get("tagged") else "")
                               if net.get("vlan") else "")
        out.append("  %s [shape=box, style=filled, fillcolor=lightblue, label=%s];"
                   % (_dot_id("net:" + net["name"]), _dot_id(label)))
    groups = {}
    for name, hv in plan["hosts"].items():
        groups.setdefault(hv["helion_server"]["role"], []).append(name)
    for role, names in sorted(groups.items()):
        out.append("  subgraph %s {" % _dot_id("cluster_" + role))
        out.append("    label=%s; style=rounded;" % _dot_id(role))
        for name in names:
            out.append("    %s [shape=component, label=%s];" % (_dot_id("host:" + name), _dot_id(name)))
        out.append("  }")
    for name, hv in plan["hosts"].items():
        for net, address in sorted(hv["helion_addresses"].items()):
            out.append("  %s -- %s [label=%s];" % (_dot_id("host:" + name), _dot_id("net:" + net), _dot_id(address)))
        ipmi = hv.get("helion_ipmi")
        ipmi_nets = [n["name"] for n in plan["networks"] if n["purpose"] == "ipmi"]
        if ipmi and ipmi_nets:
            out.append("  %s -- %s [style=dashed, label=%s];"
                       % (_dot_id("host:" + name), _dot_id("net:" + ipmi_nets[0]), _dot_id("BMC " + ipmi["address"])))
    for label, vip in sorted(plan["vips"].items()):
        out.append("  %s [shape=ellipse, style=filled, fillcolor=gold, label=%s];"
                   % (_dot_id("vip:" + label), _dot_id("VIP %s\\n%s" % (label, vip["address"]))))
        out.append("  %s -- %s;" % (_dot_id("vip:" + label), _dot_id("net:" + vip["network"])))
    out.append("}")
    return "\n".join(out) + "\n"


def render_allocations(plan):
    """allocations.yml content: the planned addresses, to commit so they never move."""
    lines = ["# Address allocations of cloud %s, written by helion.openstack.network_plan." % plan["cloud"]["name"],
             "# Commit this file: the inventory keeps these addresses, so adding or removing a",
             "# server never renumbers the others. Delete a line to free that address.",
             "allocations:"]
    for net in sorted(plan["allocations"]):
        entries = plan["allocations"][net]
        if not entries:
            continue
        lines.append("  %s:" % net)
        for who in sorted(entries):
            key = who if ":" not in who else '"%s"' % who
            lines.append("    %s: %s" % (key, entries[who]))
    return "\n".join(lines) + "\n"
