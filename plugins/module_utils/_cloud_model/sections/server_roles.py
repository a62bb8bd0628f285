# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Section `server_roles`: a role is an interface model and a disk model, shared by its servers.

This module util is PRIVATE to the collection. Checks: each role names a known interface model
and disk model. The plan takes a server's models from its role (sections servers, interface
models, disk models).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.model import index_by_name, ref
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.schema import NAME

SCHEMA = {
    "server_roles": {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "interface_model", "disk_model"],
            "properties": {"name": NAME, "interface_model": NAME, "disk_model": NAME},
        },
    },
}
REQUIRED = ("server_roles",)


def index(model):
    model.roles = index_by_name(model.data["server_roles"], ("server_roles",), model.findings, "server role")


def check(model):
    for pos, role in model.roles.values():
        ref(model.findings, ("server_roles", pos, "interface_model"), role["interface_model"], model.imodels,
            "interface model", "interface_models")
        ref(model.findings, ("server_roles", pos, "disk_model"), role["disk_model"], model.dmodels,
            "disk model", "disk_models")
