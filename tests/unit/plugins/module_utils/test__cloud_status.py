"""The cloud status report: rows from the records the nodes' checks leave, the verdict and the table."""

import importlib.util
import json
import os

import pytest

from ansible_collections.helion.openstack.plugins.module_utils._cloud_status import (
    CloudStatusError,
    build_report,
    catalog_endpoints,
    http_records,
    record_rows,
    render_table,
)

RAFT_LEADER = """a1b2
Name: OVN_Northbound
Cluster ID: 4c2e (4c2e0e1f-0000-0000-0000-000000000000)
Server ID: a1b2 (a1b2c3d4-0000-0000-0000-000000000000)
Address: tcp:192.0.2.11:6643
Status: cluster member
Role: leader
Term: 3
Leader: self
Vote: self

Election timer: 1000
Log: [2, 10]
Entries not yet committed: 0
Entries not yet applied: 0
Connections: ->c3d4 ->e5f6 <-c3d4 <-e5f6
Disconnections: 0
Servers:
    a1b2 (a1b2 at tcp:192.0.2.11:6643) (self) next_index=9 match_index=9
    c3d4 (c3d4 at tcp:192.0.2.12:6643) next_index=10 match_index=9 last msg 100 ms ago
    e5f6 (e5f6 at tcp:192.0.2.13:6643) next_index=10 match_index=9 last msg 100 ms ago
"""
RAFT_NO_LEADER = RAFT_LEADER.replace("Role: leader", "Role: candidate").replace("Leader: self", "Leader: unknown")
RAFT_TWO = "\n".join(line for line in RAFT_LEADER.splitlines() if "e5f6 at" not in line)
RAFT_LEFT = "Name: OVN_Northbound\nStatus: left cluster\n"


def rabbit(running, partitions=None, alarms=None):
    return json.dumps({"disk_nodes": ["rabbit@c1", "rabbit@c2", "rabbit@c3"], "running_nodes": running,
                       "partitions": partitions or {}, "alarms": alarms or []})


def oks(rows):
    return [(row["check"], row["ok"]) for row in rows]


@pytest.mark.parametrize("record, expected", [
    ({"service": "glance", "units": {"glance-api": "active"}, "api": {"url": "http://n:9292/", "status": 200}},
     [("unit glance-api", True), ("api", True)]),
    ({"service": "glance", "units": {"glance-api": "failed"}, "api": {"url": "http://n:9292/", "status": -1}},
     [("unit glance-api", False), ("api", False)]),
    ({"service": "memcached", "units": {"memcached": "active"}, "api": {}}, [("unit memcached", True)]),
    ({"service": "nova", "units": {"nova-api": "active", "nova-scheduler": "inactive"}},
     [("unit nova-api", True), ("unit nova-scheduler", False)]),
    ({"service": "keystone", "units": {"keystone": "active"}, "api": {"url": "http://n:5000/v3", "status": 503}},
     [("unit keystone", True), ("api", False)]),
])
def test_units_and_api(record, expected):
    assert oks(record_rows("c1", record)) == expected


@pytest.mark.parametrize("status, ok, detail", [
    ("Primary 4 3", True, "Primary, Synced, 3 of 3 members"),
    ("Primary 4 2", False, "Primary, Synced, 2 of 3 members"),
    ("Primary 2 3", False, "Primary, Donor/Desynced, 3 of 3 members"),
    ("non-Primary 1 1", False, "non-Primary, Joining, 1 of 3 members"),
    ("stopped - 0", False, "MariaDB is not running"),
    ("", False, "no answer from MariaDB ('')"),
])
def test_galera(status, ok, detail):
    rows = record_rows("c1", {"kind": "galera", "status": status, "expected_size": 3})
    assert [(row["ok"], row["detail"]) for row in rows] == [(ok, detail)]


@pytest.mark.parametrize("status, expected", [
    (rabbit(["rabbit@c1", "rabbit@c2", "rabbit@c3"]), [("cluster", True), ("partitions", True), ("alarms", True)]),
    (rabbit(["rabbit@c1", "rabbit@c3"]), [("cluster", False), ("partitions", True), ("alarms", True)]),
    (rabbit(["rabbit@c1", "rabbit@c2", "rabbit@c3"], partitions={"rabbit@c2": ["rabbit@c1"]}),
     [("cluster", True), ("partitions", False), ("alarms", True)]),
    (rabbit(["rabbit@c1", "rabbit@c2", "rabbit@c3"], partitions=["rabbit@c2"]),
     [("cluster", True), ("partitions", False), ("alarms", True)]),
    (rabbit(["rabbit@c1", "rabbit@c2", "rabbit@c3"], alarms=[{"node": "rabbit@c1", "resource": "disk"}]),
     [("cluster", True), ("partitions", True), ("alarms", False)]),
    ("Error: unable to perform an operation on node 'rabbit@c1'", [("cluster", False)]),
])
def test_rabbitmq(status, expected):
    record = {"kind": "rabbitmq", "status": status, "expected_nodes": ["c1", "c2", "c3"]}
    assert oks(record_rows("c1", record)) == expected


def test_rabbitmq_names_the_members_not_running():
    record = {"kind": "rabbitmq", "status": rabbit(["rabbit@c1"]), "expected_nodes": ["c1", "c2", "c3"]}
    rows = record_rows("c1", record)
    assert rows[0]["detail"] == "1 of 3 running; not running: rabbit@c2, rabbit@c3"


@pytest.mark.parametrize("text, ok, detail", [
    (RAFT_LEADER, True, "leader, leader self, 3 of 3 servers"),
    (RAFT_LEADER.replace("Role: leader", "Role: follower").replace("Leader: self", "Leader: a1b2"), True,
     "follower, leader a1b2, 3 of 3 servers"),
    (RAFT_NO_LEADER, False, "candidate, leader unknown, 3 of 3 servers"),
    (RAFT_TWO, False, "leader, leader self, 2 of 3 servers"),
    (RAFT_LEFT, False, "not a cluster member (Name: OVN_Northbound)"),
    ("", False, "not a cluster member (no answer)"),
])
def test_ovn(text, ok, detail):
    rows = record_rows("c1", {"kind": "ovn", "databases": {"OVN_Northbound": text}, "expected_servers": 3})
    assert [(row["check"], row["ok"], row["detail"]) for row in rows] == [("raft OVN_Northbound", ok, detail)]


@pytest.mark.parametrize("recon, ok, detail", [
    ({"replication_last": 1000.0, "replication_stats": {"failure": 0}}, True, "last pass 60 s ago"),
    ({"object_replication_last": 1000.0}, True, "last pass 60 s ago"),
    ({"replication_last": 100.0}, False, "last pass 960 s ago (older than 600 s)"),
    ({"replication_last": 1000.0, "replication_stats": {"failure": 2}}, False, "last pass 60 s ago, 2 failure(s)"),
    ({}, False, "no replication pass recorded yet"),
])
def test_swift_replication(recon, ok, detail):
    record = {"kind": "swift_replication", "recon": {"object": json.dumps(recon) if recon else ""},
              "now": 1060, "max_age": 600}
    assert [(row["check"], row["ok"], row["detail"]) for row in record_rows("s1", record)] == [
        ("object replication", ok, detail)]


# What the node's own collector writes (roles/monitoring_agent/files/helion_node_metrics.py), read back here, so
# that a change of its format fails this test.
_SPEC = importlib.util.spec_from_file_location("helion_node_metrics", os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "..", "roles", "monitoring_agent", "files", "helion_node_metrics.py"))
node_metrics = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(node_metrics)
DAY = 86400.0
NOW = 2000000000.0


def collector_text(certs, last_run=NOW - 30, errors=None):
    samples = [("helion_certificate_not_after_seconds", {"path": path, "subject": 'CN="%s"' % path}, end)
               for path, end in certs]
    samples += [("helion_node_metrics_errors", {"collector": c}, n) for c, n in (errors or {"certificates": 0}).items()]
    if last_run is not None:
        samples.append(("helion_node_metrics_last_run_seconds", {}, last_run))
    return node_metrics.render(samples)


@pytest.mark.parametrize("text, rows", [
    (collector_text([("/etc/b.pem", NOW + 400 * DAY), ("/etc/a.pem", NOW + 10.5 * DAY)]), [
        ("node metrics", True, "last run 30 s ago"),
        ("/etc/a.pem", False, 'CN="/etc/a.pem" ends 2033-05-28, in 10 days'),
        ("/etc/b.pem", True, 'CN="/etc/b.pem" ends 2034-06-22, in 400 days')]),
    (collector_text([("/etc/old.pem", NOW - 2.5 * DAY)]), [
        ("node metrics", True, "last run 30 s ago"),
        ("/etc/old.pem", False, 'CN="/etc/old.pem" ends 2033-05-15, 2 days ago')]),
    # the collector stopped, or could not read something: the certificates are not watched meanwhile
    (collector_text([], last_run=NOW - 3600), [("node metrics", False, "last run 60 min ago (older than 10 min)")]),
    (collector_text([], errors={"certificates": 1, "swift": 0}), [
        ("node metrics", False, "last run 30 s ago, could not read: certificates")]),
    ("", [("node metrics", False, "nothing written yet (helion-node-metrics.timer)")]),
])
def test_certificates_from_the_nodes_own_collector(text, rows):
    record = {"kind": "certificates", "metrics": text, "now": NOW, "min_days": 30, "max_age": 600}
    got = record_rows("c1", record)
    assert [(row["check"], row["ok"], row["detail"]) for row in got] == rows
    assert [row["service"] for row in got] == ["monitoring"] + ["certificates"] * (len(rows) - 1)


@pytest.mark.parametrize("status, ok", [

    (200, True), (300, True), (401, True), (503, False), (-1, False), (None, False)])
def test_http_through_a_vip(status, ok):
    rows = record_rows("cloud", {"kind": "http", "service": "glance", "name": "glance_api@public_api",
                                 "url": "http://vip:9292/", "status": status})
    assert oks(rows) == [("glance_api@public_api", ok)]


def test_compute_services():
    record = {"kind": "compute_services", "expected_hosts": ["cpu1.example.net", "cpu2"], "services": [
        {"binary": "nova-compute", "host": "cpu1", "state": "up", "status": "enabled"},
        {"binary": "nova-scheduler", "host": "c1", "state": "down", "status": "enabled"},
        {"binary": "nova-conductor", "host": "c1", "state": "up", "status": "disabled"},
    ]}
    rows = [(row["node"], row["check"], row["ok"], row["detail"]) for row in record_rows("cloud", record)]
    assert rows == [
        ("c1", "nova-conductor", False, "up, disabled"),
        ("c1", "nova-scheduler", False, "down, enabled"),
        ("cpu1", "nova-compute", True, "up, enabled"),
        ("cpu2", "nova-compute", False, "not registered with Nova"),
    ]


@pytest.mark.parametrize("record, message", [
    ({"kind": "galera", "status": "Primary 4 3"}, "lacks expected_size"),
    ({"kind": "nope"}, "unknown status record kind 'nope'"),
    ("units", "must be a mapping"),
])
def test_bad_records_name_what_is_wrong(record, message):
    with pytest.raises(CloudStatusError, match=message):
        record_rows("c1", record)


def test_report_verdict_counts_and_unreachable_nodes():
    report = build_report(
        {"c1": [{"service": "memcached", "units": {"memcached": "active"}}],
         "c2": [{"service": "memcached", "units": {"memcached": "failed"}}],
         "c3": []},
        unreachable=["c3"],
        cloud_records=[{"kind": "http", "service": "keystone", "name": "keystone@public_api",
                        "url": "http://vip:5000/v3", "status": 200}])
    assert not report["ok"]
    assert report["nodes_down"] == ["c3"]
    assert report["counts"] == {"checks": 6, "failed": 2, "nodes": 4}
    assert [(row["node"], row["check"]) for row in report["failed"]] == [("c3", "reachable"), ("c2", "unit memcached")]


def test_report_healthy_and_table():
    report = build_report({"c1": [{"service": "memcached", "units": {"memcached": "active"}}]})
    assert report["ok"] and report["failed"] == []
    lines = render_table(report)
    assert lines[0].split() == ["NODE", "SERVICE", "CHECK", "STATE", "DETAIL"]
    assert lines[2].split()[:5] == ["c1", "memcached", "unit", "memcached", "ok"]
    assert lines[-1] == "HEALTHY: 2 checks on 1 nodes, 0 failed"


def test_table_of_failures_only():
    report = build_report({"c1": [{"service": "memcached", "units": {"memcached": "failed"}}]}, unreachable=[])
    lines = render_table(report, only_failed=True)
    assert len(lines) == 3 and "DOWN" in lines[1] and lines[-1].startswith("PROBLEMS: 2 checks")


CATALOG = [
    {"type": "identity", "name": "keystone", "endpoints": [
        {"interface": "public", "url": "http://pub.example:5000"},
        {"interface": "internal", "url": "http://int.example:5000"},
        {"interface": "admin", "url": "http://int.example:5000"}]},
    {"type": "object-store", "name": "swift", "endpoints": [
        {"interface": "public", "url": "http://pub.example:8080/v1/AUTH_%(project_id)s"},
        {"interface": "internal", "url": "https://int.example:8080/v1/AUTH_%(project_id)s"}]},
    {"type": "volumev3", "name": "cinderv3", "endpoints": [{"interface": "public", "url": "not a url"}]},
]


def test_catalog_endpoints_are_the_roots_of_public_and_internal():
    assert catalog_endpoints(CATALOG) == [
        {"name": "identity@internal", "service": "keystone", "interface": "internal", "url": "http://int.example:5000/"},
        {"name": "identity@public", "service": "keystone", "interface": "public", "url": "http://pub.example:5000/"},
        {"name": "object-store@internal", "service": "swift", "interface": "internal",
         "url": "https://int.example:8080/"},
        {"name": "object-store@public", "service": "swift", "interface": "public", "url": "http://pub.example:8080/"},
    ]
    assert catalog_endpoints([]) == []


def test_http_records_from_uri_results():
    results = [{"item": {"name": "identity@public", "service": "keystone", "url": "http://pub:5000/"}, "status": 300},
               {"item": {"name": "image@public", "service": "glance", "url": "http://pub:9292/"}, "status": -1,
                "msg": "Status code was -1 and not [200]: Request failed: <urlopen error timed out>"}]
    records = http_records(results)
    assert [record_rows("cloud", record)[0]["ok"] for record in records] == [True, False]
    assert records[1]["name"] == "image@public" and "timed out" in record_rows("cloud", records[1])[0]["detail"]


def backup(newest=None, now=10000.0, results=None, triggered=True, enabled=True, max_age=7200, step="chain/01-inc"):
    return {"kind": "galera_backup", "now": now, "newest": newest, "step": step if newest else None,
            "results": {"full": "success", "incremental": "success"} if results is None else results,
            "triggered": triggered, "enabled": enabled, "max_age": max_age}


@pytest.mark.parametrize("members, ok, detail", [
    # the backup is on the chosen member; the others have none: the newest over the cluster counts
    ({"c1": backup(newest=9400.0), "c2": backup(), "c3": backup()}, True, "newest chain/01-inc on c1, 10 min ago"),
    ({"c1": backup(newest=1000.0), "c2": backup()}, False, "on c1, 2.5 h ago (older than 2.0 h)"),
    # a failed run on any member
    ({"c1": backup(newest=9900.0), "c2": backup(results={"full": "exit-code", "incremental": "success"})}, False,
     "the last backup failed: full on c2 (exit-code)"),
    # a fresh cloud: no backup and no timer fired yet
    ({"c1": backup(triggered=False, results={}), "c2": backup(triggered=False, results={})}, True,
     "no backup yet"),
    ({"c1": backup(triggered=True), "c2": backup(triggered=False)}, False, "although the timers fired"),
    ({"c1": backup(enabled=False), "c2": backup(enabled=False)}, True, "scheduled backups are off"),
])
def test_database_backup_is_one_row_for_the_cluster(members, ok, detail):
    report = build_report(dict((node, [record]) for node, record in members.items()))
    rows = [row for row in report["rows"] if row["check"] == "database backup"]
    assert len(rows) == 1
    assert rows[0]["node"] == "cloud" and rows[0]["service"] == "galera"
    assert rows[0]["ok"] is ok and detail in rows[0]["detail"], rows[0]
    assert report["ok"] is ok


def test_database_backup_record_must_be_whole():
    with pytest.raises(CloudStatusError, match="lacks"):
        build_report({"c1": [{"kind": "galera_backup", "now": 1}]})
