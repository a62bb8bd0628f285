# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""This node's own metrics, for the node exporter's textfile collector (written by helion.openstack.monitoring_agent).

Run by the helion-node-metrics timer as root: reads its settings (JSON) and writes one file in the Prometheus
text format, atomically, into the node exporter's textfile directory.

- Certificates: every file the settings' globs match that holds PEM certificates gives the end of its earliest
  certificate (``helion_certificate_not_after_seconds``, labels ``path`` and ``subject``). Files without a
  certificate (private keys) are skipped and never written anywhere.
- Swift (when the settings name the recon cache directory): the replicators' last pass, its duration and failures,
  and the object server's pending asynchronous updates, as the servers record them in their recon caches
  (``/var/cache/swift/<server>.recon``), the same figures swift-recon reports.
- ``helion_node_metrics_errors{collector}``: what could not be read, so that a broken collector alerts too.

Usage: python3 helion_node_metrics.py SETTINGS_JSON
"""

from __future__ import annotations

import datetime
import glob
import json
import math
import os
import sys
import tempfile
import time

SWIFT_SERVERS = ("account", "container", "object")

HELP = {
    "helion_certificate_not_after_seconds": "End of the earliest certificate of the file, epoch seconds.",
    "helion_swift_replication_last_seconds": "End of the replicator's last pass, epoch seconds.",
    "helion_swift_replication_duration_seconds": "Duration of the replicator's last pass.",
    "helion_swift_replication_failures": "Failures of the replicator's last pass.",
    "helion_swift_async_pending": "Object updates waiting to be sent to the container servers.",
    "helion_node_metrics_errors": "Things this collector could not read on its last run.",
    "helion_node_metrics_last_run_seconds": "End of this collector's last run, epoch seconds.",
}


def pem_certificates_end(data, load=None):
    """(end as epoch seconds, subject) of the earliest-ending certificate in PEM ``data``; None without one."""
    if b"-----BEGIN CERTIFICATE-----" not in data:
        return None
    if load is None:
        from cryptography import x509  # only where certificates are found
        load = x509.load_pem_x509_certificates
    ends = []
    for cert in load(data):
        # not_valid_after_utc from cryptography 42 (Debian 13 has 43); the naive one before it is UTC too.
        end = getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)
        ends.append((end.timestamp(), cert.subject.rfc4514_string()))
    return min(ends) if ends else None


def certificate_samples(files, end_of):
    """Samples for ``files`` ({path: bytes}); ``end_of`` is :func:`pem_certificates_end`. Returns (samples,
    errors): a file that says it holds certificates but cannot be parsed counts as an error."""
    samples, errors = [], 0
    for path in sorted(files):
        try:
            found = end_of(files[path])
        except Exception:  # a damaged certificate is a finding, not a crash of the collector
            errors += 1
            continue
        if found is not None:
            samples.append(("helion_certificate_not_after_seconds", {"path": path, "subject": found[1]}, found[0]))
    return samples, errors


def swift_samples(recon):
    """Samples from the Swift servers' recon caches: ``recon`` maps a server (account, container, object) to the
    text of its cache, or None when the node has no such cache. Returns (samples, errors)."""
    samples, errors = [], 0
    for server in SWIFT_SERVERS:
        text = recon.get(server)
        if text is None:
            continue
        try:
            data = json.loads(text) if text.strip() else {}
        except ValueError:
            errors += 1
            continue
        if not isinstance(data, dict):
            errors += 1
            continue
        labels = {"server": server}
        # The object replicator records its figures with an object_ prefix; the others without.
        last = data.get("replication_last", data.get("object_replication_last"))
        duration = data.get("replication_time", data.get("object_replication_time"))
        if isinstance(last, (int, float)):
            samples.append(("helion_swift_replication_last_seconds", labels, float(last)))
        if isinstance(duration, (int, float)):
            # The object replicator gives minutes, the others seconds.
            seconds = duration * 60.0 if "object_replication_time" in data and server == "object" else duration
            samples.append(("helion_swift_replication_duration_seconds", labels, float(seconds)))
        stats = data.get("replication_stats")
        if isinstance(stats, dict) and isinstance(stats.get("failure"), (int, float)):
            samples.append(("helion_swift_replication_failures", labels, float(stats["failure"])))
        if server == "object" and isinstance(data.get("async_pending"), (int, float)):
            samples.append(("helion_swift_async_pending", {}, float(data["async_pending"])))
    return samples, errors


def _label_value(value):
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value):
    return "NaN" if math.isnan(float(value)) else repr(float(value))


def render(samples):
    """The Prometheus text format of ``samples`` [(name, labels, value)], one HELP and TYPE per metric."""
    lines, seen = [], set()
    for name, labels, value in sorted(samples, key=lambda s: (s[0], sorted(s[1].items()))):
        if name not in seen:
            seen.add(name)
            lines.append("# HELP %s %s" % (name, HELP.get(name, name)))
            lines.append("# TYPE %s gauge" % name)
        text = ",".join('%s="%s"' % (k, _label_value(v)) for k, v in sorted(labels.items()))
        lines.append("%s%s %s" % (name, "{%s}" % text if text else "", _number(value)))
    return "\n".join(lines) + "\n"


def _read(path):
    with open(path, "rb") as handle:
        return handle.read()


def collect(settings, now=None):
    """Every sample this node gives, from its settings (``certificates``: globs; ``swift_recon_dir``: the recon
    cache directory, or null)."""
    samples, errors = [], {}
    files = {}
    for pattern in settings.get("certificates") or []:
        for path in glob.glob(pattern, recursive=True):
            if os.path.isfile(path) and path not in files:
                try:
                    files[path] = _read(path)
                except OSError:
                    errors["certificates"] = errors.get("certificates", 0) + 1
    found, failed = certificate_samples(files, pem_certificates_end)
    samples += found
    errors["certificates"] = errors.get("certificates", 0) + failed
    if settings.get("swift_recon_dir"):
        recon = {}
        for server in SWIFT_SERVERS:
            path = os.path.join(settings["swift_recon_dir"], "%s.recon" % server)
            recon[server] = _read(path).decode("utf-8", "replace") if os.path.exists(path) else None
        found, errors["swift"] = swift_samples(recon)
        samples += found
    for collector, count in errors.items():
        samples.append(("helion_node_metrics_errors", {"collector": collector}, float(count)))
    samples.append(("helion_node_metrics_last_run_seconds", {}, time.time() if now is None else now))
    return samples


def write_atomically(path, text):
    """The node exporter must never read half a file: write beside it, then rename."""
    directory = os.path.dirname(path) or "."
    handle, temporary = tempfile.mkstemp(prefix=".helion-", dir=directory)
    try:
        with os.fdopen(handle, "w") as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: helion_node_metrics.py SETTINGS_JSON\n")
        return 2
    with open(argv[1]) as handle:
        settings = json.load(handle)
    write_atomically(settings["output"], render(collect(settings)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
