# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The nova role's decision on a compute node's libvirt virt_type: kvm only when hardware virtualization works."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.helion.openstack.plugins.filter.nova_virt import nova_virt_type

# Trimmed from /proc/cpuinfo.
INTEL = "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr vmx smx est tm2 ssse3 sse4_1 sse4_2 x2apic"
AMD = "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr svm extapic cr8_legacy abm sse4a"
NONE = "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov hypervisor"


@pytest.mark.parametrize("requested, flags, dev_kvm, probe, expected", [
    # auto: every condition met on Intel and on AMD
    ("auto", INTEL, True, True, "kvm"),
    ("auto", AMD, True, True, "kvm"),
    # auto: the flags as a list (or in upper case)
    ("auto", ["fpu", "VMX"], True, True, "kvm"),
    # auto: the flags alone, without the "flags :" prefix
    ("auto", "fpu vme svm", True, True, "kvm"),
    # auto: any one missing gives qemu
    ("auto", NONE, True, True, "qemu"),
    ("auto", INTEL, False, True, "qemu"),
    ("auto", INTEL, True, False, "qemu"),
    ("auto", "", False, False, "qemu"),
    ("auto", None, True, True, "qemu"),
    ("auto", [], True, True, "qemu"),
    # auto: booleans as Ansible may pass them
    ("auto", INTEL, "true", "yes", "kvm"),
    ("auto", INTEL, "false", "yes", "qemu"),
    # a flag that only contains "vmx" is not the flag
    ("auto", "fpu vmx_ept_ad", True, True, "qemu"),
    # an explicit choice wins, whatever the node has
    ("kvm", NONE, False, False, "kvm"),
    ("qemu", INTEL, True, True, "qemu"),
])
def test_nova_virt_type(requested, flags, dev_kvm, probe, expected):
    assert nova_virt_type(requested, flags, dev_kvm, probe) == expected


def test_nova_virt_type_defaults_to_qemu_without_evidence():
    assert nova_virt_type("auto") == "qemu"


@pytest.mark.parametrize("requested", ["KVM", "xen", "", None, "lxc", ["kvm"]])
def test_nova_virt_type_rejects_unknown_requests(requested):
    with pytest.raises(AnsibleFilterError, match="nova_virt_type: the requested type"):
        nova_virt_type(requested, INTEL, True, True)


@pytest.mark.parametrize("flags, dev_kvm, probe, message", [
    ({"vmx": True}, True, True, "cpu_flags must be a list or a string"),
    (INTEL, "maybe", True, "dev_kvm_exists must be a boolean"),
    (INTEL, True, "perhaps", "probe_ok must be a boolean"),
])
def test_nova_virt_type_rejects_unreadable_evidence(flags, dev_kvm, probe, message):
    with pytest.raises(AnsibleFilterError, match=message):
        nova_virt_type("auto", flags, dev_kvm, probe)
