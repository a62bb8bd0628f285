# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of plugins/module_utils/_ipmi/errors.py: targets, credential scrubbing, error wording."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.helion.openstack.plugins.module_utils._ipmi import errors as m


def test_build_targets_fills_defaults_and_keeps_order():
    params = dict(targets=[{"name": "a", "address": "10.0.0.1"},
                           {"address": "10.0.0.2", "port": 6230, "username": "root", "password": "other"}],
                  port=623, username="admin", password="secret")
    out = m.build_targets(params)
    assert out == [
        {"name": "a", "address": "10.0.0.1", "port": 623, "username": "admin", "password": "secret"},
        {"name": "10.0.0.2", "address": "10.0.0.2", "port": 6230, "username": "root", "password": "other"},
    ]


def test_build_targets_single_address():
    out = m.build_targets(dict(address="10.0.0.9", port=None, username="u", password="p"))
    assert out == [{"name": "10.0.0.9", "address": "10.0.0.9", "port": 623, "username": "u", "password": "p"}]


@pytest.mark.parametrize("params, fragment", [
    (dict(), "give either address or targets"),
    (dict(targets=[{"name": "x"}], username="u", password="p"), "targets[0]: has no address"),
    (dict(targets=[{"address": "1.1.1.1"}, {"address": "1.1.1.1"}], username="u", password="p"), "duplicate"),
    (dict(address="1.1.1.1"), "no username/password"),
])
def test_build_targets_errors(params, fragment):
    with pytest.raises(m.IpmiError) as err:
        m.build_targets(params)
    assert fragment in str(err.value)
    assert err.value.kind == "invalid"


@pytest.mark.parametrize("target, label", [
    ({"name": "ctl1", "address": "10.0.0.1", "port": 623}, "ctl1 (10.0.0.1:623)"),
    ({"name": "10.0.0.1", "address": "10.0.0.1", "port": 6230}, "10.0.0.1:6230"),
    ({"address": "10.0.0.1"}, "10.0.0.1:623"),
])
def test_target_label(target, label):
    assert m.target_label(target) == label


def test_public_target_and_scrub_drop_credentials():
    target = {"name": "a", "address": "1.2.3.4", "port": 623, "username": "admin", "password": "s3cret!"}
    assert m.public_target(target) == {"name": "a", "address": "1.2.3.4", "port": 623}
    scrubbed = m.scrub({"msg": "login s3cret! failed", "l": ["s3cret!", 1]}, ["s3cret!", None, "ab"])
    assert scrubbed == {"msg": "login ******** failed", "l": ["********", 1]}


def test_error_result_names_the_target_and_kind():
    target = {"name": "a", "address": "1.2.3.4", "port": 623, "password": "x"}
    res = m.error_result(target, m.IpmiError("a (1.2.3.4:623)", "authentication failed", "auth"))
    assert res == {"name": "a", "address": "1.2.3.4", "port": 623, "failed": True, "changed": False,
                   "msg": "BMC a (1.2.3.4:623): authentication failed", "error": "auth"}


@pytest.mark.parametrize("text, kind", [
    ("Incorrect password provided", "auth"),
    ("Unauthorized name", "auth"),
    (None, "unreachable"),
    ("None", "unreachable"),
    ("Session failed to initialize", "unreachable"),
    ("timeout", "timeout"),
    ("Request timed out", "timeout"),
    ("No matching cipher suite", "cipher"),
    ("cipher negotiation failed (pack expected 32 items for packing (got 20))", "cipher"),
    ("something odd", "error"),
])
def test_classify_error(text, kind):
    got_kind, cause = m.classify_error(text)
    assert got_kind == kind
    assert cause


def test_ipmi_error_message_names_target():
    err = m.IpmiError("ctl1 (10.0.0.1:623)", "authentication failed", "auth")
    assert str(err) == "BMC ctl1 (10.0.0.1:623): authentication failed"


@pytest.mark.parametrize("code, text", [(0xC8, "length limit exceeded"), (0xC1, "not supported"), (0x42, "unknown")])
def test_completion_text(code, text):
    assert text in m.completion_text(code)
    assert "0x%02X" % code in m.completion_text(code)
