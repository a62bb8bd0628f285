# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wall time of the control-plane deploy on the local lab, from bare containers, and of a
second (no-op) run, which must change nothing.

    .venv/bin/python benchmarks/bench_control_plane.py [--reuse]

Without --reuse the lab is removed and recreated first (bare containers; the base image and
the apt-cacher-ng cache of a previous lab are not kept: lab-down removes the containers, so the
first deploy downloads the packages again). Writes benchmarks/results/control_plane.md.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAB = ["bash", os.path.join(ROOT, "scripts", "lab.sh")]


def timed(args):
    t = time.monotonic()
    res = subprocess.run(LAB + args, check=False, cwd=ROOT, capture_output=True, text=True, timeout=7200)
    took = time.monotonic() - t
    if res.returncode != 0:
        sys.stderr.write(res.stdout[-5000:] + res.stderr[-3000:])
        raise SystemExit("lab.sh %s failed (rc %d)" % (" ".join(args), res.returncode))
    return took, res.stdout


def changes(output):
    """Total changed= of every PLAY RECAP in the output."""
    return sum(int(n) for n in re.findall(r"\bchanged=(\d+)", output))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="keep the running lab (no lab-down first)")
    parser.add_argument("--output", default=os.path.join(ROOT, "benchmarks", "results", "control_plane.md"))
    opts = parser.parse_args()
    if not opts.reuse:
        timed(["down", "lab"])
    nodes_s, _unused = timed(["nodes", "lab"])
    first_s, first_out = timed(["deploy", "lab"])
    second_s, second_out = timed(["deploy", "lab"])
    load = os.getloadavg()[0]
    rows = [
        ("lab nodes (networks, 7 containers, SSH)", nodes_s, "-"),
        ("first deploy (lab_prepare + overcloud_control_plane)", first_s, changes(first_out)),
        ("second deploy (no-op)", second_s, changes(second_out)),
    ]
    text = [
        "## Control plane deploy (local lab)",
        "",
        "Command: `.venv/bin/python benchmarks/bench_control_plane.py`%s (load average at the end: %.1f on %d cores)."
        % (" --reuse" if opts.reuse else "", load, os.cpu_count() or 0),
        "",
        "| step | wall time (s) | changed tasks |",
        "|---|---:|---:|",
    ]
    text += ["| %s | %.0f | %s |" % (name, secs, ch) for name, secs, ch in rows]
    text.append("")
    with open(opts.output, "w") as f:
        f.write("\n".join(text))
    print("\n".join(text))
    if changes(second_out) != 0:
        raise SystemExit("the second deploy changed %d tasks" % changes(second_out))


if __name__ == "__main__":
    main()
