# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Swift ring planning and building.

This module util is PRIVATE to the collection. It is not part of its public API.

Two layers:

* pure functions (no Swift import): device normalisation, the device diff between a builder
  and a declarative device list, weight stepping, the safety checks and the computation of a
  ring's device list from the cloud model (used by the ``swift_devices`` filter);
* :func:`ensure_ring`, which applies a plan to a ``.builder`` file with Swift's own
  ``RingBuilder``, rebalances when something changed, writes the ``.ring.gz`` and keeps dated
  backups; it returns an :class:`EnsureResult`.

Every error is raised as :class:`SwiftRingError`, whose message names the ring (or host) and
the cause.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import inspect
import math
import os
import re
import shutil
import tempfile
import time

from ansible_collections.helion.openstack.plugins.module_utils._result import EnsureResult

try:
    from swift.common import exceptions as swift_exceptions
    from swift.common.ring import RingBuilder

    HAS_SWIFT = True
    SWIFT_IMPORT_ERROR = None
except ImportError as _exc:  # pragma: no cover - exercised only without swift
    HAS_SWIFT = False
    SWIFT_IMPORT_ERROR = _exc
    RingBuilder = swift_exceptions = None


RING_NAME_RE = re.compile(r"^(account|container|object(-[0-9]+)?)$")
DEFAULT_PORTS = {"account": 6202, "container": 6201, "object": 6200}
INFO_KEYS = ("replication_ip", "replication_port", "meta")
PLACEMENT_KEYS = ("region", "zone")
WEIGHT_EPSILON = 1e-9
MAX_LABEL_LEN = 12  # XFS labels hold at most 12 characters


class SwiftRingError(Exception):
    """A Swift ring could not be planned, checked or built."""


# --------------------------------------------------------------------------------------------
# Pure helpers
# --------------------------------------------------------------------------------------------


def ring_kind(name):
    """``account``, ``container`` or ``object`` for a ring name such as ``object-1``."""
    if not isinstance(name, str) or not RING_NAME_RE.match(name):
        raise SwiftRingError(
            "ring %r: the name must be account, container, object or object-<N>" % (name,))
    return name.split("-", 1)[0]


def _as_int(ring, dev, key, minimum=None):
    value = dev.get(key)
    if isinstance(value, bool):
        value = None
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise SwiftRingError("ring %s: device %s: %s must be an integer, got %r"
                             % (ring, dev.get("device"), key, dev.get(key))) from None
    if minimum is not None and value < minimum:
        raise SwiftRingError("ring %s: device %s: %s must be >= %d, got %d"
                             % (ring, dev.get("device"), key, minimum, value))
    return value


def normalize_device(dev, ring="ring"):
    """Validate one declarative device and fill in its defaults.

    Required: ``ip``, ``port``, ``device``, ``weight``, ``zone``. Defaults: ``region`` 1,
    ``replication_ip``/``replication_port`` the same as ``ip``/``port``, ``meta`` ''.
    """
    if not isinstance(dev, dict):
        raise SwiftRingError("ring %s: every device must be a dict, got %r" % (ring, dev))
    missing = [key for key in ("ip", "port", "device", "weight", "zone") if dev.get(key) in (None, "")]
    if missing:
        raise SwiftRingError("ring %s: device %r is missing %s" % (ring, dev, ", ".join(missing)))
    device = str(dev["device"])
    if "/" in device or not device.strip():
        raise SwiftRingError("ring %s: device name %r must be the mount directory name under the "
                             "devices root (for example sdb1), not a path" % (ring, device))
    try:
        weight = float(dev["weight"])
    except (TypeError, ValueError):
        raise SwiftRingError("ring %s: device %s: weight must be a number, got %r"
                             % (ring, device, dev["weight"])) from None
    if weight < 0 or math.isnan(weight) or math.isinf(weight):
        raise SwiftRingError("ring %s: device %s: weight must be >= 0, got %r" % (ring, device, dev["weight"]))
    out = {
        "region": _as_int(ring, dict(dev, region=dev.get("region", 1)), "region", 1),
        "zone": _as_int(ring, dev, "zone", 0),
        "ip": str(dev["ip"]),
        "port": _as_int(ring, dev, "port", 1),
        "device": device,
        "weight": weight,
        "meta": str(dev.get("meta") or ""),
    }
    out["replication_ip"] = str(dev.get("replication_ip") or out["ip"])
    rport = dev.get("replication_port")
    out["replication_port"] = out["port"] if rport in (None, "") else _as_int(ring, dev, "replication_port", 1)
    return out


def device_key(dev):
    """The identity of a device across runs: (ip, port, device)."""
    return (str(dev["ip"]), int(dev["port"]), str(dev["device"]))


def format_device(dev):
    """One line for a device, in the ``swift-ring-builder`` search-value notation plus its weight."""
    text = "r%d z%d %s:%d R%s:%d /%s" % (
        dev["region"], dev["zone"], dev["ip"], dev["port"],
        dev.get("replication_ip", dev["ip"]), dev.get("replication_port", dev["port"]), dev["device"])
    if dev.get("meta"):
        text += ' "%s"' % dev["meta"]
    return "%s weight %.2f" % (text, float(dev["weight"]))


def step_weight(current, target, step):
    """Move a weight toward its target by at most ``step`` (no limit when step is falsy)."""
    current = float(current)
    target = float(target)
    if not step or step <= 0 or abs(target - current) <= step:
        return target
    if target > current:
        return current + step
    return current - step


def plan_device_changes(current, desired, weight_step=None, ring="ring", stepping=True):
    """The changes that bring the builder's devices one step toward the desired list.

    ``current`` is the builder's device list (dicts with ``id``; ``None`` holes allowed),
    ``desired`` the normalised declarative list. With ``stepping`` false (a new ring, or a
    builder never rebalanced) weights go straight to their target and removals happen at once.

    Returns a dict of lists: ``add`` (device dicts with their first weight), ``reweight``
    (``{id, device, from, to, target}``), ``drain`` (devices absent from the list, weighted
    down toward 0), ``remove`` (absent devices already at weight 0), ``set_info``
    (``{id, device, changes}``) and ``pending`` (device lines still not at their target after
    this step).
    """
    by_key = {}
    for dev in current:
        if dev is None:
            continue
        by_key[device_key(dev)] = dev
    wanted = {}
    for dev in desired:
        key = device_key(dev)
        if key in wanted:
            raise SwiftRingError("ring %s: device %s:%d/%s is listed twice" % ((ring,) + key))
        wanted[key] = dev

    plan = {"add": [], "reweight": [], "drain": [], "remove": [], "set_info": [], "pending": []}
    for key in sorted(wanted):
        dev = wanted[key]
        have = by_key.get(key)
        if have is None:
            first = step_weight(0.0, dev["weight"], weight_step if stepping else None)
            new = dict(dev, weight=first)
            plan["add"].append(new)
            if abs(first - dev["weight"]) > WEIGHT_EPSILON:
                plan["pending"].append(format_device(dev))
            continue
        for pkey in PLACEMENT_KEYS:
            if int(have[pkey]) != int(dev[pkey]):
                raise SwiftRingError(
                    "ring %s: device %s:%d/%s would move from %s %s to %s %s; Swift cannot move a "
                    "device between regions or zones in place: remove it from the model, let the "
                    "ring drain it, then add it back in its new place"
                    % ((ring,) + key + (pkey, have[pkey], pkey, dev[pkey])))
        changes = {}
        for ikey in INFO_KEYS:
            old = have.get(ikey, have["ip"] if ikey == "replication_ip" else
                           have["port"] if ikey == "replication_port" else "")
            if str(old) != str(dev[ikey]):
                changes[ikey] = {"from": old, "to": dev[ikey]}
        if changes:
            plan["set_info"].append({"id": have["id"], "device": format_device(dev), "changes": changes})
        cur_w = float(have["weight"])
        if abs(cur_w - dev["weight"]) > WEIGHT_EPSILON:
            new_w = step_weight(cur_w, dev["weight"], weight_step if stepping else None)
            plan["reweight"].append({"id": have["id"], "device": format_device(dev),
                                     "from": cur_w, "to": new_w, "target": dev["weight"]})
            if abs(new_w - dev["weight"]) > WEIGHT_EPSILON:
                plan["pending"].append(format_device(dev))
    for key in sorted(by_key):
        if key in wanted:
            continue
        have = by_key[key]
        cur_w = float(have["weight"])
        if cur_w > WEIGHT_EPSILON and stepping:
            new_w = step_weight(cur_w, 0.0, weight_step)
            plan["drain"].append({"id": have["id"], "device": format_device(have), "from": cur_w, "to": new_w})
            plan["pending"].append(format_device(dict(have, weight=0.0)))
        else:
            plan["remove"].append({"id": have["id"], "device": format_device(have)})
    return plan


def _shown(value):
    return '""' if value in ("", None) else value


def plan_actions(plan):
    """One line per device change of a plan, in the order ensure_ring applies them."""
    lines = ["add %s" % format_device(dev) for dev in plan["add"]]
    lines += ["reweight d%s %.2f -> %.2f (%s)" % (x["id"], x["from"], x["to"], x["device"]) for x in plan["reweight"]]
    lines += ["drain d%s %.2f -> %.2f (%s)" % (x["id"], x["from"], x["to"], x["device"]) for x in plan["drain"]]
    lines += ["set %s of d%s (%s)" % (", ".join("%s %s -> %s" % (k, _shown(c["from"]), _shown(c["to"]))
                                                for k, c in sorted(x["changes"].items())), x["id"], x["device"])
              for x in plan["set_info"]]
    lines += ["remove d%s (%s)" % (x["id"], x["device"]) for x in plan["remove"]]
    return lines


def plan_changes_devices(plan):
    """True when a plan changes any device weight or membership (needs a rebalance)."""
    return bool(plan["add"] or plan["reweight"] or plan["drain"] or plan["remove"])


def check_part_power(ring, existing, wanted):
    """Refuse a part power change on an existing builder."""
    if existing is not None and int(existing) != int(wanted):
        raise SwiftRingError(
            "ring %s: the builder has part power %d and the model asks for %d; the module never "
            "changes part power in place (every partition would move). Keep part_power at %d, or "
            "build a new ring and migrate the data" % (ring, int(existing), int(wanted), int(existing)))


def check_removal_safety(ring, replica2part2dev, remove_ids, dev_names=None):
    """Refuse a removal that leaves any partition with no replica on a remaining device.

    ``replica2part2dev`` is the builder's assignment (one sequence of device ids per replica);
    ``remove_ids`` the ids removed in this step. Returns the number of partitions that lose at
    least one replica (they are re-replicated from the others).
    """
    remove = set(remove_ids)
    if not remove or not replica2part2dev:
        return 0
    nparts = max(len(row) for row in replica2part2dev)
    lost_all = []
    degraded = 0
    for part in range(nparts):
        ids = [row[part] for row in replica2part2dev if part < len(row)]
        hit = [dev_id for dev_id in ids if dev_id in remove]
        if hit:
            degraded += 1
            if len(hit) == len(ids):
                lost_all.append(part)
    if lost_all:
        names = sorted(dev_names.get(i, str(i)) for i in remove) if dev_names else sorted(remove)
        raise SwiftRingError(
            "ring %s: refusing to remove %s: %d partition(s) (for example %s) have all their "
            "replicas on these devices and would lose every copy. Drain them first (the module "
            "weights removed devices down to 0 by weight_step and removes them on a later run; "
            "wait min_part_hours between runs so the partitions move), or remove fewer devices at once"
            % (ring, ", ".join(str(n) for n in names), len(lost_all), lost_all[:5]))
    return degraded


def check_enough_devices(ring, devices_after, replicas):
    """Refuse a plan that leaves fewer weighted devices than replicas."""
    weighted = [d for d in devices_after if d is not None and float(d["weight"]) > WEIGHT_EPSILON]
    if len(weighted) < math.ceil(float(replicas) - WEIGHT_EPSILON):
        raise SwiftRingError(
            "ring %s: %d replica(s) need at least %d devices with weight > 0, the plan leaves %d; "
            "add devices to the model or lower replicas"
            % (ring, int(math.ceil(replicas)) if float(replicas).is_integer() else replicas,
               int(math.ceil(replicas)), len(weighted)))


def apply_plan_to_list(current, plan):
    """The device list (normalised dicts) a plan leads to, without touching a builder."""
    devs = {}
    for dev in current:
        if dev is not None:
            devs[dev["id"]] = dict(dev)
    for item in plan["reweight"] + plan["drain"]:
        devs[item["id"]]["weight"] = item["to"]
    for item in plan["set_info"]:
        for key, change in item["changes"].items():
            devs[item["id"]][key] = change["to"]
    for item in plan["remove"]:
        devs.pop(item["id"], None)
    next_id = max(list(devs) + [d["id"] for d in current if d is not None] + [-1]) + 1
    for dev in plan["add"]:
        devs[next_id] = dict(dev, id=next_id)
        next_id += 1
    return [devs[k] for k in sorted(devs)]


# --------------------------------------------------------------------------------------------
# Device list from the cloud model (shared with the swift_devices filter)
# --------------------------------------------------------------------------------------------


def drive_label(name, explicit=None):
    """The XFS label (and /srv/node directory) of a Swift drive: ``label`` or the device's basename."""
    if explicit:
        label = str(explicit)
    else:
        label = re.sub(r"[^A-Za-z0-9_-]", "", os.path.basename(str(name).rstrip("/")))
    if not label or len(label) > MAX_LABEL_LEN:
        raise SwiftRingError("drive %s: label %r must be 1-%d characters (XFS limit); set a label on "
                             "the device in the disk model" % (name, label, MAX_LABEL_LEN))
    return label


def find_network(networks, purpose, fallback="management"):
    """The name of the network of a purpose (or of the fallback purpose)."""
    for wanted in (purpose, fallback):
        for net in networks or []:
            if net.get("purpose") == wanted:
                return net["name"]
    raise SwiftRingError("no network of purpose %r (nor %r) in helion_networks" % (purpose, fallback))


def default_ring_name(rings):
    """The ring a swift device without a ``rings`` list belongs to (the default object ring)."""
    for ring in rings or []:
        if ring.get("default"):
            return ring["name"]
    return "object-0"


def model_ring_devices(ring_name, hosts, networks, rings=None, ports=None, weight_per_gb=1.0,
                       network_purpose="swift", replication_network_purpose=None):
    """The declarative device list of one ring, computed from per-host model data.

    ``hosts`` maps a host name to its model variables (``helion_server``,
    ``helion_addresses``, ``helion_disks``). Zone and region come from
    ``helion_server.swift_zone``/``swift_region``; the IP from the host's address on the network
    of purpose ``network_purpose`` (fallback: management); device names (labels) and weights
    (``size_gb * weight_per_gb``) from the ``helion_disks.devices`` of consumer swift whose
    ``rings`` list holds the ring (devices with no list belong to the default object ring).
    """
    kind = ring_kind(ring_name)
    port = int((ports or {}).get(kind, DEFAULT_PORTS[kind]))
    net = find_network(networks, network_purpose)
    rnet = find_network(networks, replication_network_purpose, network_purpose) if replication_network_purpose else net
    default_ring = default_ring_name(rings)
    out = []
    for host in sorted(hosts):
        hvars = hosts[host] or {}
        server = hvars.get("helion_server") or {}
        disks = (hvars.get("helion_disks") or {}).get("devices") or []
        swift_disks = [d for d in disks if d.get("consumer") == "swift"]
        mine = [d for d in swift_disks if ring_name in (d.get("rings") or [default_ring])]
        # A server being decommissioned lists no device: its devices drain by weight_step, then leave the ring.
        if not mine or server.get("decommission"):
            continue
        if server.get("swift_zone") is None:
            raise SwiftRingError("host %s: helion_server.swift_zone is not set; give its server group a "
                                 "swift_zone" % host)
        addresses = hvars.get("helion_addresses") or {}
        ip = addresses.get(net)
        if not ip:
            raise SwiftRingError("host %s: no address on network %s (helion_addresses)" % (host, net))
        rip = addresses.get(rnet) or ip
        labels = set()
        for disk in mine:
            label = drive_label(disk.get("name"), disk.get("label"))
            if label in labels:
                raise SwiftRingError("host %s: two swift drives share the label %s" % (host, label))
            labels.add(label)
            try:
                weight = float(disk.get("weight", float(disk["size_gb"]) * float(weight_per_gb)))
            except (KeyError, TypeError, ValueError):
                raise SwiftRingError("host %s: swift drive %s has no usable size_gb"
                                     % (host, disk.get("name"))) from None
            out.append({
                "region": int(server.get("swift_region") or 1),
                "zone": int(server["swift_zone"]),
                "ip": ip,
                "port": port,
                "replication_ip": rip,
                "replication_port": port,
                "device": label,
                "weight": round(weight, 2),
                "meta": host,
            })
    return out


def model_rings(hosts, networks, swift, ports=None, weight_per_gb=1.0, network_purpose="swift",
                replication_network_purpose=None):
    """Every ring of ``helion_swift.rings`` with its parameters and device list."""
    swift = swift or {}
    rings = swift.get("rings") or []
    if not rings:
        raise SwiftRingError("helion_swift.rings is empty: the model declares no Swift ring")
    out = []
    for ring in rings:
        name = ring.get("name")
        ring_kind(name)
        for key in ("part_power", "replicas"):
            if ring.get(key) in (None, ""):
                raise SwiftRingError("ring %s: %s is missing in helion_swift.rings" % (name, key))
        out.append({
            "name": name,
            "part_power": int(ring["part_power"]),
            "replicas": float(ring["replicas"]),
            "min_part_hours": int(ring.get("min_part_hours", 1)),
            "weight_step": float(ring.get("weight_step", swift.get("weight_step") or 0)) or None,
            "devices": model_ring_devices(name, hosts, networks, rings, ports, weight_per_gb,
                                          network_purpose, replication_network_purpose),
        })
    return out


# --------------------------------------------------------------------------------------------
# Builder I/O (needs swift)
# --------------------------------------------------------------------------------------------


def _need_swift():
    if not HAS_SWIFT:
        raise SwiftRingError("the swift Python package is required to build rings: %s" % SWIFT_IMPORT_ERROR)


def _public_dev(dev):
    keys = ("id", "region", "zone", "ip", "port", "replication_ip", "replication_port", "device", "weight", "meta")
    out = dict((k, dev.get(k)) for k in keys)
    out["weight"] = float(out["weight"])
    out.setdefault("replication_ip", out["ip"])
    if out["replication_ip"] is None:
        out["replication_ip"] = out["ip"]
    if out["replication_port"] is None:
        out["replication_port"] = out["port"]
    out["meta"] = out["meta"] or ""
    return out


def builder_devices(builder):
    """The builder's devices as plain dicts (no parts bookkeeping)."""
    return [_public_dev(d) for d in builder.devs if d is not None]


def describe(params, devices):
    """Text for the diff: the ring parameters then one line per device."""
    lines = ["part_power: %s" % params.get("part_power"), "replicas: %s" % params.get("replicas"),
             "min_part_hours: %s" % params.get("min_part_hours")]
    lines += ["d%s %s" % (d.get("id", "?"), format_device(d)) for d in sorted(devices, key=device_key)]
    return "\n".join(lines) + "\n"


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save_ring(ring, path, format_version=1):
    """Write ``ring`` (a RingData) to ``path`` in ``format_version``.

    Swift learnt ``format_version`` in 2.36; older releases (Debian 13 ships 2.35) write format 1 only,
    which is what they read.
    """
    try:
        params = inspect.signature(ring.save).parameters
    except (TypeError, ValueError):
        params = {}
    if "format_version" in params:
        ring.save(path, format_version=format_version)
    elif int(format_version) == 1:
        ring.save(path)
    else:
        raise SwiftRingError("ring format %s needs Swift 2.36 or later on the builder node; this Swift writes "
                             "format 1 only: set format_version: 1" % format_version)


def _ring_bytes_differ(builder, ring_file, format_version):
    """Serialise the builder's ring next to nothing and compare it with ring_file."""
    if not os.path.exists(ring_file):
        return True
    tmpdir = tempfile.mkdtemp(prefix="swift-ring-")
    try:
        candidate = os.path.join(tmpdir, os.path.basename(ring_file))
        save_ring(builder.get_ring(), candidate, format_version)
        return file_sha256(candidate) != file_sha256(ring_file)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _backup(paths, backup_dir, stamp):
    made = []
    for path in paths:
        if path and os.path.exists(path):
            os.makedirs(backup_dir, exist_ok=True)
            dest = os.path.join(backup_dir, "%s.%s" % (stamp, os.path.basename(path)))
            serial = 0
            while os.path.exists(dest):
                serial += 1
                dest = os.path.join(backup_dir, "%s-%d.%s" % (stamp, serial, os.path.basename(path)))
            shutil.copy2(path, dest)
            made.append(dest)
    return made


def rebalance_warnings(builder, parts, removed, balance):
    """The warnings ``swift-ring-builder rebalance`` prints when it exits 1."""
    warnings = []
    if not (parts or removed):
        seconds = builder.min_part_seconds_left
        if seconds > 0:
            warnings.append("no partitions could be reassigned: min_part_hours (%d h) not passed yet, "
                            "%d s left" % (builder.min_part_hours, seconds))
        else:
            warnings.append("no partitions could be reassigned: there is no need to do so at this time")
    if builder.dispersion > 0:
        warnings.append("dispersion of %.6f: some partitions are not optimally dispersed; adjust device "
                        "weights, increase overload or review the dispersion report" % builder.dispersion)
    elif balance > 5 and balance / 100.0 > builder.overload:
        warnings.append("balance of %.2f: push this ring, wait at least %d hours (min_part_hours) and run "
                        "again to rebalance further" % (balance, builder.min_part_hours))
    return warnings


def ensure_ring(name, builder_dir, devices, part_power, replicas, min_part_hours=1, weight_step=None,
                ring_dir=None, backup_dir=None, overload=None, seed=None, pretend_min_part_hours_passed=False,
                format_version=1, check_mode=False, now=None):
    """Bring ring ``name`` one step toward ``devices``. Returns an :class:`EnsureResult`.

    Its resource holds ``created``, ``rebalanced``, ``plan``, ``parts_moved``, ``balance``,
    ``dispersion``, ``ring_warnings``, ``converged``, ``backups``, ``builder_file``,
    ``ring_file``, ``devices`` and the ring parameters after the run. Its actions are the
    builder's creation, the device changes (:func:`plan_actions`), the rebalance and the ring
    file's write; the ring parameters (replicas, min_part_hours, overload) are its compared
    properties; its diff is the text of the parameters and devices before and after.

    New devices are added in (ip, port, device) order. ``seed`` is handed to Swift as text, as
    ``swift-ring-builder <builder> rebalance <seed>`` does: the same seed and the same devices
    added in the same order give the same placement as the CLI.
    """
    _need_swift()
    ring_kind(name)
    ring_dir = ring_dir or builder_dir
    backup_dir = backup_dir or os.path.join(builder_dir, "backups")
    builder_file = os.path.join(builder_dir, "%s.builder" % name)
    ring_file = os.path.join(ring_dir, "%s.ring.gz" % name)
    desired = [normalize_device(d, name) for d in devices]
    part_power = int(part_power)
    replicas = float(replicas)
    min_part_hours = int(min_part_hours)
    if not 1 <= part_power <= 32:
        raise SwiftRingError("ring %s: part_power must be between 1 and 32, got %d" % (name, part_power))
    if replicas < 1:
        raise SwiftRingError("ring %s: replicas must be >= 1, got %s" % (name, replicas))
    if weight_step is not None and float(weight_step) < 0:
        raise SwiftRingError("ring %s: weight_step must be >= 0" % name)
    if seed is not None:
        seed = str(seed)  # the CLI passes its seed argument as text; random.seed(7) != random.seed("7")

    result = {"created": False, "rebalanced": False, "builder_file": builder_file,
              "ring_file": ring_file, "parts_moved": 0, "removed_devices": 0, "ring_warnings": [], "backups": [],
              "ring_written": False}
    try:
        if os.path.exists(builder_file):
            builder = RingBuilder.load(builder_file)
        else:
            builder = None
    except (swift_exceptions.RingBuilderError, OSError, ValueError) as exc:
        raise SwiftRingError("ring %s: cannot load %s: %s" % (name, builder_file, exc)) from exc

    if builder is None:
        if not desired:
            raise SwiftRingError("ring %s: no builder yet and no devices to build it from" % name)
        result["created"] = True
        builder = RingBuilder(part_power, replicas, min_part_hours)
        before_params = {}
        before_devs = []
    else:
        check_part_power(name, builder.part_power, part_power)
        if builder.next_part_power:
            raise SwiftRingError("ring %s: a partition power increase is in progress in %s; finish or cancel "
                                 "it with swift-ring-builder first" % (name, builder_file))
        before_params = {"part_power": builder.part_power, "replicas": builder.replicas,
                         "min_part_hours": builder.min_part_hours}
        before_devs = builder_devices(builder)
    compared_before = {"replicas": builder.replicas, "min_part_hours": builder.min_part_hours,
                       "overload": builder.overload}

    stepping = builder.ever_rebalanced
    plan = plan_device_changes(before_devs, desired, weight_step, name, stepping=stepping)
    params_changed = []
    if not result["created"]:
        if abs(float(builder.replicas) - replicas) > WEIGHT_EPSILON:
            params_changed.append("replicas")
        if int(builder.min_part_hours) != min_part_hours:
            params_changed.append("min_part_hours")
        if overload is not None and abs(float(builder.overload) - float(overload)) > WEIGHT_EPSILON:
            params_changed.append("overload")

    # min_part_hours protects data: do not step weights again before it has passed.
    seconds_left = builder.min_part_seconds_left if builder.ever_rebalanced else 0
    result["min_part_seconds_left"] = int(seconds_left)
    if pretend_min_part_hours_passed:
        seconds_left = 0
    deferred = False
    if seconds_left > 0 and (plan_changes_devices(plan) or "replicas" in params_changed):
        deferred = True
        result["ring_warnings"].append(
            "ring %s: min_part_hours (%d h) has not passed since the last rebalance (%d s left): device "
            "weights, additions and removals are deferred to a later run (set pretend_min_part_hours_passed "
            "only when no partition is in flight)" % (name, builder.min_part_hours, seconds_left))
        pending = [x["device"] for x in plan["add"] + plan["reweight"] + plan["drain"] + plan["remove"]]
        plan = dict(plan, add=[], reweight=[], drain=[], remove=[], pending=sorted(set(plan["pending"] + pending)))
        if "replicas" in params_changed:
            params_changed.remove("replicas")

    after_devs = apply_plan_to_list(before_devs, plan)
    check_enough_devices(name, after_devs, replicas)
    if plan["remove"]:
        dev_names = dict((d["id"], format_device(d)) for d in before_devs)
        result["degraded_partitions"] = check_removal_safety(
            name, getattr(builder, "_replica2part2dev", None), [x["id"] for x in plan["remove"]], dev_names)

    # Apply to the in-memory builder.
    for dev in plan["add"]:
        builder.add_dev(dict(dev))
    for item in plan["reweight"] + plan["drain"]:
        builder.set_dev_weight(item["id"], item["to"])
    for item in plan["set_info"]:
        for key, change in item["changes"].items():
            builder.devs[item["id"]][key] = change["to"]
    if plan["set_info"]:
        builder.version += 1
        builder._ring = None
    for item in plan["remove"]:
        builder.remove_dev(item["id"])
    if "replicas" in params_changed:
        builder.set_replicas(replicas)
    if "min_part_hours" in params_changed:
        builder.change_min_part_hours(min_part_hours)
    if overload is not None and (result["created"] or "overload" in params_changed):
        builder.set_overload(float(overload))

    needs_rebalance = result["created"] or plan_changes_devices(plan) or "replicas" in params_changed
    builder_changed = needs_rebalance or bool(plan["set_info"]) or bool(params_changed)
    if needs_rebalance:
        if pretend_min_part_hours_passed:
            builder.pretend_min_part_hours_passed()
        try:
            parts, balance, removed = builder.rebalance(seed=seed)
            builder.validate()
        except swift_exceptions.RingBuilderError as exc:
            raise SwiftRingError("ring %s: rebalance failed: %s" % (name, exc)) from exc
        except ValueError as exc:
            raise SwiftRingError("ring %s: rebalance failed: %s" % (name, exc)) from exc
        result["rebalanced"] = True
        result["parts_moved"] = int(parts)
        result["removed_devices"] = int(removed)
        result["ring_warnings"].extend(rebalance_warnings(builder, parts, removed, balance))

    ring_stale = builder.ever_rebalanced and (builder_changed or _ring_bytes_differ(builder, ring_file, format_version))
    ensure = EnsureResult(resource=result)
    if result["created"]:
        ensure.act("create %s" % builder_file)
    else:
        for key in ("replicas", "min_part_hours") + (("overload",) if overload is not None else ()):
            ensure.add(key, compared_before[key], getattr(builder, key))
    for line in plan_actions(plan):
        ensure.act(line)
    if needs_rebalance:
        ensure.act("rebalance")
    if ring_stale:
        ensure.act("write %s" % ring_file)
    if ensure.changed and not check_mode:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
        try:
            os.makedirs(builder_dir, exist_ok=True)
            os.makedirs(ring_dir, exist_ok=True)
            if builder_changed:
                result["backups"] = _backup([builder_file, ring_file], backup_dir, stamp)
                tmp = builder_file + ".tmp"
                builder.save(tmp)
                os.rename(tmp, builder_file)
            if builder.ever_rebalanced:
                save_ring(builder.get_ring(), ring_file, format_version)
                result["ring_written"] = True
        except OSError as exc:
            raise SwiftRingError("ring %s: cannot write %s or %s: %s" % (name, builder_file, ring_file, exc)) from exc

    after_params = {"part_power": builder.part_power, "replicas": builder.replicas,
                    "min_part_hours": builder.min_part_hours}
    final_devs = builder_devices(builder)
    result.update({
        "plan": plan,
        "params_changed": params_changed,
        "deferred": deferred,
        "converged": not plan["pending"] and not deferred,
        "balance": round(float(builder.get_balance()), 4) if builder.ever_rebalanced else None,
        "dispersion": round(float(builder.dispersion), 4) if builder.ever_rebalanced else None,
        "devices": final_devs,
        "part_power": builder.part_power,
        "replicas": builder.replicas,
        "min_part_hours": builder.min_part_hours,
    })
    ensure.set_diff(describe(before_params, before_devs) if before_devs or before_params else "",
                    describe(after_params, final_devs), before_header=builder_file, after_header=builder_file)
    if result["ring_written"] or (os.path.exists(ring_file) and not check_mode):
        result["ring_sha256"] = file_sha256(ring_file)
    return ensure
