# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of plugins/module_utils/_ipmi/pyghmi_io.py: pyghmi's socket I/O with sockets kept in one mode (the fix
the client and the lab BMC share)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import time
import types

from ansible_collections.helion.openstack.plugins.module_utils._ipmi import pyghmi_io as m


def test_io_never_blocks_nor_switches_the_socket_mode():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind(("127.0.0.1", 0))
        peer.bind(("127.0.0.1", 0))
        sock.setblocking(True)  # what pyghmi's own send leaves behind
        start = time.time()
        assert m.io_recvfrom(sock, 100) is None  # pyghmi's own read blocks here once another thread sent
        assert time.time() - start < 0.5 and sock.getblocking() is True
        peer.setblocking(False)
        m.io_sendto(peer, b"hello", sock.getsockname())
        assert peer.getblocking() is False
        assert m.io_recvfrom(sock, 100)[0] == b"hello"
    finally:
        sock.close()
        peer.close()


def test_io_sendto_takes_pyghmi_socket_wrappers_and_swallows_errors():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    try:
        wrapper = types.SimpleNamespace(fd=sock)  # pyghmi passes objects with the socket in .fd
        m.io_sendto(wrapper, b"x", sock.getsockname())
        assert m.io_recvfrom(sock, 10)[0] == b"x"
    finally:
        sock.close()
    m.io_sendto(sock, b"x", ("127.0.0.1", 9))  # closed socket: no exception
    assert m.io_recvfrom(sock, 10) is None


def test_install_socket_io_replaces_pyghmi_functions():
    module = types.SimpleNamespace(_io_sendto=None, _io_recvfrom=None)
    m.install_socket_io(module)
    assert module._io_sendto is m.io_sendto and module._io_recvfrom is m.io_recvfrom
