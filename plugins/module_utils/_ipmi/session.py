# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The RMCP+ session: one IPMI 2.0 session (LanSession) to one BMC over its own UDP socket.

This module util is PRIVATE to the collection. It may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hmac
import os
import random
import socket
import struct
import time

from ansible_collections.helion.openstack.plugins.module_utils._ipmi.codec import (
    CIPHER_SUITES,
    PAYLOAD_IPMI,
    PAYLOAD_OPEN_REQUEST,
    PAYLOAD_OPEN_RESPONSE,
    PAYLOAD_RAKP1,
    PAYLOAD_RAKP2,
    PAYLOAD_RAKP3,
    PAYLOAD_RAKP4,
    SUITE_ORDER,
    SessionKeys,
    auth_cap_request,
    ipmi_request,
    parse_auth_cap_response,
    parse_ipmi_response,
    seal,
    unseal,
)
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.errors import (
    IpmiError,
    classify_error,
    completion_text,
)

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
    OEM code can run on top of it (see client.session_command).

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
