# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validates a cloud model and plans it: the entry point of the cloud model package.

This module util is PRIVATE to the collection. It is plain Python: data in, data out.
Every check runs in one pass and adds a finding; CloudModelError carries them all.
The inventory plugin, the cloud_model_info module and the tests share this one core:

    plan, warnings = load_and_plan(model_dir)

The steps: load the files (loader), check them against the schema (schema), index and check
every section (sections), allocate the addresses (allocation), build the plan (build).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model import allocation, build, schema, sections
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.errors import CloudModelError, Findings
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.loader import (
    load_allocations,
    load_model_dir,
)
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.model import Model


def _run(step, model):
    """Run one step (index, check) of every section that takes part in it, in section order."""
    for section in sections.SECTIONS:
        hook = getattr(section, step, None)
        if hook is not None:
            hook(model)


def _plan(data, findings, allocations):
    if not schema.check(sections.SCHEMA, data, (), findings):
        return None
    model = Model(data, findings, allocations)
    _run("index", model)
    _run("check", model)
    if findings.errors:
        return None
    allocation.allocate(model, sections.SECTIONS)
    if findings.errors:
        return None
    return build.build_plan(model, sections.SECTIONS)


def plan_model(data, allocations=None, positions=None, default_file=None, findings=None):
    """Validate and plan model data. Returns (plan, warnings); raises CloudModelError."""
    findings = findings or Findings(positions, default_file)
    plan = _plan(data, findings, allocations)
    findings.raise_if_errors()
    return plan, findings.warnings


def load_and_plan(model_dir, display_root=None):
    """Load the model directory, validate it and plan it. Returns (plan, warnings)."""
    model_dir = os.path.abspath(model_dir) if display_root is None else model_dir
    data, _positions, findings = load_model_dir(model_dir, display_root)
    allocations = load_allocations(model_dir, findings, display_root)
    if findings.errors:
        raise CloudModelError(findings.items)
    return plan_model(data, allocations, findings=findings)
