"""scripts/lab.sh's lab BMC start and stop, without a lab: the functions run alone (lab.sh sourced) on loopback.

A lab brought up from one checkout and removed from another used to leave its BMCs running (their pid file is in
the first checkout's state directory), and the next deploy failed with "Address already in use". The BMCs are now
found by what they are (labbmc.py with <state>/<cloud>-bmcs.yml) and by what they hold (UDP port 623 on the model's
IPMI addresses), and a start names the process that holds an address the lab needs.

Two state directories stand for two checkouts; the cloud has a name of its own, so that no Docker object
and no BMC of a real lab matches it.
"""

import os
import subprocess

import pytest
import yaml

from tests.peers.common import ROOT, wait_until
from tests.peers.ipmi import SilentBmc, probe

LAB_SH = os.path.join(ROOT, "scripts", "lab.sh")
ADDRESSES = {"n1": "127.77.4.1", "n2": "127.77.4.2"}
USER, PASSWORD = "admin", "Lab-bmc-pw1"


@pytest.fixture
def cloud():
    name = "t%d" % os.getpid()
    yield name
    subprocess.run(["bash", LAB_SH, "down", name], capture_output=True, text=True, timeout=120, check=False,
                   env=dict(os.environ, HELION_LAB_STATE="/nonexistent-helion-state"))


def checkout(tmp_path, name, cloud):
    """A state directory as read_model leaves it: <cloud>-plan.txt (the bmc lines) and <cloud>-bmcs.yml."""
    state = tmp_path / name
    state.mkdir()
    (state / ("%s-plan.txt" % cloud)).write_text(
        "".join("bmc %s %s IPMI-NET\n" % (host, address) for host, address in sorted(ADDRESSES.items())))
    (state / ("%s-bmcs.yml" % cloud)).write_text(yaml.safe_dump(
        [{"name": host, "address": address, "port": 623, "username": USER, "password": PASSWORD}
         for host, address in sorted(ADDRESSES.items())]))
    return state


def lab(state, cloud, *commands):
    """Run lab.sh functions (sourced) with this state directory; rc and output."""
    script = 'source "$0" "" "$1"; shift; for f in "$@"; do "$f"; done'
    proc = subprocess.run(["bash", "-c", script, LAB_SH, cloud] + list(commands), capture_output=True,
                          text=True, timeout=120, check=False, env=dict(os.environ, HELION_LAB_STATE=str(state)))
    return proc.returncode, proc.stdout + proc.stderr


def lab_down(state, cloud):
    proc = subprocess.run(["bash", LAB_SH, "down", cloud], capture_output=True, text=True, timeout=120,
                          check=False, env=dict(os.environ, HELION_LAB_STATE=str(state)))
    return proc.returncode, proc.stdout + proc.stderr


def serving(state, cloud):
    """The pid of the lab BMC process this state directory started, once every BMC answers."""
    pid = int((state / ("%s-bmcs.pid" % cloud)).read_text())
    assert wait_until(lambda: all(probe(a, 623) for a in ADDRESSES.values()), 10), "the lab BMCs do not answer"
    return pid


def running(pid):
    """Whether process pid still holds what it opened: it exists and is not a zombie.

    An exiting process's command line reads empty before the kernel closes its sockets, so an empty
    command line does not yet mean its port 623 is free; a zombie's files are closed.
    """
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii", errors="replace") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def bound_when_free(address, seconds=5):
    """A silent BMC on address:623 once the port is free: the kernel releases an exited process's socket
    a moment after the process is gone."""
    held = []

    def bind():
        try:
            held.append(SilentBmc(address))
        except OSError:
            return False
        return True

    assert wait_until(bind, seconds), "%s:623 is still held after the lab BMCs stopped" % address
    return held[0]


def test_down_from_another_checkout_stops_the_bmcs(tmp_path, cloud):
    first, second = checkout(tmp_path, "first", cloud), checkout(tmp_path, "second", cloud)
    rc, out = lab(first, cloud, "start_bmcs")
    assert rc == 0, out
    pid = serving(first, cloud)

    # the second checkout has no pid file and has never read the model: the process is found by its command line
    for name in ("%s-plan.txt" % cloud, "%s-bmcs.yml" % cloud):
        (second / name).unlink()
    rc, out = lab_down(second, cloud)
    assert rc == 0, out
    assert "stopping lab BMCs started elsewhere (pid %d: " % pid in out and "labbmc.py --config" in out
    assert wait_until(lambda: not running(pid), 5), "the lab BMC process still runs"
    for address in ADDRESSES.values():
        bound_when_free(address).stop()  # the address is free again


def test_start_replaces_another_checkouts_bmcs_and_names_a_foreign_holder(tmp_path, cloud):
    first, second = checkout(tmp_path, "first", cloud), checkout(tmp_path, "second", cloud)
    rc, out = lab(first, cloud, "start_bmcs")
    assert rc == 0, out
    old = serving(first, cloud)

    # the same cloud brought up from the second checkout: the first one's BMCs make way
    rc, out = lab(second, cloud, "start_bmcs")
    assert rc == 0, out
    assert "stopping lab BMCs started elsewhere (pid %d: " % old in out
    new = serving(second, cloud)
    assert new != old and not running(old)

    # starting again with the same model keeps them
    rc, out = lab(second, cloud, "start_bmcs")
    assert rc == 0 and "stopping" not in out, out
    assert running(new)

    # anything else on an IPMI address of the model: the start names it and starts nothing
    rc, out = lab(first, cloud, "stop_bmcs")
    assert rc == 0, out
    assert wait_until(lambda: not running(new), 5)
    squatter = bound_when_free(ADDRESSES["n2"])
    try:
        rc, out = lab(second, cloud, "start_bmcs")
        assert rc != 0
        assert "127.77.4.2:623 (IPMI address of n2) is held by pid %d: " % os.getpid() in out, out
        assert "cannot start the lab BMCs of %s" % cloud in out
        assert not (second / ("%s-bmcs.pid" % cloud)).exists()

        # down leaves a process that is not a lab BMC alone, and says so
        rc, out = lab_down(second, cloud)
        assert rc == 0, out
        assert "127.77.4.2:623 (IPMI address of n2) is held by pid %d: " % os.getpid() in out
        assert "not a lab BMC: left alone" in out
    finally:
        squatter.stop()
