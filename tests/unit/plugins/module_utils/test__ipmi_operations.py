# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of plugins/module_utils/_ipmi/operations.py: power plans, boot comparison and messages, ensure_power
and ensure_boot against a fake client (their EnsureResult), info sections, and discovery."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

import pytest

from ansible_collections.helion.openstack.plugins.module_utils._ipmi import codec
from tests.unit.plugins.module_utils.udp_peer import UdpPeer
from ansible_collections.helion.openstack.plugins.module_utils._ipmi import operations as m
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.errors import IpmiError, public_target
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.fleet import fleet_call, run_fleet
from ansible_collections.helion.openstack.plugins.module_utils._result import EnsureResult

TARGET = {"name": "b1", "address": "10.0.0.1", "port": 623, "username": "admin", "password": "secret"}
LEGACY_ONCE = dict(persistent=False, uefi=False)


class FakeClient(object):
    """Stands in for BmcClient: power, boot flags, and what was sent."""

    label = "b1 (10.0.0.1:623)"

    def __init__(self, power="off", boot=None, honours_shutdown=True, valid_after=True, reads_back=None):
        self.power = power
        self.boot = dict(boot or dict(device="default", persistent=False, uefi=False, valid=False))
        self.honours_shutdown = honours_shutdown
        self.valid_after = valid_after
        self.reads_back = reads_back
        self.calls = []

    def get_power(self):
        return self.power

    def chassis_control(self, action):
        self.calls.append(action)
        if action in ("on", "cycle", "reset"):
            self.power = "on"
        elif action == "off" or (action == "shutdown" and self.honours_shutdown):
            self.power = "off"

    def wait_power(self, expect, timeout, interval=0.25):
        if self.power != expect:
            raise IpmiError(self.label, "power state is still %s" % self.power, "timeout")
        return 0.0

    def get_boot(self):
        return dict(self.boot)

    def set_boot(self, device, persistent, uefi):
        self.calls.append(("set boot", device, persistent, uefi))
        self.boot = dict(device=self.reads_back or device, persistent=persistent, uefi=uefi, valid=self.valid_after)


# --- power -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("current, state, actions, expect", [
    ("off", "on", ["on"], "on"),
    ("on", "on", [], "on"),
    ("on", "off", ["off"], "off"),
    ("off", "off", [], "off"),
    ("on", "soft-off", ["shutdown"], "off"),
    ("off", "soft-off", [], "off"),
    ("on", "reset", ["reset"], "on"),
    ("off", "reset", ["on"], "on"),
    ("on", "cycle", ["cycle"], "on"),
    ("off", "cycle", ["on"], "on"),
])
def test_plan_power(current, state, actions, expect):
    plan = m.plan_power(current, state)
    assert plan == {"actions": actions, "expect": expect, "changed": bool(actions)}


@pytest.mark.parametrize("current, state", [("on", "boot"), ("unknown", "on")])
def test_plan_power_rejects_unknown(current, state):
    with pytest.raises(ValueError):
        m.plan_power(current, state)


@pytest.mark.parametrize("current, state, check_mode, changed, actions, power, sent, msg", [
    ("off", "on", False, True, ["on"], "on", ["on"], "off -> on (on)"),
    ("off", "on", True, True, ["on"], "on", [], "would run on"),
    ("on", "on", False, False, [], "on", [], "already on"),
    ("on", "reset", False, True, ["reset"], "on", ["reset"], "on -> on (reset)"),  # changed without a difference
    ("on", "reset", True, True, ["reset"], "on", [], "would run reset"),
    ("off", "soft-off", False, False, [], "off", [], "already off"),
])
def test_ensure_power(current, state, check_mode, changed, actions, power, sent, msg):
    client = FakeClient(power=current)
    res = m.ensure_power(client, state, check_mode, timeout=10, soft_off_timeout=1)
    assert isinstance(res, EnsureResult)
    assert res.changed is changed and res.actions == actions and res.msg == msg
    assert res.resource["before"] == current and res.resource["power"] == power
    assert res.resource["forced_off"] is False
    assert client.calls == sent
    assert res.diff == {"before": current, "after": m.plan_power(current, state)["expect"]}
    assert ("elapsed" in res.resource) is bool(sent)


def test_ensure_power_soft_off_falls_back_to_a_hard_off():
    client = FakeClient(power="on", honours_shutdown=False)  # no OS to honour the ACPI request
    res = m.ensure_power(client, "soft-off", False, timeout=10, soft_off_timeout=0)
    assert res.changed and res.actions == ["shutdown", "off"] and client.calls == ["shutdown", "off"]
    assert res.resource["forced_off"] is True and res.resource["power"] == "off"
    assert res.msg == "on -> off (shutdown, off)"


def test_power_target_result_and_the_fleet_diff(monkeypatch):
    """The per-target result is the EnsureResult's module result; the module's diff keeps its shape
    ({name: power state})."""
    monkeypatch.setattr(m, "with_client", lambda target, func: func(FakeClient(power="off")))
    res = m.power_target(TARGET, "on", False, 10, 1)
    assert res == dict(public_target(TARGET), failed=False, changed=True, actions=["on"], msg="off -> on (on)",
                       before="off", power="on", forced_off=False, elapsed=res["elapsed"],
                       diff={"before": "off", "after": "on"})
    out = fleet_call(dict(address="10.0.0.1", port=623, username="u", password="p", targets=None, concurrency=1,
                          timeout=5, fail_on_error="any"), lambda t: m.power_target(t, "on", False, 10, 1),
                     diff_mode=True)
    assert out["diff"] == {"before": {"10.0.0.1": "off"}, "after": {"10.0.0.1": "on"}}
    assert out["before"] == "off" and out["power"] == "on" and out["actions"] == ["on"]


# --- boot ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("current, wanted, changed, compared", [
    # valid bit set: everything is compared
    (dict(device="network", persistent=False, uefi=False, valid=True), ("network", False, False), False,
     ["device", "persistent", "uefi"]),
    (dict(device="network", persistent=False, uefi=False, valid=True), ("network", True, False), True,
     ["device", "persistent", "uefi"]),
    (dict(device="network", persistent=False, uefi=False, valid=True), ("network", False, True), True,
     ["device", "persistent", "uefi"]),
    (dict(device="disk", persistent=True, uefi=True, valid=True), ("network", True, True), True,
     ["device", "persistent", "uefi"]),
    # valid bit clear (ipmi_sim): only the device selector; stable answer run after run
    (dict(device="network", persistent=False, uefi=False, valid=False), ("network", True, True), False, ["device"]),
    (dict(device="default", persistent=False, uefi=False, valid=False), ("network", False, False), True, ["device"]),
])
def test_compare_boot(current, wanted, changed, compared):
    out = m.compare_boot(current, *wanted)
    assert out == {"changed": changed, "compared": compared, "valid_bit": current["valid"]}


def test_compare_boot_without_valid_bit_does_not_flip_flop():
    # after setting, ipmi_sim reads back the device with the valid bit clear: repeated runs must agree
    after_set = codec.decode_boot_flags([1, 5, 0x00, codec.BOOT_DEVICES["network"] << 2, 0, 0, 0])
    answers = {m.compare_boot(after_set, "network", True, False)["changed"] for _unused in range(3)}
    assert answers == {False}


@pytest.mark.parametrize("current, wanted, compared, changed, check_mode, msg", [
    (dict(device="disk", persistent=False, uefi=False), dict(device="disk", persistent=True, uefi=True), ["device"],
     False, False, "boot device is already disk; persistence and firmware mode were not compared "
                   "(the BMC reports next-boot-only, legacy)"),
    (dict(device="disk", persistent=True, uefi=True), dict(device="disk", persistent=False, uefi=False), ["device"],
     False, False, "boot device is already disk; persistence and firmware mode were not compared "
                   "(the BMC reports persistent, uefi)"),
    (dict(device="disk", persistent=True, uefi=True), dict(device="disk", persistent=True, uefi=True),
     ["device", "persistent", "uefi"], False, False, "already boot device disk (persistent, uefi)"),
    (dict(device="disk", persistent=False, uefi=False), dict(device="network", persistent=False, uefi=False),
     ["device"], True, False, "set boot device network (once, legacy)"),
    (dict(device="disk", persistent=False, uefi=False), dict(device="bios", persistent=True, uefi=True),
     ["device", "persistent", "uefi"], True, True, "would set boot device bios (persistent, uefi)"),
])
def test_boot_message_says_what_was_compared(current, wanted, compared, changed, check_mode, msg):
    assert m.boot_message(current, wanted, compared, changed, check_mode) == msg


def test_ensure_boot_without_valid_bit_does_not_claim_the_uncompared_flags():
    """The BMC reports disk, next-boot-only, legacy with the valid bit clear; disk/persistent/uefi is wanted. Only
    the device is compared, so the message must not say 'already boot device disk (persistent, uefi)'."""
    client = FakeClient(boot=dict(device="disk", persistent=False, uefi=False, valid=False))
    res = m.ensure_boot(client, "disk", True, True, False)
    assert res.changed is False and client.calls == []
    assert res.msg == ("boot device is already disk; persistence and firmware mode were not compared "
                       "(the BMC reports next-boot-only, legacy)")
    assert res.resource["compared"] == ["device"] and res.resource["warning"] == m.NO_VALID_BIT_WARNING


@pytest.mark.parametrize("boot, wanted, check_mode, changed, differences, sent", [
    (dict(device="default", persistent=False, uefi=False, valid=False), ("network", False, False), False, True,
     [{"name": "device", "before": "default", "after": "network"}], [("set boot", "network", False, False)]),
    (dict(device="default", persistent=False, uefi=False, valid=False), ("network", False, False), True, True,
     [{"name": "device", "before": "default", "after": "network"}], []),
    (dict(device="disk", persistent=True, uefi=True, valid=True), ("disk", True, False), False, True,
     [{"name": "uefi", "before": True, "after": False}], [("set boot", "disk", True, False)]),
    (dict(device="disk", persistent=True, uefi=True, valid=True), ("disk", True, True), False, False, [], []),
])
def test_ensure_boot(boot, wanted, check_mode, changed, differences, sent):
    client = FakeClient(boot=boot)
    res = m.ensure_boot(client, wanted[0], wanted[1], wanted[2], check_mode)
    want = dict(device=wanted[0], persistent=wanted[1], uefi=wanted[2])
    assert res.changed is changed and res.differences == differences and client.calls == sent
    assert res.actions == (["set boot device %s (%s)" % (wanted[0], m._flag_words(want))] if changed else [])
    assert res.resource["before"] == boot and res.resource["boot"] == want
    assert res.resource["valid_bit"] is boot["valid"]
    assert ("after" in res.resource) is bool(sent)
    assert res.diff == {"before": boot, "after": want if changed else boot}


def test_ensure_boot_fails_when_the_device_does_not_read_back():
    client = FakeClient(reads_back="disk")
    with pytest.raises(IpmiError) as err:
        m.ensure_boot(client, "network", False, False, False)
    assert err.value.kind == "bmc" and "reads back as disk after setting network" in str(err.value)


# --- info ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("errors, section, partial, msg", [
    ({}, None, False, "ok"),
    ({"sensors": "x"}, None, True, "partial answer: sensors failed"),
    ({"sensors": "x"}, "lan", True, "partial answer: lan, sensors failed"),
])
def test_finish_partial(errors, section, partial, msg):
    res = m.finish_partial({"errors": dict(errors)}, section, "boom" if section else None)
    assert res["partial"] is partial and res["msg"] == msg


def test_run_fleet_deadline_keeps_partial_info():
    release = threading.Event()

    def worker(target, box):
        res = dict(public_target(target), failed=False, changed=False, errors={})
        box["partial"] = res
        res["power"] = "on"
        res["fru"] = {"serial": "S1"}
        if target["name"] == "slow":
            release.wait(30)  # e.g. a sensor scan that hangs
        return m.finish_partial(res, None, None)

    targets = [{"name": "slow", "address": "10.0.0.1", "port": 623}, {"name": "fast", "address": "10.0.0.2",
                                                                      "port": 623}]
    out = run_fleet(targets, worker, concurrency=2, deadline=0.5, salvage=m.salvage_info)
    release.set()
    slow, fast = out
    assert slow["failed"] is False and slow["partial"] is True
    assert slow["power"] == "on" and slow["fru"] == {"serial": "S1"}
    assert "hard deadline" in slow["errors"]["deadline"] and "10.0.0.1" in slow["errors"]["deadline"]
    assert fast["partial"] is False and fast["msg"] == "ok"


def test_salvage_info_without_any_section_is_the_timeout_error():
    assert m.salvage_info({}, IpmiError("b1", "timed out", "timeout")) is None
    assert m.salvage_info({"partial": {"errors": {}}}, IpmiError("b1", "timed out", "timeout")) is None


def test_info_target_keeps_the_sections_read_before_the_session_failed(monkeypatch):
    class Client(FakeClient):
        def get_boot(self):
            raise IpmiError(self.label, "get boot options: completion code 0xC1 (command not supported)", "bmc")

        def get_firmware(self):
            raise IpmiError(self.label, "timed out waiting for the BMC", "timeout")

    monkeypatch.setattr(m, "with_client", lambda target, func: func(Client(power="on")))
    res = m.info_target(TARGET, ["power", "boot", "firmware", "lan"])
    assert res["power"] == "on" and res["partial"] is True and res["failed"] is False
    assert sorted(res["errors"]) == ["boot", "firmware", "lan"]
    assert res["msg"] == "partial answer: boot, firmware, lan failed"


# --- discovery -------------------------------------------------------------------------------------------------

def test_discover_does_not_list_an_echo_nor_check_credentials_on_it():
    """A UDP echo sends the probe back unchanged. It is not a BMC, and with credentials set the scan must not spend
    the credential timeout on it."""
    start = time.time()
    with UdpPeer(lambda data: data) as echo:
        out = m.discover(dict(cidr="127.0.0.1/32", port=echo.port, timeout=0.3, retries=0, concurrency=4,
                              username="admin", password="secret", credential_timeout=5))
    seen = echo.seen
    assert seen, "the echo got the probe"
    assert out == {"bmcs": [], "scanned": 1}
    assert time.time() - start < 3


@pytest.mark.parametrize("params, fragment", [
    (dict(cidr="10.0.0.0/30", timeout=0, concurrency=4, retries=0), "timeout must be between"),
    (dict(cidr="10.0.0.0/30", timeout=1, concurrency=0, retries=0), "concurrency must be >= 1"),
])
def test_discover_validates(params, fragment):
    with pytest.raises(IpmiError) as err:
        m.discover(params)
    assert err.value.kind == "invalid" and fragment in str(err.value)
