# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""IPMI operations: what the ipmi_* modules and bmc_discover run for each target.

This module util is PRIVATE to the collection. It may change without notice.

The decisions are pure functions (plan_power, compare_boot, boot_message). ensure_power and ensure_boot take a
connected client and return an EnsureResult (plugins/module_utils/_result.py); power_target and boot_target wrap
them into a fleet worker's result for one target. info_target reads the info sections and keeps what it read when a
section or the session fails; salvage_info is the fleet runner's hook that keeps it past the hard deadline.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import time

from ansible_collections.helion.openstack.plugins.module_utils._ipmi.client import with_client
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.codec import shape_fru
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.discovery import expand_cidr, probe_range
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.errors import (
    DEFAULT_PORT,
    IpmiError,
    completion_text,
    public_target,
    scrub,
)
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.fleet import run_fleet
from ansible_collections.helion.openstack.plugins.module_utils._result import EnsureResult

POWER_STATES = ("on", "off", "soft-off", "reset", "cycle")
INFO_SECTIONS = ("power", "boot", "fru", "sensors", "lan", "firmware")
NO_VALID_BIT_WARNING = ("the BMC does not set the boot-flags valid bit: only the boot device was compared, "
                        "persistence and UEFI/legacy mode cannot be verified")


def target_result(target, ensure):
    """A fleet worker's result for one target from an EnsureResult: the target, failed=False, and the module result
    (changed, actions, msg, the resource and the diff, which fleet_call gathers into the module's diff)."""
    res = public_target(target)
    res["failed"] = False
    res.update(ensure.module_result(diff_mode=True))
    return res


# ---------------------------------------------------------------------------------------------------------------
# Power
# ---------------------------------------------------------------------------------------------------------------

def plan_power(current, state):
    """What to do to reach `state` from the current power state ('on'/'off').

    Returns dict(actions=[chassis actions], expect=final power state, changed=bool). reset and cycle always act;
    on a powered-off server they power it on (there is nothing to reset).
    """
    if state not in POWER_STATES:
        raise ValueError("unknown power state %r" % state)
    if current not in ("on", "off"):
        raise ValueError("unknown current power state %r" % current)
    if state == "on":
        actions = [] if current == "on" else ["on"]
        expect = "on"
    elif state == "off":
        actions = [] if current == "off" else ["off"]
        expect = "off"
    elif state == "soft-off":
        actions = [] if current == "off" else ["shutdown"]
        expect = "off"
    elif state == "reset":
        actions = ["reset"] if current == "on" else ["on"]
        expect = "on"
    else:
        actions = ["cycle"] if current == "on" else ["on"]
        expect = "on"
    return dict(actions=actions, expect=expect, changed=bool(actions))


def ensure_power(client, state, check_mode, timeout, soft_off_timeout):
    """Bring the BMC of `client` to `state` and wait until it reports it.

    Returns an EnsureResult: the compared property `power` (read, and the state to reach), the chassis actions sent
    (in check mode: that would be sent; a soft-off that had to fall back adds `off`), the resource before, power,
    forced_off (and elapsed when it acted), and the diff of the power state before and after.
    """
    before = client.get_power()
    plan = plan_power(before, state)
    result = EnsureResult(resource=dict(before=before, power=before, forced_off=False))
    result.add("power", before, plan["expect"])
    for action in plan["actions"]:
        result.act(action)
    result.set_diff(before, plan["expect"])
    if not result.changed:
        result.msg = "already %s" % plan["expect"]
        return result
    if check_mode:
        result.resource["power"] = plan["expect"]
        result.msg = "would run %s" % ", ".join(plan["actions"])
        return result
    start = time.time()
    for action in plan["actions"]:
        client.chassis_control(action)
    if state == "soft-off":
        try:
            client.wait_power("off", soft_off_timeout)
        except IpmiError:
            client.chassis_control("off")
            result.act("off")
            result.resource["forced_off"] = True
            client.wait_power("off", max(1.0, timeout - (time.time() - start)))
    else:
        client.wait_power(plan["expect"], max(1.0, timeout - (time.time() - start)))
    result.resource.update(power=plan["expect"], elapsed=round(time.time() - start, 2))
    result.msg = "%s -> %s (%s)" % (before, plan["expect"], ", ".join(result.actions))
    return result


def power_target(target, state, check_mode, timeout, soft_off_timeout):
    """Bring one BMC to `state`. Returns the per-target result."""
    return with_client(target, lambda client: target_result(
        target, ensure_power(client, state, check_mode, timeout, soft_off_timeout)))


# ---------------------------------------------------------------------------------------------------------------
# Boot
# ---------------------------------------------------------------------------------------------------------------

def compare_boot(current, device, persistent, uefi):
    """Does the boot setting need a change? Returns dict(changed, compared, valid_bit).

    With the valid bit set, device, persistence and mode are compared. With it clear, the BMC does not say whether
    its flags still apply, so only the device selector is compared (the flags it still reports for persistence and
    mode are not trustworthy): the answer is stable from run to run instead of flip-flopping.
    """
    if current.get("valid"):
        compared = ["device", "persistent", "uefi"]
    else:
        compared = ["device"]
    wanted = dict(device=device, persistent=persistent, uefi=uefi)
    changed = any(current.get(key) != wanted[key] for key in compared)
    return dict(changed=changed, compared=compared, valid_bit=bool(current.get("valid")))


def _flag_words(flags, once="once"):
    return "%s, %s" % ("persistent" if flags.get("persistent") else once, "uefi" if flags.get("uefi") else "legacy")


def boot_message(current, wanted, compared, changed, check_mode=False):
    """The message of ensure_boot. It claims only what was compared: when only the device was (valid bit clear),
    it says that persistence and firmware mode were not compared and what the BMC reports for them."""
    if changed:
        return "%s boot device %s (%s)" % ("would set" if check_mode else "set", wanted["device"], _flag_words(wanted))
    if "persistent" in compared and "uefi" in compared:
        return "already boot device %s (%s)" % (wanted["device"], _flag_words(wanted))
    return ("boot device is already %s; persistence and firmware mode were not compared (the BMC reports %s)"
            % (wanted["device"], _flag_words(current, once="next-boot-only")))


def ensure_boot(client, device, persistent, uefi, check_mode):
    """Set the boot flags of the BMC of `client` when they differ from the wanted ones (see compare_boot).

    Returns an EnsureResult: the compared properties (device, and persistent and uefi when the valid bit is set),
    the action `set boot device ...` when they differ, the resource before, boot (wanted), valid_bit, compared,
    warning (valid bit clear) and after (the flags read back after setting them), and the diff of the flags before
    and after.
    """
    current = client.get_boot()
    wanted = dict(device=device, persistent=persistent, uefi=uefi)
    cmp = compare_boot(current, device, persistent, uefi)
    result = EnsureResult(resource=dict(before=current, boot=wanted, valid_bit=cmp["valid_bit"],
                                        compared=cmp["compared"]))
    for key in cmp["compared"]:
        result.add(key, current.get(key), wanted[key])
    if not cmp["valid_bit"]:
        result.resource["warning"] = NO_VALID_BIT_WARNING
    if result.changed:
        result.act("set boot device %s (%s)" % (device, _flag_words(wanted)))
        if not check_mode:
            client.set_boot(device, persistent, uefi)
            after = client.get_boot()
            result.resource["after"] = after
            if after.get("device") != device:
                raise IpmiError(client.label, "boot device reads back as %s after setting %s"
                                % (after.get("device"), device), "bmc")
    result.msg = boot_message(current, wanted, cmp["compared"], result.changed, check_mode)
    result.set_diff(current, wanted if result.changed else current)
    return result


def boot_target(target, device, persistent, uefi, check_mode):
    """Set the boot flags of one BMC. Returns the per-target result."""
    return with_client(target, lambda client: target_result(
        target, ensure_boot(client, device, persistent, uefi, check_mode)))


# ---------------------------------------------------------------------------------------------------------------
# Info
# ---------------------------------------------------------------------------------------------------------------

def finish_partial(res, section, error):
    """Close a partial info result: record `error` for `section`, set partial and msg."""
    res["errors"] = dict(res.get("errors") or {})
    if section:
        res["errors"][section] = str(error)
    res["partial"] = bool(res["errors"])
    res["msg"] = "partial answer: %s failed" % ", ".join(sorted(res["errors"])) if res["partial"] else "ok"
    return res


def salvage_info(box, error):
    """run_fleet's salvage hook for info_target: the sections read before the hard deadline, with the deadline in
    `errors`; None (the plain timeout error) when no section was read."""
    partial = box.get("partial")
    if partial and any(key in partial for key in INFO_SECTIONS):
        return finish_partial(dict(partial), "deadline", error)
    return None


def info_target(target, sections, box=None):
    """Gather info sections. A section that fails is reported in `errors` and the rest is kept (partial=true).
    A session-level failure (timeout, BMC gone) after some sections were read keeps them too; `box` (from
    run_fleet with the salvage_info hook) lets the fleet runner return them when the hard deadline stops the
    worker."""
    res = public_target(target)
    res.update(changed=False, failed=False, errors={})
    if box is not None:
        box["partial"] = res

    def work(client):
        for index, section in enumerate(sections):
            try:
                if section == "power":
                    res["power"] = client.get_power()
                elif section == "boot":
                    res["boot"] = client.get_boot()
                elif section == "fru":
                    guid = None
                    try:
                        guid = client.get_guid()
                    except IpmiError as exc:
                        res["errors"]["uuid"] = str(exc)
                    res["fru"] = shape_fru(client.get_fru(), guid)
                elif section == "sensors":
                    res["sensors"] = client.get_sensors()
                elif section == "lan":
                    res["lan"] = client.get_lan()
                elif section == "firmware":
                    res["firmware"] = client.get_firmware()
            except IpmiError as exc:
                if exc.kind in ("unreachable", "timeout", "auth", "cipher"):
                    if not any(key in res for key in INFO_SECTIONS):
                        raise
                    for later in sections[index:]:
                        res["errors"][later] = str(exc)
                    break
                res["errors"][section] = str(exc)
        return finish_partial(res, None, None)
    return with_client(target, work)


# ---------------------------------------------------------------------------------------------------------------
# Discovery
# ---------------------------------------------------------------------------------------------------------------

def check_credentials(target):
    """Open a session to target and read its power state (raises IpmiError when the credentials fail)."""
    return with_client(target, lambda client: client.get_power())


def discover(params):
    """Scan params['cidr'] and optionally check credentials on the responders. Returns dict(bmcs, scanned)."""
    if params.get("timeout") is None or float(params["timeout"]) <= 0 or float(params["timeout"]) > 30:
        raise IpmiError(str(params.get("cidr")), "timeout must be between 0 and 30 seconds", "invalid")
    if int(params.get("concurrency") or 0) < 1 or int(params.get("retries") or 0) < 0:
        raise IpmiError(str(params.get("cidr")), "concurrency must be >= 1 and retries >= 0", "invalid")
    addresses = expand_cidr(params["cidr"])
    port = int(params.get("port") or DEFAULT_PORT)
    # bound: every address gets (retries + 1) probes of `timeout` seconds, spread over `concurrency` slots
    rounds = (len(addresses) + params["concurrency"] - 1) // params["concurrency"]
    deadline = (rounds + 1) * float(params["timeout"]) * (int(params["retries"]) + 1) + 5
    found = probe_range(addresses, port=port, timeout=float(params["timeout"]), concurrency=params["concurrency"],
                        retries=int(params["retries"]), deadline=deadline)
    bmcs = []
    for address in sorted(found, key=ipaddress.ip_address):
        entry = dict(address=address, port=port, credentials_ok=None)
        info = found[address]
        entry.update(ipmi_version=info.get("ipmi_version"), versions=info.get("versions", []),
                     auth_types=info.get("auth_types", []), anonymous_login=info.get("anonymous_login"),
                     oem_id=info.get("oem_id"))
        if info.get("completion_code"):
            entry["probe_error"] = completion_text(info["completion_code"])
        bmcs.append(entry)
    if params.get("username") and bmcs:
        targets = [dict(name=b["address"], address=b["address"], port=port, username=params["username"],
                        password=params["password"]) for b in bmcs]
        checks = run_fleet(targets, lambda t: dict(public_target(t), failed=False, power=check_credentials(t)),
                           concurrency=min(int(params["concurrency"]), 32),
                           deadline=float(params.get("credential_timeout") or 20))
        for entry, check in zip(bmcs, checks):
            entry["credentials_ok"] = not check.get("failed")
            if check.get("failed"):
                entry["credentials_error"] = scrub(check.get("msg"), [params.get("password")])
    return dict(bmcs=bmcs, scanned=len(addresses))
