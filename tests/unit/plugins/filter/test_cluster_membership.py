# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cluster membership decisions of a controller replacement: RabbitMQ's seed node, OVN's stale RAFT servers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.helion.openstack.plugins.filter.ovn_stale_servers import ovn_stale_servers
from ansible_collections.helion.openstack.plugins.filter.rabbitmq_seed import rabbitmq_seed

MEMBERS = ["ctl1", "ctl2", "ctl3"]


def status(*running):
    return {"disk_nodes": ["rabbit@" + n for n in running], "running_nodes": ["rabbit@" + n for n in running]}


@pytest.mark.parametrize("statuses, seed", [
    # a first deploy: every node alone, the first listed is the seed
    ({"ctl1": status("ctl1"), "ctl2": status("ctl2"), "ctl3": status("ctl3")}, "ctl1"),
    # ctl1 replaced: alone in a cluster of its own, the survivors' cluster is the seed's
    ({"ctl1": status("ctl1"), "ctl2": status("ctl2", "ctl3"), "ctl3": status("ctl2", "ctl3")}, "ctl2"),
    # ctl2 replaced
    ({"ctl1": status("ctl1", "ctl3"), "ctl2": status("ctl2"), "ctl3": status("ctl1", "ctl3")}, "ctl1"),
    # a healthy cluster
    ({h: status(*MEMBERS) for h in MEMBERS}, "ctl1"),
    # a node outside the list loses a tie
    ({"other": status("other"), "ctl3": status("ctl3")}, "ctl3"),
    # no running_nodes key at all (a node that did not answer) counts as empty
    ({"ctl1": {}, "ctl2": status("ctl2")}, "ctl2"),
])
def test_rabbitmq_seed(statuses, seed):
    assert rabbitmq_seed(statuses, MEMBERS) == seed


@pytest.mark.parametrize("statuses", [{}, {"ctl1": "not json"}])
def test_rabbitmq_seed_rejects_unreadable_statuses(statuses):
    with pytest.raises(AnsibleFilterError, match="rabbitmq_seed"):
        rabbitmq_seed(statuses, MEMBERS)


RAFT = """a1b2
Name: OVN_Northbound
Cluster ID: 4c2e (4c2e0e1f-0000-0000-0000-000000000000)
Server ID: c3d4 (c3d4aaaa-0000-0000-0000-000000000000)
Address: tcp:192.0.2.12:6643
Status: cluster member
Role: leader
Leader: self
Servers:
    a1b2 (a1b2 at tcp:192.0.2.11:6643) next_index=9 match_index=9 last msg 30000 ms ago
    c3d4 (c3d4 at tcp:192.0.2.12:6643) (self) next_index=10 match_index=9
    e5f6 (e5f6 at tcp:192.0.2.13:6643) next_index=10 match_index=9 last msg 100 ms ago
"""
# ctl1 joined again with a new server ID while its old one was still listed
RAFT_BOTH = RAFT.replace("    c3d4 (",
                         "    9f00 (9f00 at tcp:192.0.2.11:6643) next_index=11 match_index=11\n    c3d4 (")
RAFT_V6 = RAFT.replace("tcp:192.0.2.11:6643", "ssl:[2001:db8::11]:6643")


@pytest.mark.parametrize("text, address, keep, stale", [
    (RAFT, "192.0.2.11", "", ["a1b2"]),
    (RAFT, "192.0.2.13", "", ["e5f6"]),
    # the node already holds a clustered database: its own entry stays
    (RAFT, "192.0.2.11", "a1b2c3d4-0000-0000-0000-000000000000", []),
    (RAFT_BOTH, "192.0.2.11", "9f001111-0000-0000-0000-000000000000", ["a1b2"]),
    (RAFT_BOTH, "192.0.2.11", "", ["a1b2", "9f00"]),
    # an address that is no member's
    (RAFT, "192.0.2.99", "", []),
    # a prefix of an address is not the address
    (RAFT, "192.0.2.1", "", []),
    (RAFT_V6, "2001:db8::11", "", ["a1b2"]),
    (RAFT_V6, "[2001:db8::11]", "", ["a1b2"]),
    # the section ends at the next unindented line
    (RAFT + "Trailer:\n    dead (dead at tcp:192.0.2.11:6643)\n", "192.0.2.11", "", ["a1b2"]),
])
def test_ovn_stale_servers(text, address, keep, stale):
    assert ovn_stale_servers(text, address, keep) == stale


def test_ovn_stale_servers_rejects_a_status_without_servers():
    with pytest.raises(AnsibleFilterError, match="no 'Servers:' section"):
        ovn_stale_servers("Name: OVN_Northbound\nStatus: left cluster\n", "192.0.2.11")
