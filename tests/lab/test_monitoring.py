# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Monitoring: Prometheus on the undercloud scrapes every node and service of the model and probes every API
through both VIPs and on each node; a stopped API and a node's power cut alert at the model's webhook within 90 s,
and their resolution follows."""

from __future__ import annotations

import calendar
import os
import time

import pytest
import yaml

from tests.lab import monitoring as mon
from tests.lab.lab import ROOT, dexec, run, wait_until

ALERT_SECONDS = 90


def monitored_nodes(deployed):
    with open(os.path.join(ROOT, "roles", "monitoring_server", "defaults", "main.yml")) as f:
        node_groups = yaml.safe_load(f)["monitoring_server_node_groups"]
    return sorted({n for g in node_groups for n in deployed["groups"].get(g, [])})


@pytest.fixture(scope="module")
def sink(deployed):
    mon.start_sink(deployed)
    return deployed


def by_host(targets):
    return {t["labels"]["host"]: t["health"] for t in targets}


def test_every_node_and_service_of_the_model_is_scraped_and_every_api_probed(sink):
    deployed = sink
    nodes = monitored_nodes(deployed)
    ctl = deployed["controllers"]
    # the first scrape of a node comes within one interval of the deploy
    up = wait_until("every node exporter up", lambda: set(by_host(mon.targets(deployed, "node")).items())
                    == {(n, "up") for n in nodes} or None, 60, 2)
    assert up
    for job, group in (("mysqld", "mariadb"), ("haproxy", "haproxy"), ("rabbitmq", "rabbitmq")):
        assert by_host(mon.targets(deployed, job)) == {n: "up" for n in deployed["groups"][group]}, job
    # Galera's size as each node's exporter reads it; HAProxy's view of every Keystone
    sizes = {m["host"]: v for m, v in mon.query(deployed, "mysql_global_status_wsrep_cluster_size")}
    assert sizes == {n: float(len(deployed["groups"]["mariadb"])) for n in deployed["groups"]["mariadb"]}
    keystones = mon.query(deployed, 'count by (host) (haproxy_server_status{proxy="keystone_api",state="UP"} == 1)')
    assert {m["host"]: v for m, v in keystones} == {n: float(len(deployed["groups"]["keystone"]))
                                                    for n in deployed["groups"]["haproxy"]}
    # every API through both VIPs and on each of its nodes answers the blackbox exporter
    probes = wait_until("every API probe answered", lambda: [
        (m["job"], m["api"], m.get("vip") or m.get("host"), v)
        for m, v in mon.query(deployed, 'probe_success{job=~"api_vip|api_node|tcp_vip|tcp_node"}')], 60, 2)
    apis = {api for _job, api, _where, _v in probes}
    print("probes: %d targets, %d APIs: %s" % (len(probes), len(apis), ", ".join(sorted(apis))))
    assert {"keystone_api", "galera"} <= apis
    assert {(job, where) for job, api, where, _v in probes if api == "keystone_api"} == \
        {("api_vip", "internal_api"), ("api_vip", "public_api")} | {("api_node", n) for n in ctl}
    failed = [p for p in probes if p[3] != 1.0]
    assert failed == [], failed
    alerts = mon.firing(deployed)
    print("alerts firing on the deployed lab: %s" % sorted((a["labels"]["alertname"], a["labels"].get("host"))
                                                           for a in alerts))
    assert [a["labels"] for a in alerts if a["labels"]["alertname"] in mon.HEALTH_ALERTS] == []


def certificate_end(host, path):
    """The end of the certificate in ``path`` on ``host`` as openssl reads it (epoch seconds), None without one."""
    res = dexec(host, "test -f %s && openssl x509 -enddate -noout -in %s" % (path, path))
    if res.returncode != 0:
        return None
    return calendar.timegm(time.strptime(res.stdout.strip().split("=", 1)[1], "%b %d %H:%M:%S %Y GMT"))


def test_every_node_reports_its_certificates_and_swift_its_replication(sink):
    """What no packaged exporter reads, from each node's own collector (helion-node-metrics): the end of every
    certificate file (here the log forwarder's, checked against openssl on the node), and on the Swift storage
    nodes the replicators' last pass as their recon caches record it."""
    deployed = sink
    path = "/etc/systemd/journal-upload/cert.pem"
    expected = {n: end for n in monitored_nodes(deployed) for end in [certificate_end(n, path)] if end is not None}
    assert expected, "no node has the log forwarder's certificate"
    ends = wait_until("every node's certificate end scraped", lambda: {
        m["host"]: v for m, v in mon.query(deployed, 'helion_certificate_not_after_seconds{path="%s"}' % path)}
        == expected or None, 90, 3)
    assert ends
    errors = mon.query(deployed, "helion_node_metrics_errors > 0")
    assert errors == [], errors
    swift = deployed["groups"].get("swift_object", [])
    want = {(n, server) for n in swift for server in ("account", "container", "object")}

    def replication_ages():
        ages = {(m["host"], m["server"]): v for m, v in mon.query(
            deployed, "time() - helion_swift_replication_last_seconds")}
        return ages if set(ages) == want else None

    ages = wait_until("every Swift replicator's last pass scraped", replication_ages, 120, 5)
    print("certificate ends on %d nodes; Swift replicators' last pass: %s" % (
        len(expected), ", ".join("%s %s %.0f s ago" % (n, srv, age) for (n, srv), age in sorted(ages.items()))))
    # the lab's replicators run every 30 s: a pass older than the swift role's check limit is a fault
    assert max(ages.values()) < 900, ages


def test_a_stopped_api_and_a_power_cut_alert_within_90_s_and_their_return_resolves_them(sink):
    """Both at once (each alert is its own group at the webhook): Keystone stopped on one controller, and a
    power cut (docker kill) of a compute node (else a Swift node)."""
    deployed = sink
    groups = deployed["groups"]
    stopped = deployed["controllers"][-1]
    killed = (groups.get("compute_kvm") or groups["swift_object"])[0]
    api_down = dict(alertname="ApiDownOnNode", api="keystone_api", host=stopped)
    node_down = dict(alertname="NodeDown", host=killed)
    t0 = time.time()
    dexec(stopped, "systemctl stop keystone", check=True)
    run(["docker", "kill", killed], timeout=60)
    try:
        fired = [mon.wait_alert(deployed, t0, "firing", ALERT_SECONDS, **labels) for labels in (api_down, node_down)]
    finally:
        t1 = time.time()
        dexec(stopped, "systemctl start keystone", check=True)
        run(["docker", "start", killed], timeout=120)
    resolved = [mon.wait_alert(deployed, t1, "resolved", ALERT_SECONDS, **labels) for labels in (api_down, node_down)]
    print("keystone stopped on %s: ApiDownOnNode at the webhook after %.0f s, resolved %.0f s after it started "
          "again; power cut of %s: NodeDown after %.0f s, resolved %.0f s after it was started again"
          % (stopped, fired[0], resolved[0], killed, fired[1], resolved[1]))
    # the other two Keystones still answer: no outage behind the VIPs, so no alert about one
    assert not [a for a in mon.received(deployed) if a[0] >= t0 and a[2]["alertname"] == "ApiDownBehindVip"]


def test_every_alert_rule_fires_on_its_fault_only(sink):
    """Prometheus's own rule tester (promtool test rules) on the monitoring server, over the rules the deploy wrote:
    each alert fires with its labels on the series of its fault, not before its 30 s, and not on the healthy
    series beside them. Every rule of the file has its case."""
    deployed = sink
    host = mon.server(deployed)
    rules = yaml.safe_load(dexec(host, "cat /etc/prometheus/rules/helion.yml", check=True).stdout)
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    galera, rabbitmq = len(deployed["groups"]["mariadb"]), len(deployed["groups"]["rabbitmq"])
    cases = {c[0] for c in mon.rule_cases(galera, rabbitmq)}
    assert cases == alerts, "alerts without a case: %s; cases without an alert: %s" % (alerts - cases, cases - alerts)
    doc = yaml.safe_dump(mon.rule_tests("/etc/prometheus/rules/helion.yml", galera, rabbitmq))
    path = "/var/tmp/helion-rule-tests.yml"
    res = dexec(host, "cat > %s <<'EOF'\n%sEOF\npromtool test rules %s" % (path, doc, path))
    print("promtool test rules: %d alerts, %s" % (len(alerts), res.stdout.strip().splitlines()[-1:]))
    assert res.returncode == 0 and "SUCCESS" in res.stdout, res.stdout[-3000:] + res.stderr[-2000:]
