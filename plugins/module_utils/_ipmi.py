# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""IPMI over LAN for the helion.openstack ipmi_* modules and bmc_discover.

This module util is PRIVATE to the collection. It may change without notice.

Pure helpers (target lists, power plans, boot-flag coding and comparison, FRU shaping, error mapping, fleet result
shaping, CIDR expansion, the sessionless Get Channel Authentication Capabilities packet, RMCP+ packet framing) come
first; then the IPMI 2.0 session (LanSession: one UDP socket per session, nothing shared between sessions), the
client (BmcClient; pyghmi decodes FRU and SDR data and still serves BMCs that only speak IPMI 1.5) and a fleet runner
that runs each target in a worker thread with a hard deadline.
Everything raises IpmiError, whose message names the BMC and the cause.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac
import ipaddress
import os
import random
import re
import select
import socket
import struct
import threading
import time
import traceback

from queue import Empty, Queue

try:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from pyghmi import exceptions as pyghmi_exc
    from pyghmi.ipmi import fru as pyghmi_fru
    HAS_PYGHMI = True
    PYGHMI_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - depends on the environment
    HAS_PYGHMI = False
    PYGHMI_IMPORT_ERROR = traceback.format_exc()

DEFAULT_PORT = 623
MAX_SCAN_ADDRESSES = 4096
POWER_STATES = ("on", "off", "soft-off", "reset", "cycle")
BOOT_DEVICES = {"network": 1, "disk": 2, "cdrom": 5, "bios": 6, "default": 0}
BOOT_NAMES = dict((code, name) for name, code in BOOT_DEVICES.items())
BOOT_NAMES.update({3: "disk-safe", 4: "diagnostic", 7: "floppy", 15: "floppy"})
INFO_SECTIONS = ("power", "boot", "fru", "sensors", "lan", "firmware")
FAIL_ON_ERROR = ("any", "all", "none")
HEALTH = {0: "ok", 1: "warning", 2: "critical", 4: "failed"}
THRESHOLD_KEYS = ("lower_non_critical", "lower_critical", "lower_non_recoverable",
                  "upper_non_critical", "upper_critical", "upper_non_recoverable")
MAC_TOKEN_RE = re.compile(r"^(?:[A-Za-z_]+[:-])?([0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){5})$")
TOKEN_SPLIT_RE = re.compile(r"[^0-9A-Za-z:_-]+")
SECRET_KEYS = ("password", "username", "kg")


class IpmiError(Exception):
    """The one error of this module util: names the BMC (target) and the cause; kind is a short category."""

    def __init__(self, target, cause, kind="error"):
        self.target = target
        self.cause = cause
        self.kind = kind
        super(IpmiError, self).__init__("BMC %s: %s" % (target, cause))


# ---------------------------------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------------------------------

def target_label(target):
    """'name (address:port)', or 'address:port' when the name is the address."""
    where = "%s:%s" % (target.get("address"), target.get("port") or DEFAULT_PORT)
    name = target.get("name")
    if name and name != target.get("address"):
        return "%s (%s)" % (name, where)
    return where


def build_targets(params):
    """The list of targets from module params: `targets` entries filled with the top-level defaults, or one
    target from `address`. Raises IpmiError when neither is given or an entry has no address."""
    defaults = dict(port=params.get("port") or DEFAULT_PORT, username=params.get("username"),
                    password=params.get("password"))
    raw = params.get("targets")
    if raw is None:
        if not params.get("address"):
            raise IpmiError("(none)", "give either address or targets", "invalid")
        raw = [dict(address=params["address"], name=params.get("name"))]
    out = []
    seen = set()
    for index, entry in enumerate(raw):
        entry = dict(entry or {})
        if not entry.get("address"):
            raise IpmiError("targets[%d]" % index, "has no address", "invalid")
        target = dict(defaults)
        for key in ("port", "username", "password"):
            if entry.get(key) not in (None, ""):
                target[key] = entry[key]
        target["address"] = str(entry["address"])
        target["port"] = int(target["port"])
        target["name"] = entry.get("name") or target["address"]
        if target["name"] in seen:
            raise IpmiError(target_label(target), "duplicate target name", "invalid")
        seen.add(target["name"])
        if not target.get("username") or target.get("password") is None:
            raise IpmiError(target_label(target), "no username/password (set them on the target or at top level)",
                            "invalid")
        out.append(target)
    return out


def public_target(target):
    """The target without credentials, for results."""
    return dict(name=target["name"], address=target["address"], port=target["port"])


def scrub(value, secrets):
    """Replace every secret string inside value (str, list, dict) by '********'."""
    secrets = [s for s in secrets if s and len(str(s)) >= 3]
    if not secrets:
        return value
    if isinstance(value, dict):
        return dict((k, scrub(v, secrets)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [scrub(v, secrets) for v in value]
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(str(secret), "********")
    return value


# ---------------------------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------------------------

_ERROR_PATTERNS = (
    (re.compile(r"incorrect password|unauthorized name|invalid (user ?name|password)|rakp|unauthorized|"
                r"insufficient privilege|invalid role", re.I), "auth",
     "authentication failed (wrong username or password)"),
    (re.compile(r"cipher|no matching|integrity algorithm|confidentiality algorithm|authentication algorithm|"
                r"pack expected", re.I), "cipher", "no usable cipher suite (tried 17, then 3)"),
    (re.compile(r"timed? ?out|timeout", re.I), "timeout", "timed out waiting for the BMC"),
    (re.compile(r"unreachable|no route|refused|name or service not known|not known|"
                r"session failed to initialize|no answer", re.I), "unreachable",
     "no answer from the BMC (unreachable, wrong port or not a BMC)"),
)


def classify_error(text):
    """(kind, cause) for an error text from pyghmi or the network. Unknown texts keep their wording."""
    if text in (None, "", "None"):
        return "unreachable", "no answer from the BMC (unreachable, wrong port or not a BMC)"
    text = str(text)
    for pattern, kind, cause in _ERROR_PATTERNS:
        if pattern.search(text):
            return kind, cause
    return "error", text


COMPLETION_CODES = {
    0xC0: "node busy", 0xC1: "command not supported", 0xC2: "invalid command for this LUN",
    0xC3: "timeout while processing command", 0xC7: "request data length invalid",
    0xC8: "request data field length limit exceeded", 0xC9: "parameter out of range",
    0xCA: "cannot return number of requested data bytes", 0xCB: "requested sensor, data or record not present",
    0xCC: "invalid data field in request", 0xD4: "insufficient privilege level", 0xD5: "not supported in present state",
    0xFF: "unspecified error",
}


def completion_text(code):
    return "completion code 0x%02X (%s)" % (code, COMPLETION_CODES.get(code, "unknown"))


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


CHASSIS_CONTROL = {"off": 0, "on": 1, "cycle": 2, "reset": 3, "shutdown": 5}


# ---------------------------------------------------------------------------------------------------------------
# Boot flags (Get/Set System Boot Options, parameter 5)
# ---------------------------------------------------------------------------------------------------------------

def encode_boot_flags(device, persistent, uefi):
    """The 5 data bytes of boot-flags parameter 5 (valid bit set)."""
    if device not in BOOT_DEVICES:
        raise ValueError("unknown boot device %r" % device)
    flags = 0x80 | (0x40 if persistent else 0) | (0x20 if uefi else 0)
    return [flags, BOOT_DEVICES[device] << 2, 0, 0, 0]


def decode_boot_flags(data):
    """Decode a Get System Boot Options (param 5) response: [version, param, flags, device, ...].

    Returns dict(device, persistent, uefi, valid). `device` is what the selector bits say even when the valid bit
    is clear (many simulators, ipmi_sim among them, never set it).
    """
    data = list(data)
    if len(data) < 4:
        raise ValueError("boot flags response too short: %r" % (data,))
    flags, selector = data[2], (data[3] >> 2) & 0x0F
    return dict(device=BOOT_NAMES.get(selector, "unknown-%d" % selector), persistent=bool(flags & 0x40),
                uefi=bool(flags & 0x20), valid=bool(flags & 0x80))


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


# ---------------------------------------------------------------------------------------------------------------
# FRU, sensors, MACs
# ---------------------------------------------------------------------------------------------------------------

def _text(value):
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("ascii", "replace")
    value = str(value).strip().strip("\x00")
    return value or None


def find_macs(strings):
    """MAC addresses (lower case, colon form) found in a list of FRU strings, in order, without duplicates."""
    out = []
    for item in strings or []:
        tokens = TOKEN_SPLIT_RE.split(_text(item) or "")
        for match in [MAC_TOKEN_RE.match(token) for token in tokens]:
            if not match:
                continue
            mac = match.group(1).lower().replace("-", ":")
            if mac not in out:
                out.append(mac)
    return out


def shape_fru(info, guid=None):
    """Inventory dict from pyghmi's FRU info dict (+ the system GUID)."""
    info = info or {}
    extra = list(info.get("product_extra") or []) + list(info.get("board_extra") or []) + \
        list(info.get("chassis_extra") or [])
    return dict(
        manufacturer=_text(info.get("Manufacturer")) or _text(info.get("Board manufacturer")),
        product=_text(info.get("Product name")) or _text(info.get("Board product name")),
        model=_text(info.get("Model")) or _text(info.get("Board model")),
        serial=_text(info.get("Serial Number")) or _text(info.get("Board serial number"))
        or _text(info.get("Chassis serial number")),
        asset_tag=_text(info.get("Asset Number")),
        board_serial=_text(info.get("Board serial number")),
        uuid=str(guid) if guid else None,
        macs=find_macs(extra),
        extra=[_text(x) for x in extra if _text(x)],
    )


def health_name(code):
    if code in HEALTH:
        return HEALTH[code]
    for bit in (4, 2, 1):
        if code and code & bit:
            return HEALTH[bit]
    return "ok"


def decode_threshold_mask(data):
    """Which thresholds a Get Sensor Thresholds response says are readable: ordered list of keys."""
    mask = data[0] if data else 0
    return [key for bit, key in enumerate(THRESHOLD_KEYS) if mask & (1 << bit)]


def format_mac(raw):
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw.lower()
    return ":".join("%02x" % b for b in bytearray(raw))


# ---------------------------------------------------------------------------------------------------------------
# Fleet result shaping
# ---------------------------------------------------------------------------------------------------------------

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


def error_result(target, error):
    """The per-target result of a failure."""
    res = public_target(target)
    res.update(failed=True, changed=False, msg=str(error), error=getattr(error, "kind", "error"))
    return res


# ---------------------------------------------------------------------------------------------------------------
# Discovery: CIDR and the sessionless Get Channel Authentication Capabilities
# ---------------------------------------------------------------------------------------------------------------

def expand_cidr(cidr, limit=MAX_SCAN_ADDRESSES):
    """Host addresses of an IPv4 CIDR (network and broadcast excluded for prefixes < 31). Refuses ranges larger
    than `limit` addresses."""
    try:
        net = ipaddress.ip_network(str(cidr), strict=False)
    except ValueError as exc:
        raise IpmiError(str(cidr), "not a valid network: %s" % exc, "invalid")
    if net.version != 4:
        raise IpmiError(str(cidr), "only IPv4 ranges can be scanned", "invalid")
    if net.num_addresses > limit:
        raise IpmiError(str(cidr), "range holds %d addresses, more than the limit of %d: give a smaller range"
                        % (net.num_addresses, limit), "invalid")
    if net.prefixlen >= 31:
        return [str(a) for a in net]
    return [str(a) for a in net.hosts()]


def _checksum(values):
    return (-sum(values)) & 0xFF


def auth_cap_request(seq=0, v2=True, privilege=4):
    """An RMCP/IPMI 1.5 sessionless Get Channel Authentication Capabilities request (netfn 6, cmd 0x38)."""
    header = [0x20, 0x06 << 2]
    body = [0x81, (seq & 0x3F) << 2, 0x38, 0x8E if v2 else 0x0E, privilege]
    msg = header + [_checksum(header)] + body + [_checksum(body)]
    return bytes(bytearray([0x06, 0x00, 0xFF, 0x07, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, len(msg)] + msg))


def parse_auth_cap_response(data):
    """Parse a Get Channel Authentication Capabilities response. Returns dict or None if not one."""
    data = bytearray(data)
    if len(data) < 14 or data[0] != 0x06 or data[3] != 0x07:
        return None
    auth_type = data[4]
    start = 14 if auth_type == 0 else 30  # 1.5 session header, with a 16-byte auth code when auth type != none
    msg = data[start:]
    if len(msg) < 8 or msg[5] != 0x38:
        return None
    code = msg[6]
    if code != 0:
        return dict(completion_code=code, ipmi_version=None)
    fields = msg[7:]
    if len(fields) < 8:
        return None
    channel, auth_support, auth_status, ext = fields[0], fields[1], fields[2], fields[3]
    v20 = bool(auth_support & 0x80) and bool(ext & 0x02)
    v15 = (not auth_support & 0x80) or bool(ext & 0x01)
    versions = [v for v, ok in (("1.5", v15), ("2.0", v20)) if ok]
    oem = fields[4] | (fields[5] << 8) | (fields[6] << 16)
    return dict(completion_code=0, channel=channel, ipmi_version="2.0" if v20 else "1.5", versions=versions,
                auth_types=[name for bit, name in ((0, "none"), (1, "md2"), (2, "md5"), (4, "password"), (5, "oem"))
                            if auth_support & (1 << bit)],
                anonymous_login=bool(auth_status & 0x04), null_user=bool(auth_status & 0x02),
                per_message_auth=not bool(auth_status & 0x10), oem_id=oem)


def probe_range(addresses, port=DEFAULT_PORT, timeout=1.0, concurrency=64, retries=1, deadline=None):
    """Send Get Channel Auth Capabilities to each address (one UDP socket, at most `concurrency` probes in flight,
    each waiting `timeout` seconds, `retries` extra tries). Only the given addresses are ever contacted.

    Returns {address: parsed response} for the responders.
    """
    found = {}
    pending = list(addresses)
    allowed = set(addresses)
    stop_at = time.time() + deadline if deadline else None
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        inflight = {}  # address -> (sent_at, tries)
        seq = 0
        while pending or inflight:
            now = time.time()
            if stop_at and now > stop_at:
                break
            while pending and len(inflight) < concurrency:
                addr = pending.pop(0)
                inflight[addr] = (now, 0)
                _send_probe(sock, addr, port, seq)
                seq += 1
            ready = select.select([sock], [], [], 0.02)[0]
            while ready:
                try:
                    data, peer = sock.recvfrom(512)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    continue  # ICMP errors (port unreachable) surface here on Linux
                addr = peer[0]
                if addr in allowed and addr not in found:
                    parsed = parse_auth_cap_response(data)
                    if parsed is not None:
                        found[addr] = parsed
                        inflight.pop(addr, None)
                ready = select.select([sock], [], [], 0)[0]
            now = time.time()
            for addr, (sent, tries) in list(inflight.items()):
                if now - sent >= timeout:
                    if tries < retries:
                        inflight[addr] = (now, tries + 1)
                        _send_probe(sock, addr, port, seq)
                        seq += 1
                    else:
                        del inflight[addr]
    finally:
        sock.close()
    return found


def _send_probe(sock, addr, port, seq):
    try:
        sock.sendto(auth_cap_request(seq), (addr, port))
    except OSError:
        pass


# ---------------------------------------------------------------------------------------------------------------
# RMCP+ (IPMI 2.0 over LAN) framing
# ---------------------------------------------------------------------------------------------------------------

RMCP_HEADER = b"\x06\x00\xff\x07"
PAYLOAD_IPMI, PAYLOAD_OPEN_REQUEST, PAYLOAD_OPEN_RESPONSE = 0x00, 0x10, 0x11
PAYLOAD_RAKP1, PAYLOAD_RAKP2, PAYLOAD_RAKP3, PAYLOAD_RAKP4 = 0x12, 0x13, 0x14, 0x15
# cipher suite -> (authentication, integrity, confidentiality algorithm numbers, hash, integrity code length)
CIPHER_SUITES = {17: (3, 4, 1, hashlib.sha256, 16), 3: (1, 1, 1, hashlib.sha1, 12)}
SUITE_ORDER = (17, 3)
CIPHER_STATUS = (0x04, 0x05, 0x06, 0x07, 0x10, 0x11)
RMCP_STATUS = {
    0x01: ("bmc", "the BMC has no free session (insufficient resources)"),
    0x02: ("error", "invalid session ID"),
    0x03: ("error", "invalid payload type"),
    0x08: ("error", "inactive session ID"),
    0x09: ("auth", "invalid role"),
    0x0A: ("auth", "unauthorized role or privilege level"),
    0x0B: ("bmc", "the BMC has no free session at the requested role (insufficient resources)"),
    0x0C: ("auth", "invalid username length"),
    0x0D: ("auth", "unauthorized name"),
    0x0E: ("auth", "unauthorized GUID"),
    0x0F: ("auth", "invalid integrity check value"),
    0x12: ("error", "illegal or unrecognized parameter"),
}


def rmcp_status_error(target, step, status):
    """The IpmiError for an RMCP+ status code in the answer to a session setup step."""
    if status in CIPHER_STATUS:
        return IpmiError(target, "%s: no usable cipher suite (tried %s)" % (step, ", then ".join(
            str(s) for s in SUITE_ORDER)), "cipher")
    kind, text = RMCP_STATUS.get(status, ("error", "RMCP+ status 0x%02X" % status))
    if kind == "auth":
        return IpmiError(target, "%s (%s: %s)" % (classify_error("unauthorized")[1], step, text), "auth")
    return IpmiError(target, "%s: %s" % (step, text), kind)


def ipmi_request(netfn, command, seq, data=(), lun=0):
    """An IPMI LAN request message: BMC address 0x20, software ID 0x81, rqSeq `seq` (6 bits)."""
    head = [0x20, ((netfn << 2) | lun) & 0xFF]
    body = [0x81, (seq & 0x3F) << 2, command] + list(bytearray(data))
    return bytes(bytearray(head + [_checksum(head)] + body + [_checksum(body)]))


def parse_ipmi_response(msg):
    """dict(netfn, seq, command, code, data) of an IPMI LAN response message, or None if it is too short."""
    msg = bytearray(msg)
    if len(msg) < 8:
        return None
    return dict(netfn=msg[1] >> 2, seq=msg[4] >> 2, command=msg[5], code=msg[6], data=list(msg[7:-1]))


def aes_pad(length):
    """The confidentiality trailer for `length` payload bytes: pad bytes 1, 2, ... then the pad length, so that
    payload + trailer fills whole 16-byte blocks."""
    count = (16 - (length + 1) % 16) % 16
    return bytes(bytearray(list(range(1, count + 1)) + [count]))


class SessionKeys(object):
    """The keys of an established session: integrity key K1 and AES key (first 16 bytes of K2)."""

    def __init__(self, sik, hashfn, authlen):
        self.hashfn = hashfn
        self.authlen = authlen
        self.k1 = hmac.new(sik, b"\x01" * 20, hashfn).digest()
        self.aes = hmac.new(sik, b"\x02" * 20, hashfn).digest()[:16]


def seal(payload_type, payload, session_id, seq, keys=None, iv=None):
    """An RMCP+ packet. Without keys (session setup) the payload goes in clear; with keys it is AES-CBC-128
    encrypted (random IV unless given) and the packet ends with its integrity code."""
    payload = bytes(bytearray(payload))
    if keys is None:
        return RMCP_HEADER + struct.pack("<BBIIH", 6, payload_type, session_id, seq, len(payload)) + payload
    iv = iv or os.urandom(16)
    encryptor = Cipher(algorithms.AES(keys.aes), modes.CBC(iv)).encryptor()
    body = iv + encryptor.update(payload + aes_pad(len(payload))) + encryptor.finalize()
    session = struct.pack("<BBIIH", 6, payload_type | 0xC0, session_id, seq, len(body)) + body
    pad = (4 - (len(session) + 2) % 4) % 4
    session += b"\xff" * pad + struct.pack("BB", pad, 7)
    return RMCP_HEADER + session + hmac.new(keys.k1, session, keys.hashfn).digest()[:keys.authlen]


def unseal(packet, keys=None, session_id=None):
    """(payload type, payload) of an RMCP+ packet, or None when it is not one, fails its integrity check, is not
    for `session_id`, or (with keys) is an IPMI payload without integrity protection."""
    packet = bytes(packet)
    if len(packet) < 16 or packet[:4] != RMCP_HEADER or bytearray(packet)[4] != 6:
        return None
    ptype_byte = bytearray(packet)[5]
    ptype = ptype_byte & 0x3F
    sid, _seq, length = struct.unpack("<IIH", packet[6:16])
    payload = packet[16:16 + length]
    if len(payload) < length:
        return None
    if keys is not None and ptype == PAYLOAD_IPMI:
        if not ptype_byte & 0x40 or len(packet) < 16 + length + keys.authlen:
            return None
        code = hmac.new(keys.k1, packet[4:-keys.authlen], keys.hashfn).digest()[:keys.authlen]
        if not hmac.compare_digest(code, packet[-keys.authlen:]):
            return None
        if session_id is not None and sid != session_id:
            return None
        if ptype_byte & 0x80:
            if len(payload) < 32 or len(payload) % 16:
                return None
            decryptor = Cipher(algorithms.AES(keys.aes), modes.CBC(payload[:16])).decryptor()
            clear = decryptor.update(payload[16:]) + decryptor.finalize()
            pad = bytearray(clear)[-1]
            if pad > 15:
                return None
            payload = clear[:-(pad + 1)]
    return ptype, payload


# ---------------------------------------------------------------------------------------------------------------
# Fleet runner: bounded concurrency, hard per-target deadline
# ---------------------------------------------------------------------------------------------------------------

def run_fleet(targets, worker, concurrency=16, deadline=60.0, progress=False):
    """Run worker(target) for every target in worker threads, at most `concurrency` at once. A target whose worker
    runs past `deadline` seconds gets a timeout error; its thread is abandoned (daemon). Results keep the order of
    `targets`; a worker's IpmiError or other exception becomes that target's error result. A finished worker hands
    its slot on at once (a queue, not polling).

    With progress=True the worker is called as worker(target, box) and may keep its partial result in
    box["partial"] (a dict with an `errors` dict): a worker stopped by the deadline then returns that partial
    result, with the deadline in `errors`, instead of losing it."""
    results = [None] * len(targets)
    queue = list(range(len(targets)))
    queue.reverse()
    active = {}  # index -> (started, box)
    finished = Queue()

    def _run(index, box):
        target = targets[index]
        try:
            box["result"] = worker(target, box) if progress else worker(target)
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
                partial = box.get("partial")
                if partial and any(key in partial for key in INFO_SECTIONS):
                    results[index] = finish_partial(dict(partial), "deadline", error)
                else:
                    results[index] = error_result(targets[index], error)
                del active[index]
    return results


# ---------------------------------------------------------------------------------------------------------------
# IPMI client
# ---------------------------------------------------------------------------------------------------------------

_PATCH_LOCK = threading.Lock()
_PATCHED = []


def _io_sendto(sock, packet, sockaddr):
    """pyghmi's _io_sendto without its setblocking(1) (see _install_pyghmi_fixes)."""
    sock = getattr(sock, "fd", sock)
    try:
        sock.sendto(packet, sockaddr)
    except OSError:
        pass


def _io_recvfrom(sock, size):
    """pyghmi's _io_recvfrom without its setblocking(0): a read that never blocks, whatever the socket's mode."""
    try:
        if _DONTWAIT:
            return sock.recvfrom(size, _DONTWAIT)
        if not select.select([sock], [], [], 0)[0]:
            return None
        return sock.recvfrom(size)
    except OSError:
        return None


_DONTWAIT = getattr(socket, "MSG_DONTWAIT", 0)


def pyghmi_modules():
    """(pyghmi.ipmi.command, pyghmi.ipmi.private.session), imported on first use: they take about 0.1 s to import
    and only the sensor walk and IPMI 1.5 BMCs need them."""
    from pyghmi.ipmi import command  # pylint: disable=import-outside-toplevel
    from pyghmi.ipmi.private import session  # pylint: disable=import-outside-toplevel
    return command, session


def _install_pyghmi_fixes():
    """Patch pyghmi (1.6.x) where it breaks under a fleet call.

    * Socket blocking mode: pyghmi's send sets the shared client socket blocking and its I/O thread sets it
      non-blocking just before each read. A send from another thread between the two leaves the I/O thread blocked
      in recvfrom() until some packet comes, and every session of the process waits with it (no retries, no
      timeouts). Sockets now stay in one mode: reads are non-blocking per call.
    * Cipher suites: fall back from suite 17 to 3 when the BMC answers the open session with another algorithm
      than the one proposed (pyghmi takes such an answer as given and crashes later)."""
    pyghmi_session = pyghmi_modules()[1]
    with _PATCH_LOCK:
        if _PATCHED:
            return
        pyghmi_session._io_sendto = _io_sendto
        pyghmi_session._io_recvfrom = _io_recvfrom
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


class Ipmi15Only(Exception):
    """The BMC does not offer IPMI 2.0 (RMCP+): BmcClient falls back to pyghmi's IPMI 1.5 session."""


class _LoginStepTimeout(Exception):
    def __init__(self, step):
        super(_LoginStepTimeout, self).__init__(step)
        self.step = step


class _SuiteRefused(Exception):
    pass


class _RoleRefused(Exception):
    pass


class LanSession(object):
    """One IPMI 2.0 session (RMCP+, cipher suite 17 or 3: HMAC authentication and integrity, AES-CBC-128) to one
    BMC, over its own connected UDP socket.

    Synchronous and self-contained: the thread that uses it does its own sends and blocking receives, and nothing
    is shared with other sessions (pyghmi's sessions share sockets, an I/O thread and class-level tables between
    all sessions of the process). raw_command() has pyghmi's signature and answer shape, so that pyghmi's SDR and
    OEM code can run on top of it (see _session_command).

    Timing: a request is sent up to len(timeouts) times, waiting timeouts[i] (+0-20%) for the answer each time.
    A session setup step (open session, RAKP 1/3) is not resent; the whole setup starts over with a new session
    ID instead (BMCs do not take a repeated RAKP message well), at most len(timeouts) times."""

    ipmiversion = 2.0

    def __init__(self, address, port, username, password, label, timeouts=(1.0, 1.5, 2.5)):
        self.bmc = address
        self.port = int(port)
        self.userid = username.encode("utf-8") if not isinstance(username, bytes) else username
        self.password = password.encode("utf-8") if not isinstance(password, bytes) else password
        self.label = label
        self.timeouts = tuple(timeouts)
        self.sock = None
        self.keys = None
        self.suite = None
        self.privilege = None
        self.console_id = 0
        self.bmc_id = 0
        self.seq = 0
        self.rq_seq = 0
        self.tag = 0
        self.logged = False
        self.refused = False
        self.network_error = None

    # transport ------------------------------------------------------------------------------------------------
    def open(self, sock=None):
        """Log in over `sock` (an object with send, recv, settimeout and close; by default a new UDP socket
        connected to the BMC). Raises IpmiError, or Ipmi15Only; the socket is closed on failure."""
        if sock is None:
            try:
                family, _type, _proto, _name, sockaddr = socket.getaddrinfo(self.bmc, self.port, 0,
                                                                            socket.SOCK_DGRAM)[0]
            except (socket.gaierror, UnicodeError) as exc:
                raise IpmiError(self.label, "cannot resolve the address: %s" % exc, "unreachable")
            sock = socket.socket(family, socket.SOCK_DGRAM)
            try:
                sock.connect(sockaddr)
            except OSError as exc:
                sock.close()
                raise IpmiError(self.label, "cannot open a session: %s" % exc, "unreachable")
        self.sock = sock
        try:
            self._login()
        except BaseException:
            self.logout()  # a session that got as far as RAKP 4 is closed on the BMC too
            raise
        return self

    def _close_socket(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None

    def _exchange(self, make_packet, accept, timeouts):
        """Send make_packet() (called again for each resend) and wait for a datagram that accept() turns into a
        value other than None. Returns that value, or None when every wait in `timeouts` ran out."""
        for wait in timeouts:
            try:
                self.sock.send(make_packet())
            except ConnectionRefusedError:  # the ICMP "port unreachable" of an earlier packet surfaces here
                self.refused = True
            except OSError as exc:  # no route, network down: the wait below runs out
                self.network_error = str(exc)
            end = time.time() + wait * (1.0 + 0.2 * random.random())
            while True:
                left = end - time.time()
                if left <= 0:
                    break
                self.sock.settimeout(left)
                try:
                    data = self.sock.recv(4096)
                except socket.timeout:
                    break
                except ConnectionRefusedError:
                    self.refused = True
                    continue
                except OSError as exc:
                    self.network_error = str(exc)
                    time.sleep(min(left, 0.05))
                    continue
                value = accept(data)
                if value is not None:
                    return value
        return None

    # session setup --------------------------------------------------------------------------------------------
    def _login(self):
        caps = self._exchange(lambda: auth_cap_request(0), parse_auth_cap_response, self.timeouts)
        if caps is None:
            cause = classify_error(None)[1]
            if self.refused:
                cause = "no answer from the BMC (port unreachable: wrong address or port, or not a BMC)"
            elif self.network_error:
                cause = "no answer from the BMC (%s)" % self.network_error
            raise IpmiError(self.label, "cannot open a session: %s" % cause, "unreachable")
        if caps.get("completion_code") or "2.0" not in caps.get("versions", []):
            raise Ipmi15Only()
        privilege = 4
        suites = list(SUITE_ORDER)
        step = None
        for wait in self.timeouts:
            try:
                while True:
                    try:
                        self._setup(suites[0], privilege, wait)
                        return
                    except _SuiteRefused:
                        suites.pop(0)
                        if not suites:
                            raise IpmiError(self.label, "cannot open a session: %s" % classify_error("cipher")[1],
                                            "cipher")
                    except _RoleRefused:
                        if privilege != 4:
                            raise IpmiError(self.label, "cannot open a session: %s (the BMC refuses the "
                                            "administrator and operator roles)" % classify_error("unauthorized")[1],
                                            "auth")
                        privilege = 3
            except _LoginStepTimeout as exc:
                step = exc.step
        cause = "cannot open a session: %s (no answer to %s)" % (classify_error("timeout")[1], step)
        raise IpmiError(self.label, cause, "timeout")

    def _next_tag(self):
        self.tag = (self.tag + 1) & 0xFF
        return self.tag

    def _setup_step(self, payload_type, payload, answer_type, tag, wait, step, check=None):
        """Send one session setup message and wait for its answer (same tag, no resend). Returns the answer. An
        error answer may hold only the tag and the status (ipmi_sim sends just those two bytes)."""
        def accept(data):
            got = unseal(data)
            if got is None or got[0] != answer_type or len(got[1]) < 2 or bytearray(got[1])[0] != tag:
                return None
            answer = bytearray(got[1])
            if answer[1] == 0 and check is not None and not check(answer):
                return None
            return answer
        answer = self._exchange(lambda: seal(payload_type, payload, 0, 0), accept, (wait,))
        if answer is None:
            raise _LoginStepTimeout(step)
        return answer

    def _setup(self, suite, privilege, wait):
        """Open session, RAKP 1-4, set the session privilege level."""
        auth_alg, integrity_alg, conf_alg, hashfn, authlen = CIPHER_SUITES[suite]
        self.keys = None
        self.logged = False
        console_id = struct.unpack("<I", os.urandom(4))[0] | 1
        console_bytes = struct.pack("<I", console_id)
        tag = self._next_tag()
        request = bytearray([tag, 0, 0, 0]) + console_bytes + bytearray([
            0, 0, 0, 8, auth_alg, 0, 0, 0, 1, 0, 0, 8, integrity_alg, 0, 0, 0, 2, 0, 0, 8, conf_alg, 0, 0, 0])
        answer = self._setup_step(PAYLOAD_OPEN_REQUEST, request, PAYLOAD_OPEN_RESPONSE, tag, wait, "open session",
                                  lambda a: len(a) >= 36 and bytes(a[4:8]) == console_bytes)
        if answer[1] in CIPHER_STATUS:
            raise _SuiteRefused()
        if answer[1]:
            raise rmcp_status_error(self.label, "open session", answer[1])
        chosen = (answer[16], answer[24], answer[32])
        if chosen != (auth_alg, integrity_alg, conf_alg):
            # some BMCs (pyghmi's server) answer with another suite than the one proposed: take it if it is known
            known = [s for s in SUITE_ORDER if CIPHER_SUITES[s][:3] == chosen]
            if not known:
                raise _SuiteRefused()
            suite = known[0]
            auth_alg, integrity_alg, conf_alg, hashfn, authlen = CIPHER_SUITES[suite]
        bmc_id = struct.unpack("<I", bytes(answer[8:12]))[0]
        bmc_bytes = bytes(answer[8:12])

        # RAKP 1/2: the BMC proves it knows the password
        role = 0x10 | privilege  # name-only lookup
        user = self.userid
        rm = os.urandom(16)
        tag = self._next_tag()
        rakp1 = bytearray([tag, 0, 0, 0]) + bmc_bytes + rm + bytearray([role, 0, 0, len(user)]) + user
        answer = self._setup_step(PAYLOAD_RAKP1, rakp1, PAYLOAD_RAKP2, tag, wait, "RAKP message 1",
                                  lambda a: bytes(a[4:8]) == console_bytes)
        if answer[1] in (0x09, 0x0D) and privilege == 4:
            raise _RoleRefused()
        if answer[1]:
            raise rmcp_status_error(self.label, "RAKP message 2", answer[1])
        digest = hashfn().digest_size
        if len(answer) < 40 + digest:
            raise IpmiError(self.label, "cannot open a session: RAKP message 2 too short", "error")
        rc, guid = bytes(answer[8:24]), bytes(answer[24:40])
        expected = hmac.new(self.password, console_bytes + bmc_bytes + rm + rc + guid + bytearray([role, len(user)])
                            + user, hashfn).digest()
        if not hmac.compare_digest(expected, bytes(answer[40:40 + digest])):
            raise IpmiError(self.label, "cannot open a session: %s" % classify_error("incorrect password")[1],
                            "auth")
        sik = hmac.new(self.password, rm + rc + bytearray([role, len(user)]) + user, hashfn).digest()
        keys = SessionKeys(sik, hashfn, authlen)

        # RAKP 3/4: the client proves it, the BMC confirms the session keys
        tag = self._next_tag()
        code = hmac.new(self.password, rc + console_bytes + bytearray([role, len(user)]) + user, hashfn).digest()
        answer = self._setup_step(PAYLOAD_RAKP3, bytearray([tag, 0, 0, 0]) + bmc_bytes + code, PAYLOAD_RAKP4, tag,
                                  wait, "RAKP message 3", lambda a: bytes(a[4:8]) == console_bytes)
        if answer[1]:
            raise rmcp_status_error(self.label, "RAKP message 4", answer[1])
        check = hmac.new(sik, rm + bmc_bytes + guid, hashfn).digest()[:authlen]
        if not hmac.compare_digest(check, bytes(answer[8:8 + authlen])):
            raise IpmiError(self.label, "cannot open a session: RAKP message 4 integrity check failed", "auth")

        self.keys, self.suite, self.console_id, self.bmc_id, self.seq = keys, suite, console_id, bmc_id, 0
        self.logged = True
        code, _data = self.request(0x06, 0x3B, [privilege], timeouts=(wait, wait))
        if code in (0x80, 0x81) and privilege == 4:
            privilege = 3
            code, _data = self.request(0x06, 0x3B, [privilege], timeouts=(wait, wait))
        if code:
            raise IpmiError(self.label, "cannot open a session: %s (set session privilege level: %s)"
                            % (classify_error("insufficient privilege")[1], completion_text(code)), "auth")
        self.privilege = privilege

    # commands -------------------------------------------------------------------------------------------------
    def request(self, netfn, command, data=(), timeouts=None):
        """Send an IPMI request in the session; returns (completion code, data). Raises IpmiError on silence."""
        if not self.logged:
            raise IpmiError(self.label, "the session is closed", "error")
        self.rq_seq = (self.rq_seq + 1) & 0x3F
        seq = self.rq_seq
        message = ipmi_request(netfn, command, seq, data)

        def make():
            self.seq = (self.seq + 1) & 0xFFFFFFFF or 1
            return seal(PAYLOAD_IPMI, message, self.bmc_id, self.seq, self.keys)

        def accept(packet):
            got = unseal(packet, self.keys, self.console_id)
            if got is None or got[0] != PAYLOAD_IPMI:
                return None
            answer = parse_ipmi_response(got[1])
            if answer and answer["netfn"] == netfn + 1 and answer["command"] == command and answer["seq"] == seq:
                return answer
            return None

        answer = self._exchange(make, accept, timeouts or self.timeouts)
        if answer is None:
            cause = "%s (netfn 0x%02x command 0x%02x)" % (classify_error("timeout")[1], netfn, command)
            raise IpmiError(self.label, cause, "timeout")
        return answer["code"], answer["data"]

    def raw_command(self, netfn, command, bridge_request=None, data=(), delay_xmit=None, retry=True, timeout=None,
                    rslun=0):
        """pyghmi's Session.raw_command: returns dict(netfn, command, code, data[, error])."""
        if bridge_request:
            raise IpmiError(self.label, "bridged IPMI requests are not supported", "error")
        code, answer = self.request(netfn, command, data, None if retry else self.timeouts[:1])
        response = dict(netfn=netfn + 1, command=command, code=code, data=bytearray(answer))
        if code:
            response["error"] = completion_text(code)
        return response

    def logout(self):
        """Close the session on the BMC (one try, short wait) and the socket. Safe to call more than once."""
        if self.logged and self.sock is not None:
            try:
                self.request(0x06, 0x3C, list(struct.pack("<I", self.bmc_id)), timeouts=(0.5,))
            except IpmiError:
                pass
        self.logged = False
        self._close_socket()


def _session_command(session, address):
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
            self.cmd = _session_command(self.session, self.target["address"])
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
        import uuid
        return uuid.UUID(bytes_le=bytes(bytearray(data[:16])))

    def get_fru(self):
        raw = self.read_fru(0)
        try:
            info = pyghmi_fru.FRU(rawdata=bytearray(raw)).info if raw else {}
        except Exception as exc:  # pylint: disable=broad-except
            raise IpmiError(self.label, "cannot decode FRU data: %s" % exc, "bmc")
        return info or {}

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


# ---------------------------------------------------------------------------------------------------------------
# Per-target operations (used by the modules; each returns one result dict)
# ---------------------------------------------------------------------------------------------------------------

def power_target(target, state, check_mode, timeout, soft_off_timeout):
    """Bring one BMC to `state`. Returns the per-target result."""
    def work(client):
        before = client.get_power()
        plan = plan_power(before, state)
        res = public_target(target)
        res.update(changed=plan["changed"], failed=False, before=before, power=before, actions=plan["actions"],
                   forced_off=False)
        if not plan["changed"] or check_mode:
            if check_mode and plan["changed"]:
                res["power"] = plan["expect"]
                res["msg"] = "would run %s" % ", ".join(plan["actions"])
            else:
                res["msg"] = "already %s" % plan["expect"]
            return res
        start = time.time()
        for action in plan["actions"]:
            client.chassis_control(action)
        if state == "soft-off":
            try:
                client.wait_power("off", soft_off_timeout)
            except IpmiError:
                client.chassis_control("off")
                res["forced_off"] = True
                res["actions"] = plan["actions"] + ["off"]
                client.wait_power("off", max(1.0, timeout - (time.time() - start)))
        else:
            client.wait_power(plan["expect"], max(1.0, timeout - (time.time() - start)))
        res["power"] = plan["expect"]
        res["elapsed"] = round(time.time() - start, 2)
        res["msg"] = "%s -> %s (%s)" % (before, plan["expect"], ", ".join(res["actions"]))
        return res
    return with_client(target, work)


def boot_target(target, device, persistent, uefi, check_mode):
    def work(client):
        current = client.get_boot()
        cmp = compare_boot(current, device, persistent, uefi)
        res = public_target(target)
        res.update(changed=cmp["changed"], failed=False, before=current, valid_bit=cmp["valid_bit"],
                   compared=cmp["compared"], boot=dict(device=device, persistent=persistent, uefi=uefi))
        if not cmp["valid_bit"]:
            res["warning"] = ("the BMC does not set the boot-flags valid bit: only the boot device was compared, "
                              "persistence and UEFI/legacy mode cannot be verified")
        if cmp["changed"] and not check_mode:
            client.set_boot(device, persistent, uefi)
            after = client.get_boot()
            res["after"] = after
            if after.get("device") != device:
                raise IpmiError(client.label, "boot device reads back as %s after setting %s"
                                % (after.get("device"), device), "bmc")
        res["msg"] = ("would set" if check_mode and cmp["changed"] else "set" if cmp["changed"] else "already") + \
            " boot device %s (%s, %s)" % (device, "persistent" if persistent else "once", "uefi" if uefi else "legacy")
        return res
    return with_client(target, work)


def finish_partial(res, section, error):
    """Close a partial info result: record `error` for `section`, set partial and msg."""
    res["errors"] = dict(res.get("errors") or {})
    if section:
        res["errors"][section] = str(error)
    res["partial"] = bool(res["errors"])
    res["msg"] = "partial answer: %s failed" % ", ".join(sorted(res["errors"])) if res["partial"] else "ok"
    return res


def info_target(target, sections, box=None):
    """Gather info sections. A section that fails is reported in `errors` and the rest is kept (partial=true).
    A session-level failure (timeout, BMC gone) after some sections were read keeps them too; `box` (from
    run_fleet with progress=True) lets the fleet runner return them when the hard deadline stops the worker."""
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


def check_credentials(target):
    def work(client):
        return client.get_power()
    return with_client(target, work)


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


def fleet_call(params, operation, grace=3.0, progress=False):
    """Run operation(target) over the targets of params. Returns the module result dict: changed, failed, msg,
    results (per target, in order) and, for a single O(address), that target's keys at the top level too."""
    targets = build_targets(params)
    if params.get("concurrency") is not None and int(params["concurrency"]) < 1:
        raise IpmiError("(fleet)", "concurrency must be at least 1", "invalid")
    if params.get("timeout") is None or int(params["timeout"]) < 1:
        raise IpmiError("(fleet)", "timeout must be at least 1 second", "invalid")
    start = time.time()
    results = run_fleet(targets, operation, concurrency=params.get("concurrency") or 16,
                        deadline=float(params["timeout"]) + grace, progress=progress)
    elapsed = round(time.time() - start, 3)
    secrets = [t.get("password") for t in targets]
    results = [scrub(r, secrets) for r in results]
    failed, msg = fleet_outcome(results, params.get("fail_on_error") or "any")
    out = dict(changed=any(r.get("changed") for r in results if not r.get("failed")), results=results, msg=msg,
               failed=failed, elapsed=elapsed)
    if params.get("targets") is None:
        single = dict(results[0])
        for key in ("name", "failed", "changed", "elapsed"):
            single.pop(key, None)
        out.update(single)
        out["msg"] = results[0].get("msg", msg)
    return out


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
