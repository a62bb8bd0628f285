# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: galera_bootstrap_host
short_description: The Galera member to bootstrap a stopped cluster from
version_added: 0.2.0
description:
  - Chooses the most advanced member of a Galera cluster that is down everywhere, from each member's
    position as printed by C(galera-position) (C(<uuid> <seqno> <safe_to_bootstrap>)).
  - The highest seqno wins; on a tie, a member marked C(safe_to_bootstrap) wins; then the member listed
    first in O(members).
options:
  _input:
    description: Each member's position line, by member name.
    type: dict
    required: true
  members:
    description: The cluster's members in inventory order (the tie-breaker).
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Choose the most advanced node
  ansible.builtin.set_fact:
    _galera_bootstrap_host: >-
      {{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, ['_galera_position', 'stdout'])))
         | helion.openstack.galera_bootstrap_host(groups['mariadb']) }}
"""

RETURN = r"""
_value:
  description: The name of the member to bootstrap.
  type: str
"""

from ansible.errors import AnsibleFilterError


def parse_position(line):
    """``"<uuid> <seqno> <safe>"`` -> (uuid, seqno, safe). Raises ValueError on anything else."""
    parts = str(line).split()
    if len(parts) != 3:
        raise ValueError("expected '<uuid> <seqno> <safe_to_bootstrap>', got %r" % (line,))
    return parts[0], int(parts[1]), int(parts[2])


def choose_bootstrap_host(positions, members):
    """The member of ``positions`` ({host: position line}) to bootstrap from."""
    if not positions:
        raise ValueError("no member's position was read")
    order = list(members)

    def rank(host):
        _uuid, seqno, safe = parse_position(positions[host])
        listed = order.index(host) if host in order else len(order)
        return (seqno, safe, -listed)

    return max(sorted(positions), key=rank)


def galera_bootstrap_host(positions, members):
    try:
        return choose_bootstrap_host(positions, members)
    except ValueError as exc:
        raise AnsibleFilterError("galera_bootstrap_host: %s" % exc)


def galera_joiners(running, members):
    """The members not in a running cluster, in inventory order: ``running`` is {host: bool}."""
    return [h for h in members if h in running and not running[h]]


class FilterModule(object):
    def filters(self):
        return {"galera_bootstrap_host": galera_bootstrap_host, "galera_joiners": galera_joiners}
