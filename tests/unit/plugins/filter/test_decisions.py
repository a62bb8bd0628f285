# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The decisions the roles take in Python: Galera's bootstrap node, secrets, the Keystone catalog."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import re

import pytest
from ansible.errors import AnsibleFilterError
from cryptography.fernet import Fernet

from ansible_collections.helion.openstack.plugins.filter.galera import galera_bootstrap_host, galera_joiners
from ansible_collections.helion.openstack.plugins.filter.keystone import catalog_urls
from ansible_collections.helion.openstack.plugins.filter.secrets import missing_secrets, secrets_missing
from ansible_collections.helion.openstack.plugins.filter.swift_devices import swift_local_drives, swift_network
from ansible_collections.helion.openstack.plugins.filter.swift_recon import swift_recon_md5

MEMBERS = ["ctl1", "ctl2", "ctl3"]
U = "6c1f4a3e-0000-11ef-8000-000000000001"


@pytest.mark.parametrize("positions, chosen", [
    # highest seqno wins, wherever it is listed
    ({"ctl1": U + " 10 0", "ctl2": U + " 12 0", "ctl3": U + " 11 0"}, "ctl2"),
    # a tie on seqno: safe_to_bootstrap wins
    ({"ctl1": U + " 12 0", "ctl2": U + " 12 0", "ctl3": U + " 12 1"}, "ctl3"),
    # a full tie: the member listed first
    ({"ctl1": U + " 12 0", "ctl2": U + " 12 0", "ctl3": U + " 12 0"}, "ctl1"),
    ({"ctl3": U + " 5 1", "ctl2": U + " 5 1"}, "ctl2"),
    # a node that never joined (-1) loses to any recorded position
    ({"ctl1": "none -1 0", "ctl2": U + " 0 0"}, "ctl2"),
    # safe_to_bootstrap does not beat a higher seqno
    ({"ctl1": U + " 130 0", "ctl2": U + " 129 1"}, "ctl1"),
    # a member outside the list is ranked after the listed ones on a tie
    ({"other": U + " 7 0", "ctl3": U + " 7 0"}, "ctl3"),
])
def test_galera_bootstrap_host(positions, chosen):
    assert galera_bootstrap_host(positions, MEMBERS) == chosen


@pytest.mark.parametrize("positions", [{}, {"ctl1": "garbage"}, {"ctl1": U + " x 0"}])
def test_galera_bootstrap_host_rejects_unreadable_positions(positions):
    with pytest.raises(AnsibleFilterError, match="galera_bootstrap_host"):
        galera_bootstrap_host(positions, MEMBERS)


@pytest.mark.parametrize("running, members, joiners", [
    ({"ctl1": True, "ctl2": False, "ctl3": False}, MEMBERS, ["ctl2", "ctl3"]),
    ({"ctl1": True, "ctl2": True, "ctl3": True}, MEMBERS, []),
    ({"ctl3": False, "ctl1": False}, MEMBERS, ["ctl1", "ctl3"]),
    ({"ctl1": False}, ["ctl2"], []),
])
def test_galera_joiners(running, members, joiners):
    assert galera_joiners(running, members) == joiners


def test_secrets_missing_generates_only_what_is_missing():
    decls = [
        {"name": "vault_a", "length": 16},
        {"name": "vault_b", "kind": "hex", "length": 10},
        {"name": "vault_cookie", "kind": "cookie"},
        {"name": "vault_keys", "kind": "fernet", "count": 3},
        {"name": "vault_kept"},
    ]
    new = missing_secrets(decls, {"vault_kept": "old"})
    assert sorted(new) == ["vault_a", "vault_b", "vault_cookie", "vault_keys"]
    assert re.fullmatch(r"[A-Za-z0-9]{16}", new["vault_a"])
    assert re.fullmatch(r"[0-9a-f]{10}", new["vault_b"])
    assert re.fullmatch(r"[A-Z]{32}", new["vault_cookie"])
    assert len(new["vault_keys"]) == 3 and len(set(new["vault_keys"])) == 3
    for key in new["vault_keys"]:
        assert len(base64.urlsafe_b64decode(key)) == 32
        Fernet(key)  # the library Keystone uses accepts it


def test_secrets_missing_returns_nothing_when_all_are_there():
    assert missing_secrets([{"name": "vault_a"}, {"name": "vault_a"}], {"vault_a": "x"}) == {}


def test_secrets_missing_values_differ_between_calls():
    one = missing_secrets([{"name": "vault_a"}], {})
    two = missing_secrets([{"name": "vault_a"}], {})
    assert one["vault_a"] != two["vault_a"] and len(one["vault_a"]) == 24


@pytest.mark.parametrize("decls, message", [
    ([{"kind": "password"}], "needs a 'name'"),
    ([{"name": "Bad-Name"}], "needs a 'name'"),
    ([{"name": "vault_a", "kind": "rsa"}], "vault_a: unknown kind 'rsa'"),
    ([{"name": "vault_a", "length": 0}], "vault_a: length must be a whole number"),
    ([{"name": "vault_a", "kind": "fernet", "count": "2"}], "vault_a: count must be a whole number"),
    ([{"name": "vault_a"}, {"name": "vault_a", "kind": "fernet"}], "vault_a is declared twice"),
])
def test_secrets_missing_names_the_bad_declaration(decls, message):
    with pytest.raises(AnsibleFilterError, match=re.escape(message)):
        secrets_missing(decls, {})


CATALOG = [
    {"type": "identity", "endpoints": [
        {"interface": "public", "url": "http://pub:5000/v3"},
        {"interface": "internal", "url": "http://int:5000/v3"},
        {"interface": "admin", "url": "http://int:5000/v3"}]},
    {"type": "image", "endpoints": [{"interface": "public", "url": "http://pub:9292"}]},
]


@pytest.mark.parametrize("catalog, stype, urls", [
    (CATALOG, "identity", ["http://int:5000/v3", "http://int:5000/v3", "http://pub:5000/v3"]),
    (CATALOG, "image", ["http://pub:9292"]),
    (CATALOG, "compute", []),
    ([], "identity", []),
    (None, "identity", []),
    ([{"type": "identity", "endpoints": None}], "identity", []),
])
def test_catalog_urls(catalog, stype, urls):
    assert catalog_urls(catalog, stype) == urls


def test_role_secrets_collects_every_roles_declarations(tmp_path):
    from ansible_collections.helion.openstack.plugins.filter.secrets import role_secrets
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    (tmp_path / "a" / "main.yml").write_text("a_port: 1\na_secrets:\n  - {name: vault_a, length: 8}\n")
    b_defaults = "b_secrets:\n  - {name: vault_b_keys, kind: fernet, count: 3}\nb_other_secrets: []\n"
    (tmp_path / "b" / "main.yml").write_text(b_defaults)
    (tmp_path / "c" / "main.yml").write_text("c_port: 2\n")
    paths = [str(tmp_path / d / "main.yml") for d in "cba"]
    assert role_secrets(paths) == [{"name": "vault_a", "length": 8},
                                   {"name": "vault_b_keys", "kind": "fernet", "count": 3}]


def test_role_secrets_of_the_collection_cover_what_the_roles_use():
    """Every vault_* variable a role's defaults refer to is declared by some role or the cloud-wide list."""
    import glob
    import os
    import yaml as _yaml
    from ansible_collections.helion.openstack.plugins.filter.secrets import role_secrets
    roles = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles")
    paths = glob.glob(os.path.join(roles, "*", "defaults", "main.yml"))
    declared = {d["name"] for d in role_secrets(roles)}
    assert declared == {d["name"] for d in role_secrets(paths)}
    with open(os.path.join(roles, "secrets", "defaults", "main.yml")) as f:
        declared |= {d["name"] for d in _yaml.safe_load(f)["secrets_definitions"]}
    used = set()
    for p in paths:
        with open(p) as f:
            used |= set(re.findall(r"\bvault_[a-z0-9_]+", f.read()))
    assert used and used <= declared, sorted(used - declared)


@pytest.mark.parametrize("text, message", [
    ("x_secrets: {name: vault_x}\n", "must be a list"),
    ("x_secrets:\n  - {kind: password}\n", "needs a 'name'"),
])
def test_role_secrets_names_the_file_and_the_key(tmp_path, text, message):
    from ansible_collections.helion.openstack.plugins.filter.secrets import role_secrets
    (tmp_path / "main.yml").write_text(text)
    with pytest.raises(AnsibleFilterError, match=re.escape(message)):
        role_secrets([str(tmp_path / "main.yml")])


# --- Swift: the drives of one host and the network the storage servers listen on ---

_NETS = [{"name": "mgmt", "purpose": "management"}, {"name": "obj", "purpose": "swift"}]


@pytest.mark.parametrize("disks, expected", [
    (None, []),
    ({"os_disk": "/dev/sda"}, []),
    ({"devices": [{"name": "/dev/sdb", "consumer": "swift"}, {"name": "/dev/sdc", "consumer": "cinder"}]},
     [{"device": "/dev/sdb", "label": "sdb"}]),
    ({"devices": [{"name": "/dev/nvme0n1", "consumer": "swift", "label": "disk0"}]},
     [{"device": "/dev/nvme0n1", "label": "disk0"}]),
])
def test_swift_local_drives(disks, expected):
    assert swift_local_drives(disks) == expected


def test_swift_local_drives_refuses_a_label_xfs_cannot_hold():
    with pytest.raises(AnsibleFilterError, match="label"):
        swift_local_drives({"devices": [{"name": "/dev/sdb", "consumer": "swift", "label": "x" * 20}]})


@pytest.mark.parametrize("networks, purpose, expected", [
    (_NETS, "swift", "obj"),
    (_NETS[:1], "swift", "mgmt"),
    (_NETS, "replication", "mgmt"),
])
def test_swift_network(networks, purpose, expected):
    assert swift_network(networks, purpose) == expected


def test_swift_network_without_management_is_an_error():
    with pytest.raises(AnsibleFilterError, match="no network of purpose"):
        swift_network([{"name": "ext", "purpose": "external"}], "swift")


_RECON = """===============================================================================
--> Starting reconnaissance on 3 hosts (object)
===============================================================================
[2026-12-02 18:00:00] Checking ring md5sums
%s
===============================================================================
[2026-12-02 18:00:00] Checking swift.conf md5sum
%s
===============================================================================
"""


@pytest.mark.parametrize("rings, conf, expected", [
    ("3/3 hosts matched, 0 error[s] while checking hosts.", "3/3 hosts matched, 0 error[s] while checking hosts.",
     [(3, 3, 0, 0), (3, 3, 0, 0)]),
    ("2/3 hosts matched, 1 error[s] while checking hosts.", "2/3 hosts matched, 1 error[s] while checking hosts.",
     [(2, 3, 1, 0), (2, 3, 1, 0)]),
    ("!! http://10.0.0.1:6200/recon/ringmd5 object.ring.gz => abc doesn't match on disk md5sum\n"
     "2/3 hosts matched, 0 error[s] while checking hosts.", "3/3 hosts matched, 0 error[s] while checking hosts.",
     [(2, 3, 0, 1), (3, 3, 0, 0)]),
])
def test_swift_recon_md5(rings, conf, expected):
    checks = swift_recon_md5(_RECON % (rings, conf))
    assert [(c["matched"], c["total"], c["errors"], c["mismatched"]) for c in checks] == expected
    assert [c["check"] for c in checks] == ["ring md5sums", "swift.conf md5sum"]


def test_swift_recon_md5_without_a_summary_is_an_error():
    with pytest.raises(AnsibleFilterError, match="hosts matched"):
        swift_recon_md5("Traceback (most recent call last): ...")
