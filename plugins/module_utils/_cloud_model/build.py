# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Puts the plan together from the sections' contributions.

This module util is PRIVATE to the collection. Plain Python: data in, data out.

The plan is a dict. Besides what the sections add, it always has:

hosts       {server: {variable: value}}, the host variables, servers in model order
groups      {group: [servers]}, the inventory groups (every group of BASE_GROUPS, even empty)
cloud_vars  {variable: value}, the cloud-wide variables (group 'all'): helion_<key> for each
            key a section adds with add_cloud_var(), the same object as plan[key]
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.services import BASE_GROUPS

CLOUD_VAR_PREFIX = "helion_"


def add_cloud_var(plan, key, value):
    """Add a cloud-wide part of the plan: plan[key], and the inventory variable helion_<key>."""
    plan[key] = value
    plan["cloud_vars"][CLOUD_VAR_PREFIX + key] = value


def add_to_group(plan, group, name):
    plan["groups"].setdefault(group, []).append(name)


def build_plan(model, sections):
    """The plan of a checked model whose addresses are allocated."""
    plan = {
        "cloud_vars": {},
        "hosts": dict((name, {}) for name in model.order),
        "groups": dict((group, []) for group in BASE_GROUPS),
    }
    for section in sections:
        contribute = getattr(section, "contribute", None)
        if contribute is not None:
            contribute(model, plan)
    return plan
