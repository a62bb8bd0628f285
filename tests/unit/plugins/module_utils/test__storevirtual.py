"""Pure logic of plugins/module_utils/_storevirtual.py: cluster shaping and error mapping."""

import io
import ssl

import pytest
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible_collections.helion.openstack.plugins.module_utils import (
    _storevirtual as sv,
)

LABEL = "'vsa' (https://10.0.0.2:8081/lhos)"


def test_shape_cluster_full():
    cluster = {
        "id": 7, "name": "c1",
        "virtualIPAddresses": [{"ipV4Address": "10.1.1.5", "ipV4NetMask": "255.255.255.0"}, {"ipV4Address": ""}],
        "storageModuleIPAddresses": ["10.1.1.1"],
        "storageModules": [{"id": 1, "name": "n1", "ipAddress": "10.1.1.1", "status": "online", "model": "VSA"}],
        "spaceTotal": 100, "spaceAvailable": 30, "spaceProvisioned": 50,
    }
    assert sv.shape_cluster(cluster) == {
        "id": 7, "name": "c1", "vips": ["10.1.1.5"],
        "storage_systems": [{"id": 1, "name": "n1", "ip": "10.1.1.1", "status": "online", "model": "VSA"}],
        "capacity": {"total_bytes": 100, "available_bytes": 30, "used_bytes": 70, "provisioned_bytes": 50},
    }


def test_shape_cluster_falls_back_to_module_ips():
    shaped = sv.shape_cluster({"name": "c", "storageModuleIPAddresses": ["10.0.0.1", "10.0.0.2"]})
    assert [s["ip"] for s in shaped["storage_systems"]] == ["10.0.0.1", "10.0.0.2"]
    assert shaped["vips"] == []
    assert shaped["capacity"]["used_bytes"] is None


def _http_error(code, body=b""):
    return HTTPError("https://10.0.0.2:8081/lhos/x", code, "err", {}, io.BytesIO(body))


@pytest.mark.parametrize("exc, action, expected", [
    (_http_error(401), "log in", "Authentication to StoreVirtual %s failed: wrong username or password." % LABEL),
    (_http_error(403), "log in", "Authentication to StoreVirtual %s failed: wrong username or password." % LABEL),
    (_http_error(500, b'{"message": "boom"}'), "list clusters",
     "StoreVirtual %s refused to list clusters: HTTP 500 - boom." % LABEL),
    (_http_error(401), "list clusters", "StoreVirtual %s refused to list clusters: HTTP 401." % LABEL),
    (_http_error(404), "read cluster 3", "StoreVirtual %s: not found while trying to read cluster 3." % LABEL),
    (URLError(ConnectionRefusedError(111, "Connection refused")), "log in",
     "Cannot reach StoreVirtual %s while trying to log in: [Errno 111] Connection refused" % LABEL),
    (TimeoutError("timed out"), "log in", "Cannot reach StoreVirtual %s while trying to log in: timed out" % LABEL),
])
def test_error_message(exc, action, expected):
    assert sv.error_message(exc, LABEL, action) == expected


@pytest.mark.parametrize("exc", [
    URLError(ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")),
    ssl.SSLError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
])
def test_error_message_tls(exc):
    assert sv.error_message(exc, LABEL, "log in").startswith(
        "TLS failure talking to StoreVirtual %s while trying to log in" % LABEL)


class FakeClient(object):
    api_version = "1.2"

    def __init__(self):
        self.calls = []

    def clusters(self):
        return [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]

    def cluster(self, cluster_id):
        self.calls.append(("cluster", cluster_id))
        return {"id": cluster_id, "name": "c%d" % cluster_id, "spaceTotal": 2, "spaceAvailable": 1}

    def cluster_by_name(self, name):
        self.calls.append(("by_name", name))
        return {"id": 9, "name": name}


def test_gather_info_reads_each_cluster():
    client = FakeClient()
    info = sv.gather_info(client)
    assert info["api_version"] == "1.2"
    assert [c["name"] for c in info["clusters"]] == ["c1", "c2"]
    assert client.calls == [("cluster", 1), ("cluster", 2)]


def test_gather_info_by_name():
    client = FakeClient()
    info = sv.gather_info(client, ["x"])
    assert [c["name"] for c in info["clusters"]] == ["x"] and client.calls == [("by_name", "x")]


@pytest.mark.parametrize("name, url, label", [
    ("vsa", "https://10.0.0.2:8081/lhos", "'vsa' (https://10.0.0.2:8081/lhos)"),
    (None, "https://10.0.0.2:8081/lhos", "'10.0.0.2' (https://10.0.0.2:8081/lhos)"),
])
def test_array_label(name, url, label):
    assert sv.array_label(name, url) == label
