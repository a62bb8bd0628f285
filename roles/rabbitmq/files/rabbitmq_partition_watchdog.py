# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ends a RabbitMQ partition that RabbitMQ's own handling left in place: run by a systemd timer on every
member, it restarts the RabbitMQ application on this node once the node has reported a partition for longer
than the grace period plus its place among the members times a step, so the members act one at a time.

Why: autoheal asks the first member (the leader) to decide, and a leader that did not see the partition
itself ignores the request (rabbit_autoheal: request_start with no partitions of its own), so a member that
lost its link for about net_ticktime can stay split from the others for good. Restarting the application of
one side is what autoheal would have done; a restarted member forgets the partition, and so do the others
once it has gone down.

A member that cannot reach most of the others (their Erlang distribution port) waits: the network is
still cut and a restart could not rejoin.

Arguments: --state FILE --grace SECONDS --step SECONDS [--node rabbit@host] [--dist-port 25672]."""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import socket
import subprocess
import sys
import time

RABBITMQCTL_TIMEOUT = 120


def partitioned_from(status, me):
    """The members this node reports a partition with, from `rabbitmqctl cluster_status` as JSON, which
    gives either a map of node to nodes or a list of [node, [nodes]] pairs."""
    partitions = status.get("partitions") or {}
    if isinstance(partitions, dict):
        return sorted(partitions.get(me) or [])
    for entry in partitions:
        if isinstance(entry, (list, tuple)) and len(entry) == 2 and entry[0] == me:
            return sorted(entry[1] or [])
    return []


def decide(previous, partitioned, reachable, members, me, now, grace, step):
    """What to do now: returns (action, state to keep). action is none (no partition), wait or restart.

    previous: the kept state or None; partitioned: members this node is partitioned from; reachable: the
    other members whose distribution port answers; members: every member; now: seconds."""
    if not partitioned:
        return "none", None
    since = previous.get("since", now) if previous else now
    state = {"partitioned_from": sorted(partitioned), "since": since}
    members = sorted(members)
    # Cut off from most members a restart could not rejoin: wait for the network, as pause_minority would.
    # RabbitMQ's own view of running nodes does not tell: a split member sees only itself running however
    # well the network works.
    if 2 * (1 + len(set(reachable) & (set(members) - {me}))) <= len(members):
        return "wait", state
    place = members.index(me) if me in members else len(members)
    if now - since < grace + place * step:
        return "wait", state
    return "restart", None


def reachable_members(members, me, port, timeout=3.0):
    """The other members whose Erlang distribution port accepts a connection (node names are name@host)."""
    found = []
    for member in members:
        if member == me:
            continue
        try:
            socket.create_connection((member.split("@", 1)[-1], port), timeout=timeout).close()
        except OSError:
            continue
        found.append(member)
    return found


def read_state(path):
    try:
        with open(path) as handle:
            state = json.load(handle)
        return state if isinstance(state, dict) else None
    except (OSError, ValueError):
        return None


def write_state(path, state):
    if state is None:
        if os.path.exists(path):
            os.unlink(path)
        return
    directory = os.path.dirname(path)
    if directory and not os.path.isdir(directory):
        os.makedirs(directory)
    with open(path + ".new", "w") as handle:
        json.dump(state, handle)
    os.rename(path + ".new", path)


def rabbitmqctl(*args):
    return subprocess.run(("rabbitmqctl",) + args, capture_output=True, text=True, timeout=RABBITMQCTL_TIMEOUT,
                          check=False)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", required=True)
    parser.add_argument("--grace", type=float, required=True)
    parser.add_argument("--step", type=float, required=True)
    parser.add_argument("--node", default="rabbit@" + socket.gethostname().split(".")[0])
    parser.add_argument("--dist-port", type=int, default=25672)
    args = parser.parse_args(argv)

    result = rabbitmqctl("cluster_status", "--formatter", "json")
    if result.returncode != 0:
        # Stopped, starting or paused: nothing to judge, and an old partition is no longer this run's.
        write_state(args.state, None)
        return 0
    status = json.loads(result.stdout)
    members = sorted(set(status.get("disk_nodes") or []) | set(status.get("ram_nodes") or []))
    partitioned = partitioned_from(status, args.node)
    previous = read_state(args.state)
    now = time.time()
    reachable = reachable_members(members, args.node, args.dist_port) if partitioned else []
    action, state = decide(previous, partitioned, reachable, members, args.node, now, args.grace, args.step)
    write_state(args.state, state)
    if action != "restart":
        return 0
    # <5> and <3>: journald's notice and error levels (the unit logs nothing below notice).
    print("<5>partitioned from %s for %d s and RabbitMQ did not end it: restarting the RabbitMQ application on %s"
          % (", ".join(partitioned), now - (previous or {}).get("since", now), args.node), flush=True)
    for step in ("stop_app", "start_app"):
        result = rabbitmqctl(step)
        if result.returncode != 0:
            print("<3>rabbitmqctl %s failed: %s" % (step, (result.stderr or result.stdout).strip()), file=sys.stderr)
            return 1
    print("<5>the RabbitMQ application on %s is running again" % args.node, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
