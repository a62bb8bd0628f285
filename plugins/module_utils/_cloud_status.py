# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The cloud's health from what its nodes report: one row per check, a verdict, a table.

This module util is PRIVATE to the collection. It is not part of its public API.

The ``cloud_status`` playbook runs every role's ``check`` action with its failures recorded instead of
raised: each check leaves a record on its node (``common_status_checks``), and the playbook's last play
adds the checks made through the VIPs and the APIs. :func:`build_report` turns those records into rows
(node, service, check, ok, detail) and a verdict; :func:`render_table` prints them for an operator.
Plain data in, plain data out: no Ansible here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import time


class CloudStatusError(ValueError):
    """A status record that cannot be read (a bug in a role's check, not a problem of the cloud)."""


# Galera's WSREP_LOCAL_STATE: 4 is Synced.
GALERA_STATES = {"1": "Joining", "2": "Donor/Desynced", "3": "Joined", "4": "Synced"}


def _row(node, service, check, ok, detail):
    return {"node": node, "service": service, "check": check, "ok": bool(ok), "detail": detail}


def _require(record, *keys):
    missing = [key for key in keys if key not in record]
    if missing:
        raise CloudStatusError("status record of kind %r lacks %s: %r"
                               % (record.get("kind"), ", ".join(missing), record))


def units_rows(node, record):
    """Each unit active; the node's own API answering 200 where the service has one."""
    _require(record, "service", "units")
    rows = []
    for unit, state in sorted(record["units"].items()):
        rows.append(_row(node, record["service"], "unit " + unit, state == "active", state or "unknown"))
    api = record.get("api") or {}
    if api.get("url"):
        status = api.get("status")
        detail = "%s answered %s" % (api["url"], status if status not in (None, -1) else "nothing")
        if api.get("msg") and status in (None, -1):
            detail += " (%s)" % api["msg"]
        rows.append(_row(node, record["service"], "api", status == 200, detail))
    return rows


def galera_rows(node, record):
    """The node is Synced in a Primary component of the expected size.

    ``status`` is "<cluster status> <local state> <cluster size>" (the galera role's status.yml), or
    "stopped - 0" when MariaDB is not running.
    """
    _require(record, "status", "expected_size")
    fields = (record["status"] or "").split()
    if len(fields) != 3:
        return [_row(node, "galera", "cluster", False, "no answer from MariaDB (%r)" % (record["status"],))]
    component, state, size = fields
    if component == "stopped":
        return [_row(node, "galera", "cluster", False, "MariaDB is not running")]
    state_name = GALERA_STATES.get(state, "state %s" % state)
    expected = int(record["expected_size"])
    try:
        size_n = int(size)
    except ValueError:
        size_n = -1
    ok = component == "Primary" and state == "4" and size_n == expected
    detail = "%s, %s, %s of %d members" % (component, state_name, size, expected)
    return [_row(node, "galera", "cluster", ok, detail)]


def _node_names(value):
    if isinstance(value, dict):
        value = list(value.keys())
    return sorted(str(item) for item in (value or []))


def rabbitmq_rows(node, record):
    """Every expected member running in this node's view, no partition, no resource alarm.

    ``status`` is ``rabbitmqctl cluster_status --formatter json`` as text (or an error message).
    """
    _require(record, "status", "expected_nodes")
    try:
        status = json.loads(record["status"])
    except (TypeError, ValueError):
        return [_row(node, "rabbitmq", "cluster", False, "no cluster status (%s)" % (str(record["status"])[:120],))]
    running = _node_names(status.get("running_nodes"))
    expected = sorted("rabbit@%s" % name if "@" not in name else name for name in record["expected_nodes"])
    missing = [name for name in expected if name not in running]
    partitions = status.get("partitions") or {}
    partitioned = _node_names(partitions)
    alarms = status.get("alarms") or []
    rows = [
        _row(node, "rabbitmq", "cluster", not missing,
             "%d of %d running%s" % (len(expected) - len(missing), len(expected),
                                     "; not running: " + ", ".join(missing) if missing else "")),
        _row(node, "rabbitmq", "partitions", not partitioned,
             "none" if not partitioned else "partitioned: " + ", ".join(partitioned)),
        _row(node, "rabbitmq", "alarms", not alarms,
             "none" if not alarms else ", ".join(json.dumps(alarm, sort_keys=True) for alarm in alarms)),
    ]
    return rows


RAFT_SERVER = re.compile(r"^\s+[0-9a-f]{4} \(")


def ovn_rows(node, record):
    """Each OVN database: this member in the cluster, a leader known, all expected servers listed.

    ``databases`` maps the database name to ``ovn-appctl cluster/status`` output (or an error text).
    """
    _require(record, "databases", "expected_servers")
    rows = []
    for database, text in sorted(record["databases"].items()):
        text = text or ""
        member = "Status: cluster member" in text
        leader = re.search(r"^Leader: (.+)$", text, re.M)
        leader = leader.group(1).strip() if leader else "unknown"
        role = re.search(r"^Role: (.+)$", text, re.M)
        servers = 0
        in_servers = False
        for line in text.splitlines():
            if line.startswith("Servers:"):
                in_servers = True
                continue
            if in_servers:
                if RAFT_SERVER.match(line):
                    servers += 1
                elif line.strip():
                    in_servers = False
        expected = int(record["expected_servers"])
        ok = member and leader != "unknown" and servers == expected
        if not member:
            detail = "not a cluster member (%s)" % (text.strip().splitlines()[0][:100] if text.strip() else "no answer")
        else:
            detail = "%s, leader %s, %d of %d servers" % (role.group(1).strip() if role else "member", leader,
                                                          servers, expected)
        rows.append(_row(node, "ovn", "raft " + database, ok, detail))
    return rows


def swift_replication_rows(node, record):
    """Each replicator (account, container, object) on a storage node finished a pass recently.

    ``recon`` maps the server type to the JSON text of its recon cache (``/var/cache/swift/<type>.recon``,
    empty when missing); ``now`` is the node's clock (epoch seconds) and ``max_age`` the seconds a pass
    may be old.
    """
    _require(record, "recon", "now", "max_age")
    rows = []
    for kind in ("account", "container", "object"):
        if kind not in record["recon"]:
            continue
        text = record["recon"][kind]
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            data = {}
        last = data.get("replication_last") or data.get("object_replication_last")
        if not last:
            rows.append(_row(node, "swift", kind + " replication", False, "no replication pass recorded yet"))
            continue
        age = float(record["now"]) - float(last)
        stats = data.get("replication_stats") or {}
        failures = stats.get("failure", 0) if isinstance(stats, dict) else 0
        ok = age <= float(record["max_age"]) and not failures
        detail = "last pass %d s ago" % max(age, 0)
        if failures:
            detail += ", %s failure(s)" % failures
        if age > float(record["max_age"]):
            detail += " (older than %d s)" % int(record["max_age"])
        rows.append(_row(node, "swift", kind + " replication", ok, detail))
    return rows


def http_rows(node, record):
    """An API reached as a user would: through a VIP. Any answer below 500 is up (401, 300 included)."""
    _require(record, "name", "url")
    status = record.get("status")
    ok = isinstance(status, int) and 0 < status < 500
    detail = "%s answered %s" % (record["url"], status if status not in (None, -1) else "nothing")
    if not ok and record.get("msg"):
        detail += " (%s)" % str(record["msg"])[:100]
    return [_row(node, record.get("service", "vip"), record["name"], ok, detail)]


def compute_services_rows(node, record):
    """Every compute service the API lists is enabled and up; the expected compute hosts are there."""
    _require(record, "services", "expected_hosts")
    rows = []
    seen = set()
    for service in sorted(record["services"], key=lambda item: (item.get("host") or "", item.get("binary") or "")):
        host = short(service.get("host") or "")
        binary = service.get("binary") or service.get("name") or "?"
        if binary == "nova-compute":
            seen.add(host)
        state, status = service.get("state"), service.get("status")
        ok = state == "up" and status == "enabled"
        rows.append(_row(host or node, "nova", binary, ok, "%s, %s" % (state, status)))
    for host in sorted(set(short(name) for name in record["expected_hosts"]) - seen):
        rows.append(_row(host, "nova", "nova-compute", False, "not registered with Nova"))
    return rows


def short(name):
    return str(name).split(".", maxsplit=1)[0]


def _age(seconds):
    seconds = max(int(seconds), 0)
    if seconds < 120:
        return "%d s" % seconds
    if seconds < 7200:
        return "%d min" % (seconds // 60)
    return "%.1f h" % (seconds / 3600.0)


def galera_backup_rows(node, records):
    """One row for the cluster's scheduled database backups, from every member's record.

    Each record (``kind: galera_backup``) has the member's clock (``now``), its newest finished backup step
    (``newest``, epoch seconds, and ``step``, its chain/step name; None when it has none), the last result of
    each backup service (``results``: {full: success, ...}, empty when never run), whether a backup timer ever
    fired (``triggered``), whether backups are on (``enabled``) and ``max_age``. Backups are taken on one member
    (the first Synced one), so the newest over every member is what counts; a failed run on any member is a
    problem."""
    if not records:
        return []
    for _member, record in records:
        _require(record, "now", "newest", "results", "triggered", "enabled", "max_age")
    if not any(record["enabled"] for _member, record in records):
        return [_row(node, "galera", "database backup", True, "scheduled backups are off (galera_backup_enabled)")]
    failed = ["%s on %s (%s)" % (kind, member, result)
              for member, record in records for kind, result in sorted((record["results"] or {}).items())
              if result and result != "success"]
    taken = [(float(record["now"]) - float(record["newest"]), member, record.get("step") or "?")
             for member, record in records if record["newest"] not in (None, "")]
    max_age = max(float(record["max_age"]) for _member, record in records)
    if failed:
        return [_row(node, "galera", "database backup", False,
                     "the last backup failed: %s; see journalctl -u galera-backup@full -u galera-backup@incremental"
                     % ", ".join(failed))]
    if not taken:
        fired = any(record["triggered"] for _member, record in records)
        return [_row(node, "galera", "database backup", not fired,
                     "no backup on any member although the timers fired" if fired
                     else "no backup yet: the first is taken when a backup timer fires")]
    age, member, step = min(taken)
    ok = age <= max_age
    detail = "newest %s on %s, %s ago" % (step, member, _age(age))
    if not ok:
        detail += " (older than %s)" % _age(max_age)
    return [_row(node, "galera", "database backup", ok, detail)]


SAMPLE = re.compile(r'^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_samples(text):
    """[(name, labels, value)] of a Prometheus text-format file (comments skipped; label escapes undone)."""
    samples = []
    for line in (text or "").splitlines():
        found = SAMPLE.match(line.strip())
        if not found or line.startswith("#"):
            continue
        labels = {k: re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), v)
                  for k, v in LABEL.findall(found.group(2) or "")}
        try:
            samples.append((found.group(1), labels, float(found.group(3))))
        except ValueError:
            continue
    return samples


def certificates_rows(node, record):
    """Each certificate file of the node ends at least ``min_days`` from now, as the node's own collector read
    it (role monitoring_agent: ``metrics`` is the text it last wrote, empty when none); and that collector ran
    within ``max_age`` seconds without errors, else the certificates are not watched."""
    _require(record, "metrics", "now", "min_days", "max_age")
    now = float(record["now"])
    samples = parse_samples(record["metrics"])
    last = [value for name, _labels, value in samples if name == "helion_node_metrics_last_run_seconds"]
    errors = sorted(labels.get("collector", "?") for name, labels, value in samples
                    if name == "helion_node_metrics_errors" and value > 0)
    if not last:
        detail = "nothing written yet (helion-node-metrics.timer)"
        ok = False
    else:
        age = now - last[0]
        ok = age <= float(record["max_age"]) and not errors
        detail = "last run %s ago" % _age(age)
        if age > float(record["max_age"]):
            detail += " (older than %s)" % _age(record["max_age"])
        if errors:
            detail += ", could not read: %s" % ", ".join(errors)
    rows = [_row(node, "monitoring", "node metrics", ok, detail)]
    for name, labels, value in sorted(samples, key=lambda s: s[1].get("path", "")):
        if name != "helion_certificate_not_after_seconds":
            continue
        days = (value - now) / 86400.0
        ends = time.strftime("%Y-%m-%d", time.gmtime(value))
        when = "in %d days" % int(days) if days >= 0 else "%d days ago" % int(-days)
        detail = "%s ends %s, %s" % (labels.get("subject", "?"), ends, when)
        rows.append(_row(node, "certificates", labels.get("path", "?"), days >= float(record["min_days"]), detail))
    return rows


ROW_BUILDERS = {
    "units": units_rows,
    "galera": galera_rows,
    "rabbitmq": rabbitmq_rows,
    "ovn": ovn_rows,
    "swift_replication": swift_replication_rows,
    "http": http_rows,
    "compute_services": compute_services_rows,
    "certificates": certificates_rows,
}


def catalog_endpoints(catalog, interfaces=("public", "internal")):
    """The APIs to read through the VIPs: each service type's public and internal endpoint roots.

    An endpoint URL may hold a project template (Swift's ``AUTH_%(project_id)s``, Cinder's, Heat's); its
    root (scheme, host and port) answers without one: the version document, or an error below 500.
    Returns [{name, service, interface, url}], one per root and interface, sorted.
    """
    found = {}
    for service in catalog or []:
        for endpoint in service.get("endpoints") or []:
            interface = endpoint.get("interface")
            url = endpoint.get("url") or ""
            if interface not in interfaces or "://" not in url:
                continue
            scheme, rest = url.split("://", 1)
            root = "%s://%s/" % (scheme, rest.split("/", 1)[0])
            name = "%s@%s" % (service.get("type") or service.get("name") or "?", interface)
            found[name] = {"name": name, "service": service.get("name") or service.get("type") or "?",
                           "interface": interface, "url": root}
    return [found[name] for name in sorted(found)]


def http_records(results):
    """The records of the reads made through the VIPs, from the results of a looped ``uri`` task."""
    records = []
    for result in results or []:
        item = result.get("item") or {}
        status = result.get("status", -1)
        records.append({"kind": "http", "service": item.get("service", "?"), "name": item.get("name", "?"),
                        "url": item.get("url") or result.get("url", "?"),
                        "status": status if isinstance(status, int) else -1, "msg": result.get("msg", "")})
    return records


def record_rows(node, record):
    if not isinstance(record, dict):
        raise CloudStatusError("a status record must be a mapping, got %r" % (record,))
    builder = ROW_BUILDERS.get(record.get("kind", "units"))
    if builder is None:
        raise CloudStatusError("unknown status record kind %r (known: %s)"
                               % (record.get("kind"), ", ".join(sorted(ROW_BUILDERS))))
    return builder(node, record)


def build_report(node_records, unreachable=(), cloud_records=(), cloud_node="cloud"):
    """The report: rows, failed rows, counts and the verdict.

    node_records: {node: [record, ...]} as each node's checks left them.
    unreachable: the nodes the run could not reach (each is a failed row).
    cloud_records: the records of the checks made from the deployer (VIPs, API listings).
    """
    rows, backups = [], []
    for node in sorted(unreachable):
        rows.append(_row(node, "node", "reachable", False, "unreachable over SSH"))
    for node in sorted(node_records):
        if node in unreachable:
            continue
        rows.append(_row(node, "node", "reachable", True, "answers"))
        for record in node_records[node] or []:
            # The database backups are the cluster's: one row from every member's record.
            if isinstance(record, dict) and record.get("kind") == "galera_backup":
                backups.append((node, record))
                continue
            rows.extend(record_rows(node, record))
    for record in cloud_records:
        rows.extend(record_rows(cloud_node, record))
    rows.extend(galera_backup_rows(cloud_node, backups))
    failed = [row for row in rows if not row["ok"]]
    nodes = sorted(set(row["node"] for row in rows))
    return {
        "ok": not failed,
        "rows": rows,
        "failed": failed,
        "counts": {"checks": len(rows), "failed": len(failed), "nodes": len(nodes)},
        "nodes_down": sorted(row["node"] for row in failed if row["check"] == "reachable"),
    }


def render_table(report, only_failed=False):
    """The report as fixed-width lines: node, service, check, OK/DOWN, detail; then a summary line."""
    rows = report["failed"] if only_failed else report["rows"]
    header = ("NODE", "SERVICE", "CHECK", "STATE", "DETAIL")
    cells = [header] + [(row["node"], row["service"], row["check"], "ok" if row["ok"] else "DOWN", row["detail"])
                        for row in rows]
    widths = [max(len(str(cell[i])) for cell in cells) for i in range(4)]
    lines = []
    for cell in cells:
        lines.append("  ".join(str(cell[i]).ljust(widths[i]) for i in range(4)) + "  " + str(cell[4]))
    counts = report["counts"]
    verdict = "HEALTHY" if report["ok"] else "PROBLEMS"
    lines.append("%s: %d checks on %d nodes, %d failed"
                 % (verdict, counts["checks"], counts["nodes"], counts["failed"]))
    return lines
