# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The decisions of a rolling package update, as plain functions over text and data.

This module util is PRIVATE to the collection. It is not part of its public API.

- what ``apt-get --simulate dist-upgrade`` would do (:func:`parse_apt_simulation`);
- which of a node's services must restart after some packages changed: those whose unit's package, or
  the program it runs, depends (through the installed packages' Depends, Pre-Depends and Provides) on a
  changed package (:func:`units_to_restart`);
- the servers of a node in HAProxy's runtime statistics, their state and health, and the commands that
  drain them and put them back (:func:`parse_haproxy_stat`, :func:`ensure_server_state`).

Errors are :class:`PackageUpdateError`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io
import re
import time

from ansible_collections.helion.openstack.plugins.module_utils._result import EnsureResult


class PackageUpdateError(Exception):
    """A package update cannot go on (the message says why and what to do)."""


# "Inst name [1.0-1] (1.0-2 Debian:13.2/stable [amd64]) []", "Inst name (1.0 ...)" for a new package,
# "Remv name [1.0-1]" for a removal.
_INST = re.compile(r"^Inst (?P<name>\S+)(?: \[(?P<installed>[^\]]+)\])? \((?P<candidate>\S+)")
_REMV = re.compile(r"^Remv (?P<name>\S+)(?: \[(?P<installed>[^\]]+)\])?")


def parse_apt_simulation(text):
    """What ``apt-get --simulate dist-upgrade`` would do: {'upgrades': [...], 'installs': [...], 'removals':
    [...]}, each a list of {'name', 'installed', 'candidate'} sorted by name."""
    plan = {"upgrades": [], "installs": [], "removals": []}
    for line in (text or "").splitlines():
        inst = _INST.match(line)
        if inst:
            entry = {"name": inst.group("name"), "installed": inst.group("installed"),
                     "candidate": inst.group("candidate")}
            plan["upgrades" if entry["installed"] else "installs"].append(entry)
            continue
        remv = _REMV.match(line)
        if remv:
            plan["removals"].append({"name": remv.group("name"), "installed": remv.group("installed"),
                                     "candidate": None})
    for entries in plan.values():
        entries.sort(key=lambda e: e["name"])
    return plan


def _names(field):
    """Package names of a Depends-like field ('a (>= 1), b | c:any, d [amd64]'): every alternative."""
    names = []
    for clause in (field or "").split(","):
        for alternative in clause.split("|"):
            name = alternative.strip().split(" ")[0].split("(")[0]
            name = name.split(":")[0]
            if name:
                names.append(name)
    return names


def parse_dpkg_graph(text):
    """The installed packages' dependency graph from lines of
    ``dpkg-query -W -f='${Package}\\t${db:Status-Status}\\t${Depends}\\t${Pre-Depends}\\t${Provides}\\n'``:
    {package: sorted list of the installed packages it depends on}, virtual names resolved through
    Provides. Packages that are not installed are left out."""
    depends, provided_by, installed = {}, {}, set()
    for line in (text or "").splitlines():
        fields = line.split("\t")
        if len(fields) < 5 or not fields[0]:
            continue
        package, status, dep, predep, provides = fields[:5]
        if status != "installed":
            continue
        installed.add(package)
        depends[package] = _names(dep) + _names(predep)
        for virtual in _names(provides):
            provided_by.setdefault(virtual, set()).add(package)
    graph = {}
    for package, names in depends.items():
        targets = set()
        for name in names:
            if name in installed:
                targets.add(name)
            targets.update(provided_by.get(name, ()))
        targets.discard(package)
        graph[package] = sorted(targets)
    return graph


def dependency_closure(roots, graph):
    """Every installed package reachable from ``roots`` (included) in ``graph``."""
    seen, todo = set(), [r for r in roots if r]
    while todo:
        package = todo.pop()
        if package in seen:
            continue
        seen.add(package)
        todo.extend(graph.get(package, ()))
    return seen


def units_to_restart(changed, unit_packages, graph, exclude=()):
    """The units (sorted) to restart after the packages ``changed`` were upgraded: each unit of
    ``unit_packages`` ({unit: [the packages of its unit file and of its program]}) whose packages depend,
    directly or not, on a changed package. A unit matching one of the ``exclude`` regular expressions never
    restarts (the system's own: D-Bus, systemd's services); a unit with no known package restarts only when
    one of its packages is itself named in ``changed``."""
    changed = set(changed or ())
    if not changed:
        return []
    patterns = []
    for pattern in exclude or ():
        try:
            patterns.append(re.compile(pattern))
        except re.error as exc:
            raise PackageUpdateError("the unit pattern %r to leave alone is not a regular expression: %s"
                                     % (pattern, exc))
    restart = []
    for unit, packages in sorted((unit_packages or {}).items()):
        if any(p.search(unit) for p in patterns):
            continue
        if dependency_closure(packages or (), graph) & changed:
            restart.append(unit)
    return restart


def _strip_usr(path):
    """A path as merged /usr sees it: /lib/x and /usr/lib/x are one file, dpkg may know either."""
    return path[4:] if path.startswith("/usr/") else path


def unit_packages(unit_paths, dpkg_search):
    """{unit: [packages]} from lines ``UNIT<TAB>PATH [PATH...]`` (a unit's file and the program it runs) and
    the output of ``dpkg-query -S`` over those paths (``pkg1, pkg2: /path``); a path no package owns (a unit
    the deployer wrote) gives no package."""
    owners = {}
    for line in (dpkg_search or "").splitlines():
        packages, sep, path = line.partition(": ")
        if not sep or not path.startswith("/") or packages.startswith("diversion"):
            continue
        names = [p.strip().split(":")[0] for p in packages.split(",") if p.strip()]
        owners.setdefault(_strip_usr(path.strip()), set()).update(names)
    result = {}
    for line in (unit_paths or "").splitlines():
        unit, _sep, paths = line.partition("\t")
        unit = unit.strip()
        if not unit:
            continue
        names = set()
        for path in paths.split():
            names.update(owners.get(_strip_usr(path), ()))
        result[unit] = sorted(names)
    return result


# HAProxy's runtime API.

# The status of a server in `show stat`: UP, DOWN, DRAIN, MAINT, "UP 1/3" (going down), "DOWN 1/2" (going
# up), "no check", "MAINT (via ...)", "MAINT (resolution)".
_ADMIN_STATE = {"DRAIN": "drain", "MAINT": "maint", "NOLB": "ready"}


def parse_haproxy_stat(text):
    """The servers of ``show stat`` (CSV): [{'backend', 'server', 'status', 'sessions', 'check'}]."""
    text = (text or "").lstrip()
    if text.startswith("# "):
        text = text[2:]
    servers = []
    for row in csv.DictReader(io.StringIO(text)):
        name = row.get("svname") or ""
        if name in ("FRONTEND", "BACKEND", "") or not row.get("pxname"):
            continue
        try:
            sessions = int(row.get("scur") or 0)
        except ValueError:
            sessions = 0
        servers.append({"backend": row["pxname"], "server": name, "status": (row.get("status") or "").strip(),
                        "sessions": sessions, "check": (row.get("check_status") or "").strip()})
    return servers


def admin_state(status):
    """The administrative state (ready, drain, maint) that a server's status shows."""
    word = status.split(" ")[0]
    return _ADMIN_STATE.get(word, "ready")


def passes_checks(status):
    """Whether a server's status says its health checks pass (up, drained but up, or not checked)."""
    return status in ("UP", "DRAIN", "no check", "NOLB")


class HaproxySocket:
    """HAProxy's runtime API on a UNIX socket: one command per connection."""

    def __init__(self, path, timeout=10.0):
        self.path, self.timeout = path, timeout

    def command(self, line):
        import socket

        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.path)
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except (OSError, socket.timeout) as exc:
            raise PackageUpdateError("HAProxy's runtime socket %s did not answer %r: %s (is HAProxy running, and "
                                     "is the socket the one its `stats socket` line names?)"
                                     % (self.path, line, exc))
        finally:
            sock.close()
        return b"".join(chunks).decode("utf-8", "replace")


def servers_of(client, name):
    """The rows of server ``name`` in every backend of HAProxy."""
    return [s for s in parse_haproxy_stat(client.command("show stat")) if s["server"] == name]


def ensure_server_state(client, name, state, check_mode=False, drain_timeout=0.0, healthy_timeout=0.0,
                        clock=time.monotonic, sleep=time.sleep):
    """Puts server ``name`` in ``state`` (ready, drain or maint) in every HAProxy backend that has it.

    Before ``ready``, waits up to ``healthy_timeout`` seconds for every such server to pass its health checks
    (the node's services answer again) and fails if one does not: a node is put back only when it works.
    After ``drain`` or ``maint``, waits up to ``drain_timeout`` seconds for their sessions to end (long-lived
    sessions, such as pooled database connections, are left to end by themselves)."""
    if state not in ("ready", "drain", "maint"):
        raise PackageUpdateError("state must be ready, drain or maint, not %r" % (state,))
    rows = servers_of(client, name)
    result = EnsureResult(resource={"servers": ["%s/%s" % (r["backend"], r["server"]) for r in rows]})
    if state == "ready" and rows and not check_mode:
        # A server in maintenance is not checked: drain it first, so that its checks run again.
        for row in rows:
            if admin_state(row["status"]) == "maint":
                client.command("set server %s/%s state drain" % (row["backend"], row["server"]))
        deadline = clock() + healthy_timeout
        while True:
            failing = [r for r in rows if not passes_checks(r["status"])]
            if not failing or clock() >= deadline:
                break
            sleep(1.0)
            rows = servers_of(client, name)
        if failing:
            raise PackageUpdateError(
                "%s fails HAProxy's health checks in %s after %.0f s (%s): its services do not answer; it stays "
                "out of the load balancers. Look at the node's services, then run again."
                % (name, ", ".join(r["backend"] for r in failing), healthy_timeout,
                   ", ".join("%s %s" % (r["status"], r["check"]) for r in failing)))
    for row in rows:
        label = "%s/%s" % (row["backend"], row["server"])
        if result.add(label, admin_state(row["status"]), state):
            result.act("set server %s state %s" % (label, state))
            if not check_mode:
                answer = client.command("set server %s state %s" % (label, state)).strip()
                if answer:
                    raise PackageUpdateError("HAProxy refused to set %s to %s: %s" % (label, state, answer))
    waited = 0.0
    if state in ("drain", "maint") and rows and drain_timeout > 0 and not check_mode:
        start = clock()
        while clock() - start < drain_timeout:
            if sum(r["sessions"] for r in servers_of(client, name)) == 0:
                break
            sleep(0.5)
        waited = clock() - start
    result.resource["sessions"] = sum(r["sessions"] for r in servers_of(client, name)) if rows else 0
    result.resource["waited"] = round(waited, 1)
    result.msg = ("%s: %s in %d backends" % (name, state, len(rows))) if rows else (
        "%s is in no HAProxy backend" % name)
    return result
