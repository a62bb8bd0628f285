# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sections of the cloud model, in the order the planner runs them.

This module util is PRIVATE to the collection. Each section is a module of this package that
owns top-level keys of the model. It defines:

SCHEMA                   {top-level key: JSON Schema} of the keys it owns
REQUIRED                 (optional) the keys of SCHEMA every model must have

and, each optional, the steps it takes part in (model is a model.Model):

index(model)             name indexes of its lists on the model; reports duplicate names
check(model)             its checks, into model.findings; what it learns, on the model
vip_requests(model)      the VIPs it needs: (network, key, address or None, key path, label)
contribute(model, plan)  its part of the plan: build.add_cloud_var() for a cloud-wide value
                         (inventory variable helion_<key>), plan["hosts"][server][variable]
                         for host variables, build.add_to_group() for inventory groups

Each step runs for every section, in SECTIONS order, before the next step starts: all
indexes, then all checks, then (when nothing is wrong) the allocation and the plan. A
section's contribute() may read what the sections before it put in the plan.

To add a section: write its module here and add it to SECTIONS. The JSON Schema below
(SCHEMA) then includes it; regenerate docs/cloud-model.schema.json (see docs/cloud-model.md).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.schema import model_schema
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.sections import (
    cloud,
    control_plane,
    disk_models,
    interface_models,
    networks,
    server_roles,
    servers,
    storage,
    swift,
    vcenters,
)

SECTIONS = (
    cloud,
    networks,
    interface_models,
    disk_models,
    server_roles,
    servers,
    control_plane,
    storage,
    vcenters,
    swift,
)

# The JSON Schema of the whole model (docs/cloud-model.schema.json is this, written out).
SCHEMA = model_schema(SECTIONS)
