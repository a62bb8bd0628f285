# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Galera backup helper (roles/galera/files/galera-backup): which member backs up (real HTTP health
endpoints on loopback addresses), and the chains it writes with a stand-in mariabackup that records its
arguments. The lab test test_control_plane.py::test_database_backup_and_restore runs the real one."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import http.server
import importlib.machinery
import importlib.util
import json
import os
import socket
import stat
import threading

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
HELPER = os.path.join(ROOT, "roles", "galera", "files", "galera-backup")
LOADER = importlib.machinery.SourceFileLoader("galera_backup", HELPER)
SPEC = importlib.util.spec_from_loader("galera_backup", LOADER)
galera_backup = importlib.util.module_from_spec(SPEC)
LOADER.exec_module(galera_backup)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the handler's name is http.server's)
        self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def endpoints():
    """Health endpoints on 127.0.0.2 (503: a donor) and 127.0.0.3 (200: Synced); 127.0.0.4 has none."""
    port = free_port()
    servers = []
    for address, status in (("127.0.0.2", 503), ("127.0.0.3", 200)):
        srv = http.server.HTTPServer((address, port), Health)
        srv.status = status
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
    yield port
    for srv in servers:
        srv.shutdown()
        srv.server_close()


@pytest.mark.parametrize("members, chosen", [
    (["127.0.0.3", "127.0.0.2"], "127.0.0.3"),
    # The first member is down and the second not Synced: the third backs up.
    (["127.0.0.4", "127.0.0.2", "127.0.0.3"], "127.0.0.3"),
    (["127.0.0.4", "127.0.0.2"], None),
])
def test_the_first_synced_member_backs_up(endpoints, members, chosen):
    assert galera_backup.chosen_member(members, endpoints, timeout=1) == chosen


@pytest.fixture
def fake_mariabackup(tmp_path, monkeypatch):
    """A mariabackup that makes its --target-dir and records its arguments; FAIL_MARIABACKUP=1 fails it."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    calls = tmp_path / "calls"
    script = bindir / "mariabackup"
    script.write_text("#!/bin/sh\n"
                      "echo \"$@\" >> %s\n"
                      "[ -z \"$FAIL_MARIABACKUP\" ] || exit 3\n"
                      "for a in \"$@\"; do\n"
                      "  case $a in --target-dir=*) mkdir -p \"${a#--target-dir=}\";; esac\n"
                      "done\n" % calls)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", "%s:%s" % (bindir, os.environ["PATH"]))
    monkeypatch.delenv("FAIL_MARIABACKUP", raising=False)
    return calls


def test_chains_of_a_full_and_its_incrementals(tmp_path, fake_mariabackup, monkeypatch):
    config = {"dir": str(tmp_path / "backups"), "keep_full": 2}
    # An incremental with no chain yet is a full.
    first = galera_backup.backup("incremental", config)
    assert galera_backup.steps(first) == ["00-full"]
    assert galera_backup.backup("incremental", config) == first
    assert galera_backup.steps(first) == ["00-full", "01-incremental"]
    lines = fake_mariabackup.read_text().splitlines()
    assert "--galera-info" in lines[0].split() and "--incremental-basedir" not in lines[0]
    assert "--incremental-basedir=%s" % os.path.join(first, "00-full") in lines[1].split()
    # A failed step stays .partial, exits with a message, and is not the base of the next one.
    monkeypatch.setenv("FAIL_MARIABACKUP", "1")
    with pytest.raises(SystemExit) as failed:
        galera_backup.backup("incremental", config)
    assert "mariabackup failed (exit 3)" in str(failed.value)
    monkeypatch.delenv("FAIL_MARIABACKUP")
    assert galera_backup.steps(first) == ["00-full", "01-incremental"]
    galera_backup.backup("incremental", config)
    last_call = fake_mariabackup.read_text().splitlines()[-1]
    assert "--incremental-basedir=%s" % os.path.join(first, "01-incremental") in last_call
    assert galera_backup.steps(first) == ["00-full", "01-incremental", "02-incremental"]
    # A third full removes the oldest chain (two kept), whatever the second's timing.
    second = galera_backup.backup("full", config)
    third = galera_backup.backup("full", config)
    assert galera_backup.chains(config["dir"]) == sorted(os.path.basename(c) for c in (second, third))
    assert not os.path.exists(first)


def test_chain_names_stay_unique_within_a_second(tmp_path):
    now = datetime.datetime(2026, 12, 3, 23, 11, 40, tzinfo=datetime.timezone.utc)
    names = [os.path.basename(galera_backup.new_chain_dir(str(tmp_path), now)) for _attempt in range(3)]
    assert names == ["20261203T231140Z", "20261203T231140Z-2", "20261203T231140Z-3"]


def test_only_the_chosen_member_backs_up(tmp_path, endpoints, fake_mariabackup, monkeypatch, capsys):
    config = {"members": ["127.0.0.3"], "self": "127.0.0.2", "port": endpoints, "dir": str(tmp_path / "b")}
    path = tmp_path / "galera-backup.json"
    path.write_text(json.dumps(config))
    monkeypatch.setattr(galera_backup, "CONFIG", str(path))
    assert galera_backup.main(["full"]) == 0
    assert capsys.readouterr().out == "" and not fake_mariabackup.exists()
    assert galera_backup.main(["full", "--here"]) == 0
    assert capsys.readouterr().out.strip().startswith(str(tmp_path / "b"))
    with pytest.raises(SystemExit):
        galera_backup.main(["weekly"])


def test_a_backup_is_mirrored_and_a_failed_copy_fails_the_run(tmp_path, fake_mariabackup, monkeypatch, capsys):
    """With a copy target the backup directory is mirrored with rsync over SSH (a stand-in rsync records its
    arguments); a copy that fails exits with a message, so that the unit's run fails."""
    rsync_calls = tmp_path / "rsync-calls"
    rsync = tmp_path / "bin" / "rsync"
    rsync.write_text("#!/bin/sh\nprintf '%%s\\n' \"$@\" > %s\n[ -z \"$FAIL_RSYNC\" ] || exit 12\n" % rsync_calls)
    rsync.chmod(rsync.stat().st_mode | stat.S_IEXEC)
    config = {"members": [], "self": "127.0.0.2", "port": 1, "dir": str(tmp_path / "b"),
              "copy": {"address": "root@192.0.2.10", "key": "/root/.ssh/galera_backup",
                       "known_hosts": "/root/.ssh/galera_backup_known_hosts"}}
    path = tmp_path / "galera-backup.json"
    path.write_text(json.dumps(config))
    monkeypatch.setattr(galera_backup, "CONFIG", str(path))
    monkeypatch.delenv("FAIL_RSYNC", raising=False)
    assert galera_backup.main(["full", "--here"]) == 0
    args = rsync_calls.read_text().splitlines()
    assert args[:2] == ["-a", "--delete"]
    assert args[-2:] == [str(tmp_path / "b") + "/", "root@192.0.2.10:./"]
    ssh = args[args.index("-e") + 1]
    assert "-i /root/.ssh/galera_backup" in ssh and "StrictHostKeyChecking=yes" in ssh
    assert "UserKnownHostsFile=/root/.ssh/galera_backup_known_hosts" in ssh and "BatchMode=yes" in ssh
    assert "--exclude=*.partial" in args
    capsys.readouterr()
    monkeypatch.setenv("FAIL_RSYNC", "1")
    with pytest.raises(SystemExit) as failed:
        galera_backup.main(["incremental", "--here"])
    assert "copying the backups to root@192.0.2.10 failed (rsync exit 12)" in str(failed.value)
