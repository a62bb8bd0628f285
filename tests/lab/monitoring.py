# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the lab's monitoring as an operator would: Prometheus's HTTP API on the undercloud, and the alerts that
Alertmanager sent to the webhook the lab's model names (a small receiver these tests start there)."""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request

import yaml

from tests.lab.lab import CLOUD, ROOT, dexec, wait_until

ALERTS_FILE = "/var/tmp/helion-lab-alerts.jsonl"
SINK_UNIT = "helion-lab-alert-sink"
# Every alert a healthy lab must not raise (the lab runs some services only in the cloud scope, so the alerts
# about those are left out).
HEALTH_ALERTS = {"NodeDown", "ExporterDown", "GaleraNodeDown", "GaleraNodeNotSynced", "GaleraClusterTooSmall",
                 "RabbitMQNodeDown", "RabbitMQClusterTooSmall", "ApiDownBehindVip", "ApiDownOnNode",
                 "HAProxyBackendDegraded", "SwiftDriveUnmounted", "SwiftReplicationStale", "NodeMetricsStale",
                 "CertificateNearExpiry"}
SINK = r'''
import http.server, json, sys, time
path, port = sys.argv[1], int(sys.argv[2])
class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        with open(path, "a") as f:
            f.write(json.dumps({"received": time.time(), "body": body}) + "\n")
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Sink).serve_forever()
'''


def server(deployed):
    return deployed["groups"]["undercloud"][0]


def base_url(deployed):
    return "http://%s:9090" % deployed["addresses"][server(deployed)]["management"]


def api(deployed, path, **params):
    url = base_url(deployed) + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=10) as resp:
        data = json.loads(resp.read())
    assert data["status"] == "success", data
    return data["data"]


def query(deployed, expr):
    """[(labels, value)] of an instant query."""
    result = api(deployed, "/api/v1/query", query=expr)["result"]
    return [(series["metric"], float(series["value"][1])) for series in result]


def targets(deployed, job=None):
    active = api(deployed, "/api/v1/targets", state="active")["activeTargets"]
    return [t for t in active if job is None or t["labels"].get("job") == job]


def firing(deployed):
    return [a for a in api(deployed, "/api/v1/alerts")["alerts"] if a["state"] == "firing"]


def webhook_port():
    """The lab model's webhook (cloud.monitoring.webhook_url): the receiver listens where Alertmanager sends."""
    with open(os.path.join(ROOT, "inventories", CLOUD, "cloud.yml")) as f:
        url = urllib.parse.urlparse(yaml.safe_load(f)["cloud"]["monitoring"]["webhook_url"])
    assert url.hostname == "127.0.0.1", "the lab's receiver runs on the monitoring server itself: %s" % url
    return url.port


def start_sink(deployed):
    """The webhook receiver on the monitoring server: a transient unit that ends by itself after two hours."""
    host = server(deployed)
    if dexec(host, "systemctl is-active --quiet %s" % SINK_UNIT).returncode == 0:
        return
    res = dexec(host, "cat > /var/tmp/helion-lab-alert-sink.py <<'EOF'\n%s\nEOF\n"
                "systemd-run --unit %s --property RuntimeMaxSec=7200 python3 /var/tmp/helion-lab-alert-sink.py %s %d"
                % (SINK, SINK_UNIT, ALERTS_FILE, webhook_port()))
    assert res.returncode == 0, res.stderr


def received(deployed):
    """Every alert the receiver got: (time received, status, labels), oldest first."""
    out = dexec(server(deployed), "cat %s 2>/dev/null" % ALERTS_FILE).stdout
    found = []
    for line in out.splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        for alert in record["body"].get("alerts", []):
            found.append((record["received"], alert["status"], alert["labels"]))
    return found


def wait_alert(deployed, since, status, timeout, **labels):
    """Seconds from ``since`` (time.time()) to the first alert of ``status`` received with these labels."""
    def match():
        return [t for t, state, got in received(deployed)
                if t >= since and state == status and all(got.get(k) == v for k, v in labels.items())]
    hits = wait_until("alert %s %s at the webhook" % (status, labels), match, timeout, 2)
    return hits[0] - since


def rule_cases(galera, rabbitmq):
    """Each alert rule's case for `promtool test rules` (interval 10 s, alerts after 30 s): the series that
    should raise it (each fault starts at 20 s), the labels it must fire with, and the alerts that must stay
    quiet (healthy series beside the faulty ones)."""
    ten = " ".join
    ok, down = ten(["1"] * 12), "1 1 " + ten(["0"] * 10)
    return [
        ("NodeDown", [('up{job="node",host="n1"}', down), ('up{job="node",host="n2"}', ok)],
         [{"host": "n1"}], [{"host": "n2"}]),
        ("ExporterDown", [('up{job="mysqld",host="c1"}', down)], [{"host": "c1", "job": "mysqld"}], []),
        ("DiskNearlyFull", [
            ('node_filesystem_avail_bytes{host="n1",mountpoint="/",fstype="ext4"}', "50 50 " + ten(["5"] * 10)),
            ('node_filesystem_size_bytes{host="n1",mountpoint="/",fstype="ext4"}', ten(["100"] * 12)),
            ('node_filesystem_avail_bytes{host="n1",mountpoint="/run",fstype="tmpfs"}', ten(["1"] * 12)),
            ('node_filesystem_size_bytes{host="n1",mountpoint="/run",fstype="tmpfs"}', ten(["100"] * 12)),
            ('node_filesystem_avail_bytes{host="n2",mountpoint="/",fstype="xfs"}', ten(["50"] * 12)),
            ('node_filesystem_size_bytes{host="n2",mountpoint="/",fstype="xfs"}', ten(["100"] * 12))],
         [{"host": "n1", "mountpoint": "/"}], [{"mountpoint": "/run"}, {"host": "n2"}]),
        ("ServiceFailed", [
            ('node_systemd_unit_state{host="n1",name="nova-api.service",state="failed"}', "0 0 " + ten(["1"] * 10)),
            ('node_systemd_unit_state{host="n2",name="nova-api.service",state="failed"}', ten(["0"] * 12))],
         [{"host": "n1", "name": "nova-api.service"}], [{"host": "n2"}]),
        ("ComputeServiceDown", [
            ('node_systemd_unit_state{host="cpu1",name="nova-compute.service",state="active"}', down),
            ('node_systemd_unit_state{host="cpu2",name="nova-compute.service",state="active"}', ok),
            ('node_systemd_unit_state{host="cpu1",name="nova-api.service",state="active"}', down)],
         [{"host": "cpu1", "name": "nova-compute.service"}], [{"host": "cpu2"}, {"name": "nova-api.service"}]),
        ("SwiftDriveUnmounted", [
            ('node_filesystem_size_bytes{host="s1",mountpoint="/srv/node/sdb"}', "100 100 " + ten(["stale"] * 10)),
            ('node_filesystem_size_bytes{host="s1",mountpoint="/srv/node/sdc"}', ten(["100"] * 12)),
            ('node_filesystem_size_bytes{host="s2",mountpoint="/srv/node/sdb"}', ten(["100"] * 12))],
         [{"host": "s1"}], [{"host": "s2"}]),
        ("GaleraNodeDown", [('mysql_up{host="c1"}', down), ('mysql_up{host="c2"}', ok)], [{"host": "c1"}],
         [{"host": "c2"}]),
        ("GaleraNodeNotSynced", [('mysql_global_status_wsrep_local_state{host="c1"}', "4 4 " + ten(["2"] * 10)),
                                 ('mysql_global_status_wsrep_local_state{host="c2"}', ten(["4"] * 12))],
         [{"host": "c1"}], [{"host": "c2"}]),
        ("GaleraClusterTooSmall", [
            ('mysql_global_status_wsrep_cluster_size{host="c1"}',
             "%d %d " % (galera, galera) + ten([str(galera - 1)] * 10)),
            ('mysql_global_status_wsrep_cluster_size{host="c2"}', ten([str(galera)] * 12))],
         [{"host": "c1"}], [{"host": "c2"}]),
        ("RabbitMQNodeDown", [('up{job="rabbitmq",host="c1"}', down)], [{"host": "c1"}], []),
        ("RabbitMQClusterTooSmall", [('up{job="rabbitmq",host="c%d"}' % i, down) for i in range(1, rabbitmq + 1)],
         [{}], []),
        ("RabbitMQPartition", [('up{job="rabbitmq",host="c%d"}' % i, ok) for i in range(1, rabbitmq + 1)]
         + [('rabbitmq_unreachable_cluster_peers_count{host="c1"}', "0 0 " + ten(["1"] * 10)),
            ('rabbitmq_unreachable_cluster_peers_count{host="c2"}', ten(["0"] * 12))],
         [{"host": "c1"}], [{"host": "c2"}]),
        ("ApiDownBehindVip", [('probe_success{job="api_vip",api="keystone_api",vip="public_api"}', down),
                              ('probe_success{job="api_vip",api="keystone_api",vip="internal_api"}', ok),
                              ('probe_success{job="tcp_vip",api="galera",vip="internal_api"}', down)],
         [{"api": "keystone_api", "vip": "public_api"}, {"api": "galera"}],
         [{"vip": "internal_api", "api": "keystone_api"}]),
        ("ApiDownOnNode", [('probe_success{job="api_node",api="keystone_api",host="c1"}', down),
                           ('probe_success{job="api_node",api="keystone_api",host="c2"}', ok)],
         [{"api": "keystone_api", "host": "c1"}], [{"host": "c2"}]),
        ("HAProxyBackendDegraded", [
            ('haproxy_server_status{host="c1",proxy="keystone_api",server="c1",state="UP"}', ok),
            ('haproxy_server_status{host="c1",proxy="keystone_api",server="c2",state="UP"}', down),
            ('haproxy_server_status{host="c1",proxy="keystone_api",server="c3",state="UP"}', down),
            ('haproxy_server_status{host="c1",proxy="glance_api",server="c1",state="UP"}', ok),
            ('haproxy_server_status{host="c1",proxy="glance_api",server="c2",state="UP"}', ok),
            ('haproxy_server_status{host="c1",proxy="glance_api",server="c3",state="UP"}', down),
            ('haproxy_server_status{host="c1",proxy="cinder_volume",server="c1",state="UP"}', down)],
         [{"proxy": "keystone_api"}], [{"proxy": "glance_api"}, {"proxy": "cinder_volume"}]),
        # promtool's clock starts at 0: an end 10 days after it, and one 100 days after it; a node's certificate
        # file (its own collector) and a TLS endpoint (the blackbox exporter)
        ("CertificateNearExpiry", [
            ('helion_certificate_not_after_seconds{host="n1",path="/etc/a.pem"}',
             "8640000 8640000 " + ten(["864000"] * 10)),
            ('helion_certificate_not_after_seconds{host="n1",path="/etc/b.pem"}', ten(["8640000"] * 12)),
            ('probe_ssl_earliest_cert_expiry{instance="https://a"}', "8640000 8640000 " + ten(["864000"] * 10)),
            ('probe_ssl_earliest_cert_expiry{instance="https://b"}', ten(["8640000"] * 12))],
         [{"host": "n1", "path": "/etc/a.pem"}, {"instance": "https://a"}],
         [{"path": "/etc/b.pem"}, {"instance": "https://b"}]),
        # a pass that ends at every sample (0, 10, 20 ...) against one whose last pass is a day and more ago
        ("SwiftReplicationStale", [
            ('helion_swift_replication_last_seconds{host="s1",server="object"}', "0 0 " + ten(["-100000"] * 10)),
            ('helion_swift_replication_last_seconds{host="s1",server="account"}', "0+10x11"),
            ('helion_swift_replication_last_seconds{host="s2",server="object"}', "0+10x11")],
         [{"host": "s1", "server": "object"}], [{"server": "account"}, {"host": "s2"}]),
        ("NodeMetricsStale", [
            ('helion_node_metrics_last_run_seconds{host="n1"}', "0 0 " + ten(["-100000"] * 10)),
            ('helion_node_metrics_last_run_seconds{host="n2"}', "0+10x11"),
            ('helion_node_metrics_errors{host="n2",collector="certificates"}', "0 0 " + ten(["1"] * 10)),
            ('helion_node_metrics_last_run_seconds{host="n3"}', "0+10x11"),
            ('helion_node_metrics_errors{host="n3",collector="certificates"}', ten(["0"] * 12))],
         [{"host": "n1"}, {"host": "n2", "collector": "certificates"}], [{"host": "n3"}]),
    ]


def rule_tests(rules_file, galera, rabbitmq, at="100s", early="40s"):
    """`promtool test rules` input for :func:`rule_cases`, each case its own test group (its own series): every
    expected alert fires by ``at`` and not yet at ``early`` (its 30 s have not passed), the quiet ones never."""
    def count(alert, labels):
        matchers = dict(labels, alertname=alert, alertstate="firing")
        return "count(ALERTS{%s})" % ",".join('%s="%s"' % kv for kv in sorted(matchers.items()))

    tests = []
    for alert, series, fires, quiet in rule_cases(galera, rabbitmq):
        once = [{"labels": "{}", "value": 1}]
        exprs = [{"expr": count(alert, m), "eval_time": at, "exp_samples": once} for m in fires]
        exprs += [{"expr": count(alert, m), "eval_time": early, "exp_samples": []} for m in fires]
        exprs += [{"expr": count(alert, m), "eval_time": at, "exp_samples": []} for m in quiet]
        tests.append({"interval": "10s", "name": alert,
                      "input_series": [{"series": s, "values": v} for s, v in series], "promql_expr_test": exprs})
    return {"rule_files": [rules_file], "evaluation_interval": "10s", "tests": tests}
