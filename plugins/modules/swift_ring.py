#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: swift_ring
short_description: Create and update one Swift ring builder from a declarative device list
version_added: 0.1.0
description:
  - Creates or updates the C(<name>.builder) of one Swift ring (account, container or object-N) with Swift's own
    Python C(RingBuilder), so that its devices match O(devices).
  - Adds, removes and reweights devices, and updates replication IP/port and meta in place. On an existing ring,
    weights move toward their target by at most O(weight_step) per run; a device that is no longer listed is first
    weighted down to 0 by O(weight_step) (drained) and removed only on a later run, once its weight is 0. A new
    ring is built at full weights at once.
  - Rebalances only when something changed, validates the builder, writes C(<name>.ring.gz) and keeps a dated backup
    of the builder and ring file it replaces. Reports balance and dispersion. A rebalance that succeeds with
    warnings (what C(swift-ring-builder rebalance) reports with exit code 1) is a success with the warnings in
    RV(ring_warnings) (and as Ansible warnings).
  - Refuses to change the part power of an existing builder, to move a device between regions or zones, to leave
    fewer weighted devices than replicas, and to remove devices that hold every replica of a partition.
  - While C(min_part_hours) has not passed since the last rebalance, device changes are deferred (the module
    changes nothing and says so in RV(ring_warnings)), unless O(pretend_min_part_hours_passed) is set.
  - Runs where the builder files live (the ring builder node).
requirements:
  - swift (the OpenStack Swift Python package)
extends_documentation_fragment:
  - helion.openstack.attributes
attributes:
  check_mode:
    support: full
    details: The rebalance runs in memory, so the result predicts moved partitions, balance and dispersion.
  diff_mode:
    support: full
    details: The diff shows the ring parameters and one line per device, before and after.
options:
  name:
    description: The ring, C(account), C(container), C(object) or C(object-<N>).
    type: str
    required: true
  builder_dir:
    description: The directory of C(<name>.builder).
    type: path
    default: /etc/swift
  ring_dir:
    description: The directory of C(<name>.ring.gz). Defaults to O(builder_dir).
    type: path
  backup_dir:
    description: Where dated backups (C(<UTC timestamp>.<file>)) go. Defaults to C(<builder_dir>/backups).
    type: path
  part_power:
    description: The partition power (2^part_power partitions). Never changed on an existing builder.
    type: int
    required: true
  replicas:
    description: The replica count (fractional counts are allowed by Swift).
    type: float
    required: true
  min_part_hours:
    description: Hours during which a moved partition is not moved again.
    type: int
    default: 1
  overload:
    description: The builder's overload factor (0.1 is 10%). Unchanged when not set.
    type: float
  weight_step:
    description:
      - The largest weight change per device and run on an existing ring. V(0) or unset means no limit.
      - Removals are still staged; the device is weighted down to 0 first and removed on a later run.
    type: float
  pretend_min_part_hours_passed:
    description:
      - Act as if C(min_part_hours) had passed since the last rebalance (Swift's C(pretend_min_part_hours_passed)).
      - In a real cloud min_part_hours protects data in flight; use this only when replication has caught up.
    type: bool
    default: false
  seed:
    description:
      - Rebalance seed, for reproducible placement.
      - Handed to Swift as text, like C(swift-ring-builder <builder> rebalance <seed>), so the same seed on the same
        devices gives the same placement as the CLI (the module adds new devices in (ip, port, device) order).
    type: int
  format_version:
    description: The ring file format. V(1) is readable by every Swift release.
    type: int
    default: 1
    choices: [1, 2]
  devices:
    description: Every device the ring should hold.
    type: list
    elements: dict
    required: true
    suboptions:
      region:
        description: The region.
        type: int
        default: 1
      zone:
        description: The zone.
        type: int
        required: true
      ip:
        description: The IP of the storage server.
        type: str
        required: true
      port:
        description: The port of the storage server.
        type: int
        required: true
      replication_ip:
        description: The replication IP. Defaults to O(devices[].ip).
        type: str
      replication_port:
        description: The replication port. Defaults to O(devices[].port).
        type: int
      device:
        description: The device name, the directory under the devices root (C(/srv/node/<device>)).
        type: str
        required: true
      weight:
        description: The target weight.
        type: float
        required: true
      meta:
        description: Free text kept with the device (for example the host name).
        type: str
        default: ''
notes:
  - A device is identified by its O(devices[].ip), O(devices[].port) and O(devices[].device).
seealso:
  - module: helion.openstack.swift_drive
  - name: Swift ring builder
    description: How Swift places partitions.
    link: https://docs.openstack.org/swift/latest/overview_ring.html
author:
  - helion.openstack contributors (@helion-openstack)
"""

EXAMPLES = r"""
- name: Build the object ring
  helion.openstack.swift_ring:
    name: object-0
    builder_dir: /etc/swift
    part_power: 16
    replicas: 3
    min_part_hours: 16
    weight_step: 1000
    devices:
      - {region: 1, zone: 1, ip: 10.0.3.10, port: 6200, device: sdb, weight: 4000}
      - {region: 1, zone: 2, ip: 10.0.3.11, port: 6200, device: sdb, weight: 4000}
      - {region: 1, zone: 3, ip: 10.0.3.12, port: 6200, device: sdb, weight: 4000}
  register: object_ring

- name: Show the balance
  ansible.builtin.debug:
    msg: "balance {{ object_ring.balance }}, dispersion {{ object_ring.dispersion }}"
"""

RETURN = r"""
actions:
  description:
    - What the run did (in check mode, what it would do), in order; empty when nothing changed.
    - The builder's creation, each device added, reweighted, drained, changed or removed (see RV(plan)), the
      rebalance, and the write of the ring file.
  returned: always
  type: list
  elements: str
  sample: ["reweight d0 100.00 -> 150.00 (r1 z1 10.0.3.10:6200 R10.0.3.10:6200 /sdb weight 150.00)", "rebalance",
           "write /etc/swift/object-0.ring.gz"]
builder_file:
  description: The builder file.
  returned: always
  type: str
  sample: /etc/swift/object-0.builder
ring_file:
  description: The ring file.
  returned: always
  type: str
  sample: /etc/swift/object-0.ring.gz
ring_sha256:
  description: SHA-256 of the ring file on disk after the run.
  returned: when the ring file exists
  type: str
  sample: 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
created:
  description: Whether the builder was created.
  returned: always
  type: bool
  sample: false
rebalanced:
  description: Whether the ring was rebalanced.
  returned: always
  type: bool
  sample: true
ring_written:
  description: Whether the ring file was written.
  returned: always
  type: bool
  sample: true
parts_moved:
  description: Partition replicas reassigned by the rebalance.
  returned: always
  type: int
  sample: 981
removed_devices:
  description: Devices removed from the builder by the rebalance.
  returned: always
  type: int
  sample: 0
balance:
  description: The ring's balance (percent) after the run; null before the first rebalance (check mode).
  returned: always
  type: float
  sample: 0.78
dispersion:
  description: The ring's dispersion (percent of partitions not optimally dispersed) after the run.
  returned: always
  type: float
  sample: 0.0
ring_warnings:
  description: Rebalance warnings (success with warnings) and deferrals; each is also issued as an Ansible warning.
  returned: always
  type: list
  elements: str
  sample: ["balance of 12.50: push this ring, wait at least 1 hours (min_part_hours) and run again"]
converged:
  description: Whether every device is at its target weight and no removal is pending.
  returned: always
  type: bool
  sample: true
deferred:
  description: Whether device changes were deferred because min_part_hours has not passed.
  returned: always
  type: bool
  sample: false
min_part_seconds_left:
  description: Seconds until min_part_hours has passed since the last rebalance.
  returned: always
  type: int
  sample: 0
plan:
  description: What this run changes.
  returned: always
  type: dict
  contains:
    add:
      description: Devices added, with their first weight.
      type: list
      elements: dict
      returned: always
    reweight:
      description: Listed devices whose weight moves (C(id), C(device), C(from), C(to), C(target)).
      type: list
      elements: dict
      returned: always
    drain:
      description: Unlisted devices weighted down toward 0 (C(id), C(device), C(from), C(to)).
      type: list
      elements: dict
      returned: always
    remove:
      description: Unlisted devices at weight 0, removed (C(id), C(device)).
      type: list
      elements: dict
      returned: always
    set_info:
      description: Devices whose replication IP/port or meta change (C(id), C(device), C(changes)).
      type: list
      elements: dict
      returned: always
    pending:
      description: Devices still not at their target after this run.
      type: list
      elements: str
      returned: always
  sample: {add: [], reweight: [], drain: [], remove: [], set_info: [], pending: []}
params_changed:
  description: Ring parameters changed (replicas, min_part_hours, overload).
  returned: always
  type: list
  elements: str
  sample: []
backups:
  description: Backup copies made of the files this run replaced.
  returned: always
  type: list
  elements: str
  sample: [/etc/swift/backups/20261121T050000Z.object-0.builder]
degraded_partitions:
  description: Partitions that lose one replica (but not all) through the removals of this run.
  returned: when devices are removed
  type: int
  sample: 512
devices:
  description: The builder's devices after the run.
  returned: always
  type: list
  elements: dict
  sample: [{id: 0, region: 1, zone: 1, ip: 10.0.3.10, port: 6200, replication_ip: 10.0.3.10,
            replication_port: 6200, device: sdb, weight: 4000.0, meta: ''}]
part_power:
  description: The builder's part power.
  returned: always
  type: int
  sample: 16
replicas:
  description: The builder's replica count.
  returned: always
  type: float
  sample: 3.0
min_part_hours:
  description: The builder's min_part_hours.
  returned: always
  type: int
  sample: 16
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.helion.openstack.plugins.module_utils._swift_ring import (
    HAS_SWIFT,
    SWIFT_IMPORT_ERROR,
    SwiftRingError,
    ensure_ring,
)


def main():
    device_spec = dict(
        region=dict(type="int", default=1),
        zone=dict(type="int", required=True),
        ip=dict(type="str", required=True),
        port=dict(type="int", required=True),
        replication_ip=dict(type="str"),
        replication_port=dict(type="int"),
        device=dict(type="str", required=True),
        weight=dict(type="float", required=True),
        meta=dict(type="str", default=""),
    )
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            builder_dir=dict(type="path", default="/etc/swift"),
            ring_dir=dict(type="path"),
            backup_dir=dict(type="path"),
            part_power=dict(type="int", required=True),
            replicas=dict(type="float", required=True),
            min_part_hours=dict(type="int", default=1),
            overload=dict(type="float"),
            weight_step=dict(type="float"),
            pretend_min_part_hours_passed=dict(type="bool", default=False),
            seed=dict(type="int"),
            format_version=dict(type="int", default=1, choices=[1, 2]),
            devices=dict(type="list", elements="dict", required=True, options=device_spec),
        ),
        supports_check_mode=True,
    )
    if not HAS_SWIFT:
        module.fail_json(msg=missing_required_lib("swift"), exception=str(SWIFT_IMPORT_ERROR))
    p = module.params
    try:
        result = ensure_ring(
            p["name"], p["builder_dir"], p["devices"], p["part_power"], p["replicas"],
            min_part_hours=p["min_part_hours"], weight_step=p["weight_step"], ring_dir=p["ring_dir"],
            backup_dir=p["backup_dir"], overload=p["overload"], seed=p["seed"],
            pretend_min_part_hours_passed=p["pretend_min_part_hours_passed"],
            format_version=p["format_version"], check_mode=module.check_mode)
    except SwiftRingError as exc:
        module.fail_json(msg=str(exc), exception=traceback.format_exc())
    for warning in result.resource["ring_warnings"]:
        module.warn(warning)
    module.exit_json(**result.module_result(diff_mode=module._diff and result.changed))


if __name__ == "__main__":
    main()
