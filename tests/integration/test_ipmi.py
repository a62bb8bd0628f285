"""Integration tests of the IPMI modules (issue 3) against real peers on loopback.

Peers (module-scoped fixtures, all on 127.77.0.0/29, port 623):
  .2 OpenIPMI ipmi_sim (boot valid bit never set, FRU reads > 32 bytes refused, one temperature sensor)
  .3 lab BMC (pyghmi server) with the cipher shim, in-memory power, hook commands that log to a file
  .4 lab BMC without the cipher shim (pyghmi's suite mix-up: our client must fall back to suite 3) and
     FRU reads limited to 32 bytes
  .5 a silent UDP socket (a BMC that never answers)
  .1, .6 nothing
A fleet of 120 lab BMCs (one process, 127.77.1.1 ports 22000-22119) checks the fleet call at several concurrencies.
Every module runs through ansible-playbook; states are cross-checked with ipmitool.
"""

import os
import socket
import sys
import time
from types import SimpleNamespace

import pytest

from tests.peers import ipmi as sims
from tests.peers.common import wait_until
from tests.peers.playbook import PlaybookRun, ansible_env, run_tasks

NET = "127.77.0.0/29"
SIM = "127.77.0.2"
LAB = "127.77.0.3"
LAB_NOSHIM = "127.77.0.4"
SILENT = "127.77.0.5"
NOTHING = "127.77.0.6"
FARM, FARM_PORT, FARM_SIZE = "127.77.1.1", 22000, 120
USER, PASSWORD = "admin", "Pa55-word-x"
CREDS = {"username": USER, "password": PASSWORD}


@pytest.fixture(scope="module")
def peers(tmp_path_factory):
    work = tmp_path_factory.mktemp("ipmi-peers")
    hooklog = os.path.join(str(work), "hooks.log")
    started = []
    try:
        sim = sims.IpmiSim(work, SIM, 623, USER, PASSWORD).start()
        started.append(sim)

        def node(name, address, mac):
            return {"name": name, "address": address, "port": 623, "username": USER, "password": PASSWORD,
                    "mac": mac, "asset_tag": "LAB-" + name,
                    "on_cmd": "echo on {name} >> %s" % hooklog,
                    "off_cmd": "echo off {name} >> %s" % hooklog,
                    "reprovision_cmd": "echo reprovision {name} >> %s" % hooklog}

        lab = sims.LabBmcProcess(work, [node("lab1", LAB, "52:54:00:00:00:03")], name="lab").start()
        started.append(lab)
        noshim = sims.LabBmcProcess(work, [node("lab2", LAB_NOSHIM, "52:54:00:00:00:04")],
                                    extra_args=["--no-cipher-shim", "--fru-read-limit", "32"], name="noshim").start()
        started.append(noshim)
        silent = sims.SilentBmc(SILENT)
        started.append(silent)
        yield {"sim": sim, "lab": lab, "noshim": noshim, "hooklog": hooklog}
    finally:
        for peer in reversed(started):
            peer.stop()


def ipmi_client():
    """The collection's IPMI client: plugins/module_utils/_ipmi/ (session, operations, client, pyghmi_io), or the
    single module _ipmi.py it was split from."""
    try:
        from ansible_collections.helion.openstack.plugins.module_utils._ipmi import (  # noqa: PLC0415
            client, operations, pyghmi_io, session)
    except ImportError:
        from ansible_collections.helion.openstack.plugins.module_utils import _ipmi  # noqa: PLC0415
        return _ipmi
    return SimpleNamespace(LanSession=session.LanSession, Ipmi15Only=session.Ipmi15Only,
                           info_target=operations.info_target, pyghmi_modules=client.pyghmi_modules,
                           _io_recvfrom=pyghmi_io.io_recvfrom)


def target(name, address, **extra):
    out = {"name": name, "address": address}
    out.update(extra)
    return out


def power_status(address):
    out = sims.ipmitool(address, 623, "chassis", "power", "status", username=USER, password=PASSWORD)
    return "on" if "is on" in out else "off"


def boot_flags(address):
    return sims.ipmitool(address, 623, "chassis", "bootparam", "get", "5", username=USER, password=PASSWORD)


def wait_for(predicate, limit=10.0):
    """Poll predicate until it holds (True) or `limit` seconds pass (False)."""
    return bool(wait_until(predicate, limit))


def hooks(peers):
    if not os.path.exists(peers["hooklog"]):
        return []
    with open(peers["hooklog"]) as handle:
        return [line.strip() for line in handle]


def test_power_single_host_on_off_cycle_idempotent_check_mode(peers, tmp_path):
    single = dict(address=SIM, timeout=20, **CREDS)
    tasks = [
        {"name": "off", "helion.openstack.ipmi_power": dict(single, state="off")},
        {"name": "on", "helion.openstack.ipmi_power": dict(single, state="on")},
        {"name": "on again", "helion.openstack.ipmi_power": dict(single, state="on")},
    ]
    run = run_tasks(tmp_path, tasks, diff=True)
    assert run.rc == 0, run.stdout[-3000:]
    assert run.result("on")["changed"] is True
    assert run.result("on")["before"] == "off" and run.result("on")["power"] == "on"
    assert run.result("on")["diff"]["after"] == {SIM: "on"}
    assert run.result("on again")["changed"] is False
    assert power_status(SIM) == "on"

    check = run_tasks(tmp_path, [{"name": "would off", "helion.openstack.ipmi_power": dict(single, state="off")}],
                      check=True)
    assert check.rc == 0
    assert check.result("would off")["changed"] is True
    assert check.result("would off")["actions"] == ["off"]
    assert power_status(SIM) == "on", "check mode must not change the power state"

    cycle = run_tasks(tmp_path, [
        {"name": "cycle", "helion.openstack.ipmi_power": dict(single, state="cycle")},
        {"name": "soft", "helion.openstack.ipmi_power": dict(single, state="soft-off", soft_off_timeout=1,
                                                             timeout=15)},
        {"name": "soft again", "helion.openstack.ipmi_power": dict(single, state="soft-off", soft_off_timeout=1,
                                                                   timeout=15)},
    ])
    assert cycle.rc == 0, cycle.stdout[-3000:]
    assert cycle.result("cycle")["changed"] is True and cycle.result("cycle")["actions"] == ["cycle"]
    assert cycle.result("cycle")["power"] == "on"
    # ipmi_sim has no OS to honour the ACPI request: the module must fall back to a hard off
    soft = cycle.result("soft")
    assert soft["changed"] is True and soft["forced_off"] is True and soft["actions"] == ["shutdown", "off"]
    assert cycle.result("soft again")["changed"] is False
    assert power_status(SIM) == "off"
    # what ipmi_sim's chassis_control saw: on, cycle (off + on), ACPI shutdown request, hard off
    assert peers["sim"].actions()[:5] == ["power 1", "power 0", "power 1", "shutdown 1", "power 0"]


def test_power_fleet_lab_bmcs_and_reprovision_hook(peers, tmp_path):
    fleet = dict(targets=[target("lab1", LAB), target("lab2", LAB_NOSHIM)], timeout=20, **CREDS)
    run = run_tasks(tmp_path, [
        {"name": "boot net", "helion.openstack.ipmi_boot": dict(fleet, device="network")},
        {"name": "on", "helion.openstack.ipmi_power": dict(fleet, state="on")},
        {"name": "on again", "helion.openstack.ipmi_power": dict(fleet, state="on")},
        {"name": "reset", "helion.openstack.ipmi_power": dict(fleet, state="reset")},
    ])
    assert run.rc == 0, run.stdout[-3000:]
    on = run.result("on")
    assert on["changed"] is True
    assert [r["power"] for r in on["results"]] == ["on", "on"]
    assert run.result("on again")["changed"] is False
    assert run.result("reset")["changed"] is True
    assert power_status(LAB) == "on" and power_status(LAB_NOSHIM) == "on"
    log = hooks(peers)
    # network boot once + power on = re-provision (and the one-time boot device is consumed), so the reset
    # that follows powers off and boots with on_cmd
    for node in ("lab1", "lab2"):
        assert [line for line in log if line.endswith(" " + node)] == [
            "reprovision " + node, "off " + node, "on " + node]
    assert "Force PXE" not in boot_flags(LAB)


def test_boot_against_ipmi_sim_without_valid_bit_is_stable(peers, tmp_path):
    single = dict(address=SIM, **CREDS)
    run = run_tasks(tmp_path, [
        {"name": "pxe", "helion.openstack.ipmi_boot": dict(single, device="network")},
        {"name": "pxe again", "helion.openstack.ipmi_boot": dict(single, device="network")},
        {"name": "pxe third", "helion.openstack.ipmi_boot": dict(single, device="network")},
    ])
    assert run.rc == 0, run.stdout[-3000:]
    first = run.result("pxe")
    assert first["valid_bit"] is False and "valid bit" in first["warning"]
    assert [run.result(n)["changed"] for n in ("pxe again", "pxe third")] == [False, False]
    assert run.result("pxe again")["compared"] == ["device"]
    assert "Force PXE" in boot_flags(SIM)

    check = run_tasks(tmp_path, [{"name": "bios?", "helion.openstack.ipmi_boot": dict(single, device="bios")}],
                      check=True)
    assert check.rc == 0 and check.result("bios?")["changed"] is True
    assert "Force PXE" in boot_flags(SIM), "check mode must not change the boot device"

    bios = run_tasks(tmp_path, [{"name": "bios", "helion.openstack.ipmi_boot": dict(single, device="bios")}],
                     diff=True)
    assert bios.rc == 0 and bios.result("bios")["changed"] is True
    assert bios.result("bios")["diff"]["before"][SIM]["device"] == "network"
    assert "Force Boot into BIOS Setup" in boot_flags(SIM)


def test_boot_against_lab_bmc_persistent_uefi_read_back(peers, tmp_path):
    args = dict(address=LAB, device="disk", persistent=True, mode="uefi", **CREDS)
    run = run_tasks(tmp_path, [
        {"name": "disk", "helion.openstack.ipmi_boot": args},
        {"name": "disk again", "helion.openstack.ipmi_boot": args},
        {"name": "legacy", "helion.openstack.ipmi_boot": dict(args, mode="legacy")},
    ])
    assert run.rc == 0, run.stdout[-3000:]
    first = run.result("disk")
    assert first["changed"] is True and first["valid_bit"] is not None
    assert first["after"] == {"device": "disk", "persistent": True, "uefi": True, "valid": True}
    again = run.result("disk again")
    assert again["changed"] is False and again["valid_bit"] is True
    assert again["compared"] == ["device", "persistent", "uefi"]
    assert run.result("legacy")["changed"] is True  # mode is compared when the valid bit is set
    flags = boot_flags(LAB)
    assert "Force Boot from default Hard-Drive" in flags and "all future boots" in flags
    assert "BIOS PC Compatible (legacy) boot" in flags


def test_info_inventory_sensors_lan_firmware_and_partial(peers, tmp_path):
    run = run_tasks(tmp_path, [{"name": "info", "helion.openstack.ipmi_info": dict(
        targets=[target("sim", SIM), target("lab2", LAB_NOSHIM)], **CREDS)}], check=True)
    assert run.rc == 0, run.stdout[-3000:]
    res = run.result("info")
    assert res["changed"] is False
    sim, lab = res["results"]
    assert sim["partial"] is False, sim["errors"]
    assert sim["fru"]["manufacturer"] == "OpenIPMI Sim" and sim["fru"]["product"] == "SimServer"
    assert sim["fru"]["serial"] == "SIM0001" and sim["fru"]["asset_tag"] == "ASSET-42"
    assert sim["fru"]["uuid"] and sim["fru"]["macs"] == ["52:54:00:00:00:06"]
    sensor = [s for s in sim["sensors"] if s["name"] == "MBTemp"][0]
    assert sensor["value"] == 45.0 and sensor["health"] == "ok"
    assert sensor["thresholds"] == {"upper_non_critical": 80.0, "upper_critical": 85.0,
                                    "upper_non_recoverable": 96.0}
    assert sim["firmware"]["firmware_version"] == "9.08" and sim["firmware"]["ipmi_version"] == "2.0"
    assert set(sim["lan"]) >= {"ip_address", "mac_address", "netmask", "gateway"}
    assert sim["power"] in ("on", "off") and sim["boot"]["valid"] is False
    # ipmitool agrees on the FRU
    assert "ASSET-42" in sims.ipmitool(SIM, 623, "fru", "print", "0", username=USER, password=PASSWORD)
    # lab BMC: FRU reads > 32 bytes refused (0xC8) yet read in full; no SDR support -> partial, not lost
    assert lab["failed"] is False and lab["partial"] is True
    assert set(lab["errors"]) == {"sensors", "lan"}
    assert LAB_NOSHIM in lab["errors"]["sensors"] and "0xC1" in lab["errors"]["sensors"]
    assert lab["fru"]["serial"] == "LAB2" and lab["fru"]["asset_tag"] == "LAB-lab2"
    assert lab["fru"]["macs"] == ["52:54:00:00:00:04"]
    assert lab["firmware"]["firmware_version"] == "2.10"


def test_fleet_mixed_good_and_bad_targets(peers, tmp_path):
    targets = [target("sim", SIM), target("lab1", LAB),
               target("badpw", LAB, password="wrong-password"),
               target("silent", SILENT), target("nothing", NOTHING)]
    base = dict(targets=targets, timeout=3, concurrency=5, **CREDS)
    start = time.time()
    run = run_tasks(tmp_path, [
        {"name": "none", "helion.openstack.ipmi_info": dict(base, gather=["power"], fail_on_error="none")},
        {"name": "all", "helion.openstack.ipmi_info": dict(base, gather=["power"], fail_on_error="all")},
    ])
    elapsed = time.time() - start
    assert run.rc == 0, run.stdout[-3000:]
    res = run.result("none")
    by = dict((r["name"], r) for r in res["results"])
    assert [r["name"] for r in res["results"]] == ["sim", "lab1", "badpw", "silent", "nothing"]
    assert not by["sim"]["failed"] and not by["lab1"]["failed"]
    assert by["badpw"]["error"] == "auth" and LAB in by["badpw"]["msg"]
    assert by["silent"]["error"] in ("timeout", "unreachable") and SILENT in by["silent"]["msg"]
    assert by["nothing"]["failed"] and NOTHING in by["nothing"]["msg"]
    assert "3 of 5" in res["msg"]
    assert run.result("all").get("failed", False) is False
    assert elapsed < 40, "the silent BMC must not hold the fleet past its deadline"
    assert PASSWORD not in run.stdout and "wrong-password" not in run.stdout

    fail_any = run_tasks(tmp_path, [{"name": "any", "helion.openstack.ipmi_power": dict(base, state="on")}])
    assert fail_any.rc != 0
    res = fail_any.result("any")
    assert res["failed"] is True and "3 of 5 BMC(s) failed" in res["msg"]
    assert [r["failed"] for r in res["results"]] == [False, False, True, True, True]
    assert PASSWORD not in fail_any.stdout


def test_single_host_errors_name_the_bmc(peers, tmp_path):
    run = run_tasks(tmp_path, [{"name": "bad", "helion.openstack.ipmi_power": dict(
        address=SIM, username=USER, password="not-the-password", state="on", timeout=5)}])
    assert run.rc != 0
    res = run.result("bad")
    assert res["failed"] is True and SIM in res["msg"] and "authentication failed" in res["msg"]
    assert "not-the-password" not in run.stdout


def test_unsupported_cipher_suite_is_named(tmp_path):
    node = {"name": "nocipher", "address": "127.77.0.10", "port": 623, "username": USER, "password": PASSWORD}
    lab = sims.LabBmcProcess(tmp_path, [node], extra_args=["--refuse-ciphers"], name="nocipher").start()
    try:
        run = run_tasks(tmp_path, [{"name": "power", "helion.openstack.ipmi_info": dict(
            address="127.77.0.10", gather=["power"], timeout=10, **CREDS)}])
    finally:
        lab.stop()
    assert run.rc != 0
    res = run.result("power")
    assert res["error"] == "cipher" and "127.77.0.10" in res["msg"] and "cipher suite" in res["msg"]


def test_discover_range_with_simulators_and_silent_addresses(peers, tmp_path):
    run = run_tasks(tmp_path, [
        {"name": "scan", "helion.openstack.bmc_discover": {"cidr": NET, "timeout": 0.5, "retries": 1,
                                                           "username": USER, "password": PASSWORD}},
        {"name": "scan badpw", "helion.openstack.bmc_discover": {"cidr": "127.77.0.2/31", "timeout": 0.5,
                                                                 "username": USER, "password": "nope-nope"}},
    ])
    assert run.rc == 0, run.stdout[-3000:]
    res = run.result("scan")
    assert res["scanned"] == 6
    assert [b["address"] for b in res["bmcs"]] == [SIM, LAB, LAB_NOSHIM]
    assert all(b["ipmi_version"] == "2.0" for b in res["bmcs"])
    assert all(b["credentials_ok"] is True for b in res["bmcs"])
    bad = run.result("scan badpw")
    assert [b["address"] for b in bad["bmcs"]] == [SIM, LAB]
    assert [b["credentials_ok"] for b in bad["bmcs"]] == [False, False]
    assert "authentication failed" in bad["bmcs"][0]["credentials_error"]
    assert PASSWORD not in run.stdout


def test_discover_refuses_huge_ranges(tmp_path):
    run = run_tasks(tmp_path, [{"name": "huge", "helion.openstack.bmc_discover": {"cidr": "127.0.0.0/16"}}])
    assert run.rc != 0
    assert "65536 addresses, more than the limit of 4096" in run.result("huge")["msg"]


PLAYBOOK_INVENTORY = """
all:
  vars:
    helion_networks:
      - {name: IPMI-NET, purpose: ipmi, cidr: "%(net)s"}
      - {name: MANAGEMENT-NET, purpose: management, cidr: 192.0.2.0/24}
  children:
    servers:
      hosts:
        sim1:
          helion_server: {name: sim1, pxe_mac: "52:54:00:00:00:06"}
          helion_ipmi: {address: "%(sim)s", port: 623, username: %(user)s, password: "%(pw)s"}
        lab1:
          helion_server: {name: lab1, pxe_mac: "52:54:00:99:99:99"}
          helion_ipmi: {address: "%(lab)s", port: 623, username: %(user)s, password: "%(pw)s"}
        ghost1:
          helion_server: {name: ghost1, pxe_mac: "52:54:00:00:00:07"}
          helion_ipmi: {address: "%(nothing)s", port: 623, username: %(user)s, password: "%(pw)s"}
"""


def test_playbooks_power_inventory_discover(peers, tmp_path):
    inv = tmp_path / "inventory.yml"
    inv.write_text(PLAYBOOK_INVENTORY % {"net": NET, "sim": SIM, "lab": LAB, "nothing": NOTHING, "user": USER,
                                         "pw": PASSWORD})
    env = {"ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"}
    common = ["-i", str(inv), "-e", "ansible_python_interpreter=" + sys.executable, "-c", "local"]

    def play(name, *extra):
        import subprocess  # noqa: PLC0415
        cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "helion.openstack." + name] + \
            common + list(extra)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=ansible_env(env), timeout=300,
                              cwd=sims.ROOT, check=False)
        return PlaybookRun(proc)

    power = play("bm_power", "--limit", "sim1,lab1", "-e", "bm_power_state=on")
    assert power.rc == 0, power.stdout[-3000:]
    assert power_status(SIM) == "on" and power_status(LAB) == "on"

    report_dir = tmp_path / "reports"
    inventory = play("bm_inventory", "-e", "bm_inventory_report_dir=%s" % report_dir,
                     "-e", "bm_inventory_fail_on_error=none")
    assert inventory.rc == 0, inventory.stdout[-3000:]
    report = (report_dir / "bm_inventory.md").read_text()
    import yaml  # noqa: PLC0415
    data = yaml.safe_load((report_dir / "bm_inventory.yml").read_text())
    servers = dict((s["name"], s) for s in data["servers"])
    assert servers["sim1"]["pxe_mac_status"] == "match"
    assert servers["lab1"]["pxe_mac_status"] == "mismatch"
    assert servers["ghost1"]["pxe_mac_status"] == "not compared"
    assert servers["sim1"]["serial"] == "SIM0001"
    assert "mismatch" in report and "lab1" in report
    assert PASSWORD not in report

    discover = play("bm_discover", "-e", "bm_discover_timeout=0.5")
    assert discover.rc == 0, discover.stdout[-3000:]
    summary = discover.result("Summarise the scan", host="sim1")["msg"]
    assert summary["cidr"] == NET
    assert summary["responders"] == [SIM, LAB, LAB_NOSHIM]
    assert summary["missing_from_model"] == [LAB_NOSHIM]
    assert summary["not_answering"] == ["ghost1"]


def test_lab_bmc_hook_commands_and_config(tmp_path):
    """The lab BMC as the lab uses it: power through on/off commands, state through status_cmd."""
    state = tmp_path / "running"
    state.write_text("false\n")
    node = {"name": "node-a", "address": "127.77.0.9", "port": 623, "username": USER, "password": PASSWORD,
            "on_cmd": "echo true > %s" % state, "off_cmd": "echo false > %s" % state,
            "status_cmd": "cat %s" % state, "reprovision_cmd": "echo true > %s; echo {name} >> %s.reprov"
            % (state, state)}
    lab = sims.LabBmcProcess(tmp_path, [node], name="hooks").start()
    try:
        assert power_status("127.77.0.9") == "off"
        sims.ipmitool("127.77.0.9", 623, "chassis", "power", "on", username=USER, password=PASSWORD)
        # with a status_cmd the lab BMC answers at once and runs the hook after its answer, as a real BMC does
        assert wait_for(lambda: state.read_text().strip() == "true") and power_status("127.77.0.9") == "on"
        state.write_text("false\n")  # the container stopped by itself: the BMC follows status_cmd
        assert power_status("127.77.0.9") == "off"
        sims.ipmitool("127.77.0.9", 623, "chassis", "bootdev", "pxe", username=USER, password=PASSWORD)
        sims.ipmitool("127.77.0.9", 623, "chassis", "power", "on", username=USER, password=PASSWORD)
        reprov = tmp_path / "running.reprov"
        assert wait_for(lambda: reprov.exists() and reprov.read_text().split() == ["node-a"])
        assert wait_for(lambda: power_status("127.77.0.9") == "on")
        sims.ipmitool("127.77.0.9", 623, "chassis", "power", "off", username=USER, password=PASSWORD)
        assert wait_for(lambda: state.read_text().strip() == "false")
    finally:
        lab.stop()
    labbmc = sims.labbmc
    bad = tmp_path / "bad.yml"
    bad.write_text("- {name: x}\n")
    with pytest.raises(ValueError, match="every BMC needs address"):
        labbmc.load_config(str(bad))


def test_fleet_of_120_lab_bmcs_answers_at_any_concurrency(tmp_path):
    """Issue 3: at some concurrencies (12, 32) a fleet call used to stall until its deadline, dozens of targets
    timing out. The lab BMC process wedged (pyghmi's I/O thread blocked in recvfrom on a socket that the main thread
    had switched back to blocking), and the client shared pyghmi's sockets and I/O thread between its worker threads.
    Every target must answer correctly in every round, far inside the deadline."""
    nodes = [{"name": "f%03d" % i, "address": FARM, "port": FARM_PORT + i, "username": USER, "password": PASSWORD,
              "initial_power": bool(i % 2)} for i in range(FARM_SIZE)]
    targets = [{"name": n["name"], "address": FARM, "port": n["port"]} for n in nodes]
    base = dict(targets=targets, timeout=20, **CREDS)
    rounds = [32, 32, 32, 12, 64, 1, 8, 32]
    tasks = [{"name": "round %d" % index, "helion.openstack.ipmi_info": dict(base, gather=["power"], concurrency=conc)}
             for index, conc in enumerate(rounds)]
    tasks += [{"name": "all on", "helion.openstack.ipmi_power": dict(base, state="on", concurrency=32)},
              {"name": "after", "helion.openstack.ipmi_info": dict(base, gather=["power"], concurrency=32)}]
    farm = sims.LabBmcProcess(tmp_path, nodes, name="farm").start(limit=60)
    try:
        start = time.time()
        run = run_tasks(tmp_path, tasks, timeout=600)
        took = time.time() - start
    finally:
        farm.stop()
    assert run.rc == 0, run.stdout[-3000:]
    expected = ["on" if i % 2 else "off" for i in range(FARM_SIZE)]
    for index, conc in enumerate(rounds):
        res = run.result("round %d" % index)
        assert [r["name"] for r in res["results"]] == [n["name"] for n in nodes]
        wrong = [r.get("msg") for r, want in zip(res["results"], expected) if r.get("power") != want]
        assert not wrong, "concurrency %d: %d wrong, e.g. %s" % (conc, len(wrong), wrong[:3])
        assert res["elapsed"] < 10, "concurrency %d took %ss (a stall waits for the 20 s deadline)" % (
            conc, res["elapsed"])
    on = run.result("all on")
    assert [r["changed"] for r in on["results"]] == [not bool(i % 2) for i in range(FARM_SIZE)]
    assert [r.get("power") for r in run.result("after")["results"]] == ["on"] * FARM_SIZE
    assert took < 300


class PortView(object):
    """One client UDP socket used as if it were connected to one BMC, so that sessions to several BMCs come from
    one client port (as pyghmi, which shares a socket between up to 64 sessions, makes them)."""

    def __init__(self, sock, peer):
        self.sock, self.peer = sock, peer

    def send(self, data):
        return self.sock.sendto(data, self.peer)

    def settimeout(self, value):
        self.sock.settimeout(value)

    def recv(self, size):
        while True:
            data, peer = self.sock.recvfrom(size)
            if peer[:2] == self.peer:
                return data

    def close(self):
        pass


def test_lab_bmc_new_login_on_a_used_client_port_keeps_the_other_bmcs_sessions(tmp_path):
    """pyghmi's server drops the sessions of a client port at *every* BMC of the process when a new login comes
    from that port to one of them; with many BMCs in one process that killed other logins in flight."""
    _ipmi = ipmi_client()
    address = "127.77.0.11"
    nodes = [{"name": "p%d" % i, "address": address, "port": 22500 + i, "username": USER, "password": PASSWORD}
             for i in range(2)]
    lab = sims.LabBmcProcess(tmp_path, nodes, name="ports").start()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        def login(index):
            session = _ipmi.LanSession(address, 22500 + index, USER, PASSWORD, "p%d" % index, timeouts=(0.5, 0.5))
            return session.open(PortView(sock, (address, 22500 + index)))

        login(0)
        second = login(1)
        assert second.request(0x00, 0x01)[0] == 0
        again = login(0)  # p0 still holds a session for this port
        assert again.request(0x00, 0x01)[0] == 0
        assert second.request(0x00, 0x01)[0] == 0, "p1 lost its session"
        again.logout()
        second.logout()
    finally:
        sock.close()
        lab.stop()


def test_lab_bmc_socket_reads_never_block():
    labbmc = sims.labbmc
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind(("127.0.0.1", 0))
        sock.setblocking(True)  # what pyghmi's send leaves behind
        start = time.time()
        assert labbmc._io_recvfrom(sock, 100) is None
        assert time.time() - start < 0.5
        labbmc._io_sendto(sock, b"ping", sock.getsockname())
        assert sock.getblocking() is True and labbmc._io_recvfrom(sock, 100)[0] == b"ping"
    finally:
        sock.close()


def test_ipmi15_only_bmc_falls_back_to_pyghmi(peers, monkeypatch):
    """A BMC without IPMI 2.0 gets pyghmi's session. ipmi_sim also speaks 2.0, so the test makes the IPMI 2.0
    session refuse it: what is checked is the fallback (pyghmi's session, with our socket fixes, in the same
    client), not pyghmi's IPMI 1.5 code itself."""
    _ipmi = ipmi_client()

    def refuse(self, sock=None):
        raise _ipmi.Ipmi15Only()

    monkeypatch.setattr(_ipmi.LanSession, "open", refuse)
    sim = dict(name="sim", address=SIM, port=623, **CREDS)
    res = _ipmi.info_target(sim, ["power", "firmware"])
    assert res["errors"] == {} and res["power"] == power_status(SIM)
    assert res["firmware"]["ipmi_version"] == "2.0"
    assert _ipmi.pyghmi_modules()[1]._io_recvfrom is _ipmi._io_recvfrom
