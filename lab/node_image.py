# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the lab's node image carries, read from the roles: every package list of the roles' defaults
(`<role>_*_packages` that are plain lists) and every debconf answer of their vars (`_<role>_preseed*`), as an
overcloud image built for Ironic would carry them. The deploy then finds the packages installed and installs
nothing; it configures and starts every service as on any node.

Usage: python lab/node_image.py ROLES_DIR OUT_DIR
Writes OUT_DIR/packages (one per line), OUT_DIR/selections (debconf-set-selections) and prints the image tag:
a hash of both and of lab/node_image.sh, so a changed list or build makes a new image.
"""
import hashlib
import os
import sys

import yaml

# Packages the roles install by name in their tasks rather than from a list in their defaults (Galera's state
# transfer and its health check, the 3PAR client's archive) and the lab's package cache.
EXTRA_PACKAGES = ["socat", "python3-pymysql", "unzip", "apt-cacher-ng"]


def load(path):
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return yaml.safe_load(f) or {}


def packages(roles_dir):
    found = set(EXTRA_PACKAGES)
    for role in sorted(os.listdir(roles_dir)):
        for key, value in load(os.path.join(roles_dir, role, "defaults", "main.yml")).items():
            # Templated lists (a string) are unions of the plain ones.
            if key.endswith("_packages") and isinstance(value, list):
                found.update(str(p) for p in value)
    return sorted(found)


def selections(roles_dir):
    lines = set()
    for role in sorted(os.listdir(roles_dir)):
        for key, value in load(os.path.join(roles_dir, role, "vars", "main.yml")).items():
            if not (key.startswith("_%s_preseed" % role) and isinstance(value, list)):
                continue
            for item in value:
                answer = item.get("value", "false")
                if isinstance(answer, bool):
                    answer = "true" if answer else "false"
                lines.add("%s %s %s %s" % (item["package"], item["question"], item.get("vtype", "boolean"), answer))
    return sorted(lines)


def main():
    roles_dir, out = sys.argv[1:3]
    os.makedirs(out, exist_ok=True)
    pkgs, sels = packages(roles_dir), selections(roles_dir)
    with open(os.path.join(out, "packages"), "w") as f:
        f.write("\n".join(pkgs) + "\n")
    with open(os.path.join(out, "selections"), "w") as f:
        f.write("\n".join(sels) + "\n")
    digest = hashlib.sha256()
    for name in ("packages", "selections"):
        with open(os.path.join(out, name), "rb") as f:
            digest.update(f.read())
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "node_image.sh"), "rb") as f:
        digest.update(f.read())
    print(digest.hexdigest()[:12])


if __name__ == "__main__":
    main()
