# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build and run vcsimlite (tests/peers/vcsim/main.go, govmomi's vCenter simulator) for the vCenter tests and
benchmark.

build() compiles it offline against Debian's govmomi 0.24.2 (golang-go, golang-github-vmware-govmomi-dev)
into .cache/vcsim/ once; Vcsim starts it on 127.0.0.1 with a port of its choosing, waits (bounded) for its
"VCSIM_URL=" line and always stops it.
"""

import os
import subprocess
from urllib.parse import urlsplit

from tests.peers.common import CACHE, Peer, free_port

__all__ = ["BUILD", "BINARY", "build", "free_port", "Vcsim"]

BUILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vcsim", "build.sh")
BINARY = os.path.join(CACHE, "vcsim", "vcsimlite")


def build(output=BINARY, timeout=300):
    proc = subprocess.run(["bash", BUILD, output], check=False, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError("building vcsimlite failed:\n%s%s" % (proc.stdout, proc.stderr))
    return output


class Vcsim(Peer):
    """A running vcsimlite. Use as a context manager, or call start()/stop()."""

    what = "vcsimlite"

    def __init__(self, binary=BINARY, username="administrator@vsphere.local", password="Vcsim-pass1",
                 ready_timeout=60, workdir=None, **topology):
        Peer.__init__(self, workdir)
        self.binary = binary
        self.username = username
        self.password = password
        self.ready_timeout = ready_timeout
        self.topology = topology
        self.host = "127.0.0.1"
        self.port = None
        self.url = None

    def args(self):
        args = [self.binary, "-l", "127.0.0.1:0"]
        if self.username:
            args += ["-username", self.username, "-password", self.password]
        for key, value in sorted(self.topology.items()):
            flag = "-" + key.replace("_", "-")
            if value is True:
                args.append(flag)
            elif value is False or value is None:
                continue
            else:
                args += [flag, ",".join(value) if isinstance(value, (list, tuple)) else str(value)]
        return args

    command = args

    def ready(self):
        """The URL vcsimlite prints once it serves (None before)."""
        with open(self.log, errors="replace") as handle:
            for line in handle:
                if line.startswith("VCSIM_URL=") and line.endswith("\n"):
                    return line.strip().split("=", 1)[1]
        return None

    def started(self, value):
        self.url = value
        self.port = urlsplit(self.url).port

    def stop(self):
        Peer.stop(self)
        self.proc = None

    def connection(self, **overrides):
        """Module connection options for this simulator (self-signed certificate: no validation)."""
        params = {"hostname": self.host, "port": self.port, "username": self.username, "password": self.password,
                  "validate_certs": False}
        params.update(overrides)
        return params
