"""Times a search of the cloud's logs: helion.openstack.log_search's query (journalctl over the journal files that
systemd-journal-remote keeps, one per host) against the peer of a central syslog host, grep over one plain-text
file per host (what rsyslog's per-host files give), on the same day of logs.

The day: --hosts hosts, --entries entries each over 24 hours (services, severities and messages mixed as on a
controller: keystone, glance-api, haproxy, mariadbd, rabbitmq-server, swift's servers, systemd, kernel; 1% err,
5% warning), written both ways from the same entries. Three questions, each asked --runs times of both sides,
alternating which goes first:

- keystone's errors on two hosts matching a text, over the day;
- everything haproxy logged on one host in one hour;
- a text anywhere in the cloud, over the day.

Ours: the module's own code (``journalctl_argv``, journalctl, ``parse_entries``), as the module runs it on the log
server (without Ansible's start-up). Peer: ``grep -h -E`` with LC_ALL=C over the files of the hosts asked (grep
cannot filter by time or severity field: its pattern matches them in the text, which only gives it an edge).
Both sides must return the same messages. Writes benchmarks/results/log_search.md.

    PYTHONPATH=.:.venv/collections .venv/bin/python benchmarks/bench_log_search.py \
        [--hosts 8] [--entries 50000] [--runs 5]
"""

import argparse
import datetime
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.helion.openstack.plugins.module_utils import _log_search
from ansible_collections.helion.openstack.plugins.modules import log_search as log_search_module

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote"
SERVICES = [("keystone", 0.15), ("glance-api", 0.08), ("haproxy", 0.2), ("mariadbd", 0.07), ("rabbitmq-server", 0.05),
            ("object-server", 0.15), ("container-server", 0.1), ("systemd", 0.12), ("kernel", 0.08)]
WORDS = ("request", "token", "image", "backend", "connection", "replication", "pass", "completed", "session",
         "audit", "started", "partition", "timeout", "client", "sync", "queue", "unit", "status")


def day_of_logs(hosts, entries, seed=1):
    """[(host, micros, ident, priority, message)], oldest first per host."""
    rng = random.Random(seed)
    end = int(time.time()) * 1000000
    start = end - 86400 * 1000000
    names, weights = zip(*SERVICES)
    out = []
    for h in range(hosts):
        host = "ctl%d" % (h + 1)
        step = (end - start) // entries
        for n in range(entries):
            ident = rng.choices(names, weights)[0]
            roll = rng.random()
            priority = 3 if roll < 0.01 else 4 if roll < 0.06 else 6
            text = " ".join(rng.choice(WORDS) for _word in range(12))
            if priority == 3 and rng.random() < 0.5:
                text += " database connection lost"
            out.append((host, start + n * step + h, ident, priority, "%s %d %s" % (ident, n, text)))
    return out


def write_journals(entries, directory):
    by_host = {}
    for entry in entries:
        by_host.setdefault(entry[0], []).append(entry)
    for host, rows in by_host.items():
        lines = []
        for number, (_host, micros, ident, priority, message) in enumerate(rows):
            lines += ["__REALTIME_TIMESTAMP=%d" % micros, "__MONOTONIC_TIMESTAMP=%d" % (1000 + number),
                      "_BOOT_ID=0123456789abcdef0123456789abcdef", "_HOSTNAME=" + host, "SYSLOG_IDENTIFIER=" + ident,
                      "PRIORITY=%d" % priority, "MESSAGE=" + message, ""]
        subprocess.run([JOURNAL_REMOTE, "-o", os.path.join(directory, "remote-%s.journal" % host), "-"],
                       input=("\n".join(lines) + "\n").encode(), check=True, capture_output=True, timeout=600)


SEVERITY = {3: "err", 4: "warning", 6: "info"}


def write_files(entries, directory):
    """One file per host, as rsyslog's per-host template writes them: time, host, tag, severity, message."""
    handles = {}
    try:
        for host, micros, ident, priority, message in entries:
            if host not in handles:
                handles[host] = open(os.path.join(directory, host + ".log"), "w")
            stamp = datetime.datetime.fromtimestamp(micros / 1e6, datetime.timezone.utc).strftime(
                "%Y-%m-%dT%H:%M:%S.%f+00:00")
            handles[host].write("%s %s %s: <%s> %s\n" % (stamp, host, ident, SEVERITY[priority], message))
    finally:
        for handle in handles.values():
            handle.close()


def _journalctl(argv):
    proc = subprocess.run(argv, capture_output=True, text=True, env=dict(os.environ, LC_ALL="C"), check=False)
    if proc.returncode != 0 and not _log_search.no_match(proc.returncode, proc.stdout, proc.stderr):
        raise SystemExit("journalctl failed: %s" % proc.stderr)
    return proc.stdout


def ours(directory, limit=100000, parallel=None, **question):
    """As the module searches: the journal files in groups, one journalctl per group at once (``parallel``
    groups, default the number of processors), the answers merged. ``parallel=1``: one journalctl over the
    directory, as the module did before."""
    if parallel == 1:
        outputs = [_journalctl(_log_search.journalctl_argv(directory, limit=limit, **question))]
    else:
        groups = _log_search.file_groups(log_search_module.journal_files(directory), parallel or os.cpu_count() or 1)
        argvs = [_log_search.journalctl_argv(directory, limit=limit, files=group, **question) for group in groups]
        with ThreadPoolExecutor(max_workers=len(argvs)) as pool:
            outputs = list(pool.map(_journalctl, argvs))
    return sorted(e["message"] for e in _log_search.parse_entries(outputs, limit=limit)[0])


def peer(directory, hosts, pattern):
    files = [os.path.join(directory, h + ".log") for h in hosts]
    proc = subprocess.run(["grep", "-h", "-E", pattern] + files, capture_output=True, text=True,
                          env=dict(os.environ, LC_ALL="C"), check=False)
    return sorted(line.split(": <", 1)[1].split("> ", 1)[1] for line in proc.stdout.splitlines())


def hour_pattern(entries, host):
    """A grep pattern for one hour of one host (the 10th hour of the day), and that hour as journalctl's window."""
    first = min(entry[1] for entry in entries if entry[0] == host)
    start = datetime.datetime.fromtimestamp(first / 1e6 + 10 * 3600, datetime.timezone.utc).replace(
        minute=0, second=0, microsecond=0)
    end = start + datetime.timedelta(hours=1)
    return (start.strftime("%Y-%m-%dT%H:"), start.strftime("%Y-%m-%d %H:%M:%S UTC"),
            (end - datetime.timedelta(microseconds=1)).strftime("%Y-%m-%d %H:%M:%S.%f UTC"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--entries", type=int, default=50000, help="entries per host over the day")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not os.path.exists(JOURNAL_REMOTE):
        raise SystemExit("systemd-journal-remote is not installed (bindep.txt, test profile)")
    work = tempfile.mkdtemp(prefix="bench-log-")
    try:
        t = time.monotonic()
        entries = day_of_logs(args.hosts, args.entries)
        journals, files = os.path.join(work, "journal"), os.path.join(work, "files")
        os.makedirs(journals)
        os.makedirs(files)
        write_journals(entries, journals)
        write_files(entries, files)
        prepare = time.monotonic() - t
        size_j = sum(os.path.getsize(os.path.join(journals, f)) for f in os.listdir(journals))
        size_f = sum(os.path.getsize(os.path.join(files, f)) for f in os.listdir(files))
        hosts = ["ctl%d" % (h + 1) for h in range(args.hosts)]
        hour_prefix, since, until = hour_pattern(entries, "ctl1")
        questions = [
            ("keystone's errors on 2 hosts matching 'database', over the day",
             dict(services=["keystone"], hosts=hosts[:2], severity="err", grep="database"),
             (hosts[:2], r" keystone: <err> .*database")),
            ("haproxy on 1 host, one hour",
             dict(services=["haproxy"], hosts=hosts[:1], since=since, until=until),
             (hosts[:1], "^%s.* haproxy: " % hour_prefix)),
            ("a text anywhere in the cloud, over the day",
             dict(grep="partition timeout"), (hosts, "partition timeout")),
        ]
        rows = []
        for title, question, (peer_hosts, pattern) in questions:
            times = {"ours": [], "one": [], "peer": []}
            found = {}
            for run in range(args.runs):
                order = ("ours", "one", "peer")[run % 3:] + ("ours", "one", "peer")[:run % 3]
                for side in order:
                    t = time.perf_counter()
                    result = (ours(journals, **question) if side == "ours"
                              else ours(journals, parallel=1, **question) if side == "one"
                              else peer(files, peer_hosts, pattern))
                    times[side].append(time.perf_counter() - t)
                    found[side] = result
            if not found["ours"] == found["one"] == found["peer"]:
                raise SystemExit("%s: the sides disagree (%d, %d and %d entries)" % (
                    title, len(found["ours"]), len(found["one"]), len(found["peer"])))
            med = {side: statistics.median(v) for side, v in times.items()}
            rows.append((title, len(found["ours"]), med["ours"], med["one"], med["peer"], times))
        # The module's default: the newest 1,000 entries (journalctl reads back from the end).
        newest = []
        for _run in range(args.runs):
            t = time.perf_counter()
            found_newest = ours(journals, limit=1000, grep="partition timeout")
            newest.append(time.perf_counter() - t)
        load = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = [
        "## Log search: `log_search` over a day of %d hosts' logs" % args.hosts,
        "",
        "%d hosts x %d entries over 24 hours (%d in all; journal files %.0f MB, the same as text %.0f MB; "
        "written in %.0f s). Median of %d runs each, the sides taking turns; ours is the module's query (journalctl "
        "over the received journal files in %d groups at once, one per processor, parsed and merged), then the same "
        "question as one journalctl over the directory (the module before), and the peer `grep -E` over one text file "
        "per host, as a central syslog host keeps them. All return the same messages (checked)." % (
            args.hosts, args.entries, len(entries), size_j / 1e6, size_f / 1e6, prepare, args.runs,
            min(os.cpu_count() or 1, args.hosts)),
        "",
        "| question | entries found | ours (s) | one journalctl (s) | grep (s) | ratio ours/grep | ours, runs (s) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for title, count, m_ours, m_one, m_peer, times in rows:
        lines.append("| %s | %d | %.3f | %.3f | %.3f | %.1f | %s |" % (
            title, count, m_ours, m_one, m_peer, m_ours / m_peer if m_peer else float("nan"),
            ", ".join("%.3f" % v for v in times["ours"])))
    lines += [
        "",
        "The last question with the module's default limit (the newest 1,000 of them, %d returned): median %.3f s "
        "(runs %s)." % (len(found_newest), statistics.median(newest), ", ".join("%.3f" % v for v in newest)),
        "",
        "Load average (1, 5, 15 min) after the run: %.2f, %.2f, %.2f. The aim is under 2 s for a day of the lab's "
        "logs: the slowest question's median is %.2f s." % (load + (max(r[2] for r in rows),)),
        "",
        "Reproduce: `PYTHONPATH=.:.venv/collections .venv/bin/python benchmarks/bench_log_search.py --hosts %d "
        "--entries %d --runs %d`" % (args.hosts, args.entries, args.runs),
    ]
    text = "\n".join(lines) + "\n"
    os.makedirs(os.path.join(ROOT, "benchmarks", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "benchmarks", "results", "log_search.md"), "w") as handle:
        handle.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
