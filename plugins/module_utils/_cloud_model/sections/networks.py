# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Section `networks`: address spaces, VLANs, ranges and routes.

This module util is PRIVATE to the collection. Checks: addresses, gateways, ranges and routes
inside their network, ranges disjoint, networks disjoint, a management network, the networks
that cloud settings name. Plan:
helion_networks, helion_vips, the addresses of each host (helion_addresses, ansible_host),
the persisted allocations and the /etc/hosts entries.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.build import add_cloud_var
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.model import Net, index_by_name, ip, ref
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.schema import IPV4, NAME

NETWORK_PURPOSES = [
    "ipmi", "undercloud_management", "management", "sdn", "storage", "external",
    "service", "swift", "fibre_channel", "esx", "esx_tenant", "operator_access",
]
# Networks that carry no IP at all.
NO_IP_PURPOSES = ("fibre_channel",)
# Networks whose addresses belong to tenants (Neutron assigns them): a cidr is optional.
TENANT_PURPOSES = ("esx_tenant",)
# Purposes every model must have a network of.
REQUIRED_PURPOSES = ("management",)
RANGES = ("host_range", "vip_range", "floating_range")
# Cloud settings that name a network: it must exist and carry addresses.
NETWORK_SETTINGS = ("ansible_network", "default_route_network")

_RANGE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["start", "end"],
    "properties": {"start": IPV4, "end": IPV4},
}
SCHEMA = {
    "networks": {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "purpose"],
            "properties": {
                "name": NAME,
                "purpose": {"enum": NETWORK_PURPOSES},
                "vlan": {"type": "integer", "minimum": 1, "maximum": 4094},
                "tagged": {"type": "boolean"},
                "cidr": {"type": "string", "format": "ipv4-cidr"},
                "gateway": IPV4,
                "mtu": {"type": "integer", "minimum": 576, "maximum": 9216},
                "optional": {"type": "boolean"},
                "host_range": _RANGE,
                "vip_range": _RANGE,
                "floating_range": _RANGE,
                "routes": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["to", "via"],
                        "properties": {
                            "to": {"type": "string", "format": "ipv4-cidr"},
                            "via": IPV4,
                        },
                    },
                },
            },
        },
    },
}
REQUIRED = ("networks",)


def index(model):
    for name, (pos, item) in index_by_name(model.data["networks"], ("networks",), model.findings, "network").items():
        model.nets[name] = Net(pos, item)
    for net in model.nets.values():
        model.purposes.setdefault(net.purpose, []).append(net.name)


def _in_order(model):
    return sorted(model.nets.values(), key=lambda n: n.pos)


def check(model):
    f = model.findings
    nets = _in_order(model)
    for net in nets:
        _check_network(f, net)
    with_cidr = [n for n in nets if n.cidr is not None]
    for i, net in enumerate(with_cidr):
        for other in with_cidr[:i]:
            if net.cidr.overlaps(other.cidr):
                f.error(("networks", net.pos, "cidr"), "%s of network '%s' overlaps %s of network '%s'"
                        % (net.cidr, net.name, other.cidr, other.name), "give each network its own address space.")
    for purpose in REQUIRED_PURPOSES:
        if purpose not in model.purposes:
            f.error(("networks",), "the model has no network of purpose '%s'" % purpose,
                    "add the %s network that carries internal API and cluster traffic." % purpose)
    if "external" in model.purposes:
        floating = [n for n in model.purposes["external"] if "floating_range" in model.nets[n].data]
        if not floating:
            f.warning(("networks", model.nets[model.purposes["external"][0]].pos),
                      "the external network has no floating_range: instances get no floating IPs",
                      "add floating_range to the external network.")
    # The networks the cloud settings name (cloud.ansible_network, cloud.default_route_network).
    cloud = model.data["cloud"]
    for key in NETWORK_SETTINGS:
        if key in cloud and cloud[key] not in model.nets:
            ref(f, ("cloud", key), cloud[key], model.nets, "network", "networks")
        elif key in cloud and model.nets[cloud[key]].cidr is None:
            f.error(("cloud", key), "network '%s' has no addresses" % cloud[key], "name a network with a cidr.")


def _check_network(f, net):
    path = ("networks", net.pos)
    d = net.data
    if net.purpose in NO_IP_PURPOSES:
        for key in ("cidr", "gateway") + RANGES:
            if key in d:
                f.error(path + (key,), "a %s network carries no IP addresses, so '%s' makes no sense"
                        % (net.purpose, key), "remove '%s' from network '%s'." % (key, net.name))
        return
    if "cidr" not in d and net.purpose in TENANT_PURPOSES:
        return
    if "cidr" not in d:
        f.error(path, "network '%s' (%s) has no 'cidr'" % (net.name, net.purpose),
                "add 'cidr:', for example 192.0.2.0/24.")
        return
    if net.cidr is None:
        f.error(path + ("cidr",), "'%s' is not a network address: host bits are set" % d["cidr"],
                "use the network address, for example %s." % ipaddress.IPv4Network(d["cidr"], strict=False))
        return
    if "gateway" in d:
        gw = ip(d["gateway"])
        if not net.contains(gw):
            f.error(path + ("gateway",), "gateway %s is outside %s" % (d["gateway"], d["cidr"]),
                    "use an address inside %s." % d["cidr"])
        elif gw in (net.first, net.last):
            f.error(path + ("gateway",), "gateway %s is the network or broadcast address of %s"
                    % (d["gateway"], d["cidr"]), "use a host address inside %s." % d["cidr"])
    ranges = []
    for key in RANGES:
        if key not in d:
            continue
        start, end = ip(d[key]["start"]), ip(d[key]["end"])
        if start > end:
            f.error(path + (key,), "%s starts at %s, after its end %s" % (key, d[key]["start"], d[key]["end"]),
                    "swap start and end.")
            continue
        if not (net.contains(start) and net.contains(end)):
            f.error(path + (key,), "%s %s-%s is outside %s" % (key, d[key]["start"], d[key]["end"], d["cidr"]),
                    "keep the range inside %s." % d["cidr"])
            continue
        if "gateway" in d and start <= ip(d["gateway"]) <= end:
            f.error(path + (key,), "%s includes the gateway %s" % (key, d["gateway"]),
                    "start the range after the gateway or end it before.")
        for other_key, o_start, o_end in ranges:
            if start <= o_end and o_start <= end:
                f.error(path + (key,), "%s overlaps %s of network '%s'" % (key, other_key, net.name),
                        "make the two ranges disjoint.")
        ranges.append((key, start, end))
    if "floating_range" in d and net.purpose != "external":
        f.error(path + ("floating_range",), "floating IPs belong on the external network, not on '%s' (%s)"
                % (net.name, net.purpose), "move floating_range to the network of purpose external.")
    for rpos, route in enumerate(d.get("routes", [])):
        if not net.contains(ip(route["via"])):
            f.error(path + ("routes", rpos, "via"), "route next hop %s is outside %s" % (route["via"], d["cidr"]),
                    "use a router address inside %s." % d["cidr"])


def contribute(model, plan):
    cloud = plan["cloud"]
    networks = []
    for net in _in_order(model):
        item = dict(net.data)
        item.setdefault("tagged", False)
        item.setdefault("optional", False)
        if net.cidr is not None:
            item.setdefault("mtu", 1500)
            item["prefix"] = net.cidr.prefixlen
            item["netmask"] = str(net.cidr.netmask)
        networks.append(item)
    endpoint_of = {"external": cloud["endpoints"]["public"], "management": cloud["endpoints"]["internal"]}
    for vip in model.vips.values():
        fqdn = endpoint_of.get(model.nets[vip["network"]].purpose)
        if fqdn:
            vip["fqdn"] = fqdn
    add_cloud_var(plan, "networks", networks)
    add_cloud_var(plan, "vips", model.vips)
    plan["allocations"] = model.new_allocations
    main = cloud["ansible_network"]
    addresses = {}
    for name, hostvars in plan["hosts"].items():
        addresses[name] = hostvars["helion_addresses"] = model.host_addresses.get(name, {})
        if main in addresses[name]:
            hostvars["ansible_host"] = addresses[name][main]
    plan["hosts_entries"] = hosts_entries(list(plan["hosts"]), addresses, cloud, model.vips)


def hosts_entries(names, addresses, cloud, vips):
    """/etc/hosts entries: each server on every network, and the API endpoints on their VIPs.

    names: servers in model order; addresses: {server: {network: address}}. Shared by the
    planner and the hosts_entries filter, which computes it lazily from host variables.
    """
    entries = []
    domain = cloud["dns_domain"]
    main = cloud["ansible_network"]
    for name in names:
        for net_name, address in sorted((addresses.get(name) or {}).items()):
            if net_name == main:
                entries.append({"address": address, "names": ["%s.%s" % (name, domain), name]})
            else:
                entries.append({"address": address, "names": ["%s-%s" % (name, net_name)]})
    for label, vip in sorted(vips.items()):
        names_ = ["%s-vip" % label.replace(":", "-").replace("_", "-")]
        if vip.get("fqdn"):
            names_.insert(0, vip["fqdn"])
        entries.append({"address": vip["address"], "names": names_})
    return entries
