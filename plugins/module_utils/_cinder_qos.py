# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Cinder QoS specs and their volume type associations: plan, then apply through a small API object.

This module util is PRIVATE to the collection. It is not part of its public API.

``plan_qos`` is pure: it compares what Cinder has (a QoS spec or None, and the volume types associated with
it) with what the cloud model wants and returns the steps. ``ensure_qos`` reads through an API object (the
module's ``CinderRest``, or a fake in the unit tests), applies the steps unless in check mode, and returns an
:class:`EnsureResult`. Every failure is a :class:`CinderQosError` with a message that names the spec.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.helion.openstack.plugins.module_utils._result import EnsureResult

CONSUMERS = ("front-end", "back-end", "both")


class CinderQosError(Exception):
    """A QoS spec cannot be made as the model wants it."""


def normalize_specs(specs):
    """Cinder keeps every spec value as a string: compare strings, so that 2000 and "2000" are one value."""
    out = {}
    for key, value in (specs or {}).items():
        if isinstance(value, bool):
            value = str(value).lower()
        out[str(key)] = str(value)
    return out


def plan_qos(current, associated, wanted):
    """The steps that turn ``current`` into ``wanted``.

    current: None, or {"consumer": str, "specs": {key: str}}; associated: names of the volume types associated
    now; wanted: {"state": "present"|"absent", "consumer": str, "specs": {key: value}, "volume_types": [names]}.
    Returns a list of (step, argument): ("create", None), ("consumer", new), ("set", {key: value}),
    ("unset", [keys]), ("associate", type), ("disassociate", type), ("delete", None).
    """
    associated = sorted(set(associated or []))
    if wanted["state"] == "absent":
        if current is None:
            return []
        return [("disassociate", name) for name in associated] + [("delete", None)]
    consumer = wanted.get("consumer") or "back-end"
    if consumer not in CONSUMERS:
        raise CinderQosError("consumer must be one of %s, not %r" % (", ".join(CONSUMERS), consumer))
    specs = normalize_specs(wanted.get("specs"))
    types = sorted(set(wanted.get("volume_types") or []))
    steps = []
    if current is None:
        steps.append(("create", None))
        have = {}
        associated = []
    else:
        have = normalize_specs(current.get("specs"))
        if current.get("consumer") != consumer:
            steps.append(("consumer", consumer))
    changed = dict((k, v) for k, v in sorted(specs.items()) if have.get(k) != v)
    if changed and current is not None:
        steps.append(("set", changed))
    extra = sorted(k for k in have if k not in specs)
    if extra:
        steps.append(("unset", extra))
    steps.extend(("disassociate", name) for name in associated if name not in types)
    steps.extend(("associate", name) for name in types if name not in associated)
    return steps


def ensure_qos(api, name, wanted, check_mode=False):
    """Make QoS spec ``name`` as ``wanted`` (see plan_qos) through ``api``; returns an EnsureResult.

    api: find(name) -> None or {"id", "consumer", "specs"}; associations(spec_id) -> [type names];
    type_id(type name) -> id or None; type_qos(type_id) -> spec id or None; create(name, consumer, specs) ->
    {"id", ...}; update(spec_id, {key: value}); delete_keys(spec_id, [keys]); associate(spec_id, type_id);
    disassociate(spec_id, type_id); delete(spec_id).
    """
    current = api.find(name)
    associated = api.associations(current["id"]) if current else []
    steps = plan_qos(current, associated, wanted)
    result = EnsureResult()
    before = _view(current, associated)
    after = _view_after(current, associated, wanted)
    result.set_diff(before, after, "qos spec %s (cinder)" % name, "qos spec %s (model)" % name)
    type_ids = {}
    for step, arg in steps:
        if step in ("associate", "disassociate"):
            type_ids[arg] = api.type_id(arg)
            if type_ids[arg] is None:
                raise CinderQosError("QoS spec %s: volume type %r does not exist in Cinder; create the volume types "
                                     "first (storage.volume_types)" % (name, arg))
        result.act(_describe(step, arg))
    result.resource = {"qos_spec": after}
    if check_mode or not steps:
        return result
    spec_id = current["id"] if current else None
    for step, arg in steps:
        if step == "create":
            spec_id = api.create(name, wanted.get("consumer") or "back-end", normalize_specs(wanted.get("specs")))["id"]
        elif step == "consumer":
            api.update(spec_id, {"consumer": arg})
        elif step == "set":
            api.update(spec_id, arg)
        elif step == "unset":
            api.delete_keys(spec_id, arg)
        elif step == "disassociate":
            api.disassociate(spec_id, type_ids[arg])
        elif step == "associate":
            # A volume type has one QoS spec: the model moved this type here from another one.
            other = api.type_qos(type_ids[arg])
            if other and other != spec_id:
                api.disassociate(other, type_ids[arg])
            api.associate(spec_id, type_ids[arg])
        elif step == "delete":
            api.delete(spec_id)
    return result


def _describe(step, arg):
    if step in ("create", "delete"):
        return step
    if step == "set":
        return "set " + ", ".join("%s=%s" % kv for kv in sorted(arg.items()))
    if step == "unset":
        return "unset " + ", ".join(arg)
    return "%s %s" % (step, arg)


def _view(current, associated):
    if current is None:
        return {}
    return {"consumer": current.get("consumer"), "specs": normalize_specs(current.get("specs")),
            "volume_types": sorted(set(associated or []))}


def _view_after(current, associated, wanted):
    if wanted["state"] == "absent":
        return {}
    return {"consumer": wanted.get("consumer") or "back-end", "specs": normalize_specs(wanted.get("specs")),
            "volume_types": sorted(set(wanted.get("volume_types") or []))}


class CinderRest:
    """The QoS calls of the Block Storage API v3 through a keystoneauth adapter (an openstacksdk proxy):
    the REST paths themselves, so that any openstacksdk release that talks to Cinder will do."""

    def __init__(self, adapter):
        self._api = adapter

    def _call(self, method, url, **kwargs):
        response = getattr(self._api, method)(url, raise_exc=False, **kwargs)
        if response.status_code >= 400:
            raise CinderQosError("%s %s answered %s: %s"
                                 % (method.upper(), url, response.status_code, response.text[:300]))
        return response.json() if response.content else {}

    def find(self, name):
        for spec in self._call("get", "/qos-specs").get("qos_specs", []):
            if spec.get("name") == name:
                return spec
        return None

    def associations(self, spec_id):
        rows = self._call("get", "/qos-specs/%s/associations" % spec_id).get("qos_associations", [])
        return [row["name"] for row in rows if row.get("association_type") == "volume_type"]

    def _types(self):
        return self._call("get", "/types", params={"is_public": "None"}).get("volume_types", [])

    def type_id(self, name):
        return next((t["id"] for t in self._types() if t.get("name") == name), None)

    def type_qos(self, type_id):
        return next((t.get("qos_specs_id") for t in self._types() if t.get("id") == type_id), None)

    def create(self, name, consumer, specs):
        body = dict(specs, name=name, consumer=consumer)
        return self._call("post", "/qos-specs", json={"qos_specs": body})["qos_specs"]

    def update(self, spec_id, specs):
        self._call("put", "/qos-specs/%s" % spec_id, json={"qos_specs": specs})

    def delete_keys(self, spec_id, keys):
        self._call("put", "/qos-specs/%s/delete_keys" % spec_id, json={"keys": list(keys)})

    def associate(self, spec_id, type_id):
        self._call("get", "/qos-specs/%s/associate" % spec_id, params={"vol_type_id": type_id})

    def disassociate(self, spec_id, type_id):
        self._call("get", "/qos-specs/%s/disassociate" % spec_id, params={"vol_type_id": type_id})

    def delete(self, spec_id):
        self._call("delete", "/qos-specs/%s" % spec_id, params={"force": "True"})
