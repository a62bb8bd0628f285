# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The decisions of a rolling package update: the apt plan, the services to restart, HAProxy's server states."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.helion.openstack.plugins.filter.package_update import apt_simulation, restart_units
from ansible_collections.helion.openstack.plugins.module_utils import _package_update as pu

SIMULATION = """NOTE: This is only a simulation!
Reading package lists...
Calculating upgrade...
The following packages will be upgraded:
  python3-keystone
Inst python3-keystone [2:27.0.0-3] (2:27.0.0-3+helion1 helion:./ [all]) []
Inst libfoo2 (2.1-1 Debian:13.2/stable [amd64])
Remv oldthing [1.0-1]
Conf python3-keystone (2:27.0.0-3+helion1 helion:./ [all])
Conf libfoo2 (2.1-1 Debian:13.2/stable [amd64])
"""


@pytest.mark.parametrize("text, upgrades, installs, removals", [
    (SIMULATION, [("python3-keystone", "2:27.0.0-3", "2:27.0.0-3+helion1")], [("libfoo2", None, "2.1-1")],
     [("oldthing", "1.0-1", None)]),
    ("Reading package lists...\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n", [], [], []),
    ("", [], [], []),
    # sorted by name whatever apt's order
    ("Inst b [1] (2 x [all])\nInst a [1] (2 x [all])\n", [("a", "1", "2"), ("b", "1", "2")], [], []),
])
def test_apt_simulation(text, upgrades, installs, removals):
    plan = apt_simulation(text)

    def rows(key):
        return [(e["name"], e["installed"], e["candidate"]) for e in plan[key]]

    assert rows("upgrades") == upgrades
    assert rows("installs") == installs
    assert rows("removals") == removals


GRAPH = "\n".join([
    "keystone\tinstalled\tpython3-keystone (= 2:27.0.0-3), adduser, debconf (>= 0.5) | debconf-2.0\t\t",
    "python3-keystone\tinstalled\tpython3-oslo.db, python3:any\t\t",
    "python3-oslo.db\tinstalled\tpython3-sqlalchemy\t\t",
    "python3-sqlalchemy\tinstalled\tpython3:any\t\t",
    "glance-api\tinstalled\tglance-common\t\t",
    "glance-common\tinstalled\tpython3-glance, python3-oslo.db\t\t",
    "python3-glance\tinstalled\tpython3:any\t\t",
    "python3\tinstalled\tlibc6\t\tpython3-any",
    "libc6\tinstalled\t\t\t",
    "haproxy\tinstalled\tlibc6 (>= 2.38), libssl3t64\tadduser\t",
    "libssl3t64\tinstalled\tlibc6\t\tlibssl3",
    "adduser\tinstalled\tpasswd\t\t",
    "debconf\tinstalled\t\tperl-base\tdebconf-2.0",
    "removed-pkg\tconfig-files\tpython3-keystone\t\t",
    "mariadb-server\tinstalled\tlibssl3\t\t",
])
UNITS = "\n".join([
    "keystone.service\t/usr/lib/systemd/system/keystone.service /usr/bin/uwsgi",
    "glance-api.service\t/usr/lib/systemd/system/glance-api.service /usr/bin/glance-api",
    "haproxy.service\t/lib/systemd/system/haproxy.service /usr/sbin/haproxy",
    "mariadb.service\t/usr/lib/systemd/system/mariadb.service /usr/sbin/mariadbd",
    "galera-clustercheck.service\t/etc/systemd/system/galera-clustercheck.service /usr/bin/socat",
    "dbus.service\t/usr/lib/systemd/system/dbus.service /usr/bin/dbus-daemon",
])
# dpkg knows a path with or without /usr, as the package shipped it.
OWNERS = "\n".join([
    "keystone: /usr/lib/systemd/system/keystone.service",
    "uwsgi-core: /usr/bin/uwsgi",
    "glance-api: /usr/lib/systemd/system/glance-api.service",
    "glance-api, glance-common: /usr/bin/glance-api",
    "haproxy: /lib/systemd/system/haproxy.service",
    "haproxy: /usr/sbin/haproxy",
    "mariadb-server: /usr/lib/systemd/system/mariadb.service",
    "mariadb-server: /usr/sbin/mariadbd",
    "diversion by foo from: /usr/bin/socat",
    "libc6, libc6:i386: /usr/lib/x86_64-linux-gnu/libc.so.6",
    "dbus-daemon: /usr/bin/dbus-daemon",
])


@pytest.mark.parametrize("changed, units", [
    # an OpenStack package: only the service whose package depends on it
    (["python3-keystone"], ["keystone.service"]),
    # a library both use
    (["python3-oslo.db"], ["glance-api.service", "keystone.service"]),
    (["python3-glance"], ["glance-api.service"]),
    # a virtual name provided by a changed package (libssl3 by libssl3t64)
    (["libssl3t64"], ["haproxy.service", "mariadb.service"]),
    # libc: every service but the excluded one (dbus) and the deployer's own unit with no package
    (["libc6"], ["glance-api.service", "haproxy.service", "keystone.service", "mariadb.service"]),
    # the unit's own package
    (["haproxy"], ["haproxy.service"]),
    # a package no service uses, or nothing at all
    (["tcpdump"], []),
    ([], []),
])
def test_restart_units(changed, units):
    assert restart_units(changed, UNITS, OWNERS, GRAPH, exclude=["^dbus", "^systemd-"]) == units


def test_dependency_graph_skips_removed_packages_and_resolves_provides():
    graph = pu.parse_dpkg_graph(GRAPH)
    assert "removed-pkg" not in graph
    assert graph["keystone"] == ["adduser", "debconf", "python3-keystone"]
    assert graph["mariadb-server"] == ["libssl3t64"]


def test_unit_packages_strips_usr_and_ignores_diversions():
    owners = pu.unit_packages(UNITS, OWNERS)
    assert owners["keystone.service"] == ["keystone", "uwsgi-core"]
    assert owners["haproxy.service"] == ["haproxy"]
    assert owners["galera-clustercheck.service"] == []


def test_restart_units_names_a_bad_pattern():
    with pytest.raises(AnsibleFilterError, match="not a regular expression"):
        restart_units(["libc6"], UNITS, OWNERS, GRAPH, exclude=["("])


STAT_HEADER = ("# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,"
               "status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,"
               "type,rate,rate_lim,rate_max,check_status,")


def stat_row(backend, server, status, sessions=0, check="L7OK"):
    fields = [backend, server, "0", "0", str(sessions)] + [""] * 12 + [status] + [""] * 18 + [check, ""]
    return ",".join(fields)


class FakeHaproxy:
    """HAProxy's runtime API as far as the module uses it: `show stat` and `set server ... state ...`. A
    drained or ready server passes its checks once `heal_after` more `show stat` calls were made."""

    def __init__(self, servers, heal_after=0, sessions_until=0):
        self.servers = servers  # {(backend, server): status}
        self.sent = []
        self.heal_after = heal_after
        self.sessions_until = sessions_until
        self.stats = 0

    def command(self, line):
        self.sent.append(line)
        if line == "show stat":
            self.stats += 1
            if self.stats > self.heal_after:
                for key, status in self.servers.items():
                    if status.startswith("DOWN"):
                        self.servers[key] = "UP"
            sessions = 3 if self.stats <= self.sessions_until else 0
            rows = [stat_row("stats", "FRONTEND", "OPEN"), stat_row("keystone_api", "FRONTEND", "OPEN")]
            rows += [stat_row(b, s, st, sessions if st in ("DRAIN", "MAINT") else 0)
                     for (b, s), st in sorted(self.servers.items())]
            rows.append(stat_row("keystone_api", "BACKEND", "UP"))
            return STAT_HEADER + "\n" + "\n".join(rows) + "\n"
        words = line.split()
        assert words[:2] == ["set", "server"] and words[3] == "state", line
        backend, server = words[2].split("/")
        status = {"ready": "UP", "drain": "DRAIN", "maint": "MAINT"}[words[4]]
        current = self.servers[(backend, server)]
        if status == "UP" and current.startswith("DOWN"):
            status = current
        self.servers[(backend, server)] = status
        return "\n"


def cluster(**states):
    servers = {}
    for backend in ("keystone_api", "galera"):
        for node in ("ctl1", "ctl2", "ctl3"):
            servers[(backend, node)] = states.get(node, "UP")
    return servers


def sets(fake):
    return [line for line in fake.sent if line.startswith("set ")]


def test_drain_changes_every_backend_of_the_node_only():
    fake = FakeHaproxy(cluster())
    result = pu.ensure_server_state(fake, "ctl1", "drain", sleep=lambda s: None)
    assert result.changed
    assert sets(fake) == ["set server galera/ctl1 state drain", "set server keystone_api/ctl1 state drain"]
    assert result.resource["servers"] == ["galera/ctl1", "keystone_api/ctl1"]
    assert fake.servers[("keystone_api", "ctl2")] == "UP"


def test_drain_twice_changes_nothing():
    fake = FakeHaproxy(cluster(ctl1="DRAIN"))
    result = pu.ensure_server_state(fake, "ctl1", "drain", sleep=lambda s: None)
    assert not result.changed and sets(fake) == []


def test_drain_waits_for_sessions_to_end():
    fake = FakeHaproxy(cluster(), sessions_until=4)
    ticks = iter(range(1000))
    result = pu.ensure_server_state(fake, "ctl1", "drain", drain_timeout=30, clock=lambda: next(ticks),
                                    sleep=lambda s: None)
    assert result.resource["sessions"] == 0
    assert result.resource["waited"] > 0


def test_check_mode_reports_and_sends_nothing():
    fake = FakeHaproxy(cluster())
    result = pu.ensure_server_state(fake, "ctl1", "drain", check_mode=True)
    assert result.changed and sets(fake) == []
    assert result.actions == ["set server galera/ctl1 state drain", "set server keystone_api/ctl1 state drain"]
    assert result.diff["before"]["galera/ctl1"] == "ready" and result.diff["after"]["galera/ctl1"] == "drain"


def test_ready_waits_for_the_checks_then_puts_back():
    fake = FakeHaproxy(cluster(ctl1="DOWN"), heal_after=3)
    fake.servers[("galera", "ctl1")] = "DRAIN"
    fake.servers[("keystone_api", "ctl1")] = "DOWN (drain)"
    ticks = iter(range(1000))
    result = pu.ensure_server_state(fake, "ctl1", "ready", healthy_timeout=60, clock=lambda: next(ticks),
                                    sleep=lambda s: None)
    assert result.changed
    assert fake.servers[("keystone_api", "ctl1")] == "UP" and fake.servers[("galera", "ctl1")] == "UP"


def test_ready_refuses_a_node_that_fails_its_checks():
    fake = FakeHaproxy(cluster(ctl1="DRAIN"), heal_after=10 ** 6)
    fake.servers[("keystone_api", "ctl1")] = "DOWN"
    ticks = iter(range(1000))
    with pytest.raises(pu.PackageUpdateError, match="fails HAProxy's health checks in keystone_api"):
        pu.ensure_server_state(fake, "ctl1", "ready", healthy_timeout=5, clock=lambda: next(ticks),
                               sleep=lambda s: None)
    assert sets(fake) == []


def test_ready_from_maintenance_drains_first_so_that_checks_run():
    fake = FakeHaproxy(cluster(ctl1="MAINT"))
    ticks = iter(range(1000))
    pu.ensure_server_state(fake, "ctl1", "ready", healthy_timeout=60, clock=lambda: next(ticks),
                           sleep=lambda s: None)
    assert sets(fake)[:2] == ["set server galera/ctl1 state drain", "set server keystone_api/ctl1 state drain"]
    assert fake.servers[("galera", "ctl1")] == "UP"


def test_a_node_in_no_backend_is_left_alone():
    fake = FakeHaproxy(cluster())
    result = pu.ensure_server_state(fake, "cpu1", "drain")
    assert not result.changed and result.resource["servers"] == [] and "in no HAProxy backend" in result.msg


@pytest.mark.parametrize("status, state, passes", [
    ("UP", "ready", True), ("DRAIN", "drain", True), ("MAINT", "maint", False), ("DOWN", "ready", False),
    ("UP 1/3", "ready", False), ("DOWN 1/2", "ready", False), ("no check", "ready", True),
    ("MAINT (via galera/ctl1)", "maint", False),
])
def test_status_words(status, state, passes):
    assert pu.admin_state(status) == state
    assert pu.passes_checks(status) is passes


def test_bad_state_is_refused():
    with pytest.raises(pu.PackageUpdateError, match="ready, drain or maint"):
        pu.ensure_server_state(FakeHaproxy(cluster()), "ctl1", "up")


def test_socket_error_names_the_socket(tmp_path):
    with pytest.raises(pu.PackageUpdateError, match="did not answer"):
        pu.HaproxySocket(str(tmp_path / "missing.sock"), timeout=1).command("show stat")
