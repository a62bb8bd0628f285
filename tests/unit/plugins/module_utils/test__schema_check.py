"""The schema checker: one row per rule, with the message it must give."""

import pytest

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.errors import Findings
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.schema import check

OBJ = {"type": "object", "additionalProperties": False, "required": ["name"],
       "properties": {"name": {"type": "string", "minLength": 1}, "count": {"type": "integer", "minimum": 1},
                      "mac": {"type": "string", "format": "mac"}, "net": {"type": "string", "format": "ipv4-cidr"},
                      "kind": {"enum": ["a", "b"]}, "tags": {"type": "array", "minItems": 1,
                                                             "items": {"type": "string"}}}}


@pytest.mark.parametrize("value, path, message", [
    ({"name": "x"}, None, None),
    ({}, (), "the required key 'name' is missing"),
    ({"name": "x", "cuont": 1}, ("cuont",), "unknown key 'cuont' (did you mean 'count'?)"),
    ({"name": ""}, ("name",), "must not be empty"),
    ({"name": 3}, ("name",), "must be a string, not 3"),
    ({"name": "x", "count": True}, ("count",), "must be a whole number, not true/false"),
    ({"name": "x", "count": 0}, ("count",), "0 is below the minimum 1"),
    ({"name": "x", "mac": "52:54:00:aa:bb"}, ("mac",), "'52:54:00:aa:bb' is not a MAC address"),
    ({"name": "x", "net": "10.0.0.0/33"}, ("net",), "'10.0.0.0/33' is not an IPv4 network in CIDR form"),
    ({"name": "x", "net": "10.0.0.0"}, ("net",), "'10.0.0.0' is not an IPv4 network in CIDR form"),
    ({"name": "x", "kind": "c"}, ("kind",), "'c' is not allowed here"),
    ({"name": "x", "tags": []}, ("tags",), "must list at least 1 item(s)"),
    ({"name": "x", "tags": ["a", 2]}, ("tags", 1), "must be a string, not 2"),
    ("text", (), "must be a mapping, not 'text'"),
])
def test_check_reports_one_finding_per_rule(value, path, message):
    findings = Findings()
    valid = check(OBJ, value, (), findings)
    if message is None:
        assert valid and not findings.items
        return
    assert not valid
    assert len(findings.items) == 1
    finding = findings.items[0]
    assert finding.path == path
    assert message in finding.message
    assert finding.fix


@pytest.mark.parametrize("value, valid", [
    ("mgmt", True),
    ({"name": "mgmt", "tagged": True}, True),
    ({"name": "mgmt", "tagged": "yes"}, False),
    (7, False),
])
def test_one_of_name_or_mapping(value, valid):
    schema = {"oneOf": [{"type": "string"}, {"type": "object", "additionalProperties": False,
                                             "properties": {"name": {"type": "string"},
                                                            "tagged": {"type": "boolean"}}}]}
    findings = Findings()
    assert check(schema, value, ("n",), findings) is valid
