# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A UDP peer on loopback for the IPMI unit tests (an echo, a BMC that answers, one that stays silent)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import threading


class UdpPeer(object):
    """A UDP socket on 127.0.0.1 answering each datagram with reply(data) (nothing when it returns None)."""

    def __init__(self, reply):
        self.reply = reply
        self.seen = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.running = True
        self.thread = threading.Thread(target=self._serve)
        self.thread.daemon = True
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                data, peer = self.sock.recvfrom(512)
            except socket.timeout:
                continue
            except OSError:
                return
            self.seen.append(bytes(data))
            answer = self.reply(bytes(data))
            if answer is not None:
                self.sock.sendto(answer, peer)

    def stop(self):
        self.running = False
        self.thread.join(5)
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
