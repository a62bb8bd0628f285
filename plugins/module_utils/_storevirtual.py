# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""HPE StoreVirtual (LeftHand OS) REST logic shared by the storevirtual_* modules.

This module util is PRIVATE to the collection. It may change without notice.

python-lefthandclient (last release 2.1.0, 2016) installs on Python 3.11 but is not used: it drags in
eventlet and paramiko, turns every login failure (including a wrong password) into "UnsupportedVersion ...
check proxy settings", and prints to stdout when it re-authenticates, which corrupts a module's JSON.
This small client speaks the same REST API with Ansible's open_url, using the paths python-lefthandclient
uses: POST /credentials (session token in the Authorization header), GET /clusters, GET /clusters/<id>,
GET /clusters?name=<name>, DELETE /credentials/<token>.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket
import ssl

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import quote, urlparse
from ansible.module_utils.urls import open_url

try:
    from ansible.module_utils.urls import SSLValidationError
except ImportError:  # pragma: no cover - older ansible-core
    SSLValidationError = ssl.SSLError


class StoreVirtualError(Exception):
    """A failure talking to a StoreVirtual system; the message names the system and the cause."""


def array_label(name, url):
    if name:
        return "'%s' (%s)" % (name, url)
    host = urlparse(url or "").hostname or url
    return "'%s' (%s)" % (host, url)


def _is_tls_error(reason):
    if isinstance(reason, (ssl.SSLError, SSLValidationError)):
        return True
    text = str(reason)
    return "SSL" in text or "CERTIFICATE" in text.upper() or "TLS" in text


def error_message(exc, label, action):
    """A clear message for a transport or HTTP exception."""
    if isinstance(exc, HTTPError):
        detail = ""
        try:
            body = json.loads(exc.read().decode("utf-8"))
            detail = body.get("message") or body.get("desc") or ""
        except Exception:  # noqa: BLE001 - the body is optional and may not be JSON
            detail = ""
        if action == "log in" and exc.code in (401, 403):
            return "Authentication to StoreVirtual %s failed: wrong username or password." % label
        if exc.code == 404:
            suffix = (": " + detail) if detail else ""
            return "StoreVirtual %s: not found while trying to %s%s." % (label, action, suffix)
        suffix = (" - " + detail) if detail else ""
        return "StoreVirtual %s refused to %s: HTTP %s%s." % (label, action, exc.code, suffix)
    reason = getattr(exc, "reason", exc)
    if _is_tls_error(exc) or _is_tls_error(reason):
        return ("TLS failure talking to StoreVirtual %s while trying to %s: the TLS handshake or certificate "
                "verification failed (check that the URL scheme and port match the REST API, and "
                "validate_certs/ca_path): %s" % (label, action, reason))
    if isinstance(exc, (URLError, socket.error, socket.timeout)):
        return "Cannot reach StoreVirtual %s while trying to %s: %s" % (label, action, reason)
    return "StoreVirtual %s: failed to %s: %s" % (label, action, exc)


class StoreVirtualClient(object):
    """A minimal LeftHand OS REST client (session token, JSON GETs)."""

    def __init__(self, api_url, username, password, name=None, validate_certs=True, ca_path=None, timeout=30):
        self.url = api_url.rstrip("/")
        self.label = array_label(name, self.url)
        self.username = username
        self.password = password
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.timeout = timeout
        self.token = None
        self.api_version = None

    def _request(self, method, path, action, body=None, not_found=None):
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body)
        if self.token:
            headers["Authorization"] = self.token
        kwargs = dict(method=method, headers=headers, data=data, validate_certs=self.validate_certs,
                      timeout=self.timeout, follow_redirects="none")
        if self.ca_path:
            kwargs["ca_path"] = self.ca_path
        try:
            resp = open_url(self.url + path, **kwargs)
            raw = resp.read()
            headers_out = {k.lower(): v for k, v in resp.headers.items()}
        except Exception as exc:  # noqa: BLE001 - HTTPError, URLError, ssl and socket errors
            if not_found and isinstance(exc, HTTPError) and exc.code == 404:
                raise StoreVirtualError(not_found)
            raise StoreVirtualError(error_message(exc, self.label, action))
        if not raw:
            return headers_out, None
        try:
            return headers_out, json.loads(raw.decode("utf-8"))
        except ValueError:
            raise StoreVirtualError("StoreVirtual %s returned a body that is not JSON while trying to %s."
                                    % (self.label, action))

    def login(self):
        headers, body = self._request("POST", "/credentials", "log in",
                                      body={"user": self.username, "password": self.password})
        if not body or "authToken" not in body:
            raise StoreVirtualError("StoreVirtual %s did not return a session token on login." % self.label)
        self.token = body["authToken"]
        self.api_version = headers.get("x-api-version")

    def logout(self):
        if self.token:
            token, self.token = self.token, None
            try:
                self._request("DELETE", "/credentials/%s" % quote(token, safe=""), "log out")
            except StoreVirtualError:
                pass

    def __enter__(self):
        self.login()
        return self

    def __exit__(self, *exc_info):
        self.logout()
        return False

    def clusters(self):
        _h, body = self._request("GET", "/clusters", "list clusters")
        return (body or {}).get("members", [])

    def cluster(self, cluster_id):
        _h, body = self._request("GET", "/clusters/%s" % quote(str(cluster_id), safe=""),
                                 "read cluster %s" % cluster_id)
        return body or {}

    def cluster_by_name(self, name):
        missing = "Cluster '%s' does not exist on StoreVirtual %s." % (name, self.label)
        _h, body = self._request("GET", "/clusters?name=%s" % quote(name, safe=""), "read cluster '%s'" % name,
                                 not_found=missing)
        if not body:
            raise StoreVirtualError(missing)
        return body


# ---------------------------------------------------------------------------
# Pure shaping
# ---------------------------------------------------------------------------

def shape_cluster(cluster):
    """The collection's view of a LeftHand cluster document (field names as Cinder's driver reads them)."""
    vips = [v.get("ipV4Address") for v in cluster.get("virtualIPAddresses") or [] if v.get("ipV4Address")]
    systems = []
    for module in cluster.get("storageModules") or []:
        systems.append({"id": module.get("id"), "name": module.get("name"),
                        "ip": module.get("ipAddress"), "status": module.get("status"),
                        "model": module.get("model")})
    if not systems:
        systems = [{"id": None, "name": None, "ip": ip, "status": None, "model": None}
                   for ip in cluster.get("storageModuleIPAddresses") or []]
    total = cluster.get("spaceTotal")
    available = cluster.get("spaceAvailable")
    used = total - available if isinstance(total, int) and isinstance(available, int) else None
    return {
        "id": cluster.get("id"),
        "name": cluster.get("name"),
        "vips": vips,
        "storage_systems": systems,
        "capacity": {"total_bytes": total, "available_bytes": available, "used_bytes": used,
                     "provisioned_bytes": cluster.get("spaceProvisioned")},
    }


def gather_info(client, cluster_names=None):
    if cluster_names:
        raw = [client.cluster_by_name(name) for name in cluster_names]
    else:
        raw = [client.cluster(member["id"]) if "id" in member else member for member in client.clusters()]
    return {"api_version": client.api_version, "clusters": [shape_cluster(c) for c in raw]}


def connection_argument_spec():
    """The connection options documented in the helion.openstack.storevirtual doc fragment."""
    return dict(
        api_url=dict(type="str", required=True),
        username=dict(type="str", required=True),
        password=dict(type="str", required=True, no_log=True),
        array_name=dict(type="str"),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        timeout=dict(type="int", default=30),
    )


def client_from_params(params):
    return StoreVirtualClient(params["api_url"], params["username"], params["password"],
                              name=params.get("array_name"), validate_certs=params["validate_certs"],
                              ca_path=params.get("ca_path"), timeout=params["timeout"])
