# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Section `cloud` and `features`: the cloud's name, domain, endpoints and switches.

This module util is PRIVATE to the collection. Plan: helion_cloud (with defaults) and
helion_features (DVR decided). The networks that cloud settings name are checked with the
networks (section networks).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.build import add_cloud_var
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.schema import NAME, STR, STR_LIST, URL
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.services import DEFAULT_TENANT_MTU

SCHEMA = {
    "cloud": {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "dns_domain", "endpoints"],
        "properties": {
            "name": NAME,
            "dns_domain": STR,
            "ntp_servers": STR_LIST,
            "dns_servers": STR_LIST,
            "endpoints": {
                "type": "object",
                "additionalProperties": False,
                "required": ["public", "internal"],
                "properties": {"public": STR, "internal": STR},
            },
            "tenant_mtu": {"type": "integer", "minimum": 1280, "maximum": 9000},
            "ansible_network": NAME,
            "default_route_network": NAME,
            # The log server's store of every node's journal (roles log_server, log_forwarder).
            "logging": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "max_use_mb": {"type": "integer", "minimum": 256},
                    "max_file_size_mb": {"type": "integer", "minimum": 8, "maximum": 4096},
                },
            },
            # Prometheus and Alertmanager on the undercloud (roles monitoring_server, monitoring_agent).
            "monitoring": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "webhook_url": URL,
                    "scrape_interval_s": {"type": "integer", "minimum": 5, "maximum": 300},
                    "retention_days": {"type": "integer", "minimum": 1, "maximum": 3650},
                },
            },
        },
    },
    "features": {
        "type": "object",
        "additionalProperties": False,
        "properties": {"dvr": {"type": "boolean"}, "dnsaas": {"type": "boolean"}},
    },
}
REQUIRED = ("cloud",)
DEFAULT_LOG_MAX_USE_MB = 4096
DEFAULT_LOG_FILE_SIZE_MB = 128
DEFAULT_MONITORING = {"webhook_url": "", "scrape_interval_s": 15, "retention_days": 15}


def contribute(model, plan):
    cloud = dict(model.data["cloud"])
    cloud.setdefault("ntp_servers", [])
    cloud.setdefault("dns_servers", [])
    cloud.setdefault("tenant_mtu", DEFAULT_TENANT_MTU)
    cloud.setdefault("ansible_network", model.purposes["management"][0])
    cloud.setdefault("default_route_network", cloud["ansible_network"])
    # The seed's sizing asks for 4 GB of log space on the undercloud.
    cloud["logging"] = dict({"max_use_mb": DEFAULT_LOG_MAX_USE_MB, "max_file_size_mb": DEFAULT_LOG_FILE_SIZE_MB},
                            **(cloud.get("logging") or {}))
    cloud["monitoring"] = dict(DEFAULT_MONITORING, **(cloud.get("monitoring") or {}))
    features = dict(model.data.get("features") or {})
    features["dvr"] = bool(model.dvr())
    features.setdefault("dnsaas", False)
    add_cloud_var(plan, "cloud", cloud)
    add_cloud_var(plan, "features", features)
