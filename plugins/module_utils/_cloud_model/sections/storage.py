# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Section `storage`: 3PAR arrays, StoreVirtual clusters, Cinder backends, QoS specs and volume types.

This module util is PRIVATE to the collection. Checks: unique names, each backend on exactly one
array, cluster or LVM role, known CPGs, backends and QoS specs, iSCSI arrays with their
addresses. Asks the allocation for each StoreVirtual cluster's VIP. Plan: helion_storage.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.build import add_cloud_var
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.errors import did_you_mean
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.model import index_by_name, ref
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.schema import IPV4, NAME, STR, URL

_PROTOCOL = {"enum": ["fc", "iscsi"]}
_MIB = {"type": "integer", "minimum": 0}
SCHEMA = {
    "storage": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "hpe3par": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name", "wsapi_url", "username", "password"],
                    "properties": {
                        "name": NAME,
                        "wsapi_url": URL,
                        "san_ip": STR,
                        "username": STR,
                        "password": STR,
                        "validate_certs": {"type": "boolean"},
                        "protocol": _PROTOCOL,
                        "iscsi_ips": {"type": "array", "items": IPV4},
                        "cpgs": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["name"],
                                "properties": {
                                    "name": NAME,
                                    "raid_type": {"enum": ["r0", "r1", "r5", "r6"]},
                                    "set_size": {"type": "integer", "minimum": 1},
                                    "high_availability": {"enum": ["port", "cage", "mag"]},
                                    "disk_type": {"enum": ["FC", "NL", "SSD"]},
                                    "domain": STR,
                                    "growth_increment_mib": _MIB,
                                    "growth_limit_mib": _MIB,
                                    "growth_warning_mib": _MIB,
                                    "create": {"type": "boolean"},
                                },
                            },
                        },
                    },
                },
            },
            "storevirtual": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name", "cluster", "api_url", "username", "password"],
                    "properties": {
                        "name": NAME,
                        "cluster": NAME,
                        "api_url": URL,
                        "username": STR,
                        "password": STR,
                        "validate_certs": {"type": "boolean"},
                        "vip": IPV4,
                        "vip_network": NAME,
                    },
                },
            },
            "backends": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name"],
                    "properties": {
                        "name": NAME,
                        "array": NAME,
                        "cpg": NAME,
                        "protocol": _PROTOCOL,
                        "storevirtual": NAME,
                        "lvm_role": NAME,
                    },
                },
            },
            "qos_specs": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name", "specs"],
                    "properties": {
                        "name": NAME,
                        "consumer": {"enum": ["front-end", "back-end", "both"]},
                        "specs": {"type": "object", "additionalProperties": {"type": ["string", "number"]}},
                    },
                },
            },
            "volume_types": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name", "backend"],
                    "properties": {"name": STR, "backend": NAME, "qos": NAME,
                                   "description": {"type": "string"}, "public": {"type": "boolean"}},
                },
            },
        },
    },
}

# The keys of a backend that say where its volumes live: exactly one per backend.
BACKEND_KINDS = ("array", "storevirtual", "lvm_role")


def check(model):
    f = model.findings
    st = model.data.get("storage") or {}
    arrays = index_by_name(st.get("hpe3par"), ("storage", "hpe3par"), f, "3PAR array")
    clusters = index_by_name(st.get("storevirtual"), ("storage", "storevirtual"), f, "StoreVirtual cluster")
    backends = index_by_name(st.get("backends"), ("storage", "backends"), f, "backend")
    qos = index_by_name(st.get("qos_specs"), ("storage", "qos_specs"), f, "QoS spec")
    index_by_name(st.get("volume_types"), ("storage", "volume_types"), f, "volume type")
    for name, (pos, array) in arrays.items():
        index_by_name(array.get("cpgs"), ("storage", "hpe3par", pos, "cpgs"), f, "CPG")
        if array.get("protocol") == "iscsi" and not array.get("iscsi_ips"):
            f.error(("storage", "hpe3par", pos), "3PAR array '%s' uses iSCSI but lists no iscsi_ips" % name,
                    "add the array's iSCSI port addresses under iscsi_ips.")
    for pos, cluster in clusters.values():
        if "vip_network" in cluster:
            ref(f, ("storage", "storevirtual", pos, "vip_network"), cluster["vip_network"], model.nets,
                "network", "networks")
    for name, (pos, backend) in backends.items():
        _check_backend(model, name, ("storage", "backends", pos), backend, arrays, clusters)
    for pos, vtype in enumerate(st.get("volume_types", [])):
        ref(f, ("storage", "volume_types", pos, "backend"), vtype["backend"], backends, "backend", "storage.backends")
        if "qos" in vtype:
            ref(f, ("storage", "volume_types", pos, "qos"), vtype["qos"], qos, "QoS spec", "storage.qos_specs")


def _check_backend(model, name, path, backend, arrays, clusters):
    f = model.findings
    kinds = [k for k in BACKEND_KINDS if k in backend]
    if len(kinds) != 1:
        f.error(path, "backend '%s' must name exactly one of array, storevirtual or lvm_role" % name,
                "keep one of them.")
        return
    if "array" in backend:
        array = ref(f, path + ("array",), backend["array"], arrays, "3PAR array", "storage.hpe3par")
        if array is not None:
            cpgs = [c["name"] for c in array.get("cpgs", [])]
            if "cpg" not in backend:
                f.error(path, "3PAR backend '%s' names no CPG" % name, "add 'cpg:'.")
            elif backend["cpg"] not in cpgs:
                f.error(path + ("cpg",), "array '%s' has no CPG '%s'%s"
                        % (backend["array"], backend["cpg"], did_you_mean(backend["cpg"], cpgs)),
                        "list the CPG under storage.hpe3par[%d].cpgs." % arrays[backend["array"]][0])
    elif "storevirtual" in backend:
        ref(f, path + ("storevirtual",), backend["storevirtual"], clusters, "StoreVirtual cluster",
            "storage.storevirtual")
    else:
        ref(f, path + ("lvm_role",), backend["lvm_role"], model.roles, "server role", "server_roles")


def vip_requests(model):
    """The VIP of each StoreVirtual cluster that names its network: (network, key, address or None, path, label)."""
    for cpos, cluster in enumerate((model.data.get("storage") or {}).get("storevirtual", [])):
        net_name = cluster.get("vip_network")
        if net_name in model.nets:
            yield (net_name, "vip:storevirtual:" + cluster["name"], cluster.get("vip"),
                   ("storage", "storevirtual", cpos), "storevirtual:" + cluster["name"])


def contribute(model, plan):
    add_cloud_var(plan, "storage", model.data.get("storage") or {})
