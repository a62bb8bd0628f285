# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""vCenter discovery and ESX cluster checks for the EON onboarding job.

This module util is PRIVATE to the collection. It is plain Python: the modules give it
connection parameters and filters, it returns plain dicts and raises one exception class,
VcenterError, whose message names the vCenter, cluster or network and the cause (never a
password).

Discovery uses one container view over the whole inventory and one property collector
retrieval (paged), so a vCenter with thousands of objects costs a handful of round trips.
Everything a vCenter (or the vcsim simulator) may leave empty is read through _get(),
which returns None instead of raising.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import socket
import ssl
import traceback

try:
    from pyVim.connect import Disconnect, SmartConnect
    from pyVmomi import vim, vmodl

    HAS_PYVMOMI = True
    PYVMOMI_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised only without pyvmomi
    HAS_PYVMOMI = False
    PYVMOMI_IMPORT_ERROR = traceback.format_exc()

MB = 1024 * 1024
PAGE_SIZE = 1000

# Properties fetched per managed object type in the single retrieval.
PROPERTIES = (
    ("Folder", ["name", "parent"]),
    ("Datacenter", ["name", "parent"]),
    ("ComputeResource", ["name", "parent", "host", "summary"]),
    ("ClusterComputeResource", ["configurationEx"]),
    ("HostSystem", [
        "name", "parent", "runtime.connectionState", "runtime.inMaintenanceMode", "runtime.powerState",
        "summary.hardware", "summary.quickStats", "summary.config.product", "config.network.portgroup",
        "datastore",
    ]),
    ("Datastore", ["name", "parent", "summary", "host"]),
    ("Network", ["name", "parent", "host"]),
    ("DistributedVirtualPortgroup", ["key", "config.distributedVirtualSwitch", "config.defaultPortConfig"]),
    ("DistributedVirtualSwitch", ["name", "parent", "uuid", "summary.hostMember"]),
)
VIEW_TYPES = ("Folder", "Datacenter", "ComputeResource", "HostSystem", "Datastore", "Network",
              "DistributedVirtualSwitch")

CHECK_NAMES = ("drs_enabled", "active_hosts", "shared_datastore", "esx_network", "esx_tenant_network")


def connection_argument_spec():
    """The connection options of every vCenter module (doc fragment helion.openstack.vcenter)."""
    return dict(
        hostname=dict(type="str", required=True),
        port=dict(type="int", default=443),
        username=dict(type="str", required=True),
        password=dict(type="str", required=True, no_log=True),
        validate_certs=dict(type="bool", default=True),
        ca_file=dict(type="path"),
        timeout=dict(type="int", default=30),
    )


class VcenterError(Exception):
    """The one error of this module util: the message names the target and the cause."""


# ---------------------------------------------------------------------------------------------
# Pure helpers
# ---------------------------------------------------------------------------------------------

def _get(obj, path, default=None):
    """Follow a dotted attribute path, returning default where any step is missing or None."""
    for part in path.split("."):
        if obj is None:
            return default
        if isinstance(obj, dict):
            obj = obj.get(part)
        else:
            obj = getattr(obj, part, None)
    return default if obj is None else obj


def ref_key(ref):
    """A stable string key for a managed object reference ("HostSystem:host-12").

    Strings are returned unchanged so that tests (and already converted data) can use keys directly.
    """
    if ref is None:
        return None
    if isinstance(ref, str):
        return ref
    return "%s:%s" % (getattr(ref, "_wsdlName", type(ref).__name__), getattr(ref, "_moId", ref))


def ref_type(key):
    return key.split(":", 1)[0] if key else None


def _refs(value):
    return [ref_key(item) for item in (value or []) if item is not None]


def _str_or_none(value):
    return str(value) if value else None


def _mb(value):
    return int(value // MB) if value is not None else None


def vlan_of(port_config):
    """Normalise a DVS port setting's VLAN spec: {type, vlan_id, ranges}.

    type is vlan (single id, 0 = untagged), trunk (list of ranges), pvlan or None when unknown.
    """
    vlan = _get(port_config, "vlan")
    if vlan is None:
        return {"type": None, "vlan_id": None, "ranges": []}
    if _get(vlan, "pvlanId") is not None:
        return {"type": "pvlan", "vlan_id": int(_get(vlan, "pvlanId")), "ranges": []}
    ranges = _get(vlan, "vlanId")
    if isinstance(ranges, (list, tuple)) or (ranges is not None and not isinstance(ranges, int)):
        out = []
        for item in ranges or []:
            start, end = _get(item, "start"), _get(item, "end")
            if start is not None and end is not None:
                out.append([int(start), int(end)])
        return {"type": "trunk", "vlan_id": None, "ranges": out}
    return {"type": "vlan", "vlan_id": int(ranges or 0), "ranges": []}


def vlan_matches(vlan, wanted):
    """True when a normalised VLAN spec carries VLAN id wanted."""
    if wanted is None:
        return True
    if vlan.get("type") in ("vlan", "pvlan"):
        return vlan.get("vlan_id") == wanted
    if vlan.get("type") == "trunk":
        return any(start <= wanted <= end for start, end in vlan.get("ranges", []))
    if vlan.get("type") == "standard":
        return wanted in vlan.get("vlan_ids", [])
    return False


def _datacenter_of(key, objects, _seen=None):
    """Name of the datacenter above key, walking the parent chain (None when not under one)."""
    seen = _seen or set()
    while key and key not in seen:
        seen.add(key)
        obj = objects.get(key)
        if obj is None:
            return None
        if ref_type(key) == "Datacenter":
            return obj.get("name")
        key = ref_key(obj.get("parent"))
    return None


def build_inventory(objects, datacenter=None, cluster=None):
    """Turn the raw retrieval ({key: {'prop': value}}) into the discovered inventory.

    objects values are dicts of property path -> value (pyvmomi data objects or plain
    dicts/namespaces in tests). Raises VcenterError for an unknown datacenter or cluster filter.
    """
    by_type = {}
    for key, props in objects.items():
        by_type.setdefault(ref_type(key), []).append((key, props))
    dc_of = {}

    def dc(key):
        if key not in dc_of:
            dc_of[key] = _datacenter_of(key, objects)
        return dc_of[key]

    names = {key: props.get("name") for key, props in objects.items()}
    datacenters = sorted(props.get("name") for _key, props in by_type.get("Datacenter", []) if props.get("name"))
    if datacenter is not None and datacenter not in datacenters:
        raise VcenterError("datacenter %r not found (the vCenter has: %s)" % (
            datacenter, ", ".join(datacenters) or "none"))

    clusters, cluster_of_host = [], {}
    for key, props in by_type.get("ClusterComputeResource", []):
        for host in _refs(props.get("host")):
            cluster_of_host[host] = key
        clusters.append((key, props))
    if cluster is not None:
        wanted = [key for key, props in clusters
                  if props.get("name") == cluster and (datacenter is None or dc(key) == datacenter)]
        if not wanted:
            raise VcenterError("cluster %r not found in %s" % (
                cluster, "datacenter %r" % datacenter if datacenter else "any datacenter"))
        if len(wanted) > 1:
            raise VcenterError("cluster name %r is ambiguous (in datacenters %s): set datacenter" % (
                cluster, ", ".join(sorted(dc(key) or "?" for key in wanted))))
        cluster_key = wanted[0]
        selected_hosts = set(_refs(objects[cluster_key].get("host")))
    else:
        cluster_key = None
        selected_hosts = None

    def in_scope_dc(key):
        return datacenter is None or dc(key) == datacenter

    # Hosts
    hosts, host_out = {}, []
    for key, props in by_type.get("HostSystem", []):
        if not in_scope_dc(key) or (selected_hosts is not None and key not in selected_hosts):
            continue
        hosts[key] = props
    for key, props in hosts.items():
        hardware = props.get("summary.hardware")
        stats = props.get("summary.quickStats")
        product = props.get("summary.config.product")
        cores, mhz = _get(hardware, "numCpuCores"), _get(hardware, "cpuMhz")
        std_pgs = []
        for pg in props.get("config.network.portgroup") or []:
            name = _get(pg, "spec.name")
            if name:
                std_pgs.append({"name": name, "vlan_id": _get(pg, "spec.vlanId", 0),
                                "vswitch": _get(pg, "spec.vswitchName")})
        host_out.append({
            "name": props.get("name"),
            "datacenter": dc(key),
            "cluster": names.get(cluster_of_host.get(key)),
            "connection_state": _str_or_none(props.get("runtime.connectionState")),
            "maintenance_mode": bool(props.get("runtime.inMaintenanceMode")),
            "power_state": _str_or_none(props.get("runtime.powerState")),
            "esxi_version": _get(product, "version"),
            "esxi_build": _get(product, "build"),
            "cpu_model": _get(hardware, "cpuModel"),
            "cpu_cores": cores,
            "cpu_total_mhz": cores * mhz if cores is not None and mhz is not None else None,
            "cpu_used_mhz": _get(stats, "overallCpuUsage"),
            "memory_total_mb": _mb(_get(hardware, "memorySize")),
            "memory_used_mb": _get(stats, "overallMemoryUsage"),
            "standard_port_groups": sorted(std_pgs, key=lambda pg: pg["name"]),
        })
    host_out.sort(key=lambda h: (h["datacenter"] or "", h["name"] or ""))

    # Datastores: the mounts seen from both sides (vcsim keeps only the last mount on the datastore).
    mounts = {}
    for key, props in by_type.get("HostSystem", []):
        for ds_key in _refs(props.get("datastore")):
            mounts.setdefault(ds_key, set()).add(key)
    datastore_out = []
    cluster_hosts = {key: set(_refs(props.get("host"))) for key, props in clusters}
    for key, props in by_type.get("Datastore", []):
        if not in_scope_dc(key):
            continue
        mounted = set(ref_key(_get(mount, "key")) for mount in (props.get("host") or []))
        mounted.discard(None)
        mounted.update(mounts.get(key, ()))
        if selected_hosts is not None and not selected_hosts.intersection(mounted):
            continue
        summary = props.get("summary")
        shared_by = sorted(names.get(c) for c, members in cluster_hosts.items()
                           if members and members.issubset(mounted) and in_scope_dc(c))
        datastore_out.append({
            "name": props.get("name") or _get(summary, "name"),
            "datacenter": dc(key),
            "type": _get(summary, "type"),
            "capacity_mb": _mb(_get(summary, "capacity")),
            "free_mb": _mb(_get(summary, "freeSpace")),
            "accessible": _get(summary, "accessible"),
            "hosts": sorted(names.get(h) or h for h in mounted),
            "shared_by_clusters": shared_by,
        })
    datastore_out.sort(key=lambda d: (d["datacenter"] or "", d["name"] or ""))

    # Clusters
    cluster_out = []
    for key, props in clusters:
        if not in_scope_dc(key) or (cluster_key is not None and key != cluster_key):
            continue
        config = props.get("configurationEx")
        summary = props.get("summary")
        members = _refs(props.get("host"))
        stats = [(objects.get(h) or {}).get("summary.quickStats") for h in members]
        cpu_used = sum(_get(st, "overallCpuUsage", 0) for st in stats)
        mem_used = sum(_get(st, "overallMemoryUsage", 0) for st in stats)
        cpu_total = _get(summary, "totalCpu")
        mem_total = _mb(_get(summary, "totalMemory"))
        active = [h for h in members if _host_active(objects.get(h) or {})]
        cluster_out.append({
            "name": props.get("name"),
            "datacenter": dc(key),
            "drs_enabled": bool(_get(config, "drsConfig.enabled", False)),
            "drs_behavior": _str_or_none(_get(config, "drsConfig.defaultVmBehavior")),
            "ha_enabled": bool(_get(config, "dasConfig.enabled", False)),
            "hosts": sorted(names.get(h) or h for h in members),
            "active_hosts": sorted(names.get(h) or h for h in active),
            "cpu_total_mhz": cpu_total,
            "cpu_used_mhz": cpu_used,
            "cpu_free_mhz": cpu_total - cpu_used if cpu_total is not None else None,
            "memory_total_mb": mem_total,
            "memory_used_mb": mem_used,
            "memory_free_mb": mem_total - mem_used if mem_total is not None else None,
        })
    cluster_out.sort(key=lambda c: (c["datacenter"] or "", c["name"] or ""))

    networks = _build_networks(objects, by_type, names, dc, in_scope_dc, selected_hosts, hosts)

    dc_out = []
    for name in datacenters:
        if datacenter is not None and name != datacenter:
            continue
        if cluster_key is not None and dc(cluster_key) != name:
            continue
        dc_out.append({
            "name": name,
            "clusters": sorted(c["name"] for c in cluster_out if c["datacenter"] == name),
            "hosts": len([h for h in host_out if h["datacenter"] == name]),
            "datastores": len([d for d in datastore_out if d["datacenter"] == name]),
        })
    return {
        "datacenters": dc_out,
        "clusters": cluster_out,
        "hosts": host_out,
        "datastores": datastore_out,
        "networks": networks,
    }


def _host_active(props):
    state = props.get("runtime.connectionState")
    return (str(state) == "connected" if state is not None else False) and not props.get("runtime.inMaintenanceMode")


def _build_networks(objects, by_type, names, dc, in_scope_dc, selected_hosts, hosts):
    """Standard port groups (from the hosts' network config) and distributed switches."""
    standard = {}
    for key, props in hosts.items():
        for pg in props.get("config.network.portgroup") or []:
            name = _get(pg, "spec.name")
            if not name:
                continue
            item = standard.setdefault((dc(key), name), {
                "name": name, "datacenter": dc(key), "vlan_ids": set(), "hosts": [], "vswitches": set()})
            item["vlan_ids"].add(int(_get(pg, "spec.vlanId", 0) or 0))
            item["hosts"].append(props.get("name"))
            if _get(pg, "spec.vswitchName"):
                item["vswitches"].add(_get(pg, "spec.vswitchName"))
    port_groups = []
    for _key, item in sorted(standard.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
        item["vlan_ids"] = sorted(item["vlan_ids"])
        item["vswitches"] = sorted(item["vswitches"])
        item["hosts"] = sorted(item["hosts"])
        port_groups.append(item)

    switches = {}
    for key, props in by_type.get("DistributedVirtualSwitch", []) + by_type.get("VmwareDistributedVirtualSwitch", []):
        if not in_scope_dc(key):
            continue
        members = _refs(props.get("summary.hostMember"))
        if selected_hosts is not None and members and not selected_hosts.intersection(members):
            continue
        switches[key] = {
            "name": props.get("name"),
            "datacenter": dc(key),
            "uuid": props.get("uuid"),
            "hosts": sorted(names.get(h) or h for h in members),
            "port_groups": [],
        }
    for _key, props in by_type.get("DistributedVirtualPortgroup", []):
        switch = switches.get(ref_key(props.get("config.distributedVirtualSwitch")))
        if switch is None:
            continue
        vlan = vlan_of(props.get("config.defaultPortConfig"))
        switch["port_groups"].append({
            "name": props.get("name"),
            "key": props.get("key"),
            "vlan_type": vlan["type"],
            "vlan_id": vlan["vlan_id"],
            "vlan_ranges": vlan["ranges"],
        })
    out = []
    for item in sorted(switches.values(), key=lambda s: (s["datacenter"] or "", s["name"] or "")):
        item["port_groups"].sort(key=lambda pg: pg["name"] or "")
        out.append(item)
    return {"port_groups": port_groups, "distributed_switches": out}


# ---------------------------------------------------------------------------------------------
# Cluster checks (pure)
# ---------------------------------------------------------------------------------------------

def _check(name, passed, reason, switch=None):
    out = {"name": name, "passed": bool(passed), "reason": reason}
    if switch is not None:
        out["switch"] = switch
    return out


def _network_check(name, purpose, pg_name, vlan, cluster, inventory):
    """Is port group pg_name (standard on every active host, or distributed on a switch of the cluster's
    hosts) there with VLAN vlan?"""
    if not pg_name:
        return _check(name, False, "no port group is set for the %s network of cluster %s" % (purpose, cluster["name"]))
    hosts = set(cluster["active_hosts"] or cluster["hosts"])
    for switch in inventory["networks"]["distributed_switches"]:
        if switch["datacenter"] != cluster["datacenter"]:
            continue
        for pg in switch["port_groups"]:
            if pg["name"] != pg_name:
                continue
            missing = sorted(hosts - set(switch["hosts"])) if switch["hosts"] else []
            if missing:
                return _check(name, False, "distributed port group %s (%s network) is on switch %s, which hosts %s of "
                              "cluster %s are not members of" % (pg_name, purpose, switch["name"], ", ".join(missing),
                                                                 cluster["name"]))
            if not vlan_matches({"type": pg["vlan_type"], "vlan_id": pg["vlan_id"], "ranges": pg["vlan_ranges"]}, vlan):
                return _check(name, False, "distributed port group %s (%s network) carries VLAN %s, "
                              "the model wants %s" % (pg_name, purpose, _vlan_text(pg), vlan))
            return _check(name, True, "distributed port group %s on switch %s carries VLAN %s" % (
                pg_name, switch["name"], _vlan_text(pg)), switch=switch["name"])
    std = [pg for pg in inventory["networks"]["port_groups"]
           if pg["name"] == pg_name and pg["datacenter"] == cluster["datacenter"]]
    if std:
        pg = std[0]
        missing = sorted(hosts - set(pg["hosts"]))
        if missing:
            return _check(name, False, "standard port group %s (%s network) is missing on hosts %s of cluster %s" % (
                pg_name, purpose, ", ".join(missing), cluster["name"]))
        if vlan is not None and pg["vlan_ids"] != [vlan]:
            return _check(name, False, "standard port group %s (%s network) carries VLAN %s, the model wants %s" % (
                pg_name, purpose, ", ".join(str(v) for v in pg["vlan_ids"]), vlan))
        return _check(name, True, "standard port group %s carries VLAN %s on all %d hosts" % (
            pg_name, ", ".join(str(v) for v in pg["vlan_ids"]), len(hosts)))
    return _check(name, False, "port group %s (%s network) not found in datacenter %s for cluster %s" % (
        pg_name, purpose, cluster["datacenter"], cluster["name"]))


def _vlan_text(pg):
    if pg["vlan_type"] == "trunk":
        return "trunk " + ",".join("%d-%d" % (s, e) for s, e in pg["vlan_ranges"])
    return str(pg["vlan_id"])


def check_cluster(inventory, cluster_name, datastore_regex=None, port_groups=None, vlans=None):
    """Check one discovered cluster against what the model needs to onboard it.

    inventory is build_inventory()'s result (filtered or not); port_groups and vlans are
    {'esx': ..., 'esx_tenant': ...}. Returns {cluster, passed, checks: [{name, passed, reason}],
    datastores: [matching shared datastores]}. Raises VcenterError if the cluster is not there.
    """
    port_groups, vlans = port_groups or {}, vlans or {}
    matches = [c for c in inventory["clusters"] if c["name"] == cluster_name]
    if not matches:
        raise VcenterError("cluster %r not found" % cluster_name)
    cluster = matches[0]
    checks = [_check("drs_enabled", cluster["drs_enabled"],
                     "DRS is %s on cluster %s" % ("enabled" if cluster["drs_enabled"] else "disabled",
                                                  cluster["name"]))]
    inactive = sorted(set(cluster["hosts"]) - set(cluster["active_hosts"]))
    if cluster["active_hosts"]:
        reason = "%d of %d hosts connected and not in maintenance" % (
            len(cluster["active_hosts"]), len(cluster["hosts"]))
        if inactive:
            reason += " (not usable: %s)" % ", ".join(inactive)
    else:
        reason = "cluster %s has no connected host outside maintenance mode%s" % (
            cluster["name"], " (hosts: %s)" % ", ".join(inactive) if inactive else " (it has no hosts)")
    checks.append(_check("active_hosts", cluster["active_hosts"], reason))

    try:
        pattern = re.compile(datastore_regex or ".*")
    except re.error as exc:
        raise VcenterError("datastore_regex %r of cluster %s is not a valid regular expression: %s" % (
            datastore_regex, cluster_name, exc))
    shared = [d for d in inventory["datastores"]
              if d["datacenter"] == cluster["datacenter"] and cluster["name"] in d["shared_by_clusters"]]
    good = sorted(d["name"] for d in shared if pattern.search(d["name"] or ""))
    if good:
        reason = "datastores shared by all hosts matching %s: %s" % (pattern.pattern, ", ".join(good))
    elif shared:
        reason = "no datastore shared by all hosts of cluster %s matches %s (shared: %s)" % (
            cluster["name"], pattern.pattern, ", ".join(sorted(d["name"] for d in shared)))
    else:
        reason = "cluster %s has no datastore shared by all its hosts" % cluster["name"]
    checks.append(_check("shared_datastore", good, reason))

    checks.append(_network_check("esx_network", "esx", port_groups.get("esx"), vlans.get("esx"), cluster, inventory))
    checks.append(_network_check("esx_tenant_network", "esx_tenant", port_groups.get("esx_tenant"),
                                 vlans.get("esx_tenant"), cluster, inventory))
    for item in checks:
        item["cluster"] = cluster["name"]
    return {
        "cluster": cluster["name"],
        "datacenter": cluster["datacenter"],
        "passed": all(c["passed"] for c in checks),
        "checks": checks,
        "datastores": good,
        "hosts": list(cluster["hosts"]),
        "active_hosts": list(cluster["active_hosts"]),
        "switches": {"esx": checks[3].get("switch"), "esx_tenant": checks[4].get("switch")},
    }


def failed_checks(result, fail_on):
    """The failed checks among those named in fail_on ('all' selects every check)."""
    wanted = set(CHECK_NAMES) if "all" in (fail_on or []) else set(fail_on or [])
    return [c for c in result["checks"] if not c["passed"] and c["name"] in wanted]


def model_vlans(networks):
    """{'esx': vlan, 'esx_tenant': vlan} from the model's helion_networks (by purpose)."""
    out = {}
    for net in networks or []:
        purpose = net.get("purpose")
        if purpose in ("esx", "esx_tenant") and purpose not in out:
            out[purpose] = net.get("vlan")
    return out


# ---------------------------------------------------------------------------------------------
# Talking to vCenter
# ---------------------------------------------------------------------------------------------

def _target(params):
    return "vCenter %s:%s" % (params["hostname"], params.get("port") or 443)


def connect(params):
    """Log in; params: hostname, port, username, password, validate_certs, ca_file, timeout."""
    if not HAS_PYVMOMI:
        raise VcenterError("pyvmomi is not installed")
    target = _target(params)
    if params.get("validate_certs", True):
        try:
            context = ssl.create_default_context(cafile=params.get("ca_file") or None)
        except (IOError, OSError, ssl.SSLError) as exc:
            raise VcenterError("cannot load CA file %s for %s: %s" % (params.get("ca_file"), target, exc))
    else:
        context = ssl._create_unverified_context()  # noqa: S323 - the user asked for no validation
    timeout = params.get("timeout") or 30
    try:
        return SmartConnect(host=params["hostname"], port=int(params.get("port") or 443), user=params["username"],
                            pwd=params["password"], sslContext=context, httpConnectionTimeout=timeout)
    except vim.fault.InvalidLogin:
        raise VcenterError("%s rejected the login of user %s: wrong username or password" % (
            target, params["username"]))
    except ssl.SSLCertVerificationError as exc:
        raise VcenterError(
            "TLS certificate validation failed for %s (%s): give the vCenter CA in ca_file, or set validate_certs "
            "to false for a self-signed test vCenter" % (target, getattr(exc, "verify_message", None) or exc))
    except ssl.SSLError as exc:
        raise VcenterError("TLS error talking to %s: %s" % (target, exc))
    except (socket.timeout, TimeoutError):
        raise VcenterError("%s did not answer within %s s" % (target, timeout))
    except socket.gaierror as exc:
        raise VcenterError("cannot resolve %s: %s" % (target, exc))
    except (ConnectionError, OSError) as exc:
        raise VcenterError("cannot reach %s: %s" % (target, getattr(exc, "strerror", None) or exc))
    except vmodl.MethodFault as exc:
        raise VcenterError("%s refused the login: %s" % (target, exc.msg or type(exc).__name__))
    except Exception as exc:  # pyvmomi raises bare Exception for unexpected HTTP answers
        raise VcenterError("cannot connect to %s: %s" % (target, exc))


def disconnect(si):
    try:
        Disconnect(si)
    except Exception:  # pylint: disable=broad-except
        pass  # logging out is best effort


def retrieve_objects(si):
    """All inventory objects with the PROPERTIES, in one container view + paged RetrievePropertiesEx.

    Returns {ref_key: {property path: value}} (keys "Type:moid"), plus the round trip count.
    """
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(
        content.rootFolder, [getattr(vim, name) for name in VIEW_TYPES], True)
    calls = 2
    try:
        traversal = vmodl.query.PropertyCollector.TraversalSpec(
            name="view", path="view", skip=False, type=vim.view.ContainerView)
        obj_spec = vmodl.query.PropertyCollector.ObjectSpec(obj=view, skip=True, selectSet=[traversal])
        prop_specs = [vmodl.query.PropertyCollector.PropertySpec(type=getattr(vim, name), pathSet=paths, all=False)
                      for name, paths in PROPERTIES]
        filter_spec = vmodl.query.PropertyCollector.FilterSpec(objectSet=[obj_spec], propSet=prop_specs)
        collector = content.propertyCollector
        options = vmodl.query.PropertyCollector.RetrieveOptions(maxObjects=PAGE_SIZE)
        result = collector.RetrievePropertiesEx([filter_spec], options)
        calls += 1
        objects = {}
        while result is not None:
            for item in result.objects or []:
                props = objects.setdefault(ref_key(item.obj), {})
                for prop in item.propSet or []:
                    props[prop.name] = prop.val
            if not result.token:
                break
            result = collector.ContinueRetrievePropertiesEx(result.token)
            calls += 1
        return objects, calls
    finally:
        try:
            view.DestroyView()
        except Exception:  # pylint: disable=broad-except
            pass  # cleanup only


def _wrap_api(target, func, *args):
    try:
        return func(*args)
    except vmodl.fault.ManagedObjectNotFound as exc:
        raise VcenterError("%s: an object vanished during discovery (%s); run again" % (target, exc.msg or exc))
    except vmodl.MethodFault as exc:
        raise VcenterError("%s: %s" % (target, exc.msg or type(exc).__name__))
    except (socket.timeout, TimeoutError):
        raise VcenterError("%s stopped answering during discovery" % target)
    except (ConnectionError, OSError) as exc:
        raise VcenterError("%s: connection lost during discovery: %s" % (target, exc))


def discover(params, datacenter=None, cluster=None):
    """Connect, retrieve, disconnect and build the inventory; adds 'round_trips'."""
    target = _target(params)
    si = connect(params)
    try:
        objects, calls = _wrap_api(target, retrieve_objects, si)
    finally:
        disconnect(si)
    try:
        inventory = build_inventory(objects, datacenter=datacenter, cluster=cluster)
    except VcenterError as exc:
        raise VcenterError("%s: %s" % (target, exc))
    inventory["round_trips"] = calls + 2  # + version probe and login
    return inventory


def check(params, datacenter, cluster, datastore_regex=None, port_groups=None, vlans=None):
    """Discover one cluster and check it."""
    inventory = discover(params, datacenter=datacenter, cluster=cluster)
    try:
        return check_cluster(inventory, cluster, datastore_regex, port_groups, vlans)
    except VcenterError as exc:
        raise VcenterError("%s: %s" % (_target(params), exc))
