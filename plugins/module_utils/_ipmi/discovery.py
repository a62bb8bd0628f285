# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""IPMI discovery: the addresses of a CIDR and the sessionless probe of a range over one UDP socket.

This module util is PRIVATE to the collection. It may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import select
import socket
import time

from ansible_collections.helion.openstack.plugins.module_utils._ipmi.codec import (
    auth_cap_request,
    parse_auth_cap_response,
)
from ansible_collections.helion.openstack.plugins.module_utils._ipmi.errors import DEFAULT_PORT, IpmiError

MAX_SCAN_ADDRESSES = 4096


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


def probe_range(addresses, port=DEFAULT_PORT, timeout=1.0, concurrency=64, retries=1, deadline=None):
    """Send Get Channel Auth Capabilities to each address (one UDP socket, at most `concurrency` probes in flight,
    each waiting `timeout` seconds, `retries` extra tries). Only the given addresses are ever contacted.

    Returns {address: parsed response} for the responders. A packet that is not a Get Channel Authentication
    Capabilities response (see codec.parse_auth_cap_response: our own probe sent back by an echo, for instance)
    does not make its sender a responder.
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
