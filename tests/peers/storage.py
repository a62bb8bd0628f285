"""The storage arrays' peers, on 127.0.0.1 with a free port, started and stopped with bounded waits:

  Hpe3parMock      HPE's own 3PAR WSAPI mock server (python-3parclient 4.2.0 sdist, fetched once into
                   .cache/hpe3par-mock and patched: hpe3par_mock.py); url = http://127.0.0.1:<port>/api/v1
  StoreVirtualSim  our LeftHand OS REST simulator (storevirtual_sim.py); url = http://127.0.0.1:<port>/lhos
"""

import os
import sys

from tests.peers import hpe3par_mock
from tests.peers.common import CACHE, Peer, free_port, port_open

__all__ = ["MOCK_CACHE", "Hpe3parMock", "StoreVirtualSim", "free_port"]

HERE = os.path.dirname(os.path.abspath(__file__))
MOCK_CACHE = os.path.join(CACHE, "hpe3par-mock")


class _HttpPeer(Peer):
    script = None
    path = ""
    ready_timeout = 60.0

    def __init__(self, user, password, workdir=None):
        Peer.__init__(self, workdir)
        self.user, self.password = user, password
        self.port = free_port()
        self.url = "http://127.0.0.1:%d%s" % (self.port, self.path)

    def arguments(self):
        return []

    def command(self):
        return [sys.executable, os.path.join(HERE, self.script), "--port", str(self.port), "--user", self.user,
                "--password", self.password] + self.arguments()

    def ready(self):
        return port_open(self.port)


class Hpe3parMock(_HttpPeer):
    """HPE's 3PAR WSAPI mock (Flask)."""

    what = "3PAR WSAPI mock"
    script = "hpe3par_mock.py"
    path = "/api/v1"

    def __init__(self, user, password, workdir=None, cache=MOCK_CACHE):
        _HttpPeer.__init__(self, user, password, workdir)
        self.cache = cache
        hpe3par_mock.fetch_mock(cache)  # the download is not part of the start's deadline

    def arguments(self):
        return ["--cache", self.cache]


class StoreVirtualSim(_HttpPeer):
    """Our StoreVirtual (LeftHand OS) REST simulator; `model` is an optional JSON file with the clusters."""

    what = "StoreVirtual simulator"
    script = "storevirtual_sim.py"
    path = "/lhos"

    def __init__(self, user, password, workdir=None, model=None):
        _HttpPeer.__init__(self, user, password, workdir)
        self.model = model

    def arguments(self):
        return ["--model", self.model] if self.model else []
