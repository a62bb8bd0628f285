"""Start and stop the storage simulators for the integration tests (loopback only, bounded waits)."""

import os
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
CACHE = os.path.join(ROOT, ".cache", "hpe3par-mock")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def closed_port():
    """A loopback port nothing listens on (bound then released)."""
    return free_port()


def wait_for_port(port, proc, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            proc.log.seek(0)
            raise RuntimeError("simulator exited with %s: %s" % (proc.returncode, proc.log.read()[-2000:]))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("simulator did not listen on port %d within %.0f s" % (port, timeout))


def start(script, args, port, timeout=60.0):
    cmd = [sys.executable, os.path.join(HERE, script)] + list(args)
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in stop(); a file, not a pipe: the server logs every request
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, text=True)
    proc.log = log
    try:
        wait_for_port(port, proc, timeout)
    except Exception:
        stop(proc)
        raise
    return proc


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    log = getattr(proc, "log", None)
    if log is not None:
        log.close()
