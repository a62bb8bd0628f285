# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the lab tests share: running commands on the host and in the lab's containers, the admin's
password and tokens through the VIPs, and the deploys with the process lists sampled while they run."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLOUD = "lab"
LAB = ["bash", os.path.join(ROOT, "scripts", "lab.sh")]
TIMINGS = {}
# What the deploys printed and the process lists seen on the nodes while they ran (the secrets test).
DEPLOY_OUTPUT = []
PROCESS_SAMPLES = {}


def run(cmd, timeout=600, check=True, env=None):
    """Run cmd in its own process group: on timeout the whole group is killed (a deploy's ansible-playbook
    with it, which would otherwise run on into the next tests), then TimeoutExpired is raised."""
    with subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                          start_new_session=True) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.communicate()
            raise
    res = subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)
    if check and res.returncode != 0:
        raise AssertionError("%s failed (rc %d):\n%s\n%s"
                             % (" ".join(cmd), res.returncode, res.stdout[-6000:], res.stderr[-3000:]))
    return res


def dexec(host, script, timeout=120, check=False):
    return run(["docker", "exec", host, "sh", "-c", script], timeout=timeout, check=check)


def recap(output):
    """{host: {ok, changed, unreachable, failed, ...}} from the PLAY RECAP of a playbook run."""
    out = {}
    for m in re.finditer(r"^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$", output, re.M):
        out[m.group(1)] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(2))}
    return out


def wait_until(what, func, timeout, interval=2.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = func()
            if last:
                return last
        except (subprocess.SubprocessError, ValueError, KeyError, OSError) as exc:
            last = exc
        time.sleep(interval)
    raise AssertionError("timed out after %d s waiting for %s (last: %r)" % (timeout, what, last))


def admin_password(host):
    out = dexec(host, "cat /root/admin-openrc.sh", check=True).stdout
    return re.search(r"^export OS_PASSWORD=(.*)$", out, re.M).group(1).strip()


def token(vip, password, timeout=3.0, errors=None):
    """Whether Keystone on vip issues the admin a token; a failed request's error goes into errors (a dict), by
    the request's start time, when one is given."""
    body = json.dumps({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "domain": {"id": "default"}, "password": password}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}).encode()
    req = urllib.request.Request("http://%s:5000/v3/auth/tokens" % vip, data=body,
                                 headers={"Content-Type": "application/json"})
    start = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status == 201 and bool(resp.headers.get("X-Subject-Token"))
    except (urllib.error.URLError, OSError) as err:
        if errors is not None:
            errors[start] = repr(err)[:80]
        return False


def galera(host):
    out = dexec(host, "mariadb -N -B -e \"SHOW GLOBAL STATUS LIKE 'wsrep_%'\"").stdout
    return dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)


def galera_healthy(hosts, size=3):
    for h in hosts:
        st = galera(h)
        if st.get("wsrep_cluster_size") != str(size) or st.get("wsrep_local_state_comment") != "Synced" \
                or st.get("wsrep_cluster_status") != "Primary":
            return False
    return True


def rabbit_status(host):
    res = dexec(host, "rabbitmqctl cluster_status --formatter json")
    if res.returncode != 0:
        return {}
    return json.loads(res.stdout)


def rabbit_running(host):
    return rabbit_status(host).get("running_nodes", [])


def rabbit_partitions(host, status=None):
    """The partitions this node reports, as {node: [nodes it is partitioned from]} (RabbitMQ 4.0 gives a map)."""
    partitions = (rabbit_status(host) if status is None else status).get("partitions") or {}
    if isinstance(partitions, list):
        partitions = dict((node, others) for node, others in partitions)
    return dict((node, others) for node, others in partitions.items() if others)


def rabbit_whole(hosts):
    """Every member sees all of them running and none reports a partition."""
    want = sorted("rabbit@" + h for h in hosts)
    for h in hosts:
        status = rabbit_status(h)
        if sorted(status.get("running_nodes", [])) != want or rabbit_partitions(h, status):
            return False
    return True


def vip_holder(controllers, vip):
    for h in controllers:
        if " %s/" % vip in dexec(h, "ip -o -4 addr show").stdout:
            return h
    return None


def openstack_token_issue(host):
    return dexec(host, ". /root/admin-openrc.sh && openstack token issue -f value -c expires", timeout=120)


def healthy(model):
    """A lab that already runs the control plane: a token through the VIP."""
    try:
        # generous: a Fernet token on a loaded 2-core machine can take seconds
        return token(model["vip"], admin_password(model["controllers"][0]), timeout=20.0)
    except (AttributeError, AssertionError, subprocess.SubprocessError):
        return False


class TokenProbe:
    """Asks for a token through a VIP every 0.25 s (2 s timeout) from a thread, as a user would, until
    stopped; bounded by the test that holds it. `mark()` notes the moment of the failure."""

    def __init__(self, vip, password):
        self.vip, self.password = vip, password
        self.samples = []
        self.t0 = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            start = time.monotonic()
            ok = token(self.vip, self.password, timeout=2)
            self.samples.append((start, ok, time.monotonic()))
            self._stop.wait(0.25)

    def __enter__(self):
        self._thread.start()
        time.sleep(2)
        return self

    def mark(self):
        self.t0 = time.monotonic()

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(10)

    def failures(self, since):
        """The start times of the failed probes sent (or still waiting) after `since`."""
        return [start for start, ok, end in self.samples if not ok and end >= since]

    def outage(self, since):
        """Seconds from `since` until the first probe that succeeded after the last failure."""
        failed = [(start, end) for start, ok, end in self.samples if not ok and end >= since]
        if not failed:
            return 0.0
        last = max(start for start, _end in failed)
        back = [start for start, ok, _end in self.samples if ok and start > last]
        return (min(back) if back else max(end for _start, end in failed)) - since


class ProcessSampler:
    """Reads every node's process list about once a second while a deploy runs (bounded by the deploy)."""

    def __init__(self, hosts):
        self.hosts = hosts
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self.stop.is_set():
            for h in self.hosts:
                if self.stop.is_set():
                    break
                try:
                    out = run(["docker", "exec", h, "ps", "-eo", "args", "--no-headers"], timeout=20, check=False)
                except subprocess.SubprocessError:
                    continue
                PROCESS_SAMPLES.setdefault(h, set()).update(out.stdout.splitlines())
            self.stop.wait(1.0)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=60)


def lab_nodes(model):
    """The servers of the model that run as lab containers."""
    names = run(["docker", "ps", "--format", "{{.Names}}"]).stdout.split()
    return [h for h in sorted(model["addresses"]) if h in names]


def sampled_deploy(model):
    with ProcessSampler(lab_nodes(model)):
        res = run(LAB + ["deploy", CLOUD], timeout=3600)
    DEPLOY_OUTPUT.append(res.stdout + res.stderr)
    # Kept for reading where a deploy's time goes (the profile_tasks summary at its end).
    artifacts = os.path.join(ROOT, ".cache", "lab", "artifacts")
    os.makedirs(artifacts, exist_ok=True)
    with open(os.path.join(artifacts, "deploy-%d.log" % len(DEPLOY_OUTPUT)), "w") as handle:
        handle.write(res.stdout + res.stderr)
    return res


def ring_info(host, ring):
    """Replica count and devices of /etc/swift/<ring>.ring.gz on a lab node, as the running services read it."""
    script = ("import json; from swift.common.ring import RingData; r = RingData.load('/etc/swift/%s.ring.gz'); "
              "print(json.dumps({'replicas': r.replica_count, 'devs': [{'ip': d['ip'], 'device': d['device'], "
              "'weight': d['weight']} for d in r.devs if d]}))" % ring)
    out = run(["docker", "exec", host, "python3", "-c", script], timeout=60).stdout
    return json.loads(out)
