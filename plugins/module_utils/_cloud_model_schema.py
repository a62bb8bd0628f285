# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The JSON Schema of the cloud model.

This module util is PRIVATE to the collection. It holds the schema as data so that the
inventory plugin, the modules and the tests share one definition; docs/cloud-model.schema.json
is the same document written out (a unit test keeps the two identical).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

NETWORK_PURPOSES = [
    "ipmi", "undercloud_management", "management", "sdn", "storage", "external",
    "service", "swift", "fibre_channel", "esx", "esx_tenant", "operator_access",
]
RESOURCE_TYPES = ["compute_kvm", "compute_esx", "ovsvapp", "swift_proxy", "swift_object", "vsa"]
DISK_CONSUMERS = ["swift", "vsa", "cinder_lvm"]

_NAME = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$", "maxLength": 63}
_HOSTNAME = {"type": "string", "pattern": "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"}
_STR = {"type": "string", "minLength": 1}
_STR_LIST = {"type": "array", "items": _STR}
_RANGE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["start", "end"],
    "properties": {"start": {"type": "string", "format": "ipv4"}, "end": {"type": "string", "format": "ipv4"}},
}
_NET_REFS = {
    "type": "array",
    "items": {
        "oneOf": [
            _NAME,
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {"name": _NAME, "tagged": {"type": "boolean"}},
            },
        ]
    },
}

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://github.com/helion/openstack/cloud-model.schema.json",
    "title": "helion.openstack cloud model",
    "type": "object",
    "additionalProperties": False,
    "required": ["cloud", "networks", "server_roles", "interface_models", "disk_models", "servers", "control_plane"],
    "properties": {
        "cloud": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "dns_domain", "endpoints"],
            "properties": {
                "name": _NAME,
                "dns_domain": _STR,
                "ntp_servers": _STR_LIST,
                "dns_servers": _STR_LIST,
                "endpoints": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["public", "internal"],
                    "properties": {"public": _STR, "internal": _STR},
                },
                "tenant_mtu": {"type": "integer", "minimum": 1280, "maximum": 9000},
                "ansible_network": _NAME,
                "default_route_network": _NAME,
            },
        },
        "features": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"dvr": {"type": "boolean"}, "dnsaas": {"type": "boolean"}},
        },
        "networks": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "purpose"],
                "properties": {
                    "name": _NAME,
                    "purpose": {"enum": NETWORK_PURPOSES},
                    "vlan": {"type": "integer", "minimum": 1, "maximum": 4094},
                    "tagged": {"type": "boolean"},
                    "cidr": {"type": "string", "format": "ipv4-cidr"},
                    "gateway": {"type": "string", "format": "ipv4"},
                    "mtu": {"type": "integer", "minimum": 576, "maximum": 9216},
                    "optional": {"type": "boolean"},
                    "host_range": _RANGE,
                    "vip_range": _RANGE,
                    "floating_range": _RANGE,
                    "routes": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["to", "via"],
                            "properties": {
                                "to": {"type": "string", "format": "ipv4-cidr"},
                                "via": {"type": "string", "format": "ipv4"},
                            },
                        },
                    },
                },
            },
        },
        "server_groups": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {
                    "name": _NAME,
                    "failure_zone": _NAME,
                    "swift_zone": {"type": "integer", "minimum": 0},
                    "swift_region": {"type": "integer", "minimum": 1},
                },
            },
        },
        "server_roles": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "interface_model", "disk_model"],
                "properties": {"name": _NAME, "interface_model": _NAME, "disk_model": _NAME},
            },
        },
        "interface_models": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "ports"],
                "properties": {
                    "name": _NAME,
                    "ports": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["name"],
                            "properties": {"name": _NAME, "mtu": {"type": "integer"}, "networks": _NET_REFS},
                        },
                    },
                    "bonds": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["name", "members"],
                            "properties": {
                                "name": _NAME,
                                "members": {"type": "array", "minItems": 1, "items": _NAME},
                                "mode": {"enum": ["802.3ad", "active-backup", "balance-rr", "balance-xor",
                                                  "broadcast", "balance-tlb", "balance-alb"]},
                                "networks": _NET_REFS,
                            },
                        },
                    },
                    "bridges": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["name", "device", "networks"],
                            "properties": {
                                "name": _NAME,
                                "device": _NAME,
                                "type": {"enum": ["ovs", "linux"]},
                                "networks": {"type": "array", "minItems": 1, "items": _NAME},
                            },
                        },
                    },
                },
            },
        },
        "disk_models": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "os_disk"],
                "properties": {
                    "name": _NAME,
                    "os_disk": _STR,
                    "devices": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["name", "consumer"],
                            "properties": {
                                "name": _STR,
                                "consumer": {"enum": DISK_CONSUMERS},
                                "size_gb": {"type": "number", "exclusiveMinimum": 0},
                                "rings": {"type": "array", "items": _NAME},
                            },
                        },
                    },
                },
            },
        },
        "servers": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "role"],
                "properties": {
                    "name": _HOSTNAME,
                    "role": _NAME,
                    "server_group": _NAME,
                    "pxe_mac": {"type": "string", "format": "mac"},
                    "ipmi": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["address"],
                        "properties": {
                            "address": {"type": "string", "format": "ipv4"},
                            "port": {"type": "integer", "minimum": 1, "maximum": 65535},
                            "username": _STR,
                            "password": _STR,
                        },
                    },
                    "addresses": {
                        "type": "object",
                        "additionalProperties": {"type": "string", "format": "ipv4"},
                    },
                },
            },
        },
        "control_plane": {
            "type": "object",
            "additionalProperties": False,
            "required": ["controllers"],
            "properties": {
                "seed": {
                    "type": "object", "additionalProperties": False,
                    "properties": {"server": _HOSTNAME},
                },
                "undercloud": {
                    "type": "object", "additionalProperties": False, "required": ["server"],
                    "properties": {"server": _HOSTNAME, "services": {"type": "array", "items": _NAME}},
                },
                "controllers": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["role", "services"],
                    "properties": {
                        "role": _NAME,
                        "services": {"type": "array", "items": _NAME},
                        "vips": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["name", "network"],
                                "properties": {"name": _NAME, "network": _NAME,
                                               "address": {"type": "string", "format": "ipv4"}},
                            },
                        },
                    },
                },
                "resources": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name", "type", "role"],
                        "properties": {
                            "name": _NAME,
                            "type": {"enum": RESOURCE_TYPES},
                            "role": _NAME,
                            "min_count": {"type": "integer", "minimum": 0},
                            "services": {"type": "array", "items": _NAME},
                        },
                    },
                },
            },
        },
        "storage": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "hpe3par": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name", "wsapi_url", "username", "password"],
                        "properties": {
                            "name": _NAME,
                            "wsapi_url": {"type": "string", "pattern": "^https?://"},
                            "san_ip": _STR,
                            "username": _STR,
                            "password": _STR,
                            "validate_certs": {"type": "boolean"},
                            "protocol": {"enum": ["fc", "iscsi"]},
                            "iscsi_ips": {"type": "array", "items": {"type": "string", "format": "ipv4"}},
                            "cpgs": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "required": ["name"],
                                    "properties": {
                                        "name": _NAME,
                                        "raid_type": {"enum": ["r0", "r1", "r5", "r6"]},
                                        "set_size": {"type": "integer", "minimum": 1},
                                        "high_availability": {"enum": ["port", "cage", "mag"]},
                                        "disk_type": {"enum": ["FC", "NL", "SSD"]},
                                        "domain": _STR,
                                        "growth_increment_mib": {"type": "integer", "minimum": 0},
                                        "growth_limit_mib": {"type": "integer", "minimum": 0},
                                        "growth_warning_mib": {"type": "integer", "minimum": 0},
                                        "create": {"type": "boolean"},
                                    },
                                },
                            },
                        },
                    },
                },
                "storevirtual": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name", "cluster", "api_url", "username", "password"],
                        "properties": {
                            "name": _NAME,
                            "cluster": _NAME,
                            "api_url": {"type": "string", "pattern": "^https?://"},
                            "username": _STR,
                            "password": _STR,
                            "validate_certs": {"type": "boolean"},
                            "vip": {"type": "string", "format": "ipv4"},
                            "vip_network": _NAME,
                        },
                    },
                },
                "backends": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name"],
                        "properties": {
                            "name": _NAME,
                            "array": _NAME,
                            "cpg": _NAME,
                            "protocol": {"enum": ["fc", "iscsi"]},
                            "storevirtual": _NAME,
                            "lvm_role": _NAME,
                        },
                    },
                },
                "qos_specs": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name", "specs"],
                        "properties": {
                            "name": _NAME,
                            "consumer": {"enum": ["front-end", "back-end", "both"]},
                            "specs": {"type": "object", "additionalProperties": {"type": ["string", "number"]}},
                        },
                    },
                },
                "volume_types": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name", "backend"],
                        "properties": {"name": _STR, "backend": _NAME, "qos": _NAME,
                                       "description": {"type": "string"}, "public": {"type": "boolean"}},
                    },
                },
            },
        },
        "vcenters": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "address", "username", "password", "datacenter", "clusters"],
                "properties": {
                    "name": _NAME,
                    "address": _STR,
                    "port": {"type": "integer", "minimum": 1, "maximum": 65535},
                    "username": _STR,
                    "password": _STR,
                    "validate_certs": {"type": "boolean"},
                    "ca_file": _STR,
                    "datacenter": _STR,
                    "port_groups": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"esx": _STR, "esx_tenant": _STR},
                    },
                    "clusters": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["name"],
                            "properties": {"name": _STR, "datastore_regex": _STR, "proxy": _HOSTNAME},
                        },
                    },
                },
            },
        },
        "swift": {
            "type": "object",
            "additionalProperties": False,
            "required": ["rings"],
            "properties": {
                "weight_step": {"type": "number", "exclusiveMinimum": 0},
                "port_base": {"type": "integer"},
                "rings": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name", "part_power", "replicas"],
                        "properties": {
                            "name": {"type": "string", "pattern": "^(account|container|object-[0-9]+)$"},
                            "part_power": {"type": "integer", "minimum": 1, "maximum": 32},
                            "replicas": {"type": "number", "minimum": 1},
                            "min_part_hours": {"type": "integer", "minimum": 0},
                            "default": {"type": "boolean"},
                            "devices": {"type": "array", "items": _STR},
                        },
                    },
                },
            },
        },
    },
}
