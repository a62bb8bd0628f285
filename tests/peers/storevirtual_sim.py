"""A small HPE StoreVirtual (LeftHand OS) REST simulator for the integration tests.

No registry package ships one. It serves the subset of the LeftHand OS REST API that
python-lefthandclient 2.1.0 (hpelefthandclient/http.py, client.py) and Cinder's HPELeftHand driver use
to read clusters:

    POST   /lhos/credentials            {"user", "password"} -> 201 {"authToken": ...}, X-API-Version header
    DELETE /lhos/credentials/<token>
    GET    /lhos/clusters               {"total", "members": [cluster...]}     (Authorization: <token>)
    GET    /lhos/clusters/<id>          cluster, 404 when unknown
    GET    /lhos/clusters?name=<name>   cluster, 404 NON_EXISTENT_CLUSTER when unknown

A cluster carries the fields Cinder's driver reads: id, name, virtualIPAddresses[].ipV4Address,
storageModuleIPAddresses, spaceTotal, spaceAvailable, plus storageModules and spaceProvisioned.

Usage: python tests/peers/storevirtual_sim.py --port N --user U --password P [--model clusters.json]
"""

import argparse
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

TIB = 1024 ** 4

DEFAULT_CLUSTERS = [
    {
        "id": 12,
        "name": "cluster1",
        "virtualIPAddresses": [{"ipV4Address": "10.120.3.240", "ipV4NetMask": "255.255.255.0"}],
        "storageModuleIPAddresses": ["10.120.3.21", "10.120.3.22"],
        "storageModules": [
            {"id": 1, "name": "vsa1", "ipAddress": "10.120.3.21", "status": "online", "model": "VSA"},
            {"id": 2, "name": "vsa2", "ipAddress": "10.120.3.22", "status": "online", "model": "VSA"},
        ],
        "spaceTotal": 10 * TIB,
        "spaceAvailable": 8 * TIB,
        "spaceProvisioned": 3 * TIB,
    },
    {
        "id": 13,
        "name": "cluster2",
        "virtualIPAddresses": [{"ipV4Address": "10.120.3.241", "ipV4NetMask": "255.255.255.0"}],
        "storageModuleIPAddresses": ["10.120.3.31"],
        "storageModules": [
            {"id": 3, "name": "vsa3", "ipAddress": "10.120.3.31", "status": "online", "model": "VSA"},
        ],
        "spaceTotal": 4 * TIB,
        "spaceAvailable": 4 * TIB,
        "spaceProvisioned": 0,
    },
]


class State(object):
    def __init__(self, user, password, clusters):
        self.user = user
        self.password = password
        self.clusters = clusters
        self.tokens = set()
        self.lock = threading.Lock()


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        server_version = "StoreVirtualSim/1.0"

        def log_message(self, *args):  # keep the test output quiet
            pass

        def _send(self, code, body=None, headers=None):
            data = b"" if body is None else json.dumps(body).encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _error(self, code, message_id, message):
            self._send(code, {"messageID": message_id, "message": message})

        def _authorized(self):
            with state.lock:
                ok = self.headers.get("Authorization") in state.tokens
            if not ok:
                self._error(401, "UNAUTHORIZED", "missing or expired session token")
            return ok

        def do_POST(self):
            url = urlparse(self.path)
            if url.path != "/lhos/credentials":
                return self._error(404, "NOT_FOUND", "%s not found" % url.path)
            length = int(self.headers.get("Content-Length") or 0)
            try:
                data = json.loads(self.rfile.read(length).decode("utf-8"))
            except ValueError:
                return self._error(400, "INVALID_INPUT", "body is not JSON")
            if data.get("user") != state.user or data.get("password") != state.password:
                return self._error(401, "INVALID_CREDENTIALS", "invalid user name or password")
            token = uuid.uuid4().hex
            with state.lock:
                state.tokens.add(token)
            return self._send(201, {"authToken": token}, {"X-API-Version": "1.2",
                                                          "Location": "/lhos/credentials/%s" % token})

        def do_DELETE(self):
            url = urlparse(self.path)
            prefix = "/lhos/credentials/"
            if not url.path.startswith(prefix):
                return self._error(404, "NOT_FOUND", "%s not found" % url.path)
            with state.lock:
                state.tokens.discard(url.path[len(prefix):])
            return self._send(200)

        def do_GET(self):
            url = urlparse(self.path)
            if not url.path.startswith("/lhos/clusters"):
                return self._error(404, "NOT_FOUND", "%s not found" % url.path)
            if not self._authorized():
                return None
            rest = url.path[len("/lhos/clusters"):].strip("/")
            query = parse_qs(url.query)
            if not rest and "name" in query:
                for cluster in state.clusters:
                    if cluster["name"] == query["name"][0]:
                        return self._send(200, cluster)
                return self._error(404, "NON_EXISTENT_CLUSTER", "cluster %s does not exist" % query["name"][0])
            if not rest:
                return self._send(200, {"total": len(state.clusters), "type": "cluster",
                                        "members": [{"id": c["id"], "name": c["name"]} for c in state.clusters]})
            for cluster in state.clusters:
                if str(cluster["id"]) == rest:
                    return self._send(200, cluster)
            return self._error(404, "NON_EXISTENT_CLUSTER", "cluster %s does not exist" % rest)

    return Handler


def serve(port, user, password, clusters=None, host="127.0.0.1"):
    """Start the simulator in a thread; returns the server (call shutdown() to stop it)."""
    state = State(user, password, clusters or DEFAULT_CLUSTERS)
    server = ThreadingHTTPServer((host, port), make_handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--model", help="JSON file with a list of clusters")
    args = parser.parse_args()
    clusters = None
    if args.model:
        with open(args.model) as handle:
            clusters = json.load(handle)
    state = State(args.user, args.password, clusters or DEFAULT_CLUSTERS)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(state))
    server.serve_forever()


if __name__ == "__main__":
    main()
