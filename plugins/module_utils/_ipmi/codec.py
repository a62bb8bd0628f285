# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""IPMI codec: pure encoding and decoding, no I/O.

This module util is PRIVATE to the collection. It may change without notice.

Boot flags (Get/Set System Boot Options parameter 5), FRU fields (BCD plus, inventory shaping, MAC addresses),
sensor health and thresholds, the sessionless Get Channel Authentication Capabilities request and the check of
its response, IPMI LAN messages and RMCP+ packets (AES-CBC-128 and HMAC integrity, with the cryptography library).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac
import os
import re
import struct
import traceback

try:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    HAS_CRYPTOGRAPHY = True
    CRYPTOGRAPHY_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - depends on the environment
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_IMPORT_ERROR = traceback.format_exc()

BOOT_DEVICES = {"network": 1, "disk": 2, "cdrom": 5, "bios": 6, "default": 0}
BOOT_NAMES = dict((code, name) for name, code in BOOT_DEVICES.items())
BOOT_NAMES.update({3: "disk-safe", 4: "diagnostic", 7: "floppy", 15: "floppy"})
CHASSIS_CONTROL = {"off": 0, "on": 1, "cycle": 2, "reset": 3, "shutdown": 5}
HEALTH = {0: "ok", 1: "warning", 2: "critical", 4: "failed"}
THRESHOLD_KEYS = ("lower_non_critical", "lower_critical", "lower_non_recoverable",
                  "upper_non_critical", "upper_critical", "upper_non_recoverable")
MAC_TOKEN_RE = re.compile(r"^(?:[A-Za-z_]+[:-])?([0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){5})$")
TOKEN_SPLIT_RE = re.compile(r"[^0-9A-Za-z:_-]+")
BCD_PLUS = "0123456789 -."  # nibbles 0x0-0xC; 0xD-0xF are reserved


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


# ---------------------------------------------------------------------------------------------------------------
# FRU, sensors, MACs
# ---------------------------------------------------------------------------------------------------------------

def decode_bcd_plus(data):
    """The text of a FRU field stored in BCD plus (type/length bits 01b): two characters a byte, high nibble
    first; 0x0-0x9 are digits, 0xA a space, 0xB '-', 0xC '.'. The reserved nibbles 0xD-0xF are kept as their hex
    digit. Every nibble gives one character, so bytes 20 26 08 15 read 20260815."""
    out = []
    for byte in bytearray(data):
        for nibble in (byte >> 4, byte & 0x0F):
            out.append(BCD_PLUS[nibble] if nibble < len(BCD_PLUS) else "%x" % nibble)
    return "".join(out)


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
# The sessionless Get Channel Authentication Capabilities (discovery, and the first step of a session)
# ---------------------------------------------------------------------------------------------------------------

RMCP_VERSION, RMCP_NO_ACK, RMCP_CLASS_IPMI = 0x06, 0xFF, 0x07
NETFN_APP, NETFN_APP_RESPONSE, CMD_GET_CHANNEL_AUTH_CAP = 0x06, 0x07, 0x38
BMC_ADDRESS, SOFTWARE_ID = 0x20, 0x81


def checksum(values):
    """IPMI two's complement checksum."""
    return (-sum(values)) & 0xFF


def auth_cap_request(seq=0, v2=True, privilege=4):
    """An RMCP/IPMI 1.5 sessionless Get Channel Authentication Capabilities request (netfn 6, cmd 0x38)."""
    header = [BMC_ADDRESS, NETFN_APP << 2]
    body = [SOFTWARE_ID, (seq & 0x3F) << 2, CMD_GET_CHANNEL_AUTH_CAP, 0x8E if v2 else 0x0E, privilege]
    msg = header + [checksum(header)] + body + [checksum(body)]
    return bytes(bytearray([RMCP_VERSION, 0x00, RMCP_NO_ACK, RMCP_CLASS_IPMI, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
                            len(msg)] + msg))


def parse_auth_cap_response(data):
    """Parse a Get Channel Authentication Capabilities response. Returns a dict, or None if it is not one.

    A packet is an answer only when it is an RMCP message of the IPMI class (not an RMCP ACK, not an ASF
    message) whose IPMI message is a *response*: netfn 7 (application, response bit set) and command 0x38. A
    request that comes back unchanged (a UDP echo service, or any device that reflects packets) has netfn 6 and
    is not a BMC. A response with a non-zero completion code is a BMC that refuses the command.
    """
    data = bytearray(data)
    if len(data) < 14 or data[0] != RMCP_VERSION or data[3] != RMCP_CLASS_IPMI:
        return None
    auth_type = data[4]
    start = 14 if auth_type == 0 else 30  # 1.5 session header, with a 16-byte auth code when auth type != none
    msg = data[start:]
    if len(msg) < 8 or msg[1] >> 2 != NETFN_APP_RESPONSE or msg[5] != CMD_GET_CHANNEL_AUTH_CAP:
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


# ---------------------------------------------------------------------------------------------------------------
# RMCP+ (IPMI 2.0 over LAN) framing
# ---------------------------------------------------------------------------------------------------------------

RMCP_HEADER = b"\x06\x00\xff\x07"
PAYLOAD_IPMI, PAYLOAD_OPEN_REQUEST, PAYLOAD_OPEN_RESPONSE = 0x00, 0x10, 0x11
PAYLOAD_RAKP1, PAYLOAD_RAKP2, PAYLOAD_RAKP3, PAYLOAD_RAKP4 = 0x12, 0x13, 0x14, 0x15
# cipher suite -> (authentication, integrity, confidentiality algorithm numbers, hash, integrity code length)
CIPHER_SUITES = {17: (3, 4, 1, hashlib.sha256, 16), 3: (1, 1, 1, hashlib.sha1, 12)}
SUITE_ORDER = (17, 3)


def ipmi_request(netfn, command, seq, data=(), lun=0):
    """An IPMI LAN request message: BMC address 0x20, software ID 0x81, rqSeq `seq` (6 bits)."""
    head = [BMC_ADDRESS, ((netfn << 2) | lun) & 0xFF]
    body = [SOFTWARE_ID, (seq & 0x3F) << 2, command] + list(bytearray(data))
    return bytes(bytearray(head + [checksum(head)] + body + [checksum(body)]))


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
