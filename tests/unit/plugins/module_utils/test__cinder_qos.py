# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.helion.openstack.plugins.module_utils._cinder_qos import (
    CinderQosError, ensure_qos, normalize_specs, plan_qos)

GOLD = {"consumer": "back-end", "specs": {"maxIOPS": "2000"}}


def want(specs=None, types=(), consumer="back-end", state="present"):
    return {"state": state, "consumer": consumer, "specs": specs if specs is not None else {"maxIOPS": 2000},
            "volume_types": list(types)}


@pytest.mark.parametrize("current, associated, wanted, steps", [
    # Nothing yet: create, then associate.
    (None, [], want(types=["fast"]), [("create", None), ("associate", "fast")]),
    # As wanted, the number 2000 and the string "2000" being one value.
    (GOLD, ["fast"], want(types=["fast"]), []),
    # A changed value is set; only the changed key.
    ({"consumer": "back-end", "specs": {"maxIOPS": "2000", "maxBWS": "400"}}, [],
     want({"maxIOPS": 3000, "maxBWS": 400}), [("set", {"maxIOPS": "3000"})]),
    # A key the model dropped is removed.
    ({"consumer": "back-end", "specs": {"maxIOPS": "2000", "maxBWS": "400"}}, [], want(), [("unset", ["maxBWS"])]),
    # The consumer changes in place.
    (GOLD, [], want(consumer="both"), [("consumer", "both")]),
    # Types: the ones no longer listed are disassociated, the new ones associated.
    (GOLD, ["fast", "old"], want(types=["fast", "new"]), [("disassociate", "old"), ("associate", "new")]),
    # Absent: disassociate everything, then delete; already absent: nothing.
    (GOLD, ["fast"], want(state="absent"), [("disassociate", "fast"), ("delete", None)]),
    (None, [], want(state="absent"), []),
])
def test_plan_qos(current, associated, wanted, steps):
    assert plan_qos(current, associated, wanted) == steps


@pytest.mark.parametrize("specs, normalized", [
    ({"maxIOPS": 2000}, {"maxIOPS": "2000"}),
    ({"latency": 2.5, "flag": True}, {"latency": "2.5", "flag": "true"}),
    (None, {}),
])
def test_normalize_specs(specs, normalized):
    assert normalize_specs(specs) == normalized


def test_plan_refuses_an_unknown_consumer():
    with pytest.raises(CinderQosError, match="consumer must be one of"):
        plan_qos(None, [], want(consumer="array"))


class FakeCinder:
    """Cinder's QoS specs and volume types in memory, with the one-spec-per-type rule of the real API."""

    def __init__(self, types=("fast", "standard")):
        self.specs = {}
        self.types = dict((name, {"id": "t-" + name, "qos": None}) for name in types)
        self.calls = []

    def find(self, name):
        return next((dict(s, id=i) for i, s in self.specs.items() if s["name"] == name), None)

    def associations(self, spec_id):
        return sorted(n for n, t in self.types.items() if t["qos"] == spec_id)

    def type_id(self, name):
        return self.types[name]["id"] if name in self.types else None

    def _type(self, type_id):
        return next(t for t in self.types.values() if t["id"] == type_id)

    def type_qos(self, type_id):
        return self._type(type_id)["qos"]

    def create(self, name, consumer, specs):
        spec_id = "q-%d" % (len(self.specs) + 1)
        self.specs[spec_id] = {"name": name, "consumer": consumer, "specs": dict(specs)}
        self.calls.append("create")
        return {"id": spec_id}

    def update(self, spec_id, specs):
        specs = dict(specs)
        if "consumer" in specs:
            self.specs[spec_id]["consumer"] = specs.pop("consumer")
        self.specs[spec_id]["specs"].update(specs)
        self.calls.append("update")

    def delete_keys(self, spec_id, keys):
        for key in keys:
            del self.specs[spec_id]["specs"][key]
        self.calls.append("delete_keys")

    def associate(self, spec_id, type_id):
        assert self._type(type_id)["qos"] is None, "Cinder refuses a second QoS spec on a volume type"
        self._type(type_id)["qos"] = spec_id
        self.calls.append("associate")

    def disassociate(self, spec_id, type_id):
        self._type(type_id)["qos"] = None
        self.calls.append("disassociate")

    def delete(self, spec_id):
        del self.specs[spec_id]
        self.calls.append("delete")


def test_ensure_creates_then_changes_nothing():
    api = FakeCinder()
    first = ensure_qos(api, "gold", want(types=["fast"]))
    assert first.changed and first.actions == ["create", "associate fast"]
    assert api.find("gold")["specs"] == {"maxIOPS": "2000"} and api.associations("q-1") == ["fast"]
    api.calls = []
    second = ensure_qos(api, "gold", want(types=["fast"]))
    assert not second.changed and api.calls == []


def test_ensure_changes_a_value_only_when_the_model_changed_it():
    api = FakeCinder()
    ensure_qos(api, "gold", want(types=["fast"]))
    result = ensure_qos(api, "gold", want({"maxIOPS": 3000}, types=["fast"]))
    assert result.actions == ["set maxIOPS=3000"]
    assert api.find("gold")["specs"] == {"maxIOPS": "3000"}
    assert result.diff["before"]["specs"] == {"maxIOPS": "2000"}
    assert result.diff["after"]["specs"] == {"maxIOPS": "3000"}


def test_ensure_in_check_mode_reports_and_changes_nothing():
    api = FakeCinder()
    ensure_qos(api, "gold", want(types=["fast"]))
    api.calls = []
    result = ensure_qos(api, "gold", want({"maxIOPS": 3000}, types=["fast", "standard"]), check_mode=True)
    assert result.changed and result.actions == ["set maxIOPS=3000", "associate standard"]
    assert api.calls == [] and api.find("gold")["specs"] == {"maxIOPS": "2000"}


def test_ensure_moves_a_volume_type_from_another_spec():
    api = FakeCinder()
    ensure_qos(api, "silver", want({"maxIOPS": 500}, types=["fast"]))
    ensure_qos(api, "gold", want(types=["fast"]))
    assert api.associations(api.find("gold")["id"]) == ["fast"]
    assert api.associations(api.find("silver")["id"]) == []


def test_ensure_names_a_missing_volume_type():
    with pytest.raises(CinderQosError, match="volume type 'gone' does not exist"):
        ensure_qos(FakeCinder(), "gold", want(types=["gone"]))


def test_ensure_absent_disassociates_and_deletes():
    api = FakeCinder()
    ensure_qos(api, "gold", want(types=["fast"]))
    result = ensure_qos(api, "gold", want(state="absent"))
    assert result.actions == ["disassociate fast", "delete"]
    assert api.find("gold") is None and api.types["fast"]["qos"] is None
