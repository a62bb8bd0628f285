# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reads `ansible-inventory --list` JSON of a cloud model on stdin and writes what the lab needs:
<state>/<cloud>-plan.txt (networks, /etc/hosts entries, one line per server with its ports) for
scripts/lab.sh, and <state>/<cloud>-model.json (groups, addresses, VIPs, networks; no secrets) for the
tests. Usage: ansible-inventory -i MODEL --list | python lab/model_plan.py STATE CLOUD COLLECTIONS_PATH
"""
import json
import os
import sys

state, cloud, collections = sys.argv[1:4]
sys.path.insert(0, collections)
inv = json.load(sys.stdin)
hv = inv["_meta"]["hostvars"]
hosts = sorted(hv)
first = hv[hosts[0]]
entries = first.get("helion_hosts_entries") or []
if isinstance(entries, str):  # the inventory computes it in plays; do the same here
    from ansible_collections.helion.openstack.plugins.module_utils._cloud_model import hosts_entries
    addresses = {h: hv[h]["helion_addresses"] for h in hosts if "helion_addresses" in hv[h]}
    entries = hosts_entries(list(addresses), addresses, first["helion_cloud"], first["helion_vips"])
names = {}
with open(os.path.join(state, cloud + "-plan.txt"), "w") as plan:
    for i, net in enumerate(first["helion_networks"]):
        names[net["name"]] = "%s-%d-%s" % (cloud, i, net["name"])
        plan.write("net %s %s %s %s\n" % (names[net["name"]], net["cidr"], net.get("gateway") or "-",
                                          net.get("mtu") or 1500))
    pairs = ",".join("%s:%s" % (n, e["address"]) for e in entries for n in e["names"])
    plan.write("hostsentries %s\n" % (pairs or "-"))
    for h in hosts:
        v = hv[h]
        ports = []
        for itf in v.get("helion_network_interfaces", []):
            for net in itf.get("networks") or []:
                addr = v.get("helion_addresses", {}).get(net)
                if addr and net in names:
                    ports.append("%s=%s" % (names[net], addr))
        if ports:
            mac = (v.get("helion_server") or {}).get("pxe_mac") or "-"
            plan.write("host %s %s %s\n" % (h, mac, " ".join(ports)))
model = {
    "groups": {g: inv[g].get("hosts", []) for g in inv if g != "_meta"},
    "addresses": {h: hv[h].get("helion_addresses", {}) for h in hosts},
    "vips": first.get("helion_vips", {}),
    "networks": first.get("helion_networks", []),
}
with open(os.path.join(state, cloud + "-model.json"), "w") as f:
    json.dump(model, f, indent=1)
