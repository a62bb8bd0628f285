# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A third Swift node joins the running cloud, then leaves it. The model grows by one server, the node is built,
and helion.openstack.swift_deploy brings its drives into the rings in weight steps; then the server is marked
decommission and the same playbook drains its drives out of the rings. A reader fetches objects through the
public VIP the whole time. Runs last: the lab keeps the third node afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import threading
import time
import uuid

import pytest
import yaml

from tests.lab import monitoring as mon
from tests.lab.cloud import Cloud, HttpError, ensure_user
from tests.lab.lab import CLOUD, LAB, ROOT, admin_password, dexec, recap, ring_info, run, wait_until

NEW = "lab-swift3"
OBJECTS = 40


def grown_model(tmp_dir, weight_step, decommission=False):
    """A copy of the lab's model (its vault too) with a third Swift node in the third zone (marked for
    decommissioning when asked)."""
    src = os.path.join(ROOT, "inventories", CLOUD)
    dst = os.path.join(tmp_dir, "model")
    shutil.copytree(src, dst)
    with open(os.path.join(dst, "servers.yml")) as f:
        servers = yaml.safe_load(f)
    template = next(s for s in servers["servers"] if s["name"] == "lab-swift2")
    mac = template["pxe_mac"][:-2] + "%02x" % (int(template["pxe_mac"][-2:], 16) + 1)
    address = re.sub(r"\d+$", lambda m: str(int(m.group()) + 1), template["ipmi"]["address"])
    ipmi = dict(template["ipmi"], address=address)
    new = dict(template, name=NEW, server_group="zone3", pxe_mac=mac, ipmi=ipmi)
    if decommission:
        new["decommission"] = True
    servers["servers"].append(new)
    with open(os.path.join(dst, "servers.yml"), "w") as f:
        yaml.safe_dump(servers, f)
    with open(os.path.join(dst, "swift.yml")) as f:
        swift = yaml.safe_load(f)
    swift["swift"]["weight_step"] = weight_step
    with open(os.path.join(dst, "swift.yml"), "w") as f:
        yaml.safe_dump(swift, f)
    return dst


class Reader:
    """Reads the objects through the public VIP, one after another, until stopped (bounded by the test)."""

    def __init__(self, cloud, container, sums):
        self.cloud, self.container, self.sums = cloud, container, sums
        self.stop = threading.Event()
        self.reads = 0
        self.failures = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        names = sorted(self.sums)
        while not self.stop.is_set():
            name = random.choice(names)
            try:
                _resp, (md5, _size) = self.cloud.call("GET", "%s/%s" % (self.container, name), stream_to="md5",
                                                      timeout=20)
                if md5 != self.sums[name]:
                    self.failures.append((time.time(), name, "checksum"))
            except (HttpError, OSError) as exc:
                self.failures.append((time.time(), name, str(exc)[:200]))
            self.reads += 1
            self.stop.wait(0.1)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=60)


def ring_weights(ctl, host_ip):
    """Weight of the new node's devices in each ring, from the ring files the proxies use."""
    return {ring: sum(d["weight"] for d in ring_info(ctl, ring)["devs"] if d["ip"] == host_ip)
            for ring in ("account", "container", "object")}


def storage_units():
    """The Swift storage node's units, as the swift role lists them."""
    with open(os.path.join(ROOT, "roles", "swift", "defaults", "main.yml")) as f:
        return yaml.safe_load(f)["swift_storage_units"]


def storage_units_state(host):
    """How many of the node's storage units are active, and how many enabled."""
    names = " ".join(storage_units())
    res = dexec(host, "systemctl is-active %s; systemctl is-enabled %s" % (names, names))
    lines = res.stdout.split()
    return {"active": lines.count("active"), "enabled": lines.count("enabled")}


def swift_deploy(model_dir, *extra):
    env = dict(os.environ, HELION_LAB_MODEL=model_dir)
    res = run(LAB + ["playbook", CLOUD, "playbooks/swift_deploy.yml"] + list(extra), timeout=1800, check=False,
              env=env)
    rc = recap(res.stdout)
    assert res.returncode == 0 and rc, res.stdout[-5000:] + res.stderr[-2000:]
    return res, rc


def replication_caught_up(ctl):
    out = dexec(ctl, "swift-dispersion-report -j", timeout=120).stdout
    try:
        data = json.loads(out[out.index("{"):])
    except ValueError:
        return False
    return all(data[k]["copies_found"] == data[k]["copies_expected"] for k in ("container", "object"))


@pytest.fixture(scope="module")
def grown(deployed, tmp_path_factory):
    model_dir = grown_model(str(tmp_path_factory.mktemp("grow")), weight_step=5)
    env = dict(os.environ, HELION_LAB_MODEL=model_dir)
    res = run(LAB + ["nodes", CLOUD], timeout=1200, env=env)
    assert "every node answers Ansible over SSH" in res.stderr
    return model_dir


def objects_of_a_new_user(deployed, name, container_name):
    """A project user (project and user both ``name``) and a container of OBJECTS random objects: (user's Cloud,
    container URL, {object: md5})."""
    admin = Cloud(deployed, "admin", admin_password(deployed["controllers"][0]), "admin")
    password = uuid.uuid4().hex
    ensure_user(admin, name, password, name, "member")
    user = Cloud(deployed, name, password, name)
    container = user.url("object-store") + "/" + container_name
    user.call("PUT", container, expect=(201, 202))
    sums = {}
    for i in range(OBJECTS):
        data = os.urandom(64 * 1024)
        sums["obj-%03d" % i] = hashlib.md5(data).hexdigest()
        user.call("PUT", "%s/obj-%03d" % (container, i), data, expect=(201,))
    return user, container, sums


def new_node_ip():
    with open(os.path.join(ROOT, ".cache", "lab", CLOUD + "-model.json")) as f:
        return json.load(f)["addresses"][NEW]["swift"]


def test_a_third_swift_node_joins_in_weight_steps_with_objects_readable_throughout(deployed, grown):
    ctl = deployed["controllers"][0]
    user, container, sums = objects_of_a_new_user(deployed, "lab-grow", "growth")
    new_ip = new_node_ip()
    steps = []
    t0 = time.monotonic()
    with Reader(user, container, sums) as reader:
        # Step 1: the new drives enter the rings at weight_step (5 of their 10). The lab's rings were built by
        # its first deploy, less than min_part_hours (1 h) before this test in a CI run: the deploy would defer
        # the new devices. Nothing is in flight on the quiet cluster, which is when an operator may pretend.
        wait_until("replication caught up before step 1", lambda: replication_caught_up(ctl), 600, 10)
        _res, rc = swift_deploy(grown, "-e", "swift_rings_pretend_min_part_hours_passed=true")
        steps.append(ring_weights(ctl, new_ip))
        assert rc[NEW]["failed"] == 0
        wait_until("replication caught up after step 1", lambda: replication_caught_up(ctl), 600, 10)
        # Step 2: replication has caught up, so the weights may move before min_part_hours has passed.
        swift_deploy(grown, "-e", "swift_rings_pretend_min_part_hours_passed=true")
        steps.append(ring_weights(ctl, new_ip))
        wait_until("replication caught up after step 2", lambda: replication_caught_up(ctl), 600, 10)
        # Converged: a run that changes nothing.
        _res, rc = swift_deploy(grown, "-e", "swift_rings_pretend_min_part_hours_passed=true")
        steps.append(ring_weights(ctl, new_ip))
    seconds = time.monotonic() - t0
    print("third Swift node: ring weights by step %s; %d reads during %.0f s, %d failed: %s"
          % (steps, reader.reads, seconds, len(reader.failures), reader.failures[:5]))
    assert steps[0]["object"] == 2 * 5.0 and steps[0]["account"] == 5.0, steps
    assert steps[1]["object"] == 2 * 10.0 and steps[1]["account"] == 10.0, steps
    assert steps[2] == steps[1]
    assert all(v["changed"] == 0 for v in rc.values()), rc
    assert reader.reads > 50 and not reader.failures
    out = dexec(ctl, "swift-recon --md5", check=True).stdout
    assert out.count("3/3 hosts matched, 0 error") == 2, out
    for name in sums:
        user.call("DELETE", "%s/%s" % (container, name), expect=(204,))
    user.call("DELETE", container, expect=(204,))


def monitoring_run(deployed, model_dir=None, nodes=()):
    """The monitoring plays of the deploy, on the lab's model or on another (a model that grew), limited as an
    operator would after adding or removing a node: the monitoring server, the first HAProxy node (where the
    frontends are read) and the nodes that changed."""
    env = dict(os.environ, HELION_LAB_MODEL=model_dir) if model_dir else None
    limit = ",".join([mon.server(deployed), deployed["groups"]["haproxy"][0]] + list(nodes))
    t = time.monotonic()
    res = run(LAB + ["playbook", CLOUD, "playbooks/overcloud_control_plane.yml", "--tags", "monitoring",
                     "--limit", limit], timeout=1200, check=False, env=env)
    rc = recap(res.stdout)
    assert res.returncode == 0 and rc and all(v["failed"] == 0 for v in rc.values()), res.stdout[-5000:]
    return time.monotonic() - t


def scraped_hosts(deployed):
    return {t["labels"]["host"]: t["health"] for t in mon.targets(deployed, "node")}


def test_the_added_swift_node_is_scraped_after_the_next_monitoring_run(deployed, grown):
    """Nobody edits Prometheus: the deploy's monitoring plays on the grown model add the node's targets."""
    assert NEW not in scraped_hosts(deployed)
    seconds = monitoring_run(deployed, grown, [NEW])
    t = time.monotonic()
    wait_until("%s scraped and up" % NEW, lambda: scraped_hosts(deployed).get(NEW) == "up", 60, 2)
    print("the monitoring run on the grown model took %.0f s; %s was up in Prometheus %.0f s after it"
          % (seconds, NEW, time.monotonic() - t))


def test_the_third_swift_node_drains_out_of_the_rings_with_objects_readable_throughout(deployed, grown, tmp_path):
    """The node the test above added is marked decommission in the model: each swift_deploy run moves its
    drives' weights down by weight_step, then removes them from the rings, while a reader fetches objects
    through the public VIP; its replicators hand its partitions over."""
    ctl = deployed["controllers"][0]
    leaving = grown_model(str(tmp_path), weight_step=5, decommission=True)
    user, container, sums = objects_of_a_new_user(deployed, "lab-drain", "drain")
    old_ip = new_node_ip()
    steps = []
    t0 = time.monotonic()
    with Reader(user, container, sums) as reader:
        for step in range(4):
            wait_until("replication caught up before step %d" % (step + 1), lambda: replication_caught_up(ctl),
                       600, 10)
            _res, rc = swift_deploy(leaving, "-e", "swift_rings_pretend_min_part_hours_passed=true")
            steps.append(dict(ring_weights(ctl, old_ip), devices=sum(
                1 for ring in ("account", "container", "object") for d in ring_info(ctl, ring)["devs"]
                if d["ip"] == old_ip), **storage_units_state(NEW)))
    seconds = time.monotonic() - t0
    print("third Swift node leaving: ring weights by step %s; %d reads during %.0f s, %d failed: %s"
          % (steps, reader.reads, seconds, len(reader.failures), reader.failures[:5]))
    assert steps[0]["object"] == 2 * 5.0 and steps[0]["account"] == 5.0, steps
    assert steps[1]["object"] == 0 and steps[1]["devices"] == 4, steps
    # Its services run while its drives drain and stop, for good, once no ring lists it.
    units = len(storage_units())
    assert steps[1]["active"] == units and steps[1]["enabled"] == units, steps
    assert steps[2]["devices"] == 0 and steps[2]["active"] == 0 and steps[2]["enabled"] == 0, steps
    assert steps[3] == steps[2] and all(v["changed"] == 0 for v in rc.values()), (steps, rc)
    assert reader.reads > 50 and not reader.failures
    wait_until("replication caught up after the removal", lambda: replication_caught_up(ctl), 600, 10)
    for name in sums:
        user.call("DELETE", "%s/%s" % (container, name), expect=(204,))
    user.call("DELETE", container, expect=(204,))


def test_a_node_removed_from_the_model_is_no_longer_scraped(deployed, grown):
    """Runs after the drain: the lab's own model no longer has the third node, and the next monitoring run
    drops its targets, so that it raises no alert even while its container stays."""
    assert NEW in scraped_hosts(deployed)
    monitoring_run(deployed)
    wait_until("%s no longer scraped" % NEW, lambda: NEW not in scraped_hosts(deployed), 60, 2)
    assert [a["labels"] for a in mon.firing(deployed) if a["labels"].get("host") == NEW] == []
