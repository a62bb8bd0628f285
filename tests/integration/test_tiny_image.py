"""Role helion.openstack.tiny_image: builds the helion-tiny image in a Debian 13 systemd container (the lab's
image and flags), checks that check mode builds nothing and that a second run changes nothing, then boots the
image on this host under QEMU (TCG): DHCP, the metadata service, the web page and SSH with the metadata's key.

Needs Docker with the image lab/debian:trixie (made by `bash scripts/lab.sh image` when missing) and
qemu-system-x86 and qemu-utils (bindep.txt). One container, helion-tiny-build, removed at the end.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest
import yaml

from tests.peers.common import ROOT, free_port, stop_process, tail, wait_until
from tests.peers.playbook import run_playbook

CONTAINER = "helion-tiny-build"
DOCKER_IMAGE = "lab/debian:trixie"
LAB_SH = os.path.join(ROOT, "scripts", "lab.sh")
IMAGE_PATH = "/var/lib/helion/images/helion-tiny.qcow2"
ROLE_TASK = "helion.openstack.tiny_image : "
INSTANCE_ID = "i-helion-tiny-test"
GUEST_NAME = "tiny-test"
BOOT_LIMIT = 180


def sh(*cmd, timeout=120, check=True):
    proc = subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        pytest.fail("%s: rc %s\n%s%s" % (" ".join(cmd), proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:]))
    return proc


def lab_run_flags():
    """The lab's systemd container flags, from scripts/lab.sh itself (sourced, nothing run)."""
    proc = sh("bash", "-c", 'source "$0" "" tiny >/dev/null 2>&1; printf "%s\\n" "${run_flags[@]}"', LAB_SH)
    flags = proc.stdout.splitlines()
    assert "--cap-add" in flags, "no run_flags in scripts/lab.sh"
    return flags


def docker_ready():
    if shutil.which("docker") is None:
        return False
    if sh("docker", "info", timeout=30, check=False).returncode != 0:
        return False
    return sh("docker", "image", "inspect", DOCKER_IMAGE, timeout=30, check=False).returncode == 0


def in_container(*cmd, check=False):
    return sh("docker", "exec", CONTAINER, *cmd, timeout=60, check=check)


@pytest.fixture(scope="module")
def builder():
    """The one container the role builds in; always removed at the end."""
    for tool in ("qemu-system-x86_64", "qemu-img"):
        if shutil.which(tool) is None:
            pytest.fail("%s is missing: install qemu-system-x86 and qemu-utils (bindep.txt)" % tool)
    if not docker_ready():
        sh("bash", LAB_SH, "image", timeout=900)
    assert docker_ready(), "Docker or the image %s is not available after scripts/lab.sh image" % DOCKER_IMAGE
    sh("docker", "rm", "-f", CONTAINER, timeout=60, check=False)
    try:
        sh("docker", "run", "-d", "--name", CONTAINER, "--hostname", CONTAINER, *lab_run_flags(), DOCKER_IMAGE,
           "/sbin/init", timeout=120)
        state = wait_until(lambda: in_container("systemctl", "is-system-running").stdout.strip()
                           in ("running", "degraded"), 60, interval=1)
        assert state, "systemd in %s did not finish booting within 60 s" % CONTAINER
        yield CONTAINER
    finally:
        sh("docker", "rm", "-f", CONTAINER, timeout=60, check=False)


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("tiny-image")


def inventory(work):
    path = work / "inventory.yml"
    if not path.exists():
        path.write_text(yaml.safe_dump({"all": {"hosts": {CONTAINER: {
            "ansible_connection": "community.docker.docker", "ansible_python_interpreter": "/usr/bin/python3"}}}}))
    return str(path)


def role(work, check=False, **role_vars):
    """Run the role on the container; the run and its duration in seconds."""
    play = {"name": "tiny image", "hosts": CONTAINER, "gather_facts": False,
            "roles": [{"role": "helion.openstack.tiny_image", "vars": role_vars}]}
    plays = work / "plays"
    plays.mkdir(exist_ok=True)
    start = time.monotonic()
    run = run_playbook(plays, play, check=check, inventory=inventory(work), timeout=900)
    return run, time.monotonic() - start


def output(run):
    return run.stdout[-4000:] + run.stderr[-3000:]


def task(run, name):
    return run.result(ROLE_TASK + name, host=CONTAINER)


@pytest.fixture(scope="module")
def runs(builder, work):
    """Check mode on a node that never built, two deploys, check mode again (as it is, and with a changed
    setting), then the other actions; none of those after the first deploy may build."""
    out = {"check_mode": role(work, check=True)}
    out["image_after_check_mode"] = in_container("test", "-e", IMAGE_PATH).returncode == 0
    out["first"] = role(work)
    out["second"] = role(work)
    out["check_mode_built"] = role(work, check=True)
    out["check_mode_new_setting"] = role(work, check=True, tiny_image_kernel_args="console=ttyS0")
    for action in ("check", "stop", "recover", "upgrade"):
        out[action] = role(work, tiny_image_action=action)
    return out


def test_check_mode_builds_nothing(runs):
    run, _secs = runs["check_mode"]
    assert run.rc == 0, output(run)
    assert task(run, "Build the image").get("skipped"), output(run)
    assert not runs["image_after_check_mode"]


def test_first_run_builds_and_second_changes_nothing(runs):
    first, first_secs = runs["first"]
    assert first.rc == 0, output(first)
    assert task(first, "Build the image")["changed"]
    second, second_secs = runs["second"]
    assert second.rc == 0, output(second)
    assert second.changed(CONTAINER) == 0, output(second)
    assert task(second, "Build the image").get("skipped")
    print("\ntiny_image: first run %.0f s, second run %.0f s" % (first_secs, second_secs))


def test_check_mode_tells_whether_a_build_is_due(runs):
    built, _secs = runs["check_mode_built"]
    assert built.rc == 0, output(built)
    assert built.changed(CONTAINER) == 0, output(built)
    assert task(built, "Build the image")["skip_reason"] == "Conditional result was False"
    changed, _secs = runs["check_mode_new_setting"]
    assert changed.rc == 0, output(changed)
    assert task(changed, "Record the image's inputs")["changed"]
    would_build = task(changed, "Build the image")
    assert would_build.get("skipped") and "skip_reason" not in would_build, would_build
    assert "would have run" in would_build.get("msg", ""), would_build


def test_stamp_records_the_inputs(runs):
    assert runs["first"][0].rc == 0
    stamp = in_container("cat", IMAGE_PATH + ".stamp", check=True).stdout
    assert re.search(r"^package linux-image-[0-9.]+\+deb13-cloud-amd64 \S+$", stamp, re.M), stamp
    for name in ("busybox-static", "dropbear-bin", "libc6", "libtomcrypt1"):
        assert re.search(r"^package %s \S+$" % name, stamp, re.M), stamp
    assert re.search(r"^script [0-9a-f]{64}$", stamp, re.M), stamp


@pytest.mark.parametrize("action", ["check", "stop", "recover", "upgrade"])
def test_other_actions_change_nothing(runs, action):
    run, _secs = runs[action]
    assert run.rc == 0, output(run)
    assert run.changed(CONTAINER) == 0, output(run)
    if action == "stop":
        assert "nothing to stop" in task(run, "Say that there is nothing to stop")["msg"]
    if action == "recover":
        assert task(run, "Build the image").get("skipped")


def test_relative_path_fails_in_preflight(builder, work):
    run, _secs = role(work, tiny_image_path="images/helion-tiny.qcow2")
    assert run.rc != 0
    failed = task(run, "Check the image path")
    assert failed["failed"]
    assert "tiny_image_path must be the absolute path" in failed["msg"]
    assert "images/helion-tiny.qcow2" in failed["msg"]


@pytest.fixture(scope="module")
def image(runs, work):
    assert runs["first"][0].rc == 0, "the image was not built"
    local = work / "helion-tiny.qcow2"
    sh("docker", "cp", "%s:%s" % (CONTAINER, IMAGE_PATH), str(local))
    return local


def test_image_is_a_small_qcow2(image):
    info = json.loads(sh("qemu-img", "info", "--output=json", str(image)).stdout)
    assert info["format"] == "qcow2"
    size = os.path.getsize(str(image))
    assert 5 * 2 ** 20 <= size <= 30 * 2 ** 20, size
    print("\nhelion-tiny: %.1f MiB qcow2, virtual size %d MiB" % (size / 2 ** 20, info["virtual-size"] // 2 ** 20))


def console_line(console, marker):
    text = tail(str(console), size=10 ** 6)
    match = re.search(r"helion-tiny: %s.*" % re.escape(marker), text)
    return match.group(0).strip() if match else None


def test_image_boots(image, work):
    """DHCP, metadata, the web page on port 80 and SSH on port 22, under TCG with user networking.

    The guest's network is 169.254.169.0/24 so that the metadata address is one QEMU forwards to
    tests/peers/metadata.py (its guestfwd only serves addresses inside the guest network)."""
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(work / "key")], check=True,
                   timeout=30)
    answers = work / "metadata.json"
    answers.write_text(json.dumps({
        "/latest/meta-data/instance-id": INSTANCE_ID,
        "/latest/meta-data/hostname": GUEST_NAME + ".novalocal",
        "/latest/meta-data/public-keys/0/openssh-key": (work / "key.pub").read_text().strip(),
    }))
    console = work / "console.log"
    http_port, ssh_port = free_port(), free_port()
    responder = "%s %s %s" % (sys.executable, os.path.join(ROOT, "tests", "peers", "metadata.py"), answers)
    nic = ",".join([
        "user", "model=virtio-net-pci", "net=169.254.169.0/24", "host=169.254.169.2", "dhcpstart=169.254.169.15",
        "hostfwd=tcp:127.0.0.1:%d-:80" % http_port, "hostfwd=tcp:127.0.0.1:%d-:22" % ssh_port,
        "guestfwd=tcp:169.254.169.254:80-cmd:" + responder,
    ])
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-m", "256", "-nographic", "-monitor", "none",
           "-serial", "file:%s" % console, "-drive", "file=%s,if=virtio,format=qcow2,snapshot=on" % image,
           "-nic", nic]
    log = work / "qemu.log"
    with open(str(log), "w") as handle:
        qemu = subprocess.Popen(cmd, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    start = time.monotonic()
    times = {}
    try:
        def markers():
            for marker in ("DHCP done", "SSH ready"):
                if marker not in times and console_line(console, marker):
                    times[marker] = time.monotonic() - start
            return len(times) == 2

        ready = wait_until(markers, BOOT_LIMIT, proc=qemu, log=str(log), interval=0.5)
        assert ready, "no 'helion-tiny: DHCP done' and 'SSH ready' within %d s:\n%s" % (
            BOOT_LIMIT, tail(str(console), 3000))
        assert console_line(console, "DHCP done") == "helion-tiny: DHCP done 169.254.169.15"
        assert console_line(console, "metadata") == "helion-tiny: metadata instance-id %s" % INSTANCE_ID

        def page():
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/" % http_port, timeout=5) as resp:
                    return resp.read().decode()
            except OSError:
                return None

        body = wait_until(page, 30)
        assert body, "no answer on port 80 of the guest within 30 s"
        assert "instance-id: %s" % INSTANCE_ID in body
        assert "hostname: %s" % GUEST_NAME in body

        ssh = subprocess.run(
            ["ssh", "-p", str(ssh_port), "-i", str(work / "key"), "-o", "BatchMode=yes", "-o", "ConnectTimeout=30",
             "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
             "root@127.0.0.1", "hostname; cat /proc/cmdline"],
            capture_output=True, text=True, timeout=90, check=False)
        assert ssh.returncode == 0, ssh.stderr
        name, cmdline = ssh.stdout.splitlines()[:2]
        assert name == GUEST_NAME
        assert "console=tty0 console=ttyS0" in cmdline
        print("\nhelion-tiny boot (TCG): DHCP done at %.1f s, SSH ready at %.1f s" % (
            times["DHCP done"], times["SSH ready"]))
    finally:
        stop_process(qemu)
