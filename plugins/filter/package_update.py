# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: apt_simulation
short_description: What a simulated apt-get dist-upgrade would upgrade, install and remove
version_added: 0.2.0
description:
  - Reads the C(Inst) and C(Remv) lines of C(apt-get --simulate dist-upgrade) and returns the packages it would
    upgrade, newly install and remove, each with its installed and candidate versions.
options:
  _input:
    description: The output of C(apt-get --simulate dist-upgrade).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Plan the update
  ansible.builtin.set_fact:
    _package_update_plan: "{{ _package_update_simulation.stdout | helion.openstack.apt_simulation }}"
"""

RETURN = r"""
_value:
  description: C(upgrades), C(installs) and C(removals), each a list of C(name), C(installed) and C(candidate).
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.helion.openstack.plugins.module_utils import _package_update


def apt_simulation(text):
    return _package_update.parse_apt_simulation(text)


def restart_units(changed, unit_paths, dpkg_search, dpkg_graph, exclude=()):
    """The running units that depend on a changed package (see the role helion.openstack.package_update)."""
    try:
        return _package_update.units_to_restart(
            changed, _package_update.unit_packages(unit_paths, dpkg_search),
            _package_update.parse_dpkg_graph(dpkg_graph), exclude)
    except _package_update.PackageUpdateError as exc:
        raise AnsibleFilterError("restart_units: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"apt_simulation": apt_simulation, "restart_units": restart_units}
