# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of plugins/module_utils/_ipmi/session.py: the IPMI 2.0 session (LanSession) against a fake BMC in a
thread on 127.0.0.1 (no simulator needed), and the RMCP+ status errors."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hmac
import socket
import struct
import threading
import time

import pytest

from ansible_collections.helion.openstack.plugins.module_utils._ipmi import codec
from tests.unit.plugins.module_utils.udp_peer import UdpPeer
from ansible_collections.helion.openstack.plugins.module_utils._ipmi import session as m
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.errors import IpmiError


def test_rmcp_status_errors_have_kinds():
    assert m.rmcp_status_error("b1", "RAKP message 2", 0x0D).kind == "auth"
    assert "authentication failed" in str(m.rmcp_status_error("b1", "RAKP message 2", 0x0D))
    assert m.rmcp_status_error("b1", "open session", 0x11).kind == "cipher"
    assert m.rmcp_status_error("b1", "open session", 0x01).kind == "bmc"
    assert "0x42" in str(m.rmcp_status_error("b1", "open session", 0x42))


class FakeBmc(object):
    """An RMCP+ BMC on 127.0.0.1 in a thread, written from the IPMI 2.0 specification with the framing helpers:
    enough of it to test LanSession's session setup, retries and fallbacks."""

    def __init__(self, password=b"secret", user=b"admin", suites=(3, 17), answer_suite=None, short_errors=False,
                 max_priv=4, drop=None, power=True):
        self.password, self.user, self.suites, self.answer_suite = password, user, suites, answer_suite
        self.short_errors, self.max_priv, self.power = short_errors, max_priv, power
        self.drop = dict(drop or {})  # payload type (or "cmd-0x01") -> how many of them to ignore
        self.seen = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.running = True
        self.keys = None
        self.thread = threading.Thread(target=self._serve)
        self.thread.daemon = True
        self.thread.start()

    def stop(self):
        self.running = False
        self.thread.join(5)
        self.sock.close()

    def _dropped(self, key):
        if self.drop.get(key):
            self.drop[key] -= 1
            return True
        return False

    def _serve(self):
        while self.running:
            try:
                data, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            answer = self._handle(bytearray(data))
            if answer is not None:
                self.sock.sendto(answer, peer)

    def _handle(self, data):
        if data[4] == 0:  # IPMI 1.5 sessionless: Get Channel Authentication Capabilities
            self.seen.append("caps")
            msg = [0x81, 0x07 << 2, 0x00, 0x20, 0, 0x38, 0x00, 0x01, 0x80 | 0x04, 0x14, 0x02, 0, 0, 0, 0]
            msg[2] = (-sum(msg[:2])) & 0xFF
            msg.append((-sum(msg[3:])) & 0xFF)
            return bytes(bytearray([6, 0, 0xFF, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, len(msg)] + msg))
        got = codec.unseal(bytes(data), self.keys)
        if got is None:
            return None
        ptype, payload = got[0], bytearray(got[1])
        self.seen.append(ptype)
        if self._dropped(ptype):
            return None
        if ptype == codec.PAYLOAD_OPEN_REQUEST:
            return self._open(payload)
        if ptype == codec.PAYLOAD_RAKP1:
            return self._rakp1(payload)
        if ptype == codec.PAYLOAD_RAKP3:
            return self._rakp3(payload)
        if ptype == codec.PAYLOAD_IPMI:
            return self._command(payload)
        return None

    def _open(self, payload):
        tag, self.console = payload[0], bytes(payload[4:8])
        proposed = (payload[12], payload[20], payload[28])
        suite = [s for s in self.suites if codec.CIPHER_SUITES[s][:3] == proposed]
        if not suite:
            if self.short_errors:
                return codec.seal(codec.PAYLOAD_OPEN_RESPONSE, bytearray([tag, 0x11]), 0, 0)
            return codec.seal(codec.PAYLOAD_OPEN_RESPONSE, bytearray([tag, 0x11, 0, 0]) + self.console, 0, 0)
        self.suite = self.answer_suite or suite[0]
        auth, integrity, conf = codec.CIPHER_SUITES[self.suite][:3]
        algorithms = bytearray([0, 0, 0, 8, auth, 0, 0, 0, 1, 0, 0, 8, integrity, 0, 0, 0, 2, 0, 0, 8, conf, 0, 0, 0])
        return codec.seal(codec.PAYLOAD_OPEN_RESPONSE,
                          bytearray([tag, 0, 4, 0]) + self.console + b"\x99\x88\x77\x66" + algorithms, 0, 0)

    def _rakp1(self, payload):
        tag, self.rm, self.role = payload[0], bytes(payload[8:24]), payload[24]
        user = bytes(payload[28:28 + payload[27]])
        if user != self.user or (self.role & 0x0F) > self.max_priv and self.max_priv < 4:
            status = 0x0D if user != self.user else 0x09
            return codec.seal(codec.PAYLOAD_RAKP2, bytearray([tag, status, 0, 0]) + self.console, 0, 0)
        hashfn = codec.CIPHER_SUITES[self.suite][3]
        self.rc, guid = b"R" * 16, b"G" * 16
        self.guid = guid
        code = hmac.new(self.password, self.console + b"\x99\x88\x77\x66" + self.rm + self.rc + guid
                        + bytearray([self.role, len(user)]) + user, hashfn).digest()
        self.sik = hmac.new(self.password, self.rm + self.rc + bytearray([self.role, len(user)]) + user,
                            hashfn).digest()
        return codec.seal(codec.PAYLOAD_RAKP2, bytearray([tag, 0, 0, 0]) + self.console + self.rc + guid + code, 0, 0)

    def _rakp3(self, payload):
        _auth, _integrity, _conf, hashfn, authlen = codec.CIPHER_SUITES[self.suite]
        expected = hmac.new(self.password, self.rc + self.console + bytearray([self.role, len(self.user)])
                            + self.user, hashfn).digest()
        if bytes(payload[8:]) != expected:
            return codec.seal(codec.PAYLOAD_RAKP4, bytearray([payload[0], 0x0F, 0, 0]) + self.console, 0, 0)
        self.keys = codec.SessionKeys(self.sik, hashfn, authlen)
        icv = hmac.new(self.sik, self.rm + b"\x99\x88\x77\x66" + self.guid, hashfn).digest()[:authlen]
        return codec.seal(codec.PAYLOAD_RAKP4, bytearray([payload[0], 0, 0, 0]) + self.console + icv, 0, 0)

    def _command(self, msg):
        netfn, seq, command, data = msg[1] >> 2, msg[4] >> 2, msg[5], list(msg[6:-1])
        self.seen.append("cmd-0x%02x" % command)
        if self._dropped("cmd-0x%02x" % command):
            return None
        code, out = 0, []
        if (netfn, command) == (0x06, 0x3B):
            code, out = (0x81, []) if data[0] > self.max_priv else (0, [data[0]])
        elif (netfn, command) == (0x00, 0x01):
            out = [1 if self.power else 0, 0, 0]
        elif (netfn, command) != (0x06, 0x3C):
            code = 0xC1
        head = [0x81, (netfn + 1) << 2]
        body = [0x20, seq << 2, command, code] + out
        answer = head + [(-sum(head)) & 0xFF] + body + [(-sum(body)) & 0xFF]
        return codec.seal(codec.PAYLOAD_IPMI, answer, struct.unpack("<I", self.console)[0], 1, self.keys)


@pytest.fixture
def fake_bmc():
    made = []

    def make(**kwargs):
        bmc = FakeBmc(**kwargs)
        made.append(bmc)
        return bmc
    yield make
    for bmc in made:
        bmc.stop()


def lan(bmc, password="secret", timeouts=(0.3, 0.3, 0.3)):
    return m.LanSession("127.0.0.1", bmc.port, "admin", password, "b1 (127.0.0.1:%d)" % bmc.port, timeouts=timeouts)


def test_lan_session_logs_in_with_suite_17_reads_power_and_closes(fake_bmc):
    bmc = fake_bmc()
    session = lan(bmc).open()
    assert session.suite == 17 and session.privilege == 4
    assert session.request(0x00, 0x01) == (0, [1, 0, 0])
    assert session.raw_command(0x00, 0x05)["error"].startswith("completion code 0xC1")
    session.logout()
    assert bmc.seen[:4] == ["caps", codec.PAYLOAD_OPEN_REQUEST, codec.PAYLOAD_RAKP1, codec.PAYLOAD_RAKP3]
    assert bmc.seen[-1] == "cmd-0x3c" and session.sock is None


@pytest.mark.parametrize("short", [False, True])
def test_lan_session_falls_back_to_suite_3(fake_bmc, short):
    bmc = fake_bmc(suites=(3,), short_errors=short)  # ipmi_sim answers a refusal with tag and status only
    session = lan(bmc).open()
    assert session.suite == 3 and bmc.seen.count(codec.PAYLOAD_OPEN_REQUEST) == 2
    assert session.request(0x00, 0x01)[0] == 0
    session.logout()


def test_lan_session_takes_the_suite_the_bmc_answers(fake_bmc):
    bmc = fake_bmc(answer_suite=3)  # pyghmi's server answers suite 3 whatever was proposed
    session = lan(bmc).open()
    assert session.suite == 3 and bmc.seen.count(codec.PAYLOAD_OPEN_REQUEST) == 1
    assert session.request(0x00, 0x01)[0] == 0
    session.logout()


def test_lan_session_errors_name_the_bmc_and_kind(fake_bmc):
    bmc = fake_bmc()
    with pytest.raises(IpmiError) as err:
        lan(bmc, password="wrong").open()
    assert err.value.kind == "auth" and "authentication failed" in str(err.value) and "b1 (127.0.0.1" in str(err.value)
    with pytest.raises(IpmiError) as err:
        m.LanSession("127.0.0.1", bmc.port, "nobody", "secret", "b1", timeouts=(0.3,)).open()
    assert err.value.kind == "auth" and "unauthorized name" in str(err.value)
    nocipher = fake_bmc(suites=())
    with pytest.raises(IpmiError) as err:
        lan(nocipher).open()
    assert err.value.kind == "cipher" and "tried 17, then 3" in str(err.value)


def test_lan_session_drops_to_operator_when_admin_is_refused(fake_bmc):
    bmc = fake_bmc(max_priv=3)
    session = lan(bmc).open()
    assert session.privilege == 3
    session.logout()


def test_lan_session_restarts_a_lost_login_and_resends_a_lost_request(fake_bmc):
    bmc = fake_bmc(drop={codec.PAYLOAD_RAKP3: 1, "cmd-0x01": 1})
    session = lan(bmc, timeouts=(0.2, 0.3, 0.4)).open()
    assert bmc.seen.count(codec.PAYLOAD_OPEN_REQUEST) == 2  # a lost RAKP 4 starts the setup over, not a RAKP 3 resend
    assert session.request(0x00, 0x01) == (0, [1, 0, 0])
    assert bmc.seen.count("cmd-0x01") == 2
    session.logout()


def test_lan_session_no_answer_is_unreachable():
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    closed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    try:
        start = time.time()
        with pytest.raises(IpmiError) as err:
            m.LanSession("127.0.0.1", silent.getsockname()[1], "a", "b", "b1", timeouts=(0.1, 0.1)).open()
        assert err.value.kind == "unreachable" and time.time() - start < 2
        with pytest.raises(IpmiError) as err:
            m.LanSession("127.0.0.1", closed_port, "a", "b", "b1", timeouts=(0.1, 0.1)).open()
        assert err.value.kind == "unreachable" and "port unreachable" in str(err.value)
    finally:
        silent.close()


def test_lan_session_takes_an_echo_for_no_answer():
    """A device that sends every packet back is not a BMC (not an IPMI 1.5 one either): no answer, unreachable."""
    with UdpPeer(lambda data: data) as echo:
        with pytest.raises(IpmiError) as err:
            m.LanSession("127.0.0.1", echo.port, "a", "b", "b1", timeouts=(0.1, 0.1)).open()
    assert err.value.kind == "unreachable"
