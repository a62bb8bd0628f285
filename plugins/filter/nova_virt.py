# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: nova_virt_type
short_description: The libvirt virt_type of a compute node, kvm or qemu
version_added: 0.3.0
description:
  - Returns the requested type when it is C(kvm) or C(qemu) (the operator's choice wins).
  - For C(auto), returns C(kvm) only when the CPU has hardware virtualization (the C(vmx) or C(svm) flag), C(/dev/kvm)
    exists and a bounded probe of the node (C(virt-host-validate qemu)) found hardware virtualization usable;
    otherwise C(qemu) (software emulation, slow but always works).
options:
  _input:
    description: The requested type, C(auto), C(kvm) or C(qemu) (C(nova_virt_type)).
    type: str
    required: true
  cpu_flags:
    description:
      - The CPU flags, a list or a string; a C(flags  :) line of C(/proc/cpuinfo) is accepted as it is.
    type: raw
    default: []
  dev_kvm_exists:
    description: Whether C(/dev/kvm) exists on the node.
    type: bool
    default: false
  probe_ok:
    description: Whether the probe found hardware virtualization usable.
    type: bool
    default: false
author:
  - helion.openstack contributors (@helion-openstack)
"""

EXAMPLES = r"""
- name: Write the libvirt virt_type the node can run
  ansible.builtin.template:
    src: nova.conf.j2
    dest: /etc/nova/nova.conf
  vars:
    _nova_virt_type: >-
      {{ nova_virt_type | helion.openstack.nova_virt_type(cpuinfo.stdout, dev_kvm.stat.exists,
         probe.stdout is search('hardware virtualization *: PASS')) }}
"""

RETURN = r"""
_value:
  description: C(kvm) or C(qemu).
  type: str
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

REQUESTS = ("auto", "kvm", "qemu")
HARDWARE_FLAGS = frozenset(("vmx", "svm"))


def _flags(cpu_flags):
    if cpu_flags is None:
        return set()
    if isinstance(cpu_flags, (list, tuple, set, frozenset)):
        return set(str(flag).strip().lower() for flag in cpu_flags)
    if isinstance(cpu_flags, str):
        flags = set()
        for line in cpu_flags.splitlines():
            # "flags\t\t: fpu vme ..." as /proc/cpuinfo prints it, or the flags alone.
            words = line.split(":", 1)[1] if ":" in line else line
            flags.update(word.lower() for word in words.split())
        return flags
    raise AnsibleFilterError("nova_virt_type: cpu_flags must be a list or a string, got %s" % type(cpu_flags).__name__)


def _bool(name, value):
    try:
        return boolean(value, strict=True)
    except TypeError as exc:
        raise AnsibleFilterError("nova_virt_type: %s must be a boolean: %s" % (name, exc))


def nova_virt_type(requested, cpu_flags=None, dev_kvm_exists=False, probe_ok=False):
    if not isinstance(requested, str) or requested not in REQUESTS:
        raise AnsibleFilterError("nova_virt_type: the requested type must be one of %s, got %r"
                                 % (", ".join(REQUESTS), requested))
    if requested != "auto":
        return requested
    hardware = bool(_flags(cpu_flags) & HARDWARE_FLAGS)
    if hardware and _bool("dev_kvm_exists", dev_kvm_exists) and _bool("probe_ok", probe_ok):
        return "kvm"
    return "qemu"


class FilterModule(object):
    def filters(self):
        return {"nova_virt_type": nova_virt_type}
