"""IPMI peers for the integration tests and the benchmark: OpenIPMI's ipmi_sim, the lab BMC (pyghmi server),
a silent UDP socket. Every start waits for readiness with a bounded loop; every stop kills the process."""

import os
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
LABBMC = os.path.join(ROOT, "lab", "bmc", "labbmc.py")
sys.path.insert(0, os.path.join(ROOT, "lab", "bmc"))

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


def wait_ready(address, port, proc=None, limit=15.0):
    from labbmc_probe import probe  # noqa: PLC0415
    deadline = time.time() + limit
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("peer on %s:%s exited with %s" % (address, port, proc.returncode))
        if probe(address, port, 0.3):
            return
    raise RuntimeError("peer on %s:%s not ready after %ss" % (address, port, limit))


class IpmiSim(object):
    """OpenIPMI's ipmi_sim with power/boot via a chassis_control script, one temperature sensor, a FRU image."""

    def __init__(self, workdir, address, port=623, username="admin", password="password",
                 fru=None, temperature=45):
        self.dir = os.path.join(str(workdir), "ipmisim-%s-%d" % (address, port))
        self.address, self.port, self.username, self.password = address, port, username, password
        os.makedirs(self.dir, exist_ok=True)
        self.state = os.path.join(self.dir, "chassis")
        os.makedirs(self.state, exist_ok=True)
        import labbmc  # noqa: PLC0415
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
        self.proc = None

    def _write(self, name, content, binary=False):
        path = os.path.join(self.dir, name)
        with open(path, "wb" if binary else "w") as handle:
            handle.write(content)
        return path

    def start(self):
        log = open(os.path.join(self.dir, "sim.log"), "w")
        self.proc = subprocess.Popen(["ipmi_sim", "-c", os.path.join(self.dir, "lan.conf"), "-f",
                                      os.path.join(self.dir, "sim.emu"), "-s", os.path.join(self.dir, "state"), "-n"],
                                     stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.dir)
        log.close()
        wait_ready(self.address, self.port, self.proc)
        return self

    def stop(self):
        stop_process(self.proc)

    def actions(self):
        path = os.path.join(self.state, "actions.log")
        if not os.path.exists(path):
            return []
        with open(path) as handle:
            return [line.strip() for line in handle if line.strip()]


class LabBmcProcess(object):
    """lab/bmc/labbmc.py serving the BMCs of a config file in one process."""

    def __init__(self, workdir, nodes, extra_args=(), name="labbmc"):
        import yaml  # noqa: PLC0415
        self.dir = os.path.join(str(workdir), name)
        os.makedirs(self.dir, exist_ok=True)
        self.nodes = nodes
        self.config = os.path.join(self.dir, "bmcs.yml")
        with open(self.config, "w") as handle:
            yaml.safe_dump(nodes, handle)
        self.extra_args = list(extra_args)
        self.proc = None

    def start(self, limit=20.0):
        ready = os.path.join(self.dir, "ready")
        if os.path.exists(ready):
            os.unlink(ready)
        log = open(os.path.join(self.dir, "labbmc.log"), "w")
        self.proc = subprocess.Popen([sys.executable, LABBMC, "--config", self.config, "--ready-file", ready]
                                     + self.extra_args, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.time() + limit
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.time() > deadline:
                stop_process(self.proc)
                with open(os.path.join(self.dir, "labbmc.log")) as handle:
                    raise RuntimeError("labbmc did not start: " + handle.read()[-2000:])
            time.sleep(0.05)
        wait_ready(self.nodes[0]["address"], int(self.nodes[0].get("port", 623)), self.proc)
        return self

    def stop(self):
        stop_process(self.proc)


class SilentBmc(object):
    """A UDP socket that receives and never answers (a BMC that hangs)."""

    def __init__(self, address, port=623):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, port))

    def stop(self):
        self.sock.close()


def stop_process(proc, limit=5.0):
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(limit)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(limit)


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
