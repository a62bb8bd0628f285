# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A rolling update of the running lab cloud: a rebuilt Keystone (a newer version of Debian's keystone and
python3-keystone, signed by a key of the test's own) is published in a repository on the lab's package mirror
node, the model names that repository, and rolling_update takes it to every controller one at a time, each
drained from HAProxy first, while tokens are asked for through the public VIP all along."""

from __future__ import annotations

import glob
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from email.utils import formatdate

import yaml

from tests.lab.lab import CLOUD, LAB, TIMINGS, TokenProbe, admin_password, dexec, recap, run, token, wait_until

REPO = "helion-lab-update"
PACKAGES = ["keystone", "python3-keystone"]
SUFFIX = "+helion1"
# Port 80: apt-cacher-ng, the nodes' package proxy, passes requests to no other port (its AllowUserPorts).
PORT = 80


def installed_version(host, package):
    return dexec(host, "dpkg-query -W -f='${Version}' %s" % package).stdout.strip()


def started_at(host, unit):
    return dexec(host, "systemctl show -P ActiveEnterTimestampMonotonic %s" % unit).stdout.strip()


def rebuild(debs, workdir, old, new):
    """Each .deb again with version ``new``, and dependencies on ``= old`` now on ``= new``."""
    out = []
    for deb in debs:
        tree = os.path.join(workdir, os.path.basename(deb) + ".d")
        subprocess.run(["dpkg-deb", "-R", deb, tree], check=True)
        control = os.path.join(tree, "DEBIAN", "control")
        with open(control) as f:
            text = f.read()
        text = text.replace("Version: %s\n" % old, "Version: %s\n" % new).replace("(= %s)" % old, "(= %s)" % new)
        with open(control, "w") as f:
            f.write(text)
        # A name of this run's own: the package cache keeps a .deb it has seen under its URL for good.
        stem = os.path.basename(deb)[:-len(".deb")]
        target = os.path.join(workdir, "repo", "%s-rebuilt-%d.deb" % (stem, time.time()))
        subprocess.run(["dpkg-deb", "-Zxz", "-b", tree, target], check=True, capture_output=True)
        out.append(target)
    return out


def publish(repo, gnupg):
    """A flat repository: Packages, Packages.gz, a Release with their SHA256 and its signature (InRelease)."""
    packages = subprocess.run(["dpkg-scanpackages", "-m", "."], cwd=repo, check=True, capture_output=True,
                              text=True).stdout
    with open(os.path.join(repo, "Packages"), "w") as f:
        f.write(packages)
    with gzip.open(os.path.join(repo, "Packages.gz"), "wt") as f:
        f.write(packages)
    lines = ["Origin: %s" % REPO, "Label: %s" % REPO, "Date: %s" % formatdate(usegmt=True), "SHA256:"]
    for name in ("Packages", "Packages.gz"):
        with open(os.path.join(repo, name), "rb") as f:
            data = f.read()
        lines.append(" %s %d %s" % (hashlib.sha256(data).hexdigest(), len(data), name))
    with open(os.path.join(repo, "Release"), "w") as f:
        f.write("\n".join(lines) + "\n")
    subprocess.run(["gpg", "--homedir", gnupg, "--batch", "--yes", "--clearsign", "-o",
                    os.path.join(repo, "InRelease"), os.path.join(repo, "Release")], check=True, capture_output=True)


def test_rolling_update_takes_a_rebuilt_package_to_every_controller(deployed, tmp_path):
    ctl, vip = deployed["controllers"], deployed["public_vip"]
    mirror = deployed["groups"]["package_mirror"][0]
    address = deployed["addresses"][mirror]["management"]
    password = admin_password(ctl[0])
    old = installed_version(ctl[0], "keystone")
    new = old + SUFFIX
    assert old and all(installed_version(h, "keystone") == old for h in ctl), "the controllers differ before"

    # The rebuilt packages, signed by a key made here.
    work = str(tmp_path)
    os.makedirs(os.path.join(work, "repo"))
    res = dexec(ctl[0], "rm -rf /var/tmp/helion-rebuild && mkdir /var/tmp/helion-rebuild && "
                        "cd /var/tmp/helion-rebuild && apt-get download %s >/dev/null && ls"
                        % " ".join("%s=%s" % (p, old) for p in PACKAGES), timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    for name in res.stdout.split():
        run(["docker", "cp", "%s:/var/tmp/helion-rebuild/%s" % (ctl[0], name), work])
    rebuild(sorted(glob.glob(os.path.join(work, "*.deb"))), work, old, new)
    gnupg = os.path.join(work, "gnupg")
    os.makedirs(gnupg, mode=0o700)
    subprocess.run(["gpg", "--homedir", gnupg, "--batch", "--passphrase", "", "--quick-gen-key",
                    "helion lab update test <update@lab.helion.test>", "ed25519", "sign", "1d"],
                   check=True, capture_output=True)
    key = subprocess.run(["gpg", "--homedir", gnupg, "--armor", "--export"], check=True, capture_output=True,
                         text=True).stdout
    publish(os.path.join(work, "repo"), gnupg)

    # Served from the package mirror node for the length of the test (bounded by `timeout`).
    dexec(mirror, "rm -rf /srv/%s && mkdir -p /srv" % REPO)
    run(["docker", "cp", os.path.join(work, "repo"), "%s:/srv/%s" % (mirror, REPO)])
    run(["docker", "exec", "-d", mirror, "timeout", "2400", "python3", "-m", "http.server", str(PORT), "--bind",
         address, "--directory", "/srv/" + REPO])
    extra = os.path.join(work, "repository.yml")
    with open(extra, "w") as f:
        yaml.safe_dump({"osconfig_apt_repositories": [
            {"name": REPO, "uris": "http://%s:%d/" % (address, PORT), "key": key}],
            # Only the hotfix: what else Debian published since the lab's node image is not this test's.
            "package_update_packages": PACKAGES}, f)
    update = LAB + ["playbook", CLOUD, "playbooks/rolling_update.yml", "-e", "@" + extra]

    # The cloud answers before the update starts: the failures counted below are the update's.
    wait_until("tokens through the VIP", lambda: token(vip, password, timeout=2), 120, 0.5)
    units = ["keystone", "glance-api", "haproxy", "mariadb", "memcached"]
    before = {h: {u: started_at(h, u) for u in units} for h in ctl}
    try:
        with TokenProbe(vip, password) as probe:
            probe.mark()
            t = time.monotonic()
            res = run(update, timeout=3600, check=False)
            TIMINGS["rolling update (a new Keystone on 3 controllers)"] = time.monotonic() - t
            wait_until("tokens through the VIP", lambda: token(vip, password, timeout=10), 60, 0.5)
            time.sleep(2)
        assert res.returncode == 0, res.stdout[-8000:]
        failures = probe.failures(probe.t0)
        sent = len([1 for start, _ok, _end in probe.samples if start >= probe.t0])
        errors = [start for start, ok, end in probe.samples if not ok and start >= probe.t0 and end - start < 1.9]
        print("rolling update: %.0f s, %d failed token requests of %d through the public VIP (%d errors, the others "
              "over 2 s)" % (TIMINGS["rolling update (a new Keystone on 3 controllers)"], len(failures), sent,
                             len(errors)))
        TIMINGS["rolling update: failed probes"] = len(failures)
        print("\n".join(line.strip() for line in res.stdout.splitlines() if ": restarted " in line))

        # The new version everywhere; Keystone restarted on each controller, the services it does not use not.
        after = {h: {u: started_at(h, u) for u in units} for h in ctl}
        for h in ctl:
            assert installed_version(h, "keystone") == new, h
            assert installed_version(h, "python3-keystone") == new, h
            assert after[h]["keystone"] != before[h]["keystone"], "keystone did not restart on %s" % h
            for unit in units[1:]:
                assert after[h][unit] == before[h][unit], "%s restarted on %s" % (unit, h)
            assert token(deployed["addresses"][h]["management"], password, timeout=10), h
        # The controllers went one at a time (a batch of one each), each drained first. The other nodes' batches
        # ran the same task: the node image has every role's packages, Keystone's too, so they were upgraded.
        batches = []
        for block in res.stdout.split("TASK [")[1:]:
            if block.startswith("helion.openstack.package_update : Take the node out of every load balancer]"):
                batches.append(set(re.findall(r"^(?:ok|changed): \[([^\]\s]+) -> ", block, re.M)))
        controller_batches = [hosts for hosts in batches if hosts & set(ctl)]
        assert [len(hosts) for hosts in controller_batches] == [1] * len(ctl), (batches, res.stdout[-6000:])
        assert set().union(*controller_batches) == set(ctl), batches
        # Aim: no failed request. Errors (refused, reset, 5xx) would mean a node took traffic while it restarted.
        assert not errors, "%d token requests got an error during the update: %s" % (
            len(errors), [round(s - probe.t0, 1) for s in errors])
        assert len(failures) <= 0.02 * sent, "%d of %d token requests failed" % (len(failures), sent)

        # Nothing left to do: a second run changes nothing.
        t = time.monotonic()
        res = run(update, timeout=1800, check=False)
        TIMINGS["rolling update, second run"] = time.monotonic() - t
        assert res.returncode == 0, res.stdout[-8000:]
        changed = {h: v["changed"] for h, v in recap(res.stdout).items() if v["changed"]}
        assert changed == {}, "the second rolling_update changed something: %s\n%s" % (changed, res.stdout[-6000:])
        assert "nothing to do" in res.stdout
    finally:
        # The repository leaves the nodes (the next deploys read the model without it) and the server stops.
        for host in deployed["addresses"]:
            dexec(host, "rm -f /etc/apt/sources.list.d/helion-%s.sources /etc/apt/keyrings/helion-%s.asc"
                  % (REPO, REPO))
        dexec(mirror, "pkill -f 'http.server %d' ; rm -rf /srv/%s /var/cache/apt-cacher-ng/%s*" % (PORT, REPO, address))
        dexec(ctl[0], "rm -rf /var/tmp/helion-rebuild")
        shutil.rmtree(work, ignore_errors=True)
    print("timings: %s" % json.dumps({k: round(v, 1) for k, v in TIMINGS.items()}))
