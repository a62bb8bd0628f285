"""helion.openstack.haproxy_server against a real HAProxy (Debian's, on loopback): a node drained from every
backend that has it, traffic going only to the other node while it is, check mode, a second run that changes
nothing, and a node put back only once its health checks pass."""

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

from tests.peers.common import free_port
from tests.peers.playbook import run_tasks

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


@pytest.fixture(autouse=True)
def haproxy_installed():
    """A missing HAProxy fails the tests, not skips them: scripts/test.sh installs it (bindep.txt, test profile)."""
    assert os.path.exists(HAPROXY), "haproxy is not installed: run bash scripts/bootstrap.sh test (bindep.txt)"


# The two backends, in a process of their own: this suite also imports Swift, whose eventlet would otherwise
# serve them from the test's own hub. Each answers with its name; /health answers 503 while <dir>/<name>.down
# exists.
BACKENDS = r"""
import http.server, os, sys, threading
state = sys.argv[1]

def serve(name, port):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            down = os.path.exists(os.path.join(state, name + ".down"))
            code = 503 if self.path == "/health" and down else 200
            body = name.encode()
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # HAProxy's checks close their connections early

    Server(("127.0.0.1", port), Handler).serve_forever()

for arg in sys.argv[2:]:
    name, port = arg.split("=")
    threading.Thread(target=serve, args=(name, int(port)), daemon=True).start()
threading.Event().wait(600)
"""


class Backends:
    """node1 and node2 on loopback; ``set_healthy(name, ok)`` makes a node pass or fail its health checks."""

    def __init__(self, state):
        self.state = state
        self.ports = {"node1": free_port(), "node2": free_port()}
        self.proc = subprocess.Popen([sys.executable, "-c", BACKENDS, str(state)]
                                     + ["%s=%d" % item for item in sorted(self.ports.items())])
        deadline = time.monotonic() + 20
        for port in self.ports.values():
            while time.monotonic() < deadline:
                with socket.socket() as sock:
                    if sock.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.1)

    def set_healthy(self, name, ok):
        flag = self.state / (name + ".down")
        if ok:
            flag.unlink(missing_ok=True)
        else:
            flag.write_text("down")

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture
def haproxy(tmp_path):
    backends = Backends(tmp_path)
    api_port, other_port = free_port(), free_port()
    sock = tmp_path / "admin.sock"
    cfg = tmp_path / "haproxy.cfg"
    servers = "".join("  server %s 127.0.0.1:%d check inter 200 fall 1 rise 1\n" % (n, port)
                      for n, port in sorted(backends.ports.items()))
    cfg.write_text(
        "global\n  stats socket %s mode 600 level admin\n\n"
        "defaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n\n"
        "listen api\n  bind 127.0.0.1:%d\n  balance roundrobin\n  option httpchk GET /health\n%s\n"
        "listen other\n  bind 127.0.0.1:%d\n  option httpchk GET /health\n%s"
        % (sock, api_port, servers, other_port, servers))
    log = open(tmp_path / "haproxy.log", "w")
    proc = subprocess.Popen([HAPROXY, "-db", "-f", str(cfg)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while not sock.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert sock.exists(), (tmp_path / "haproxy.log").read_text()
        time.sleep(1)  # the first health checks
        yield {"socket": str(sock), "port": api_port, "backends": backends}
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
        backends.close()


def stat(sock):
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(sock)
        s.sendall(b"show stat\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    rows = [line.split(",") for line in data.decode().splitlines()[1:] if line]
    return {(r[0], r[1]): r[17] for r in rows if r[1] not in ("FRONTEND", "BACKEND")}


def fetch(port, count):
    import urllib.request

    seen = []
    for _request in range(count):
        with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=5) as resp:
            seen.append(resp.read().decode())
    return seen


def task(title, **args):
    return {"name": title, "helion.openstack.haproxy_server": args, "ignore_errors": True}


def test_drain_and_put_back_against_haproxy(haproxy, tmp_path):
    sock, port, backends = haproxy["socket"], haproxy["port"], haproxy["backends"]
    assert set(fetch(port, 6)) == {"node1", "node2"}

    run = run_tasks(tmp_path, [task("drain", name="node1", state="drain", socket=sock, drain_timeout=5),
                               task("again", name="node1", state="drain", socket=sock)], diff=True)
    assert run.rc == 0, run.stdout + run.stderr
    drain, again = run.result("drain"), run.result("again")
    assert drain["changed"] and sorted(drain["servers"]) == ["api/node1", "other/node1"]
    assert drain["diff"]["before"]["api/node1"] == "ready" and drain["diff"]["after"]["api/node1"] == "drain"
    assert drain["sessions"] == 0
    assert not again["changed"]
    states = stat(sock)
    assert states[("api", "node1")] == "DRAIN" and states[("other", "node1")] == "DRAIN"
    assert states[("api", "node2")] == "UP"
    # No new request reaches the drained node.
    assert set(fetch(port, 8)) == {"node2"}

    # Check mode: reported, not done.
    run = run_tasks(tmp_path, [task("check", name="node1", state="ready", socket=sock)], check=True)
    assert run.result("check")["changed"]
    assert stat(sock)[("api", "node1")] == "DRAIN"

    # A node whose service fails its checks stays out.
    backends.set_healthy("node1", False)
    time.sleep(1)
    run = run_tasks(tmp_path, [task("refused", name="node1", state="ready", socket=sock, healthy_timeout=2)])
    refused = run.result("refused")
    assert refused.get("failed"), refused
    assert "fails HAProxy's health checks" in refused["msg"] and "stays out" in refused["msg"]
    assert stat(sock)[("api", "node1")].startswith("DOWN")
    assert set(fetch(port, 4)) == {"node2"}

    # Healthy again: put back, and served again.
    backends.set_healthy("node1", True)
    run = run_tasks(tmp_path, [task("ready", name="node1", state="ready", socket=sock, healthy_timeout=20),
                               task("ready again", name="node1", state="ready", socket=sock)])
    assert run.result("ready")["changed"], run.result("ready")
    assert not run.result("ready again")["changed"]
    assert stat(sock)[("api", "node1")] == "UP"
    assert set(fetch(port, 6)) == {"node1", "node2"}


def test_a_missing_socket_is_a_clear_error(tmp_path):
    run = run_tasks(tmp_path, [task("missing", name="node1", state="drain", socket=str(tmp_path / "none.sock"))])
    res = run.result("missing")
    assert res.get("failed")
    assert "did not answer" in res["msg"] and "stats socket" in res["msg"]
