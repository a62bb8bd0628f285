# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Orchestration on the lab, as a user of a new project (not the admin), through the `openstack stack` commands
of this machine's client and the public VIP: a HOT template makes a network, a subnet, a router to the external
network, a security group, a port, a server of the tiny image, a floating IP and a wait condition handle (a user
Heat creates in the stack domain). The stack completes, the server's web page answers on the floating IP from
this machine, the handle takes a signal; an update renames the server and changes its metadata in place (same
server); the delete removes the stack and its resources. Every wait is bounded; the seconds are printed.

`python -m tests.lab.test_orchestration` runs the same steps without pytest against the deployed lab.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

import pytest

from tests.lab.cloud import Cloud, ensure_user
from tests.lab.lab import CLOUD, ROOT, admin_password, run, wait_until

USER = "lab-orchestration-user"
PROJECT = "lab-orchestration"
STACK = "lab-stack"
FIGURES = {}
CLIENT = os.path.join(ROOT, ".venv", "bin", "openstack")
CREATE_TIMEOUT = 900
UPDATE_TIMEOUT = 600
DELETE_TIMEOUT = 600
HTTP_TIMEOUT = 300

TEMPLATE = """\
heat_template_version: 2021-04-16
description: A server of the tiny image on its own network, reached on a floating IP (the lab's orchestration test).
parameters:
  server_name: {type: string}
  tag: {type: string}
  external_network: {type: string}
  image: {type: string, default: helion-tiny}
  flavor: {type: string, default: m1.tiny}
  cidr: {type: string, default: 10.72.0.0/24}
resources:
  net:
    type: OS::Neutron::Net
  subnet:
    type: OS::Neutron::Subnet
    properties: {network: {get_resource: net}, cidr: {get_param: cidr}, ip_version: 4}
  router:
    type: OS::Neutron::Router
    properties:
      external_gateway_info: {network: {get_param: external_network}}
  router_interface:
    type: OS::Neutron::RouterInterface
    properties: {router: {get_resource: router}, subnet: {get_resource: subnet}}
  security_group:
    type: OS::Neutron::SecurityGroup
    properties:
      rules:
        - {protocol: icmp, remote_ip_prefix: 0.0.0.0/0}
        - {protocol: tcp, port_range_min: 22, port_range_max: 22, remote_ip_prefix: 0.0.0.0/0}
        - {protocol: tcp, port_range_min: 80, port_range_max: 80, remote_ip_prefix: 0.0.0.0/0}
  port:
    type: OS::Neutron::Port
    properties:
      network: {get_resource: net}
      fixed_ips: [{subnet: {get_resource: subnet}}]
      security_groups: [{get_resource: security_group}]
  server:
    type: OS::Nova::Server
    properties:
      name: {get_param: server_name}
      image: {get_param: image}
      flavor: {get_param: flavor}
      networks: [{port: {get_resource: port}}]
      metadata: {helion-tag: {get_param: tag}}
  floating_ip:
    type: OS::Neutron::FloatingIP
    depends_on: router_interface
    properties:
      floating_network: {get_param: external_network}
      port_id: {get_resource: port}
  # A user of its own in the stack domain, made by Heat through the stack domain's admin.
  handle:
    type: OS::Heat::WaitConditionHandle
outputs:
  server_id: {value: {get_resource: server}}
  server_name: {value: {get_attr: [server, name]}}
  floating_ip: {value: {get_attr: [floating_ip, floating_ip_address]}}
  handle_endpoint: {value: {get_attr: [handle, endpoint]}}
  handle_token: {value: {get_attr: [handle, token]}}
"""


class Client:
    """`openstack` on this machine as one user: the credentials in the environment (never on a command line)."""

    def __init__(self, model, username, password, project):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update({
            "OS_AUTH_URL": "http://%s:5000/v3" % model["vips"]["public_api"]["address"],
            "OS_IDENTITY_API_VERSION": "3", "OS_INTERFACE": "public", "OS_USERNAME": username,
            "OS_PASSWORD": password, "OS_PROJECT_NAME": project, "OS_USER_DOMAIN_ID": "default",
            "OS_PROJECT_DOMAIN_ID": "default",
        })
        self.env = env

    def __call__(self, *args, check=True, timeout=180):
        return run([CLIENT] + list(args), check=check, timeout=timeout, env=self.env)

    def json(self, *args, timeout=180):
        return json.loads(self(*(list(args) + ["-f", "json"]), timeout=timeout).stdout)


def stack_status(client, name):
    """(status, reason) of the stack, or None when it is gone."""
    res = client("stack", "show", name, "-f", "json", "-c", "stack_status", "-c", "stack_status_reason", check=False)
    if res.returncode != 0:
        if "not found" in (res.stderr + res.stdout).lower():
            return None
        # another error (the API briefly unavailable): the waits go on asking, up to their bound
        return "UNKNOWN", res.stderr[-2000:]
    out = json.loads(res.stdout)
    return out["stack_status"], out.get("stack_status_reason", "")


def wait_status(client, name, wanted, timeout):
    """Waits (bounded) until the stack reaches `wanted` (None: gone); fails at once on a *_FAILED status."""
    def reached():
        st = stack_status(client, name)
        if st is not None and st[0].endswith("_FAILED"):
            events = client("stack", "event", "list", name, check=False).stdout[-3000:]
            raise AssertionError("stack %s is %s: %s\n%s" % (name, st[0], st[1], events))
        return "gone" if st is None and wanted is None else (st and st[0] == wanted and st)
    return wait_until("stack %s %s" % (name, wanted or "deleted"), reached, timeout, 5)


def _outputs(client, name):
    out = client.json("stack", "show", name, "-c", "outputs")["outputs"]
    return {o["output_key"]: o["output_value"] for o in out}


def http_get(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.read().decode("utf-8", "replace") if resp.status == 200 else None
    except (urllib.error.URLError, OSError):
        return None


def setup_user(model):
    """A new project and its user (member role), made by the admin: (admin Cloud, user Client, user Cloud)."""
    admin = Cloud(model, "admin", admin_password(model["controllers"][0]), "admin")
    password = uuid.uuid4().hex
    ensure_user(admin, USER, password, PROJECT, "member")
    return admin, Client(model, USER, password, PROJECT), Cloud(model, USER, password, PROJECT)


def remove_user(admin):
    ks = admin.keystone
    for kind, name in (("users", USER), ("projects", PROJECT)):
        for item in admin.json("GET", "%s/%s?name=%s" % (ks, kind, name))[kind]:
            admin.call("DELETE", "%s/%s/%s" % (ks, kind, item["id"]), expect=(204, 404))


def external_network(user_cloud):
    nets = user_cloud.json("GET", user_cloud.url("network") + "/v2.0/networks?router:external=true")["networks"]
    assert nets, "the deploy made no external network"
    return nets[0]["name"]


def create(client, user_cloud, template):
    """Creates the stack (a stack of an earlier run is deleted first): its outputs once CREATE_COMPLETE."""
    if stack_status(client, STACK) is not None:
        client("stack", "delete", "--yes", STACK)
        wait_status(client, STACK, None, DELETE_TIMEOUT)
    t0 = time.monotonic()
    client("stack", "create", "-t", template, "--parameter", "server_name=lab-stack-vm",
           "--parameter", "tag=one", "--parameter", "external_network=%s" % external_network(user_cloud), STACK)
    wait_status(client, STACK, "CREATE_COMPLETE", CREATE_TIMEOUT)
    FIGURES["create s"] = round(time.monotonic() - t0, 1)
    return _outputs(client, STACK)


def check_server_answers(out):
    """The tiny image's web page on the floating IP, from this machine, with the name the stack gave."""
    t0 = time.monotonic()
    page = wait_until("the web page of %s on %s" % (out["server_name"], out["floating_ip"]),
                      lambda: http_get("http://%s/" % out["floating_ip"]), HTTP_TIMEOUT, 3)
    FIGURES["seconds to HTTP on the floating IP"] = round(time.monotonic() - t0, 1)
    assert "hostname: %s" % out["server_name"] in page, page[-1000:]


def signal_handle(out):
    """Signals the wait condition handle as Heat's stack domain user would (its token): the handle's data shows it."""
    body = json.dumps({"status": "SUCCESS", "reason": "lab", "data": "signalled", "id": "1"}).encode()
    req = urllib.request.Request(out["handle_endpoint"], data=body, method="POST", headers={
        "X-Auth-Token": out["handle_token"], "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        assert resp.status == 200, resp.status


def handle_data(client):
    """The signals the wait condition handle took, {id: data}, from the handle's metadata."""
    meta = client.json("stack", "resource", "metadata", STACK, "handle")
    return {k: v.get("data") for k, v in meta.items()}


def update(client, user_cloud, template, server_id):
    """Renames the server and changes its metadata: UPDATE_COMPLETE with the same server, renamed."""
    t0 = time.monotonic()
    client("stack", "update", "-t", template, "--parameter", "server_name=lab-stack-vm2",
           "--parameter", "tag=two", "--parameter", "external_network=%s" % external_network(user_cloud), STACK)
    wait_status(client, STACK, "UPDATE_COMPLETE", UPDATE_TIMEOUT)
    FIGURES["update s"] = round(time.monotonic() - t0, 1)
    out = _outputs(client, STACK)
    assert out["server_id"] == server_id, "the update replaced the server (%s, was %s)" % (out["server_id"], server_id)
    server = user_cloud.json("GET", user_cloud.url("compute") + "/servers/" + server_id)["server"]
    assert server["name"] == "lab-stack-vm2", server["name"]
    assert server["metadata"].get("helion-tag") == "two", server["metadata"]
    return out


def delete(client, user_cloud, server_id):
    t0 = time.monotonic()
    client("stack", "delete", "--yes", STACK)
    wait_status(client, STACK, None, DELETE_TIMEOUT)
    FIGURES["delete s"] = round(time.monotonic() - t0, 1)
    user_cloud.call("GET", user_cloud.url("compute") + "/servers/" + server_id, expect=(404,))
    nets = user_cloud.json("GET", user_cloud.url("network") + "/v2.0/networks?project_id=" + user_cloud.project_id)
    assert not nets["networks"], "the delete left networks: %s" % [n["name"] for n in nets["networks"]]


@pytest.fixture(scope="module")
def session(deployed):
    admin, client, user_cloud = setup_user(deployed)
    with tempfile.TemporaryDirectory() as tmp:
        template = os.path.join(tmp, "lab-stack.yaml")
        with open(template, "w") as handle:
            handle.write(TEMPLATE)
        state = {"client": client, "cloud": user_cloud, "template": template}
        yield state
        if stack_status(client, STACK) is not None:
            client("stack", "delete", "--yes", STACK, check=False)
            wait_status(client, STACK, None, DELETE_TIMEOUT)
    remove_user(admin)
    print("orchestration figures: %s" % FIGURES)


def test_stack_create_serves_the_server_on_its_floating_ip(session):
    out = create(session["client"], session["cloud"], session["template"])
    session["out"] = out
    assert out["server_name"] == "lab-stack-vm"
    check_server_answers(out)


def test_wait_condition_handle_of_a_stack_domain_user_takes_a_signal(session):
    out = session.get("out") or pytest.fail("no stack (the create test failed)")
    signal_handle(out)
    data = wait_until("the handle's data", lambda: handle_data(session["client"]), 60, 2)
    assert data == {"1": "signalled"}, data


def test_stack_update_renames_the_server_in_place(session):
    out = session.get("out") or pytest.fail("no stack (the create test failed)")
    session["out"] = update(session["client"], session["cloud"], session["template"], out["server_id"])
    assert session["out"]["server_name"] == "lab-stack-vm2"


def test_stack_delete_removes_its_resources(session):
    out = session.get("out") or pytest.fail("no stack (the create test failed)")
    delete(session["client"], session["cloud"], out["server_id"])


def main():
    """The same steps without pytest, against the deployed lab (.cache/lab/lab-model.json)."""
    with open(os.path.join(ROOT, ".cache", "lab", CLOUD + "-model.json")) as f:
        model = json.load(f)
    model["controllers"] = model["groups"]["controllers"]
    admin, client, user_cloud = setup_user(model)
    with tempfile.TemporaryDirectory() as tmp:
        template = os.path.join(tmp, "lab-stack.yaml")
        with open(template, "w") as handle:
            handle.write(TEMPLATE)
        try:
            out = create(client, user_cloud, template)
            check_server_answers(out)
            signal_handle(out)
            print("handle data:", wait_until("the handle's data", lambda: handle_data(client), 60, 2))
            out = update(client, user_cloud, template, out["server_id"])
            delete(client, user_cloud, out["server_id"])
        finally:
            if stack_status(client, STACK) is not None and "--keep" not in sys.argv:
                client("stack", "delete", "--yes", STACK, check=False)
                wait_status(client, STACK, None, DELETE_TIMEOUT)
            if "--keep" not in sys.argv:
                remove_user(admin)
    print("orchestration figures: %s" % FIGURES)


if __name__ == "__main__":
    main()
