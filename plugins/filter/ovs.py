# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: ovs_map_changes
short_description: The keys of an Open vSwitch map column that differ from the wanted values
version_added: 0.3.0
description:
  - Reads the JSON that C(ovs-vsctl --format=json --columns=COLUMN list TABLE RECORD) prints for one map column
    (C(external_ids), C(other_config)) and returns the C(key=value) arguments that C(ovs-vsctl set) needs to make the
    map hold the wanted values. Keys not wanted are left as they are; a wanted value of C(None) removes the key (it
    is returned in C(remove)).
options:
  _input:
    description: The standard output of C(ovs-vsctl --format=json --columns=COLUMN list ...).
    type: str
    required: true
  wanted:
    description: The keys and values the map must hold; a value of C(None) means the key must be absent.
    type: dict
    required: true
author:
  - helion.openstack contributors (@helion-openstack)
"""

EXAMPLES = r"""
- name: Set the chassis settings that differ
  ansible.builtin.command:
    argv: "{{ ['ovs-vsctl', 'set', 'Open_vSwitch', '.'] + (changes.set | map('regex_replace', '^', 'external_ids:')) }}"
  vars:
    changes: "{{ listed.stdout | helion.openstack.ovs_map_changes({'ovn-encap-type': 'geneve'}) }}"
  when: changes.set | length > 0
"""

RETURN = r"""
_value:
  description: C(set), the C(key=value) strings to set (a value is quoted when OVS needs it), C(remove), the keys to
    remove, and C(current), the map as read.
  type: dict
"""

import json
import re

from ansible.errors import AnsibleFilterError

# A bare OVSDB string: anything else is written in double quotes.
_BARE = re.compile(r"^[A-Za-z0-9_.:/-]+$")


def _ovs_value(value):
    text = str(value)
    if _BARE.match(text):
        return text
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


def _read_map(listing):
    try:
        data = json.loads(listing)
        cell = data["data"][0][0]
    except (ValueError, KeyError, IndexError, TypeError):
        raise AnsibleFilterError("ovs_map_changes: not the JSON of one ovs-vsctl record: %r" % str(listing)[:300])
    if not (isinstance(cell, list) and len(cell) == 2 and cell[0] == "map"):
        raise AnsibleFilterError("ovs_map_changes: the column is not a map: %r" % (cell,))
    return dict((str(k), str(v)) for k, v in cell[1])


def ovs_map_changes(listing, wanted):
    if not isinstance(wanted, dict):
        raise AnsibleFilterError("ovs_map_changes: wanted must be a dict, got %s" % type(wanted).__name__)
    current = _read_map(listing)
    changes = {"set": [], "remove": [], "current": current}
    for key in sorted(wanted):
        value = wanted[key]
        if value is None:
            if key in current:
                changes["remove"].append(key)
        elif current.get(key) != str(value):
            changes["set"].append("%s=%s" % (_ovs_value(key), _ovs_value(value)))
    return changes


class FilterModule(object):
    def filters(self):
        return {"ovs_map_changes": ovs_map_changes}
