# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lab BMC: one IPMI 2.0 BMC per lab node, built on pyghmi's Bmc server class.

A lab tool (not part of the collection's plugins). It answers IPMI over LAN (lanplus, cipher suite 3) so that
the collection's ipmi_* modules, ipmitool and Ironic can drive lab nodes that are containers:

* power on / off / reset / cycle / soft-off run the node's ``on_cmd`` / ``off_cmd`` hook commands
  (for instance ``docker start {name}``); the power state comes from ``status_cmd`` (exit status 0 and the first
  word of its output one of true/on/running/1 means "on"); without a ``status_cmd`` the state is kept in memory;
* boot device "network" followed by a power on (or reset/cycle) re-provisions the node: ``reprovision_cmd`` runs
  instead of ``on_cmd`` (it must leave the node running); a one-time boot device is cleared afterwards;
* FRU 0 (Get FRU Inventory Area Info / Read FRU Data) describes the node: manufacturer, product, serial, asset tag
  and, as a product custom field ``MAC:xx:xx:..``, the node's PXE MAC when ``mac`` is set; Get System GUID returns
  the node's UUID;
* a hook command is run with ``sh -c``; ``{name}`` and ``{address}`` in it are replaced. A hook that is null or
  empty is skipped (the state changes in memory only), so the tool runs without Docker.

Run: ``python lab/bmc/labbmc.py --config bmcs.yml`` (all BMCs of the file in one process), or one BMC from the
command line: ``python lab/bmc/labbmc.py --name n1 --address 127.0.0.2 --port 623 --on-cmd 'docker start {name}'``.

Config file: a YAML list (or a mapping with key ``bmcs``) of
``{name, address, port (623), username (admin), password (password), on_cmd, off_cmd, reprovision_cmd, status_cmd,
mac, uuid, serial, asset_tag}``.
"""

import argparse
import faulthandler
import hashlib
import logging
import os
import shlex
import signal
import subprocess
import sys
import threading
import uuid as uuidlib

from pyghmi.ipmi import bmc
from pyghmi.ipmi.private import serversession
import pyghmi.ipmi.private.session as ipmisession


def _collection_path():
    """The directory that holds ``ansible_collections/helion/openstack`` for this checkout: the one above an
    enclosing ``ansible_collections`` tree (an installed collection, ansible-test's copy), else ``.venv/collections``
    of the checkout, where scripts/bootstrap.sh links the collection."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parts = root.split(os.sep)
    if len(parts) > 3 and parts[-3] == "ansible_collections":
        return os.sep.join(parts[:-3]) or os.sep
    return os.path.join(root, ".venv", "collections")


if _collection_path() not in sys.path:
    sys.path.insert(0, _collection_path())

try:
    # The socket fix is the collection's own, shared with its IPMI client (one copy of it).
    from ansible_collections.helion.openstack.plugins.module_utils._ipmi.pyghmi_io import (
        install_socket_io,
        io_recvfrom,
        io_sendto,
    )
except ImportError as exc:
    raise ImportError("labbmc needs the helion.openstack collection at %s (scripts/bootstrap.sh links it there): %s"
                      % (os.path.join(_collection_path(), "ansible_collections", "helion", "openstack"), exc)) from exc

# pyghmi's names for the two functions install_server_fixes puts into pyghmi's session module
_io_sendto, _io_recvfrom = io_sendto, io_recvfrom

LOG = logging.getLogger("labbmc")
HOOK_TIMEOUT = 120
ON_WORDS = ("true", "on", "running", "1")
BOOT_CODES = {"default": 0, "network": 1, "hd": 2, "optical": 5, "setup": 6, "floppy": 0xF}
BOOT_NAMES = dict((v, k) for k, v in BOOT_CODES.items())
_SHIM_LOCK = threading.Lock()
_SHIM_INSTALLED = [False]
REFUSE_ALL_SUITES = [False]  # --refuse-ciphers: emulate a BMC whose cipher suites no client supports


def install_server_fixes(cipher_shim=True):
    """Patch pyghmi's server (1.6.x) where it breaks under real use.

    * Cipher suites: pyghmi's server always answers "suite 3" whatever the client proposed; clients that proposed
      suite 17 (SHA-256) then crash or fail. With cipher_shim it refuses other proposals with RMCP+ status 0x11
      ("no cipher suite match"), so every client falls back to suite 3.
    * Reused client ports: a new client session from a UDP source port that an earlier session used is routed to
      the old server session, which has no `sessionless_data` and raises AttributeError (killing the server).
      Sessionless packets are handed to the BMC, and a closed session is forgotten.
    * Many BMCs in one process: when a client starts a new session to a BMC from a UDP port that still has a
      session there (a close that never came, a client retrying its login), pyghmi drops the server sessions of
      that client port at *every* BMC of the process, and the client's other logins in flight go unanswered.
      Only the session at that BMC is dropped now.
    * Socket blocking mode (the wedge): pyghmi's send sets the BMC socket blocking and its I/O thread sets it
      non-blocking just before each read. A response sent from the main thread between the two left the I/O
      thread blocked in recvfrom() on a socket with nothing more to read, and with it every BMC of the process,
      until a packet came to that one BMC (never, once its client had given up). Sockets now stay in one mode:
      reads are non-blocking per call (MSG_DONTWAIT, or select() first). The fix is the collection's
      (plugins/module_utils/_ipmi/pyghmi_io.py), the one its IPMI client installs for pyghmi's sessions.
    """
    with _SHIM_LOCK:
        if _SHIM_INSTALLED[0]:
            return
        original = serversession.ServerSession.create_open_session_response

        def create_open_session_response(self, request):
            response = original(self, request)
            if REFUSE_ALL_SUITES[0] or (cipher_shim and len(request) > 12 and request[12] != 1):
                response[1] = 0x11
            return response

        def sessionless_data(self, data, sockaddr):
            self.bmc.sessionless_data(data, sockaddr)

        def close_server_session(self):
            for key, ports in list(ipmisession.Session.bmc_handlers.items()):
                for port, handler in list(ports.items()):
                    if handler is self:
                        del ports[port]
                if not ports:
                    ipmisession.Session.bmc_handlers.pop(key, None)

        def handle_ipmi_packet(self, data, sockaddr=None, qent=None):
            if (len(data) > 13 and data[4] in (0, 2) and not any(data[5:13]) and sockaddr is not None
                    and qent is not None and qent[2] in ipmisession.Session.bmc_handlers):
                ports = ipmisession.Session.bmc_handlers.get(sockaddr, {})
                if ports.get(self.bmc.port) is self:
                    del ports[self.bmc.port]
                    if not ports:
                        ipmisession.Session.bmc_handlers.pop(sockaddr, None)
                self.bmc.sessionless_data(data, sockaddr)
                return None
            return original_handle(self, data, sockaddr=sockaddr, qent=qent)

        original_handle = serversession.ServerSession._handle_ipmi_packet
        serversession.ServerSession._handle_ipmi_packet = handle_ipmi_packet
        install_socket_io(ipmisession)
        serversession.ServerSession.create_open_session_response = create_open_session_response
        serversession.ServerSession.sessionless_data = sessionless_data
        serversession.ServerSession.close_server_session = close_server_session
        _SHIM_INSTALLED[0] = True


def _field(text):
    data = (text or "").encode("ascii", "replace")[:63]
    return bytearray([0xC0 | len(data)]) + data


def _area(body):
    """Close a FRU area: end marker, pad to a multiple of 8 with the checksum last, fix the length byte."""
    body = bytearray(body) + bytearray([0xC1])
    while (len(body) + 1) % 8:
        body.append(0)
    body[1] = (len(body) + 1) // 8
    body.append((-sum(body)) & 0xFF)
    return body


def build_fru(manufacturer="Helion Lab", product="lab-node", serial="", asset_tag="", part="LAB-1",
              version="1.0", mac=None):
    """An IPMI FRU image (common header, board area, product area) as bytes."""
    board = _area(bytearray([1, 0, 0, 0, 0, 0]) + _field(manufacturer) + _field(product) + _field(serial)
                  + _field(part) + _field(""))
    custom = _field("MAC:" + mac) if mac else bytearray()
    prod = _area(bytearray([1, 0, 0]) + _field(manufacturer) + _field(product) + _field(part) + _field(version)
                 + _field(serial) + _field(asset_tag) + _field("") + custom)
    header = bytearray([1, 0, 0, 1, 1 + len(board) // 8, 0, 0])
    header.append((-sum(header)) & 0xFF)
    return bytes(header + board + prod)


def stable_uuid(name):
    return uuidlib.UUID(hashlib.md5(("helion-lab-" + name).encode()).hexdigest())


class LabBmc(bmc.Bmc):
    """A BMC for one lab node. Power and provisioning go through hook commands."""

    def __init__(self, node, fru_read_limit=None):
        self.node = dict(node)
        self.name = node["name"]
        self.powered = bool(node.get("initial_power", False))
        self.bootdev = "default"
        self.boot_persistent = False
        self.boot_uefi = False
        self.fru_read_limit = fru_read_limit
        self.actions = []
        self._action_lock = threading.Lock()
        self.uuid_value = uuidlib.UUID(node["uuid"]) if node.get("uuid") else stable_uuid(self.name)
        self.fru = build_fru(product=node.get("product", "lab-node"), serial=node.get("serial") or self.name.upper(),
                             asset_tag=node.get("asset_tag") or "", mac=node.get("mac"))
        super(LabBmc, self).__init__({node.get("username") or "admin": node.get("password") or "password"},
                                     port=int(node.get("port") or 623), address=node["address"],
                                     bmcuuid=self.uuid_value)
        self.firmwaremajor = 2
        self.firmwareminor = 0x10

    # hooks -------------------------------------------------------------------------------------------------
    def _hook(self, key):
        cmd = self.node.get(key)
        self.actions.append(key)
        if not cmd:
            return 0
        cmd = cmd.replace("{name}", shlex.quote(self.name)).replace("{address}", self.node["address"])
        try:
            proc = subprocess.run(["sh", "-c", cmd], check=False, capture_output=True, text=True, timeout=HOOK_TIMEOUT)
        except subprocess.TimeoutExpired:
            LOG.error("%s: %s timed out", self.name, key)
            return 0xFF
        if proc.returncode != 0:
            LOG.error("%s: %s failed (%s): %s", self.name, key, proc.returncode, proc.stderr.strip())
            return 0xFF
        return 0

    def _boot(self):
        if self.bootdev == "network":
            rc = self._hook("reprovision_cmd") if self.node.get("reprovision_cmd") else self._hook("on_cmd")
            if not self.boot_persistent:
                self.bootdev = "default"
        else:
            rc = self._hook("on_cmd")
        if rc == 0:
            self.powered = True
        return rc

    # pyghmi Bmc interface ----------------------------------------------------------------------------------
    def get_power_state(self):
        cmd = self.node.get("status_cmd")
        if not cmd:
            return "on" if self.powered else "off"
        cmd = cmd.replace("{name}", shlex.quote(self.name)).replace("{address}", self.node["address"])
        try:
            proc = subprocess.run(["sh", "-c", cmd], check=False, capture_output=True, text=True, timeout=HOOK_TIMEOUT)
        except subprocess.TimeoutExpired:
            return "off"
        words = proc.stdout.split()
        return "on" if proc.returncode == 0 and words and words[0].lower() in ON_WORDS else "off"

    def _act(self, action):
        """A real BMC acknowledges a chassis control at once and acts after it. With a status_cmd (the state is
        read from the node, such as its container), the hooks run in a thread, one action at a time per BMC,
        so that a slow `docker stop` holds up neither this answer nor the other BMCs of the process."""
        if not self.node.get("status_cmd"):
            return action()

        def run():
            with self._action_lock:
                action()
        threading.Thread(target=run, name="labbmc-%s" % self.name, daemon=True).start()
        return 0

    def _off(self):
        rc = self._hook("off_cmd")
        if rc == 0:
            self.powered = False
        return rc

    def power_on(self):
        if self.get_power_state() == "on":
            return 0
        return self._act(self._boot)

    def power_off(self):
        return self._act(self._off)

    power_shutdown = power_off

    def power_reset(self):
        return self._act(lambda: self._off() or self._boot())

    power_cycle = power_reset

    def get_boot_device(self):
        return self.bootdev

    def get_system_guid(self):
        return self.uuid_value

    def get_system_boot_options(self, request, session):
        if request["data"][0] != 5:
            return session.send_ipmi_response(code=0x80)
        flags = 0
        if self.bootdev != "default":
            flags = 0x80 | (0x40 if self.boot_persistent else 0) | (0x20 if self.boot_uefi else 0)
        code = BOOT_CODES.get(self.bootdev, 0)
        return session.send_ipmi_response(data=[1, 5, flags, code << 2, 0, 0, 0])

    def set_system_boot_options(self, request, session):
        data = request["data"]
        if data[0] != 5:
            return session.send_ipmi_response()
        device = BOOT_NAMES.get((data[2] >> 2) & 0xF) if len(data) > 2 else None
        if device is None:
            return session.send_ipmi_response(code=0xCC)
        self.bootdev = device if data[1] & 0x80 else "default"
        self.boot_persistent = bool(data[1] & 0x40)
        self.boot_uefi = bool(data[1] & 0x20)
        return session.send_ipmi_response()

    def handle_raw_request(self, request, session):
        if request["netfn"] == 0x0A and request["command"] in (0x10, 0x11):
            data = request["data"]
            if not data or data[0] != 0:
                return session.send_ipmi_response(code=0xCB)
            if request["command"] == 0x10:
                return session.send_ipmi_response(data=[len(self.fru) & 0xFF, len(self.fru) >> 8, 0])
            offset, count = data[1] | (data[2] << 8), data[3]
            if self.fru_read_limit and count > self.fru_read_limit:
                return session.send_ipmi_response(code=0xC8)
            chunk = bytearray(self.fru[offset:offset + count])
            return session.send_ipmi_response(data=[len(chunk)] + list(chunk))
        if request["netfn"] == 6 and request["command"] == 1:
            return self.send_device_id(session)
        return super(LabBmc, self).handle_raw_request(request, session)


def load_config(path):
    import yaml

    with open(path) as handle:
        data = yaml.safe_load(handle) or []
    if isinstance(data, dict):
        data = data.get("bmcs", [])
    if not isinstance(data, list):
        raise ValueError("%s: expected a list of BMCs" % path)
    for entry in data:
        for key in ("name", "address"):
            if not entry.get(key):
                raise ValueError("%s: every BMC needs %s (got %r)" % (path, key, entry))
    return data


def serve(nodes, cipher_shim=True, fru_read_limit=None, ready_file=None, refuse_ciphers=False):
    if hasattr(signal, "SIGUSR1"):
        faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1 <pid>` dumps the stacks to stderr
    REFUSE_ALL_SUITES[0] = refuse_ciphers
    install_server_fixes(cipher_shim=cipher_shim)
    servers = [LabBmc(node, fru_read_limit=fru_read_limit) for node in nodes]
    LOG.info("serving %d BMC(s)", len(servers))
    if ready_file:
        with open(ready_file + ".tmp", "w") as handle:
            handle.write("%d\n" % os.getpid())
        os.rename(ready_file + ".tmp", ready_file)
    while True:
        try:
            ipmisession.Session.wait_for_rsp(30)
        except Exception:  # noqa: BLE001  (one bad packet must not take every BMC down)
            LOG.exception("error while handling a packet")


def main(argv=None):
    parser = argparse.ArgumentParser(description="IPMI BMCs for lab nodes (pyghmi server).")
    parser.add_argument("--config", help="YAML list of BMCs")
    parser.add_argument("--name")
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=623)
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default=os.environ.get("LABBMC_PASSWORD", "password"))
    parser.add_argument("--on-cmd")
    parser.add_argument("--off-cmd")
    parser.add_argument("--reprovision-cmd")
    parser.add_argument("--status-cmd")
    parser.add_argument("--mac")
    parser.add_argument("--count", type=int, default=1,
                        help="with --name: serve COUNT in-memory BMCs on consecutive ports (benchmarks)")
    parser.add_argument("--fru-read-limit", type=int, default=None,
                        help="answer 0xC8 to FRU reads larger than this (emulates picky BMCs)")
    parser.add_argument("--no-cipher-shim", action="store_true",
                        help="keep pyghmi's server behaviour of answering suite 3 to any proposal")
    parser.add_argument("--refuse-ciphers", action="store_true",
                        help="refuse every cipher suite (status 0x11), to test clients' error handling")
    parser.add_argument("--ready-file", help="write the pid to this file once the sockets are bound")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s labbmc %(message)s")
    if args.config:
        nodes = load_config(args.config)
    elif args.name:
        nodes = []
        for index in range(args.count):
            nodes.append({"name": args.name if args.count == 1 else "%s%d" % (args.name, index),
                          "address": args.address, "port": args.port + index, "username": args.username,
                          "password": args.password, "on_cmd": args.on_cmd, "off_cmd": args.off_cmd,
                          "reprovision_cmd": args.reprovision_cmd, "status_cmd": args.status_cmd, "mac": args.mac})
    else:
        parser.error("give --config or --name")
    serve(nodes, cipher_shim=not args.no_cipher_shim, fru_read_limit=args.fru_read_limit,
          ready_file=args.ready_file, refuse_ciphers=args.refuse_ciphers)


if __name__ == "__main__":
    sys.exit(main())
