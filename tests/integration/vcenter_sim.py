# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build and run vcsimlite (tests/integration/vcsim/main.go) for the vCenter tests and benchmark.

build() compiles it offline against Debian's govmomi 0.24.2 (golang-go, golang-github-vmware-govmomi-dev)
into .cache/vcsim/ once; Vcsim starts it on 127.0.0.1 with a free port, waits (bounded) for its
"VCSIM_URL=" line and always stops it.
"""

import os
import select
import socket
import subprocess
import time
from urllib.parse import urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "tests", "integration", "vcsim", "build.sh")
BINARY = os.path.join(ROOT, ".cache", "vcsim", "vcsimlite")


def build(output=BINARY, timeout=300):
    proc = subprocess.run(["bash", BUILD, output], check=False, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError("building vcsimlite failed:\n%s%s" % (proc.stdout, proc.stderr))
    return output


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Vcsim(object):
    """A running vcsimlite. Use as a context manager, or call start()/stop()."""

    def __init__(self, binary=BINARY, username="administrator@vsphere.local", password="Vcsim-pass1",
                 ready_timeout=60, **topology):
        self.binary = binary
        self.username = username
        self.password = password
        self.ready_timeout = ready_timeout
        self.topology = topology
        self.proc = None
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

    def start(self):
        self.proc = subprocess.Popen(self.args(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + self.ready_timeout
        line = ""
        while time.monotonic() < deadline:
            ready, _unused, _unused = select.select([self.proc.stdout], [], [], 0.5)
            if ready:
                line = self.proc.stdout.readline()
                if line.startswith("VCSIM_URL="):
                    break
            if self.proc.poll() is not None:
                err = self.proc.stderr.read()
                raise RuntimeError("vcsimlite exited with %s: %s" % (self.proc.returncode, err))
        else:
            self.stop()
            raise RuntimeError("vcsimlite not ready after %s s" % self.ready_timeout)
        self.url = line.strip().split("=", 1)[1]
        self.port = urlsplit(self.url).port
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc is not None:
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream:
                    stream.close()
        self.proc = None

    def connection(self, **overrides):
        """Module connection options for this simulator (self-signed certificate: no validation)."""
        params = {"hostname": self.host, "port": self.port, "username": self.username, "password": self.password,
                  "validate_certs": False}
        params.update(overrides)
        return params

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
