# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of plugins/module_utils/_ipmi/fleet.py: the fleet runner (order, bounded concurrency, hard deadline,
the salvage hook) and the module result of a fleet call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

import pytest

from ansible_collections.helion.openstack.plugins.module_utils._ipmi import fleet as m
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.errors import (
    IpmiError,
    public_target,
    target_label,
)

OK = {"name": "a", "failed": False}
BAD = {"name": "b", "failed": True, "msg": "BMC b (1.1.1.1:623): authentication failed"}


def targets_of(count, prefix="t"):
    return [{"name": "%s%d" % (prefix, i), "address": "10.0.0.%d" % i, "port": 623} for i in range(count)]


@pytest.mark.parametrize("results, policy, failed", [
    ([OK, OK], "any", False),
    ([OK, BAD], "any", True),
    ([OK, BAD], "all", False),
    ([BAD, BAD], "all", True),
    ([BAD, BAD], "none", False),
    ([BAD], "any", True),
])
def test_fleet_outcome(results, policy, failed):
    got, msg = m.fleet_outcome(results, policy)
    assert got is failed
    if any(r["failed"] for r in results):
        assert "authentication failed" in msg and "of %d BMC(s) failed" % len(results) in msg


def test_fleet_outcome_rejects_unknown_policy():
    with pytest.raises(ValueError):
        m.fleet_outcome([OK], "some")


def test_run_fleet_bounded_concurrency_order_and_errors():
    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def worker(target):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        if target["name"] == "t3":
            raise IpmiError(target_label(target), "authentication failed", "auth")
        if target["name"] == "t4":
            raise RuntimeError("timeout")
        return dict(public_target(target), failed=False)

    out = m.run_fleet(targets_of(8), worker, concurrency=3, deadline=5)
    assert [r["name"] for r in out] == ["t%d" % i for i in range(8)]
    assert state["max"] <= 3
    assert out[3]["failed"] and out[3]["error"] == "auth" and "10.0.0.3" in out[3]["msg"]
    assert out[4]["failed"] and out[4]["error"] == "timeout"
    assert not any(r["failed"] for i, r in enumerate(out) if i not in (3, 4))


def test_run_fleet_hard_deadline_does_not_wait_for_hung_worker():
    release = threading.Event()

    def worker(target):
        if target["name"] == "hang":
            release.wait(30)
        return dict(public_target(target), failed=False)

    targets = [{"name": "hang", "address": "10.0.0.1", "port": 623}, {"name": "ok", "address": "10.0.0.2",
                                                                      "port": 623}]
    start = time.time()
    out = m.run_fleet(targets, worker, concurrency=2, deadline=0.5)
    release.set()
    assert time.time() - start < 3
    assert out[0]["failed"] and out[0]["error"] == "timeout" and "hard deadline" in out[0]["msg"]
    assert out[1]["failed"] is False


@pytest.mark.parametrize("salvaged", [True, False])
def test_run_fleet_salvage_hook_gives_the_result_of_a_worker_past_its_deadline(salvaged):
    """The runner hands the box and the timeout to the hook and knows nothing of what the box holds."""
    release = threading.Event()
    seen = []

    def worker(target, box):
        box["so far"] = target["name"]
        if target["name"] == "slow":
            release.wait(30)
        return dict(public_target(target), failed=False, finished=True)

    def salvage(box, error):
        seen.append((dict(box), error.kind))
        return dict(name="slow", failed=False, kept=box["so far"], why=str(error)) if salvaged else None

    targets = [{"name": "slow", "address": "10.0.0.1", "port": 623}, {"name": "fast", "address": "10.0.0.2",
                                                                      "port": 623}]
    out = m.run_fleet(targets, worker, concurrency=2, deadline=0.5, salvage=salvage)
    release.set()
    assert seen == [({"so far": "slow"}, "timeout")]
    if salvaged:
        assert out[0]["kept"] == "slow" and "hard deadline" in out[0]["why"] and "10.0.0.1" in out[0]["why"]
    else:
        assert out[0]["failed"] and out[0]["error"] == "timeout"
    assert out[1]["finished"] is True


def test_run_fleet_hands_a_slot_on_without_polling():
    targets = targets_of(60)
    start = time.time()
    out = m.run_fleet(targets, lambda t: dict(public_target(t), failed=False), concurrency=1, deadline=5)
    assert time.time() - start < 0.6  # 60 x the old 20 ms poll would be 1.2 s
    assert [r["name"] for r in out] == [t["name"] for t in targets]


def test_fleet_call_single_address_lifts_result_and_scrubs():
    def fake(target):
        return dict(public_target(target), failed=False, changed=True, power="on",
                    msg="echo %s" % target["password"])

    out = m.fleet_call(dict(address="10.0.0.1", port=623, username="u", password="hunter22", targets=None,
                            concurrency=4, timeout=5, fail_on_error="any"), fake)
    assert out["changed"] is True and out["failed"] is False and out["power"] == "on"
    assert out["address"] == "10.0.0.1"
    assert "hunter22" not in str(out)
    assert "diff" not in out


@pytest.mark.parametrize("diff_mode", [True, False])
def test_fleet_call_gathers_the_targets_diffs(diff_mode):
    def fake(target):
        if target["name"] == "bad":
            raise IpmiError(target_label(target), "authentication failed", "auth")
        return dict(public_target(target), failed=False, changed=target["name"] == "a",
                    diff=dict(before="off", after="on" if target["name"] == "a" else "off"))

    params = dict(targets=[{"name": "a", "address": "10.0.0.1"}, {"name": "b", "address": "10.0.0.2"},
                           {"name": "bad", "address": "10.0.0.3"}],
                  port=623, username="u", password="p", concurrency=4, timeout=5, fail_on_error="none")
    out = m.fleet_call(params, fake, diff_mode=diff_mode)
    assert all("diff" not in r for r in out["results"])
    assert out["changed"] is True and out["failed"] is False
    if diff_mode:
        assert out["diff"] == {"before": {"a": "off", "b": "off"}, "after": {"a": "on", "b": "off"}}
    else:
        assert "diff" not in out


@pytest.mark.parametrize("params, fragment", [
    (dict(concurrency=0, timeout=5), "concurrency"),
    (dict(concurrency=2, timeout=0), "timeout"),
])
def test_fleet_call_validates(params, fragment):
    base = dict(address="10.0.0.1", port=623, username="u", password="p", targets=None, fail_on_error="any")
    base.update(params)
    with pytest.raises(IpmiError) as err:
        m.fleet_call(base, lambda t: {})
    assert fragment in str(err.value)
