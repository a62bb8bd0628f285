# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reads `ansible-inventory --list` JSON of a cloud model on stdin and writes what the lab needs:
<state>/<cloud>-plan.txt (networks, /etc/hosts entries, one line per server with its ports, one line per
BMC, one per 3PAR array) for scripts/lab.sh, <state>/<cloud>-bmcs.yml (mode 0600: the lab BMCs, for
lab/bmc/labbmc.py), <state>/<cloud>-array-<name>.json (mode 0600: a 3PAR array's credentials, for HPE's WSAPI
mock) and <state>/<cloud>-model.json (groups, addresses, VIPs, networks; no secrets) for the tests.
Usage: ansible-inventory -i MODEL --list | python lab/model_plan.py STATE CLOUD COLLECTIONS_PATH [LAB_SH]
"""
import ipaddress
import json
import os
import re
import shlex
import sys
from urllib.parse import urlsplit

import yaml

state, cloud, collections = sys.argv[1:4]
lab_sh = sys.argv[4] if len(sys.argv) > 4 else os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))), "scripts", "lab.sh")
sys.path.insert(0, collections)
inv = json.load(sys.stdin)
hv = inv["_meta"]["hostvars"]
hosts = sorted(hv)
first = hv[hosts[0]]
entries = first.get("helion_hosts_entries") or []
if isinstance(entries, str):  # the inventory computes it in plays; do the same here
    from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.sections.networks import hosts_entries
    addresses = {h: hv[h]["helion_addresses"] for h in hosts if "helion_addresses" in hv[h]}
    entries = hosts_entries(list(addresses), addresses, first["helion_cloud"], first["helion_vips"])
names = {}
mirrors = set(inv.get("package_mirror", {}).get("hosts", []))
with open(os.path.join(state, cloud + "-plan.txt"), "w") as plan:
    for i, net in enumerate(first["helion_networks"]):
        names[net["name"]] = "%s-%d-%s" % (cloud, i, net["name"])
        plan.write("net %s %s %s %s\n" % (names[net["name"]], net["cidr"], net.get("gateway") or "-",
                                          net.get("mtu") or 1500))
    # The datacenter's router: from the deployer's (management) network to each VIP's network, so that the
    # undercloud reaches the public endpoints as a user does (its monitoring probes them).
    home = (first.get("helion_cloud") or {}).get("ansible_network")
    for vip_net in sorted({v.get("network") for v in (first.get("helion_vips") or {}).values()}):
        if home in names and vip_net in names and vip_net != home:
            plan.write("route %s %s\n" % (names[home], names[vip_net]))
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
            if h in mirrors:
                plan.write("mirror %s\n" % h)
            # The disk model's data drives: scripts/lab.sh backs each with a sparse file on a loop device.
            for dev in (v.get("helion_disks") or {}).get("devices") or []:
                plan.write("disk %s %s %s\n" % (h, dev["name"], dev.get("size_gb") or 10))


def resolve(value, hostvars):
    """The IPMI password is a template of one vault variable ("{{ vault_ipmi_password }}"): resolve that form."""
    match = re.match(r"^\{\{\s*(\w+)\s*\}\}$", str(value))
    return str(hostvars.get(match.group(1), value)) if match else str(value)


# The lab BMCs: one per server with helion_ipmi, on the model network that holds its address. Power goes
# through `docker start/stop`; boot from network then power on re-provisions the node (a fresh container).
bmcs = []
with open(os.path.join(state, cloud + "-plan.txt"), "a") as plan:
    for h in hosts:
        ipmi = hv[h].get("helion_ipmi")
        if not ipmi or not ipmi.get("address"):
            continue
        network = next((names[n["name"]] for n in first["helion_networks"] if n["name"] in names
                        and ipaddress.ip_address(ipmi["address"]) in ipaddress.ip_network(n["cidr"])), None)
        if network is None:
            continue
        password = resolve(ipmi.get("password"), hv[h])
        if "{{" in password:
            # The lab's IPMI password is one of the secrets the first deploy generates: until then, no BMC.
            sys.stderr.write("lab: the BMC of %s waits for its password (made by the first deploy)\n" % h)
            continue
        plan.write("bmc %s %s %s\n" % (h, ipmi["address"], network))
        bmcs.append({
            "name": h, "address": ipmi["address"], "port": int(ipmi.get("port") or 623),
            "username": ipmi.get("username") or "admin", "password": password,
            "mac": (hv[h].get("helion_server") or {}).get("pxe_mac"),
            "on_cmd": "docker start {name}",
            "off_cmd": "docker stop -t 10 {name}",
            "status_cmd": "docker inspect -f '{{.State.Running}}' {name}",
            "reprovision_cmd": "docker rm -f {name} >/dev/null && bash %s nodes %s" % (
                shlex.quote(lab_sh), shlex.quote(cloud)),
        })
path = os.path.join(state, cloud + "-bmcs.yml")
fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as handle:
    yaml.safe_dump(bmcs, handle)
os.replace(path + ".tmp", path)


def write_private(path, text):
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(path + ".tmp", path)


# The lab's 3PAR arrays: HPE's WSAPI mock (tests/peers/hpe3par_mock.py) on the model's address of the array,
# on the model network that holds it. A plan line each ("array name address port network"), and the
# credentials in a file of their own (the password stays off the mock's command line).
arrays = []
storage = first.get("helion_storage") or {}
with open(os.path.join(state, cloud + "-plan.txt"), "a") as plan:
    for array in storage.get("hpe3par") or []:
        url = urlsplit(array["wsapi_url"])
        try:
            address = ipaddress.ip_address(url.hostname)
        except ValueError:
            continue  # a name, not an address: not an array the lab can stand in for
        network = next((names[n["name"]] for n in first["helion_networks"] if n["name"] in names
                        and address in ipaddress.ip_network(n["cidr"])), None)
        password = resolve(array.get("password"), first)
        if network is None or "{{" in password:
            sys.stderr.write("lab: 3PAR array %s has no lab network or no password yet\n" % array["name"])
            continue
        plan.write("array %s %s %s %s\n" % (array["name"], address, url.port or 8080, network))
        write_private(os.path.join(state, "%s-array-%s.json" % (cloud, array["name"])),
                      json.dumps({"username": array["username"], "password": password}))
        arrays.append({"name": array["name"], "address": str(address), "port": url.port or 8080,
                       "url": array["wsapi_url"]})

model = {
    "arrays": {a["name"]: a for a in arrays},
    "groups": {g: inv[g].get("hosts", []) for g in inv if g != "_meta"},
    "addresses": {h: hv[h].get("helion_addresses", {}) for h in hosts},
    "vips": first.get("helion_vips", {}),
    "networks": first.get("helion_networks", []),
    "bmcs": {b["name"]: {"address": b["address"], "port": b["port"]} for b in bmcs},
}
with open(os.path.join(state, cloud + "-model.json"), "w") as f:
    json.dump(model, f, indent=1)
