# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Times vCenter discovery on vcsimlite with 10 datacenters x 5 clusters x 10 hosts (500 hosts).

In the same run, against the same simulator:
  * ours: plugins/module_utils/_vcenter.discover() (one container view + paged property collector);
  * naive: a pyvmomi walk that reads each object's properties one by one (datacenter -> cluster -> host,
    datastores, networks), as hand-written scripts do;
  * end to end through Ansible: helion.openstack.vcenter_info against community.vmware's info modules that
    run on vcsim 0.24.2 (vmware_datacenter_info, vmware_datastore_info, vmware_portgroup_info).
Writes benchmarks/results/vcenter.md.

    bash benchmarks/run.sh vcenter, or from the repository root:
    PYTHONPATH=.:.venv/collections .venv/bin/python benchmarks/bench_vcenter.py [--runs 5] [--naive-runs 3] \
        [--ansible-runs 3]
"""

import argparse
import json
import os
import ssl
import statistics
import subprocess
import sys
import time

from tests.peers.vcenter import Vcsim, build

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)

TOPOLOGY = dict(dc=10, cluster=5, host=10, standalone_host=0, ds=1, pg=1, dvpg=["ESX-CONF:300", "ESX-TENANT:310"])


def link_collection():
    link = os.path.join(ROOT, ".venv", "collections", "ansible_collections", "helion", "openstack")
    if not os.path.exists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)


def ours(sim):
    from ansible_collections.helion.openstack.plugins.module_utils import _vcenter
    inv = _vcenter.discover(sim.connection())
    return {"hosts": len(inv["hosts"]), "clusters": len(inv["clusters"]), "datastores": len(inv["datastores"]),
            "round_trips": inv["round_trips"]}


def naive(sim):
    """One property read (one round trip) at a time, the way a simple pyvmomi script walks the tree."""
    from pyVim.connect import Disconnect, SmartConnect
    from pyVmomi import vim
    si = SmartConnect(host=sim.host, port=sim.port, user=sim.username, pwd=sim.password,
                      sslContext=ssl._create_unverified_context())
    hosts = clusters = datastores = networks = 0
    try:
        content = si.RetrieveContent()
        for dc in content.rootFolder.childEntity:
            if not isinstance(dc, vim.Datacenter):
                continue
            _unused = dc.name
            for cluster in dc.hostFolder.childEntity:
                _unused = (cluster.name, cluster.summary.totalCpu, cluster.summary.totalMemory)
                if isinstance(cluster, vim.ClusterComputeResource):
                    clusters += 1
                    _unused = (cluster.configurationEx.drsConfig.enabled, cluster.configurationEx.dasConfig.enabled)
                for host in cluster.host:
                    hosts += 1
                    _unused = (host.name, host.runtime.connectionState, host.runtime.inMaintenanceMode,
                               host.summary.config.product.version, host.summary.hardware.numCpuCores,
                               host.summary.hardware.memorySize, host.summary.quickStats.overallCpuUsage,
                               [pg.spec.vlanId for pg in host.config.network.portgroup])
            for ds in dc.datastore:
                datastores += 1
                _unused = (ds.name, ds.summary.capacity, ds.summary.freeSpace, [m.key.name for m in ds.host])
            for net in dc.network:
                networks += 1
                _unused = net.name
                if isinstance(net, vim.dvs.DistributedVirtualPortgroup):
                    _unused = (net.config.defaultPortConfig.vlan, net.config.distributedVirtualSwitch.name)
    finally:
        Disconnect(si)
    return {"hosts": hosts, "clusters": clusters, "datastores": datastores}


def ansible_run(sim, module, args):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_LOCALHOST_WARNING="0",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="0", PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
               ANSIBLE_LOAD_CALLBACK_PLUGINS="0")
    start = time.perf_counter()
    proc = subprocess.run([os.path.join(BIN, "ansible"), "localhost", "-m", module, "-a", json.dumps(args),
                           "-e", "ansible_python_interpreter=" + sys.executable],
                          check=False, capture_output=True, text=True, env=env, cwd=ROOT, timeout=900)
    elapsed = time.perf_counter() - start
    ok = proc.returncode == 0
    return elapsed, ok, "" if ok else (proc.stdout + proc.stderr)[-400:]


def timed(func, runs):
    times, out = [], None
    for _unused in range(runs):
        start = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--naive-runs", type=int, default=3)
    parser.add_argument("--ansible-runs", type=int, default=3)
    parser.add_argument("--output", default=os.path.join(ROOT, "benchmarks", "results", "vcenter.md"))
    opts = parser.parse_args()
    link_collection()
    binary = build()
    lines = []
    with Vcsim(binary, ready_timeout=120, **TOPOLOGY) as sim:
        conn = {"hostname": sim.host, "port": sim.port, "username": sim.username, "password": sim.password,
                "validate_certs": False}
        t_ours, c_ours = timed(lambda: ours(sim), opts.runs)
        t_naive, c_naive = timed(lambda: naive(sim), opts.naive_runs)
        print("ours  %.3f s %s" % (t_ours, c_ours))
        print("naive %.3f s %s  ratio %.1fx" % (t_naive, c_naive, t_naive / t_ours))
        rows = []
        modules = [
            ("helion.openstack.vcenter_info", conn),
            ("community.vmware.vmware_datacenter_info", conn),
            ("community.vmware.vmware_datastore_info", conn),
            ("community.vmware.vmware_portgroup_info", dict(conn, cluster_name="DC0_C0")),
        ]
        for module, args in modules:
            results = [ansible_run(sim, module, args) for _unused in range(opts.ansible_runs)]
            median = statistics.median(r[0] for r in results)
            ok = all(r[1] for r in results)
            rows.append((module, median, ok, next((r[2] for r in results if not r[1]), "")))
            print("%-45s %.2f s %s" % (module, median, "ok" if ok else "FAILED " + rows[-1][3]))
    base = rows[0][1]
    lines += [
        "## vCenter discovery (vcsim, 10 datacenters x 5 clusters x 10 hosts)",
        "",
        "Command: `PYTHONPATH=.:.venv/collections .venv/bin/python benchmarks/bench_vcenter.py --runs %d "
        "--naive-runs %d --ansible-runs %d` "
        "(vcsimlite from Debian's govmomi 0.24.2 on loopback, pyvmomi %s; medians; taken on a shared, loaded "
        "2-core machine)." % (opts.runs, opts.naive_runs, opts.ansible_runs, _pyvmomi_version()),
        "",
        "| Discovery (Python, same process) | Median | Ratio | What it read |",
        "|---|---:|---:|---|",
        "| `_vcenter.discover()` (container view + property collector) | %.3f s | 1.0x | %d hosts, %d clusters, "
        "%d datastores in %d round trips |" % (t_ours, c_ours["hosts"], c_ours["clusters"], c_ours["datastores"],
                                               c_ours["round_trips"]),
        "| naive pyvmomi walk, one property read per call | %.3f s | %.1fx | %d hosts, %d clusters, %d datastores |" % (
            t_naive, t_naive / t_ours, c_naive["hosts"], c_naive["clusters"], c_naive["datastores"]),
        "",
        "| Through Ansible (`ansible localhost -m ...`) | Median | Ratio | Scope |",
        "|---|---:|---:|---|",
    ]
    scopes = {
        "helion.openstack.vcenter_info": "everything: datacenters, clusters, hosts, datastores, networks",
        "community.vmware.vmware_datacenter_info": "datacenters only",
        "community.vmware.vmware_datastore_info": "datastores only",
        "community.vmware.vmware_portgroup_info": "standard port groups of one cluster's hosts",
    }
    for module, median, ok, _unused in rows:
        lines.append("| `%s` | %.2f s%s | %.2fx | %s |" % (module, median, "" if ok else " (failed)", median / base,
                                                           scopes[module]))
    lines += ["", "vmware_cluster_info and vmware_host_facts fail on vcsim 0.24.2 (vsanConfig / HostVsanSystem are "
              "missing), so they are not timed.", ""]
    os.makedirs(os.path.dirname(opts.output), exist_ok=True)
    with open(opts.output, "w") as handle:
        handle.write("\n".join(lines))
    print("wrote", opts.output)


def _pyvmomi_version():
    try:
        from importlib.metadata import version
        return version("pyvmomi")
    except Exception:  # noqa: BLE001 - informational only
        return "?"


if __name__ == "__main__":
    main()
