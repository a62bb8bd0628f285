# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Section `vcenters`: the vCenters of an ESX cloud, their clusters and port groups.

This module util is PRIVATE to the collection. Checks: unique names, known proxy servers, a
vCenter when the cloud has ESX compute, no DVR in a cloud without KVM compute. Plan:
helion_vcenters.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.build import add_cloud_var
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.model import index_by_name, ref
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.schema import HOSTNAME, NAME, PORT, STR

SCHEMA = {
    "vcenters": {
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "address", "username", "password", "datacenter", "clusters"],
            "properties": {
                "name": NAME,
                "address": STR,
                "port": PORT,
                "username": STR,
                "password": STR,
                "validate_certs": {"type": "boolean"},
                "ca_file": STR,
                "datacenter": STR,
                "port_groups": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"esx": STR, "esx_tenant": STR},
                },
                "clusters": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name"],
                        "properties": {"name": STR, "datastore_regex": STR, "proxy": HOSTNAME},
                    },
                },
            },
        },
    },
}


def check(model):
    f = model.findings
    vcs = index_by_name(model.data.get("vcenters"), ("vcenters",), f, "vCenter")
    for pos, vc in vcs.values():
        index_by_name(vc["clusters"], ("vcenters", pos, "clusters"), f, "cluster")
        for cpos, cluster in enumerate(vc["clusters"]):
            if "proxy" in cluster:
                ref(f, ("vcenters", pos, "clusters", cpos, "proxy"), cluster["proxy"], model.servers, "server",
                    "servers")
    if model.has_resource("compute_esx") and not vcs:
        f.error(("control_plane", "resources"), "the model has ESX compute proxies but no vCenter",
                "describe the vCenter and its clusters under 'vcenters'.")
    # An ESX cloud routes centrally: DVR needs KVM compute nodes.
    features = model.data.get("features") or {}
    if features.get("dvr") and not model.has_resource("compute_kvm"):
        f.error(("features", "dvr"), "DVR is available for KVM compute only, and this cloud has none",
                "set features.dvr: false for an ESX cloud.")


def contribute(model, plan):
    add_cloud_var(plan, "vcenters", model.data.get("vcenters") or [])
