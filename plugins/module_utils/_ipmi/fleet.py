# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The IPMI fleet runner: one worker thread per target, bounded concurrency, a hard per-target deadline; and the
fleet module glue (options, the module result of a fleet call).

This module util is PRIVATE to the collection. It may change without notice.

The runner knows nothing of what the workers do: a worker returns its target's result dict, and a caller that
wants something back from a worker stopped by the deadline passes a `salvage` hook.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

from queue import Empty, Queue

from ansible_collections.helion.openstack.plugins.module_utils._ipmi.errors import (
    DEFAULT_PORT,
    IpmiError,
    build_targets,
    classify_error,
    error_result,
    scrub,
    target_label,
)

FAIL_ON_ERROR = ("any", "all", "none")


def run_fleet(targets, worker, concurrency=16, deadline=60.0, salvage=None):
    """Run worker(target) for every target in worker threads, at most `concurrency` at once. A target whose worker
    runs past `deadline` seconds gets a timeout error; its thread is abandoned (daemon). Results keep the order of
    `targets`; a worker's IpmiError or other exception becomes that target's error result. A finished worker hands
    its slot on at once (a queue, not polling).

    With a `salvage` hook the worker is called as worker(target, box) and may keep what it has so far in the dict
    `box`. When the deadline stops that worker, salvage(box, error) gives the target's result instead of the plain
    timeout error (when it returns None, the timeout error it is)."""
    results = [None] * len(targets)
    queue = list(range(len(targets)))
    queue.reverse()
    active = {}  # index -> (started, box)
    finished = Queue()

    def _run(index, box):
        target = targets[index]
        try:
            box["result"] = worker(target, box) if salvage is not None else worker(target)
        except IpmiError as exc:
            box["result"] = error_result(target, exc)
        except Exception as exc:  # pylint: disable=broad-except
            kind, cause = classify_error(str(exc) if str(exc) else None)
            box["result"] = error_result(target, IpmiError(target_label(target), cause, kind))
        finally:
            finished.put(index)

    concurrency = max(1, int(concurrency))
    while queue or active:
        while queue and len(active) < concurrency:
            index = queue.pop()
            box = {}
            thread = threading.Thread(target=_run, args=(index, box), name="ipmi-%d" % index)
            thread.daemon = True
            active[index] = (time.time(), box)
            thread.start()
        first_deadline = min(started for started, _box in active.values()) + deadline
        try:
            index = finished.get(timeout=max(0.0, min(first_deadline - time.time(), 1.0)))
        except Empty:
            index = None
        if index is not None and index in active:
            box = active.pop(index)[1]
            results[index] = box.get("result") or error_result(
                targets[index], IpmiError(target_label(targets[index]), "worker ended without a result"))
        now = time.time()
        for index, (started, box) in list(active.items()):
            if now - started > deadline:
                error = IpmiError(target_label(targets[index]), "timed out after %ss (hard deadline)" % deadline,
                                  "timeout")
                salvaged = salvage(box, error) if salvage is not None else None
                results[index] = salvaged or error_result(targets[index], error)
                del active[index]
    return results


def fleet_outcome(results, fail_on_error):
    """Decide whether the task fails. Returns (failed, msg).

    any: fail when any target failed; all: fail only when every target failed; none: never fail.
    """
    if fail_on_error not in FAIL_ON_ERROR:
        raise ValueError("fail_on_error must be one of %s" % ", ".join(FAIL_ON_ERROR))
    bad = [r for r in results if r.get("failed")]
    total = len(results)
    if not bad:
        return False, "%d of %d BMC(s) succeeded" % (total, total)
    detail = "; ".join(r.get("msg", "failed") for r in bad)
    summary = "%d of %d BMC(s) failed: %s" % (len(bad), total, detail)
    if fail_on_error == "any" or (fail_on_error == "all" and len(bad) == total):
        return True, summary
    return False, summary


def fleet_diff(results):
    """The module diff of a fleet call, {before: {name: ...}, after: {name: ...}}, from the `diff` of each target
    that succeeded (removed from its result)."""
    diff = dict(before={}, after={})
    for res in results:
        one = res.pop("diff", None)
        if one is not None and not res.get("failed"):
            diff["before"][res["name"]] = one.get("before")
            diff["after"][res["name"]] = one.get("after")
    return diff


# ---------------------------------------------------------------------------------------------------------------
# Module glue (plain data: the modules pass their params and get the result dict back)
# ---------------------------------------------------------------------------------------------------------------

def fleet_argument_spec():
    """Options shared by ipmi_power, ipmi_boot and ipmi_info (documented in the helion.openstack.ipmi fragment)."""
    return dict(
        address=dict(type="str"),
        port=dict(type="int", default=DEFAULT_PORT),
        username=dict(type="str"),
        password=dict(type="str", no_log=True),
        targets=dict(type="list", elements="dict", options=dict(
            name=dict(type="str"),
            address=dict(type="str", required=True),
            port=dict(type="int"),
            username=dict(type="str"),
            password=dict(type="str", no_log=True),
        )),
        concurrency=dict(type="int", default=16),
        timeout=dict(type="int", default=60),
        fail_on_error=dict(type="str", default="any", choices=list(FAIL_ON_ERROR)),
    )


FLEET_MODULE_KWARGS = dict(mutually_exclusive=[("address", "targets")], required_one_of=[("address", "targets")])


def fleet_call(params, operation, grace=3.0, salvage=None, diff_mode=False):
    """Run operation(target) over the targets of params. Returns the module result dict: changed, failed, msg,
    elapsed, results (per target, in order), with diff_mode the fleet diff (see fleet_diff) and, for a single
    O(address), that target's keys at the top level too. `salvage` is handed to run_fleet."""
    targets = build_targets(params)
    if params.get("concurrency") is not None and int(params["concurrency"]) < 1:
        raise IpmiError("(fleet)", "concurrency must be at least 1", "invalid")
    if params.get("timeout") is None or int(params["timeout"]) < 1:
        raise IpmiError("(fleet)", "timeout must be at least 1 second", "invalid")
    start = time.time()
    results = run_fleet(targets, operation, concurrency=params.get("concurrency") or 16,
                        deadline=float(params["timeout"]) + grace, salvage=salvage)
    elapsed = round(time.time() - start, 3)
    secrets = [t.get("password") for t in targets]
    results = [scrub(r, secrets) for r in results]
    diff = fleet_diff(results)
    failed, msg = fleet_outcome(results, params.get("fail_on_error") or "any")
    out = dict(changed=any(r.get("changed") for r in results if not r.get("failed")), results=results, msg=msg,
               failed=failed, elapsed=elapsed)
    if params.get("targets") is None:
        single = dict(results[0])
        for key in ("name", "failed", "changed", "elapsed"):
            single.pop(key, None)
        out.update(single)
        out["msg"] = results[0].get("msg", msg)
    if diff_mode:
        out["diff"] = diff
    return out
