# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""keystone_register_todo: what a service's Keystone declaration asks for that Keystone lacks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.helion.openstack.plugins.filter.keystone import keystone_register_todo

URL = "http://cloud.example:9292"
DECLARED = {
    "projects": [{"name": "service", "description": "Service users"}],
    "roles": ["service"],
    "services": [{"name": "glance", "type": "image", "description": "Images",
                  "endpoints": [{"interface": "public", "url": URL}, {"interface": "internal", "url": URL}]}],
    "users": [{"name": "glance", "password": "s3cret",
               "roles": [{"role": "admin"}, {"role": "service", "project": "service"}]}],
}
HELD = {
    "projects": [{"name": "service", "description": "Service users"}],
    "roles": ["admin", "member", "service"],
    "services": [{"id": "s1", "name": "glance", "type": "image", "description": "Images"}],
    "endpoints": [{"service_id": "s1", "interface": "public", "region": "RegionOne", "url": URL},
                  {"service_id": "s1", "interface": "internal", "region": "RegionOne", "url": URL}],
    "users": [{"name": "glance", "default_project": "service"}],
    "assignments": [{"user": "glance", "role": "admin", "project": "service"},
                    {"user": "glance", "role": "service", "project": "service"}],
}
NOTHING = {"projects": [], "roles": [], "services": [], "endpoints": [], "users": [], "assignments": []}


def held(change):
    state = copy.deepcopy(HELD)
    change(state)
    return state


def test_a_keystone_that_holds_everything_needs_nothing():
    assert keystone_register_todo(DECLARED, HELD, "RegionOne", "service") == NOTHING


def test_an_empty_keystone_needs_everything():
    todo = keystone_register_todo(DECLARED, {}, "RegionOne", "service")
    assert todo["projects"] == DECLARED["projects"]
    assert todo["roles"] == ["service"]
    assert todo["services"] == DECLARED["services"]
    assert todo["endpoints"] == [{"service": "glance", "interface": "public", "url": URL},
                                 {"service": "glance", "interface": "internal", "url": URL}]
    assert todo["users"] == DECLARED["users"]
    assert todo["assignments"] == [{"user": "glance", "role": "admin", "project": "service"},
                                   {"user": "glance", "role": "service", "project": "service"}]


@pytest.mark.parametrize("change, kind, expected", [
    # a project's description changed
    (lambda s: s["projects"][0].update(description="old"), "projects", DECLARED["projects"]),
    (lambda s: s["roles"].remove("service"), "roles", ["service"]),
    (lambda s: s["services"][0].update(description="Glance"), "services", DECLARED["services"]),
    # an endpoint with another URL, in another region, or missing
    (lambda s: s["endpoints"][0].update(url="http://old:9292"), "endpoints",
     [{"service": "glance", "interface": "public", "url": URL}]),
    (lambda s: s["endpoints"][1].update(region="RegionTwo"), "endpoints",
     [{"service": "glance", "interface": "internal", "url": URL}]),
    (lambda s: s["endpoints"].pop(), "endpoints", [{"service": "glance", "interface": "internal", "url": URL}]),
    (lambda s: s["users"][0].update(default_project="admin"), "users", DECLARED["users"]),
    (lambda s: s["users"].clear(), "users", DECLARED["users"]),
    (lambda s: s["assignments"].pop(0), "assignments", [{"user": "glance", "role": "admin", "project": "service"}]),
])
def test_what_differs_is_returned_and_only_that(change, kind, expected):
    todo = keystone_register_todo(DECLARED, held(change), "RegionOne", "service")
    assert todo[kind] == expected
    assert all(not v for k, v in todo.items() if k != kind), todo


def test_a_service_of_another_type_is_another_service_with_its_own_endpoints():
    todo = keystone_register_todo(DECLARED, held(lambda s: s["services"][0].update(type="image-v1")),
                                  "RegionOne", "service")
    assert todo["services"] == DECLARED["services"]
    assert [e["interface"] for e in todo["endpoints"]] == ["public", "internal"]


def test_the_service_project_is_the_default_project_of_users_and_grants():
    declared = {"users": [{"name": "nova", "roles": [{"role": "admin"}]}]}
    state = {"users": [{"name": "nova", "default_project": "services"}],
             "assignments": [{"user": "nova", "role": "admin", "project": "services"}]}
    assert keystone_register_todo(declared, state, "RegionOne", "services") == NOTHING
    todo = keystone_register_todo(declared, state, "RegionOne", "service")
    assert todo["users"] == declared["users"]
    assert todo["assignments"] == [{"user": "nova", "role": "admin", "project": "service"}]


def test_a_declaration_without_descriptions_does_not_compare_them():
    declared = {"projects": [{"name": "service"}],
                "services": [{"name": "glance", "type": "image", "endpoints": []}]}
    assert keystone_register_todo(declared, HELD, "RegionOne", "service") == NOTHING
