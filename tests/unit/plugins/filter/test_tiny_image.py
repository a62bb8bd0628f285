# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tiny_image role's decisions: which packages an image is built from, their versions, and its stamp."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.helion.openstack.plugins.filter.tiny_image import (apt_versions, dependency_names,
                                                                            parse_records, tiny_image_packages,
                                                                            tiny_image_stamp)

# Trimmed from `apt-cache show --no-all-versions` on Debian 13.
META = """Package: linux-image-cloud-amd64
Source: linux-signed-amd64 (6.12.117+1)
Version: 6.12.117-1
Architecture: amd64
Depends: linux-image-6.12.117+deb13-cloud-amd64 (= 6.12.117-1)
Description: Linux for x86-64 cloud (meta-package)
"""
REAL = """Package: linux-image-6.12.117+deb13-cloud-amd64
Source: linux-signed-amd64 (6.12.117+1)
Version: 6.12.117-1
Depends: kmod, linux-base (>= 4.12~),
 initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool
Recommends: firmware-linux-free, apparmor
"""
BUSYBOX = """Package: busybox-static
Version: 1:1.37.0-6+b9
Built-Using: glibc (= 2.41-10)
"""
DROPBEAR = """Package: dropbear-bin
Version: 2025.89-1~deb13u1
Depends: libc6 (>= 2.38), libcrypt1 (>= 1:4.1.0), libtomcrypt1 (>= 1.18.2), libtommath1 (>= 1.2.0),
 zlib1g (>= 1:1.1.4)
Breaks: dropbear (<< 2015.68-1)
"""
LIBS = ["libc6", "libcrypt1", "libtomcrypt1", "libtommath1", "zlib1g"]


def show(*records):
    return "\n".join(records)


@pytest.mark.parametrize("field, names", [
    ("libc6 (>= 2.38), zlib1g (>= 1:1.1.4)", ["libc6", "zlib1g"]),
    ("initramfs-tools (>= 0.120) | linux-initramfs-tool, kmod", ["initramfs-tools", "kmod"]),
    ("python3:any (>= 3.11), libc6:amd64", ["python3", "libc6"]),
    ("libgcc-s1, libgcc-s1 (>= 3.0)", ["libgcc-s1"]),
    ("", []),
    (None, []),
])
def test_dependency_names(field, names):
    assert dependency_names(field) == names


def test_parse_records_joins_continuation_lines():
    records = parse_records(show(META, DROPBEAR))
    assert [r["Package"] for r in records] == ["linux-image-cloud-amd64", "dropbear-bin"]
    assert records[1]["Depends"].endswith("libtommath1 (>= 1.2.0), zlib1g (>= 1:1.1.4)")


@pytest.mark.parametrize("text, kernel, expected", [
    # the metapackage leads to the package that holds the kernel
    (show(META, BUSYBOX, DROPBEAR), "linux-image-cloud-amd64",
     ["linux-image-6.12.117+deb13-cloud-amd64", "busybox-static", "dropbear-bin"] + LIBS),
    # a real kernel package depends on no linux-image-*: it is its own kernel
    (show(REAL, BUSYBOX, DROPBEAR), "linux-image-6.12.117+deb13-cloud-amd64",
     ["linux-image-6.12.117+deb13-cloud-amd64", "busybox-static", "dropbear-bin"] + LIBS),
    # the records come in any order, without a trailing blank line
    (show(DROPBEAR, META, BUSYBOX.strip()), "linux-image-cloud-amd64",
     ["linux-image-6.12.117+deb13-cloud-amd64", "busybox-static", "dropbear-bin"] + LIBS),
    # a dropbear that pre-depends on a library: it is downloaded once
    (show(META, BUSYBOX, "Package: dropbear-bin\nVersion: 1\nPre-Depends: libc6\nDepends: libc6, zlib1g\n"),
     "linux-image-cloud-amd64", ["linux-image-6.12.117+deb13-cloud-amd64", "busybox-static", "dropbear-bin",
                                 "libc6", "zlib1g"]),
])
def test_tiny_image_packages(text, kernel, expected):
    assert tiny_image_packages(text, kernel, "busybox-static", "dropbear-bin") == expected


@pytest.mark.parametrize("text, missing", [
    (show(BUSYBOX, DROPBEAR), "linux-image-cloud-amd64"),
    (show(META, DROPBEAR), "busybox-static"),
    ("", "linux-image-cloud-amd64, busybox-static, dropbear-bin"),
])
def test_tiny_image_packages_names_what_apt_does_not_know(text, missing):
    with pytest.raises(AnsibleFilterError, match="no candidate of %s;" % missing):
        tiny_image_packages(text, "linux-image-cloud-amd64", "busybox-static", "dropbear-bin")


@pytest.mark.parametrize("packages, versions", [
    (["busybox-static", "dropbear-bin"], {"busybox-static": "1:1.37.0-6+b9", "dropbear-bin": "2025.89-1~deb13u1"}),
    (["linux-image-cloud-amd64"], {"linux-image-cloud-amd64": "6.12.117-1"}),
    ([], {}),
])
def test_apt_versions(packages, versions):
    assert apt_versions(show(META, BUSYBOX, DROPBEAR), packages) == versions


@pytest.mark.parametrize("packages, missing", [
    (["busybox-static", "zlib1g"], "zlib1g"),
    (["libc6", "zlib1g"], "libc6, zlib1g"),
])
def test_apt_versions_fails_on_a_package_without_candidate(packages, missing):
    with pytest.raises(AnsibleFilterError, match="no candidate version of %s;" % missing):
        apt_versions(show(META, BUSYBOX, DROPBEAR), packages)


VERSIONS = {"zlib1g": "1:1.3", "busybox-static": "1:1.37.0-6+b9"}
SETTINGS = {"modules": ["virtio_pci", "virtio_net"], "kernel_args": "console=tty0 console=ttyS0"}


def test_tiny_image_stamp_lists_every_input_in_a_stable_order():
    stamp = tiny_image_stamp(VERSIONS, "abc123", SETTINGS)
    assert stamp.splitlines()[1:] == [
        "script abc123",
        "package busybox-static 1:1.37.0-6+b9",
        "package zlib1g 1:1.3",
        "setting kernel_args console=tty0 console=ttyS0",
        "setting modules virtio_pci virtio_net",
    ]
    assert stamp.endswith("\n")
    assert tiny_image_stamp(dict(reversed(list(VERSIONS.items()))), "abc123", SETTINGS) == stamp


@pytest.mark.parametrize("versions, checksum, settings", [
    (dict(VERSIONS, zlib1g="1:1.3.1"), "abc123", SETTINGS),
    (VERSIONS, "abc124", SETTINGS),
    (VERSIONS, "abc123", dict(SETTINGS, modules=["virtio_pci", "virtio_net", "virtio_blk"])),
    (dict(VERSIONS, libc6="2.41"), "abc123", SETTINGS),
])
def test_tiny_image_stamp_changes_with_any_input(versions, checksum, settings):
    assert tiny_image_stamp(versions, checksum, settings) != tiny_image_stamp(VERSIONS, "abc123", SETTINGS)
