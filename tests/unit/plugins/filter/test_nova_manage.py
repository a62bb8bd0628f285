# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The nova role reads the tables of nova-manage to decide which cells and host mappings to make."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.helion.openstack.plugins.filter.nova_manage import nova_manage_table


def table(headings, rows):
    """A table drawn as PrettyTable draws it (nova-manage 31, 2025.1): centred cells, | borders."""
    widths = [max(len(str(c)) for c in col) + 2 for col in zip(headings, *rows)]
    rule = "+" + "+".join("-" * w for w in widths) + "+"

    def line(cells):
        return "|" + "|".join(str(c).center(w) for c, w in zip(cells, widths)) + "|"
    return "\n".join([rule, line(headings), rule] + [line(r) for r in rows] + [rule]) + "\n"


CELL1_MQ = "rabbit://nova:pw@10.0.0.1:5672,nova:pw@10.0.0.2:5672/openstack"
CELL1_DB = "mysql+pymysql://nova:pw@10.0.0.10/nova?read_timeout=60&write_timeout=60"
CELLS = table(["Name", "UUID", "Transport URL", "Database Connection", "Disabled"], [
    ["cell0", "00000000-0000-0000-0000-000000000000", "none:///", "mysql+pymysql://nova_cell0:s3cret@10.0.0.10/nova_cell0",
     "False"],
    ["cell1", "8d2b3a2c-3f0e-4a57-9a36-6d1f1b0e5c11", CELL1_MQ, CELL1_DB, "False"],
])
# As nova-manage 31 (2025.1) prints it.
HOSTS = """\
+-----------+--------------------------------------+----------+
| Cell Name |              Cell UUID               | Hostname |
+-----------+--------------------------------------+----------+
|   cell1   | 8d2b3a2c-3f0e-4a57-9a36-6d1f1b0e5c11 |   cpu1   |
|   cell1   | 8d2b3a2c-3f0e-4a57-9a36-6d1f1b0e5c11 |   cpu2   |
+-----------+--------------------------------------+----------+
"""
EMPTY = table(["Name", "UUID", "Transport URL", "Database Connection", "Disabled"], [])


def test_list_cells():
    rows = nova_manage_table(CELLS)
    assert [r["Name"] for r in rows] == ["cell0", "cell1"]
    assert rows[0]["UUID"] == "00000000-0000-0000-0000-000000000000"
    assert rows[0]["Transport URL"] == "none:///"
    assert rows[1]["Transport URL"] == CELL1_MQ
    assert rows[1]["Database Connection"] == CELL1_DB
    assert rows[1]["Disabled"] == "False"


def test_list_hosts():
    assert [(r["Cell Name"], r["Hostname"]) for r in nova_manage_table(HOSTS)] == [("cell1", "cpu1"), ("cell1", "cpu2")]


@pytest.mark.parametrize("stdout", [
    EMPTY,
    "",
    None,
    # an error instead of the table (the API database not synced yet)
    "An error has occurred:\nTraceback (most recent call last):\n  ...\n"
    "ProgrammingError: Table 'nova_api.cell_mappings' doesn't exist\n",
])
def test_no_rows(stdout):
    assert nova_manage_table(stdout) == []


def test_messages_before_the_table_are_ignored():
    out = "--transport-url not provided in the command line, using the value [DEFAULT]/transport_url\n" + HOSTS
    assert len(nova_manage_table(out)) == 2


@pytest.mark.parametrize("stdout, message", [
    (HOSTS.replace("   cpu2   |", ""), "a row has 2 cells, the headings 3"),
    (["| a |"], "must be the command's standard output"),
])
def test_unreadable_tables(stdout, message):
    with pytest.raises(AnsibleFilterError, match=message):
        nova_manage_table(stdout)
