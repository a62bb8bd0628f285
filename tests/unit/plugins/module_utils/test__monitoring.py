# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What Prometheus scrapes and probes, planned from the model: the targets of every job and the errors."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.helion.openstack.plugins.filter.monitoring import monitoring_targets
from ansible_collections.helion.openstack.plugins.module_utils import _monitoring as mon

PORTS = {"node": 9100, "mysqld": 9104, "haproxy": 8405, "rabbitmq": 15692}
ADDRESSES = {"ctl1": "192.0.2.11", "ctl2": "192.0.2.12", "cpu1": "192.0.2.21", "uc": "192.0.2.2",
             "v6": "2001:db8::5"}
KEYSTONE = {"name": "keystone_api", "port": 5000, "mode": "http", "check_path": "/v3", "check_port": 0,
            "vips": {"public_api": "198.51.100.10", "internal_api": "192.0.2.10"},
            "servers": [{"host": "ctl1", "address": "192.0.2.11", "port": 5000},
                        {"host": "ctl2", "address": "192.0.2.12", "port": 5000}]}
GALERA = {"name": "galera", "port": 3306, "mode": "tcp", "check_path": "", "check_port": 9200,
          "vips": {"internal_api": "192.0.2.10"},
          "servers": [{"host": "ctl1", "address": "192.0.2.11", "port": 3306}]}


def _targets(jobs, job):
    return [(group["targets"][0], group["labels"]) for group in jobs[job]]


@pytest.mark.parametrize("nodes, groups, expected", [
    # every node's node exporter, sorted, once, with its host label
    (["ctl2", "ctl1", "cpu1", "ctl1"], {},
     [("192.0.2.21:9100", {"host": "cpu1"}), ("192.0.2.11:9100", {"host": "ctl1"}),
      ("192.0.2.12:9100", {"host": "ctl2"})]),
    # an IPv6 address in brackets
    (["v6"], {}, [("[2001:db8::5]:9100", {"host": "v6"})]),
    ([], {}, []),
])
def test_every_node_of_the_model_is_scraped_once(nodes, groups, expected):
    jobs = mon.scrape_targets(nodes, ADDRESSES, groups, [], PORTS)
    assert _targets(jobs, "node") == expected
    assert sorted(jobs) == ["api_node", "api_vip", "haproxy", "mysqld", "node", "rabbitmq", "tcp_node", "tcp_vip"]


@pytest.mark.parametrize("job, members, expected", [
    ("mysqld", ["ctl2", "ctl1"], ["192.0.2.11:9104", "192.0.2.12:9104"]),
    ("haproxy", ["ctl1"], ["192.0.2.11:8405"]),
    ("rabbitmq", ["ctl1", "ctl2"], ["192.0.2.11:15692", "192.0.2.12:15692"]),
    ("rabbitmq", [], []),
])
def test_each_exporter_is_scraped_on_its_services_nodes(job, members, expected):
    jobs = mon.scrape_targets(["uc"], ADDRESSES, {job: members}, [], PORTS)
    assert [t for t, _labels in _targets(jobs, job)] == expected


def test_a_node_added_to_the_model_is_scraped_and_one_removed_is_not():
    before = mon.scrape_targets(["ctl1", "ctl2"], ADDRESSES, {}, [], PORTS)
    grown = mon.scrape_targets(["ctl1", "ctl2", "cpu1"], ADDRESSES, {}, [], PORTS)
    shrunk = mon.scrape_targets(["ctl1"], ADDRESSES, {}, [], PORTS)
    hosts = {name: [labels["host"] for _t, labels in _targets(jobs, "node")]
             for name, jobs in (("before", before), ("grown", grown), ("shrunk", shrunk))}
    assert hosts == {"before": ["ctl1", "ctl2"], "grown": ["cpu1", "ctl1", "ctl2"], "shrunk": ["ctl1"]}


@pytest.mark.parametrize("frontend, job, expected", [
    # an HTTP API: its health path through each VIP, and on each of its nodes
    (KEYSTONE, "api_vip", [("http://192.0.2.10:5000/v3", {"api": "keystone_api", "vip": "internal_api"}),
                           ("http://198.51.100.10:5000/v3", {"api": "keystone_api", "vip": "public_api"})]),
    (KEYSTONE, "api_node", [("http://192.0.2.11:5000/v3", {"api": "keystone_api", "host": "ctl1"}),
                            ("http://192.0.2.12:5000/v3", {"api": "keystone_api", "host": "ctl2"})]),
    # a TCP frontend: a connection through the VIP, and on each node where HAProxy checks it
    (GALERA, "tcp_vip", [("192.0.2.10:3306", {"api": "galera", "vip": "internal_api"})]),
    (GALERA, "tcp_node", [("192.0.2.11:9200", {"api": "galera", "host": "ctl1"})]),
    # a path without its slash, a backend on another port
    (dict(KEYSTONE, check_path="healthcheck", servers=[{"host": "ctl1", "address": "192.0.2.11", "port": 15000}]),
     "api_node", [("http://192.0.2.11:15000/healthcheck", {"api": "keystone_api", "host": "ctl1"})]),
])
def test_every_api_is_probed_through_each_vip_and_on_each_node(frontend, job, expected):
    jobs = mon.scrape_targets([], ADDRESSES, {}, [frontend], PORTS)
    assert _targets(jobs, job) == expected


@pytest.mark.parametrize("nodes, addresses, groups, frontends, ports, message", [
    (["ctl9"], ADDRESSES, {}, [], PORTS, "node ctl9 has no address on network management"),
    (["uc"], ADDRESSES, {"mysqld": ["ctl9"]}, [], PORTS, "node ctl9 has no address"),
    (["uc"], ADDRESSES, {}, [], dict(PORTS, node=0), "port 0 is not a TCP port"),
    (["uc"], ADDRESSES, {"haproxy": ["ctl1"]}, [], dict(PORTS, haproxy="x"), "monitoring_server_ports.haproxy"),
    (["uc"], ADDRESSES, {}, [dict(KEYSTONE, name="")], PORTS, "has no usable name"),
    (["uc"], ADDRESSES, {}, [dict(KEYSTONE, port=70000)], PORTS, "frontend keystone_api: port 70000"),
    (["uc"], ADDRESSES, {}, [dict(KEYSTONE, servers=[{"host": "ctl1"}])], PORTS, "a server has no host or address"),
    (["uc"], [], {}, [], PORTS, "must be mappings"),
])
def test_what_cannot_be_planned_is_named(nodes, addresses, groups, frontends, ports, message):
    with pytest.raises(mon.MonitoringError, match=message):
        mon.scrape_targets(nodes, addresses, groups, frontends, ports)


def test_the_filter_reads_the_inventory_and_names_a_node_without_address():
    hostvars = {name: {"helion_addresses": {"management": address}} for name, address in ADDRESSES.items()}
    hostvars["ctl3"] = {"helion_addresses": {"external": "198.51.100.13"}}
    groups = {"mariadb": ["ctl1", "ctl2"], "haproxy": ["ctl1"], "controllers": ["ctl1", "ctl2"]}
    exporter_groups = {"mysqld": "mariadb", "haproxy": "haproxy", "rabbitmq": "rabbitmq"}
    jobs = monitoring_targets(["uc", "ctl1"], hostvars, groups, exporter_groups, PORTS)
    assert [t for t, _l in _targets(jobs, "mysqld")] == ["192.0.2.11:9104", "192.0.2.12:9104"]
    assert jobs["rabbitmq"] == []
    with pytest.raises(Exception, match="monitoring_targets: node ctl3 has no address on network management"):
        monitoring_targets(["ctl3"], hostvars, groups, exporter_groups, PORTS)
    with pytest.raises(Exception, match="exporter_groups must map"):
        monitoring_targets(["uc"], hostvars, groups, None, PORTS)
