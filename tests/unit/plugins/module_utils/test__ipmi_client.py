# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of plugins/module_utils/_ipmi/client.py: FRU decoding (BCD plus fields) and the pyghmi fixes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.helion.openstack.plugins.module_utils._ipmi import client as m
from ansible_collections.helion.openstack.plugins.module_utils._ipmi import pyghmi_io
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.codec import shape_fru
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.errors import IpmiError

pytestmark = pytest.mark.skipif(not m.HAS_PYGHMI, reason="pyghmi is not installed")

TARGET = {"name": "b1", "address": "10.0.0.1", "port": 623, "username": "admin", "password": "secret"}


def text(value):
    data = value.encode("ascii")
    return bytearray([0xC0 | len(data)]) + data


def bcd(*octets):
    return bytearray([0x40 | len(octets)] + list(octets))


def area(body):
    """Close a FRU area: end marker, pad to a multiple of 8 with the checksum last, fix the length byte."""
    body = bytearray(body) + bytearray([0xC1])
    while (len(body) + 1) % 8:
        body.append(0)
    body[1] = (len(body) + 1) // 8
    body.append((-sum(body)) & 0xFF)
    return body


def fru_image(product_serial, board_serial, extra=()):
    """Common header, board area, product area (as the IPMI FRU specification lays them out)."""
    board = area(bytearray([1, 0, 0, 0, 0, 0]) + text("Board Inc") + text("Board") + board_serial + text("PN-1")
                 + text(""))
    product = bytearray([1, 0, 0]) + text("HPE") + text("DL360") + text("867959") + text("1.0") + product_serial \
        + text("A-42") + text("")
    for field in extra:
        product += field
    product = area(product)
    header = bytearray([1, 0, 0, 1, 1 + len(board) // 8, 0, 0])
    header.append((-sum(header)) & 0xFF)
    return bytes(header + board + product)


def client_reading(raw):
    client = m.BmcClient(TARGET)
    client.read_fru = lambda fruid=0, chunk=224: raw
    return client


def test_fru_bcd_plus_fields_keep_every_digit():
    """pyghmi decodes BCD plus with hex() per byte and drops the leading zero of bytes below 0x10: a serial stored
    as 20 26 08 15 came back as 2026815 (ipmitool fru print reads 20260815)."""
    raw = fru_image(bcd(0x20, 0x26, 0x08, 0x15), bcd(0x01, 0x02, 0xB3, 0xC0), extra=[bcd(0x05, 0x0A)])
    info = client_reading(raw).get_fru()
    assert info["Serial Number"] == "20260815"
    assert info["Board serial number"] == "0102-3.0"
    assert info["product_extra"] == ["050"]  # the trailing BCD space (0xA) is stripped, as pyghmi strips text
    fru = shape_fru(info)
    assert fru["serial"] == "20260815" and fru["board_serial"] == "0102-3.0"
    assert fru["manufacturer"] == "HPE" and fru["product"] == "DL360" and fru["asset_tag"] == "A-42"


def test_fru_text_fields_and_empty_bcd_fields_are_pyghmi_s():
    info = m.decode_fru(fru_image(text("CZ1"), bytearray([0x40])))
    assert info["Serial Number"] == "CZ1" and info["Board serial number"] is None
    assert m.decode_fru(b"") == {}


def test_fru_that_cannot_be_decoded_names_the_bmc():
    client = client_reading(b"\x01\x00\x00\x01\x00\x00\x00\xfe" + b"\x07" * 8)  # board area: wrong version
    with pytest.raises(IpmiError) as err:
        client.get_fru()
    assert err.value.kind == "bmc" and "cannot decode FRU data" in str(err.value) and "b1 (10.0.0.1:623)" in str(
        err.value)


def test_pyghmi_fixes_install_the_shared_socket_io_once():
    m._install_pyghmi_fixes()
    m._install_pyghmi_fixes()
    session = m.pyghmi_modules()[1]
    assert session._io_recvfrom is pyghmi_io.io_recvfrom and session._io_sendto is pyghmi_io.io_sendto
    assert m._PATCHED == [True]
