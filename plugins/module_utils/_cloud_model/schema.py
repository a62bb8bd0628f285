# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The JSON Schema of the cloud model: shared pieces, assembly from the sections, and the checker.

This module util is PRIVATE to the collection. Each section module (sections/*.py) holds the
schema of the top-level keys it owns; model_schema() puts them together into one document,
which sections.SCHEMA holds and docs/cloud-model.schema.json is written from (a unit test
keeps the two identical).

check() is a small validator of our own rather than the jsonschema package so that every
message can name the key, say what is wrong and how to fix it (with a "did you mean"), and so
that the controller needs no extra library. The unit tests check that jsonschema itself accepts
the same schema and agrees on the models.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.errors import did_you_mean

# Pieces the sections' schemas share.
NAME = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$", "maxLength": 63}
HOSTNAME = {"type": "string", "pattern": "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"}
STR = {"type": "string", "minLength": 1}
STR_LIST = {"type": "array", "items": STR}
IPV4 = {"type": "string", "format": "ipv4"}
URL = {"type": "string", "pattern": "^https?://"}
PORT = {"type": "integer", "minimum": 1, "maximum": 65535}


def model_schema(sections):
    """The schema of the whole model: the top-level keys of every section, in section order."""
    properties = {}
    required = []
    for section in sections:
        properties.update(section.SCHEMA)
        required.extend(getattr(section, "REQUIRED", ()))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/helion/openstack/cloud-model.schema.json",
        "title": "helion.openstack cloud model",
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": properties,
    }


_MAC = re.compile(r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")
_IPV4 = re.compile(r"^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$")
_TYPE_NAMES = {"string": "a string", "integer": "a whole number", "number": "a number",
               "boolean": "true or false", "object": "a mapping", "array": "a list"}


def _is_type(value, name):
    if name == "string":
        return isinstance(value, str)
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    return True


def _format_ok(value, fmt):
    if fmt == "ipv4":
        return bool(_IPV4.match(value))
    if fmt == "ipv4-cidr":
        if value.count("/") != 1:
            return False
        address, prefix = value.split("/")
        return bool(_IPV4.match(address)) and prefix.isdigit() and 0 <= int(prefix) <= 32
    if fmt == "mac":
        return bool(_MAC.match(value))
    return True


_FORMAT_HINT = {
    "ipv4": "an IPv4 address such as 192.0.2.10",
    "ipv4-cidr": "an IPv4 network in CIDR form such as 192.0.2.0/24",
    "mac": "a MAC address such as 52:54:00:12:34:56",
}


def _describe(value):
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (dict, list)):
        return _TYPE_NAMES["object" if isinstance(value, dict) else "array"]
    return repr(value)


def check(schema, value, path, findings):
    """Report every way value breaks schema into findings. Returns True when valid."""
    count = len(findings.items)
    _check(schema, value, tuple(path), findings)
    return len(findings.items) == count


def _check(schema, value, path, findings):
    if "oneOf" in schema:
        _check_one_of(schema["oneOf"], value, path, findings)
        return
    if "enum" in schema:
        if value not in schema["enum"]:
            findings.error(path, "%s is not allowed here%s" % (_describe(value), did_you_mean(value, schema["enum"])),
                           "use one of: %s." % ", ".join(str(c) for c in schema["enum"]))
        return
    wanted = schema.get("type")
    if wanted:
        names = wanted if isinstance(wanted, list) else [wanted]
        if not any(_is_type(value, n) for n in names):
            findings.error(path, "must be %s, not %s" % (" or ".join(_TYPE_NAMES[n] for n in names), _describe(value)),
                           "write %s." % " or ".join(_TYPE_NAMES[n] for n in names))
            return
    if isinstance(value, str):
        _check_string(schema, value, path, findings)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        _check_number(schema, value, path, findings)
    elif isinstance(value, dict):
        _check_object(schema, value, path, findings)
    elif isinstance(value, list):
        _check_array(schema, value, path, findings)


def _check_one_of(options, value, path, findings):
    for option in options:
        scratch = type(findings)(findings.positions, findings.default_file)
        _check(option, value, path, scratch)
        if not scratch.items:
            return
    # Report against the option whose type matches, for the clearest message.
    for option in options:
        if _is_type(value, option.get("type", "")):
            _check(option, value, path, findings)
            return
    findings.error(path, "must be a name or a mapping, not %s" % _describe(value), "write a name, or {name: ...}.")


def _check_string(schema, value, path, findings):
    if len(value) < schema.get("minLength", 0):
        findings.error(path, "must not be empty", "write a value.")
    elif "maxLength" in schema and len(value) > schema["maxLength"]:
        findings.error(path, "'%s' is longer than %d characters" % (value, schema["maxLength"]), "use a shorter name.")
    elif "pattern" in schema and not re.search(schema["pattern"], value):
        findings.error(path, "'%s' does not match the pattern %s" % (value, schema["pattern"]),
                       "use letters, digits, '-', '_' or '.' as the pattern allows.")
    elif "format" in schema and not _format_ok(value, schema["format"]):
        findings.error(path, "'%s' is not %s" % (value, _FORMAT_HINT[schema["format"]]),
                       "write %s." % _FORMAT_HINT[schema["format"]])


def _check_number(schema, value, path, findings):
    if "minimum" in schema and value < schema["minimum"]:
        findings.error(path, "%s is below the minimum %s" % (value, schema["minimum"]),
                       "use a value from %s up." % schema["minimum"])
    elif "maximum" in schema and value > schema["maximum"]:
        findings.error(path, "%s is above the maximum %s" % (value, schema["maximum"]),
                       "use a value up to %s." % schema["maximum"])
    elif "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        findings.error(path, "%s must be greater than %s" % (value, schema["exclusiveMinimum"]),
                       "use a positive value.")


def _check_object(schema, value, path, findings):
    props = schema.get("properties", {})
    for key in schema.get("required", []):
        if key not in value:
            findings.error(path, "the required key '%s' is missing" % key, "add '%s:'." % key)
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if key in props:
            _check(props[key], item, path + (key,), findings)
        elif extra is False:
            findings.error(path + (key,), "unknown key '%s'%s" % (key, did_you_mean(key, props)),
                           "remove it or use one of: %s." % ", ".join(sorted(props)))
        elif isinstance(extra, dict):
            _check(extra, item, path + (key,), findings)


def _check_array(schema, value, path, findings):
    if len(value) < schema.get("minItems", 0):
        findings.error(path, "must list at least %d item(s)" % schema["minItems"], "add the missing entries.")
    items = schema.get("items")
    if items:
        for index, item in enumerate(value):
            _check(items, item, path + (index,), findings)
