"""Times building a Swift ring: helion.openstack.swift_ring's logic against the swift-ring-builder CLI.

1,000 devices (5 zones x 20 hosts x 10 drives), 3 replicas, part power 18 (14 with --quick).
Ours: ``ensure_ring()`` from plugins/module_utils/_swift_ring.py, the function the module runs (load or
create, plan, add, rebalance, validate, save builder, write ring), called in a fresh Python process. With
--ansible it also times the module through ``ansible-playbook`` (adds Ansible's start-up, about 2-4 s).
Peer, in the same run: ``swift-ring-builder create``, one ``add`` with every device, ``rebalance <seed>``
(which validates and writes the builder and the ring, like ours). Both use Swift's RingBuilder.

Fair and reproducible: run N gives both sides the same rebalance seed (--seed + N - 1) and the same devices
in the same order (sorted by ip, port, device: the order ensure_ring adds them), so both do exactly the
same placement work; the benchmark checks that both builders hold the same partition map. The sides
alternate which goes first; with --parallel they run at the same time, so that on a busy
machine both meet the same outside load. Medians of --runs runs, ratios ours/CLI (of the medians and per
run); writes benchmarks/results/swift.md.

    .venv/bin/python benchmarks/bench_swift.py [--quick] [--runs 5] [--seed 1] [--ansible] [--parallel]
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
COLLECTIONS = os.path.join(ROOT, ".venv", "collections")

# Ours runs in a fresh process, like each CLI command (same start-up, same scheduling under load).
OURS = """
import json, sys
sys.path.insert(0, sys.argv[1])
from ansible_collections.helion.openstack.plugins.module_utils._swift_ring import ensure_ring
with open(sys.argv[3]) as handle:
    devs = json.load(handle)
res = ensure_ring("object-0", sys.argv[2], devs, int(sys.argv[4]), 3, 1, seed=int(sys.argv[5]))
r = res.resource
print(json.dumps({"balance": r["balance"], "dispersion": r["dispersion"], "rebalanced": r["rebalanced"]}))
"""


def run_child(cmd, env=None, cwd=None):
    """Run one command; its exit code, output and its own CPU time (user+system, from wait4).

    Per-child CPU (not RUSAGE_CHILDREN of this process), so two sides can run at the same time (--parallel).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd)
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (proc.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                usage.ru_utime + usage.ru_stime)


def devices():
    """The 1,000 devices, sorted by (ip, port, device): the order in which ensure_ring adds new devices."""
    out = []
    for zone in range(1, 6):
        for host in range(1, 21):
            for drive in range(10):
                out.append({"region": 1, "zone": zone, "ip": "10.%d.0.%d" % (zone, host), "port": 6200,
                            "device": "d%d" % drive, "weight": 100.0})
    return sorted(out, key=lambda d: (d["ip"], d["port"], d["device"]))


def placement(builder_file):
    """Digest of a builder's partition -> device map (outside the timed part)."""
    from swift.common.ring import RingBuilder
    built = RingBuilder.load(builder_file)
    digest = hashlib.sha256()
    for row in built._replica2part2dev:
        digest.update(row.tobytes())
    return built.get_balance(), built.dispersion, digest.hexdigest()[:16]


def time_ours(devs, part_power, workdir, seed):
    devfile = os.path.join(workdir, "devices.json")
    ringdir = os.path.join(workdir, "rings")
    with open(devfile, "w") as handle:
        json.dump(devs, handle)
    start = time.perf_counter()
    code, out, err, cpu = run_child([sys.executable, "-c", OURS, COLLECTIONS, ringdir, devfile, str(part_power),
                                     str(seed)])
    elapsed = time.perf_counter() - start
    if code != 0:
        raise SystemExit("ours failed:\n" + err[-3000:])
    res = json.loads(out.strip().splitlines()[-1])
    if not res["rebalanced"]:
        raise SystemExit("ours did not rebalance")
    return elapsed, cpu, os.path.join(ringdir, "object-0.builder")


def time_cli(devs, part_power, workdir, seed):
    srb = os.path.join(BIN, "swift-ring-builder")
    builder = os.path.join(workdir, "object-0.builder")
    args = []
    for d in devs:
        args += ["r%dz%d-%s:%d/%s" % (d["region"], d["zone"], d["ip"], d["port"], d["device"]), str(d["weight"])]
    cpu = 0.0
    start = time.perf_counter()
    for cmd in ([srb, builder, "create", str(part_power), "3", "1"], [srb, builder, "add"] + args,
                [srb, builder, "rebalance", str(seed)]):
        code, out, err, used = run_child(cmd)
        cpu += used
        if code not in (0, 1):
            raise SystemExit("CLI failed: %s\n%s" % (" ".join(cmd[:4]), out + err))
    elapsed = time.perf_counter() - start
    return elapsed, cpu, builder


def time_ansible(devs, part_power, workdir, seed):
    play = [{"name": "bench", "hosts": "localhost", "gather_facts": False, "tasks": [{
        "name": "ring", "helion.openstack.swift_ring": {
            "name": "object-0", "builder_dir": workdir, "part_power": part_power, "replicas": 3,
            "min_part_hours": 1, "seed": seed, "devices": devs}}]}]
    book = os.path.join(workdir, "play.yml")
    with open(book, "w") as handle:
        json.dump(play, handle)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".venv", "collections"),
               PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    start = time.perf_counter()
    code, out, err, cpu = run_child([os.path.join(BIN, "ansible-playbook"), book, "-i", "localhost,", "-c", "local",
                                     "-e", "ansible_python_interpreter=" + sys.executable], env=env, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if code != 0:
        raise SystemExit("ansible-playbook failed:\n" + out[-3000:] + err[-3000:])
    return elapsed, cpu, os.path.join(workdir, "object-0.builder")


def one_side(func, devs, part_power, seed):
    """(wall, cpu, workdir, builder file) of one side; the caller reads the builder and removes workdir."""
    workdir = tempfile.mkdtemp(prefix="bench-swift-")
    try:
        return func(devs, part_power, workdir, seed) + (workdir,)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


def busy_note(load_before, load_after):
    """A warning for the results when other jobs kept the machine's cores busy during the run."""
    cores = os.cpu_count() or 1
    if max(load_before[0], load_after[0]) <= cores:
        return ""
    return (" The machine was busy during this run (load average up to %.1f on %d cores): wall times are "
            "stretched and even CPU times vary by run (shared caches); rerun on an idle machine for absolute "
            "figures, the same-seed ratios stay meaningful." % (max(load_before[0], load_after[0]), cores))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="part power 14 instead of 18 (smoke run)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1, help="rebalance seed of run 1 (run N: seed + N - 1)")
    parser.add_argument("--ansible", action="store_true", help="also time the module through ansible-playbook")
    parser.add_argument("--parallel", action="store_true",
                        help="run ours and the CLI at the same time, so both see the same load "
                             "on a busy machine; the ansible-playbook side still runs alone")
    parser.add_argument("--output", default=os.path.join(ROOT, "benchmarks", "results", "swift.md"))
    opts = parser.parse_args()
    part_power = 14 if opts.quick else 18
    devs = devices()
    ours, cli = "ours (module_utils)", "swift-ring-builder CLI"
    sides = [(ours, time_ours), (cli, time_cli)]
    if opts.ansible:
        sides.append(("ours (ansible-playbook)", time_ansible))
    names = [name for name, _unused in sides]
    times = dict((name, []) for name in names)
    cpus = dict((name, []) for name in names)
    quality = dict((name, []) for name in names)
    seeds = [opts.seed + run for run in range(opts.runs)]
    load_before = os.getloadavg()
    for run, seed in enumerate(seeds):
        # alternate which side goes first, so a drift in machine load does not favour one side
        order = sides if run % 2 == 0 else list(reversed(sides))
        if opts.parallel:
            # ours and the CLI at the same time: both see the same outside load
            with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
                futures = dict((name, pool.submit(one_side, func, devs, part_power, seed))
                               for name, func in order[:2])
                done = dict((name, fut.result()) for name, fut in futures.items())
            for name, func in order[2:]:
                done[name] = one_side(func, devs, part_power, seed)
        else:
            done = dict((name, one_side(func, devs, part_power, seed)) for name, func in order)
        for name, _unused in order:
            elapsed, cpu, builder_file, workdir = done[name]
            try:
                placed = placement(builder_file)  # in the main thread: Swift's import (eventlet) stays out of threads
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
            times[name].append(elapsed)
            cpus[name].append(cpu)
            quality[name].append(placed)
            print("run %d seed %d %-26s wall %7.2f s  cpu %7.2f s  balance %.2f  map %s"
                  % (run + 1, seed, name, elapsed, cpu, placed[0], placed[2]), flush=True)
        maps = set(quality[name][-1][2] for name in names)
        if len(maps) != 1:
            raise SystemExit("run %d: the sides placed partitions differently (%s): not the same work"
                             % (run + 1, ", ".join(sorted(maps))))
    load_after = os.getloadavg()
    med = dict((name, statistics.median(values)) for name, values in times.items())
    medcpu = dict((name, statistics.median(values)) for name, values in cpus.items())
    ratio = med[ours] / med[cli]
    ratio_cpu = medcpu[ours] / medcpu[cli]
    run_ratio = [a / b for a, b in zip(times[ours], times[cli])]
    run_ratio_cpu = [a / b for a, b in zip(cpus[ours], cpus[cli])]
    for name in names:
        print("median %-26s wall %7.2f s  cpu %7.2f s" % (name, med[name], medcpu[name]))
    print("ratio ours/CLI of the medians: wall %.3f cpu %.3f; median of the per-run ratios: wall %.3f cpu %.3f"
          % (ratio, ratio_cpu, statistics.median(run_ratio), statistics.median(run_ratio_cpu)))

    cmd = ".venv/bin/python benchmarks/bench_swift.py" + (" --quick" if opts.quick else "") + \
        (" --ansible" if opts.ansible else "") + ("" if opts.runs == 5 else " --runs %d" % opts.runs) + \
        ("" if opts.seed == 1 else " --seed %d" % opts.seed) + (" --parallel" if opts.parallel else "")
    lines = [
        "## Swift ring build (helion.openstack.swift_ring)",
        "",
        "Command: `%s` (from the repository root)." % cmd,
        "",
        "Ring: 1,000 devices (5 zones x 20 hosts x 10 drives), 3 replicas, part power %d, min_part_hours 1; "
        "a new builder each run (create, add every device, rebalance, validate, save the builder, write the ring). "
        "%d runs; CPU is user+system time of each side's own processes (wait4). %s Load average (1 min) %.1f "
        "before, %.1f after." % (
            part_power, opts.runs,
            "Ours and the CLI ran at the same time (--parallel), so both met the same outside load."
            if opts.parallel else "The sides ran one after the other, alternating which went first.",
            load_before[0], load_after[0]),
        "",
        "Same work on both sides: run N passes the rebalance seed %s to both (ours: `ensure_ring(..., seed=N)`, "
        "the CLI: `swift-ring-builder <builder> rebalance N`; ensure_ring hands its seed to Swift as text, as the "
        "CLI does) and both add the devices in the same order (sorted by ip, port, device, the order ensure_ring "
        "uses). The benchmark checks after every run that both builders hold the same partition-to-device map "
        "(it stops otherwise): every run below placed identically on both sides." % (
            "N = %s" % ", ".join(str(v) for v in seeds)),
        "",
        "| Side | Wall median (s) | Wall runs (s) | CPU median (s) | CPU runs (s) | Balance | Dispersion |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in names:
        bal, disp, _unused = quality[name][-1]
        lines.append("| %s | %.2f | %s | %.2f | %s | %.2f | %.2f |" % (
            name, med[name], ", ".join("%.2f" % v for v in times[name]),
            medcpu[name], ", ".join("%.2f" % v for v in cpus[name]), bal, disp))
    lines += [
        "",
        "Seeds of the runs, in order: %s (balance and dispersion above: the last run)." % ", ".join(
            str(v) for v in seeds),
        "",
        "Ratio ours / CLI of the medians: wall **%.3f**, CPU **%.3f** (aim: <= 1.10). Per run (same seed, "
        "ours / CLI): wall %s (median %.3f), CPU %s (median %.3f)." % (
            ratio, ratio_cpu, ", ".join("%.3f" % v for v in run_ratio), statistics.median(run_ratio),
            ", ".join("%.3f" % v for v in run_ratio_cpu), statistics.median(run_ratio_cpu)),
        "",
        "Ours is the module's own function `ensure_ring()` run in a fresh Python process (the module adds only "
        "Ansible's argument parsing and AnsiballZ start-up%s). The CLI side runs three `swift-ring-builder` "
        "processes (create, add, rebalance), each importing Swift and loading the builder, and its rebalance "
        "writes the ring and the builder twice (a backup copy of each). Both spend almost all their time in "
        "Swift's `RingBuilder.rebalance()`; ensure_ring's own work around it (checking the devices, planning, "
        "the result's device list and diff, the ring's checksum) took about 0.02 s of CPU in-process at part power 18. "
        "How long one rebalance takes depends on the placement, so it varies with the seed; earlier figures "
        "without a fixed seed compared different placements on the two sides (ours ranged from 19.2 to 30.4 s "
        "over three runs). With the same seed the rebalance work is identical: what is left between the sides "
        "is the CLI's extra process start-ups and backup writes (a fixed cost, small at part power 18, visible "
        "with --quick) and measurement noise. CPU time is the fairer figure on a busy machine; wall time also "
        "counts waiting for the CPU while other jobs run.%s" % (
            "; see the ansible-playbook row" if opts.ansible else "",
            busy_note(load_before, load_after)),
        "",
    ]
    os.makedirs(os.path.dirname(opts.output), exist_ok=True)
    with open(opts.output, "w") as handle:
        handle.write("\n".join(lines))
    print("wrote " + opts.output)


if __name__ == "__main__":
    main()
