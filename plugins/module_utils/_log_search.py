# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Searching the cloud's logs that the log server keeps, as plain functions over data.

This module util is PRIVATE to the collection. It is not part of its public API.

Every node's journal reaches the log server through systemd-journal-upload, and systemd-journal-remote
keeps it there, one journal file per host (and its archived files). A search is ``journalctl`` over those
files, split into groups that run at once on the log server's cores (a free-text question reads every entry):

- :func:`file_groups` splits the journal files into groups of about the same size;
- :func:`journalctl_argv` turns a question (services, hosts, severity, time window, text) into its argv;
- :func:`parse_entries` turns journalctl's JSON lines into records (time, host, service, severity, message);
- :func:`format_table` prints them for a person.

Errors are :class:`LogSearchError`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import re

SEVERITIES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")

# A service name: a unit name (with or without .service) or a syslog identifier.
_SERVICE = re.compile(r"^[A-Za-z0-9@_.:-]+$")
_HOST = re.compile(r"^[A-Za-z0-9_.-]+$")
# A service named with one of these suffixes is a unit of that type, not a service's syslog identifier.
_UNIT_SUFFIXES = (".socket", ".timer", ".scope", ".mount", ".path")


class LogSearchError(Exception):
    """A search cannot be made (the message says which input is wrong and how to fix it)."""


def _matches(field, values, pattern, what):
    out = []
    for value in values:
        if not pattern.match(value):
            raise LogSearchError("%s %r is not a valid name: use letters, digits and . _ - @ : only" % (what, value))
        out.append("%s=%s" % (field, value))
    return out


def file_groups(files, workers):
    """``files`` ([(path, size in bytes)]) split into at most ``workers`` groups of about the same total size,
    the largest files placed first, each into the smallest group so far. Groups and their paths are sorted;
    no empty group is returned."""
    if not isinstance(workers, int) or workers < 1:
        raise LogSearchError("the number of parallel searches must be a positive number, not %r" % (workers,))
    groups = [[0, []] for _unused in range(min(workers, len(files)))]
    for path, size in sorted(files, key=lambda item: (-item[1], item[0])):
        smallest = min(groups, key=lambda group: group[0])
        smallest[0] += size
        smallest[1].append(path)
    return sorted(sorted(paths) for _size, paths in groups)


def journalctl_argv(directory, services=(), hosts=(), severity=None, since=None, until=None, grep=None,
                    limit=1000, files=None):
    """The journalctl command that answers the question. A service is matched by its syslog identifier or its
    systemd unit (``keystone`` finds both ``SYSLOG_IDENTIFIER=keystone`` and ``_SYSTEMD_UNIT=keystone.service``);
    several services or hosts are alternatives; severity keeps that level and worse; ``limit`` keeps the newest
    entries (one more is asked for, to know whether there were more). ``files``, when given, are the journal
    files to read instead of the whole ``directory`` (one group of :func:`file_groups`)."""
    if severity is not None and severity not in SEVERITIES:
        raise LogSearchError("severity %r is not one of %s" % (severity, ", ".join(SEVERITIES)))
    if not isinstance(limit, int) or limit < 1:
        raise LogSearchError("limit must be a positive number of entries, not %r" % (limit,))
    source = ["--directory", directory] if not files else [arg for path in files for arg in ("--file", path)]
    argv = ["journalctl"] + source + ["--output", "json", "--no-pager", "--lines", str(limit + 1)]
    if since:
        argv += ["--since", since]
    if until:
        argv += ["--until", until]
    if severity:
        argv += ["--priority", severity]
    if grep:
        argv += ["--grep", grep]
    host_matches = _matches("_HOSTNAME", hosts, _HOST, "host")
    identifiers = [s[:-len(".service")] if s.endswith(".service") else s for s in services]
    if not identifiers:
        return argv + host_matches
    # journalctl ANDs different fields and ORs values of one field; "+" ORs whole groups. So: the hosts with
    # the identifiers, or the hosts with the units.
    units = [s if s.endswith(_UNIT_SUFFIXES) else s + ".service" for s in identifiers]
    return (argv + host_matches + _matches("SYSLOG_IDENTIFIER", identifiers, _SERVICE, "service") + ["+"]
            + host_matches + _matches("_SYSTEMD_UNIT", units, _SERVICE, "service"))


def _text(value):
    """MESSAGE is a string, or a list of byte values when it is not valid UTF-8."""
    if isinstance(value, list):
        return bytes(b for b in value if isinstance(b, int) and 0 <= b < 256).decode("utf-8", "replace")
    return "" if value is None else str(value)


def _unit_name(unit):
    return unit[:-len(".service")] if unit.endswith(".service") else unit


def parse_entries(output, limit=None):
    """Records from ``journalctl --output json``, oldest first: ``time`` (ISO 8601, UTC, microseconds),
    ``host``, ``service`` (the syslog identifier, else the unit without .service), ``unit``, ``severity``,
    ``priority`` and ``message``. ``output`` is one run's output or a list of several (the groups of files),
    merged by time. Returns ``(entries, truncated)``: with a limit, the newest ``limit`` entries and whether
    there were more."""
    if isinstance(output, (list, tuple)):
        output = "\n".join(output)
    entries = []
    for number, line in enumerate(output.splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except ValueError:
            raise LogSearchError("journalctl printed a line that is not JSON (line %d): %.120s" % (number, line))
        try:
            micros = int(raw["__REALTIME_TIMESTAMP"])
        except (KeyError, TypeError, ValueError):
            raise LogSearchError("journalctl printed an entry without a time (line %d)" % number)
        stamp = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=micros)
        unit = raw.get("_SYSTEMD_UNIT") or ""
        try:
            priority = int(raw.get("PRIORITY", 6))
        except (TypeError, ValueError):
            priority = 6
        priority = min(max(priority, 0), 7)
        entries.append({
            "_micros": micros,
            "time": stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "host": raw.get("_HOSTNAME") or "",
            "service": raw.get("SYSLOG_IDENTIFIER") or _unit_name(unit),
            "unit": unit,
            "severity": SEVERITIES[priority],
            "priority": priority,
            "message": _text(raw.get("MESSAGE")),
        })
    # journalctl prints --lines with --grep newest first (systemd 252): order by time here, whatever it did;
    # entries of the same microsecond by host and text, so that merged groups read as one run does.
    entries.sort(key=lambda entry: (entry["_micros"], entry["host"], entry["message"]))
    for entry in entries:
        del entry["_micros"]
    truncated = limit is not None and len(entries) > limit
    if truncated:
        entries = entries[len(entries) - limit:]
    return entries, truncated


def no_match(rc, stdout, stderr):
    """journalctl exits 1, printing nothing, when --grep matches no entry: that is an empty answer."""
    return rc == 1 and not stdout.strip() and not stderr.strip()


def format_table(entries, width=None):
    """One line per entry: time, host, service, severity, message (cut to the width, when one is given: the
    message's end is often what was searched for, so by default nothing is cut)."""
    if not entries:
        return "no log entry matches"
    host_w = max(len("HOST"), max(len(e["host"]) for e in entries))
    svc_w = max(len("SERVICE"), max(len(e["service"]) for e in entries))
    head = "%-27s  %-*s  %-*s  %-8s  %s" % ("TIME (UTC)", host_w, "HOST", svc_w, "SERVICE", "SEVERITY", "MESSAGE")
    lines = [head]
    for e in entries:
        line = "%-27s  %-*s  %-*s  %-8s  %s" % (e["time"], host_w, e["host"], svc_w, e["service"], e["severity"],
                                                " ".join(e["message"].split()))
        lines.append(line[:width] if width else line)
    return "\n".join(lines)
