# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""pyghmi's socket I/O with every socket kept in one mode.

This module util is PRIVATE to the collection. It may change without notice.

pyghmi (1.6.x) sends with ``_io_sendto``, which sets the shared socket blocking, and its I/O thread reads with
``_io_recvfrom``, which sets it non-blocking just before each read. A send from another thread between the two
leaves the I/O thread blocked in recvfrom() until some packet comes, and every session (client) or every BMC
(pyghmi's server) of the process waits with it. The replacements here never switch a socket's mode: a send is a
plain send, a read never blocks (MSG_DONTWAIT, or select() first).

Used by the client for pyghmi's IPMI 1.5 sessions and by the lab BMC (lab/bmc/labbmc.py, pyghmi's server): one
fix, in one place. Only the standard library is imported here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import select
import socket

_DONTWAIT = getattr(socket, "MSG_DONTWAIT", 0)


def io_sendto(sock, packet, sockaddr):
    """pyghmi's _io_sendto without its setblocking(1)."""
    sock = getattr(sock, "fd", sock)
    try:
        sock.sendto(packet, sockaddr)
    except OSError:
        pass


def io_recvfrom(sock, size):
    """pyghmi's _io_recvfrom without its setblocking(0): a read that never blocks, whatever the socket's mode.
    Returns (data, address), or None when nothing is waiting."""
    try:
        if _DONTWAIT:
            return sock.recvfrom(size, _DONTWAIT)
        if not select.select([sock], [], [], 0)[0]:
            return None
        return sock.recvfrom(size)
    except OSError:
        return None


def install_socket_io(session_module):
    """Replace the socket I/O functions of pyghmi's session module (pyghmi.ipmi.private.session)."""
    session_module._io_sendto = io_sendto
    session_module._io_recvfrom = io_recvfrom
