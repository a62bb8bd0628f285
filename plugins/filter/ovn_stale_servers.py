# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: ovn_stale_servers
short_description: The OVSDB RAFT servers a replaced node left behind
version_added: 0.2.0
description:
  - Reads the C(Servers:) section of C(ovn-appctl cluster/status) (an OVN database's RAFT cluster as one
    member sees it) and returns the server IDs at O(address) that are not O(keep_sid), the member of a
    node that was lost, to be kicked before the node's replacement joins with a new server ID.
  - The IDs are those C(cluster/status) prints (the first four hexadecimal digits, a unique prefix that
    C(cluster/kick) accepts).
options:
  _input:
    description: The output of C(ovn-appctl -t <db ctl> cluster/status <database>).
    type: str
    required: true
  address:
    description: The replaced node's address on the OVN network.
    type: str
    required: true
  keep_sid:
    description:
      - The server ID the node holds now (C(ovsdb-tool db-sid)), when it has already joined; its entry is
        kept. Empty when the node holds no clustered database.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Kick the lost member of the northbound database
  ansible.builtin.command:
    argv: [ovn-appctl, -t, /var/run/ovn/ovnnb_db.ctl, cluster/kick, OVN_Northbound, "{{ item }}"]
  loop: "{{ _status.stdout | helion.openstack.ovn_stale_servers('192.0.2.11', _sid.stdout | default('')) }}"
"""

RETURN = r"""
_value:
  description: The server IDs (as printed) to kick, in the order listed.
  type: list
  elements: str
"""

import re

from ansible.errors import AnsibleFilterError

# "    3e4f (3e4f at tcp:192.0.2.12:6643) last msg 1234 ms ago" or "ssl:[2001:db8::1]:6643"
_SERVER = re.compile(r"^\s+([0-9a-f]+) \(\1 at (?:tcp|ssl):(\[[^\]]+\]|[^:\s]+):\d+\)")


def stale_servers(status, address, keep_sid=""):
    """The server IDs of ``status`` at ``address`` whose ID is not a prefix of ``keep_sid``."""
    lines = str(status).splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "Servers:")
    except StopIteration:
        raise ValueError("no 'Servers:' section in the cluster status: %r" % (status[:200],))
    wanted = address.strip("[]")
    keep = (keep_sid or "").strip()
    found = []
    for line in lines[start + 1:]:
        if line and not line[0].isspace():
            break  # the next section
        match = _SERVER.match(line)
        if not match:
            continue
        sid, host = match.group(1), match.group(2).strip("[]")
        if host == wanted and not (keep and keep.startswith(sid)):
            found.append(sid)
    return found


def ovn_stale_servers(status, address, keep_sid=""):
    try:
        return stale_servers(status, address, keep_sid)
    except ValueError as exc:
        raise AnsibleFilterError("ovn_stale_servers: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"ovn_stale_servers": ovn_stale_servers}
