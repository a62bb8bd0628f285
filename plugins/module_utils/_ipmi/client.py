# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The IPMI client: BmcClient, one session to one BMC, and the BMC commands the modules use.

This module util is PRIVATE to the collection. It may change without notice.

IPMI 2.0 BMCs get a LanSession (session.py); a BMC that only speaks IPMI 1.5 gets pyghmi's session, with the
socket fix of pyghmi_io.py and a cipher-suite fallback. pyghmi decodes FRU (with BCD plus fields decoded here,
see BcdPlusFru) and SDR data.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import struct
import threading
import time
import traceback
import uuid

from ansible_collections.helion.openstack.plugins.module_utils._ipmi.codec import (
    CHASSIS_CONTROL,
    CRYPTOGRAPHY_IMPORT_ERROR,
    HAS_CRYPTOGRAPHY,
    THRESHOLD_KEYS,
    _text,
    decode_bcd_plus,
    decode_boot_flags,
    decode_threshold_mask,
    encode_boot_flags,
    format_mac,
    health_name,
)
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.errors import (
    IpmiError,
    classify_error,
    completion_text,
    scrub,
    target_label,
)
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.pyghmi_io import install_socket_io
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.session import Ipmi15Only, LanSession

try:
    from pyghmi import exceptions as pyghmi_exc
    from pyghmi.ipmi import fru as pyghmi_fru
    HAS_PYGHMI = HAS_CRYPTOGRAPHY
    PYGHMI_IMPORT_ERROR = CRYPTOGRAPHY_IMPORT_ERROR
except ImportError:  # pragma: no cover - depends on the environment
    pyghmi_exc = pyghmi_fru = None
    HAS_PYGHMI = False
    PYGHMI_IMPORT_ERROR = traceback.format_exc()

_PATCH_LOCK = threading.Lock()
_PATCHED = []


def pyghmi_modules():
    """(pyghmi.ipmi.command, pyghmi.ipmi.private.session), imported on first use: they take about 0.1 s to import
    and only the sensor walk and IPMI 1.5 BMCs need them."""
    from pyghmi.ipmi import command  # pylint: disable=import-outside-toplevel
    from pyghmi.ipmi.private import session  # pylint: disable=import-outside-toplevel
    return command, session


def _install_pyghmi_fixes():
    """Patch pyghmi (1.6.x) where it breaks under a fleet call.

    * Socket blocking mode: sockets stay in one mode, reads are non-blocking per call (see pyghmi_io).
    * Cipher suites: fall back from suite 17 to 3 when the BMC answers the open session with another algorithm
      than the one proposed (pyghmi takes such an answer as given and crashes later)."""
    pyghmi_session = pyghmi_modules()[1]
    with _PATCH_LOCK:
        if _PATCHED:
            return
        install_socket_io(pyghmi_session)
        original = pyghmi_session.Session._got_rmcp_response

        def _got_rmcp_response(self, data):
            if (getattr(self, "attemptedhash", None) == 256 and self.sessioncontext == "OPENSESSION"
                    and len(data) > 16 and data[0] == self.rmcptag and data[1] == 0 and data[16] != 3):
                self.attemptedhash = 1
                self._open_rmcpplus_request()
                return None
            return original(self, data)

        pyghmi_session.Session._got_rmcp_response = _got_rmcp_response
        _PATCHED.append(True)


def session_command(session, address):
    """A pyghmi Command whose requests go through `session` (a LanSession), for pyghmi's SDR and OEM code."""
    command_class = pyghmi_modules()[0].Command
    cmd = command_class.__new__(command_class)
    cmd.onlogon = None
    cmd.bmc = address
    cmd._sdrcachedir = None
    cmd._sdr = None
    cmd._oem = None
    cmd._oemknown = False
    cmd._netchannel = None
    cmd._ipv6support = None
    cmd.certverify = None
    cmd.kwargs = {}
    cmd.ipmi_session = session
    return cmd


class BcdPlusFru(pyghmi_fru.FRU if HAS_PYGHMI else object):
    """pyghmi's FRU decoder with BCD plus fields decoded nibble by nibble (codec.decode_bcd_plus).

    pyghmi writes each BCD plus byte with hex(), which drops the leading zero of every byte below 0x10: bytes
    20 26 08 15 came back as 2026815 where ipmitool reads 20260815."""

    def _decode_tlv(self, offset, lang=0):
        type_length = self.databytes[offset]
        length = type_length & 0x3F
        if type_length >> 6 == 1 and length:
            end = offset + 1 + length
            return decode_bcd_plus(self.databytes[offset + 1:end]).strip(), end
        return super(BcdPlusFru, self)._decode_tlv(offset, lang)


def decode_fru(raw):
    """pyghmi's FRU info dict of raw FRU bytes ({} for none)."""
    if not raw:
        return {}
    return BcdPlusFru(rawdata=bytearray(raw)).info or {}


class BmcClient(object):
    """One IPMI session to one BMC: a LanSession (IPMI 2.0), or pyghmi's session for a BMC that only speaks IPMI
    1.5. command() is a pyghmi Command on top of either (SDR walk, sensor decoding)."""

    def __init__(self, target):
        if not HAS_PYGHMI:
            raise IpmiError(target_label(target), "the pyghmi Python library is not installed", "missing")
        self.target = target
        self.label = target_label(target)
        self.cmd = None
        self.session = None

    def _fail(self, exc, what):
        text = str(exc) if exc is not None and str(exc) not in ("", "None") else None
        if isinstance(exc, struct.error):
            text = "cipher negotiation failed (%s)" % exc
        kind, cause = classify_error(text)
        secrets = [self.target.get("password")]
        return IpmiError(self.label, scrub("%s: %s" % (what, cause), secrets), kind)

    def connect(self, retries=1):
        """Open the session. IPMI 2.0 BMCs get a LanSession (it retries on its own); an IPMI 1.5 BMC gets pyghmi's
        session, retried `retries` times when it got no answer (busy BMCs drop packets)."""
        session = LanSession(self.target["address"], self.target["port"], self.target["username"],
                             self.target["password"], self.label)
        try:
            session.open()
        except Ipmi15Only:
            return self._connect_pyghmi(retries)
        self.session = session
        return self

    def command(self):
        """The pyghmi Command of this session (made on first use for a LanSession)."""
        if self.cmd is None and self.session is not None:
            self.cmd = session_command(self.session, self.target["address"])
        return self.cmd

    def _connect_pyghmi(self, retries):
        _install_pyghmi_fixes()
        for attempt in range(retries + 1):
            try:
                self.cmd = pyghmi_modules()[0].Command(
                    bmc=self.target["address"], userid=self.target["username"], password=self.target["password"],
                    port=int(self.target["port"]), keepalive=False)
                return self
            except Exception as exc:  # pylint: disable=broad-except
                self._forget_session()
                error = self._fail(exc, "cannot open a session")
                if error.kind != "unreachable" or attempt >= retries:
                    raise error
        return self

    def _forget_session(self):
        """Drop pyghmi's cached half-open session for this target, so that a later session starts afresh."""
        key = (self.target["address"], self.target["username"], self.target["password"], int(self.target["port"]),
               None)
        pyghmi_modules()[1].Session.initting_sessions.pop(key, None)

    def close(self):
        if self.session is not None:
            self.session.logout()
            self.session = None
            self.cmd = None
            return
        if self.cmd is not None:
            try:
                self.cmd.ipmi_session.logout()
            except Exception:  # pylint: disable=broad-except
                pass
            self.cmd = None
        self._forget_session()

    def raw(self, netfn, command, data=(), what=None):
        """Raw command. Returns the response data; raises IpmiError with the completion code."""
        code, data = self.raw_code(netfn, command, data, what)
        if code:
            label = what or "netfn 0x%02x cmd 0x%02x" % (netfn, command)
            raise IpmiError(self.label, "%s: %s" % (label, completion_text(code)), "bmc")
        return data

    def raw_code(self, netfn, command, data=(), what=None):
        if self.session is not None:
            try:
                return self.session.request(netfn, command, data)
            except IpmiError as exc:
                raise IpmiError(self.label, "%s: %s" % (what, exc.cause) if what else exc.cause, exc.kind)
        try:
            rsp = self.cmd.raw_command(netfn=netfn, command=command, data=list(data))
        except pyghmi_exc.IpmiException as exc:
            code = getattr(exc, "ipmicode", 0)
            if code:
                return code, []
            raise self._fail(exc, what or "command failed")
        except Exception as exc:  # pylint: disable=broad-except
            raise self._fail(exc, what or "command failed")
        if rsp.get("error"):
            code = rsp.get("code") or 0xFF
            if not rsp.get("code"):
                raise self._fail(rsp.get("error"), what or "command failed")
            return code, []
        return 0, list(rsp.get("data") or [])

    # power ----------------------------------------------------------------------------------------------------
    def get_power(self):
        data = self.raw(0x00, 0x01, what="get chassis status")
        if not data:
            raise IpmiError(self.label, "get chassis status: empty answer", "bmc")
        return "on" if data[0] & 0x01 else "off"

    def chassis_control(self, action):
        self.raw(0x00, 0x02, [CHASSIS_CONTROL[action]], what="chassis control %s" % action)

    def wait_power(self, expect, timeout, interval=0.25):
        """Poll until the BMC reports `expect`; returns the seconds waited or raises a timeout IpmiError."""
        start = time.time()
        while True:
            state = self.get_power()
            if state == expect:
                return round(time.time() - start, 2)
            if time.time() - start >= timeout:
                raise IpmiError(self.label, "power state is still %s %ss after the request (wanted %s)"
                                % (state, timeout, expect), "timeout")
            time.sleep(interval)

    # boot -----------------------------------------------------------------------------------------------------
    def get_boot(self):
        data = self.raw(0x00, 0x09, [5, 0, 0], what="get boot options")
        try:
            return decode_boot_flags(data)
        except ValueError as exc:
            raise IpmiError(self.label, "get boot options: %s" % exc, "bmc")

    def set_boot(self, device, persistent, uefi):
        # set-in-progress, the flags, then acknowledge (as ipmitool and pyghmi do)
        self.raw_code(0x00, 0x08, [0, 1], what="set boot options (in progress)")
        self.raw(0x00, 0x08, [5] + encode_boot_flags(device, persistent, uefi), what="set boot flags")
        self.raw_code(0x00, 0x08, [0, 0], what="set boot options (complete)")

    # inventory ------------------------------------------------------------------------------------------------
    def read_fru(self, fruid=0, chunk=224):
        """Raw FRU bytes; backs off to smaller reads on 0xC8/0xC9/0xCA (some BMCs refuse reads over 32 bytes)."""
        info = self.raw(0x0A, 0x10, [fruid], what="get FRU inventory area info")
        size = info[0] | (info[1] << 8)
        raw = bytearray()
        offset = 0
        chunk = min(chunk, size) if size else 0
        while offset < size and chunk:
            count = min(chunk, size - offset)
            code, data = self.raw_code(0x0A, 0x11, [fruid, offset & 0xFF, offset >> 8, count], what="read FRU data")
            if code in (0xC8, 0xC9, 0xCA):
                if chunk <= 8:
                    cause = "read FRU data: %s even for %d-byte reads" % (completion_text(code), chunk)
                    raise IpmiError(self.label, cause, "bmc")
                chunk = 32 if chunk > 32 else chunk // 2
                continue
            if code:
                raise IpmiError(self.label, "read FRU data: %s" % completion_text(code), "bmc")
            if not data or data[0] == 0:
                break
            raw.extend(data[1:1 + data[0]])
            offset += data[0]
        return bytes(raw)

    def get_guid(self):
        data = self.raw(0x06, 0x37, what="get system GUID")
        if len(data) < 16:
            return None
        return uuid.UUID(bytes_le=bytes(bytearray(data[:16])))

    def get_fru(self):
        raw = self.read_fru(0)
        try:
            return decode_fru(raw)
        except Exception as exc:  # pylint: disable=broad-except
            raise IpmiError(self.label, "cannot decode FRU data: %s" % exc, "bmc")

    def get_firmware(self):
        data = self.raw(0x06, 0x01, what="get device ID")
        if len(data) < 11:
            raise IpmiError(self.label, "get device ID: short answer", "bmc")
        return dict(firmware_version="%d.%02x" % (data[2] & 0x7F, data[3]),
                    ipmi_version="%d.%d" % (data[4] & 0x0F, data[4] >> 4),
                    device_id=data[0], device_revision=data[1] & 0x0F,
                    manufacturer_id=data[6] | (data[7] << 8) | (data[8] << 16),
                    product_id=data[9] | (data[10] << 8))

    def get_lan(self, channel=1):
        out = dict(channel=channel)

        def param(number):
            code, data = self.raw_code(0x0C, 0x02, [channel, number, 0, 0], what="get LAN parameter %d" % number)
            if code:
                raise IpmiError(self.label, "get LAN configuration parameter %d: %s" % (number, completion_text(code)),
                                "bmc")
            return data[1:]

        address = param(3)
        out["ip_address"] = ".".join(str(b) for b in address[:4])
        out["netmask"] = ".".join(str(b) for b in param(6)[:4])
        out["gateway"] = ".".join(str(b) for b in param(12)[:4])
        source = param(4)
        out["ip_source"] = {0: "unspecified", 1: "static", 2: "dhcp", 3: "bios", 4: "other"}.get(
            source[0] & 0x0F if source else 0, "unknown")
        out["mac_address"] = format_mac(param(5)[:6])
        return out

    def get_sensors(self):
        """Sensor readings with health and thresholds; a sensor whose thresholds cannot be read keeps its reading."""
        try:
            cmd = self.command()
            cmd.init_sdr()
            sdr = cmd._sdr
        except IpmiError:
            raise
        except Exception as exc:  # pylint: disable=broad-except
            if isinstance(exc, pyghmi_exc.IpmiException) and getattr(exc, "ipmicode", 0):
                raise IpmiError(self.label, "read SDR repository: %s" % completion_text(exc.ipmicode), "bmc")
            raise self._fail(exc, "read SDR repository")
        out = []
        for number in sdr.get_sensor_numbers():
            entry = sdr.sensors[number]
            code, data = self.raw_code(0x04, 0x2D, [entry.sensor_number], what="get sensor reading")
            item = dict(name=_text(entry.name), number=entry.sensor_number, type=entry.sensor_type, value=None,
                        units=None, health="unknown", states=[], thresholds={})
            if code == 0xCB:
                continue
            if code:
                item["error"] = completion_text(code)
                out.append(item)
                continue
            try:
                reading = entry.decode_sensor_reading(cmd, data)
                item.update(value=reading.value, units=_text(getattr(reading, "units", None)),
                            health=health_name(reading.health), states=list(reading.states or []),
                            unavailable=bool(reading.unavailable))
            except Exception as exc:  # pylint: disable=broad-except
                item["error"] = "cannot decode reading: %s" % exc
            if getattr(entry, "reading_type", None) == 1 or getattr(entry, "has_thresholds", False) or \
                    item.get("units"):
                tcode, tdata = self.raw_code(0x04, 0x27, [entry.sensor_number], what="get sensor thresholds")
                if tcode == 0 and tdata:
                    keys = decode_threshold_mask(tdata)
                    for bit, key in enumerate(THRESHOLD_KEYS):
                        if key in keys and len(tdata) > bit + 1:
                            try:
                                item["thresholds"][key] = entry.decode_value(cmd, tdata[bit + 1])
                            except Exception:  # pylint: disable=broad-except
                                item["thresholds"][key] = tdata[bit + 1]
            out.append(item)
        return out


def with_client(target, func):
    """Open a session to target, run func(client), always close it."""
    client = BmcClient(target).connect()
    try:
        return func(client)
    finally:
        client.close()
