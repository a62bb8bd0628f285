# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""IPMI errors and targets: the one exception of the IPMI module utils, the error wording, and target lists.

This module util is PRIVATE to the collection. It may change without notice.

Layers of the ``_ipmi`` package, each importing only those above it:

* ``errors`` (this file): IpmiError, error classification, completion codes, targets and credential scrubbing;
* ``codec``: pure encoding and decoding (boot flags, FRU fields, sensors, the sessionless probe, RMCP+ framing);
* ``discovery``: CIDR expansion and the UDP probe of a range;
* ``session``: LanSession, one IPMI 2.0 (RMCP+) session over its own UDP socket;
* ``pyghmi_io``: pyghmi's socket I/O kept in one mode (shared with the lab BMC, lab/bmc/labbmc.py);
* ``client``: BmcClient, a LanSession or pyghmi's IPMI 1.5 session, and the BMC commands;
* ``fleet``: the fleet runner (worker threads, hard deadline) and the fleet module glue;
* ``operations``: what the modules run per target (ensure_power, ensure_boot, info, discovery).

Everything raises IpmiError, whose message names the BMC and the cause.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

DEFAULT_PORT = 623
SECRET_KEYS = ("password", "username", "kg")


class IpmiError(Exception):
    """The one error of the IPMI module utils: names the BMC (target) and the cause; kind is a short category."""

    def __init__(self, target, cause, kind="error"):
        self.target = target
        self.cause = cause
        self.kind = kind
        super(IpmiError, self).__init__("BMC %s: %s" % (target, cause))


# ---------------------------------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------------------------------

def target_label(target):
    """'name (address:port)', or 'address:port' when the name is the address."""
    where = "%s:%s" % (target.get("address"), target.get("port") or DEFAULT_PORT)
    name = target.get("name")
    if name and name != target.get("address"):
        return "%s (%s)" % (name, where)
    return where


def build_targets(params):
    """The list of targets from module params: `targets` entries filled with the top-level defaults, or one
    target from `address`. Raises IpmiError when neither is given or an entry has no address."""
    defaults = dict(port=params.get("port") or DEFAULT_PORT, username=params.get("username"),
                    password=params.get("password"))
    raw = params.get("targets")
    if raw is None:
        if not params.get("address"):
            raise IpmiError("(none)", "give either address or targets", "invalid")
        raw = [dict(address=params["address"], name=params.get("name"))]
    out = []
    seen = set()
    for index, entry in enumerate(raw):
        entry = dict(entry or {})
        if not entry.get("address"):
            raise IpmiError("targets[%d]" % index, "has no address", "invalid")
        target = dict(defaults)
        for key in ("port", "username", "password"):
            if entry.get(key) not in (None, ""):
                target[key] = entry[key]
        target["address"] = str(entry["address"])
        target["port"] = int(target["port"])
        target["name"] = entry.get("name") or target["address"]
        if target["name"] in seen:
            raise IpmiError(target_label(target), "duplicate target name", "invalid")
        seen.add(target["name"])
        if not target.get("username") or target.get("password") is None:
            raise IpmiError(target_label(target), "no username/password (set them on the target or at top level)",
                            "invalid")
        out.append(target)
    return out


def public_target(target):
    """The target without credentials, for results."""
    return dict(name=target["name"], address=target["address"], port=target["port"])


def scrub(value, secrets):
    """Replace every secret string inside value (str, list, dict) by '********'."""
    secrets = [s for s in secrets if s and len(str(s)) >= 3]
    if not secrets:
        return value
    if isinstance(value, dict):
        return dict((k, scrub(v, secrets)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [scrub(v, secrets) for v in value]
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(str(secret), "********")
    return value


def error_result(target, error):
    """The per-target result of a failure."""
    res = public_target(target)
    res.update(failed=True, changed=False, msg=str(error), error=getattr(error, "kind", "error"))
    return res


# ---------------------------------------------------------------------------------------------------------------
# Error wording
# ---------------------------------------------------------------------------------------------------------------

_ERROR_PATTERNS = (
    (re.compile(r"incorrect password|unauthorized name|invalid (user ?name|password)|rakp|unauthorized|"
                r"insufficient privilege|invalid role", re.I), "auth",
     "authentication failed (wrong username or password)"),
    (re.compile(r"cipher|no matching|integrity algorithm|confidentiality algorithm|authentication algorithm|"
                r"pack expected", re.I), "cipher", "no usable cipher suite (tried 17, then 3)"),
    (re.compile(r"timed? ?out|timeout", re.I), "timeout", "timed out waiting for the BMC"),
    (re.compile(r"unreachable|no route|refused|name or service not known|not known|"
                r"session failed to initialize|no answer", re.I), "unreachable",
     "no answer from the BMC (unreachable, wrong port or not a BMC)"),
)


def classify_error(text):
    """(kind, cause) for an error text from pyghmi or the network. Unknown texts keep their wording."""
    if text in (None, "", "None"):
        return "unreachable", "no answer from the BMC (unreachable, wrong port or not a BMC)"
    text = str(text)
    for pattern, kind, cause in _ERROR_PATTERNS:
        if pattern.search(text):
            return kind, cause
    return "error", text


COMPLETION_CODES = {
    0xC0: "node busy", 0xC1: "command not supported", 0xC2: "invalid command for this LUN",
    0xC3: "timeout while processing command", 0xC7: "request data length invalid",
    0xC8: "request data field length limit exceeded", 0xC9: "parameter out of range",
    0xCA: "cannot return number of requested data bytes", 0xCB: "requested sensor, data or record not present",
    0xCC: "invalid data field in request", 0xD4: "insufficient privilege level", 0xD5: "not supported in present state",
    0xFF: "unspecified error",
}


def completion_text(code):
    return "completion code 0x%02X (%s)" % (code, COMPLETION_CODES.get(code, "unknown"))
