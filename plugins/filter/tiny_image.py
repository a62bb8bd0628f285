# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# The filters are documented in tiny_image_packages.yml, apt_versions.yml and tiny_image_stamp.yml.

import re

from ansible.errors import AnsibleFilterError

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9+.-]*)(?::[A-Za-z0-9-]+)?")


def parse_records(text):
    """``apt-cache show`` output -> a list of {field: value} records (continuation lines joined)."""
    records, record, field = [], {}, None
    for line in str(text or "").splitlines():
        if not line.strip():
            if record:
                records.append(record)
            record, field = {}, None
        elif line[0] in " \t":
            if field:
                record[field] += " " + line.strip()
        elif ":" in line:
            field, value = line.split(":", 1)
            record[field] = value.strip()
    if record:
        records.append(record)
    return records


def dependency_names(field):
    """``"a (>= 1) | b, c:any"`` -> ``["a", "c"]``: the first alternative of each dependency."""
    names = []
    for dependency in str(field or "").split(","):
        match = _NAME.match(dependency.split("|")[0])
        if match and match.group(1) not in names:
            names.append(match.group(1))
    return names


def by_package(text):
    records = {}
    for record in parse_records(text):
        if "Package" in record:
            records.setdefault(record["Package"], record)
    return records


def tiny_image_packages(text, kernel, busybox, dropbear):
    records = by_package(text)
    missing = [name for name in (kernel, busybox, dropbear) if name not in records]
    if missing:
        raise AnsibleFilterError("tiny_image_packages: apt knows no candidate of %s; is the package name right, "
                                 "and the package list current (apt-get update)?" % ", ".join(missing))
    kernel_deps = dependency_names(records[kernel].get("Depends"))
    real_kernel = next((dep for dep in kernel_deps if dep.startswith("linux-image-")), kernel)
    dropbear_deps = dependency_names(records[dropbear].get("Pre-Depends")) + \
        dependency_names(records[dropbear].get("Depends"))
    packages = []
    for name in [real_kernel, busybox, dropbear] + dropbear_deps:
        if name not in packages:
            packages.append(name)
    return packages


def apt_versions(text, packages):
    records = by_package(text)
    missing = [name for name in packages if "Version" not in records.get(name, {})]
    if missing:
        raise AnsibleFilterError("apt_versions: apt knows no candidate version of %s; run apt-get update, or check "
                                 "the repositories in /etc/apt" % ", ".join(missing))
    return dict((name, records[name]["Version"]) for name in packages)


def tiny_image_stamp(versions, script_checksum, settings):
    lines = ["# helion.openstack.tiny_image: the inputs of the image next to this file; a change rebuilds it.",
             "script %s" % script_checksum]
    lines += ["package %s %s" % (name, versions[name]) for name in sorted(versions)]
    for name in sorted(settings):
        value = settings[name]
        if isinstance(value, (list, tuple)):
            value = " ".join(str(item) for item in value)
        lines.append("setting %s %s" % (name, value))
    return "\n".join(lines) + "\n"


class FilterModule(object):
    def filters(self):
        return {
            "tiny_image_packages": tiny_image_packages,
            "apt_versions": apt_versions,
            "tiny_image_stamp": tiny_image_stamp,
        }
