# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The services a cloud model can place, what each needs from its host's networks, and the groups.

This module util is PRIVATE to the collection. A new OpenStack service role adds one row to
SERVICE_NEEDS: the name is then accepted in control_plane (controllers, resources, undercloud),
becomes an inventory group of the servers that run it, and the planner checks that their
interface model carries the networks the service needs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Resource groups of the control plane: each is also an inventory group.
RESOURCE_TYPES = ["compute_kvm", "compute_esx", "ovsvapp", "swift_proxy", "swift_object", "vsa"]

# The groups every inventory has, even when empty.
BASE_GROUPS = ("seed", "undercloud", "controllers") + tuple(RESOURCE_TYPES)

# VxLAN over IPv4 adds 50 bytes to each tenant frame; tenant networks have this MTU unless
# cloud.tenant_mtu says otherwise.
VXLAN_OVERHEAD = 50
DEFAULT_TENANT_MTU = 1450

# What each service needs from the host's networks. Each need is a tuple of network
# purposes: the first purpose the model defines a network for is the one the host must have
# (so VxLAN rides the SDN network when the model has one, else management).
_MGMT = ("management",)
_VXLAN = ("sdn", "management")
_UNDERCLOUD = ("undercloud_management", "management")
VXLAN_PURPOSES = _VXLAN
SERVICE_NEEDS = {
    "haproxy": [_MGMT, ("external",)],
    "keepalived": [_MGMT],
    "mariadb": [_MGMT],
    "rabbitmq": [_MGMT],
    "memcached": [_MGMT],
    "keystone": [_MGMT],
    "glance": [_MGMT],
    "nova_api": [_MGMT],
    "neutron_server": [_MGMT],
    "neutron_l3_agent": [_VXLAN, ("external",)],
    "neutron_dhcp_agent": [_VXLAN],
    "cinder_api": [_MGMT],
    "cinder_volume": [_MGMT, ("storage", "management")],
    "heat": [_MGMT],
    "horizon": [_MGMT],
    "designate": [_MGMT],
    "ceilometer": [_MGMT],
    "swift_proxy": [_MGMT, ("swift", "management")],
    "swift_account": [("swift", "management")],
    "swift_container": [("swift", "management")],
    "swift_object": [("swift", "management")],
    "nova_compute_kvm": [_MGMT, _VXLAN, ("storage", "management")],
    "neutron_ovs_agent": [_VXLAN],
    "nova_compute_esx": [_MGMT, ("esx",)],
    "neutron_ovsvapp_agent": [("esx",), ("esx_tenant",)],
    "storevirtual_vsa": [("storage", "management")],
    "ironic": [_UNDERCLOUD],
    "package_mirror": [_UNDERCLOUD],
    "centralized_logging": [_UNDERCLOUD],
    "monitoring": [_UNDERCLOUD],
    "eon": [_UNDERCLOUD],
    "sirius": [_UNDERCLOUD],
}

# Services that carry tenant traffic in VxLAN: the VxLAN network's MTU must leave room for it.
VXLAN_SERVICES = ("nova_compute_kvm", "neutron_ovs_agent", "neutron_l3_agent", "neutron_dhcp_agent")

# With DVR, each compute node routes its instances' traffic to the external network itself.
DVR_EXTRA_NEEDS = {"neutron_ovs_agent": [("external",)]}
