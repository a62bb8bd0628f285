# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The model being checked and planned, as the sections share it, and helpers they all use.

This module util is PRIVATE to the collection. Plain Python: data in, data out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.errors import did_you_mean


def ip(text):
    """'192.0.2.1' -> its integer."""
    return int(ipaddress.IPv4Address(text))


def ip_text(value):
    """An integer address -> '192.0.2.1'."""
    return str(ipaddress.IPv4Address(value))


def index_by_name(items, path, findings, what):
    """name -> (position, item) of a list of named items; reports duplicate names."""
    out = {}
    for pos, item in enumerate(items or []):
        if not isinstance(item, dict) or "name" not in item:
            continue
        name = item["name"]
        if name in out:
            findings.error(path + (pos, "name"), "duplicate %s name '%s' (also %s[%d])"
                           % (what, name, path[-1], out[name][0]), "give each %s a unique name." % what)
            continue
        out[name] = (pos, item)
    return out


def ref(findings, path, name, known, what, where):
    """The item called name in known (an index or a dict), or None after reporting it unknown."""
    if name not in known:
        findings.error(path, "unknown %s '%s'%s" % (what, name, did_you_mean(name, known)),
                       "use one of the names in %s: %s." % (where, ", ".join(sorted(known)) or "(none defined)"))
        return None
    entry = known[name]
    return entry[1] if isinstance(entry, tuple) else entry


class Net(object):
    """A network with its addresses as integers, for fast planning."""

    def __init__(self, pos, data):
        self.pos = pos
        self.data = data
        self.name = data["name"]
        self.purpose = data["purpose"]
        self.cidr = None
        self.first = self.last = None
        cidr = data.get("cidr")
        if cidr:
            try:
                self.cidr = ipaddress.IPv4Network(cidr, strict=True)
            except ValueError:
                self.cidr = None
                self.bad_cidr = True
            else:
                self.first = int(self.cidr.network_address)
                self.last = int(self.cidr.broadcast_address)

    def contains(self, value):
        return self.cidr is not None and self.first <= value <= self.last


class Model(object):
    """One cloud model on its way to a plan.

    The sections fill it in turn: their index() the name indexes, their check() what they learn
    while checking (attachments, services), the allocation the addresses. A section may keep
    more state of its own here, under its own attribute names.
    """

    def __init__(self, data, findings, allocations=None):
        self.data = data
        self.findings = findings
        self.allocations = allocations or {}
        # Name indexes (name -> (position, item); nets: name -> Net), by the sections' index().
        self.nets = {}
        self.purposes = {}  # network purpose -> names of the networks of that purpose
        self.roles = {}
        self.imodels = {}
        self.dmodels = {}
        self.sgroups = {}
        self.servers = {}
        self.by_role = {}  # server role -> names of its servers, in model order
        # Learnt by the checks.
        self.attachments = {}  # interface model -> [{network, device, kind, tagged[, bridge, bridge_type]}]
        self.role_services = {}  # server role (or undercloud server) -> {service: key path}
        self.role_groups = {}  # server role (or undercloud server) -> {inventory groups}
        # Planned by the allocation.
        self.server_nets = {}  # server -> attachments of its networks that carry addresses
        self.host_addresses = {}  # server -> {network: address}
        self.vips = {}  # VIP label -> {network, address}
        self.new_allocations = {}  # network -> {server or VIP key: address}

    @property
    def order(self):
        """The servers' names in model order."""
        return sorted(self.servers, key=lambda n: self.servers[n][0])

    def purpose_net(self, purposes):
        """The first purpose in purposes that the model has a network for."""
        for purpose in purposes:
            if purpose in self.purposes:
                return purpose
        return None

    def has_resource(self, rtype):
        return any(r["type"] == rtype for r in self.data["control_plane"].get("resources", []))

    def dvr(self):
        """Distributed virtual routing: as features.dvr says, else on when the cloud has KVM compute."""
        features = self.data.get("features") or {}
        return features.get("dvr", self.has_resource("compute_kvm"))

    def servers_of_type(self, rtype):
        """The servers of the resource groups of type rtype."""
        names = []
        for res in self.data["control_plane"].get("resources", []):
            if res["type"] == rtype:
                names.extend(self.by_role.get(res["role"], []))
        return names
