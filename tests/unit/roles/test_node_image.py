# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's node image (lab/node_image.py) carries what the roles install, answered as the roles answer it.

The image reads package lists from the roles' defaults and debconf answers from their vars; a role that names
its packages or answers its questions somewhere else would make the lab's deploy install them on every node
(minutes of the CI budget) or install them differently from a real deploy.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os
import re
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ROLES = os.path.join(ROOT, "roles")
sys.path.insert(0, os.path.join(ROOT, "lab"))
import node_image  # noqa: E402  pylint: disable=wrong-import-position


def tasks():
    for path in sorted(glob.glob(os.path.join(ROLES, "*", "tasks", "*.yml"))):
        with open(path) as f:
            for task in yaml.safe_load(f) or []:
                yield path, task


def walk(task):
    yield task
    for key in ("block", "rescue", "always"):
        for inner in task.get(key) or []:
            yield from walk(inner)


def all_tasks():
    for path, task in tasks():
        for sub in walk(task):
            yield path, sub


PACKAGES = node_image.packages(ROLES)
SELECTIONS = node_image.selections(ROLES)


@pytest.mark.parametrize("role", sorted(os.listdir(ROLES)))
def test_every_plain_package_list_of_a_role_is_in_the_image(role):
    defaults = node_image.load(os.path.join(ROLES, role, "defaults", "main.yml"))
    for key, value in defaults.items():
        if key.endswith("_packages") and isinstance(value, list):
            assert set(value) <= set(PACKAGES), (role, key)


def test_every_preseed_the_roles_answer_comes_from_a_vars_list_the_image_reads():
    seen = 0
    for path, task in all_tasks():
        preseed = (task.get("vars") or {}).get("common_preseed")
        if preseed is None:
            continue
        seen += 1
        role = path.split(os.sep)[-3]
        assert isinstance(preseed, str), "%s: an inline common_preseed list; move it to vars/main.yml" % path
        names = [n for n in re.findall(r"\b(_[a-z0-9_]+)\b", preseed) if "preseed" in n]
        assert names and all(n.startswith("_%s_preseed" % role) for n in names), (path, preseed)
    assert seen >= 8


def test_no_role_answers_debconf_outside_the_shared_preseed_step():
    for path, task in all_tasks():
        if "common" + os.sep + "tasks" in path:
            continue
        assert "ansible.builtin.debconf" not in task and "debconf" not in task, path


@pytest.mark.parametrize("line", [
    "glance-common glance/configure_db boolean false",
    "keystone keystone/register-endpoint boolean false",
    "nova-consoleproxy nova-consoleproxy/daemon_type select novnc",
    "openstack-dashboard-apache horizon/activate_vhost boolean true",
])
def test_selections_are_debconf_lines_with_the_roles_answers(line):
    assert line in SELECTIONS


def test_packages_that_tasks_name_directly_are_carried():
    literal = set()
    for _path, task in all_tasks():
        apt = task.get("ansible.builtin.apt") or {}
        name = apt.get("name")
        if isinstance(name, str) and "{{" not in name:
            literal.add(name)
        elif isinstance(name, list):
            literal.update(n for n in name if "{{" not in n)
    # The lab runs neither systemd-networkd nor chrony (lab/vars.yml): they are the only ones left out.
    assert literal - set(PACKAGES) <= {"systemd-networkd", "chrony"}, literal - set(PACKAGES)


def test_the_tag_changes_with_the_lists(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["node_image.py", ROLES, str(tmp_path / "a")])
    node_image.main()
    first = capsys.readouterr().out.strip()
    monkeypatch.setattr(node_image, "EXTRA_PACKAGES", node_image.EXTRA_PACKAGES + ["hello"])
    monkeypatch.setattr(sys, "argv", ["node_image.py", ROLES, str(tmp_path / "b")])
    node_image.main()
    second = capsys.readouterr().out.strip()
    assert re.match(r"^[0-9a-f]{12}$", first) and first != second
    assert "hello" in (tmp_path / "b" / "packages").read_text().split()
