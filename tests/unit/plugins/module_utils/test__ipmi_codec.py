# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of plugins/module_utils/_ipmi/codec.py: boot flags, FRU fields, sensors, the sessionless probe and
its answer, IPMI LAN messages and RMCP+ packets."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.helion.openstack.plugins.module_utils._ipmi import codec as m


# --- boot flags ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("device, persistent, uefi, data", [
    ("network", False, False, [0x80, 0x04, 0, 0, 0]),
    ("disk", True, False, [0xC0, 0x08, 0, 0, 0]),
    ("cdrom", False, True, [0xA0, 0x14, 0, 0, 0]),
    ("bios", True, True, [0xE0, 0x18, 0, 0, 0]),
])
def test_encode_boot_flags(device, persistent, uefi, data):
    assert m.encode_boot_flags(device, persistent, uefi) == data


def test_encode_boot_flags_rejects_unknown_device():
    with pytest.raises(ValueError):
        m.encode_boot_flags("tape", False, False)


@pytest.mark.parametrize("data, decoded", [
    ([1, 5, 0x00, 0x04, 0, 0, 0], dict(device="network", persistent=False, uefi=False, valid=False)),  # ipmi_sim
    ([1, 5, 0xC0, 0x08, 0, 0, 0], dict(device="disk", persistent=True, uefi=False, valid=True)),
    ([1, 5, 0xA0, 0x18, 0, 0, 0], dict(device="bios", persistent=False, uefi=True, valid=True)),
    ([1, 5, 0x80, 0x00, 0, 0, 0], dict(device="default", persistent=False, uefi=False, valid=True)),
    ([1, 5, 0x80, 0x3C, 0, 0, 0], dict(device="floppy", persistent=False, uefi=False, valid=True)),
])
def test_decode_boot_flags(data, decoded):
    assert m.decode_boot_flags(data) == decoded


def test_decode_boot_flags_short():
    with pytest.raises(ValueError):
        m.decode_boot_flags([1, 5])


# --- FRU / MAC / sensors ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, text", [
    (b"\x20\x26\x08\x15", "20260815"),      # a byte below 0x10 keeps its leading zero
    (b"\x00\x01", "0001"),
    (b"\x12\xab\xc9", "12 -.9"),            # 0xA space, 0xB '-', 0xC '.'
    (b"\x1a\xaa", "1   "),                  # padding spaces are kept (the FRU reader strips them)
    (b"\xde\xf0", "def0"),                  # reserved nibbles keep their hex digit
    (b"", ""),
])
def test_decode_bcd_plus(data, text):
    assert m.decode_bcd_plus(data) == text


@pytest.mark.parametrize("strings, macs", [
    (["MAC:52:54:00:12:34:56"], ["52:54:00:12:34:56"]),
    (["NIC1 52-54-00-AB-CD-EF", "x"], ["52:54:00:ab:cd:ef"]),
    (["MAC:52:54:00:12:34:56", "mac 52:54:00:12:34:56"], ["52:54:00:12:34:56"]),
    (["12:34:56:78:9a:bc:de"], []),  # 7 groups is not a MAC
    ([b"MAC=aa:bb:cc:dd:ee:ff\x00"], ["aa:bb:cc:dd:ee:ff"]),
    ([], []),
])
def test_find_macs(strings, macs):
    assert m.find_macs(strings) == macs


def test_shape_fru_prefers_product_then_board():
    info = {"Manufacturer": "HPE ", "Product name": "DL360", "Model": "867959", "Serial Number": "CZ1",
            "Asset Number": "", "Board serial number": "PV1", "Board manufacturer": "Board Inc",
            "product_extra": ["MAC:52:54:00:00:00:01"], "board_extra": []}
    out = m.shape_fru(info, "f5748139-4d45-650b-964e-f289de5e09a5")
    assert out["manufacturer"] == "HPE" and out["product"] == "DL360" and out["serial"] == "CZ1"
    assert out["asset_tag"] is None and out["board_serial"] == "PV1"
    assert out["uuid"] == "f5748139-4d45-650b-964e-f289de5e09a5"
    assert out["macs"] == ["52:54:00:00:00:01"]
    board_only = m.shape_fru({"Board manufacturer": "Board Inc", "Board serial number": "PV1"})
    assert board_only["manufacturer"] == "Board Inc" and board_only["serial"] == "PV1" and board_only["uuid"] is None


@pytest.mark.parametrize("code, name", [(0, "ok"), (1, "warning"), (2, "critical"), (4, "failed"), (3, "critical"),
                                        (None, "ok")])
def test_health_name(code, name):
    assert m.health_name(code) == name


def test_decode_threshold_mask():
    assert m.decode_threshold_mask([0x38, 0, 0, 0, 80, 85, 96]) == [
        "upper_non_critical", "upper_critical", "upper_non_recoverable"]
    assert m.decode_threshold_mask([0x01]) == ["lower_non_critical"]
    assert m.decode_threshold_mask([]) == []


@pytest.mark.parametrize("raw, text", [([0x52, 0x54, 0, 0xAB, 1, 2], "52:54:00:ab:01:02"), ("AA:BB", "aa:bb"),
                                       (None, None)])
def test_format_mac(raw, text):
    assert m.format_mac(raw) == text


# --- the sessionless Get Channel Authentication Capabilities ---------------------------------------------------

def test_auth_cap_request_layout_and_checksums():
    pkt = bytearray(m.auth_cap_request(seq=3))
    assert pkt[:4] == bytearray([0x06, 0x00, 0xFF, 0x07])  # RMCP, IPMI class
    assert pkt[4] == 0 and pkt[13] == len(pkt) - 14  # no auth, message length
    msg = pkt[14:]
    assert (msg[0] + msg[1] + msg[2]) & 0xFF == 0  # header checksum
    assert sum(msg[3:]) & 0xFF == 0  # body checksum
    assert msg[1] >> 2 == 0x06 and msg[5] == 0x38 and msg[4] >> 2 == 3
    assert msg[6] == 0x8E and msg[7] == 4


def auth_cap_response(auth_support, ext, status=0x04, code=0, netfn=0x07, rmcp_class=0x07, command=0x38):
    """A Get Channel Authentication Capabilities response as a BMC sends it (checksums right)."""
    head = [0x81, netfn << 2]
    body = [0x20, 0x00, command, code, 0x01, auth_support, status, ext, 0, 0, 0, 0]
    msg = head + [m.checksum(head)] + body + [m.checksum(body)]
    return bytes(bytearray([0x06, 0x00, 0xFF, rmcp_class, 0, 0, 0, 0, 0, 0, 0, 0, 0, len(msg)] + msg))


@pytest.mark.parametrize("data, version, versions", [
    (auth_cap_response(0x80, 0x02), "2.0", ["2.0"]),              # pyghmi server: IPMI 2.0 only
    (auth_cap_response(0x97, 0x03), "2.0", ["1.5", "2.0"]),       # ipmi_sim: 1.5 and 2.0
    (auth_cap_response(0x16, 0x00), "1.5", ["1.5"]),              # an old IPMI 1.5 BMC
])
def test_parse_auth_cap_response(data, version, versions):
    out = m.parse_auth_cap_response(data)
    assert out["ipmi_version"] == version and out["versions"] == versions and out["channel"] == 1


def test_parse_auth_cap_response_reports_completion_codes():
    assert m.parse_auth_cap_response(auth_cap_response(0x80, 0x02, code=0xC1))["completion_code"] == 0xC1


@pytest.mark.parametrize("data", [
    b"hello",
    bytes(30),
    m.auth_cap_request(0),                                          # our probe sent back unchanged (an echo)
    m.auth_cap_request(5, v2=False),
    auth_cap_response(0x80, 0x02, netfn=0x06),                      # netfn of a request, not of a response
    auth_cap_response(0x80, 0x02, command=0x01),                    # a response to another command
    auth_cap_response(0x80, 0x02, rmcp_class=0x06),                 # RMCP class ASF (presence ping/pong)
    auth_cap_response(0x80, 0x02, rmcp_class=0x87),                 # an RMCP ACK
])
def test_parse_auth_cap_response_takes_only_responses(data):
    assert m.parse_auth_cap_response(data) is None


# --- IPMI LAN messages and RMCP+ framing -----------------------------------------------------------------------

def test_ipmi_request_checksums_and_response_parsing():
    msg = bytearray(m.ipmi_request(0x00, 0x01, 5, [7, 8]))
    assert msg[:3] == bytearray([0x20, 0x00, 0xE0])  # rsAddr, netFn/LUN, checksum of both
    assert msg[3:8] == bytearray([0x81, 5 << 2, 0x01, 7, 8]) and sum(msg[3:]) & 0xFF == 0
    assert m.parse_ipmi_response(bytes(bytearray([0x81, 0x04, 0x7B, 0x20, 5 << 2, 0x01, 0x00, 0x21, 0x10, 0x40,
                                                  0x00]))) == dict(netfn=1, seq=5, command=1, code=0,
                                                                   data=[0x21, 0x10, 0x40])
    assert m.parse_ipmi_response(b"\x81\x04") is None


@pytest.mark.parametrize("length, pad", [(0, 15), (14, 1), (15, 0), (16, 15), (30, 1)])
def test_aes_pad_fills_whole_blocks(length, pad):
    trailer = bytearray(m.aes_pad(length))
    assert (length + len(trailer)) % 16 == 0 and trailer[-1] == pad and list(trailer[:-1]) == list(range(1, pad + 1))


@pytest.mark.parametrize("suite", [3, 17])
def test_seal_unseal_round_trip_and_rejections(suite):
    _auth, _integrity, _conf, hashfn, authlen = m.CIPHER_SUITES[suite]
    keys = m.SessionKeys(b"k" * 20, hashfn, authlen)
    message = m.ipmi_request(0x06, 0x01, 3)
    packet = m.seal(m.PAYLOAD_IPMI, message, 0x11223344, 7, keys)
    assert (len(packet) - 4 - authlen) % 4 == 0  # integrity pad: session part before the code is 4-byte aligned
    assert m.unseal(packet, keys, 0x11223344) == (m.PAYLOAD_IPMI, message)
    assert message not in packet  # encrypted
    assert m.unseal(packet, keys, 0x55555555) is None  # other session
    tampered = bytearray(packet)
    tampered[20] ^= 1
    assert m.unseal(bytes(tampered), keys, 0x11223344) is None
    other = m.SessionKeys(b"x" * 20, hashfn, authlen)
    assert m.unseal(packet, other, 0x11223344) is None
    clear = m.seal(m.PAYLOAD_IPMI, message, 0x11223344, 7)  # no integrity code: refused inside a session
    assert m.unseal(clear, keys, 0x11223344) is None
    assert m.unseal(clear) == (m.PAYLOAD_IPMI, message)
    assert m.unseal(b"\x06\x00\xff\x07\x00" + bytes(20)) is None  # IPMI 1.5
