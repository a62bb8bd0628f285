# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What Prometheus scrapes and probes, planned from the cloud model, as plain functions over data.

This module util is PRIVATE to the collection. It is not part of its public API.

Prometheus on the monitoring server finds its targets in files (file-based service discovery) that the
deploy writes from the model: a node added to the model is scraped after the next run, one removed is no
longer, and nobody edits Prometheus. :func:`scrape_targets` returns those files' contents, one list of
target groups per job:

- ``node``: the node exporter of every node;
- ``mysqld``, ``haproxy``, ``rabbitmq``: the exporters of the nodes of those services;
- ``api_vip`` and ``api_node``: every HTTP API that HAProxy serves, through each VIP and on each of its nodes
  (the blackbox exporter probes them); ``tcp_vip`` and ``tcp_node``: the same for TCP frontends.

Errors are :class:`MonitoringError`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
EXPORTER_JOBS = ("mysqld", "haproxy", "rabbitmq")
PROBE_JOBS = ("api_vip", "api_node", "tcp_vip", "tcp_node")


class MonitoringError(Exception):
    """The targets cannot be planned (the message says which input is wrong and how to fix it)."""


def host_port(address, port):
    """``address:port``, with an IPv6 address in brackets."""
    address = str(address)
    if ":" in address and not address.startswith("["):
        address = "[%s]" % address
    return "%s:%s" % (address, int(port))


def _address(addresses, node, network):
    address = addresses.get(node)
    if not address:
        raise MonitoringError(
            "node %s has no address on network %s: give it one in the model (servers and their interface model) "
            "or set monitoring_server_network to a network it has" % (node, network))
    return address


def _port(value, what):
    try:
        port = int(value)
    except (TypeError, ValueError):
        port = 0
    if not 0 < port < 65536:
        raise MonitoringError("%s: port %r is not a TCP port (1-65535)" % (what, value))
    return port


def _frontend_probes(frontend):
    """The blackbox targets of one HAProxy frontend: (job suffix, via-VIP groups, per-node groups)."""
    name = frontend.get("name")
    if not name or not _NAME.match(str(name)):
        raise MonitoringError("a HAProxy frontend description has no usable name: %r (its service role's "
                              "<role>_haproxy entry names it)" % (frontend,))
    port = _port(frontend.get("port"), "frontend %s" % name)
    http = frontend.get("mode", "http") == "http" and frontend.get("check_path")
    kind = "api" if http else "tcp"
    path = str(frontend.get("check_path") or "")
    if http and not path.startswith("/"):
        path = "/" + path

    def target(address, target_port):
        where = host_port(address, target_port)
        return "http://%s%s" % (where, path) if http else where

    via_vip = [{"targets": [target(address, port)], "labels": {"api": name, "vip": vip}}
               for vip, address in sorted((frontend.get("vips") or {}).items())]
    on_node = []
    for server in frontend.get("servers") or []:
        if not server.get("host") or not server.get("address"):
            raise MonitoringError("frontend %s: a server has no host or address: %r" % (name, server))
        # A TCP frontend checked on another port (Galera's clustercheck) is probed where it is checked.
        server_port = frontend.get("check_port") if not http and frontend.get("check_port") else \
            server.get("port") or frontend.get("backend_port") or port
        on_node.append({"targets": [target(server["address"], _port(server_port, "frontend %s" % name))],
                        "labels": {"api": name, "host": server["host"]}})
    return kind, via_vip, on_node


def plan(nodes, hostvars, groups, exporter_groups, frontends, ports, network="management"):
    """:func:`scrape_targets` from the inventory: each node's address read from its ``helion_addresses`` on
    ``network``, and each exporter job's nodes from the inventory group ``exporter_groups`` names for it."""
    if not isinstance(exporter_groups, dict):
        raise MonitoringError("exporter_groups must map each exporter job (%s) to an inventory group"
                              % ", ".join(EXPORTER_JOBS))
    members = {job: list(groups.get(exporter_groups.get(job) or "", []) or []) for job in EXPORTER_JOBS}
    addresses = {}
    for node in set(nodes) | set(n for group in members.values() for n in group):
        try:
            addresses[node] = (hostvars[node].get("helion_addresses") or {}).get(network)
        except (KeyError, AttributeError, TypeError):
            addresses[node] = None
    return scrape_targets(nodes, addresses, members, frontends, ports, network)


def scrape_targets(nodes, addresses, groups, frontends, ports, network="management"):
    """Every job's target groups (file-based service discovery), from the model.

    ``nodes`` are the nodes whose node exporter is scraped; ``addresses`` maps each node to its address on
    ``network``; ``groups`` maps the exporter jobs (mysqld, haproxy, rabbitmq) to their nodes; ``frontends``
    are HAProxy's frontend descriptions (name, port, mode, check_path or check_port, vips {name: address},
    servers [{host, address, port}]); ``ports`` maps node and each exporter job to its port.
    """
    if not isinstance(addresses, dict) or not isinstance(groups, dict) or not isinstance(ports, dict):
        raise MonitoringError("addresses, groups and ports must be mappings")
    jobs = {}
    node_port = _port(ports.get("node"), "the node exporter (monitoring_server_ports.node)")
    jobs["node"] = [{"targets": [host_port(_address(addresses, node, network), node_port)],
                     "labels": {"host": node}}
                    for node in sorted(set(nodes))]
    for job in EXPORTER_JOBS:
        members = sorted(set(groups.get(job) or []))
        if not members:
            jobs[job] = []
            continue
        port = _port(ports.get(job), "the %s exporter (monitoring_server_ports.%s)" % (job, job))
        jobs[job] = [{"targets": [host_port(_address(addresses, node, network), port)], "labels": {"host": node}}
                     for node in members]
    for job in PROBE_JOBS:
        jobs[job] = []
    for frontend in sorted(frontends or [], key=lambda f: str(f.get("name"))):
        kind, via_vip, on_node = _frontend_probes(frontend)
        jobs["%s_vip" % kind].extend(via_vip)
        jobs["%s_node" % kind].extend(on_node)
    return jobs
