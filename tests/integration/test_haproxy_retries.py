"""The HTTP listeners that roles/haproxy writes, run by a real HAProxy (Debian's, on loopback) in front of a server
that closes every request unanswered (a service stopping with requests in flight) and one that answers: a request
the listener may send again reaches the answering server, a POST that may have changed something is not sent a
second time, and the client is Python's urllib (whose body can arrive after its headers)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import jinja2
import pytest
import yaml

from tests.peers.common import free_port

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
ROLE = os.path.join(os.path.dirname(__file__), "..", "..", "roles", "haproxy")


@pytest.fixture(autouse=True)
def haproxy_installed():
    """A missing HAProxy fails the tests, not skips them: scripts/test.sh installs it (bindep.txt, test profile)."""
    assert os.path.exists(HAPROXY), "haproxy is not installed: run bash scripts/bootstrap.sh test (bindep.txt)"


# The two servers, in a process of their own (this suite imports Swift, whose eventlet would serve threads of the
# test process from its hub). Both listen on the same port, as a service's servers do on their own addresses;
# each appends "METHOD PATH" of every request it reads to <state>/<name>.log.
SERVERS = r"""
import os, socket, sys, threading
state, port = sys.argv[1], int(sys.argv[2])

def serve(name, address):
    listener = socket.create_server((address, port))
    while True:
        conn, _peer = listener.accept()
        threading.Thread(target=answer, args=(name, conn), daemon=True).start()

def answer(name, conn):
    with conn:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        line = data.split(b"\r\n", 1)[0].decode().rsplit(" ", 1)[0]
        if line.startswith("GET /health"):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        with open(os.path.join(state, name + ".log"), "a") as log:
            log.write(line + "\n")
        if name == "cut":
            return  # closed with no answer
        body = name.encode()
        conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))

for arg in sys.argv[3:]:
    name, address = arg.split("=")
    threading.Thread(target=serve, args=(name, address), daemon=True).start()
threading.Event().wait(600)
"""
ADDRESSES = {"cut": "127.0.0.2", "good": "127.0.0.3"}


def render(frontends, retry_on):
    """roles/haproxy/templates/service.cfg.j2 with the role's inputs, for servers cut and good."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(ROLE, "templates")), trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    return env.get_template("service.cfg.j2").render(
        ansible_managed="test", haproxy_service_name="api", haproxy_frontends=frontends,
        haproxy_vips={"internal_api": {"address": "127.0.0.1"}}, haproxy_network="management",
        haproxy_retry_on=retry_on, groups={"api": sorted(ADDRESSES)},
        hostvars={name: {"helion_addresses": {"management": address}} for name, address in ADDRESSES.items()})


@pytest.fixture
def listener(tmp_path):
    """Starts the servers and a HAProxy with the role's defaults section values and a rendered listener; yields
    a function that (re)starts HAProxy with the listener rendered for a given retry_on."""
    backend_port = free_port()
    servers = subprocess.Popen([sys.executable, "-c", SERVERS, str(tmp_path), str(backend_port)]
                               + ["%s=%s" % item for item in sorted(ADDRESSES.items())])
    procs = []

    def start(retry_on, retry_post_paths):
        for proc in procs:
            proc.terminate()
            proc.wait(10)
        for name in ADDRESSES:
            (tmp_path / (name + ".log")).unlink(missing_ok=True)
        port = free_port()
        frontends = {"api": {"port": port, "backend_port": backend_port, "group": "api", "vips": ["internal_api"],
                             "mode": "http", "check_path": "/health", "retry_post_paths": retry_post_paths}}
        cfg = tmp_path / "haproxy.cfg"
        # The role's defaults section (haproxy.cfg.j2): redispatch on every retry, three retries.
        cfg.write_text("defaults\n  mode http\n  option redispatch 1\n  retries 3\n  timeout connect 500ms\n"
                       "  timeout client 5s\n  timeout server 5s\n  default-server inter 200ms rise 1 fall 1\n\n"
                       + render(frontends, retry_on))
        check = subprocess.run([HAPROXY, "-c", "-f", str(cfg)], capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stdout + check.stderr
        log = open(tmp_path / "haproxy.log", "a")
        procs.append(subprocess.Popen([HAPROXY, "-db", "-f", str(cfg)], stdout=log, stderr=subprocess.STDOUT))
        log.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        time.sleep(0.5)  # the first health checks
        return port, cfg.read_text()

    try:
        yield start, tmp_path
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)
        servers.terminate()
        servers.wait(10)


def request(port, method, path):
    """What a user's client sees: the status, or 502 when HAProxy had no answer to give."""
    body = json.dumps({"auth": {"identity": {"methods": ["password"]}}}).encode() if method == "POST" else None
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=body, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def received(tmp_path, name):
    path = tmp_path / (name + ".log")
    return path.read_text().splitlines() if path.exists() else []


def defaults_retry_on():
    with open(os.path.join(ROLE, "defaults", "main.yml")) as handle:
        return yaml.safe_load(handle)["haproxy_retry_on"]


def test_requests_cut_by_a_stopping_server_are_sent_to_another(listener):
    start, tmp_path = listener
    port, cfg = start(defaults_retry_on(), ["/v3/auth/tokens"])
    assert "option http-buffer-request" in cfg

    # Round robin sends every other request to the server that cuts it; each of those is sent again to the other.
    tokens = [request(port, "POST", "/v3/auth/tokens") for _attempt in range(8)]
    gets = [request(port, "GET", "/v2.1/servers") for _attempt in range(4)]
    assert tokens == [201] * 8
    assert gets == [201] * 4
    cut = received(tmp_path, "cut")
    assert cut.count("POST /v3/auth/tokens") >= 3, cut  # the retries were needed: the cut server had its share
    assert received(tmp_path, "good").count("POST /v3/auth/tokens") == 8

    # A POST that may have created something is not sent a second time: its client gets the 502 and decides.
    creates = [request(port, "POST", "/v2.1/servers") for _attempt in range(4)]
    assert 201 in creates and 502 in creates, creates
    assert received(tmp_path, "cut").count("POST /v2.1/servers") == creates.count(502)
    assert received(tmp_path, "good").count("POST /v2.1/servers") == creates.count(201)


def test_without_retries_the_cut_requests_fail(listener):
    """The same traffic with haproxy_retry_on: [] (the control: the listener's retries are what made the
    difference above)."""
    start, tmp_path = listener
    port, cfg = start([], ["/v3/auth/tokens"])
    assert "retry-on" not in cfg
    tokens = [request(port, "POST", "/v3/auth/tokens") for _attempt in range(8)]
    assert tokens.count(502) >= 3, tokens
    assert received(tmp_path, "cut").count("POST /v3/auth/tokens") == tokens.count(502)
