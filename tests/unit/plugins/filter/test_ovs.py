# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.helion.openstack.plugins.filter.ovs import ovs_map_changes


def _listing(pairs):
    return json.dumps({"data": [[["map", [list(p) for p in pairs]]]], "headings": ["external_ids"]})


@pytest.mark.parametrize("current, wanted, to_set, to_remove", [
    # a new chassis: everything is set, in key order
    ([], {"system-id": "cpu1", "ovn-encap-type": "geneve"}, ["ovn-encap-type=geneve", "system-id=cpu1"], []),
    # nothing differs: nothing to do
    ([("system-id", "cpu1")], {"system-id": "cpu1"}, [], []),
    # a changed value is set; keys not wanted are left alone
    ([("system-id", "cpu1"), ("hostname", "x")], {"system-id": "cpu2"}, ["system-id=cpu2"], []),
    # a list of remotes holds commas: quoted for ovs-vsctl
    ([], {"ovn-remote": "tcp:10.0.0.1:6642,tcp:10.0.0.2:6642"},
     ['ovn-remote="tcp:10.0.0.1:6642,tcp:10.0.0.2:6642"'], []),
    # a boolean is written as OVS reads it
    ([("userspace-tso-enable", "false")], {"userspace-tso-enable": "true"}, ["userspace-tso-enable=true"], []),
    # None removes a key that is there, and ignores one that is not
    ([("ovn-cms-options", "enable-chassis-as-gw")], {"ovn-cms-options": None, "other": None}, [], ["ovn-cms-options"]),
])
def test_ovs_map_changes(current, wanted, to_set, to_remove):
    changes = ovs_map_changes(_listing(current), wanted)
    assert changes["set"] == to_set
    assert changes["remove"] == to_remove
    assert changes["current"] == dict(current)


@pytest.mark.parametrize("listing, message", [
    ("ovs-vsctl: unix:/run/openvswitch/db.sock: database connection failed", "not the JSON"),
    (json.dumps({"data": [[["set", []]]]}), "not a map"),
    (json.dumps({"data": []}), "not the JSON"),
])
def test_ovs_map_changes_refuses_what_is_not_a_map(listing, message):
    with pytest.raises(AnsibleFilterError, match=message):
        ovs_map_changes(listing, {"a": "b"})
