# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Object PUT and GET through the public VIP (HAProxy, then a proxy on one of the controllers) against a
swift-proxy-server started directly on a controller from the same packages and settings (the peer), on the
running lab cloud (`bash scripts/lab.sh up` first).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_swift_proxy.py [--rounds 5] [--size-mb 50]

Writes benchmarks/results/swift_proxy.md.
"""

from __future__ import annotations

import argparse
import json
import os
import uuid

from tests.lab.cloud import Cloud, ensure_user
from tests.lab.lab import admin_password
from tests.lab.test_storage_images import MB, proxy_throughput

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--size-mb", type=int, default=50)
    parser.add_argument("--output", default=os.path.join(ROOT, "benchmarks", "results", "swift_proxy.md"))
    opts = parser.parse_args()
    with open(os.path.join(ROOT, ".cache", "lab", "lab-model.json")) as f:
        raw = json.load(f)
    model = {"controllers": raw["groups"]["controllers"], "addresses": raw["addresses"], "vips": raw["vips"],
             "groups": raw["groups"]}
    admin = Cloud(model, "admin", admin_password(model["controllers"][0]), "admin")
    password = uuid.uuid4().hex
    ensure_user(admin, "lab-bench", password, "lab-bench", "member")
    user = Cloud(model, "lab-bench", password, "lab-bench")
    seconds = proxy_throughput(model, user, rounds=opts.rounds, size=opts.size_mb * MB)
    mbps = {k: opts.size_mb / v for k, v in seconds.items()}
    text = [
        "## Swift proxy through the VIP (local lab)",
        "",
        "Command: `PYTHONPATH=. .venv/bin/python benchmarks/bench_swift_proxy.py --rounds %d --size-mb %d` on the"
        " running lab (load average at the end: %.1f on %d cores). One %d MB object, median of %d rounds, as a"
        " project's user; the peer is `swift-proxy-server` from the same Debian packages, started on the first"
        " controller with the deployed settings, reached directly instead of through HAProxy and the VIP."
        % (opts.rounds, opts.size_mb, os.getloadavg()[0], os.cpu_count() or 0, opts.size_mb, opts.rounds),
        "",
        "| operation | through the VIP (MB/s) | direct proxy, the peer (MB/s) | VIP / direct |",
        "|---|---:|---:|---:|",
        "| PUT | %.1f | %.1f | %.2f |" % (mbps["vip_put"], mbps["direct_put"], mbps["vip_put"] / mbps["direct_put"]),
        "| GET | %.1f | %.1f | %.2f |" % (mbps["vip_get"], mbps["direct_get"], mbps["vip_get"] / mbps["direct_get"]),
        "",
    ]
    with open(opts.output, "w") as f:
        f.write("\n".join(text))
    print("\n".join(text))


if __name__ == "__main__":
    main()
