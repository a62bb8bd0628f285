# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of plugins/module_utils/_ipmi/discovery.py: CIDR expansion and the probe of a range, against UDP peers
in a thread on 127.0.0.1."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import pytest

from ansible_collections.helion.openstack.plugins.module_utils._ipmi import codec
from tests.unit.plugins.module_utils.udp_peer import UdpPeer
from ansible_collections.helion.openstack.plugins.module_utils._ipmi import discovery as m
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.errors import IpmiError


@pytest.mark.parametrize("cidr, count, first, last", [
    ("10.0.0.0/29", 6, "10.0.0.1", "10.0.0.6"),
    ("10.0.0.5/32", 1, "10.0.0.5", "10.0.0.5"),
    ("10.0.0.4/31", 2, "10.0.0.4", "10.0.0.5"),
    ("10.0.0.17/28", 14, "10.0.0.17", "10.0.0.30"),  # host bits are ignored
    ("10.0.0.0/20", 4094, "10.0.0.1", "10.0.15.254"),
])
def test_expand_cidr(cidr, count, first, last):
    out = m.expand_cidr(cidr)
    assert len(out) == count and out[0] == first and out[-1] == last


@pytest.mark.parametrize("cidr, fragment", [
    ("10.0.0.0/19", "8192 addresses, more than the limit of 4096"),
    ("0.0.0.0/0", "more than the limit"),
    ("not-a-net", "not a valid network"),
    ("fd00::/120", "only IPv4"),
])
def test_expand_cidr_refuses(cidr, fragment):
    with pytest.raises(IpmiError) as err:
        m.expand_cidr(cidr)
    assert fragment in str(err.value)


def bmc_answer(_data):
    head = [0x81, 0x07 << 2]
    body = [0x20, 0x00, 0x38, 0x00, 0x01, 0x80, 0x04, 0x02, 0, 0, 0, 0]
    msg = head + [codec.checksum(head)] + body + [codec.checksum(body)]
    return bytes(bytearray([0x06, 0x00, 0xFF, 0x07, 0, 0, 0, 0, 0, 0, 0, 0, 0, len(msg)] + msg))


def test_probe_range_finds_responder_and_only_contacts_given_addresses():
    peer = UdpPeer(bmc_answer)
    try:
        found = m.probe_range(["127.0.0.1"], port=peer.port, timeout=0.3, concurrency=4, retries=0)
    finally:
        peer.stop()
    assert list(found) == ["127.0.0.1"] and found["127.0.0.1"]["ipmi_version"] == "2.0"
    assert peer.seen and peer.seen[0] == codec.auth_cap_request(0)


def test_probe_range_does_not_take_an_echo_for_a_bmc():
    """A device that sends the probe back unchanged (a UDP echo) is not a BMC: its packet is our request (netfn 6),
    not a Get Channel Authentication Capabilities response (netfn 7)."""
    echo = UdpPeer(lambda data: data)
    try:
        found = m.probe_range(["127.0.0.1"], port=echo.port, timeout=0.3, concurrency=4, retries=1)
    finally:
        echo.stop()
    assert len(echo.seen) == 2, "the echo got the probe and its retry"
    assert found == {}
