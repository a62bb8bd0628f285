# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validates a cloud model and plans it: addresses, interfaces, groups, hosts entries.

This module util is PRIVATE to the collection. It is plain Python: data in, data out.
Every check runs in one pass and adds a finding; CloudModelError carries them all.
The inventory plugin, the cloud_model_info module and the tests share this one core.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import os

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model_schema import SCHEMA
from ansible_collections.helion.openstack.plugins.module_utils._model_errors import (
    CloudModelError,
    Findings,
    did_you_mean,
)
from ansible_collections.helion.openstack.plugins.module_utils._model_loader import (
    load_allocations,
    load_model_dir,
)
from ansible_collections.helion.openstack.plugins.module_utils._schema_check import check as schema_check

# The groups every inventory has, even when empty.
BASE_GROUPS = ("seed", "undercloud", "controllers", "compute_kvm", "compute_esx", "ovsvapp",
               "swift_proxy", "swift_object", "vsa")

# VxLAN over IPv4 adds 50 bytes to each tenant frame.
VXLAN_OVERHEAD = 50

# What each service needs from the host's networks. Each need is a tuple of network
# purposes: the first purpose the model defines a network for is the one the host must have
# (so VxLAN rides the SDN network when the model has one, else management).
_MGMT = ("management",)
_VXLAN = ("sdn", "management")
_UNDERCLOUD = ("undercloud_management", "management")
SERVICE_NEEDS = {
    "haproxy": [_MGMT, ("external",)],
    "keepalived": [_MGMT],
    "mariadb": [_MGMT],
    "rabbitmq": [_MGMT],
    "memcached": [_MGMT],
    "keystone": [_MGMT],
    "glance": [_MGMT],
    "nova_api": [_MGMT],
    "neutron_server": [_MGMT],
    "neutron_l3_agent": [_VXLAN, ("external",)],
    "neutron_dhcp_agent": [_VXLAN],
    "cinder_api": [_MGMT],
    "cinder_volume": [_MGMT, ("storage", "management")],
    "heat": [_MGMT],
    "horizon": [_MGMT],
    "designate": [_MGMT],
    "ceilometer": [_MGMT],
    "swift_proxy": [_MGMT, ("swift", "management")],
    "swift_account": [("swift", "management")],
    "swift_container": [("swift", "management")],
    "swift_object": [("swift", "management")],
    "nova_compute_kvm": [_MGMT, _VXLAN, ("storage", "management")],
    "neutron_ovs_agent": [_VXLAN],
    "nova_compute_esx": [_MGMT, ("esx",)],
    "neutron_ovsvapp_agent": [("esx",), ("esx_tenant",)],
    "storevirtual_vsa": [("storage", "management")],
    "ironic": [_UNDERCLOUD],
    "package_mirror": [_UNDERCLOUD],
    "centralized_logging": [_UNDERCLOUD],
    "monitoring": [_UNDERCLOUD],
    "eon": [_UNDERCLOUD],
    "sirius": [_UNDERCLOUD],
}
VXLAN_SERVICES = ("nova_compute_kvm", "neutron_ovs_agent", "neutron_l3_agent", "neutron_dhcp_agent")
NO_IP_PURPOSES = ("fibre_channel",)
# Networks whose addresses belong to tenants (Neutron assigns them): a cidr is optional.
TENANT_PURPOSES = ("esx_tenant",)


def _ip(text):
    return int(ipaddress.IPv4Address(text))


def _ip_text(value):
    return str(ipaddress.IPv4Address(value))


def _index(items, path, findings, what):
    """name -> (position, item); reports duplicate names."""
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


def _ref(findings, path, name, index, what, where):
    if name not in index:
        findings.error(path, "unknown %s '%s'%s" % (what, name, did_you_mean(name, index)),
                       "use one of the names in %s: %s." % (where, ", ".join(sorted(index)) or "(none defined)"))
        return None
    entry = index[name]
    return entry[1] if isinstance(entry, tuple) else entry


class _Net(object):
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


class ModelPlanner(object):
    """Validates and plans one model. Use plan_model() rather than this class directly."""

    def __init__(self, data, findings, allocations=None):
        self.data = data
        self.f = findings
        self.allocations = allocations or {}
        self.nets = {}
        self.roles = {}
        self.imodels = {}
        self.dmodels = {}
        self.sgroups = {}
        self.servers = {}
        self.role_services = {}
        self.role_groups = {}
        self.attachments = {}
        self.host_addresses = {}
        self.vips = {}
        self.new_allocations = {}
        self._cursor = {}

    # ---------------------------------------------------------------- entry point
    def run(self):
        if not schema_check(SCHEMA, self.data, (), self.f):
            return None
        self._index_all()
        self._check_networks()
        self._check_interface_models()
        self._check_disk_models_and_roles()
        self._check_servers()
        self._check_control_plane()
        self._check_service_needs()
        self._check_storage()
        self._check_vcenters()
        self._check_swift()
        if self.f.errors:
            return None
        self._allocate_addresses()
        if self.f.errors:
            return None
        return self._build_plan()

    # ---------------------------------------------------------------- indexing
    def _index_all(self):
        d = self.data
        for name, (pos, item) in _index(d["networks"], ("networks",), self.f, "network").items():
            self.nets[name] = _Net(pos, item)
        self.roles = _index(d["server_roles"], ("server_roles",), self.f, "server role")
        self.imodels = _index(d["interface_models"], ("interface_models",), self.f, "interface model")
        self.dmodels = _index(d["disk_models"], ("disk_models",), self.f, "disk model")
        self.sgroups = _index(d.get("server_groups"), ("server_groups",), self.f, "server group")
        self.servers = _index(d["servers"], ("servers",), self.f, "server")
        self.purposes = {}
        for net in self.nets.values():
            self.purposes.setdefault(net.purpose, []).append(net.name)

    def _purpose_net(self, purposes):
        """The first purpose in purposes that the model has a network for."""
        for purpose in purposes:
            if purpose in self.purposes:
                return purpose
        return None

    # ---------------------------------------------------------------- networks
    def _check_networks(self):
        nets = sorted(self.nets.values(), key=lambda n: n.pos)
        for net in nets:
            path = ("networks", net.pos)
            d = net.data
            if net.purpose in NO_IP_PURPOSES:
                for key in ("cidr", "gateway", "host_range", "vip_range", "floating_range"):
                    if key in d:
                        self.f.error(path + (key,), "a %s network carries no IP addresses, so '%s' makes no sense"
                                     % (net.purpose, key), "remove '%s' from network '%s'." % (key, net.name))
                continue
            if "cidr" not in d and net.purpose in TENANT_PURPOSES:
                continue
            if "cidr" not in d:
                self.f.error(path, "network '%s' (%s) has no 'cidr'" % (net.name, net.purpose),
                             "add 'cidr:', for example 192.0.2.0/24.")
                continue
            if net.cidr is None:
                self.f.error(path + ("cidr",), "'%s' is not a network address: host bits are set" % d["cidr"],
                             "use the network address, for example %s."
                             % ipaddress.IPv4Network(d["cidr"], strict=False))
                continue
            if "gateway" in d:
                gw = _ip(d["gateway"])
                if not net.contains(gw):
                    self.f.error(path + ("gateway",), "gateway %s is outside %s" % (d["gateway"], d["cidr"]),
                                 "use an address inside %s." % d["cidr"])
                elif gw in (net.first, net.last):
                    self.f.error(path + ("gateway",), "gateway %s is the network or broadcast address of %s"
                                 % (d["gateway"], d["cidr"]), "use a host address inside %s." % d["cidr"])
            ranges = []
            for key in ("host_range", "vip_range", "floating_range"):
                if key not in d:
                    continue
                start, end = _ip(d[key]["start"]), _ip(d[key]["end"])
                if start > end:
                    self.f.error(path + (key,), "%s starts at %s, after its end %s"
                                 % (key, d[key]["start"], d[key]["end"]), "swap start and end.")
                    continue
                if not (net.contains(start) and net.contains(end)):
                    self.f.error(path + (key,), "%s %s-%s is outside %s" % (key, d[key]["start"], d[key]["end"],
                                                                            d["cidr"]),
                                 "keep the range inside %s." % d["cidr"])
                    continue
                if "gateway" in d and start <= _ip(d["gateway"]) <= end:
                    self.f.error(path + (key,), "%s includes the gateway %s" % (key, d["gateway"]),
                                 "start the range after the gateway or end it before.")
                for other_key, o_start, o_end in ranges:
                    if start <= o_end and o_start <= end:
                        self.f.error(path + (key,), "%s overlaps %s of network '%s'" % (key, other_key, net.name),
                                     "make the two ranges disjoint.")
                ranges.append((key, start, end))
            if "floating_range" in d and net.purpose != "external":
                self.f.error(path + ("floating_range",), "floating IPs belong on the external network, not on '%s' (%s)"
                             % (net.name, net.purpose), "move floating_range to the network of purpose external.")
            for rpos, route in enumerate(d.get("routes", [])):
                if not net.contains(_ip(route["via"])):
                    self.f.error(path + ("routes", rpos, "via"), "route next hop %s is outside %s"
                                 % (route["via"], d["cidr"]), "use a router address inside %s." % d["cidr"])
        with_cidr = [n for n in nets if n.cidr is not None]
        for i, net in enumerate(with_cidr):
            for other in with_cidr[:i]:
                if net.cidr.overlaps(other.cidr):
                    self.f.error(("networks", net.pos, "cidr"), "%s of network '%s' overlaps %s of network '%s'"
                                 % (net.cidr, net.name, other.cidr, other.name),
                                 "give each network its own address space.")
        for purpose in ("management",):
            if purpose not in self.purposes:
                self.f.error(("networks",), "the model has no network of purpose '%s'" % purpose,
                             "add the %s network that carries internal API and cluster traffic." % purpose)
        if "external" in self.purposes:
            floating = [n for n in self.purposes["external"] if "floating_range" in self.nets[n].data]
            if not floating:
                self.f.warning(("networks", self.nets[self.purposes["external"][0]].pos),
                               "the external network has no floating_range: instances get no floating IPs",
                               "add floating_range to the external network.")
        cloud = self.data["cloud"]
        for key in ("ansible_network", "default_route_network"):
            if key in cloud and cloud[key] not in self.nets:
                _ref(self.f, ("cloud", key), cloud[key], self.nets, "network", "networks")
            elif key in cloud and self.nets[cloud[key]].cidr is None:
                self.f.error(("cloud", key), "network '%s' has no addresses" % cloud[key],
                             "name a network with a cidr.")

    # ---------------------------------------------------------------- interface models
    def _check_interface_models(self):
        for name, (pos, model) in self.imodels.items():
            path = ("interface_models", pos)
            devices = {}
            attached = {}
            att = []
            for kind in ("ports", "bonds"):
                for dpos, dev in enumerate(model.get(kind, [])):
                    dpath = path + (kind, dpos)
                    if dev["name"] in devices:
                        self.f.error(dpath + ("name",), "device '%s' is defined twice in interface model '%s'"
                                     % (dev["name"], name), "give each port and bond a unique name.")
                        continue
                    devices[dev["name"]] = (kind, dpath)
            enslaved = {}
            for bpos, bond in enumerate(model.get("bonds", [])):
                for mpos, member in enumerate(bond["members"]):
                    mpath = path + ("bonds", bpos, "members", mpos)
                    kind = devices.get(member, (None,))[0]
                    if kind != "ports":
                        self.f.error(mpath, "bond '%s' member '%s' is not a port of this model%s"
                                     % (bond["name"], member,
                                        did_you_mean(member, [p["name"] for p in model["ports"]])),
                                     "list the port under 'ports' or fix the name.")
                    elif member in enslaved:
                        self.f.error(mpath, "port '%s' is a member of bonds '%s' and '%s'"
                                     % (member, enslaved[member], bond["name"]), "use each port in one bond only.")
                    else:
                        enslaved[member] = bond["name"]
            for kind in ("ports", "bonds"):
                for dpos, dev in enumerate(model.get(kind, [])):
                    dpath = path + (kind, dpos)
                    if dev.get("networks") and dev["name"] in enslaved:
                        self.f.error(dpath + ("networks",), "port '%s' is a member of bond '%s' and cannot carry "
                                     "networks itself" % (dev["name"], enslaved[dev["name"]]),
                                     "attach the networks to the bond.")
                    untagged = None
                    vlans = {}
                    for npos, ref in enumerate(dev.get("networks", [])):
                        npath = dpath + ("networks", npos)
                        net_name = ref if isinstance(ref, str) else ref["name"]
                        net = self.nets.get(net_name)
                        if net is None:
                            _ref(self.f, npath, net_name, self.nets, "network", "networks")
                            continue
                        if net.purpose == "ipmi":
                            self.f.error(npath, "the IPMI network reaches the BMCs, not the host's own ports",
                                         "remove '%s' from the interface model." % net_name)
                            continue
                        if net_name in attached:
                            self.f.error(npath, "network '%s' is attached twice (also on '%s')"
                                         % (net_name, attached[net_name]), "attach each network once.")
                            continue
                        attached[net_name] = dev["name"]
                        tagged = ref.get("tagged", net.data.get("tagged", False)) if isinstance(ref, dict) \
                            else net.data.get("tagged", False)
                        if tagged and "vlan" not in net.data:
                            self.f.error(npath, "network '%s' is tagged but has no 'vlan'" % net_name,
                                         "add 'vlan:' to network '%s' or make it untagged." % net_name)
                            continue
                        if not tagged:
                            if untagged is not None:
                                # Reported, but still attached so that service checks do not cascade.
                                self.f.error(npath, "'%s' carries two untagged networks: '%s' and '%s'"
                                             % (dev["name"], untagged, net_name),
                                             "tag one of them (tagged: true with a vlan) or move it to another port.")
                            untagged = untagged or net_name
                        else:
                            vlan = net.data["vlan"]
                            if vlan in vlans:
                                self.f.error(npath, "VLAN %d is used twice on trunk '%s': by '%s' and '%s'"
                                             % (vlan, dev["name"], vlans[vlan], net_name),
                                             "give each network on one trunk its own VLAN id.")
                            vlans.setdefault(vlan, net_name)
                        att.append({"network": net_name, "device": dev["name"], "kind": kind[:-1], "tagged": tagged})
            bridged = {}
            for bpos, bridge in enumerate(model.get("bridges", [])):
                bpath = path + ("bridges", bpos)
                if bridge["device"] not in devices:
                    self.f.error(bpath + ("device",), "bridge '%s' sits on unknown device '%s'%s"
                                 % (bridge["name"], bridge["device"], did_you_mean(bridge["device"], devices)),
                                 "name a port or bond of this interface model.")
                    continue
                for npos, net_name in enumerate(bridge["networks"]):
                    if attached.get(net_name) != bridge["device"]:
                        self.f.error(bpath + ("networks", npos), "bridge '%s' names network '%s', which is not "
                                     "attached to '%s'" % (bridge["name"], net_name, bridge["device"]),
                                     "attach '%s' to '%s' first." % (net_name, bridge["device"]))
                        continue
                    bridged[net_name] = bridge
            for item in att:
                if item["network"] in bridged:
                    item["bridge"] = bridged[item["network"]]["name"]
                    item["bridge_type"] = bridged[item["network"]].get("type", "ovs")
            self.attachments[name] = att

    # ---------------------------------------------------------------- disks and roles
    def _check_disk_models_and_roles(self):
        ring_names = [r["name"] for r in (self.data.get("swift") or {}).get("rings", [])]
        for name, (pos, model) in self.dmodels.items():
            seen = {model["os_disk"]: "os_disk"}
            for dpos, dev in enumerate(model.get("devices", [])):
                dpath = ("disk_models", pos, "devices", dpos)
                if dev["name"] in seen:
                    self.f.error(dpath + ("name",), "device %s is used twice in disk model '%s' (also as %s)"
                                 % (dev["name"], name, seen[dev["name"]]), "give each device one use.")
                seen[dev["name"]] = dev["consumer"]
                if dev["consumer"] == "swift":
                    if not dev.get("rings"):
                        self.f.error(dpath, "a swift device must say which rings it holds",
                                     "add 'rings: [object-0]' (or account, container).")
                    for rpos, ring in enumerate(dev.get("rings", [])):
                        if ring not in ring_names:
                            self.f.error(dpath + ("rings", rpos), "unknown ring '%s'%s" % (ring, did_you_mean(
                                ring, ring_names)), "define the ring under swift.rings or use one of: %s."
                                % (", ".join(ring_names) or "(no rings defined)"))
                elif dev.get("rings"):
                    self.f.error(dpath + ("rings",), "only swift devices hold rings, not %s devices" % dev["consumer"],
                                 "remove 'rings' or set consumer: swift.")
        for pos, role in self.roles.values():
            _ref(self.f, ("server_roles", pos, "interface_model"), role["interface_model"], self.imodels,
                 "interface model", "interface_models")
            _ref(self.f, ("server_roles", pos, "disk_model"), role["disk_model"], self.dmodels,
                 "disk model", "disk_models")

    # ---------------------------------------------------------------- servers
    def _check_servers(self):
        macs, bmcs = {}, {}
        ipmi_nets = [self.nets[n] for n in self.purposes.get("ipmi", []) if self.nets[n].cidr is not None]
        for name, (pos, server) in self.servers.items():
            path = ("servers", pos)
            _ref(self.f, path + ("role",), server["role"], self.roles, "server role", "server_roles")
            if "server_group" in server:
                _ref(self.f, path + ("server_group",), server["server_group"], self.sgroups, "server group",
                     "server_groups")
            if name in BASE_GROUPS or name in SERVICE_NEEDS:
                self.f.error(path + ("name",), "server name '%s' is also the name of an inventory group" % name,
                             "rename the server (for example '%s1')." % name)
            mac = server.get("pxe_mac")
            if mac:
                key = mac.lower()
                if key in macs:
                    self.f.error(path + ("pxe_mac",), "MAC %s is also the PXE MAC of server '%s'" % (mac, macs[key]),
                                 "check the MAC on the server's PXE port.")
                macs[key] = name
            ipmi = server.get("ipmi")
            if ipmi:
                if ipmi["address"] in bmcs:
                    self.f.error(path + ("ipmi", "address"), "IPMI address %s is also the BMC of server '%s'"
                                 % (ipmi["address"], bmcs[ipmi["address"]]), "give each BMC its own address.")
                bmcs[ipmi["address"]] = name
                if ipmi_nets and not any(n.contains(_ip(ipmi["address"])) for n in ipmi_nets):
                    self.f.error(path + ("ipmi", "address"), "IPMI address %s is outside the IPMI network %s"
                                 % (ipmi["address"], ", ".join(str(n.cidr) for n in ipmi_nets)),
                                 "use an address of the IPMI network, or correct that network's cidr.")
            for net_name in server.get("addresses", {}):
                if net_name not in self.nets:
                    _ref(self.f, path + ("addresses", net_name), net_name, self.nets, "network", "networks")

    # ---------------------------------------------------------------- control plane
    def _check_control_plane(self):
        cp = self.data["control_plane"]
        by_role = {}
        for name, (_pos, server) in sorted(self.servers.items(), key=lambda i: i[1][0]):
            by_role.setdefault(server["role"], []).append(name)
        self.by_role = by_role
        ctl = cp["controllers"]
        owner = {}

        def claim(role, who, path):
            if role in owner:
                self.f.error(path, "role '%s' is used by both %s and %s" % (role, owner[role], who),
                             "give each cluster or resource group its own server role.")
                return False
            owner[role] = who
            return True

        if _ref(self.f, ("control_plane", "controllers", "role"), ctl["role"], self.roles, "server role",
                "server_roles") is not None:
            claim(ctl["role"], "the controllers", ("control_plane", "controllers", "role"))
            count = len(by_role.get(ctl["role"], []))
            cpath = ("control_plane", "controllers", "role")
            if count == 0:
                self.f.error(cpath, "no server has the controller role '%s'" % ctl["role"],
                             "give three servers role %s." % ctl["role"])
            elif count == 1:
                self.f.warning(cpath, "one controller: fine for a development cloud, but nothing is highly available",
                               "use three controllers in production.")
            elif count % 2 == 0:
                self.f.error(cpath, "%d controllers: an even count cannot keep a Galera and RabbitMQ quorum through "
                             "a split" % count, "use 3 controllers (or 1 for a development cloud).")
            self._services_of(ctl["role"], ctl["services"], ("control_plane", "controllers", "services"), "controllers")
        for rpos, res in enumerate(cp.get("resources", [])):
            rpath = ("control_plane", "resources", rpos)
            if _ref(self.f, rpath + ("role",), res["role"], self.roles, "server role", "server_roles") is None:
                continue
            if not claim(res["role"], "resource '%s'" % res["name"], rpath + ("role",)):
                continue
            count = len(by_role.get(res["role"], []))
            if count < res.get("min_count", 0):
                self.f.error(rpath + ("min_count",), "resource '%s' needs at least %d server(s) with role '%s', the "
                             "model has %d" % (res["name"], res["min_count"], res["role"], count),
                             "add servers with role %s or lower min_count." % res["role"])
            self._services_of(res["role"], res.get("services", []), rpath + ("services",), res["type"])
        for key in ("seed", "undercloud"):
            part = cp.get(key)
            if part and part.get("server"):
                if _ref(self.f, ("control_plane", key, "server"), part["server"], self.servers, "server",
                        "servers") is not None and key == "undercloud":
                    role = self.servers[part["server"]][1]["role"]
                    self._services_of(role, part.get("services", []), ("control_plane", key, "services"), key,
                                      server=part["server"])
        for role, names in by_role.items():
            if role in self.roles and role not in owner and not self._is_undercloud_role(role):
                pos = self.servers[names[0]][0]
                self.f.warning(("servers", pos, "role"), "server(s) %s have role '%s', which no cluster or resource "
                               "group uses: they get no services" % (", ".join(names), role),
                               "add a resource group for role %s or remove the servers." % role)

    def _is_undercloud_role(self, role):
        cp = self.data["control_plane"]
        for key in ("seed", "undercloud"):
            name = (cp.get(key) or {}).get("server")
            if name in self.servers and self.servers[name][1]["role"] == role:
                return True
        return False

    def _services_of(self, role, services, path, group, server=None):
        for spos, svc in enumerate(services):
            if svc not in SERVICE_NEEDS:
                self.f.error(path + (spos,), "unknown service '%s'%s" % (svc, did_you_mean(svc, SERVICE_NEEDS)),
                             "use one of the services listed in docs/cloud-model.md.")
                continue
            key = server or role
            self.role_services.setdefault(key, {})[svc] = path + (spos,)
        self.role_groups.setdefault(server or role, set()).add(group)

    # ---------------------------------------------------------------- service needs
    def _check_service_needs(self):
        dvr = self._dvr()
        vxlan_purpose = self._purpose_net(_VXLAN)
        tenant_mtu = self.data["cloud"].get("tenant_mtu", 1450)
        for key, services in self.role_services.items():
            role_name = self.servers[key][1]["role"] if key in self.servers else key
            if role_name not in self.roles:
                continue
            role = self.roles[role_name][1]
            if role["interface_model"] not in self.imodels:
                continue
            model_pos = self.imodels[role["interface_model"]][0]
            have = {self.nets[a["network"]].purpose for a in self.attachments.get(role["interface_model"], [])}
            for svc, spath in sorted(services.items()):
                needs = list(SERVICE_NEEDS[svc])
                if dvr and svc == "neutron_ovs_agent":
                    needs.append(("external",))
                for need in needs:
                    purpose = self._purpose_net(need)
                    if purpose is None:
                        self.f.error(spath, "service '%s' needs a network of purpose %s; the model has none"
                                     % (svc, " or ".join(need)), "add such a network to networks.yml.")
                    elif purpose not in have:
                        self.f.error(("interface_models", model_pos), "interface model '%s' (role %s) lacks a %s "
                                     "network, which service '%s' needs" % (role["interface_model"], role_name,
                                                                            purpose, svc),
                                     "attach network '%s' to a port or bond of '%s'."
                                     % (self.purposes[purpose][0], role["interface_model"]))
                if svc in VXLAN_SERVICES and vxlan_purpose:
                    net = self.nets[self.purposes[vxlan_purpose][0]]
                    mtu = net.data.get("mtu", 1500)
                    if mtu < tenant_mtu + VXLAN_OVERHEAD:
                        self.f.error(("networks", net.pos, "mtu"), "MTU %d of '%s' is too small for VxLAN: tenant "
                                     "MTU %d needs %d" % (mtu, net.name, tenant_mtu, tenant_mtu + VXLAN_OVERHEAD),
                                     "raise the MTU to at least %d or lower cloud.tenant_mtu to %d."
                                     % (tenant_mtu + VXLAN_OVERHEAD, mtu - VXLAN_OVERHEAD))
                        vxlan_purpose = None  # say it once

    def _has_resource(self, rtype):
        return any(r["type"] == rtype for r in self.data["control_plane"].get("resources", []))

    def _dvr(self):
        features = self.data.get("features") or {}
        return features.get("dvr", self._has_resource("compute_kvm"))

    # ---------------------------------------------------------------- storage
    def _check_storage(self):
        st = self.data.get("storage") or {}
        arrays = _index(st.get("hpe3par"), ("storage", "hpe3par"), self.f, "3PAR array")
        clusters = _index(st.get("storevirtual"), ("storage", "storevirtual"), self.f, "StoreVirtual cluster")
        backends = _index(st.get("backends"), ("storage", "backends"), self.f, "backend")
        qos = _index(st.get("qos_specs"), ("storage", "qos_specs"), self.f, "QoS spec")
        _index(st.get("volume_types"), ("storage", "volume_types"), self.f, "volume type")
        for name, (pos, array) in arrays.items():
            _index(array.get("cpgs"), ("storage", "hpe3par", pos, "cpgs"), self.f, "CPG")
            if array.get("protocol") == "iscsi" and not array.get("iscsi_ips"):
                self.f.error(("storage", "hpe3par", pos), "3PAR array '%s' uses iSCSI but lists no iscsi_ips" % name,
                             "add the array's iSCSI port addresses under iscsi_ips.")
        for pos, cluster in clusters.values():
            if "vip_network" in cluster:
                _ref(self.f, ("storage", "storevirtual", pos, "vip_network"), cluster["vip_network"], self.nets,
                     "network", "networks")
        for name, (pos, backend) in backends.items():
            path = ("storage", "backends", pos)
            kinds = [k for k in ("array", "storevirtual", "lvm_role") if k in backend]
            if len(kinds) != 1:
                self.f.error(path, "backend '%s' must name exactly one of array, storevirtual or lvm_role" % name,
                             "keep one of them.")
                continue
            if "array" in backend:
                array = _ref(self.f, path + ("array",), backend["array"], arrays, "3PAR array", "storage.hpe3par")
                if array is not None:
                    cpgs = [c["name"] for c in array.get("cpgs", [])]
                    if "cpg" not in backend:
                        self.f.error(path, "3PAR backend '%s' names no CPG" % name, "add 'cpg:'.")
                    elif backend["cpg"] not in cpgs:
                        self.f.error(path + ("cpg",), "array '%s' has no CPG '%s'%s" % (
                            backend["array"], backend["cpg"], did_you_mean(backend["cpg"], cpgs)),
                            "list the CPG under storage.hpe3par[%d].cpgs." % arrays[backend["array"]][0])
            elif "storevirtual" in backend:
                _ref(self.f, path + ("storevirtual",), backend["storevirtual"], clusters, "StoreVirtual cluster",
                     "storage.storevirtual")
            else:
                _ref(self.f, path + ("lvm_role",), backend["lvm_role"], self.roles, "server role", "server_roles")
        for pos, vtype in enumerate(st.get("volume_types", [])):
            _ref(self.f, ("storage", "volume_types", pos, "backend"), vtype["backend"], backends, "backend",
                 "storage.backends")
            if "qos" in vtype:
                _ref(self.f, ("storage", "volume_types", pos, "qos"), vtype["qos"], qos, "QoS spec",
                     "storage.qos_specs")

    # ---------------------------------------------------------------- vcenters
    def _check_vcenters(self):
        vcs = _index(self.data.get("vcenters"), ("vcenters",), self.f, "vCenter")
        for pos, vc in vcs.values():
            _index(vc["clusters"], ("vcenters", pos, "clusters"), self.f, "cluster")
            for cpos, cluster in enumerate(vc["clusters"]):
                if "proxy" in cluster:
                    _ref(self.f, ("vcenters", pos, "clusters", cpos, "proxy"), cluster["proxy"], self.servers,
                         "server", "servers")
        esx = self._has_resource("compute_esx")
        if esx and not vcs:
            self.f.error(("control_plane", "resources"), "the model has ESX compute proxies but no vCenter",
                         "describe the vCenter and its clusters under 'vcenters'.")
        features = self.data.get("features") or {}
        if features.get("dvr") and not self._has_resource("compute_kvm"):
            self.f.error(("features", "dvr"), "DVR is available for KVM compute only, and this cloud has none",
                         "set features.dvr: false for an ESX cloud.")

    # ---------------------------------------------------------------- swift
    def _check_swift(self):
        swift = self.data.get("swift")
        has_objects = self._has_resource("swift_object")
        if not swift:
            if has_objects:
                self.f.error(("control_plane", "resources"), "the model has Swift object nodes but no 'swift' rings",
                             "describe the rings under 'swift.rings'.")
            return
        rings = _index(swift["rings"], ("swift", "rings"), self.f, "ring")
        defaults = [n for n, (p, r) in rings.items() if r.get("default")]
        if len(defaults) > 1:
            self.f.error(("swift", "rings"), "more than one default storage policy: %s" % ", ".join(defaults),
                         "mark one object ring default: true.")
        devices = {}
        for _pos, model in self.dmodels.values():
            for dev in model.get("devices", []):
                if dev["consumer"] == "swift":
                    devices.setdefault(dev["name"], set()).update(dev.get("rings", []))
        zones = set()
        for srv_name in self.by_role_of_type("swift_object"):
            server = self.servers[srv_name][1]
            group = self.sgroups.get(server.get("server_group"), (None, {}))[1]
            zones.add((group.get("swift_region", 1), group.get("swift_zone", group.get("name"))))
        for name, (pos, ring) in rings.items():
            path = ("swift", "rings", pos)
            for dpos, dev in enumerate(ring.get("devices", [])):
                if dev not in devices:
                    self.f.error(path + ("devices", dpos), "ring '%s' names device '%s', which no disk model gives "
                                 "Swift%s" % (name, dev, did_you_mean(dev, devices)),
                                 "list it in a disk model with consumer: swift.")
            holders = [d for d, r in devices.items() if name in r]
            if has_objects and not holders:
                self.f.error(path, "no disk model device holds ring '%s'" % name,
                             "add '%s' to the rings of a swift device." % name)
            if has_objects and zones and len(zones) < ring["replicas"]:
                self.f.warning(path + ("replicas",), "ring '%s' has %s replicas but only %d Swift zone(s): replicas "
                               "will share a zone" % (name, ring["replicas"], len(zones)),
                               "add server groups with distinct swift_zone values, or lower replicas.")

    def by_role_of_type(self, rtype):
        names = []
        for res in self.data["control_plane"].get("resources", []):
            if res["type"] == rtype:
                names.extend(self.by_role.get(res["role"], []))
        return names

    # ---------------------------------------------------------------- addresses
    def _allocate_addresses(self):
        """Give every server an address on each of its IP networks.

        Order of precedence: an address pinned in servers[].addresses, then the one in
        allocations.yml, then the lowest free address of the host range. Existing servers
        therefore keep their addresses whatever is added or removed around them.
        """
        self.server_nets = {}
        for name, (_pos, server) in self.servers.items():
            role = self.roles[server["role"]][1]
            self.server_nets[name] = [a for a in self.attachments.get(role["interface_model"], [])
                                      if self.nets[a["network"]].cidr is not None]
        order = sorted(self.servers, key=lambda n: self.servers[n][0])
        vip_requests = self._vip_requests()
        for net in sorted(self.nets.values(), key=lambda n: n.pos):
            if net.cidr is None:
                continue
            self._allocate_network(net, order, vip_requests.get(net.name, []))

    def _vip_requests(self):
        out = {}
        cp = self.data["control_plane"]
        for vpos, vip in enumerate(cp["controllers"].get("vips", [])):
            path = ("control_plane", "controllers", "vips", vpos)
            if _ref(self.f, path + ("network",), vip["network"], self.nets, "network", "networks") is None:
                continue
            out.setdefault(vip["network"], []).append(("vip:" + vip["name"], vip.get("address"), path, vip["name"]))
        for cpos, cluster in enumerate((self.data.get("storage") or {}).get("storevirtual", [])):
            net_name = cluster.get("vip_network")
            if net_name in self.nets:
                key = "vip:storevirtual:" + cluster["name"]
                out.setdefault(net_name, []).append((key, cluster.get("vip"), ("storage", "storevirtual", cpos),
                                                     "storevirtual:" + cluster["name"]))
        return out

    def _allocate_network(self, net, order, vip_requests):
        d = net.data
        path = ("networks", net.pos)
        persisted = self.allocations.get(net.name) or {}
        used = {}
        reserved = {net.first: "the network address", net.last: "the broadcast address"}
        if "gateway" in d:
            reserved[_ip(d["gateway"])] = "the gateway"
        host_pool = self._range(d.get("host_range")) or (net.first + 1, net.last - 1)
        vip_pool = self._range(d.get("vip_range"))
        excluded = [r for r in (vip_pool, self._range(d.get("floating_range"))) if r]
        assigned = {}

        def take(value, who, where, what):
            if not net.contains(value):
                self.f.error(where, "%s %s of %s is outside network '%s' (%s)" % (what, _ip_text(value), who,
                                                                                  net.name, net.cidr),
                             "use an address inside %s." % net.cidr)
                return False
            if value in reserved:
                self.f.error(where, "%s %s of %s is %s of network '%s'" % (what, _ip_text(value), who,
                                                                           reserved[value], net.name),
                             "choose another address.")
                return False
            if value in used:
                self.f.error(where, "%s %s of %s is already used by %s" % (what, _ip_text(value), who, used[value]),
                             "give each its own address.")
                return False
            used[value] = who
            return True

        # VIPs first: they are fixed points the host pool must avoid.
        for key, explicit, vpath, label in vip_requests:
            value = None
            if explicit:
                value = _ip(explicit)
                if host_pool and host_pool[0] <= value <= host_pool[1] and "host_range" in d:
                    self.f.error(vpath, "VIP %s is inside the host_range of network '%s'" % (explicit, net.name),
                                 "move the VIP out of host_range (into vip_range).")
                    continue
            elif key in persisted:
                value = _ip(str(persisted[key]))
            elif vip_pool:
                value = self._next_free(vip_pool, used, reserved)
                if value is None:
                    self.f.error(path + ("vip_range",), "vip_range of '%s' has no free address for VIP %s"
                                 % (net.name, label), "widen vip_range.")
                    continue
            else:
                self.f.error(vpath, "VIP %s on network '%s' has no address and the network has no vip_range"
                             % (label, net.name), "add 'address:' to the VIP or a vip_range to the network.")
                continue
            if take(value, "VIP " + label, vpath, "address"):
                assigned[key] = value
                self.vips[label] = {"network": net.name, "address": _ip_text(value)}
        # Pinned and persisted server addresses.
        members = [n for n in order if any(a["network"] == net.name for a in self.server_nets[n])]
        for name in order:
            pinned = self.servers[name][1].get("addresses", {}).get(net.name)
            if pinned is not None:
                spath = ("servers", self.servers[name][0], "addresses", net.name)
                if name not in members:
                    self.f.error(spath, "server '%s' pins an address on '%s' but its interface model does not attach "
                                 "that network" % (name, net.name), "remove the address or attach the network.")
                elif take(_ip(pinned), "server '%s'" % name, spath, "address"):
                    assigned[name] = _ip(pinned)
        for name in members:
            if name in assigned or name not in persisted:
                continue
            text = str(persisted[name])
            try:
                value = _ip(text)
            except ValueError:
                self.f.error(("allocations", net.name, name), "'%s' is not an IPv4 address" % text,
                             "delete the line and run helion.openstack.network_plan again.")
                continue
            if take(value, "server '%s'" % name, ("allocations", net.name, name), "persisted address"):
                assigned[name] = value
        # The rest get the lowest free address of the host pool, skipping VIP and floating ranges.
        for name in members:
            if name in assigned:
                continue
            value = self._next_free(host_pool, used, reserved, excluded)
            if value is None:
                need = sum(1 for m in members if m not in assigned)
                self.f.error(path + ("host_range",) if "host_range" in d else path + ("cidr",),
                             "too few addresses on network '%s': %d more server(s) need one, none is free"
                             % (net.name, need), "widen host_range or use a larger cidr.")
                return
            used[value] = "server '%s'" % name
            assigned[name] = value
        for name in members:
            self.host_addresses.setdefault(name, {})[net.name] = _ip_text(assigned[name])
        self.new_allocations[net.name] = dict((k, _ip_text(v)) for k, v in assigned.items())

    @staticmethod
    def _range(spec):
        if not spec:
            return None
        return (_ip(spec["start"]), _ip(spec["end"]))

    def _next_free(self, pool, used, reserved, excluded=()):
        # Addresses are handed out in rising order, so each pool resumes where it stopped.
        key = (id(used), pool)
        value = max(pool[0], self._cursor.get(key, pool[0]))
        while value <= pool[1]:
            if value in used or value in reserved:
                value += 1
                continue
            jumped = False
            for start, end in excluded:
                if start <= value <= end:
                    value = end + 1
                    jumped = True
                    break
            if not jumped:
                self._cursor[key] = value
                return value
        return None

    # ---------------------------------------------------------------- the plan
    def _build_plan(self):
        cloud = dict(self.data["cloud"])
        cloud.setdefault("ntp_servers", [])
        cloud.setdefault("dns_servers", [])
        cloud.setdefault("tenant_mtu", 1450)
        mgmt = self.purposes["management"][0]
        cloud.setdefault("ansible_network", mgmt)
        cloud.setdefault("default_route_network", cloud["ansible_network"])
        features = dict(self.data.get("features") or {})
        features["dvr"] = bool(self._dvr())
        features.setdefault("dnsaas", False)
        networks = []
        for net in sorted(self.nets.values(), key=lambda n: n.pos):
            item = dict(net.data)
            item.setdefault("tagged", False)
            item.setdefault("optional", False)
            if net.cidr is not None:
                item.setdefault("mtu", 1500)
                item["prefix"] = net.cidr.prefixlen
                item["netmask"] = str(net.cidr.netmask)
            networks.append(item)
        for vip in self.vips.values():
            purpose = self.nets[vip["network"]].purpose
            if purpose == "external":
                vip["fqdn"] = cloud["endpoints"]["public"]
            elif purpose == "management":
                vip["fqdn"] = cloud["endpoints"]["internal"]
        groups = dict((g, []) for g in BASE_GROUPS)
        hosts = {}
        order = sorted(self.servers, key=lambda n: self.servers[n][0])
        cp = self.data["control_plane"]
        for name in order:
            hosts[name] = self._host_vars(name, cloud)
            role = self.servers[name][1]["role"]
            member_groups = set(self.role_groups.get(role, set())) | set(self.role_groups.get(name, set()))
            services = set(self.role_services.get(role, {})) | set(self.role_services.get(name, {}))
            for key in ("seed", "undercloud"):
                if (cp.get(key) or {}).get("server") == name:
                    member_groups.add(key)
            for group in sorted(member_groups | services):
                groups.setdefault(group, []).append(name)
            hosts[name]["helion_services"] = sorted(services)
        return {
            "cloud": cloud,
            "features": features,
            "networks": networks,
            "vips": self.vips,
            "hosts": hosts,
            "groups": groups,
            "hosts_entries": hosts_entries(order, dict((n, h["helion_addresses"]) for n, h in hosts.items()),
                                           cloud, self.vips),
            "allocations": self.new_allocations,
            "storage": self.data.get("storage") or {},
            "vcenters": self.data.get("vcenters") or [],
            "swift": self.data.get("swift") or {},
            "server_groups": [g for p, g in sorted(self.sgroups.values(), key=lambda i: i[0])],
        }

    def _host_vars(self, name, cloud):
        pos, server = self.servers[name]
        role = self.roles[server["role"]][1]
        group = self.sgroups.get(server.get("server_group"), (None, {}))[1]
        addresses = self.host_addresses.get(name, {})
        imodel = self.imodels[role["interface_model"]][1]
        info = {
            "name": name,
            "role": server["role"],
            "server_group": server.get("server_group"),
            "failure_zone": group.get("failure_zone"),
            "swift_zone": group.get("swift_zone"),
            "swift_region": group.get("swift_region", 1),
            "pxe_mac": server.get("pxe_mac"),
            "interface_model": role["interface_model"],
            "disk_model": role["disk_model"],
        }
        hv = {
            "helion_server": info,
            "helion_addresses": addresses,
            "helion_network_interfaces": self._interfaces(imodel, addresses, cloud),
            "helion_disks": self._disks(self.dmodels[role["disk_model"]][1]),
        }
        if server.get("ipmi"):
            hv["helion_ipmi"] = dict(server["ipmi"])
            hv["helion_ipmi"].setdefault("port", 623)
        if cloud["ansible_network"] in addresses:
            hv["ansible_host"] = addresses[cloud["ansible_network"]]
        return hv

    def _interfaces(self, imodel, addresses, cloud):
        """Devices in the order they must be brought up: ports, bonds, VLANs, bridges."""
        atts = self.attachments.get(imodel["name"], [])
        mtu_of = {}
        for a in atts:
            mtu = self.nets[a["network"]].data.get("mtu", 1500)
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
                                       "mtu": max(self.nets[n].data.get("mtu", 1500) for n in bridge["networks"]),
                                       "addresses": [], "networks": []}
        vlans = []
        for a in atts:
            net = self.nets[a["network"]]
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
                if net.name == cloud.get("default_route_network") and "gateway" in net.data:
                    target["gateway"] = net.data["gateway"]
                if net.data.get("routes"):
                    target.setdefault("routes", []).extend(dict(r) for r in net.data["routes"])
        return devices + vlans + list(bridges.values())

    @staticmethod
    def _disks(model):
        return {"os_disk": model["os_disk"], "devices": [dict(d) for d in model.get("devices", [])]}


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


def plan_model(data, allocations=None, positions=None, default_file=None, findings=None):
    """Validate and plan model data. Returns (plan, warnings); raises CloudModelError."""
    findings = findings or Findings(positions, default_file)
    plan = ModelPlanner(data, findings, allocations).run()
    findings.raise_if_errors()
    return plan, findings.warnings


def load_and_plan(model_dir, display_root=None):
    """Load the model directory, validate it and plan it. Returns (plan, warnings)."""
    model_dir = os.path.abspath(model_dir) if display_root is None else model_dir
    data, positions, findings = load_model_dir(model_dir, display_root)
    allocations = load_allocations(model_dir, findings, display_root)
    if findings.errors:
        raise CloudModelError(findings.items)
    return plan_model(data, allocations, findings=findings)
