# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small OpenStack client for the lab tests, as a user outside the cloud sees it: Keystone, Swift and
Glance through the public VIP, over plain HTTP with the standard library.

The catalog names the VIPs by their DNS names, which the test machine does not resolve: each URL's host
is replaced by the VIP address the model gives that name.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import time
import urllib.parse


class HttpError(AssertionError):
    def __init__(self, method, url, status, body):
        super().__init__("%s %s -> %s %s" % (method, url, status, body[:300]))
        self.status = status


def request(method, url, body=None, headers=None, timeout=60.0, expect=(200, 201, 202, 204), stream_to=None):
    """One HTTP request; the response body (or its md5 and size when stream_to='md5')."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    path = parts.path + ("?" + parts.query if parts.query else "")
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        if stream_to == "md5":
            digest, size = hashlib.md5(), 0
            while True:
                chunk = resp.read(1 << 20)
                if not chunk:
                    break
                digest.update(chunk)
                size += len(chunk)
            data = (digest.hexdigest(), size)
        else:
            data = resp.read()
        if resp.status not in expect:
            raise HttpError(method, url, resp.status, data if isinstance(data, bytes) else b"")
        return resp, data
    finally:
        conn.close()


class Cloud:
    """A session of one user: token, catalog, and helpers for the services the tests use."""

    def __init__(self, model, username, password, project, interface="public"):
        self.model = model
        self.interface = interface
        self.hosts = {v["fqdn"]: v["address"] for v in model["vips"].values() if v.get("fqdn")}
        vip = model["vips"]["public_api" if interface == "public" else "internal_api"]["address"]
        self.keystone = "http://%s:5000/v3" % vip
        self.username, self.password, self.project = username, password, project
        self.login()

    def login(self):
        body = json.dumps({"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": self.username, "domain": {"id": "default"}, "password": self.password}}},
            "scope": {"project": {"name": self.project, "domain": {"id": "default"}}}}})
        resp, data = request("POST", self.keystone + "/auth/tokens", body,
                             {"Content-Type": "application/json"}, expect=(201,))
        self.token = resp.getheader("X-Subject-Token")
        tok = json.loads(data)["token"]
        self.project_id = tok["project"]["id"]
        self.catalog = tok.get("catalog", [])

    def url(self, service_type):
        for svc in self.catalog:
            if svc["type"] == service_type:
                for ep in svc["endpoints"]:
                    if ep["interface"] == self.interface:
                        parts = urllib.parse.urlsplit(ep["url"])
                        host = self.hosts.get(parts.hostname, parts.hostname)
                        return urllib.parse.urlunsplit(parts._replace(netloc="%s:%s" % (host, parts.port or 80)))
        raise AssertionError("no %s endpoint of interface %s in the catalog" % (service_type, self.interface))

    def call(self, method, url, body=None, headers=None, **kwargs):
        hdrs = {"X-Auth-Token": self.token}
        hdrs.update(headers or {})
        return request(method, url, body, hdrs, **kwargs)

    def json(self, method, url, payload=None, **kwargs):
        body = json.dumps(payload) if payload is not None else None
        _resp, data = self.call(method, url, body, {"Content-Type": "application/json"}, **kwargs)
        return json.loads(data) if data else {}


def ensure_user(admin, name, password, project, role="member"):
    """A project and a user with `role` in it, made by the admin (Keystone's API); returns the user's id."""
    ks = admin.keystone
    found = admin.json("GET", ks + "/projects?name=%s" % urllib.parse.quote(project))["projects"]
    pid = found[0]["id"] if found else admin.json("POST", ks + "/projects", {"project": {
        "name": project, "domain_id": "default"}})["project"]["id"]
    found = admin.json("GET", ks + "/users?name=%s" % urllib.parse.quote(name))["users"]
    if found:
        uid = found[0]["id"]
        admin.json("PATCH", ks + "/users/" + uid, {"user": {"password": password}})
        # The new password revokes the user's tokens issued up to this second (Keystone keeps seconds):
        # a token issued in the same second would be refused.
        time.sleep(1.5)
    else:
        uid = admin.json("POST", ks + "/users", {"user": {
            "name": name, "password": password, "domain_id": "default", "default_project_id": pid}})["user"]["id"]
    rid = admin.json("GET", ks + "/roles?name=%s" % role)["roles"][0]["id"]
    admin.call("PUT", "%s/projects/%s/users/%s/roles/%s" % (ks, pid, uid, rid))
    return uid


def retry(func, timeout, interval=1.0):
    """Calls func until it returns without an exception, at most `timeout` seconds; (result, seconds, failures)."""
    start = time.monotonic()
    failures = 0
    while True:
        try:
            return func(), time.monotonic() - start, failures
        except (AssertionError, OSError, http.client.HTTPException):
            failures += 1
            if time.monotonic() - start > timeout:
                raise
            time.sleep(interval)
