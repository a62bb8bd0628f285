# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""HPE 3PAR WSAPI logic shared by the hpe3par_* modules.

This module util is PRIVATE to the collection. It may change without notice.

Pure functions translate between the WSAPI's CPG/port/system documents and the
collection's snake_case view, compare a CPG with the wanted properties, and turn
python-3parclient exceptions into one exception class, Hpe3parError, whose message
names the array and the cause (never the password).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    from urllib.parse import urlparse
except ImportError:  # pragma: no cover - Python 2 is not supported by the modules
    from urlparse import urlparse  # type: ignore

from ansible_collections.helion.openstack.plugins.module_utils._result import EnsureResult

try:
    from hpe3parclient import client as _hpe3par_client
    from hpe3parclient import exceptions as _hpe3par_exceptions

    HAS_HPE3PARCLIENT = True
    HPE3PARCLIENT_IMPORT_ERROR = None
except ImportError as _import_error:  # pragma: no cover - exercised only without the library
    _hpe3par_client = None
    _hpe3par_exceptions = None
    HAS_HPE3PARCLIENT = False
    HPE3PARCLIENT_IMPORT_ERROR = _import_error


class Hpe3parError(Exception):
    """A failure talking to a 3PAR array; the message names the array and the cause."""


# WSAPI enumerations (HPE 3PAR Web Services API reference, CPG and port objects).
RAID_TYPES = {"r0": 1, "r1": 2, "r5": 3, "r6": 4}
HA_TYPES = {"port": 1, "cage": 2, "mag": 3}
DISK_TYPES = {"FC": 1, "NL": 2, "SSD": 3}
PORT_PROTOCOLS = {1: "fc", 2: "iscsi", 3: "fcoe", 4: "ip", 5: "sas", 6: "nvme"}
PORT_LINK_STATES = {1: "config_wait", 2: "alpa_wait", 3: "login_wait", 4: "ready", 5: "loss_sync",
                    6: "error_state", 7: "xxx", 8: "nonparticipate", 9: "coredump", 10: "offline",
                    11: "fwdead", 12: "idle_for_reset", 13: "dhcp_in_progress", 14: "pending_reset"}

# Properties a CPG can be created with. Growth settings can be changed in place
# (WSAPI PUT /cpgs/<name>); the LD layout (RAID type, set size, HA, disk type) cannot.
CPG_PROPERTIES = ("raid_type", "set_size", "high_availability", "disk_type",
                  "growth_increment_mib", "growth_limit_mib", "growth_warning_mib")
MODIFIABLE_PROPERTIES = ("growth_increment_mib", "growth_limit_mib", "growth_warning_mib")
FIXED_PROPERTIES = ("raid_type", "set_size", "high_availability", "disk_type")

_GROWTH_KEYS = {
    "growth_increment_mib": "growthIncrementMiB",
    "growth_limit_mib": "growthLimitMiB",
    "growth_warning_mib": "usedLDWarningAlertMiB",
}


def _reverse(mapping, value):
    for key, val in mapping.items():
        if val == value:
            return key
    return None


def array_label(name, url):
    """How an array is named in messages: its model name, else the URL's host."""
    if name:
        return "'%s' (%s)" % (name, url)
    host = urlparse(url or "").hostname or url
    return "'%s' (%s)" % (host, url)


# ---------------------------------------------------------------------------
# Pure data shaping
# ---------------------------------------------------------------------------

def cpg_properties(cpg):
    """The comparable properties of a WSAPI CPG document (SDGrowth holds the growth and LD layout)."""
    growth = cpg.get("SDGrowth") or {}
    layout = growth.get("LDLayout") or {}
    patterns = layout.get("diskPatterns") or []
    disk_type = None
    if patterns and isinstance(patterns[0], dict) and "diskType" in patterns[0]:
        disk_type = _reverse(DISK_TYPES, patterns[0]["diskType"])
    return {
        "raid_type": _reverse(RAID_TYPES, layout.get("RAIDType")),
        "set_size": layout.get("setSize"),
        "high_availability": _reverse(HA_TYPES, layout.get("HA")),
        "disk_type": disk_type,
        "growth_increment_mib": growth.get("incrementMiB"),
        "growth_limit_mib": growth.get("limitMiB", 0) if growth else None,
        "growth_warning_mib": growth.get("warningMiB", 0) if growth else None,
    }


def desired_properties(params):
    """The properties the user asked for (options left unset are not managed)."""
    return {key: params[key] for key in CPG_PROPERTIES if params.get(key) is not None}


def compare_cpg(current, desired):
    """{property: {'before': x, 'after': y}} for every wanted property that differs."""
    changes = {}
    for key in CPG_PROPERTIES:
        if key not in desired:
            continue
        if current.get(key) != desired[key]:
            changes[key] = {"before": current.get(key), "after": desired[key]}
    return changes


def split_changes(changes):
    """(modifiable, fixed): the changes modifyCPG can make, and those needing a recreate."""
    modifiable = {k: v for k, v in changes.items() if k in MODIFIABLE_PROPERTIES}
    fixed = {k: v for k, v in changes.items() if k in FIXED_PROPERTIES}
    return modifiable, fixed


def refuse_message(name, label, fixed):
    """The message for changes the array cannot make to an existing CPG."""
    parts = ["%s is %s, wanted %s" % (key, fixed[key]["before"], fixed[key]["after"]) for key in sorted(fixed)]
    return ("CPG '%s' on 3PAR array %s cannot be changed in place: %s. RAID type, set size, high availability "
            "and disk type are fixed when a CPG is created; the CPG must be recreated (move or delete its "
            "volumes, remove it with state=absent, then create it again)." % (name, label, "; ".join(parts)))


def create_body(desired):
    """The optional dict for createCPG (WSAPI POST /cpgs) from the wanted properties."""
    body = {}
    for key, wsapi in _GROWTH_KEYS.items():
        if desired.get(key) is not None:
            body[wsapi] = desired[key]
    layout = {}
    if desired.get("raid_type") is not None:
        layout["RAIDType"] = RAID_TYPES[desired["raid_type"]]
    if desired.get("set_size") is not None:
        layout["setSize"] = desired["set_size"]
    if desired.get("high_availability") is not None:
        layout["HA"] = HA_TYPES[desired["high_availability"]]
    if desired.get("disk_type") is not None:
        layout["diskPatterns"] = [{"diskType": DISK_TYPES[desired["disk_type"]]}]
    if layout:
        body["LDLayout"] = layout
    return body


def modify_body(modifiable):
    """The body for WSAPI PUT /cpgs/<name> for the growth changes; 0 removes a limit or warning."""
    body = {}
    for key, change in modifiable.items():
        value = change["after"]
        if key == "growth_limit_mib" and value == 0:
            body["rmGrowthLimit"] = True
        elif key == "growth_warning_mib" and value == 0:
            body["rmWarningAlarm"] = True
        else:
            body[_GROWTH_KEYS[key]] = value
    return body


def shape_cpg(cpg, available=None):
    """The collection's view of one CPG."""
    props = cpg_properties(cpg)

    def usage(key):
        block = cpg.get(key) or {}
        return {"total_mib": block.get("totalMiB"), "used_mib": block.get("usedMiB")}

    shaped = {
        "name": cpg.get("name"),
        "id": cpg.get("id"),
        "domain": cpg.get("domain"),
        "raid_type": props["raid_type"],
        "set_size": props["set_size"],
        "high_availability": props["high_availability"],
        "disk_type": props["disk_type"],
        "growth": {
            "increment_mib": props["growth_increment_mib"],
            "limit_mib": props["growth_limit_mib"],
            "warning_mib": props["growth_warning_mib"],
        },
        "usage": {
            "user": usage("UsrUsage"),
            "snapshot": usage("SDUsage"),
            "admin": usage("SAUsage"),
        },
        "num_tpvvs": cpg.get("numTPVVs"),
        "num_fpvvs": cpg.get("numFPVVs"),
    }
    if available is not None:
        shaped["available"] = {"raw_free_mib": available.get("rawFreeMiB"),
                               "usable_free_mib": available.get("usableFreeMiB")}
    return shaped


def comparable_view(props):
    """The dict shown in a diff for a CPG (None when it does not exist)."""
    if props is None:
        return {}
    return {k: props.get(k) for k in CPG_PROPERTIES}


def port_position(port):
    pos = port.get("portPos") or {}
    return "%s:%s:%s" % (pos.get("node"), pos.get("slot"), pos.get("cardPort"))


def _wwn(value):
    if not value:
        return None
    text = str(value).replace(":", "").lower()
    return text


def shape_ports(ports):
    """Split WSAPI ports into {'iscsi': [...], 'fc': [...]} with the fields a Cinder backend needs."""
    result = {"iscsi": [], "fc": []}
    for port in ports or []:
        proto = PORT_PROTOCOLS.get(port.get("protocol"))
        common = {
            "position": port_position(port),
            "link_state": PORT_LINK_STATES.get(port.get("linkState"), port.get("linkState")),
            "label": port.get("label"),
        }
        if proto == "fc":
            common.update({"wwn": _wwn(port.get("portWWN") or port.get("portWwn")),
                           "node_wwn": _wwn(port.get("nodeWWN") or port.get("nodeWwn"))})
            result["fc"].append(common)
        elif proto == "iscsi":
            common.update({"ip": port.get("IPAddr"), "iqn": port.get("iSCSIName"),
                           "vlan": (port.get("iSCSIPortInfo") or {}).get("vlan")})
            result["iscsi"].append(common)
    return result


def shape_system(system, wsapi_version=None):
    shaped = {
        "id": system.get("id"),
        "name": system.get("name"),
        "model": system.get("model"),
        "serial_number": system.get("serialNumber"),
        "version": system.get("systemVersion"),
        "ip": system.get("IPv4Addr"),
        "total_nodes": system.get("totalNodes"),
        "online_nodes": system.get("onlineNodes"),
        "location": system.get("location"),
    }
    if wsapi_version:
        shaped["wsapi_version"] = "%s.%s.%s" % (wsapi_version.get("major"), wsapi_version.get("minor"),
                                                wsapi_version.get("build"))
    return shaped


def shape_capacity(system):
    return {
        "total_mib": system.get("totalCapacityMiB"),
        "allocated_mib": system.get("allocatedCapacityMiB"),
        "free_mib": system.get("freeCapacityMiB"),
        "failed_mib": system.get("failedCapacityMiB"),
    }


# ---------------------------------------------------------------------------
# Error mapping
# ---------------------------------------------------------------------------

def error_message(exc, label, action, cpg=None):
    """A clear message for a client or transport exception (matched on class names, so it is testable)."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    code = getattr(exc, "get_code", lambda: None)()
    desc = getattr(exc, "get_description", lambda: None)()
    detail = desc or str(exc) or type(exc).__name__
    if "SSLCertFailed" in names or "SSLError" in names:
        return ("TLS failure talking to 3PAR array %s while trying to %s: the TLS handshake or certificate "
                "verification failed (check that the URL scheme and port match the WSAPI, and "
                "validate_certs/ca_path)." % (label, action))
    if action == "log in" and ("HTTPForbidden" in names or "HTTPUnauthorized" in names):
        return "Authentication to 3PAR array %s failed: wrong username or password." % label
    if "HTTPNotFound" in names and cpg:
        return "CPG '%s' does not exist on 3PAR array %s." % (cpg, label)
    if names & {"ConnectionError", "Timeout", "RequestException", "ConnectTimeout", "ReadTimeout"}:
        return "Cannot reach 3PAR array %s while trying to %s: %s" % (label, action, _strip_credentials(detail))
    if code is not None:
        return "3PAR array %s refused to %s: %s (WSAPI error %s)." % (label, action, detail, code)
    return "3PAR array %s: failed to %s: %s" % (label, action, _strip_credentials(detail))


def _strip_credentials(text):
    """Remove anything after '@' in URLs so user:password never reaches a message."""
    text = str(text)
    if "@" in text and "://" in text:
        head, _sep, tail = text.partition("://")
        tail = tail.split("@", 1)[-1]
        return head + "://" + tail
    return text


# ---------------------------------------------------------------------------
# The client session
# ---------------------------------------------------------------------------

class Hpe3parSession(object):
    """A logged-in python-3parclient session that raises Hpe3parError."""

    def __init__(self, wsapi_url, username, password, name=None, validate_certs=True, ca_path=None, timeout=30):
        self.url = wsapi_url.rstrip("/")
        self.label = array_label(name, self.url)
        self.username = username
        self.password = password
        secure = validate_certs
        if validate_certs and ca_path:
            secure = ca_path
        self.client = _hpe3par_client.HPE3ParClient(self.url, secure=secure, timeout=timeout,
                                                    suppress_ssl_warnings=True)
        # The client retries refused connections 5 times with growing delays (about 26 s);
        # one try gives a prompt "cannot reach" answer.
        self.client.http.tries = 1
        self.logged_in = False

    def _call(self, action, func, *args, **kwargs):
        cpg = kwargs.pop("_cpg", None)
        try:
            return func(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the client raises its own classes and bare requests ones
            raise Hpe3parError(error_message(exc, self.label, action, cpg=cpg))

    def __enter__(self):
        self._call("read the WSAPI version", self.client.getWsApiVersion)
        self._call("log in", self.client.login, self.username, self.password)
        self.logged_in = True
        return self

    def __exit__(self, *exc_info):
        if self.logged_in:
            try:
                self.client.logout()
            except Exception:  # noqa: BLE001, S110 - logging out is best effort
                pass
        return False

    def wsapi_version(self):
        return self._call("read the WSAPI version", self.client.getWsApiVersion)

    def system(self):
        return self._call("read the system information", self.client.getStorageSystemInfo)

    def cpgs(self):
        body = self._call("list CPGs", self.client.getCPGs) or {}
        return body.get("members", [])

    def cpg(self, name):
        """The CPG document, or None when the array has no such CPG."""
        try:
            return self.client.getCPG(name)
        except Exception as exc:  # noqa: BLE001 - any client or transport error
            if type(exc).__name__ == "HTTPNotFound":
                return None
            raise Hpe3parError(error_message(exc, self.label, "read CPG '%s'" % name))

    def require_cpg(self, name):
        return self._call("read CPG '%s'" % name, self.client.getCPG, name, _cpg=name)

    def cpg_available(self, name):
        return self._call("read the free space of CPG '%s'" % name, self.client.getCPGAvailableSpace, name,
                          _cpg=name)

    def ports(self):
        body = self._call("list ports", self.client.getPorts) or {}
        return body.get("members", [])

    def create_cpg(self, name, body):
        return self._call("create CPG '%s'" % name, self.client.createCPG, name, body)

    def modify_cpg(self, name, body):
        # python-3parclient 4.4 has no modifyCPG; use its authenticated HTTP layer for PUT /cpgs/<name>.
        return self._call("modify CPG '%s'" % name, self.client.http.put, "/cpgs/%s" % name, body=body, _cpg=name)

    def delete_cpg(self, name):
        return self._call("delete CPG '%s'" % name, self.client.deleteCPG, name, _cpg=name)


def gather_info(session, cpg_names=None, with_available=True):
    """Everything hpe3par_info returns."""
    version = session.wsapi_version()
    system = session.system()
    if cpg_names:
        raw_cpgs = [session.require_cpg(name) for name in cpg_names]
    else:
        raw_cpgs = session.cpgs()
    cpgs = []
    for cpg in raw_cpgs:
        available = session.cpg_available(cpg["name"]) if with_available else None
        cpgs.append(shape_cpg(cpg, available))
    ports = shape_ports(session.ports())
    return {
        "system": shape_system(system, version),
        "cpgs": cpgs,
        "iscsi_ports": ports["iscsi"],
        "fc_ports": ports["fc"],
        "capacity": shape_capacity(system),
    }


def ensure_cpg(session, name, state, desired, check_mode):
    """Bring CPG ``name`` to ``state`` (present with the ``desired`` properties, or absent).

    Returns an EnsureResult: for an existing CPG the wanted properties compared with the array's, the actions
    (``create``, ``delete``, ``modify <property>``; in check mode those that would run), the resource
    ``{"cpg": <its compared properties after the run, {} when absent>}`` and the diff of those properties
    before and after (headers ``cpg <name>``). Raises Hpe3parError for a change the array cannot make in place.
    """
    current = session.cpg(name)
    before_props = cpg_properties(current) if current is not None else None
    result = EnsureResult()

    if state == "absent":
        if current is not None:
            result.act("delete")
            if not check_mode:
                session.delete_cpg(name)
        return _cpg_result(result, name, comparable_view(before_props), {})

    if current is None:
        result.act("create")
        if not check_mode:
            session.create_cpg(name, create_body(desired))
        after = {k: desired.get(k) for k in CPG_PROPERTIES}
        raw = session.cpg(name) if not check_mode else None
        if raw is not None:
            after = cpg_properties(raw)
        return _cpg_result(result, name, {}, comparable_view(after))

    modifiable, fixed = split_changes(compare_cpg(before_props, desired))
    if fixed:
        raise Hpe3parError(refuse_message(name, session.label, fixed))
    for key in CPG_PROPERTIES:
        if key in desired:
            result.add(key, before_props.get(key), desired[key])
    if not modifiable:
        return _cpg_result(result, name, comparable_view(before_props), comparable_view(before_props))
    for key in sorted(modifiable):
        result.act("modify %s" % key)
    if not check_mode:
        session.modify_cpg(name, modify_body(modifiable))
    after = dict(before_props)
    for key, change in modifiable.items():
        after[key] = change["after"]
    raw = session.cpg(name) if not check_mode else current
    if not check_mode and raw is not None:
        after = cpg_properties(raw)
    return _cpg_result(result, name, comparable_view(before_props), comparable_view(after))


def _cpg_result(result, name, before, after):
    result.resource["cpg"] = after
    result.set_diff(before, after, before_header="cpg %s" % name, after_header="cpg %s" % name)
    return result


def connection_argument_spec():
    """The connection options documented in the helion.openstack.hpe3par doc fragment."""
    return dict(
        wsapi_url=dict(type="str", required=True),
        username=dict(type="str", required=True),
        password=dict(type="str", required=True, no_log=True),
        array_name=dict(type="str"),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        timeout=dict(type="int", default=30),
    )


def session_from_params(params):
    return Hpe3parSession(params["wsapi_url"], params["username"], params["password"],
                          name=params.get("array_name"), validate_certs=params["validate_certs"],
                          ca_path=params.get("ca_path"), timeout=params["timeout"])
