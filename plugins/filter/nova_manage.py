# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: nova_manage_table
short_description: Read the table that nova-manage prints
version_added: 0.3.0
description:
  - Reads the table (PrettyTable) of C(nova-manage cell_v2 list_cells) or C(nova-manage cell_v2 list_hosts) and
    returns one dictionary per row, keyed by the column headings (C(Name), C(UUID), C(Transport URL),
    C(Database Connection), C(Disabled); C(Cell Name), C(Cell UUID), C(Hostname)).
  - Lines outside the table (the messages nova-manage prints before it) are ignored; an output with no table gives
    an empty list, so that a caller can test for a missing row.
options:
  _input:
    description: The standard output of the nova-manage command.
    type: str
    required: true
author:
  - helion.openstack contributors (@helion-openstack)
"""

EXAMPLES = r"""
- name: Create cell1 when it is missing
  ansible.builtin.command: runuser -u nova -- nova-manage cell_v2 create_cell --name cell1
  changed_when: true
  when: cells.stdout | helion.openstack.nova_manage_table | selectattr('Name', 'equalto', 'cell1') | list | length == 0
"""

RETURN = r"""
_value:
  description: The rows, in the order printed, each a dictionary of the row's cells by heading (values stripped).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError


def _cells(line):
    # "| a | b |" -> ["a", "b"]
    return [cell.strip() for cell in line.strip()[1:-1].split("|")]


def nova_manage_table(stdout):
    if stdout is None:
        return []
    if not isinstance(stdout, str):
        raise AnsibleFilterError("nova_manage_table: the input must be the command's standard output (a string), "
                                 "got %s" % type(stdout).__name__)
    headings = None
    rows = []
    for line in stdout.splitlines():
        text = line.strip()
        if not (text.startswith("|") and text.endswith("|") and len(text) > 1):
            continue
        cells = _cells(text)
        if headings is None:
            headings = cells
            continue
        if len(cells) != len(headings):
            raise AnsibleFilterError("nova_manage_table: a row has %d cells, the headings %d (%s): %r"
                                     % (len(cells), len(headings), ", ".join(headings), text[:200]))
        rows.append(dict(zip(headings, cells)))
    return rows


class FilterModule(object):
    def filters(self):
        return {"nova_manage_table": nova_manage_table}
