# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Instance boots on the running lab cloud (`bash scripts/lab.sh up` first): `server create` to ACTIVE, to the
guest's DHCP lease (its console log) and to SSH through a floating IP, for the tiny image, as a project's user;
the peer is the same image booted by QEMU itself (TCG, 256 MB, user-mode network) on the compute node, timed to
the same DHCP line on its serial console.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_boot.py [--boots 5]

Writes benchmarks/results/boot.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import time
import uuid

from tests.lab.cloud import Cloud, ensure_user
from tests.lab.lab import admin_password, dexec, run
from tests.lab.test_compute import boot, console, ssh, tenant_network

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DHCP = "helion-tiny: DHCP done"
IMAGE = "/var/lib/helion/images/helion-tiny.qcow2"


def nova_boots(model, user, count):
    network = tenant_network(user)
    compute, net_url = user.url("compute"), network["url"]
    path = "/tmp/helion-bench-key-%s" % uuid.uuid4().hex[:6]
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path])
    key_name = os.path.basename(path)
    with open(path + ".pub") as handle:
        user.json("POST", compute + "/os-keypairs", {"keypair": {"name": key_name, "public_key": handle.read()}})
    fip = user.json("POST", net_url + "/floatingips", {"floatingip": {
        "floating_network_id": network["ext"]["id"]}})["floatingip"]
    rows = []
    try:
        for i in range(count):
            t0 = time.monotonic()
            server, active = boot(user, "bench-vm%d" % i, network, key_name)
            dhcp = None
            port = user.json("GET", net_url + "/ports?device_id=" + server["id"])["ports"][0]
            user.json("PUT", net_url + "/floatingips/" + fip["id"], {"floatingip": {"port_id": port["id"]}})
            reach = None
            while time.monotonic() - t0 < 600 and (dhcp is None or reach is None):
                if dhcp is None and DHCP in console(user, server["id"]):
                    dhcp = time.monotonic() - t0
                if reach is None and ssh(path, fip["floating_ip_address"], "true", timeout=20).returncode == 0:
                    reach = time.monotonic() - t0
                time.sleep(1)
            rows.append({"active": active, "dhcp": dhcp, "ssh": reach})
            user.call("DELETE", compute + "/servers/" + server["id"], expect=(204, 404))
            time.sleep(5)
    finally:
        user.call("DELETE", net_url + "/floatingips/" + fip["id"], expect=(204, 404))
        user.call("DELETE", compute + "/os-keypairs/" + key_name, expect=(202, 204, 404))
    return rows


def qemu_boots(model, count):
    """The peer: QEMU alone on the compute node, the same image, timed to the DHCP line."""
    ctl, cpu = model["controllers"][0], model["groups"]["nova_compute_kvm"][0]
    local = "/tmp/helion-bench-tiny.qcow2"
    run(["docker", "cp", "%s:%s" % (ctl, IMAGE), local])
    run(["docker", "cp", local, "%s:/tmp/helion-bench-tiny.qcow2" % cpu])
    script = ("start=$(date +%%s.%%N); timeout 300 qemu-system-x86_64 -accel tcg -m 256 -nographic -no-reboot "
              "-drive file=/tmp/helion-bench-tiny.qcow2,if=virtio,snapshot=on -netdev user,id=n0 "
              "-device virtio-net-pci,netdev=n0 -serial stdio -monitor none 2>&1 | while read -r line; do "
              "case \"$line\" in *'%s'*) echo \"$(date +%%s.%%N) $start\"; pkill -f helion-bench-tiny; break;; "
              "esac; done" % DHCP)
    seconds = []
    for _boot in range(count):
        out = dexec(cpu, script, timeout=360).stdout.split()
        if len(out) >= 2:
            seconds.append(float(out[0]) - float(out[1]))
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boots", type=int, default=5)
    parser.add_argument("--output", default=os.path.join(ROOT, "benchmarks", "results", "boot.md"))
    opts = parser.parse_args()
    with open(os.path.join(ROOT, ".cache", "lab", "lab-model.json")) as f:
        raw = json.load(f)
    model = {"controllers": raw["groups"]["controllers"], "addresses": raw["addresses"], "vips": raw["vips"],
             "groups": raw["groups"]}
    admin = Cloud(model, "admin", admin_password(model["controllers"][0]), "admin")
    password = uuid.uuid4().hex
    ensure_user(admin, "lab-bench", password, "lab-bench", "member")
    user = Cloud(model, "lab-bench", password, "lab-bench")
    rows = nova_boots(model, user, opts.boots)
    peer = qemu_boots(model, opts.boots)

    def med(key):
        values = [r[key] for r in rows if r[key] is not None]
        return statistics.median(values) if values else float("nan")
    peer_med = statistics.median(peer) if peer else float("nan")
    text = [
        "## Instance boot (local lab)",
        "",
        "Command: `PYTHONPATH=. .venv/bin/python benchmarks/bench_boot.py --boots %d` on the running lab (load"
        " average at the end: %.1f on %d cores). `helion-tiny` on `m1.tiny`, one instance at a time, as a"
        " project's user through the public VIP, QEMU TCG on the compute node; medians of %d boots. The peer is"
        " QEMU started directly on the compute node with the same image (no Nova, Neutron or libvirt), timed to"
        " the same line of the guest's console." % (opts.boots, os.getloadavg()[0], os.cpu_count() or 0, opts.boots),
        "",
        "| step | Nova (s) | QEMU alone, the peer (s) | Nova / peer |",
        "|---|---:|---:|---:|",
        "| create → ACTIVE | %.1f | | |" % med("active"),
        "| create → guest's DHCP lease | %.1f | %.1f | %.2f |" % (med("dhcp"), peer_med, med("dhcp") / peer_med),
        "| create → SSH through the floating IP | %.1f | | |" % med("ssh"),
        "",
        "Each boot: %s; the peer: %s." % (
            "; ".join("ACTIVE %.0f s, DHCP %s, SSH %s" % (r["active"], "%.0f s" % r["dhcp"] if r["dhcp"] else "-",
                                                          "%.0f s" % r["ssh"] if r["ssh"] else "-") for r in rows),
            ", ".join("%.1f s" % s for s in peer)),
        "",
    ]
    with open(opts.output, "w") as f:
        f.write("\n".join(text))
    print("\n".join(text))
    subprocess.run(["rm", "-f", "/tmp/helion-bench-tiny.qcow2"], check=False)


if __name__ == "__main__":
    main()
