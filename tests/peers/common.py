"""What every peer shares: where things are, a free port, a bounded wait, starting and stopping a process."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV_BIN = os.path.dirname(sys.executable)
CACHE = os.path.join(ROOT, ".cache")


class PeerError(RuntimeError):
    """A peer did not start, or stopped while it was waited for."""


def free_port(host="127.0.0.1", udp=False):
    """A port nothing listens on at the moment (bound by the kernel's choice, then released).

    Also what tests use as a "closed port": nothing listens there once this returns."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def tail(path, size=2000):
    """The last `size` characters of a log file ('' when there is none)."""
    if not path or not os.path.exists(path):
        return ""
    with open(path, errors="replace") as handle:
        return handle.read()[-size:]


def wait_until(predicate, timeout, what=None, proc=None, log=None, interval=0.05):
    """Call predicate() until it returns a true value, for at most `timeout` seconds; return that value.

    When the deadline passes: raise PeerError("<what> ...") if `what` is given, else return the last (false) value.
    When `proc` (a Popen) exits meanwhile: raise PeerError with its exit code and the end of `log`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            raise PeerError("%s exited with %s:\n%s" % (what or proc.args[0], proc.returncode, tail(log)))
        if time.monotonic() >= deadline:
            if what is None:
                return value
            raise PeerError("%s not ready after %s s\n%s" % (what, timeout, tail(log)))
        time.sleep(interval)


def stop_process(proc, timeout=10.0):
    """SIGTERM, then SIGKILL after `timeout` seconds; waits (bounded) for the exit."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout)


def port_open(port, host="127.0.0.1"):
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


class Peer(object):
    """A peer process: its command line, its output in a log file, a readiness check and a bounded start and stop.

    Subclasses set `what` and `ready_timeout` and define command() and ready(). workdir holds the log; without one,
    a temporary directory is made and removed by stop(). Use as a context manager, or call start() and stop()."""

    what = "peer"
    ready_timeout = 30.0

    def __init__(self, workdir=None):
        self.own_dir = workdir is None
        self.dir = tempfile.mkdtemp(prefix="helion-peer-") if workdir is None else str(workdir)
        os.makedirs(self.dir, exist_ok=True)
        self.log = os.path.join(self.dir, "%s.log" % self.what.split()[0])
        self.proc = None

    def command(self):
        raise NotImplementedError

    def ready(self):
        """True (or a value worth keeping) once the peer serves."""
        return True

    def started(self, value):
        """Called with ready()'s value once the peer serves."""

    def start(self, limit=None):
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.dir)
        try:
            self.started(wait_until(self.ready, limit or self.ready_timeout, what=self.what, proc=self.proc,
                                    log=self.log))
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        stop_process(self.proc)
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
