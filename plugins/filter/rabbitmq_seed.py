# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: rabbitmq_seed
short_description: The RabbitMQ node the others join
version_added: 0.2.0
description:
  - Chooses, from each node's C(rabbitmqctl cluster_status --formatter json), the node the other nodes join,
    a node of the largest running cluster, so that a replaced node (fresh, alone in a cluster of its own) joins
    the cluster that survived instead of the survivors joining it and losing their data.
  - On a tie (a first deploy, every node alone) the node listed first in O(members) wins.
options:
  _input:
    description: Each node's cluster status (the parsed JSON), by node name.
    type: dict
    required: true
  members:
    description: The nodes in inventory order (the tie-breaker).
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Choose the node the others join
  ansible.builtin.set_fact:
    _rabbitmq_seed: >-
      {{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, ['_rabbitmq_cluster', 'stdout'])
         | map('from_json'))) | helion.openstack.rabbitmq_seed(ansible_play_hosts) }}
"""

RETURN = r"""
_value:
  description: The name of the node the others join.
  type: str
"""

from ansible.errors import AnsibleFilterError


def choose_seed(statuses, members):
    """The node of ``statuses`` ({host: cluster status dict}) in the largest running cluster."""
    if not statuses:
        raise ValueError("no node's cluster status was read")
    order = list(members)

    def rank(host):
        status = statuses[host]
        if not isinstance(status, dict):
            raise ValueError("the cluster status of %s is not a mapping: %r" % (host, status))
        running = status.get("running_nodes") or []
        listed = order.index(host) if host in order else len(order)
        return (len(running), -listed)

    return max(sorted(statuses), key=rank)


def rabbitmq_seed(statuses, members):
    try:
        return choose_seed(statuses, members)
    except ValueError as exc:
        raise AnsibleFilterError("rabbitmq_seed: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"rabbitmq_seed": rabbitmq_seed}
