# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Centralized logging: every node's journal reaches the log server (the undercloud) over TLS, an OpenStack service's
line is found there within seconds by the log_search playbook, and a log server that was away loses nothing."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid

from tests.lab.lab import CLOUD, LAB, dexec, run, wait_until

REMOTE = "/var/log/journal/remote"


def log_server(deployed):
    return deployed["groups"]["undercloud"][0]


def received(server, *args):
    """The entries the log server keeps that match journalctl's arguments (a --grep, fields)."""
    res = dexec(server, "journalctl --directory %s --output json --no-pager %s" % (REMOTE, " ".join(args)))
    return [json.loads(line) for line in res.stdout.splitlines() if line.strip()]


def unknown_user_token(vip, name):
    """A token request for a user that does not exist: Keystone answers 401 and logs the name it could not find."""
    body = json.dumps({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": name, "domain": {"id": "default"}, "password": "not-a-password"}}}}}).encode()
    req = urllib.request.Request("http://%s:5000/v3/auth/tokens" % vip, data=body,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def test_a_keystone_log_line_reaches_the_log_server_and_the_search_finds_it(deployed, tmp_path):
    server = log_server(deployed)
    name = "lab-log-%s" % uuid.uuid4().hex[:12]
    t0 = time.monotonic()
    assert unknown_user_token(deployed["public_vip"], name) == 401
    entries = wait_until("Keystone's line about %s on the log server" % name,
                         lambda: received(server, "--grep", name), 10, 0.25)
    seconds = time.monotonic() - t0
    entry = entries[0]
    print("Keystone's line reached the log server in %.1f s: host %s, unit %s, identifier %s, priority %s: %s"
          % (seconds, entry.get("_HOSTNAME"), entry.get("_SYSTEMD_UNIT"), entry.get("SYSLOG_IDENTIFIER"),
             entry.get("PRIORITY"), entry.get("MESSAGE")))
    # the journal's own fields: the controller that served the request, the service's unit, a warning
    assert entry["_HOSTNAME"] in deployed["controllers"]
    assert entry.get("_SYSTEMD_UNIT") == "keystone.service"
    assert int(entry["PRIORITY"]) <= 4

    output = tmp_path / "found.json"
    res = run(LAB + ["playbook", CLOUD, "playbooks/log_search.yml", "-e", json.dumps({
        "log_search_services": ["keystone"], "log_search_hosts": [entry["_HOSTNAME"]], "log_search_severity": "warning",
        "log_search_since": "-10min", "log_search_grep": name, "log_search_output": str(output)})],
        timeout=300, check=False)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    found = json.loads(output.read_text())
    print("log_search: %d entries in %s s" % (found["count"], found["seconds"]))
    assert found["count"] >= 1 and not found["truncated"]
    expected = {(entry["_HOSTNAME"], "warning"), (entry["_HOSTNAME"], "err")}
    assert {(e["host"], e["severity"]) for e in found["entries"]} <= expected
    assert all(name in e["message"] for e in found["entries"])
    assert found["seconds"] < 2
    # the table, for a person, in the playbook's output
    assert name in res.stdout and "SEVERITY" in res.stdout


def test_a_log_server_that_was_away_gets_every_line_once(deployed):
    """The receiver is stopped; a node writes 1,000 tagged lines; the receiver starts again: the sender, which kept
    trying, sends them all from its saved cursor, none twice."""
    server = log_server(deployed)
    node = deployed["controllers"][1]
    tag = "helion-logtest-%s" % uuid.uuid4().hex[:8]
    dexec(server, "systemctl stop systemd-journal-remote.socket systemd-journal-remote.service", check=True)
    try:
        dexec(node, "seq 1 1000 | sed 's/^/line /' | systemd-cat -t %s" % tag, check=True)
        # the sender finds the server away (and is started again and again meanwhile)
        time.sleep(12)
        sender = dexec(node, "systemctl show -P NRestarts systemd-journal-upload").stdout.strip()
    finally:
        dexec(server, "systemctl start systemd-journal-remote.socket systemd-journal-remote.service", check=True)
    t0 = time.monotonic()
    wait_until("the 1,000 lines on the log server", lambda: len(received(server, "SYSLOG_IDENTIFIER=" + tag)) >= 1000,
               120, 1)
    seconds = time.monotonic() - t0
    time.sleep(5)  # anything sent twice would arrive by now
    entries = received(server, "SYSLOG_IDENTIFIER=" + tag)
    messages = [e["MESSAGE"] for e in entries]
    print("1,000 lines written while the log server was away: %d received %.1f s after it was back, %d distinct; "
          "the sender's restarts: %s" % (len(messages), seconds, len(set(messages)), sender))
    assert sorted(messages) == sorted("line %d" % n for n in range(1, 1001))
    assert {e["_HOSTNAME"] for e in entries} == {node}
    assert dexec(node, "systemctl is-active systemd-journal-upload").stdout.strip() == "active"
