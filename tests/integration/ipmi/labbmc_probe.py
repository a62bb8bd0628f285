"""A sessionless Get Channel Authentication Capabilities probe (readiness check for the test peers)."""

import socket

REQUEST = bytes(bytearray([0x06, 0x00, 0xFF, 0x07, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 9,
                           0x20, 0x18, 0xC8, 0x81, 0x00, 0x38, 0x8E, 0x04, 0xB5]))


def probe(address, port, timeout=0.3):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.settimeout(timeout)
        sock.sendto(REQUEST, (address, port))
        data, _peer = sock.recvfrom(512)
        return len(data) > 20 and data[0] == 0x06
    except OSError:
        return False
    finally:
        sock.close()
