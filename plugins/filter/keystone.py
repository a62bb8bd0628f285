# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: catalog_urls
short_description: The endpoint URLs of one service type in a Keystone token's catalog
version_added: 0.2.0
description:
  - Reads the catalog of a Keystone v3 token (C(token.catalog)) and returns the sorted URLs of the
    endpoints of one service type, so that a role can compare them with the URLs it wants.
options:
  _input:
    description: The catalog (a list of services, each with C(type) and C(endpoints)).
    type: list
    elements: dict
    required: true
  service_type:
    description: The service type, for example C(identity).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Bootstrap when the identity endpoints are not the wanted ones
  ansible.builtin.command: keystone-manage bootstrap
  when: >-
    (_login.json.token.catalog | helion.openstack.catalog_urls('identity'))
    != ([keystone_admin_url, keystone_internal_url, keystone_public_url] | sort)
"""

RETURN = r"""
_value:
  description: The URLs, sorted; empty when the catalog has no such service.
  type: list
  elements: str
"""


def catalog_urls(catalog, service_type):
    urls = []
    for service in catalog or []:
        if service.get("type") == service_type:
            urls.extend(ep.get("url") for ep in service.get("endpoints") or [] if ep.get("url"))
    return sorted(urls)


def _named(items):
    return dict((item.get("name"), item) for item in items or [])


def keystone_register_todo(declared, state, region, service_project):
    """What a keystone_register declaration asks for that Keystone does not hold yet, kind by kind.

    state is what the keystone role's keystone_state.py read (names and ids); the result has the same shape
    as the declaration's lists, so that register.yml loops over it instead of the whole declaration."""
    declared = declared or {}
    state = state or {}
    projects = _named(state.get("projects"))
    roles = set(state.get("roles") or [])
    services = state.get("services") or []
    users = _named(state.get("users"))
    assignments = set((a.get("user"), a.get("role"), a.get("project")) for a in state.get("assignments") or [])
    endpoints = set((e.get("service_id"), e.get("interface"), e.get("region"), e.get("url"))
                    for e in state.get("endpoints") or [])

    def service_ids(wanted):
        return [s.get("id") for s in services
                if s.get("name") == wanted.get("name") and s.get("type") == wanted.get("type")]

    todo = {"projects": [], "roles": [], "services": [], "endpoints": [], "users": [], "assignments": []}
    for project in declared.get("projects") or []:
        have = projects.get(project["name"])
        if have is None or ("description" in project and have.get("description") != project["description"]):
            todo["projects"].append(project)
    todo["roles"] = [role for role in declared.get("roles") or [] if role not in roles]
    for service in declared.get("services") or []:
        ids = service_ids(service)
        descriptions = [s.get("description") for s in services if s.get("id") in ids]
        if not ids or ("description" in service and service["description"] not in descriptions):
            todo["services"].append(service)
        for endpoint in service.get("endpoints") or []:
            if not any((sid, endpoint["interface"], region, endpoint["url"]) in endpoints for sid in ids):
                todo["endpoints"].append({"service": service["name"], "interface": endpoint["interface"],
                                          "url": endpoint["url"]})
    for user in declared.get("users") or []:
        have = users.get(user["name"])
        project = user.get("project") or service_project
        if have is None or have.get("default_project") != project:
            todo["users"].append(user)
        for grant in user.get("roles") or []:
            key = (user["name"], grant["role"], grant.get("project") or service_project)
            if key not in assignments:
                todo["assignments"].append({"user": key[0], "role": key[1], "project": key[2]})
    return todo


class FilterModule(object):
    def filters(self):
        return {"catalog_urls": catalog_urls, "keystone_register_todo": keystone_register_todo}
