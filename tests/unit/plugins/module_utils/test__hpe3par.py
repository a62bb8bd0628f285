"""Pure logic of plugins/module_utils/_hpe3par.py: CPG comparison, what is modifiable, shaping, errors."""

import pytest
from ansible_collections.helion.openstack.plugins.module_utils import _hpe3par as h
from ansible_collections.helion.openstack.plugins.module_utils._result import EnsureResult

R6_FC = {
    "name": "CPG_R6_FC",
    "id": 3,
    "domain": None,
    "SDGrowth": {"incrementMiB": 32768, "limitMiB": 1048576,
                 "LDLayout": {"RAIDType": 4, "setSize": 8, "HA": 2, "diskPatterns": [{"diskType": 1}]}},
    "UsrUsage": {"totalMiB": 100, "usedMiB": 40},
    "SDUsage": {"totalMiB": 10, "usedMiB": 1},
    "SAUsage": {"totalMiB": 8, "usedMiB": 2},
    "numTPVVs": 2,
    "numFPVVs": 1,
}

R6_PROPS = {"raid_type": "r6", "set_size": 8, "high_availability": "cage", "disk_type": "FC",
            "growth_increment_mib": 32768, "growth_limit_mib": 1048576, "growth_warning_mib": 0}


def test_cpg_properties_reads_sdgrowth():
    assert h.cpg_properties(R6_FC) == R6_PROPS


@pytest.mark.parametrize("cpg, expected", [
    ({"name": "x"}, dict.fromkeys(R6_PROPS)),
    ({"SDGrowth": {"incrementMiB": 8, "LDLayout": {"RAIDType": 2, "setSize": 2, "HA": 3,
                                                   "diskPatterns": [{"diskType": 3}]}}},
     {"raid_type": "r1", "set_size": 2, "high_availability": "mag", "disk_type": "SSD",
      "growth_increment_mib": 8, "growth_limit_mib": 0, "growth_warning_mib": 0}),
    ({"SDGrowth": {"incrementMiB": 8, "LDLayout": {"RAIDType": 99, "diskPatterns": [{}]}}},
     {"raid_type": None, "set_size": None, "high_availability": None, "disk_type": None,
      "growth_increment_mib": 8, "growth_limit_mib": 0, "growth_warning_mib": 0}),
])
def test_cpg_properties_partial(cpg, expected):
    assert h.cpg_properties(cpg) == expected


def test_desired_properties_drops_unset_and_unrelated():
    params = {"name": "x", "state": "present", "raid_type": "r5", "set_size": None, "growth_limit_mib": 0,
              "password": "secret"}
    assert h.desired_properties(params) == {"raid_type": "r5", "growth_limit_mib": 0}


@pytest.mark.parametrize("desired, changes", [
    ({}, {}),
    ({"raid_type": "r6", "set_size": 8}, {}),
    ({"growth_increment_mib": 1024}, {"growth_increment_mib": {"before": 32768, "after": 1024}}),
    ({"raid_type": "r1", "growth_limit_mib": 1048576}, {"raid_type": {"before": "r6", "after": "r1"}}),
    ({"growth_warning_mib": 0, "disk_type": "SSD"}, {"disk_type": {"before": "FC", "after": "SSD"}}),
])
def test_compare_cpg(desired, changes):
    assert h.compare_cpg(R6_PROPS, desired) == changes


@pytest.mark.parametrize("keys, modifiable, fixed", [
    (["growth_increment_mib", "growth_limit_mib", "growth_warning_mib"],
     ["growth_increment_mib", "growth_limit_mib", "growth_warning_mib"], []),
    (["raid_type", "set_size", "high_availability", "disk_type"],
     [], ["disk_type", "high_availability", "raid_type", "set_size"]),
    (["raid_type", "growth_limit_mib"], ["growth_limit_mib"], ["raid_type"]),
])
def test_split_changes(keys, modifiable, fixed):
    changes = {k: {"before": 1, "after": 2} for k in keys}
    got_mod, got_fixed = h.split_changes(changes)
    assert sorted(got_mod) == modifiable
    assert sorted(got_fixed) == fixed


def test_refuse_message_names_cpg_array_and_properties():
    msg = h.refuse_message("CPG1", "'3par-a' (https://a/api/v1)",
                           {"set_size": {"before": 8, "after": 4}, "raid_type": {"before": "r6", "after": "r5"}})
    assert msg.startswith("CPG 'CPG1' on 3PAR array '3par-a' (https://a/api/v1) cannot be changed in place: "
                          "raid_type is r6, wanted r5; set_size is 8, wanted 4.")
    assert "must be recreated" in msg


@pytest.mark.parametrize("desired, body", [
    ({}, {}),
    ({"raid_type": "r6", "set_size": 8, "high_availability": "cage", "disk_type": "FC",
      "growth_increment_mib": 1024, "growth_limit_mib": 2048, "growth_warning_mib": 512},
     {"growthIncrementMiB": 1024, "growthLimitMiB": 2048, "usedLDWarningAlertMiB": 512,
      "LDLayout": {"RAIDType": 4, "setSize": 8, "HA": 2, "diskPatterns": [{"diskType": 1}]}}),
    ({"raid_type": "r0"}, {"LDLayout": {"RAIDType": 1}}),
    ({"disk_type": "NL", "high_availability": "port"}, {"LDLayout": {"HA": 1, "diskPatterns": [{"diskType": 2}]}}),
])
def test_create_body(desired, body):
    assert h.create_body(desired) == body


@pytest.mark.parametrize("changes, body", [
    ({"growth_increment_mib": 8192}, {"growthIncrementMiB": 8192}),
    ({"growth_limit_mib": 0}, {"rmGrowthLimit": True}),
    ({"growth_limit_mib": 100}, {"growthLimitMiB": 100}),
    ({"growth_warning_mib": 0}, {"rmWarningAlarm": True}),
    ({"growth_warning_mib": 50, "growth_increment_mib": 1}, {"usedLDWarningAlertMiB": 50, "growthIncrementMiB": 1}),
])
def test_modify_body(changes, body):
    wrapped = {k: {"before": None, "after": v} for k, v in changes.items()}
    assert h.modify_body(wrapped) == body


def test_shape_cpg():
    shaped = h.shape_cpg(R6_FC, {"rawFreeMiB": 10, "usableFreeMiB": 5})
    assert shaped["name"] == "CPG_R6_FC"
    assert (shaped["raid_type"], shaped["set_size"], shaped["high_availability"], shaped["disk_type"]) == (
        "r6", 8, "cage", "FC")
    assert shaped["growth"] == {"increment_mib": 32768, "limit_mib": 1048576, "warning_mib": 0}
    assert shaped["usage"]["user"] == {"total_mib": 100, "used_mib": 40}
    assert shaped["available"] == {"raw_free_mib": 10, "usable_free_mib": 5}
    assert "available" not in h.shape_cpg(R6_FC)


def test_shape_ports_splits_by_protocol():
    ports = [
        {"portPos": {"node": 0, "slot": 2, "cardPort": 1}, "protocol": 1, "linkState": 4,
         "portWWN": "20:21:00:02:AC:00:38:3D", "nodeWWN": "2FF70002AC00383D"},
        {"portPos": {"node": 1, "slot": 2, "cardPort": 1}, "protocol": 2, "linkState": 4,
         "IPAddr": "10.120.2.10", "iSCSIName": "iqn.x", "iSCSIPortInfo": {"vlan": 0}},
        {"portPos": {"node": 1, "slot": 3, "cardPort": 1}, "protocol": 4, "linkState": 10},
        {"portPos": {"node": 1, "slot": 4, "cardPort": 2}, "protocol": 2, "linkState": 99},
    ]
    shaped = h.shape_ports(ports)
    assert shaped["fc"] == [{"position": "0:2:1", "link_state": "ready", "label": None,
                             "wwn": "20210002ac00383d", "node_wwn": "2ff70002ac00383d"}]
    assert [p["ip"] for p in shaped["iscsi"]] == ["10.120.2.10", None]
    assert shaped["iscsi"][0]["iqn"] == "iqn.x"
    assert shaped["iscsi"][1]["link_state"] == 99


def test_shape_system_and_capacity():
    system = {"id": 1, "name": "a", "model": "HPE 3PAR 8200", "serialNumber": "CZ1", "systemVersion": "3.3.1",
              "totalCapacityMiB": 100.0, "allocatedCapacityMiB": 40.0, "freeCapacityMiB": 60.0,
              "failedCapacityMiB": 0.0}
    shaped = h.shape_system(system, {"major": 1, "minor": 6, "build": 30301000})
    assert (shaped["model"], shaped["serial_number"], shaped["version"]) == ("HPE 3PAR 8200", "CZ1", "3.3.1")
    assert shaped["wsapi_version"] == "1.6.30301000"
    assert "wsapi_version" not in h.shape_system(system)
    assert h.shape_capacity(system) == {"total_mib": 100.0, "allocated_mib": 40.0, "free_mib": 60.0,
                                        "failed_mib": 0.0}


# Exceptions named like python-3parclient's and requests', so the mapping is tested without them.
class ClientException(Exception):
    def __init__(self, code=None, desc=None):
        super().__init__(desc or "")
        self._code, self._desc = code, desc

    def get_code(self):
        return self._code

    def get_description(self):
        return self._desc


class HTTPForbidden(ClientException):
    pass


class HTTPUnauthorized(ClientException):
    pass


class HTTPNotFound(ClientException):
    pass


class HTTPConflict(ClientException):
    pass


class SSLCertFailed(ClientException):
    pass


class ConnectionError(Exception):
    pass


LABEL = "'3par-a' (https://10.0.0.1:8080/api/v1)"


@pytest.mark.parametrize("exc, action, cpg, expected", [
    (HTTPForbidden(5, "invalid username or password"), "log in", None,
     "Authentication to 3PAR array %s failed: wrong username or password." % LABEL),
    (HTTPUnauthorized(), "log in", None,
     "Authentication to 3PAR array %s failed: wrong username or password." % LABEL),
    (HTTPNotFound(15, "CPG 'X' doesn't exist"), "read CPG 'X'", "X",
     "CPG 'X' does not exist on 3PAR array %s." % LABEL),
    (HTTPConflict(14, "CPG 'X' already exist."), "create CPG 'X'", None,
     "3PAR array %s refused to create CPG 'X': CPG 'X' already exist. (WSAPI error 14)." % LABEL),
    (HTTPForbidden(6, "permission denied"), "delete CPG 'X'", "X",
     "3PAR array %s refused to delete CPG 'X': permission denied (WSAPI error 6)." % LABEL),
    (ConnectionError("Connection refused"), "log in", None,
     "Cannot reach 3PAR array %s while trying to log in: Connection refused" % LABEL),
])
def test_error_message(exc, action, cpg, expected):
    assert h.error_message(exc, LABEL, action, cpg=cpg) == expected


def test_error_message_tls():
    msg = h.error_message(SSLCertFailed(None, "SSL Certificate Verification Failed."), LABEL, "log in")
    assert msg.startswith("TLS failure talking to 3PAR array %s while trying to log in" % LABEL)


def test_error_message_hides_url_credentials():
    msg = h.error_message(ConnectionError("cannot open https://user:pw@host/api"), LABEL, "log in")
    assert "pw" not in msg and "https://host/api" in msg


@pytest.mark.parametrize("name, url, label", [
    ("3par-a", "https://10.0.0.1:8080/api/v1", "'3par-a' (https://10.0.0.1:8080/api/v1)"),
    (None, "https://10.0.0.1:8080/api/v1", "'10.0.0.1' (https://10.0.0.1:8080/api/v1)"),
])
def test_array_label(name, url, label):
    assert h.array_label(name, url) == label


class FakeSession(object):
    """Stands in for Hpe3parSession to test ensure_cpg's decisions."""

    label = LABEL

    def __init__(self, cpg=None):
        self.doc = cpg
        self.calls = []

    def cpg(self, name):
        return self.doc

    def create_cpg(self, name, body):
        self.calls.append(("create", name, body))
        layout = body.get("LDLayout", {})
        self.doc = {"name": name, "SDGrowth": {"incrementMiB": body.get("growthIncrementMiB"), "LDLayout": layout}}

    def modify_cpg(self, name, body):
        self.calls.append(("modify", name, body))
        self.doc["SDGrowth"]["incrementMiB"] = body.get("growthIncrementMiB", self.doc["SDGrowth"]["incrementMiB"])

    def delete_cpg(self, name):
        self.calls.append(("delete", name))
        self.doc = None


@pytest.mark.parametrize("check_mode", [False, True])
def test_ensure_cpg_create(check_mode):
    session = FakeSession()
    desired = {"raid_type": "r6", "set_size": 8, "growth_increment_mib": 1024}
    res = h.ensure_cpg(session, "N", "present", desired, check_mode)
    assert isinstance(res, EnsureResult)
    assert res.changed and res.actions == ["create"] and res.diff["before"] == {}
    after = res.resource["cpg"]
    assert after["raid_type"] == "r6" and after["growth_increment_mib"] == 1024 and res.diff["after"] == after
    assert bool(session.calls) is not check_mode


def test_ensure_cpg_unchanged_makes_no_call():
    session = FakeSession(dict(R6_FC))
    res = h.ensure_cpg(session, "CPG_R6_FC", "present", {"raid_type": "r6", "growth_increment_mib": 32768}, False)
    assert not res.changed and res.actions == [] and res.differences == [] and session.calls == []
    assert res.diff["before"] == res.diff["after"] == res.resource["cpg"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_ensure_cpg_modifies_growth(check_mode):
    session = FakeSession({"name": "N", "SDGrowth": dict(R6_FC["SDGrowth"])})
    res = h.ensure_cpg(session, "N", "present", {"growth_increment_mib": 8}, check_mode)
    assert res.changed and res.actions == ["modify growth_increment_mib"]
    assert res.differences == [{"name": "growth_increment_mib", "before": 32768, "after": 8}]
    assert res.diff["before"]["growth_increment_mib"] == 32768 and res.diff["after"]["growth_increment_mib"] == 8
    assert session.calls == ([] if check_mode else [("modify", "N", {"growthIncrementMiB": 8})])


@pytest.mark.parametrize("check_mode", [False, True])
def test_ensure_cpg_refuses_fixed_change(check_mode):
    session = FakeSession({"name": "N", "SDGrowth": dict(R6_FC["SDGrowth"])})
    with pytest.raises(h.Hpe3parError, match="must be recreated"):
        h.ensure_cpg(session, "N", "present", {"high_availability": "port", "growth_increment_mib": 8}, check_mode)
    assert session.calls == []


@pytest.mark.parametrize("exists, check_mode, changed, calls", [
    (True, False, True, [("delete", "N")]),
    (True, True, True, []),
    (False, False, False, []),
])
def test_ensure_cpg_absent(exists, check_mode, changed, calls):
    session = FakeSession(dict(R6_FC) if exists else None)
    res = h.ensure_cpg(session, "N", "absent", {}, check_mode)
    assert res.changed is changed and session.calls == calls
    assert res.actions == (["delete"] if changed else [])
    assert res.resource == {"cpg": {}} and res.diff["after"] == {}


@pytest.mark.parametrize("diff_mode", [True, False])
def test_ensure_cpg_module_result_keeps_the_module_keys(diff_mode):
    session = FakeSession({"name": "N", "SDGrowth": dict(R6_FC["SDGrowth"])})
    out = h.ensure_cpg(session, "N", "present", {"growth_increment_mib": 8}, False).module_result(diff_mode)
    assert sorted(out) == sorted(["changed", "actions", "cpg"] + (["diff"] if diff_mode else []))
    if diff_mode:
        assert out["diff"]["before_header"] == out["diff"]["after_header"] == "cpg N"
