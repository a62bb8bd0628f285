# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The systemd-networkd rendering of planned interfaces (tagged VLANs, bonds, bridges)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import configparser

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.helion.openstack.plugins.filter.networkd import (
    FilterModule,
    NetworkdError,
    network_device,
    networkd_files,
)

# A controller of the kvm-reference model: two ports bonded (LACP), tagged VLANs on the bond,
# one VLAN a port of an OVS bridge, and an untagged PXE port.
KVM_CONTROLLER = [
    {"name": "eth0", "type": "ethernet", "mtu": 1500, "addresses": ["10.20.0.11/24"], "networks": ["undercloud-mgmt"],
     "bond": None},
    {"name": "eth1", "type": "ethernet", "mtu": 9000, "addresses": [], "networks": [], "bond": "bond0"},
    {"name": "eth2", "type": "ethernet", "mtu": 9000, "addresses": [], "networks": [], "bond": "bond0"},
    {"name": "bond0", "type": "bond", "mtu": 9000, "addresses": [], "networks": [], "bond_mode": "802.3ad",
     "members": ["eth1", "eth2"], "vlans": ["bond0.100", "bond0.200"]},
    {"name": "bond0.100", "type": "vlan", "mtu": 9000, "addresses": ["10.100.0.11/22"], "gateway": "10.100.0.1",
     "networks": ["management"], "parent": "bond0", "vlan_id": 100},
    {"name": "bond0.200", "type": "vlan", "mtu": 1500, "addresses": [], "networks": [], "parent": "bond0",
     "vlan_id": 200, "bridge": "br-ex"},
    {"name": "br-ex", "type": "bridge", "mtu": 1500, "addresses": ["203.0.113.10/24"], "networks": ["external"],
     "bridge_type": "ovs", "ports": ["bond0.200"]},
]


def parse(text):
    cp = configparser.ConfigParser(strict=False, interpolation=None, comment_prefixes=("#",))
    cp.optionxform = str
    cp.read_string(text)
    return cp


def multi(text, section, key):
    """All values of a key that systemd allows to repeat (Address=, VLAN=)."""
    out, current = [], None
    for line in text.splitlines():
        if line.startswith("["):
            current = line.strip("[]")
        elif current == section and line.startswith(key + "="):
            out.append(line.split("=", 1)[1])
    return out


def test_kvm_controller_file_names():
    files = networkd_files(KVM_CONTROLLER)
    assert sorted(files) == sorted([
        "10-helion-eth0.network", "10-helion-eth1.network", "10-helion-eth2.network",
        "10-helion-bond0.netdev", "10-helion-bond0.network",
        "10-helion-bond0.100.netdev", "10-helion-bond0.100.network",
        "10-helion-bond0.200.netdev", "10-helion-bond0.200.network",
        "10-helion-br-ex.network",  # OVS creates the bridge: no .netdev
    ])


@pytest.mark.parametrize("fname, section, key, value", [
    ("10-helion-bond0.netdev", "NetDev", "Kind", "bond"),
    ("10-helion-bond0.netdev", "NetDev", "MTUBytes", "9000"),
    ("10-helion-bond0.netdev", "Bond", "Mode", "802.3ad"),
    ("10-helion-bond0.netdev", "Bond", "LACPTransmitRate", "fast"),
    ("10-helion-bond0.100.netdev", "NetDev", "Kind", "vlan"),
    ("10-helion-bond0.100.netdev", "VLAN", "Id", "100"),
    ("10-helion-bond0.200.netdev", "VLAN", "Id", "200"),
    ("10-helion-eth1.network", "Network", "Bond", "bond0"),
    ("10-helion-eth2.network", "Network", "Bond", "bond0"),
    ("10-helion-eth1.network", "Link", "MTUBytes", "9000"),
    ("10-helion-eth1.network", "Link", "RequiredForOnline", "no"),
    ("10-helion-bond0.100.network", "Network", "Address", "10.100.0.11/22"),
    ("10-helion-bond0.100.network", "Network", "Gateway", "10.100.0.1"),
    ("10-helion-eth0.network", "Network", "Address", "10.20.0.11/24"),
    ("10-helion-eth0.network", "Link", "MTUBytes", "1500"),
    ("10-helion-br-ex.network", "Network", "Address", "203.0.113.10/24"),
    ("10-helion-bond0.network", "Network", "ConfigureWithoutCarrier", "yes"),
])
def test_kvm_controller_values(fname, section, key, value):
    cp = parse(networkd_files(KVM_CONTROLLER)[fname])
    assert cp[section][key] == value


def test_vlans_are_attached_to_their_parent():
    text = networkd_files(KVM_CONTROLLER)["10-helion-bond0.network"]
    assert multi(text, "Network", "VLAN") == ["bond0.100", "bond0.200"]


def test_ovs_bridge_port_is_not_a_linux_bridge_port():
    text = networkd_files(KVM_CONTROLLER)["10-helion-bond0.200.network"]
    assert "Bridge=" not in text


def test_linux_bridge_gets_a_netdev_and_its_port_a_bridge_line():
    itfs = [
        {"name": "eth0", "type": "ethernet", "mtu": 1500, "addresses": [], "bridge": "br0"},
        {"name": "br0", "type": "bridge", "mtu": 1500, "addresses": ["192.0.2.5/24"], "bridge_type": "linux",
         "ports": ["eth0"]},
    ]
    files = networkd_files(itfs)
    assert parse(files["10-helion-br0.netdev"])["NetDev"]["Kind"] == "bridge"
    assert parse(files["10-helion-eth0.network"])["Network"]["Bridge"] == "br0"


def test_untagged_lab_controller():
    itfs = [
        {"name": "eth0", "type": "ethernet", "mtu": 1500, "addresses": ["172.30.1.11/24"], "gateway": "172.30.1.1",
         "networks": ["management"], "bond": None},
        {"name": "eth1", "type": "ethernet", "mtu": 1500, "addresses": ["172.30.2.10/24"], "networks": ["external"],
         "bond": None},
    ]
    files = networkd_files(itfs)
    assert sorted(files) == ["10-helion-eth0.network", "10-helion-eth1.network"]
    assert parse(files["10-helion-eth1.network"])["Network"]["Address"] == "172.30.2.10/24"
    assert "Gateway=" not in files["10-helion-eth1.network"]


def test_multiple_addresses_and_routes():
    itfs = [{"name": "eth0", "type": "ethernet", "mtu": 1500, "addresses": ["10.0.0.5/24", "10.0.1.5/24"],
             "routes": [{"to": "10.9.0.0/16", "via": "10.0.0.1"},
                        {"to": "10.8.0.0/16", "via": "10.0.1.1", "metric": 50}]}]
    text = networkd_files(itfs)["10-helion-eth0.network"]
    assert multi(text, "Network", "Address") == ["10.0.0.5/24", "10.0.1.5/24"]
    assert text.count("[Route]") == 2
    assert "Destination=10.8.0.0/16\nGateway=10.0.1.1\nMetric=50" in text


@pytest.mark.parametrize("mode, expected", [
    ("802.3ad", "802.3ad"), ("lacp", "802.3ad"), ("4", "802.3ad"), ("active-backup", "active-backup"),
    ("1", "active-backup"), ("balance-alb", "balance-alb"),
])
def test_bond_modes(mode, expected):
    itfs = [
        {"name": "eth1", "type": "ethernet", "mtu": 1500, "addresses": []},
        {"name": "bond0", "type": "bond", "mtu": 1500, "addresses": [], "members": ["eth1"], "bond_mode": mode},
    ]
    assert parse(networkd_files(itfs)["10-helion-bond0.netdev"])["Bond"]["Mode"] == expected


def test_prefix_is_used():
    files = networkd_files([{"name": "eth0", "type": "ethernet", "addresses": []}], prefix="50-x-")
    assert list(files) == ["50-x-eth0.network"]


@pytest.mark.parametrize("itfs, message", [
    ([{"name": "eth0", "type": "wifi"}], "eth0: unknown type"),
    ([{"type": "ethernet"}], "every interface needs a name"),
    ([{"name": "eth0", "type": "ethernet"}, {"name": "eth0", "type": "ethernet"}], "eth0: planned twice"),
    ([{"name": "v1", "type": "vlan", "parent": "eth9", "vlan_id": 5}], "v1: parent 'eth9'"),
    ([{"name": "eth0", "type": "ethernet"}, {"name": "v1", "type": "vlan", "parent": "eth0", "vlan_id": 5000}],
     "v1: vlan_id must be an integer from 1 to 4094"),
    ([{"name": "eth0", "type": "ethernet"}, {"name": "v1", "type": "vlan", "parent": "eth0", "vlan_id": "5"}],
     "v1: vlan_id must be an integer"),
    ([{"name": "bond0", "type": "bond", "members": []}], "bond0: a bond needs members"),
    ([{"name": "bond0", "type": "bond", "members": ["eth7"]}], "bond0: member 'eth7'"),
    ([{"name": "eth1", "type": "ethernet"},
      {"name": "bond0", "type": "bond", "members": ["eth1"], "bond_mode": "fast"}],
     "bond0: unknown bond_mode"),
    ([{"name": "eth0", "type": "ethernet", "bridge": "br9"}], "eth0: bridge 'br9'"),
    ([{"name": "eth0", "type": "ethernet", "routes": [{"via": "10.0.0.1"}]}], "eth0: a route needs 'to'"),
])
def test_errors_name_the_device(itfs, message):
    with pytest.raises(NetworkdError, match=message.replace(".", r"\.").replace("(", r"\(")):
        networkd_files(itfs)


def test_not_a_list():
    with pytest.raises(NetworkdError, match="must be a list"):
        networkd_files({"name": "eth0"})


@pytest.mark.parametrize("network, device", [
    ("management", "bond0.100"), ("external", "br-ex"), ("undercloud-mgmt", "eth0"),
])
def test_network_device(network, device):
    assert network_device(KVM_CONTROLLER, network) == device


def test_network_device_missing():
    with pytest.raises(NetworkdError, match="no interface of this host carries the network 'swift'"):
        network_device(KVM_CONTROLLER, "swift")


def test_filters_raise_ansible_errors():
    filters = FilterModule().filters()
    assert set(filters) == {"networkd_files", "network_device"}
    with pytest.raises(AnsibleFilterError, match="unknown type"):
        filters["networkd_files"]([{"name": "eth0", "type": "token-ring"}])
    assert filters["network_device"](KVM_CONTROLLER, "external") == "br-ex"
