# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What monitoring costs on the monitoring server, read from the lab's Prometheus itself, and the same projected
on paper for a cloud of N nodes (docs/performance.md).

    PYTHONPATH=. .venv/bin/python lab/monitoring_cost.py [--nodes 1000] [--interval 15] [--bytes-per-sample 1.5]

Reads .cache/lab/lab-model.json for the monitoring server's address. The projection scales what grows with the
node count (the node exporter's series of the nodes that are not controllers) and keeps what does not (the
controllers' exporters and the API probes); Prometheus keeps a sample in 1-2 bytes once compacted (its own
documentation's figure), the default here 1.5.
"""

from __future__ import annotations

import argparse
import json
import os
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def query(base, expr):
    url = "%s/api/v1/query?%s" % (base, urllib.parse.urlencode({"query": expr}))
    with urllib.request.urlopen(url, timeout=30) as resp:
        data = json.loads(resp.read())["data"]["result"]
    return {tuple(sorted(r["metric"].items())): float(r["value"][1]) for r in data}


def one(base, expr):
    values = list(query(base, expr).values())
    return values[0] if values else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cloud", default="lab")
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=15.0, help="the projection's scrape interval (s)")
    parser.add_argument("--bytes-per-sample", type=float, default=1.5)
    args = parser.parse_args()
    with open(os.path.join(ROOT, ".cache", "lab", args.cloud + "-model.json")) as f:
        model = json.load(f)
    server = model["groups"]["undercloud"][0]
    base = "http://%s:9090" % model["addresses"][server]["management"]
    controllers = set(model["groups"]["controllers"])

    series_by_job = {dict(k)["job"]: v for k, v in query(base, 'count by (job) ({__name__=~".+"})').items()}
    node_series = query(base, 'count by (host) ({job="node"})')
    per_host = {dict(k)["host"]: v for k, v in node_series.items()}
    other = [v for h, v in per_host.items() if h not in controllers]
    per_node = sum(other) / len(other) if other else 0.0
    head = one(base, "prometheus_tsdb_head_series")
    rss = one(base, 'process_resident_memory_bytes{job="prometheus"}')
    cpu = one(base, 'rate(process_cpu_seconds_total{job="prometheus"}[5m])')
    appended = one(base, "rate(prometheus_tsdb_head_samples_appended_total[5m])")
    rules = one(base, "sum(prometheus_rule_group_last_duration_seconds)")
    scrape = {dict(k)["job"]: v for k, v in query(base, "avg by (job) (scrape_duration_seconds)").items()}
    interval = one(base, 'prometheus_target_interval_length_seconds{quantile="0.5"}') or args.interval

    fixed = head - sum(per_host.get(h, 0) for h in per_host if h not in controllers)
    projected = fixed + per_node * max(args.nodes - len(controllers), 0)
    samples_day = projected * 86400 / args.interval
    print("| what | lab | %d nodes (on paper) |" % args.nodes)
    print("|---|---:|---:|")
    print("| nodes scraped | %d | %d |" % (len(per_host), args.nodes))
    print("| series in the head | %d | %d |" % (head, projected))
    print("| series per node (node exporter, not a controller) | %d | %d |" % (per_node, per_node))
    print("| samples appended per second | %.0f (every %.0f s) | %.0f (every %.0f s) |"
          % (appended, interval, projected / args.interval, args.interval))
    print("| disk per day at %.1f bytes a sample | %.0f MB | %.1f GB |"
          % (args.bytes_per_sample, appended * 86400 * args.bytes_per_sample / 1e6,
             samples_day * args.bytes_per_sample / 1e9))
    print("| Prometheus's memory (RSS) | %.0f MB | about %.1f GB (at the lab's %.1f KB per series) |"
          % (rss / 1e6, projected * rss / max(head, 1) / 1e9, rss / max(head, 1) / 1e3))
    print("| Prometheus's CPU | %.1f%% of a core | |" % (cpu * 100))
    print("| all rule groups, one evaluation | %.1f ms | |" % (rules * 1000))
    print()
    print("series by job: %s" % ", ".join("%s %d" % kv for kv in sorted(series_by_job.items())))
    print("mean scrape time by job (s): %s" % ", ".join("%s %.3f" % kv for kv in sorted(scrape.items())))


if __name__ == "__main__":
    main()
