"""IPMI peers for the integration tests and the benchmark: OpenIPMI's ipmi_sim, the lab BMCs (lab/bmc/labbmc.py, a
pyghmi server), a silent UDP socket, and ipmitool to cross-check them. Readiness is a sessionless Get Channel
Authentication Capabilities probe, waited for with common.wait_until (bounded); every stop ends the process."""

import os
import shutil
import socket
import subprocess
import sys

import yaml

from lab.bmc import labbmc
from tests.peers.common import ROOT, Peer, stop_process, wait_until

__all__ = ["ROOT", "LABBMC", "labbmc", "probe", "wait_ready", "IpmiSim", "LabBmcProcess", "SilentBmc",
           "stop_process", "ipmitool"]

LABBMC = os.path.join(ROOT, "lab", "bmc", "labbmc.py")

# Get Channel Authentication Capabilities (IPMI 1.5 framing, no session): every BMC answers it.
PROBE = bytes(bytearray([0x06, 0x00, 0xFF, 0x07, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 9,
                         0x20, 0x18, 0xC8, 0x81, 0x00, 0x38, 0x8E, 0x04, 0xB5]))


def probe(address, port, timeout=0.3):
    """True when a BMC answers on address:port (UDP) within `timeout` seconds."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.settimeout(timeout)
        sock.sendto(PROBE, (address, port))
        data, _peer = sock.recvfrom(512)
        return len(data) > 20 and data[0] == 0x06
    except OSError:
        return False
    finally:
        sock.close()


def wait_ready(address, port, proc=None, limit=15.0, log=None):
    """Wait (at most `limit` seconds) until a BMC answers on address:port; PeerError if not, or if proc exits."""
    wait_until(lambda: probe(address, port, 0.3), limit, what="BMC on %s:%s" % (address, port), proc=proc, log=log,
               interval=0)


CHASSIS = """#!/bin/sh
# chassis_control program for ipmi_sim: "get power boot" prints key:value lines, "set power 1" stores them.
dir='{state}'
op="$1"; shift
if [ "$op" = get ]; then
  for key in "$@"; do
    if [ -f "$dir/$key" ]; then echo "$key:$(cat "$dir/$key")"; else
      case "$key" in power) echo power:0;; boot) echo boot:default;; esac; fi
  done
else
  while [ $# -ge 2 ]; do echo "$2" > "$dir/$1"; echo "$1 $2" >> "$dir/actions.log"; shift 2; done
fi
exit 0
"""

SDRS = """sdr type 18
\tdevice_slave_address\t0x20
\tdevice_channel_number\t0
\tchassis\t\ttrue
\tipmb_event_gen\ttrue
\tipmb_event_recv\ttrue
\tfru_inventory\ttrue
\tsel\t\ttrue
\tsdr\t\ttrue
\tsensor\t\ttrue
\tentity_id\tsystem_board
\tentity_instance\t1
\tid_string\t"BMC"
endsdr

sdr type 1
\tsensor_owner_id\t\t0x20
\tsensor_owner_lun\t0
\tchannel_number\t\t0
\tsensor_number\t\t1
\tentity_id\t\tsystem_board
\tentity_instance\t\t1
\tinit_scanning\t\ttrue
\tinit_events\t\ttrue
\tinit_thresholds\t\ttrue
\tinit_hysteresis\t\ttrue
\tinit_sensor_type\ttrue
\tdefault_event_gen_on\ttrue
\tdefault_sensor_scan_on\ttrue
\tsensor_auto_rearm\ttrue
\tsensor_hysteresis\tsettable
\tsensor_threshold_access\tsettable
\tsensor_event_msg_ctrl\tper_state
\tsensor_type\t\tTemperature
\tevent_reading_type_code\t1
\tanalog_data_format\tunsigned
\trate_unit\t\tnone
\tmodifier_unit\t\tnone
\tpercentage\t\tfalse
\tbase_unit\t\tdegrees_C
\tmodifier_unit_code\tunspecified
\tlinearization\t\tlinear
\tm\t\t\t1
\ttolerance\t\t0
\tb\t\t\t0
\taccuracy\t\t0
\taccuracy_exp\t\t0
\tsensor_direction\tinput
\tr_exp\t\t\t0
\tb_exp\t\t\t0
\tsensor_maximum\t\t255
\tsensor_minimum\t\t0
\tuc_thrsh_readable\ttrue
\tunc_thrsh_readable\ttrue
\tunr_thrsh_readable\ttrue
\tuc_thrsh_settable\ttrue
\tunc_thrsh_settable\ttrue
\tunr_thrsh_settable\ttrue
\tid_string\t\t"MBTemp"
endsdr
"""


class IpmiSim(Peer):
    """OpenIPMI's ipmi_sim with power/boot via a chassis_control script, one temperature sensor, a FRU image."""

    what = "ipmi_sim"
    ready_timeout = 15.0

    def __init__(self, workdir, address, port=623, username="admin", password="password",
                 fru=None, temperature=45):
        Peer.__init__(self, os.path.join(str(workdir), "ipmisim-%s-%d" % (address, port)))
        self.address, self.port, self.username, self.password = address, port, username, password
        self.state = os.path.join(self.dir, "chassis")
        os.makedirs(self.state, exist_ok=True)
        fru = fru or labbmc.build_fru(manufacturer="OpenIPMI Sim", product="SimServer", serial="SIM0001",
                                      asset_tag="ASSET-42", mac="52:54:00:00:00:06")
        fru = fru + bytes(256 - len(fru))  # ipmi_sim answers 0xFF to reads past the end of a short file
        self._write("fru.bin", fru, binary=True)
        self._write("MBTemp.val", "%d\n" % temperature)
        chassis = self._write("chassis.sh", CHASSIS.format(state=self.state))
        os.chmod(chassis, 0o755)
        self._write("lan.conf", "\n".join([
            'name "simbmc"',
            "set_working_mc 0x20",
            "  startlan 1",
            "    addr %s %d" % (address, port),
            "    priv_limit admin",
            "    allowed_auths_callback none md2 md5 straight",
            "    allowed_auths_user none md2 md5 straight",
            "    allowed_auths_operator none md2 md5 straight",
            "    allowed_auths_admin none md2 md5 straight",
            "    guid a123456789abcdefa123456789abcdef",
            "  endlan",
            '  chassis_control "%s"' % chassis,
            '  user 2 true "%s" "%s" admin 10 none md2 md5 straight' % (username, password),
            ""]))
        self._write("sim.emu", "\n".join([
            "mc_setbmc 0x20",
            "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr",
            "sel_enable 0x20 1000 0x0a",
            'sensor_add 0x20 0 1 0x01 0x01 poll 1000 file "%s"' % os.path.join(self.dir, "MBTemp.val"),
            "sensor_set_threshold 0x20 0 1 settable 111000 0x60 0x55 0x50 00 00 00",
            'mc_add_fru_data 0x20 0 256 file 0 "%s"' % os.path.join(self.dir, "fru.bin"),
            "mc_enable 0x20",
            ""]))
        self._write("sim.sdrs", SDRS)
        sdrdir = os.path.join(self.dir, "state", "ipmi_sim", "simbmc")
        os.makedirs(sdrdir, exist_ok=True)
        subprocess.run(["sdrcomp", "-o", os.path.join(sdrdir, "sdr.20.main"), os.path.join(self.dir, "sim.sdrs")],
                       check=True, capture_output=True, timeout=30)

    def _write(self, name, content, binary=False):
        path = os.path.join(self.dir, name)
        with open(path, "wb" if binary else "w") as handle:
            handle.write(content)
        return path

    def command(self):
        return ["ipmi_sim", "-c", os.path.join(self.dir, "lan.conf"), "-f", os.path.join(self.dir, "sim.emu"),
                "-s", os.path.join(self.dir, "state"), "-n"]

    def ready(self):
        return probe(self.address, self.port, 0.3)

    def actions(self):
        path = os.path.join(self.state, "actions.log")
        if not os.path.exists(path):
            return []
        with open(path) as handle:
            return [line.strip() for line in handle if line.strip()]


class LabBmcProcess(Peer):
    """lab/bmc/labbmc.py serving the BMCs of a config file in one process.

    Ready once it has written its ready file (every socket bound) and the first BMC answers."""

    what = "labbmc"
    ready_timeout = 20.0

    def __init__(self, workdir, nodes, extra_args=(), name="labbmc"):
        Peer.__init__(self, os.path.join(str(workdir), name))
        self.nodes = nodes
        self.config = os.path.join(self.dir, "bmcs.yml")
        with open(self.config, "w") as handle:
            yaml.safe_dump(nodes, handle)
        self.ready_file = os.path.join(self.dir, "ready")
        self.extra_args = list(extra_args)

    def command(self):
        if os.path.exists(self.ready_file):
            os.unlink(self.ready_file)
        return [sys.executable, LABBMC, "--config", self.config, "--ready-file", self.ready_file] + self.extra_args

    def ready(self):
        first = self.nodes[0]
        return os.path.exists(self.ready_file) and probe(first["address"], int(first.get("port", 623)), 0.3)


class SilentBmc(object):
    """A UDP socket that receives and never answers (a BMC that hangs)."""

    def __init__(self, address, port=623):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, port))

    def stop(self):
        self.sock.close()


def ipmitool(address, port, *args, username="admin", password="password", timeout=20):
    """Run ipmitool (lanplus, cipher suite 3) and return its stdout; raises on failure."""
    exe = shutil.which("ipmitool")
    if exe is None:
        raise RuntimeError("ipmitool is not installed (bindep.txt: ipmitool)")
    cmd = [exe, "-I", "lanplus", "-C", "3", "-N", "1", "-R", "2", "-H", address, "-p", str(port), "-U", username,
           "-E"] + list(args)
    env = dict(os.environ, IPMI_PASSWORD=password)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError("ipmitool %s failed: %s" % (" ".join(args), proc.stderr.strip()))
    return proc.stdout
