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

# Tenant networks are Geneve overlays (OVN's encapsulation): over IPv4 with OVN's 38 bytes of
# options it adds 58 bytes to each tenant frame. Tenant networks have this MTU unless
# cloud.tenant_mtu says otherwise.
TUNNEL_OVERHEAD = 58
DEFAULT_TENANT_MTU = 1442

# What each service needs from the host's networks. Each need is a tuple of network
# purposes: the first purpose the model defines a network for is the one the host must have
# (so the Geneve tunnels ride the SDN network when the model has one, else management).
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
    "placement": [_MGMT],
    "nova_api": [_MGMT],
    "neutron_server": [_MGMT],
    # OVN: the northbound and southbound databases (RAFT clusters) and ovn-northd.
    "ovn_central": [_MGMT],
    # A gateway chassis: routers' centralized SNAT and external ports are scheduled here.
    "ovn_gateway": [_VXLAN, ("external",)],
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
    # ovn-controller and the OVN metadata agent of a compute node.
    "ovn_controller": [_MGMT, _VXLAN],
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

# Services that carry tenant traffic in Geneve tunnels: the tunnel network's MTU must leave room for it.
VXLAN_SERVICES = ("nova_compute_kvm", "ovn_controller", "ovn_gateway")

# With DVR (OVN's distributed floating IPs), each compute node answers for its instances' floating IPs on
# the external network itself.
DVR_EXTRA_NEEDS = {"ovn_controller": [("external",)]}

# Services of ML2/OVS that Neutron 2025.1 on OVN replaces: a model naming one gets this advice.
RETIRED_SERVICES = {
    "neutron_ovs_agent": "use 'ovn_controller' (ovn-controller and the OVN metadata agent) on the compute nodes",
    "neutron_l3_agent": "use 'ovn_gateway' on the nodes that route to the external network (OVN's gateway chassis)",
    "neutron_dhcp_agent": "remove it: OVN answers DHCP itself on each compute node",
    "neutron_linuxbridge_agent": "use 'ovn_controller': the Linux bridge agent is gone from Neutron 2025.1",
}
