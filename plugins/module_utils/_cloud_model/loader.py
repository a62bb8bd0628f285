# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reads a cloud model directory into plain data, remembering where each key stands.

This module util is PRIVATE to the collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import traceback

try:
    import yaml
except ImportError:  # PyYAML comes with ansible-core; a bare module runtime may lack it
    HAS_YAML = False
    YAML_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_YAML = True
    YAML_IMPORT_ERROR = None

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.errors import (
    Finding,
    Findings,
    did_you_mean,
)
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.sections import SCHEMA

_Loader = None
if HAS_YAML:
    # The C loader when PyYAML was built with libyaml: about ten times faster.
    _Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Files in a model directory that are not part of the model itself.
RESERVED_FILES = ("inventory.yml", "inventory.yaml", "allocations.yml")
ALLOCATIONS_FILE = "allocations.yml"


def _record(node, path, file, positions):
    """Walk a composed YAML node and note the line of every key and item."""
    positions[path] = (file, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            child = path + (key,)
            positions[child] = (file, key_node.start_mark.line + 1)
            _record_children(value_node, child, file, positions)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record(item, path + (index,), file, positions)


def _record_children(node, path, file, positions):
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        line = positions[path]
        _record(node, path, file, positions)
        positions[path] = line  # keep the key's own line for the key path


def load_yaml_file(path, display_name, findings, positions, root=()):
    """Load one YAML file; record positions; report syntax errors as findings."""
    try:
        with open(path, "rb") as handle:
            loader = _Loader(handle)
            try:
                node = loader.get_single_node()
                data = loader.construct_document(node) if node is not None else None
            finally:
                loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        findings.items.append(_syntax_finding(display_name, line, exc))
        return None
    except yaml.YAMLError as exc:
        findings.items.append(_syntax_finding(display_name, None, exc))
        return None
    except (IOError, OSError) as exc:
        findings.error(root, "cannot read %s: %s" % (display_name, exc), "check the path and its permissions.")
        return None
    if node is not None:
        _record(node, root, display_name, positions)
    return data


def _syntax_finding(file, line, exc):
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return Finding("error", file, line, (), "YAML syntax error: %s" % problem,
                   "correct the YAML syntax at that line (indentation, a missing ':' or quote).")


def model_files(model_dir):
    """The model's YAML files, sorted, without the reserved ones."""
    names = []
    for name in sorted(os.listdir(model_dir)):
        if not name.endswith((".yml", ".yaml")) or name.startswith("."):
            continue
        if name in RESERVED_FILES:
            continue
        if os.path.isfile(os.path.join(model_dir, name)):
            names.append(name)
    return names


def load_model_dir(model_dir, display_root=None):
    """Merge the top-level keys of every model file in model_dir.

    Returns (data, positions, findings). Each top-level key must come from one file.
    """
    display_root = display_root if display_root is not None else model_dir
    findings = Findings(default_file=display_root)
    positions = {}
    data = {}
    origin = {}
    if not os.path.isdir(model_dir):
        findings.error((), "the model directory %s does not exist" % model_dir,
                       "set 'model' to the directory that holds the cloud's YAML files.")
        return data, positions, findings
    files = model_files(model_dir)
    if not files:
        findings.error((), "no model files (*.yml) in %s" % model_dir,
                       "put cloud.yml, networks.yml, servers.yml ... in that directory (see docs/cloud-model.md).")
    known = sorted(SCHEMA["properties"])
    for name in files:
        display = os.path.join(display_root, name)
        file_positions = {}
        content = load_yaml_file(os.path.join(model_dir, name), display, findings, file_positions)
        if content is None:
            continue
        if not isinstance(content, dict):
            findings.items.append(_finding(display, 1, (), "a model file must be a mapping of top-level keys, not %s"
                                           % type(content).__name__, "start the file with keys such as 'servers:'."))
            continue
        for key, value in content.items():
            key_pos = file_positions.get((key,), (display, None))
            if key not in SCHEMA["properties"]:
                findings.items.append(_finding(key_pos[0], key_pos[1], (key,), "unknown top-level key '%s'%s"
                                               % (key, did_you_mean(key, known)),
                                               "use one of: %s." % ", ".join(known)))
                continue
            if key in data:
                findings.items.append(_finding(key_pos[0], key_pos[1], (key,), "'%s' is defined again (first in %s)"
                                               % (key, origin[key]), "keep each top-level key in one file."))
                continue
            data[key] = value
            origin[key] = display
            for path, pos in file_positions.items():
                if path and path[0] == key:
                    positions[path] = pos
    findings.positions = positions
    return data, positions, findings


def load_allocations(model_dir, findings, display_root=None):
    """Read the persisted address allocations (allocations.yml) if the model has them."""
    path = os.path.join(model_dir, ALLOCATIONS_FILE)
    if not os.path.exists(path):
        return {}
    display = os.path.join(display_root if display_root is not None else model_dir, ALLOCATIONS_FILE)
    positions = {}
    data = load_yaml_file(path, display, findings, positions)
    for key, pos in positions.items():
        findings.positions.setdefault(key, pos)
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("allocations", {}), dict):
        findings.error(("allocations",), "allocations.yml must hold 'allocations: {network: {server: address}}'",
                       "regenerate it with the helion.openstack.network_plan playbook.")
        return {}
    return data.get("allocations") or {}


def _finding(file, line, path, message, fix):
    return Finding("error", file, line, path, message, fix)
