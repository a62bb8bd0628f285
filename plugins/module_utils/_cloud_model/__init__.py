# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cloud model: load, validate and plan a directory of YAML files.

This package is PRIVATE to the collection. The entry point is planner.load_and_plan().

planner.py      load_and_plan(), plan_model(): the steps below, in order
loader.py       reads the model files, remembering the file and line of every key
schema.py       shared schema pieces, the whole schema from the sections', the checker
errors.py       Finding, Findings and CloudModelError, the one exception
model.py        the model the sections share while it is checked and planned
services.py     SERVICE_NEEDS: each service and the networks it needs; the base groups
sections/       one module per section of the model (cloud, networks, interface models,
                disk models, server roles, servers, control plane, storage, vCenters,
                Swift), each with its schema, checks and part of the plan; SECTIONS lists them
allocation.py   the addresses of servers and VIPs
build.py        the plan from the sections' contributions
render.py       the plan as Markdown, Graphviz DOT and allocations.yml
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type
