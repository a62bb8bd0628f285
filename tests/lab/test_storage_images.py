# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Swift and Glance on the lab, used as a user of a new project would use them, through the public VIP.

Swift: a container, a 5 MB object and a 50 MB object in segments (SLO), read back and compared, listed,
deleted; then the same with one storage node powered off (`docker kill`). Glance: an image uploaded,
active, downloaded and compared; then the controller that took the upload powered off and the image
downloaded again. The tiny test image the deploy built and uploaded is checked, and the proxy's cost is
measured against a proxy started directly on a controller.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import time
import uuid

import pytest

from tests.lab.cloud import Cloud, HttpError, ensure_user, request, retry
from tests.lab.lab import admin_password, dexec, ring_info, galera_healthy, rabbit_running, run, wait_until

MB = 1 << 20
USER = "lab-user"
PROJECT = "lab-project"
FIGURES = {}


@pytest.fixture(scope="module")
def user(deployed):
    admin = Cloud(deployed, "admin", admin_password(deployed["controllers"][0]), "admin")
    password = uuid.uuid4().hex
    ensure_user(admin, USER, password, PROJECT, "member")
    return Cloud(deployed, USER, password, PROJECT)


@pytest.fixture(scope="module")
def admin(deployed):
    return Cloud(deployed, "admin", admin_password(deployed["controllers"][0]), "admin")


def swift_nodes(model):
    return sorted(set(model["groups"].get("swift_object", [])))


def ring_replicas(model):
    """Replicas of the object ring and the write quorum Swift needs, from the running cluster's ring."""
    replicas = int(ring_info(model["controllers"][0], "object")["replicas"])
    return replicas, (replicas + 1) // 2


def swift_round(cloud, tag, small=5 * MB, big=50 * MB, segment=10 * MB):
    """Container, small object, SLO object: write, read, compare, list, delete. Returns the 50 MB timings."""
    base = cloud.url("object-store")
    container = "%s/probe-%s" % (base, tag)
    cloud.call("PUT", container, expect=(201, 202))
    small_data = os.urandom(small)
    resp, _data = cloud.call("PUT", container + "/small", small_data, expect=(201,))
    assert resp.getheader("Etag") == hashlib.md5(small_data).hexdigest()
    manifest, whole = [], hashlib.md5()
    t = time.monotonic()
    for i in range(big // segment):
        chunk = os.urandom(segment)
        whole.update(chunk)
        path = "/probe-%s/big-segments/%03d" % (tag, i)
        cloud.call("PUT", base + path, chunk, expect=(201,))
        manifest.append({"path": path, "etag": hashlib.md5(chunk).hexdigest(), "size_bytes": segment})
    cloud.call("PUT", container + "/big?multipart-manifest=put", json.dumps(manifest), expect=(201,))
    put_seconds = time.monotonic() - t
    _resp, (md5, size) = cloud.call("GET", container + "/small", stream_to="md5")
    assert md5 == hashlib.md5(small_data).hexdigest() and size == small
    t = time.monotonic()
    _resp, (md5, size) = cloud.call("GET", container + "/big", stream_to="md5", timeout=120)
    get_seconds = time.monotonic() - t
    assert md5 == whole.hexdigest() and size == big, "the 50 MB SLO object came back different"
    listing = json.loads(cloud.call("GET", container + "?format=json")[1])
    assert {"small", "big"} <= {o["name"] for o in listing}
    cloud.call("DELETE", container + "/big?multipart-manifest=delete", expect=(200,))
    cloud.call("DELETE", container + "/small", expect=(204,))
    cloud.call("DELETE", container, expect=(204,))
    cloud.call("GET", container, expect=(404,))
    return put_seconds, get_seconds


def test_swift_objects_as_a_project_user_through_the_public_vip(user):
    put_s, get_s = swift_round(user, "healthy")
    FIGURES["swift 50 MB via VIP"] = {"put_s": round(put_s, 2), "get_s": round(get_s, 2)}
    print("swift through the public VIP: 50 MB SLO PUT %.2f s, GET %.2f s" % (put_s, get_s))


def test_dispersion_and_ring_checksums_from_a_controller(deployed):
    ctl = deployed["controllers"][0]
    report = dexec(ctl, "swift-dispersion-report -j", timeout=120, check=True).stdout
    data = json.loads(report[report.index("{"):])
    for kind in ("container", "object"):
        assert data[kind]["copies_found"] == data[kind]["copies_expected"] > 0, data
    recon = dexec(ctl, "swift-recon --md5", timeout=120, check=True).stdout
    nodes = len(swift_nodes(deployed))
    assert recon.count("%d/%d hosts matched, 0 error" % (nodes, nodes)) == 2, recon


def storage_ready(host, model):
    address = model["addresses"][host].get("swift") or model["addresses"][host]["management"]
    out = dexec(host, "for p in 6200 6201 6202; do curl -sf -m 3 http://%s:$p/healthcheck || exit 1; done; "
                "mountpoint -q /srv/node/sdb && echo up" % address).stdout
    return "up" in out


def test_swift_with_one_storage_node_powered_off(deployed, user):
    replicas, quorum = ring_replicas(deployed)
    nodes = swift_nodes(deployed)
    assert replicas and len(nodes) >= 2
    victim = nodes[-1]
    # Zones hold whole replicas: with one node of len(nodes) off, replicas - 1 copies stay, which Swift
    # accepts for writes when they reach its quorum.
    left = replicas - 1
    assert left >= quorum, "this ring (%d replicas) cannot take writes with a node off" % replicas
    run(["docker", "kill", victim])
    try:
        (put_s, get_s), seconds, failures = retry(lambda: swift_round(user, "degraded"), timeout=60, interval=2)
        FIGURES["swift with %s off" % victim] = {
            "put_s": round(put_s, 2), "get_s": round(get_s, 2), "seconds_to_success": round(seconds, 1),
            "failed_rounds": failures}
        print("swift with %s powered off: %d failed rounds, PUT %.2f s, GET %.2f s" % (victim, failures, put_s, get_s))
        assert failures == 0, "the first round failed with %s off" % victim
    finally:
        run(["docker", "start", victim])
    wait_until("%s serving again" % victim, lambda: storage_ready(victim, deployed), timeout=180)
    swift_round(user, "restored")


def glance_upload(cloud, data):
    image = cloud.url("image")
    created = cloud.json("POST", image + "/v2/images", {
        "name": "lab-upload-%s" % uuid.uuid4().hex[:8], "disk_format": "raw", "container_format": "bare",
        "visibility": "private"}, expect=(201,))
    cloud.call("PUT", "%s/v2/images/%s/file" % (image, created["id"]), data,
               {"Content-Type": "application/octet-stream"}, expect=(204,), timeout=180)
    return created["id"]


def glance_download(cloud, image_id):
    _resp, (md5, size) = cloud.call("GET", "%s/v2/images/%s/file" % (cloud.url("image"), image_id),
                                    stream_to="md5", timeout=120)
    return md5, size


def upload_served_by(model, image_id):
    for host in model["controllers"]:
        log = dexec(host, "grep -l 'PUT /v2/images/%s/file' /var/log/glance/glance-api-uwsgi.log" % image_id).stdout
        if log.strip():
            return host
    return None


def control_plane_whole(model):
    ctls = model["controllers"]
    return galera_healthy(ctls) and all(len(rabbit_running(h)) == len(ctls) for h in ctls)


def test_glance_image_survives_the_loss_of_the_controller_that_took_it(deployed, user):
    data = os.urandom(20 * MB)
    md5 = hashlib.md5(data).hexdigest()
    image_id = glance_upload(user, data)
    info = user.json("GET", "%s/v2/images/%s" % (user.url("image"), image_id))
    assert info["status"] == "active" and info["checksum"] == md5 and info["size"] == len(data), info
    assert glance_download(user, image_id) == (md5, len(data))
    served = upload_served_by(deployed, image_id)
    assert served, "no controller logged the upload of %s" % image_id
    run(["docker", "kill", served])
    try:
        result, seconds, failures = retry(lambda: glance_download(user, image_id), timeout=90, interval=1)
        assert result == (md5, len(data))
        FIGURES["glance download with %s off" % served] = {"seconds": round(seconds, 1), "failed_requests": failures}
        print("glance: image taken by %s, downloaded again with it off after %.1f s (%d failed requests)"
              % (served, seconds, failures))
    finally:
        run(["docker", "start", served])
    wait_until("the control plane whole again", lambda: control_plane_whole(deployed), timeout=420, interval=5)
    user.call("DELETE", "%s/v2/images/%s" % (user.url("image"), image_id), expect=(204,))


def test_the_tiny_image_is_public_and_matches_its_file(deployed, admin):
    images = admin.json("GET", admin.url("image") + "/v2/images?name=helion-tiny")["images"]
    assert len(images) == 1, images
    image = images[0]
    assert image["status"] == "active" and image["visibility"] == "public" and image["disk_format"] == "qcow2"
    assert 5 * MB <= image["size"] <= 30 * MB, image["size"]
    builder = deployed["controllers"][0]
    local = dexec(builder, "md5sum /var/lib/helion/images/helion-tiny.qcow2", check=True).stdout.split()[0]
    assert image["checksum"] == local


def throughput(token, container_url, data, rounds=3):
    """Median PUT and GET seconds of a 50 MB object, three rounds."""
    puts, gets = [], []
    md5 = hashlib.md5(data).hexdigest()
    for i in range(rounds):
        url = "%s/bench-%d" % (container_url, i)
        t = time.monotonic()
        request("PUT", url, data, {"X-Auth-Token": token}, expect=(201,), timeout=120)
        puts.append(time.monotonic() - t)
        t = time.monotonic()
        _resp, (got, _size) = request("GET", url, headers={"X-Auth-Token": token}, stream_to="md5", timeout=120)
        gets.append(time.monotonic() - t)
        assert got == md5
        request("DELETE", url, headers={"X-Auth-Token": token}, expect=(204,))
    return statistics.median(puts), statistics.median(gets)


def proxy_throughput(model, user, rounds=3, size=50 * MB):
    """Median PUT and GET seconds of an object through the public VIP and through the peer: a
    swift-proxy-server from the same packages, started directly on a controller with the deployed
    settings on another port, reached without HAProxy. {vip_put, vip_get, direct_put, direct_get}."""
    ctl = model["controllers"][0]
    address = model["addresses"][ctl]["management"]
    port = 18080
    conf = "/etc/swift/peer-proxy.conf"
    dexec(ctl, "sed 's/^bind_port = .*/bind_port = %d/; s/^workers = .*/workers = 1/' /etc/swift/proxy-server.conf"
          " > {c} && chown root:swift {c} && chmod 0640 {c} && (runuser -u swift -- timeout 600"
          " swift-proxy-server {c} >/tmp/peer-proxy.log 2>&1 &)".format(c=conf) % port, check=True)
    try:
        wait_until("the direct proxy", lambda: "OK" in dexec(
            ctl, "curl -sf -m 3 http://%s:%d/healthcheck" % (address, port)).stdout, timeout=60, interval=1)
        base = user.url("object-store")
        container = base + "/bench"
        user.call("PUT", container, expect=(201, 202))
        data = os.urandom(size)
        seconds = {}
        seconds["vip_put"], seconds["vip_get"] = throughput(user.token, container, data, rounds)
        # The test machine reaches the controllers' management addresses through the lab's bridge.
        direct = base.replace(base.split("/")[2], "%s:%d" % (address, port)) + "/bench"
        seconds["direct_put"], seconds["direct_get"] = throughput(user.token, direct, data, rounds)
        user.call("DELETE", container, expect=(204,))
    finally:
        dexec(ctl, "pkill -f peer-proxy.conf; rm -f %s" % conf)
    return seconds


def test_proxy_throughput_through_the_vip_against_a_direct_proxy(deployed, user):
    seconds = proxy_throughput(deployed, user)
    mbps = {k: round(50 / v, 1) for k, v in seconds.items()}
    FIGURES["swift 50 MB throughput MB/s (median of 3)"] = mbps
    print("swift 50 MB object, median of 3, MB/s: through the VIP PUT %s GET %s; direct proxy PUT %s GET %s"
          % (mbps["vip_put"], mbps["vip_get"], mbps["direct_put"], mbps["direct_get"]))
    assert all(v > 0 for v in seconds.values())


def test_a_user_cannot_read_another_projects_objects(deployed, user, admin):
    base = admin.url("object-store")
    admin.call("PUT", base + "/private-probe", expect=(201, 202))
    admin.call("PUT", base + "/private-probe/secret", b"admin only", expect=(201,))
    try:
        with pytest.raises(HttpError) as info:
            user.call("GET", base + "/private-probe/secret")
        assert info.value.status in (401, 403)
    finally:
        admin.call("DELETE", base + "/private-probe/secret", expect=(204,))
        admin.call("DELETE", base + "/private-probe", expect=(204,))
