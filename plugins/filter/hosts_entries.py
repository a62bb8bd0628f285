# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: hosts_entries
short_description: The /etc/hosts entries of a cloud model
version_added: 0.1.0
description:
  - Builds the C(/etc/hosts) entries of the whole cloud from the host variables the
    P(helion.openstack.cloud_model#inventory) inventory plugin sets. Each server is named
    C(name.domain name) on the Ansible network and C(name-network) on every other network, and the
    API endpoint names point at their VIPs.
  - The inventory sets C(helion_hosts_entries) to this filter applied to C(groups['all']), so the entries
    are computed when a play uses them.
options:
  _input:
    description: The server names, in model order (usually C(groups['all'])).
    type: list
    elements: str
    required: true
  hostvars:
    description: The C(hostvars) of the play.
    type: dict
    required: true
  cloud:
    description: The C(helion_cloud) variable.
    type: dict
    required: true
  vips:
    description: The C(helion_vips) variable.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Write /etc/hosts lines
  ansible.builtin.debug:
    msg: "{{ item.address }} {{ item.names | join(' ') }}"
  loop: "{{ groups['all'] | helion.openstack.hosts_entries(hostvars, helion_cloud, helion_vips) }}"
"""

RETURN = r"""
_value:
  description: One entry per address, each with C(address) and C(names).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.sections.networks import (
    hosts_entries as _hosts_entries,
)


def hosts_entries(names, hostvars, cloud, vips):
    addresses = {}
    for name in names:
        try:
            host = hostvars[name]
        except KeyError:
            raise AnsibleFilterError("hosts_entries: %s is not in hostvars" % name)
        if "helion_addresses" in host:
            addresses[name] = host["helion_addresses"]
    try:
        return _hosts_entries([n for n in names if n in addresses], addresses, cloud, vips)
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError("hosts_entries: helion_cloud or helion_vips is incomplete (%s)" % exc)


class FilterModule(object):
    def filters(self):
        return {"hosts_entries": hosts_entries}
