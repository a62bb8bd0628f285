"""Times `ansible-inventory --list` on a generated 1,000-server cloud model.

Peer, in the same run: the same hosts, groups and variables written as a static YAML
inventory (Ansible's own `yaml` plugin), the floor cost of Ansible loading that much data.
Writes benchmarks/results/inventory.md.

    .venv/bin/python benchmarks/bench_inventory.py [--servers 1000] [--runs 5] [--peer-runs 3]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)


def generate_model(path, servers):
    """3 controllers, an undercloud, then compute, VSA and Swift servers; every network of the seed."""
    os.makedirs(path, exist_ok=True)
    nets = [
        {"name": "ipmi", "purpose": "ipmi", "vlan": 10, "cidr": "10.10.0.0/20", "gateway": "10.10.0.1"},
        {"name": "undercloud-mgmt", "purpose": "undercloud_management", "vlan": 20, "cidr": "10.20.0.0/20",
         "gateway": "10.20.0.1"},
        {"name": "management", "purpose": "management", "vlan": 100, "tagged": True, "cidr": "10.100.0.0/20",
         "gateway": "10.100.0.1", "mtu": 9000, "vip_range": {"start": "10.100.15.200", "end": "10.100.15.250"},
         "host_range": {"start": "10.100.0.10", "end": "10.100.15.199"}},
        {"name": "sdn", "purpose": "sdn", "vlan": 110, "tagged": True, "cidr": "10.110.0.0/20", "mtu": 9000},
        {"name": "storage", "purpose": "storage", "vlan": 120, "tagged": True, "cidr": "10.120.0.0/20", "mtu": 9000},
        {"name": "swift", "purpose": "swift", "vlan": 130, "tagged": True, "cidr": "10.130.0.0/20", "mtu": 9000},
        {"name": "external", "purpose": "external", "vlan": 200, "tagged": True, "cidr": "172.16.0.0/20",
         "gateway": "172.16.0.1", "vip_range": {"start": "172.16.0.2", "end": "172.16.0.9"},
         "host_range": {"start": "172.16.0.10", "end": "172.16.7.255"},
         "floating_range": {"start": "172.16.8.0", "end": "172.16.15.250"}},
        {"name": "service", "purpose": "service", "vlan": 210, "tagged": True, "cidr": "10.210.0.0/24",
         "gateway": "10.210.0.1"},
        {"name": "fc", "purpose": "fibre_channel"},
    ]
    trunk = ["management", "sdn", "storage", "swift", "external", "service"]
    models = {
        "server_groups": [{"name": "rack%d" % i, "failure_zone": "az%d" % i, "swift_zone": i} for i in (1, 2, 3)],
        "server_roles": [
            {"name": "UC", "interface_model": "UC-IF", "disk_model": "OS"},
            {"name": "CTL", "interface_model": "CTL-IF", "disk_model": "OS"},
            {"name": "CMP", "interface_model": "CMP-IF", "disk_model": "OS"},
            {"name": "VSA", "interface_model": "STO-IF", "disk_model": "VSA-D"},
            {"name": "SWF", "interface_model": "SWF-IF", "disk_model": "SWF-D"},
        ],
        "interface_models": [
            {"name": "UC-IF", "ports": [{"name": "eth0", "networks": ["undercloud-mgmt", "management"]}]},
            {"name": "CTL-IF", "ports": [{"name": "eth0", "networks": ["undercloud-mgmt"]}, {"name": "eth1"},
                                         {"name": "eth2"}],
             "bonds": [{"name": "bond0", "members": ["eth1", "eth2"], "networks": trunk}],
             "bridges": [{"name": "br-ex", "device": "bond0", "networks": ["external"]}]},
            {"name": "CMP-IF", "ports": [{"name": "eth0", "networks": ["undercloud-mgmt"]}, {"name": "eth1"},
                                         {"name": "eth2"}],
             "bonds": [{"name": "bond0", "members": ["eth1", "eth2"],
                        "networks": ["management", "sdn", "storage", "external"]}],
             "bridges": [{"name": "br-ex", "device": "bond0", "networks": ["external"]}]},
            {"name": "STO-IF", "ports": [{"name": "eth0", "networks": ["undercloud-mgmt", "management", "storage"]}]},
            {"name": "SWF-IF", "ports": [{"name": "eth0", "networks": ["undercloud-mgmt", "management", "swift"]}]},
        ],
        "disk_models": [
            {"name": "OS", "os_disk": "/dev/sda"},
            {"name": "VSA-D", "os_disk": "/dev/sda", "devices": [{"name": "/dev/sd%s" % c, "consumer": "vsa",
                                                                  "size_gb": 1200} for c in "bcd"]},
            {"name": "SWF-D", "os_disk": "/dev/sda", "devices": [
                {"name": "/dev/sd%s" % c, "consumer": "swift", "size_gb": 4000,
                 "rings": ["account", "container"] if c == "b" else ["object-0"]} for c in "bcdefghijk"]},
        ],
    }
    counts = [("uc", "UC", 1), ("ctl", "CTL", 3)]
    rest = servers - 4
    counts += [("vsa", "VSA", rest // 10), ("swf", "SWF", rest // 5)]
    counts.append(("cmp", "CMP", rest - rest // 10 - rest // 5))
    server_list = []
    n = 0
    for prefix, role, count in counts:
        for i in range(1, count + 1):
            n += 1
            server_list.append({"name": "%s%04d" % (prefix, i), "role": role, "server_group": "rack%d" % (n % 3 + 1),
                                "pxe_mac": "52:54:%02x:%02x:%02x:01" % (n >> 16, (n >> 8) & 255, n & 255),
                                "ipmi": {"address": "10.10.%d.%d" % ((n + 10) // 256, (n + 10) % 256),
                                         "username": "admin", "password": "{{ vault_ipmi_password }}"}})
    files = {
        "cloud.yml": {"cloud": {"name": "bench", "dns_domain": "bench.example.com",
                                "endpoints": {"public": "api.bench.example.com",
                                              "internal": "int.bench.example.com"}}},
        "networks.yml": {"networks": nets},
        "models.yml": models,
        "servers.yml": {"servers": server_list},
        "control_plane.yml": {"control_plane": {
            "seed": {"server": "uc0001"}, "undercloud": {"server": "uc0001", "services": ["ironic"]},
            "controllers": {"role": "CTL", "services": ["haproxy", "keepalived", "mariadb", "rabbitmq", "keystone",
                                                        "nova_api", "neutron_server", "neutron_l3_agent"],
                            "vips": [{"name": "internal_api", "network": "management"},
                                     {"name": "public_api", "network": "external"}]},
            "resources": [
                {"name": "compute", "type": "compute_kvm", "role": "CMP",
                 "services": ["nova_compute_kvm", "neutron_ovs_agent"]},
                {"name": "vsa", "type": "vsa", "role": "VSA", "services": ["storevirtual_vsa"]},
                {"name": "swift", "type": "swift_object", "role": "SWF",
                 "services": ["swift_proxy", "swift_account", "swift_container", "swift_object"]}]}},
        "swift.yml": {"swift": {"rings": [{"name": r, "part_power": 16, "replicas": 3, "min_part_hours": 16}
                                          for r in ("account", "container", "object-0")]}},
        "inventory.yml": {"plugin": "helion.openstack.cloud_model", "model": "."},
    }
    for name, content in files.items():
        with open(os.path.join(path, name), "w") as handle:
            yaml.safe_dump(content, handle, sort_keys=False)
    return len(server_list)


def ansible_env():
    env = dict(os.environ)
    env.update({"ANSIBLE_CONFIG": os.path.join(ROOT, "ansible.cfg"),
                "ANSIBLE_COLLECTIONS_PATH": os.path.join(ROOT, ".venv", "collections"),
                "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "true"})
    return env


def time_inventory(source, runs):
    times = []
    out = None
    for _unused in range(runs):
        start = time.perf_counter()
        proc = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", source, "--list"], capture_output=True,
                              text=True, env=ansible_env(), check=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
        out = proc.stdout
    return times, out


def static_inventory(listing, path):
    """The same inventory as a static YAML file for Ansible's yaml plugin."""
    data = json.loads(listing)
    hostvars = data["_meta"]["hostvars"]
    groups = {}
    for group, body in data.items():
        if group in ("_meta", "all", "ungrouped"):
            continue
        groups[group] = {"hosts": dict((h, None) for h in body.get("hosts", []))}
    all_hosts = dict((h, {k: v for k, v in hv.items() if not k.startswith("helion_") or k in (
        "helion_server", "helion_addresses", "helion_network_interfaces", "helion_disks", "helion_ipmi",
        "helion_services")}) for h, hv in hostvars.items())
    first = next(iter(hostvars.values()))
    all_vars = dict((k, v) for k, v in first.items() if k.startswith("helion_") and k not in all_hosts[next(
        iter(all_hosts))])
    with open(path, "w") as handle:
        yaml.safe_dump({"all": {"hosts": all_hosts, "vars": all_vars, "children": groups}}, handle)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    # The static YAML peer takes minutes a run at 1,000 servers: fewer runs of it by default.
    parser.add_argument("--peer-runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "model")
        count = generate_model(model, args.servers)
        ours, listing = time_inventory(os.path.join(model, "inventory.yml"), args.runs)
        hosts = len(json.loads(listing)["_meta"]["hostvars"])
        static = os.path.join(tmp, "static.yml")
        static_inventory(listing, static)
        peer, _unused = time_inventory(static, args.peer_runs)
        size = len(listing)
    med_ours, med_peer = statistics.median(ours), statistics.median(peer)
    lines = [
        "## Inventory: `ansible-inventory --list` on a %d-server model" % count,
        "",
        "Model: 3 controllers, 1 undercloud, compute, VSA and Swift servers; 9 networks (every network of the seed's",
        "tables, VLAN trunks on bonds, an OVS bridge); %d hosts and %.1f MB of JSON listed." % (hosts, size / 1e6),
        "Median of %d runs (peer: %d), each a fresh `ansible-inventory` process (Python start-up and Ansible's"
        % (args.runs, args.peer_runs),
        "own loading included).",
        "Peer in the same run: the same hosts, groups and variables as a static YAML inventory",
        "(Ansible's `yaml` plugin), the floor of what Ansible itself costs for this much data.",
        "",
        "| Source | Median (s) | Runs (s) | Per server (ms) |",
        "|---|---|---|---|",
        "| helion.openstack.cloud_model (validate + plan + populate) | %.2f | %s | %.2f |"
        % (med_ours, ", ".join("%.2f" % t for t in ours), 1000 * med_ours / count),
        "| static YAML inventory of the same data | %.2f | %s | %.2f |"
        % (med_peer, ", ".join("%.2f" % t for t in peer), 1000 * med_peer / count),
        "",
        "Ratio (cloud_model / static YAML): **%.2f**. Aim: under 3 s for the whole command: %s."
        % (med_ours / med_peer, "met" if med_ours < 3 else "NOT met"),
        "For scale: Ardana's configuration processor takes about 11 s for 19 servers (reference study).",
        "",
        "Reproduce: `.venv/bin/python benchmarks/bench_inventory.py --servers %d --runs %d --peer-runs %d`"
        % (args.servers, args.runs, args.peer_runs),
        "",
    ]
    text = "\n".join(lines)
    os.makedirs(os.path.join(ROOT, "benchmarks", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "benchmarks", "results", "inventory.md"), "w") as handle:
        handle.write(text)
    print(text)


if __name__ == "__main__":
    main()
