# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each role's defaults/main.yml and meta/argument_specs.yml describe the same variables.

As prometheus-community's lint_arguments_spec.sh does in its CI: a public default with no spec, a spec
with no default (unless required or documented as computed), or a spec default that differs from the
literal default, is drift.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ROLES = os.path.join(ROOT, "roles")
ACTIONS = ["deploy", "reconfigure", "upgrade", "stop", "check", "recover"]
# Roles whose verbs are their own (onboarding, ring building, rendering, a rolling update's one step); their
# action may default to helion_action only where the verbs meet.
OWN_VERBS = {"esx_onboard", "swift_rings", "cinder_backends", "package_update"}
# Actions a role adds to the shared vocabulary (set by their own playbooks, never by helion_action).
EXTRA_ACTIONS = {"galera": ["backup", "restore"]}


def role_names():
    return sorted(d for d in os.listdir(ROLES) if os.path.isdir(os.path.join(ROLES, d, "tasks")))


def load(role, *path):
    full = os.path.join(ROLES, role, *path)
    if not os.path.exists(full):
        return None
    with open(full) as f:
        return yaml.safe_load(f)


def spec_options(role):
    specs = (load(role, "meta", "argument_specs.yml") or {}).get("argument_specs") or {}
    options = {}
    for entry in specs.values():
        options.update(entry.get("options") or {})
    return options


def is_template(value):
    """A value Ansible computes: a template string, or a list or dict holding one."""
    if isinstance(value, str):
        return "{{" in value
    if isinstance(value, dict):
        return any(is_template(v) for v in value.values())
    if isinstance(value, list):
        return any(is_template(v) for v in value)
    return False


@pytest.mark.parametrize("role", role_names())
def test_every_role_has_an_argument_spec(role):
    assert load(role, "meta", "argument_specs.yml"), "roles/%s/meta/argument_specs.yml is missing" % role


@pytest.mark.parametrize("role", role_names())
def test_defaults_and_argument_specs_agree(role):
    defaults = load(role, "defaults", "main.yml") or {}
    options = spec_options(role)
    public = {k: v for k, v in defaults.items() if not k.startswith("_")}
    undocumented = sorted(set(public) - set(options))
    assert not undocumented, "roles/%s: defaults without an argument spec: %s" % (role, undocumented)
    for name, spec in options.items():
        assert name.startswith(role + "_") or name.startswith("_"), \
            "roles/%s: %s is not prefixed with the role's name" % (role, name)
        if name not in public:
            assert spec.get("required"), \
                "roles/%s: %s has an argument spec but no default and is not required" % (role, name)
            continue
        value = public[name]
        if "default" in spec:
            assert not is_template(value), \
                "roles/%s: %s is computed (%r): its spec must not state a default" % (role, name, value)
            assert spec["default"] == value, \
                "roles/%s: %s defaults to %r but its spec says %r" % (role, name, value, spec["default"])
        elif not is_template(value) and value not in (None, "", [], {}):
            pytest.fail("roles/%s: %s defaults to %r but its spec states no default" % (role, name, value))


@pytest.mark.parametrize("role", [r for r in role_names() if r not in OWN_VERBS | {"common"}])
def test_the_action_follows_helion_action(role):
    defaults = load(role, "defaults", "main.yml")
    assert defaults[role + "_action"] == "{{ helion_action | default('deploy') }}"
    spec = spec_options(role)[role + "_action"]
    actions = ACTIONS + EXTRA_ACTIONS.get(role, [])
    assert spec.get("choices") == actions, "roles/%s: %s_action choices" % (role, role)
    for action in actions:
        assert os.path.exists(os.path.join(ROLES, role, "tasks", action + ".yml")), \
            "roles/%s has no tasks/%s.yml" % (role, action)
