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


class FilterModule(object):
    def filters(self):
        return {"catalog_urls": catalog_urls}
