# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.helion.openstack.plugins.module_utils._result import EnsureResult


@pytest.mark.parametrize("pairs, actions, changed", [
    ([], [], False),
    ([("power", "on", "on")], [], False),
    ([("power", "off", "on")], [], True),
    ([("size", 1, 1), ("growth", None, 64)], [], True),
    ([("power", "on", "on")], ["rebalanced"], True),
    ([("devs", [1, 2], [1, 2])], [], False),
])
def test_changed_follows_differences_and_actions(pairs, actions, changed):
    res = EnsureResult()
    for name, before, after in pairs:
        res.add(name, before, after)
    for text in actions:
        res.act(text)
    assert res.changed is changed


def test_diff_lists_every_compared_property_and_differences_only_those_that_differ():
    res = EnsureResult()
    assert res.add("power", "off", "on") is True
    assert res.add("bootdev", "disk", "disk") is False
    assert res.diff == {"before": {"power": "off", "bootdev": "disk"}, "after": {"power": "on", "bootdev": "disk"}}
    assert res.differences == [{"name": "power", "before": "off", "after": "on"}]


def test_diff_is_a_copy():
    value = {"a": [1]}
    res = EnsureResult()
    res.add("x", value, {"a": [2]})
    res.diff["before"]["x"]["a"].append(9)
    assert value == {"a": [1]}


@pytest.mark.parametrize("diff_mode", [True, False])
def test_module_result_shape(diff_mode):
    res = EnsureResult(resource={"name": "cpg1"})
    res.add("growth", 0, 8)
    res.act("grew cpg1")
    out = res.module_result(diff_mode=diff_mode, warnings_seen=0)
    assert out["changed"] is True
    assert out["actions"] == ["grew cpg1"]
    assert out["name"] == "cpg1" and out["warnings_seen"] == 0
    assert ("diff" in out) is diff_mode
