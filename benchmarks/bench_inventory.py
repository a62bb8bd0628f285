"""Times `ansible-inventory --list` on a generated 1,000-server cloud model.

Peer, in the same run: the same hosts, groups and variables written as a static YAML
inventory (Ansible's own `yaml` plugin), the floor cost of Ansible loading that much data.
The benchmark checks that the peer lists exactly the same inventory (same JSON). Runs of
ours and of the peer alternate, so that both see the same machine load; the load average
is recorded before and after. One more run of ours, timed inside the process, says where
the time goes (validate and plan, Ansible's populate, host variables, JSON).
Writes benchmarks/results/inventory.md.

    .venv/bin/python benchmarks/bench_inventory.py [--servers 1000] [--runs 5] [--peer-runs 3]
        [--baseline COLLECTIONS_DIR --baseline-label TEXT] [--variants]
    # --baseline also times another copy of the collection in the same run, for example a commit:
    # mkdir -p /tmp/c/ansible_collections/helion/openstack
    # git archive 947f22d plugins meta galaxy.yml | tar -x -C /tmp/c/ansible_collections/helion/openstack
    # --variants also times the two faster-listing ideas of docs/performance.md (each changes the listing).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
COLLECTIONS = os.path.join(ROOT, ".venv", "collections")

# Runs ansible-inventory in this process with timers around its stages; prints them as JSON on stderr.
PHASES = r"""
import json, sys, time
start = time.perf_counter()
from ansible.cli import inventory as cli
from ansible.inventory import manager
times = {"imports": time.perf_counter() - start}
def timed(owner, name, label):
    orig = getattr(owner, name)
    def wrapper(*args, **kwargs):
        began = time.perf_counter()
        try:
            return orig(*args, **kwargs)
        finally:
            times[label] = times.get(label, 0.0) + time.perf_counter() - began
    setattr(owner, name, wrapper)
timed(manager.InventoryManager, "parse_sources", "parse")
timed(cli.InventoryCLI, "json_inventory", "hostvars")
dump = cli.InventoryCLI.dump
def timed_dump(stuff):
    began = time.perf_counter()
    try:
        return dump(stuff)
    finally:
        times["json"] = time.perf_counter() - began
cli.InventoryCLI.dump = staticmethod(timed_dump)
def report():
    times["in_process"] = time.perf_counter() - start
    sys.stderr.write("PHASES " + json.dumps(times) + "\n")
import atexit
atexit.register(report)
sys.argv = ["ansible-inventory", "-i", sys.argv[1], "--list"]
cli.main()
"""


# --variants: the two ways docs/performance.md proposed for a faster listing, as edits of the inventory
# plugin in a copy of the collection. Neither is shipped: each changes the listing (see docs/performance.md).
_CLOUD_VARS = """        for key, value in plan["cloud_vars"].items():
            inv.set_variable("all", key, value)"""
_HOST_VARS = """            for key, value in hostvars.items():
                inv.set_variable(name, key, value)"""
VARIANTS = [
    ("cloud-wide variables lazy: `{{ lookup(...) }}` templates instead of values", [
        (_CLOUD_VARS, _CLOUD_VARS.replace(
            "inv.set_variable(\"all\", key, value)",
            "inv.set_variable(\"all\", key, \"{{ lookup('helion.openstack.cloud_plan', '%s') }}\" % key)")),
    ]),
    ("only template strings trusted: `trusted_by_default = False`, `trust_as_template()` on the IPMI password", [
        ("trusted_by_default = True", "trusted_by_default = False"),
        (_HOST_VARS, """            for key, value in hostvars.items():
                if key == "helion_ipmi":
                    from ansible.template import trust_as_template
                    value = dict(value, password=trust_as_template(value["password"]))
                inv.set_variable(name, key, value)"""),
    ]),
]


def variant_collection(path, edits):
    """A copy of this collection under path with the inventory plugin edited; returns the collections dir."""
    dest = os.path.join(path, "ansible_collections", "helion", "openstack")
    os.makedirs(dest)
    for name in ("plugins", "meta"):
        shutil.copytree(os.path.join(ROOT, name), os.path.join(dest, name),
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(os.path.join(ROOT, "galaxy.yml"), dest)
    plugin = os.path.join(dest, "plugins", "inventory", "cloud_model.py")
    with open(plugin) as handle:
        text = handle.read()
    for old, new in edits:
        if old not in text:
            sys.exit("--variants: the inventory plugin changed, update VARIANTS in %s" % __file__)
        text = text.replace(old, new)
    with open(plugin, "w") as handle:
        handle.write(text)
    return path


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
                                                        "nova_api", "neutron_server", "ovn_central"],
                            "vips": [{"name": "internal_api", "network": "management"},
                                     {"name": "public_api", "network": "external"}]},
            "resources": [
                {"name": "compute", "type": "compute_kvm", "role": "CMP",
                 "services": ["nova_compute_kvm", "ovn_controller"]},
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


def link_collection():
    """The collection is found through .venv/collections, as in the tests (tests/conftest.py)."""
    link = os.path.join(COLLECTIONS, "ansible_collections", "helion", "openstack")
    if not os.path.exists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)


def ansible_env(collections=COLLECTIONS):
    env = dict(os.environ)
    env.update({"ANSIBLE_CONFIG": os.path.join(ROOT, "ansible.cfg"),
                "ANSIBLE_COLLECTIONS_PATH": collections,
                "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "true"})
    return env


def run_inventory(source, collections=COLLECTIONS):
    """One fresh `ansible-inventory --list` process: (seconds, stdout)."""
    start = time.perf_counter()
    proc = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", source, "--list"], capture_output=True,
                          text=True, env=ansible_env(collections), check=True, cwd=ROOT)
    return time.perf_counter() - start, proc.stdout


def phases(source):
    """Where the time of one run goes, timed inside the process, plus the plan alone."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", PHASES, source], capture_output=True, text=True,
                          env=ansible_env(), check=True, cwd=ROOT)
    wall = time.perf_counter() - start
    line = [x for x in proc.stderr.splitlines() if x.startswith("PHASES ")][-1]
    out = json.loads(line[len("PHASES "):])
    out["wall"] = wall
    sys.path.insert(0, COLLECTIONS)
    from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.planner import load_and_plan

    plan_times = []
    for _unused in range(3):
        began = time.perf_counter()
        load_and_plan(os.path.dirname(source))
        plan_times.append(time.perf_counter() - began)
    out["plan"] = statistics.median(plan_times)
    return out


def static_inventory(listing, path):
    """The same inventory as a static YAML file for Ansible's yaml plugin."""
    data = json.loads(listing)
    hostvars = data["_meta"]["hostvars"]
    groups = {}
    for group in data["all"]["children"]:  # empty groups too: they are listed there only
        if group != "ungrouped":
            groups[group] = {"hosts": dict((h, None) for h in data.get(group, {}).get("hosts", []))}
    all_hosts = dict((h, {k: v for k, v in hv.items() if not k.startswith("helion_") or k in (
        "helion_server", "helion_addresses", "helion_network_interfaces", "helion_disks", "helion_ipmi",
        "helion_services")}) for h, hv in hostvars.items())
    first = next(iter(hostvars.values()))
    all_vars = dict((k, v) for k, v in first.items() if k.startswith("helion_") and k not in all_hosts[next(
        iter(all_hosts))])
    with open(path, "w") as handle:
        yaml.safe_dump({"all": {"hosts": all_hosts, "vars": all_vars, "children": groups}}, handle)


def same_inventory(ours, peer):
    """'' when both listings hold the same groups, members and host variables, else what differs."""
    a, b = json.loads(ours), json.loads(peer)
    if a["_meta"]["hostvars"] != b["_meta"]["hostvars"]:
        return "host variables differ"
    groups = sorted(k for k in a if k != "_meta")
    if groups != sorted(k for k in b if k != "_meta"):
        return "groups differ"
    for group in groups:
        if a[group].get("hosts") != b[group].get("hosts") or \
                sorted(a[group].get("children", [])) != sorted(b[group].get("children", [])):
            return "group %s differs" % group
    return ""


def load():
    return "%.2f, %.2f, %.2f" % os.getloadavg()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    # The static YAML peer takes most of a minute a run at 1,000 servers: fewer runs of it by default.
    parser.add_argument("--peer-runs", type=int, default=3)
    parser.add_argument("--baseline", help="a collections directory holding another helion.openstack to time too")
    parser.add_argument("--baseline-label", default="baseline", help="what the baseline is, for the table")
    parser.add_argument("--variants", action="store_true", help="also time the variants that change the listing")
    args = parser.parse_args()
    link_collection()
    load_before = load()
    uptime_before = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "model")
        source = os.path.join(model, "inventory.yml")
        count = generate_model(model, args.servers)
        static = os.path.join(tmp, "static.yml")
        ours, peer, base = [], [], []
        variants = []  # (label, collections, times, listing size)
        if args.variants:
            for number, (label, edits) in enumerate(VARIANTS):
                variants.append((label, variant_collection(os.path.join(tmp, "variant%d" % number), edits), [], 0))
        listing = peer_listing = None
        # Alternate the sides so that all see the same load.
        for i in range(max(args.runs, args.peer_runs)):
            if i < args.runs:
                seconds, listing = run_inventory(source)
                ours.append(seconds)
                if i == 0:
                    static_inventory(listing, static)
            if args.baseline and i < args.runs:
                seconds, base_listing = run_inventory(source, args.baseline)
                base.append(seconds)
                if json.loads(base_listing) != json.loads(listing):
                    sys.exit("the baseline lists another inventory than ours")
            for number, (label, collections, times, _size) in enumerate(variants):
                if i < args.runs:
                    seconds, variant_listing = run_inventory(source, collections)
                    times.append(seconds)
                    variants[number] = (label, collections, times, len(variant_listing))
            if i < args.peer_runs:
                seconds, peer_listing = run_inventory(static)
                peer.append(seconds)
        difference = same_inventory(listing, peer_listing)
        if difference:
            sys.exit("the static YAML peer is not the same inventory: " + difference)
        where = phases(source)
        hosts = len(json.loads(listing)["_meta"]["hostvars"])
        size = len(listing)
    load_after = load()
    med_ours, med_peer = statistics.median(ours), statistics.median(peer)
    rows = [("helion.openstack.cloud_model (validate + plan + populate)", ours)]
    if base:
        rows.append(("the same, %s" % args.baseline_label, base))
    rows.append(("static YAML inventory of the same data", peer))
    reproduce = "`.venv/bin/python benchmarks/bench_inventory.py --servers %d --runs %d --peer-runs %d%s%s`" % (
        args.servers, args.runs, args.peer_runs,
        " --baseline %s --baseline-label '%s'" % (args.baseline, args.baseline_label) if args.baseline else "",
        " --variants" if args.variants else "")
    lines = [
        "## Inventory: `ansible-inventory --list` on a %d-server model" % count,
        "",
        "Model: 3 controllers, 1 undercloud, compute, VSA and Swift servers; 9 networks (every network of the seed's",
        "tables, VLAN trunks on bonds, an OVS bridge); %d hosts and %.1f MB of JSON listed." % (hosts, size / 1e6),
        "Median of %d runs (peer: %d), each a fresh `ansible-inventory` process (Python start-up and Ansible's"
        % (args.runs, args.peer_runs),
        "own loading included); the runs of both sides alternate.",
        "Peer in the same run: the same hosts, groups and variables as a static YAML inventory",
        "(Ansible's `yaml` plugin), the floor of what Ansible itself costs for this much data; its listing is",
        "checked to be the same JSON as ours.",
        "",
        "| Source | Median (s) | Runs (s) | Per server (ms) |",
        "|---|---|---|---|",
    ]
    for label, times in rows:
        median = statistics.median(times)
        lines.append("| %s | %.2f | %s | %.2f |" % (label, median, ", ".join("%.2f" % t for t in times),
                                                    1000 * median / count))
    lines += [
        "",
        "Ratio (cloud_model / static YAML): **%.2f**. Aim: under 3 s for the whole command: %s."
        % (med_ours / med_peer, "met" if med_ours < 3 else "NOT met"),
        "For scale: Ardana's configuration processor takes about 11 s for 19 servers (reference study).",
        "",
        "Where the time of one more run goes (timed inside the process, %.2f s in all):" % where["wall"],
        "",
        "| Stage | Seconds |",
        "|---|---|",
        "| Python start-up and loading Ansible | %.2f |" % (where["wall"] - where["in_process"] + where["imports"]),
        "| reading, validating and planning the model (our code) | %.2f |" % where["plan"],
        "| Ansible storing the variables (`set_variable` copies and tags every value) and its inventory set-up "
        "| %.2f |" % (where["parse"] - where["plan"]),
        "| Ansible gathering each host's variables | %.2f |" % where["hostvars"],
        "| Ansible's JSON encoding of the listing (data tags, trust) | %.2f |" % where["json"],
        "| the rest (command-line set-up, writing the output, exit) | %.2f |"
        % (where["in_process"] - where["imports"] - where["parse"] - where["hostvars"] - where["json"]),
        "",
        "Load average (1, 5, 15 min) before: %s; after: %s (`uptime` before: `%s`)."
        % (load_before, load_after, uptime_before),
        "",
    ]
    if base:
        lines += ["The baseline directory holds that version of the collection under "
                  "`ansible_collections/helion/openstack` (`git archive <commit> plugins meta galaxy.yml`); its "
                  "listing is checked to be the same JSON as ours.", ""]
    if variants:
        lines += [
            "Variants that change the listing, timed in the same run (not shipped, see below):",
            "",
            "| Variant | Median (s) | Runs (s) | Ratio to ours | Listing (MB) |",
            "|---|---|---|---|---|",
        ]
        for label, _collections, times, variant_size in variants:
            lines.append("| %s | %.2f | %s | %.2f | %.1f |" % (label, statistics.median(times), ", ".join(
                "%.2f" % t for t in times), statistics.median(times) / med_ours, variant_size / 1e6))
        lines.append("")
    lines += ["Reproduce: " + reproduce, ""]
    text = "\n".join(lines)
    os.makedirs(os.path.join(ROOT, "benchmarks", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "benchmarks", "results", "inventory.md"), "w") as handle:
        handle.write(text)
    print(text)


if __name__ == "__main__":
    main()
