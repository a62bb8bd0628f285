# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: swift_recon_md5
short_description: Read the checksum comparisons of C(swift-recon --md5)
version_added: 0.2.0
description:
  - Returns one entry per check that C(swift-recon --md5) ran (the rings, then swift.conf), each with C(check),
    C(matched), C(total), C(errors) (nodes that did not answer) and C(mismatched) (nodes holding another file).
options:
  _input:
    description: The standard output of C(swift-recon --md5).
    type: str
    required: true
author:
  - helion.openstack contributors (@helion-openstack)
"""

EXAMPLES = r"""
- name: Fail when a node holds another ring
  ansible.builtin.assert:
    that: recon.stdout | helion.openstack.swift_recon_md5 | selectattr('mismatched', 'gt', 0) | list | length == 0
"""

RETURN = r"""
_value:
  description: The checks, in the order swift-recon ran them.
  type: list
  elements: dict
"""

import re

from ansible.errors import AnsibleFilterError

_CHECK = re.compile(r"Checking (.+?)\s*$")
_SUMMARY = re.compile(r"^(\d+)/(\d+) hosts matched, (\d+) error")


def swift_recon_md5(stdout):
    checks = []
    current = None
    for line in str(stdout or "").splitlines():
        found = _CHECK.search(line)
        if found:
            current = found.group(1)
            continue
        summary = _SUMMARY.match(line.strip())
        if summary:
            matched, total, errors = (int(g) for g in summary.groups())
            checks.append({"check": current or "md5", "matched": matched, "total": total, "errors": errors,
                           "mismatched": max(total - matched - errors, 0)})
    if not checks:
        raise AnsibleFilterError("swift_recon_md5: no 'N/M hosts matched' line in the swift-recon output: %r"
                                 % str(stdout)[-400:])
    return checks


class FilterModule(object):
    def filters(self):
        return {"swift_recon_md5": swift_recon_md5}
