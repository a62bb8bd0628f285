# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compute and networking on the lab, as a user of a new project: a network, a subnet and a router to the
external network, a security group, a key pair, two instances of the tiny image; a floating IP that this
machine pings and reaches over SSH with the key; from inside one instance, the other over the tenant
network. The floating IP is shown to be answered by the compute node (OVN's distributed NAT). Then the
controller holding the VIPs loses its power while this machine pings the instance, and a third instance
boots through the other two controllers.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
import uuid

import pytest

from tests.lab.cloud import Cloud, ensure_user, retry
from tests.lab.lab import (CLOUD, ROOT, admin_password, dexec, galera_healthy, rabbit_running, run, vip_holder,
                           wait_until)

USER = "lab-compute-user"
PROJECT = "lab-compute"
FIGURES = {}
SSH_OPTS = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=5",
            "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"]


@pytest.fixture(scope="module")
def user(deployed):
    admin = Cloud(deployed, "admin", admin_password(deployed["controllers"][0]), "admin")
    password = uuid.uuid4().hex
    ensure_user(admin, USER, password, PROJECT, "member")
    return Cloud(deployed, USER, password, PROJECT)


@pytest.fixture(scope="module")
def keypair(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("ssh") / "id_ed25519")
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path])
    with open(path + ".pub") as handle:
        return path, handle.read().strip()


def find(cloud, url, kind, name):
    items = cloud.json("GET", "%s?name=%s" % (url, name))[kind]
    return items[0] if items else None


def ensure(cloud, url, kind, body):
    """The resource of that name in the user's project, created when missing."""
    single = kind[:-1] if not kind.endswith("ies") else kind[:-3] + "y"
    found = find(cloud, url, kind, body["name"])
    return found or cloud.json("POST", url, {single: body})[single]


def tenant_network(user):
    """Network, subnet, router with the external gateway, security group: made once, reused."""
    net_url = user.url("network") + "/v2.0"
    admin_nets = user.json("GET", net_url + "/networks?router:external=true")["networks"]
    assert admin_nets, "the deploy made no external network"
    ext = admin_nets[0]
    net = ensure(user, net_url + "/networks", "networks", {"name": "lab-net"})
    subnet = ensure(user, net_url + "/subnets", "subnets", {
        "name": "lab-subnet", "network_id": net["id"], "ip_version": 4, "cidr": "10.71.0.0/24"})
    router = ensure(user, net_url + "/routers", "routers", {
        "name": "lab-router", "external_gateway_info": {"network_id": ext["id"]}})
    ports = user.json("GET", net_url + "/ports?device_id=%s&network_id=%s" % (router["id"], net["id"]))["ports"]
    if not ports:
        user.json("PUT", net_url + "/routers/%s/add_router_interface" % router["id"], {"subnet_id": subnet["id"]})
    sg = find(user, net_url + "/security-groups", "security_groups", "lab-ssh")
    if not sg:
        sg = user.json("POST", net_url + "/security-groups", {"security_group": {"name": "lab-ssh"}})["security_group"]
        for rule in ({"protocol": "icmp"}, {"protocol": "tcp", "port_range_min": 22, "port_range_max": 22}):
            rule.update({"security_group_id": sg["id"], "direction": "ingress", "ethertype": "IPv4",
                         "remote_ip_prefix": "0.0.0.0/0"})
            user.json("POST", net_url + "/security-group-rules", {"security_group_rule": rule})
    return {"ext": ext, "net": net, "subnet": subnet, "router": router, "sg": sg, "url": net_url}


def boot(user, name, network, key_name, timeout=600):
    """Boots the tiny image; returns (server, seconds to ACTIVE)."""
    compute = user.url("compute")
    image = user.json("GET", user.url("image") + "/v2/images?name=helion-tiny")["images"]
    assert image, "the deploy uploaded no helion-tiny image"
    flavors = user.json("GET", compute + "/flavors")["flavors"]
    flavor = [f for f in flavors if f["name"] == "m1.tiny"]
    assert flavor, "the deploy made no m1.tiny flavor: %s" % [f["name"] for f in flavors]
    t0 = time.monotonic()
    server = user.json("POST", compute + "/servers", {"server": {
        "name": name, "imageRef": image[0]["id"], "flavorRef": flavor[0]["id"], "key_name": key_name,
        "networks": [{"uuid": network["net"]["id"]}],
        "security_groups": [{"name": "default"}, {"name": "lab-ssh"}]}}, expect=(202,))["server"]

    def active():
        s = user.json("GET", compute + "/servers/" + server["id"])["server"]
        assert s["status"] != "ERROR", "server %s went to ERROR: %s" % (name, s.get("fault"))
        return s if s["status"] == "ACTIVE" else None
    s = wait_until("%s ACTIVE" % name, active, timeout, 2)
    return s, time.monotonic() - t0


def console(user, server_id):
    out = user.json("POST", user.url("compute") + "/servers/%s/action" % server_id,
                    {"os-getConsoleOutput": {"length": 200}})
    return out.get("output", "")


def fixed_ip(server):
    return [a["addr"] for addrs in server["addresses"].values() for a in addrs
            if a.get("OS-EXT-IPS:type") == "fixed"][0]


def ping(address, count=1, wait=1):
    return subprocess.run(["ping", "-n", "-c", str(count), "-W", str(wait), address], check=False,
                          capture_output=True, text=True, timeout=count * wait + 10).returncode == 0


def ssh(key, address, command, timeout=60):
    return subprocess.run(["ssh", "-i", key] + SSH_OPTS + ["root@" + address, command], check=False,
                          capture_output=True, text=True, timeout=timeout)


def ovn_nbctl(model, args):
    ctl = model["controllers"][0]
    return dexec(ctl, "ovn-nbctl --no-leader-only " + args, check=True).stdout


def ovn_sbctl(model, args):
    ctl = model["controllers"][0]
    return dexec(ctl, "ovn-sbctl --no-leader-only " + args, check=True).stdout


@pytest.fixture(scope="module")
def instances(deployed, user, keypair):
    network = tenant_network(user)
    compute = user.url("compute")
    key_name = "lab-key-%s" % uuid.uuid4().hex[:6]
    user.json("POST", compute + "/os-keypairs", {"keypair": {"name": key_name, "public_key": keypair[1]}})
    # Instances of an earlier run of this module are removed first: the lab has memory for a few only.
    for old in user.json("GET", compute + "/servers?name=^lab-vm")["servers"]:
        user.call("DELETE", compute + "/servers/" + old["id"], expect=(204, 404))
    one, t_one = boot(user, "lab-vm1", network, key_name)
    two, t_two = boot(user, "lab-vm2", network, key_name)
    FIGURES["seconds to ACTIVE"] = [round(t_one, 1), round(t_two, 1)]
    fip = user.json("POST", network["url"] + "/floatingips", {"floatingip": {
        "floating_network_id": network["ext"]["id"]}})["floatingip"]
    port = user.json("GET", network["url"] + "/ports?device_id=" + one["id"])["ports"][0]
    user.json("PUT", network["url"] + "/floatingips/" + fip["id"], {"floatingip": {"port_id": port["id"]}})
    yield {"network": network, "one": one, "two": two, "fip": fip["floating_ip_address"], "port": port,
           "key": keypair[0], "key_name": key_name}
    for server in (one, two):
        user.call("DELETE", compute + "/servers/" + server["id"], expect=(204, 404))
    user.call("DELETE", network["url"] + "/floatingips/" + fip["id"], expect=(204, 404))
    user.call("DELETE", compute + "/os-keypairs/" + key_name, expect=(202, 204, 404))


def test_instances_take_dhcp_and_metadata(user, instances):
    for server in (instances["one"], instances["two"]):

        def ready(s=server):
            out = console(user, s["id"])
            return out if "helion-tiny: SSH ready" in out else None
        log = wait_until("the console of %s to say SSH ready" % server["name"], ready, 300, 3)
        assert "helion-tiny: DHCP done %s" % fixed_ip(server) in log, log[-2000:]
        # the metadata service's instance-id is EC2-style (i-0000001f)
        assert re.search(r"helion-tiny: metadata instance-id i-[0-9a-f]{8}", log), log[-2000:]


def test_floating_ip_answers_ping_and_ssh_from_this_machine(instances):
    fip, key = instances["fip"], instances["key"]
    t0 = time.monotonic()
    wait_until("ping of the floating IP %s" % fip, lambda: ping(fip), 180, 1)
    FIGURES["seconds to ping after the floating IP"] = round(time.monotonic() - t0, 1)
    res, seconds, _failures = retry(lambda: _ssh_ok(key, fip, "cat /root/.ssh/authorized_keys; hostname"), 120, 2)
    FIGURES["seconds to SSH"] = round(seconds, 1)
    with open(key + ".pub") as handle:
        assert handle.read().split()[1] in res.stdout, "the instance does not hold the key pair: %s" % res.stdout
    assert "lab-vm1" in res.stdout


def _ssh_ok(key, address, command):
    res = ssh(key, address, command)
    assert res.returncode == 0, res.stderr
    return res


def test_instance_reaches_the_other_over_the_tenant_network(instances):
    other = fixed_ip(instances["two"])
    res = _ssh_ok(instances["key"], instances["fip"],
                  "ping -c 2 -W 2 %s && wget -q -T 10 -O - http://%s/" % (other, other))
    # the second instance's page, with the name it read from the metadata service
    assert "hostname: lab-vm2" in res.stdout and "address: %s" % other in res.stdout, res.stdout + res.stderr


def test_floating_ip_is_answered_by_the_compute_node(deployed, instances):
    """OVN's distributed NAT: the floating IP's NAT rule names the instance's port and a MAC of its own
    (external_mac: without both, OVN centralizes the NAT on the gateway chassis), the port is bound to the
    compute node's chassis, and this machine's neighbour entry for the floating IP is that MAC."""
    fip = instances["fip"]
    nat = ovn_nbctl(deployed, "--bare --columns=external_mac,logical_port find NAT type=dnat_and_snat external_ip=%s"
                    % fip).split()
    assert len(nat) == 2, "the floating IP's NAT is not distributed (no external_mac/logical_port): %r" % nat
    mac, lport = nat
    assert lport == instances["port"]["id"], (lport, instances["port"]["id"])
    chassis = ovn_sbctl(deployed, "--bare --columns=chassis find Port_Binding logical_port=%s" % lport).strip()
    name = ovn_sbctl(deployed, "--bare --columns=name list Chassis %s" % chassis).strip()
    assert name in deployed["groups"]["nova_compute_kvm"], name
    assert name not in deployed["controllers"]
    ping(fip)
    neigh = run(["ip", "neigh", "show", fip], check=False).stdout
    assert mac in neigh.lower(), "this machine learned %r for %s, not the instance port's MAC %s" % (neigh, fip, mac)
    FIGURES["floating IP chassis"] = name


class Pinger:
    """Pings an address every 0.2 s from this machine until stopped (at most `limit` seconds)."""

    def __init__(self, address, limit=300):
        self.address, self.limit = address, limit
        self.samples = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        start = time.monotonic()
        while not self.stop.is_set() and time.monotonic() - start < self.limit:
            t = time.monotonic()
            self.samples.append((t, ping(self.address, 1, 1)))
            self.stop.wait(max(0.0, 0.2 - (time.monotonic() - t)))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=30)

    def longest_gap(self):
        gap, last_ok = 0.0, self.samples[0][0] if self.samples else 0.0
        for t, ok in self.samples:
            if ok:
                gap = max(gap, t - last_ok)
                last_ok = t
        return gap


# Marked long for CI's 90 minutes on a slow day (docs/testing.md): HELION_TEST_LAB_LONG=1 runs it.
@pytest.mark.long
def test_power_cut_of_the_vip_holder_keeps_instances_reachable(deployed, user, instances):
    ctl = deployed["controllers"]
    holder = vip_holder(ctl, deployed["public_vip"])
    assert holder, "no controller holds the public VIP"
    with Pinger(instances["fip"]) as pinger:
        time.sleep(3)
        run(["docker", "kill", holder], timeout=120)
        killed = time.monotonic()
        time.sleep(20)
    lost = len([1 for _t, ok in pinger.samples if not ok])
    gap = pinger.longest_gap()
    FIGURES["ping gap during the power cut (s)"] = round(gap, 1)
    FIGURES["lost pings during the power cut"] = "%d of %d" % (lost, len(pinger.samples))
    try:
        others = [h for h in ctl if h != holder]
        wait_until("the VIP on another controller", lambda: vip_holder(others, deployed["public_vip"]), 60, 0.5)
        # Neutron 2025.1 keeps a dead server in its OVN hash ring for 120 s (HASH_RING_NODES_TIMEOUT, not a
        # setting): an OVN event the ring gives that server, such as the new port going up, is lost until then,
        # and Nova gives up waiting for the port (a CI run saw "Failed to allocate the network(s)"). A boot in the
        # first two minutes after a controller's power cut can fail that way; this one starts after them.
        time.sleep(max(0.0, killed + 125 - time.monotonic()))
        user.login()
        third, seconds = boot(user, "lab-vm3", instances["network"], instances["key_name"], timeout=900)
        FIGURES["seconds to ACTIVE with a controller down"] = round(seconds, 1)
        user.call("DELETE", user.url("compute") + "/servers/" + third["id"], expect=(204, 404))
    finally:
        run(["docker", "start", holder], timeout=120)
        wait_until("Galera size 3, all Synced", lambda: galera_healthy(ctl), 300, 3)
        wait_until("RabbitMQ running on 3 nodes", lambda: len(rabbit_running(holder)) == 3, 300, 3)
    print("compute figures: %s" % FIGURES)
    assert gap < 5, "the instance was unreachable for %.1f s after the VIP holder's power cut" % gap


def test_openstack_client_on_this_machine(deployed):
    """The deploy leaves a clouds.yaml for the admin on the machine that ran it: the client lists the instances."""
    path = os.path.expanduser("~/.config/openstack/clouds.yaml")
    assert os.stat(path).st_mode & 0o077 == 0, "clouds.yaml is readable by others"
    client = os.path.join(ROOT, ".venv", "bin", "openstack")
    res = run([client, "--os-cloud", CLOUD, "server", "list", "--all-projects", "-f", "value", "-c", "Name"],
              check=False, timeout=120)
    assert res.returncode == 0, res.stderr
    res = run([client, "--os-cloud", CLOUD, "network", "list", "--external", "-f", "value", "-c", "Name"],
              check=False, timeout=120)
    assert res.returncode == 0 and "ext-net" in res.stdout.split(), res.stdout + res.stderr
