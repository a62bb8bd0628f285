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
                 "HAProxyBackendDegraded", "SwiftDriveUnmounted"}
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
