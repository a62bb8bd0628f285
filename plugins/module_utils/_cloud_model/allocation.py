# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Gives every server an address on each of its IP networks, and every VIP its address.

This module util is PRIVATE to the collection. Plain Python: data in, data out.

Order of precedence for a server: an address pinned in servers[].addresses, then the one in
allocations.yml, then the lowest free address of the host range. Existing servers therefore
keep their addresses whatever is added or removed around them. VIPs come first: an explicit
address, then the persisted one, then the lowest free address of the vip_range.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.model import ip, ip_text


def allocate(model, sections):
    """Fill model.server_nets, model.host_addresses, model.vips and model.new_allocations."""
    for name, (_pos, server) in model.servers.items():
        role = model.roles[server["role"]][1]
        model.server_nets[name] = [a for a in model.attachments.get(role["interface_model"], [])
                                   if model.nets[a["network"]].cidr is not None]
    order = model.order
    requests = _vip_requests(model, sections)
    for net in sorted(model.nets.values(), key=lambda n: n.pos):
        if net.cidr is not None:
            _allocate_network(model, net, order, requests.get(net.name, []))


def _vip_requests(model, sections):
    """network -> [(key, address or None, key path, label)] of the VIPs the sections ask for."""
    out = {}
    for section in sections:
        requests = getattr(section, "vip_requests", None)
        if requests is None:
            continue
        for network, key, address, path, label in requests(model):
            out.setdefault(network, []).append((key, address, path, label))
    return out


def _range(spec):
    if not spec:
        return None
    return (ip(spec["start"]), ip(spec["end"]))


class _Pool(object):
    """Free addresses of one network, handed out in rising order."""

    def __init__(self, used, reserved):
        self.used = used
        self.reserved = reserved
        self._cursor = {}

    def next_free(self, pool, excluded=()):
        # Each pool resumes where it stopped: the addresses below were taken or skipped.
        value = max(pool[0], self._cursor.get(pool, pool[0]))
        while value <= pool[1]:
            if value in self.used or value in self.reserved:
                value += 1
                continue
            jumped = False
            for start, end in excluded:
                if start <= value <= end:
                    value = end + 1
                    jumped = True
                    break
            if not jumped:
                self._cursor[pool] = value
                return value
        return None


def _allocate_network(model, net, order, vip_requests):
    f = model.findings
    d = net.data
    path = ("networks", net.pos)
    persisted = model.allocations.get(net.name) or {}
    used = {}
    reserved = {net.first: "the network address", net.last: "the broadcast address"}
    if "gateway" in d:
        reserved[ip(d["gateway"])] = "the gateway"
    free = _Pool(used, reserved)
    host_pool = _range(d.get("host_range")) or (net.first + 1, net.last - 1)
    vip_pool = _range(d.get("vip_range"))
    excluded = [r for r in (vip_pool, _range(d.get("floating_range"))) if r]
    assigned = {}

    def take(value, who, where, what):
        if not net.contains(value):
            f.error(where, "%s %s of %s is outside network '%s' (%s)" % (what, ip_text(value), who, net.name, net.cidr),
                    "use an address inside %s." % net.cidr)
            return False
        if value in reserved:
            f.error(where, "%s %s of %s is %s of network '%s'" % (what, ip_text(value), who, reserved[value], net.name),
                    "choose another address.")
            return False
        if value in used:
            f.error(where, "%s %s of %s is already used by %s" % (what, ip_text(value), who, used[value]),
                    "give each its own address.")
            return False
        used[value] = who
        return True

    # VIPs first: they are fixed points the host pool must avoid.
    for key, explicit, vpath, label in vip_requests:
        value = None
        if explicit:
            value = ip(explicit)
            if host_pool and host_pool[0] <= value <= host_pool[1] and "host_range" in d:
                f.error(vpath, "VIP %s is inside the host_range of network '%s'" % (explicit, net.name),
                        "move the VIP out of host_range (into vip_range).")
                continue
        elif key in persisted:
            value = ip(str(persisted[key]))
        elif vip_pool:
            value = free.next_free(vip_pool)
            if value is None:
                f.error(path + ("vip_range",), "vip_range of '%s' has no free address for VIP %s" % (net.name, label),
                        "widen vip_range.")
                continue
        else:
            f.error(vpath, "VIP %s on network '%s' has no address and the network has no vip_range"
                    % (label, net.name), "add 'address:' to the VIP or a vip_range to the network.")
            continue
        if take(value, "VIP " + label, vpath, "address"):
            assigned[key] = value
            model.vips[label] = {"network": net.name, "address": ip_text(value)}
    # Pinned and persisted server addresses.
    members = [n for n in order if any(a["network"] == net.name for a in model.server_nets[n])]
    member_set = set(members)
    for name in order:
        pinned = model.servers[name][1].get("addresses", {}).get(net.name)
        if pinned is not None:
            spath = ("servers", model.servers[name][0], "addresses", net.name)
            if name not in member_set:
                f.error(spath, "server '%s' pins an address on '%s' but its interface model does not attach "
                        "that network" % (name, net.name), "remove the address or attach the network.")
            elif take(ip(pinned), "server '%s'" % name, spath, "address"):
                assigned[name] = ip(pinned)
    for name in members:
        if name in assigned or name not in persisted:
            continue
        text = str(persisted[name])
        try:
            value = ip(text)
        except ValueError:
            f.error(("allocations", net.name, name), "'%s' is not an IPv4 address" % text,
                    "delete the line and run helion.openstack.network_plan again.")
            continue
        if take(value, "server '%s'" % name, ("allocations", net.name, name), "persisted address"):
            assigned[name] = value
    # The rest get the lowest free address of the host pool, skipping VIP and floating ranges.
    for name in members:
        if name in assigned:
            continue
        value = free.next_free(host_pool, excluded)
        if value is None:
            need = sum(1 for m in members if m not in assigned)
            f.error(path + ("host_range",) if "host_range" in d else path + ("cidr",),
                    "too few addresses on network '%s': %d more server(s) need one, none is free" % (net.name, need),
                    "widen host_range or use a larger cidr.")
            return
        used[value] = "server '%s'" % name
        assigned[name] = value
    for name in members:
        model.host_addresses.setdefault(name, {})[net.name] = ip_text(assigned[name])
    model.new_allocations[net.name] = dict((k, ip_text(v)) for k, v in assigned.items())
