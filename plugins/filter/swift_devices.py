# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: swift_devices
short_description: Compute every Swift ring and its device list from the cloud model
version_added: 0.1.0
description:
  - Returns one entry per ring of C(helion_swift.rings) with its C(name), C(part_power), C(replicas),
    C(min_part_hours), C(weight_step) and C(devices), ready for M(helion.openstack.swift_ring).
  - Zone and region come from C(helion_server.swift_zone) and C(swift_region); the IP from C(helion_addresses) on
    the network of purpose O(network_purpose) (falling back to the management network); device names (the XFS labels,
    the basename of the disk unless the disk has a C(label)) and weights (C(size_gb) times O(weight_per_gb)) from
    the C(helion_disks.devices) of consumer C(swift), in the rings their C(rings) list names (the default object
    ring when the list is missing).
options:
  _input:
    description: The host variables, usually C(hostvars).
    type: dict
    required: true
  hosts:
    description: The hosts whose drives feed the rings (for example the C(swift_object) group).
    type: list
    elements: str
    required: true
  networks:
    description: The model's networks, C(helion_networks).
    type: list
    elements: dict
    required: true
  swift:
    description: The model's Swift settings, C(helion_swift) (C(rings), C(weight_step)).
    type: dict
    required: true
  ports:
    description: The storage server ports by ring kind (C(account), C(container), C(object)).
    type: dict
  weight_per_gb:
    description: Ring weight per GB of drive.
    type: float
    default: 1.0
  network_purpose:
    description: The purpose of the network Swift serves on.
    type: str
    default: swift
  replication_network_purpose:
    description: The purpose of a separate replication network; the service network when not set.
    type: str
author:
  - helion.openstack contributors (@helion-openstack)
"""

EXAMPLES = r"""
- name: Compute the rings from the model
  ansible.builtin.set_fact:
    swift_ring_plan: >-
      {{ hostvars | helion.openstack.swift_devices(groups['swift_object'], helion_networks, helion_swift) }}
"""

RETURN = r"""
_value:
  description: The rings, each with its parameters and device list.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.helion.openstack.plugins.module_utils._swift_ring import (
    SwiftRingError, drive_label, find_network, model_rings)

HOST_KEYS = ("helion_server", "helion_addresses", "helion_disks")


def _plain(value):
    """Turn lazily templated Ansible containers into plain dicts and lists."""
    if isinstance(value, dict) or hasattr(value, "keys"):
        return dict((k, _plain(value[k])) for k in value.keys())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def swift_devices(hostvars, hosts, networks, swift, ports=None, weight_per_gb=1.0, network_purpose="swift",
                  replication_network_purpose=None):
    data = {}
    for host in hosts or []:
        if host in data:
            continue
        try:
            hvars = hostvars[host]
        except KeyError:
            raise AnsibleFilterError("swift_devices: host %s is not in the inventory" % host) from None
        data[host] = dict((key, _plain(hvars.get(key))) for key in HOST_KEYS)
    try:
        return model_rings(data, _plain(networks), _plain(swift), ports=_plain(ports),
                           weight_per_gb=float(weight_per_gb), network_purpose=network_purpose,
                           replication_network_purpose=replication_network_purpose or None)
    except SwiftRingError as exc:
        raise AnsibleFilterError("swift_devices: %s" % exc) from exc


def swift_local_drives(disks):
    """This host's Swift drives from its ``helion_disks``: ``[{device, label}]``, labelled as in the rings."""
    devices = ((_plain(disks) or {}).get("devices")) or []
    try:
        return [{"device": d["name"], "label": drive_label(d.get("name"), d.get("label"))}
                for d in devices if d.get("consumer") == "swift"]
    except SwiftRingError as exc:
        raise AnsibleFilterError("swift_local_drives: %s" % exc) from exc


def swift_network(networks, purpose="swift"):
    """The name of the network Swift serves on: the model's network of ``purpose``, else management."""
    try:
        return find_network(_plain(networks), purpose)
    except SwiftRingError as exc:
        raise AnsibleFilterError("swift_network: %s" % exc) from exc


class FilterModule(object):
    def filters(self):
        return {"swift_devices": swift_devices, "swift_local_drives": swift_local_drives,
                "swift_network": swift_network}
