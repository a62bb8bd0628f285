# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The log search's journalctl command, its reading of journalctl's JSON, and its table."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

import pytest

from ansible_collections.helion.openstack.plugins.module_utils import _log_search as ls

BASE = ["journalctl", "--directory", "/d", "--output", "json", "--no-pager", "--lines", "11"]


@pytest.mark.parametrize("kwargs, tail", [
    ({}, []),
    ({"since": "-1h", "until": "2026-12-04 20:00:00 UTC"}, ["--since", "-1h", "--until", "2026-12-04 20:00:00 UTC"]),
    ({"severity": "err", "grep": "data.*base"}, ["--priority", "err", "--grep", "data.*base"]),
    ({"hosts": ["ctl1", "ctl2"]}, ["_HOSTNAME=ctl1", "_HOSTNAME=ctl2"]),
    # a service is its syslog identifier or its unit: two groups joined by "+", each with the hosts
    ({"services": ["keystone"], "hosts": ["ctl1"]},
     ["_HOSTNAME=ctl1", "SYSLOG_IDENTIFIER=keystone", "+", "_HOSTNAME=ctl1", "_SYSTEMD_UNIT=keystone.service"]),
    ({"services": ["keystone.service", "swift-object"]},
     ["SYSLOG_IDENTIFIER=keystone", "SYSLOG_IDENTIFIER=swift-object", "+", "_SYSTEMD_UNIT=keystone.service",
      "_SYSTEMD_UNIT=swift-object.service"]),
    ({"services": ["systemd-journal-remote.socket"]},
     ["SYSLOG_IDENTIFIER=systemd-journal-remote.socket", "+", "_SYSTEMD_UNIT=systemd-journal-remote.socket"]),
])
def test_journalctl_argv(kwargs, tail):
    assert ls.journalctl_argv("/d", limit=10, **kwargs) == BASE + tail


def test_journalctl_argv_over_a_group_of_files():
    assert ls.journalctl_argv("/d", limit=10, files=["/d/remote-a.journal", "/d/remote-b.journal"], grep="x") == [
        "journalctl", "--file", "/d/remote-a.journal", "--file", "/d/remote-b.journal", "--output", "json",
        "--no-pager", "--lines", "11", "--grep", "x"]


@pytest.mark.parametrize("files, workers, groups", [
    ([], 4, []),
    ([("a", 10)], 4, [["a"]]),
    # the largest first, each into the smallest group so far
    ([("a", 100), ("b", 60), ("c", 50), ("d", 10)], 2, [["a", "d"], ["b", "c"]]),
    ([("a", 5), ("b", 5), ("c", 5), ("d", 5)], 2, [["a", "c"], ["b", "d"]]),
    ([("a", 5), ("b", 5), ("c", 5)], 8, [["a"], ["b"], ["c"]]),
    ([("a", 5), ("b", 7)], 1, [["a", "b"]]),
])
def test_file_groups(files, workers, groups):
    assert ls.file_groups(files, workers) == groups


def test_file_groups_refuses_no_worker():
    with pytest.raises(ls.LogSearchError, match="parallel searches must be a positive number"):
        ls.file_groups([("a", 1)], 0)


@pytest.mark.parametrize("kwargs, message", [
    ({"severity": "error"}, "severity 'error' is not one of emerg"),
    ({"limit": 0}, "limit must be a positive number"),
    ({"hosts": ["ctl1 OR 1"]}, "host 'ctl1 OR 1' is not a valid name"),
    # a match must not become a match of another field or a "+" of its own
    ({"services": ["a=b"]}, "service 'a=b' is not a valid name"),
    ({"services": ["+"]}, "service '+' is not a valid name"),
])
def test_journalctl_argv_refuses(kwargs, message):
    with pytest.raises(ls.LogSearchError, match=re.escape(message)):
        ls.journalctl_argv("/d", **kwargs)


def entry(micros, message, **fields):
    raw = {"__REALTIME_TIMESTAMP": str(micros), "MESSAGE": message}
    raw.update(fields)
    return json.dumps(raw)


@pytest.mark.parametrize("lines, limit, expected, truncated", [
    ([], None, [], False),
    # identifier kept as the service; time in UTC with microseconds
    ([entry(1796416564434169, "boom", _HOSTNAME="ctl1", SYSLOG_IDENTIFIER="keystone", PRIORITY="3",
            _SYSTEMD_UNIT="keystone.service")], None,
     [{"time": "2026-12-04T20:36:04.434169Z", "host": "ctl1", "service": "keystone", "unit": "keystone.service",
       "severity": "err", "priority": 3, "message": "boom"}], False),
    # no identifier: the unit without .service; no priority: info
    ([entry(1000000, "x", _SYSTEMD_UNIT="rsync.service")], None,
     [{"time": "1970-01-01T00:00:01.000000Z", "host": "", "service": "rsync", "unit": "rsync.service",
       "severity": "info", "priority": 6, "message": "x"}], False),
    # a message that is not UTF-8 comes as byte values
    ([entry(1, [104, 105, 255])], None,
     [{"time": "1970-01-01T00:00:00.000001Z", "host": "", "service": "", "unit": "", "severity": "info",
       "priority": 6, "message": "hi\ufffd"}], False),
])
def test_parse_entries(lines, limit, expected, truncated):
    assert ls.parse_entries("\n".join(lines) + "\n", limit=limit) == (expected, truncated)


def test_parse_entries_orders_by_time_and_keeps_the_newest():
    # journalctl 252 prints --lines with --grep newest first
    out = "\n".join(entry(t, "m%d" % t) for t in (5, 4, 3, 2))
    entries, truncated = ls.parse_entries(out, limit=3)
    assert [e["message"] for e in entries] == ["m3", "m4", "m5"] and truncated
    entries, truncated = ls.parse_entries(out, limit=4)
    assert [e["message"] for e in entries] == ["m2", "m3", "m4", "m5"] and not truncated


def test_parse_entries_merges_the_groups_by_time():
    # each group's newest limit+1, interleaved in time: the merged newest are the cloud's newest
    group_a = "\n".join(entry(t, "a%d" % t) for t in (9, 6, 2))
    group_b = "\n".join(entry(t, "b%d" % t) for t in (8, 7, 1))
    entries, truncated = ls.parse_entries([group_a, group_b], limit=4)
    assert [e["message"] for e in entries] == ["a6", "b7", "b8", "a9"] and truncated
    entries, truncated = ls.parse_entries([group_a, ""], limit=4)
    assert [e["message"] for e in entries] == ["a2", "a6", "a9"] and not truncated


@pytest.mark.parametrize("text, message", [
    ("not json\n", "not JSON (line 1)"),
    ('{"MESSAGE": "no time"}\n', "without a time (line 1)"),
])
def test_parse_entries_refuses(text, message):
    with pytest.raises(ls.LogSearchError, match=re.escape(message)):
        ls.parse_entries(text)


@pytest.mark.parametrize("rc, stdout, stderr, empty", [
    (1, "", "", True),
    (1, "", "Failed to parse timestamp: bad", False),
    (0, "", "", False),
    (1, "{}", "", False),
])
def test_no_match(rc, stdout, stderr, empty):
    assert ls.no_match(rc, stdout, stderr) is empty


def test_format_table():
    entries, _truncated = ls.parse_entries("\n".join([
        entry(1796416564434169, "first\nline", _HOSTNAME="ctl1", SYSLOG_IDENTIFIER="keystone", PRIORITY="3"),
        entry(1796416564434170, "x" * 300, _HOSTNAME="swift-node-12", SYSLOG_IDENTIFIER="swift-object")]))
    table = ls.format_table(entries, width=120).splitlines()
    assert table[0].split() == ["TIME", "(UTC)", "HOST", "SERVICE", "SEVERITY", "MESSAGE"]
    assert table[1].split() == ["2026-12-04T20:36:04.434169Z", "ctl1", "keystone", "err", "first", "line"]
    assert len(table[2]) == 120 and table[2].split()[1:4] == ["swift-node-12", "swift-object", "info"]
    assert len(ls.format_table(entries).splitlines()[2]) > 300
    assert ls.format_table([]) == "no log entry matches"
