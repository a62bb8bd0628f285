# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Section `control_plane`: which servers run which services (seed, undercloud, controllers, resources).

This module util is PRIVATE to the collection. Checks: controller count (quorum), each role in
one cluster or resource group, resource minimum counts, known services (services.SERVICE_NEEDS)
and the networks they need on their servers' interface models, the VxLAN MTU. Plan: the
inventory groups (one per cluster, resource type and service) and helion_services of each host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.build import add_to_group
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.errors import did_you_mean
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.model import ref
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.schema import HOSTNAME, IPV4, NAME
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.services import (
    DEFAULT_TENANT_MTU,
    DVR_EXTRA_NEEDS,
    RESOURCE_TYPES,
    RETIRED_SERVICES,
    SERVICE_NEEDS,
    TUNNEL_OVERHEAD,
    VXLAN_PURPOSES,
    VXLAN_SERVICES,
)

_SERVICES = {"type": "array", "items": NAME}
SCHEMA = {
    "control_plane": {
        "type": "object",
        "additionalProperties": False,
        "required": ["controllers"],
        "properties": {
            "seed": {
                "type": "object", "additionalProperties": False,
                "properties": {"server": HOSTNAME},
            },
            "undercloud": {
                "type": "object", "additionalProperties": False, "required": ["server"],
                "properties": {"server": HOSTNAME, "services": _SERVICES},
            },
            "controllers": {
                "type": "object",
                "additionalProperties": False,
                "required": ["role", "services"],
                "properties": {
                    "role": NAME,
                    "services": _SERVICES,
                    "vips": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["name", "network"],
                            "properties": {"name": NAME, "network": NAME, "address": IPV4},
                        },
                    },
                },
            },
            "resources": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name", "type", "role"],
                    "properties": {
                        "name": NAME,
                        "type": {"enum": RESOURCE_TYPES},
                        "role": NAME,
                        "min_count": {"type": "integer", "minimum": 0},
                        "services": _SERVICES,
                    },
                },
            },
        },
    },
}
REQUIRED = ("control_plane",)

# Single servers the control plane names, and the inventory group each one makes.
SINGLE_SERVERS = ("seed", "undercloud")


def check(model):
    _check_clusters(model)
    _check_service_needs(model)


def _check_clusters(model):
    f = model.findings
    cp = model.data["control_plane"]
    ctl = cp["controllers"]
    owner = {}

    def claim(role, who, path):
        if role in owner:
            f.error(path, "role '%s' is used by both %s and %s" % (role, owner[role], who),
                    "give each cluster or resource group its own server role.")
            return False
        owner[role] = who
        return True

    cpath = ("control_plane", "controllers", "role")
    if ref(f, cpath, ctl["role"], model.roles, "server role", "server_roles") is not None:
        claim(ctl["role"], "the controllers", cpath)
        count = len(model.by_role.get(ctl["role"], []))
        if count == 0:
            f.error(cpath, "no server has the controller role '%s'" % ctl["role"],
                    "give three servers role %s." % ctl["role"])
        elif count == 1:
            f.warning(cpath, "one controller: fine for a development cloud, but nothing is highly available",
                      "use three controllers in production.")
        elif count % 2 == 0:
            f.error(cpath, "%d controllers: an even count cannot keep a Galera and RabbitMQ quorum through "
                    "a split" % count, "use 3 controllers (or 1 for a development cloud).")
        _services_of(model, ctl["role"], ctl["services"], ("control_plane", "controllers", "services"), "controllers")
    for rpos, res in enumerate(cp.get("resources", [])):
        rpath = ("control_plane", "resources", rpos)
        if ref(f, rpath + ("role",), res["role"], model.roles, "server role", "server_roles") is None:
            continue
        if not claim(res["role"], "resource '%s'" % res["name"], rpath + ("role",)):
            continue
        count = len(model.by_role.get(res["role"], []))
        if count < res.get("min_count", 0):
            f.error(rpath + ("min_count",), "resource '%s' needs at least %d server(s) with role '%s', the "
                    "model has %d" % (res["name"], res["min_count"], res["role"], count),
                    "add servers with role %s or lower min_count." % res["role"])
        _services_of(model, res["role"], res.get("services", []), rpath + ("services",), res["type"])
    for key in SINGLE_SERVERS:
        part = cp.get(key)
        if part and part.get("server"):
            if ref(f, ("control_plane", key, "server"), part["server"], model.servers, "server",
                   "servers") is not None and key == "undercloud":
                role = model.servers[part["server"]][1]["role"]
                _services_of(model, role, part.get("services", []), ("control_plane", key, "services"), key,
                             server=part["server"])
    single_roles = _single_server_roles(model)
    for role, names in model.by_role.items():
        if role in model.roles and role not in owner and role not in single_roles:
            pos = model.servers[names[0]][0]
            f.warning(("servers", pos, "role"), "server(s) %s have role '%s', which no cluster or resource "
                      "group uses: they get no services" % (", ".join(names), role),
                      "add a resource group for role %s or remove the servers." % role)


def _single_server_roles(model):
    """The roles of the seed and undercloud servers."""
    cp = model.data["control_plane"]
    roles = set()
    for key in SINGLE_SERVERS:
        name = (cp.get(key) or {}).get("server")
        if name in model.servers:
            roles.add(model.servers[name][1]["role"])
    return roles


def _services_of(model, role, services, path, group, server=None):
    key = server or role
    for spos, svc in enumerate(services):
        if svc in RETIRED_SERVICES:
            model.findings.error(path + (spos,), "service '%s' belongs to ML2/OVS, which this cloud no longer runs: "
                                 "Neutron uses ML2/OVN" % svc, RETIRED_SERVICES[svc] + ".")
            continue
        if svc not in SERVICE_NEEDS:
            model.findings.error(path + (spos,), "unknown service '%s'%s" % (svc, did_you_mean(svc, SERVICE_NEEDS)),
                                 "use one of the services listed in docs/cloud-model.md.")
            continue
        model.role_services.setdefault(key, {})[svc] = path + (spos,)
    model.role_groups.setdefault(key, set()).add(group)


def _check_service_needs(model):
    f = model.findings
    dvr = model.dvr()
    vxlan_purpose = model.purpose_net(VXLAN_PURPOSES)
    tenant_mtu = model.data["cloud"].get("tenant_mtu", DEFAULT_TENANT_MTU)
    for key, services in model.role_services.items():
        role_name = model.servers[key][1]["role"] if key in model.servers else key
        if role_name not in model.roles:
            continue
        role = model.roles[role_name][1]
        if role["interface_model"] not in model.imodels:
            continue
        model_pos = model.imodels[role["interface_model"]][0]
        have = {model.nets[a["network"]].purpose for a in model.attachments.get(role["interface_model"], [])}
        for svc, spath in sorted(services.items()):
            needs = list(SERVICE_NEEDS[svc])
            if dvr:
                needs.extend(DVR_EXTRA_NEEDS.get(svc, []))
            for need in needs:
                purpose = model.purpose_net(need)
                if purpose is None:
                    f.error(spath, "service '%s' needs a network of purpose %s; the model has none"
                            % (svc, " or ".join(need)), "add such a network to networks.yml.")
                elif purpose not in have:
                    f.error(("interface_models", model_pos), "interface model '%s' (role %s) lacks a %s network, "
                            "which service '%s' needs" % (role["interface_model"], role_name, purpose, svc),
                            "attach network '%s' to a port or bond of '%s'."
                            % (model.purposes[purpose][0], role["interface_model"]))
            if svc in VXLAN_SERVICES and vxlan_purpose:
                net = model.nets[model.purposes[vxlan_purpose][0]]
                mtu = net.data.get("mtu", 1500)
                if mtu < tenant_mtu + TUNNEL_OVERHEAD:
                    f.error(("networks", net.pos, "mtu"), "MTU %d of '%s' is too small for Geneve: tenant MTU %d "
                            "needs %d" % (mtu, net.name, tenant_mtu, tenant_mtu + TUNNEL_OVERHEAD),
                            "raise the MTU to at least %d or lower cloud.tenant_mtu to %d."
                            % (tenant_mtu + TUNNEL_OVERHEAD, mtu - TUNNEL_OVERHEAD))
                    vxlan_purpose = None  # say it once


def vip_requests(model):
    """The controllers' VIPs: (network, key, address or None, key path, label)."""
    for vpos, vip in enumerate(model.data["control_plane"]["controllers"].get("vips", [])):
        path = ("control_plane", "controllers", "vips", vpos)
        if ref(model.findings, path + ("network",), vip["network"], model.nets, "network", "networks") is None:
            continue
        yield vip["network"], "vip:" + vip["name"], vip.get("address"), path, vip["name"]


def contribute(model, plan):
    cp = model.data["control_plane"]
    single = dict((key, (cp.get(key) or {}).get("server")) for key in SINGLE_SERVERS)
    for name, hostvars in plan["hosts"].items():
        role = model.servers[name][1]["role"]
        member_groups = set(model.role_groups.get(role, set())) | set(model.role_groups.get(name, set()))
        services = set(model.role_services.get(role, {})) | set(model.role_services.get(name, {}))
        for key, server in single.items():
            if server == name:
                member_groups.add(key)
        for group in sorted(member_groups | services):
            add_to_group(plan, group, name)
        hostvars["helion_services"] = sorted(services)
