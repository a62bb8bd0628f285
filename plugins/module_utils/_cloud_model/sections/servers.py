# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sections `servers` and `server_groups`: the machines, their role, BMC and failure zone.

This module util is PRIVATE to the collection. Checks: known role and server group, unique
PXE MACs and BMC addresses, BMCs inside the IPMI network, pinned addresses on known networks,
no server named like an inventory group. Plan: helion_server and helion_ipmi of each host,
helion_server_groups.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.build import add_cloud_var
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.model import index_by_name, ip, ref
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.schema import (
    HOSTNAME,
    IPV4,
    NAME,
    PORT,
    STR,
)
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.services import BASE_GROUPS, SERVICE_NEEDS

IPMI_PORT = 623

SCHEMA = {
    "server_groups": {
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {
                "name": NAME,
                "failure_zone": NAME,
                "swift_zone": {"type": "integer", "minimum": 0},
                "swift_region": {"type": "integer", "minimum": 1},
            },
        },
    },
    "servers": {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "role"],
            "properties": {
                "name": HOSTNAME,
                "role": NAME,
                "server_group": NAME,
                "pxe_mac": {"type": "string", "format": "mac"},
                "ipmi": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["address"],
                    "properties": {"address": IPV4, "port": PORT, "username": STR, "password": STR},
                },
                "addresses": {"type": "object", "additionalProperties": IPV4},
                "decommission": {"type": "boolean"},
            },
        },
    },
}
REQUIRED = ("servers",)


def index(model):
    model.sgroups = index_by_name(model.data.get("server_groups"), ("server_groups",), model.findings, "server group")
    model.servers = index_by_name(model.data["servers"], ("servers",), model.findings, "server")
    for name in model.order:
        model.by_role.setdefault(model.servers[name][1]["role"], []).append(name)


def check(model):
    f = model.findings
    macs, bmcs = {}, {}
    ipmi_nets = [model.nets[n] for n in model.purposes.get("ipmi", []) if model.nets[n].cidr is not None]
    for name, (pos, server) in model.servers.items():
        path = ("servers", pos)
        ref(f, path + ("role",), server["role"], model.roles, "server role", "server_roles")
        if "server_group" in server:
            ref(f, path + ("server_group",), server["server_group"], model.sgroups, "server group", "server_groups")
        if name in BASE_GROUPS or name in SERVICE_NEEDS:
            f.error(path + ("name",), "server name '%s' is also the name of an inventory group" % name,
                    "rename the server (for example '%s1')." % name)
        mac = server.get("pxe_mac")
        if mac:
            key = mac.lower()
            if key in macs:
                f.error(path + ("pxe_mac",), "MAC %s is also the PXE MAC of server '%s'" % (mac, macs[key]),
                        "check the MAC on the server's PXE port.")
            macs[key] = name
        ipmi = server.get("ipmi")
        if ipmi:
            if ipmi["address"] in bmcs:
                f.error(path + ("ipmi", "address"), "IPMI address %s is also the BMC of server '%s'"
                        % (ipmi["address"], bmcs[ipmi["address"]]), "give each BMC its own address.")
            bmcs[ipmi["address"]] = name
            if ipmi_nets and not any(n.contains(ip(ipmi["address"])) for n in ipmi_nets):
                f.error(path + ("ipmi", "address"), "IPMI address %s is outside the IPMI network %s"
                        % (ipmi["address"], ", ".join(str(n.cidr) for n in ipmi_nets)),
                        "use an address of the IPMI network, or correct that network's cidr.")
        for net_name in server.get("addresses", {}):
            if net_name not in model.nets:
                ref(f, path + ("addresses", net_name), net_name, model.nets, "network", "networks")


def contribute(model, plan):
    for name, hostvars in plan["hosts"].items():
        server = model.servers[name][1]
        role = model.roles[server["role"]][1]
        group = model.sgroups.get(server.get("server_group"), (None, {}))[1]
        hostvars["helion_server"] = {
            "name": name,
            "role": server["role"],
            "server_group": server.get("server_group"),
            "failure_zone": group.get("failure_zone"),
            "swift_zone": group.get("swift_zone"),
            "swift_region": group.get("swift_region", 1),
            "pxe_mac": server.get("pxe_mac"),
            "interface_model": role["interface_model"],
            "disk_model": role["disk_model"],
            "decommission": bool(server.get("decommission", False)),
        }
        if server.get("ipmi"):
            hostvars["helion_ipmi"] = dict(server["ipmi"])
            hostvars["helion_ipmi"].setdefault("port", IPMI_PORT)
    add_cloud_var(plan, "server_groups", [g for _pos, g in sorted(model.sgroups.values(), key=lambda i: i[0])])
