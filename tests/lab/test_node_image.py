# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's nodes start from the node image (scripts/lab.sh, lab/node_image.py): every package the roles
install is in it, so the deploy installs none. dpkg's log on each node, past the lines the image already
holds, names any package the deploy had to install (each one minutes of the CI budget on a 2-core machine)."""

from __future__ import annotations

from tests.lab.lab import lab_nodes, run


def installed_by_dpkg(log_lines):
    """Package names that dpkg's log lines record as installed."""
    return sorted({line.split()[3].split(":")[0] for line in log_lines
                   if len(line.split()) > 3 and line.split()[2] == "install"})


def test_the_deploy_installed_no_package_the_node_image_lacked(deployed):
    nodes = lab_nodes(deployed)
    assert nodes
    image = run(["docker", "inspect", "-f", "{{.Config.Image}}", nodes[0]]).stdout.strip()
    assert image.startswith("lab/debian-node:"), image
    image_log = run(["docker", "run", "--rm", image, "cat", "/var/log/dpkg.log"], timeout=120).stdout.splitlines()
    assert installed_by_dpkg(image_log), "the node image's dpkg log records no installation"
    installed = {}
    for host in nodes:
        log = run(["docker", "exec", host, "cat", "/var/log/dpkg.log"]).stdout.splitlines()
        assert log[:len(image_log)] == image_log, "%s: dpkg's log does not start with the image's" % host
        names = installed_by_dpkg(log[len(image_log):])
        if names:
            installed[host] = names
    print("node image %s: the deploy installed %s" % (image, installed or "nothing"))
    assert installed == {}, "the deploy installed packages the node image lacks (add them to the roles' " \
        "package lists or lab/node_image.py): %s" % installed
