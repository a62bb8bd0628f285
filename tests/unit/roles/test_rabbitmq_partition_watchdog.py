# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The RabbitMQ partition watchdog's decisions (roles/rabbitmq/files/rabbitmq_partition_watchdog.py), and one
run of it against a rabbitmqctl that answers as RabbitMQ 4.0 does. The lab test
test_control_plane.py::test_partition_autoheal_left_in_place_is_ended puts a real cluster in that state."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import json
import os
import socket
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SPEC = importlib.util.spec_from_file_location(
    "rabbitmq_partition_watchdog", os.path.join(ROOT, "roles", "rabbitmq", "files", "rabbitmq_partition_watchdog.py"))
watchdog = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(watchdog)

C1, C2, C3 = "rabbit@c1", "rabbit@c2", "rabbit@c3"
ALL = [C1, C2, C3]
GRACE, STEP = 60, 30


@pytest.mark.parametrize("previous, partitioned, reachable, me, now, action, since", [
    # No partition: nothing kept, whatever was.
    (None, [], [C1, C3], C2, 1000, "none", None),
    ({"since": 10}, [], [C1, C3], C2, 1000, "none", None),
    # A new partition starts the clock.
    (None, [C3], [C1, C3], C2, 1000, "wait", 1000),
    # Within the grace plus this member's turn (c2 is second: 60 + 30 s).
    ({"since": 1000}, [C3], [C1, C3], C2, 1089, "wait", 1000),
    ({"since": 1000}, [C3], [C1, C3], C2, 1090, "restart", None),
    # The first member acts after the grace alone, the third after two steps more.
    ({"since": 1000}, [C3], [C2, C3], C1, 1060, "restart", None),
    ({"since": 1000}, [C2], [C1, C2], C3, 1119, "wait", 1000),
    ({"since": 1000}, [C2], [C1, C2], C3, 1120, "restart", None),
    # A partition whose members change keeps its first time: the clock does not start again.
    ({"since": 1000, "partitioned_from": [C3]}, [C1, C3], [C1, C3], C2, 1095, "restart", None),
    # Split from both others while the network works (the lab's lost link, once back): one reachable
    # member is enough for a majority of three.
    ({"since": 1000}, [C1, C3], [C1, C3], C2, 1090, "restart", None),
    ({"since": 1000}, [C1, C3], [C3], C2, 1090, "restart", None),
    # Cut off from the others a restart could not rejoin: wait however long it lasts.
    ({"since": 1000}, [C1, C3], [], C2, 9999, "wait", 1000),
    # Reachable nodes that are not members, or this node itself, do not make a majority.
    ({"since": 1000}, [C3], ["rabbit@other", C2], C2, 9999, "wait", 1000),
    # A node that is not among the members takes the last turn.
    ({"since": 1000}, [C3], [C1, C2], "rabbit@new", 1149, "wait", 1000),
    ({"since": 1000}, [C3], [C1, C2], "rabbit@new", 1150, "restart", None),
])
def test_decide(previous, partitioned, reachable, me, now, action, since):
    got_action, state = watchdog.decide(previous, partitioned, reachable, ALL, me, now, GRACE, STEP)
    assert got_action == action
    if since is None:
        assert state is None
    else:
        assert state == {"partitioned_from": sorted(partitioned), "since": since}


def test_a_member_cut_off_from_most_of_five_waits():
    five = ALL + ["rabbit@c4", "rabbit@c5"]
    assert watchdog.decide({"since": 0}, [C1, C3], [C1], five, C2, 999, GRACE, STEP)[0] == "wait"
    assert watchdog.decide({"since": 0}, [C1, C3], [C1, C3], five, C2, 999, GRACE, STEP)[0] == "restart"


def test_reachable_members_are_those_whose_port_answers():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port, dead = listener.getsockname()[1], closed.getsockname()[1]
    closed.close()
    try:
        members = ["rabbit@localhost", "rabbit@127.0.0.1", "rabbit@me"]
        assert watchdog.reachable_members(members, "rabbit@me", port, timeout=2) == members[:2]
        assert watchdog.reachable_members(members, "rabbit@me", dead, timeout=2) == []
    finally:
        listener.close()


@pytest.mark.parametrize("partitions, me, expected", [
    ({}, C2, []),
    ([], C2, []),
    (None, C2, []),
    ({C2: [C3, C1], C3: [C2]}, C2, [C1, C3]),
    ({C3: [C2]}, C2, []),
    ([[C2, [C3]], [C3, [C2]]], C2, [C3]),
    ([[C3, [C2]]], C2, []),
    ([["malformed"]], C2, []),
])
def test_partitioned_from(partitions, me, expected):
    assert watchdog.partitioned_from({"partitions": partitions}, me) == expected


class FakeRabbitmqctl(object):
    """Answers cluster_status with the given status and records the other commands."""

    def __init__(self, status, returncode=0):
        self.status = status
        self.returncode = returncode
        self.calls = []

    def __call__(self, *args):
        self.calls.append(args)
        out = json.dumps(self.status) if args[0] == "cluster_status" else ""
        return subprocess.CompletedProcess(("rabbitmqctl",) + args, self.returncode, out, "")


def status(partitions, running=None):
    return {"disk_nodes": ALL, "running_nodes": ALL if running is None else running, "partitions": partitions}


def run(tmp_path, monkeypatch, fake, clock):
    monkeypatch.setattr(watchdog, "rabbitmqctl", fake)
    # The other members' distribution ports answer (reachable_members is tested on its own above).
    monkeypatch.setattr(watchdog, "reachable_members", lambda members, me, port: [m for m in members if m != me])
    monkeypatch.setattr(watchdog.time, "time", lambda: clock)
    state = str(tmp_path / "run" / "partition.json")
    return state, watchdog.main(["--state", state, "--grace", "60", "--step", "30", "--node", C2])


def test_a_lasting_partition_restarts_the_application_once(tmp_path, monkeypatch, capsys):
    fake = FakeRabbitmqctl(status({C2: [C3], C3: [C2]}, [C1, C2]))
    state, rc = run(tmp_path, monkeypatch, fake, 1000)
    assert rc == 0 and json.load(open(state))["since"] == 1000
    assert fake.calls == [("cluster_status", "--formatter", "json")]
    state, rc = run(tmp_path, monkeypatch, fake, 1095)
    assert rc == 0 and not os.path.exists(state)
    assert fake.calls[1:] == [("cluster_status", "--formatter", "json"), ("stop_app",), ("start_app",)]
    assert "partitioned from rabbit@c3 for 95 s" in capsys.readouterr().out


def test_a_partition_that_ends_forgets_its_time(tmp_path, monkeypatch):
    fake = FakeRabbitmqctl(status({C2: [C3]}))
    state = run(tmp_path, monkeypatch, fake, 1000)[0]
    assert os.path.exists(state)
    fake.status = status({})
    state = run(tmp_path, monkeypatch, fake, 1010)[0]
    assert not os.path.exists(state)
    fake.status = status({C2: [C3]})
    state = run(tmp_path, monkeypatch, fake, 1100)[0]
    assert json.load(open(state))["since"] == 1100
    assert ("stop_app",) not in fake.calls


def test_a_stopped_rabbitmq_is_left_alone(tmp_path, monkeypatch):
    fake = FakeRabbitmqctl(status({C2: [C3]}))
    assert os.path.exists(run(tmp_path, monkeypatch, fake, 1000)[0])
    stopped = FakeRabbitmqctl({}, returncode=69)
    state, rc = run(tmp_path, monkeypatch, stopped, 5000)
    assert rc == 0 and not os.path.exists(state)
    assert stopped.calls == [("cluster_status", "--formatter", "json")]


def test_a_failed_restart_is_an_error(tmp_path, monkeypatch, capsys):
    fake = FakeRabbitmqctl(status({C2: [C3]}))
    run(tmp_path, monkeypatch, fake, 1000)
    failing = FakeRabbitmqctl(status({C2: [C3]}))

    def stop_fails(*args):
        result = failing(*args)
        if args[0] == "stop_app":
            return subprocess.CompletedProcess(result.args, 70, "", "nodedown")
        return result
    rc = run(tmp_path, monkeypatch, stop_fails, 2000)[1]
    assert rc == 1
    assert "rabbitmqctl stop_app failed: nodedown" in capsys.readouterr().err
    assert ("start_app",) not in failing.calls
