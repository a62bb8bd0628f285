"""Unit tests of plugins/module_utils/_ipmi.py: the pure logic, and the IPMI 2.0 session against a fake BMC in a
thread on 127.0.0.1 (no simulator needed)."""

import hmac
import socket
import struct
import threading
import time

import pytest

from ansible_collections.helion.openstack.plugins.module_utils import _ipmi as m


# --- targets ---------------------------------------------------------------------------------------------------

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


# --- errors ----------------------------------------------------------------------------------------------------

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


# --- power -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("current, state, actions, expect", [
    ("off", "on", ["on"], "on"),
    ("on", "on", [], "on"),
    ("on", "off", ["off"], "off"),
    ("off", "off", [], "off"),
    ("on", "soft-off", ["shutdown"], "off"),
    ("off", "soft-off", [], "off"),
    ("on", "reset", ["reset"], "on"),
    ("off", "reset", ["on"], "on"),
    ("on", "cycle", ["cycle"], "on"),
    ("off", "cycle", ["on"], "on"),
])
def test_plan_power(current, state, actions, expect):
    plan = m.plan_power(current, state)
    assert plan == {"actions": actions, "expect": expect, "changed": bool(actions)}


@pytest.mark.parametrize("current, state", [("on", "boot"), ("unknown", "on")])
def test_plan_power_rejects_unknown(current, state):
    with pytest.raises(ValueError):
        m.plan_power(current, state)


# --- boot flags ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("device, persistent, uefi, data", [
    ("network", False, False, [0x80, 0x04, 0, 0, 0]),
    ("disk", True, False, [0xC0, 0x08, 0, 0, 0]),
    ("cdrom", False, True, [0xA0, 0x14, 0, 0, 0]),
    ("bios", True, True, [0xE0, 0x18, 0, 0, 0]),
])
def test_encode_boot_flags(device, persistent, uefi, data):
    assert m.encode_boot_flags(device, persistent, uefi) == data


@pytest.mark.parametrize("data, decoded", [
    ([1, 5, 0x00, 0x04, 0, 0, 0], dict(device="network", persistent=False, uefi=False, valid=False)),  # ipmi_sim
    ([1, 5, 0xC0, 0x08, 0, 0, 0], dict(device="disk", persistent=True, uefi=False, valid=True)),
    ([1, 5, 0xA0, 0x18, 0, 0, 0], dict(device="bios", persistent=False, uefi=True, valid=True)),
    ([1, 5, 0x80, 0x00, 0, 0, 0], dict(device="default", persistent=False, uefi=False, valid=True)),
    ([1, 5, 0x80, 0x3C, 0, 0, 0], dict(device="floppy", persistent=False, uefi=False, valid=True)),
])
def test_decode_boot_flags(data, decoded):
    assert m.decode_boot_flags(data) == decoded


def test_decode_boot_flags_short():
    with pytest.raises(ValueError):
        m.decode_boot_flags([1, 5])


@pytest.mark.parametrize("current, wanted, changed, compared", [
    # valid bit set: everything is compared
    (dict(device="network", persistent=False, uefi=False, valid=True), ("network", False, False), False,
     ["device", "persistent", "uefi"]),
    (dict(device="network", persistent=False, uefi=False, valid=True), ("network", True, False), True,
     ["device", "persistent", "uefi"]),
    (dict(device="network", persistent=False, uefi=False, valid=True), ("network", False, True), True,
     ["device", "persistent", "uefi"]),
    (dict(device="disk", persistent=True, uefi=True, valid=True), ("network", True, True), True,
     ["device", "persistent", "uefi"]),
    # valid bit clear (ipmi_sim): only the device selector; stable answer run after run
    (dict(device="network", persistent=False, uefi=False, valid=False), ("network", True, True), False, ["device"]),
    (dict(device="default", persistent=False, uefi=False, valid=False), ("network", False, False), True, ["device"]),
])
def test_compare_boot(current, wanted, changed, compared):
    out = m.compare_boot(current, *wanted)
    assert out == {"changed": changed, "compared": compared, "valid_bit": current["valid"]}


def test_compare_boot_without_valid_bit_does_not_flip_flop():
    # after setting, ipmi_sim reads back the device with the valid bit clear: repeated runs must agree
    after_set = m.decode_boot_flags([1, 5, 0x00, m.BOOT_DEVICES["network"] << 2, 0, 0, 0])
    answers = {m.compare_boot(after_set, "network", True, False)["changed"] for _unused in range(3)}
    assert answers == {False}


# --- FRU / MAC / sensors ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("strings, macs", [
    (["MAC:52:54:00:12:34:56"], ["52:54:00:12:34:56"]),
    (["NIC1 52-54-00-AB-CD-EF", "x"], ["52:54:00:ab:cd:ef"]),
    (["MAC:52:54:00:12:34:56", "mac 52:54:00:12:34:56"], ["52:54:00:12:34:56"]),
    (["12:34:56:78:9a:bc:de"], []),  # 7 groups is not a MAC
    ([b"MAC=aa:bb:cc:dd:ee:ff\x00"], ["aa:bb:cc:dd:ee:ff"]),
    ([], []),
])
def test_find_macs(strings, macs):
    assert m.find_macs(strings) == macs


def test_shape_fru_prefers_product_then_board():
    info = {"Manufacturer": "HPE ", "Product name": "DL360", "Model": "867959", "Serial Number": "CZ1",
            "Asset Number": "", "Board serial number": "PV1", "Board manufacturer": "Board Inc",
            "product_extra": ["MAC:52:54:00:00:00:01"], "board_extra": []}
    out = m.shape_fru(info, "f5748139-4d45-650b-964e-f289de5e09a5")
    assert out["manufacturer"] == "HPE" and out["product"] == "DL360" and out["serial"] == "CZ1"
    assert out["asset_tag"] is None and out["board_serial"] == "PV1"
    assert out["uuid"] == "f5748139-4d45-650b-964e-f289de5e09a5"
    assert out["macs"] == ["52:54:00:00:00:01"]
    board_only = m.shape_fru({"Board manufacturer": "Board Inc", "Board serial number": "PV1"})
    assert board_only["manufacturer"] == "Board Inc" and board_only["serial"] == "PV1" and board_only["uuid"] is None


@pytest.mark.parametrize("code, name", [(0, "ok"), (1, "warning"), (2, "critical"), (4, "failed"), (3, "critical"),
                                        (None, "ok")])
def test_health_name(code, name):
    assert m.health_name(code) == name


def test_decode_threshold_mask():
    assert m.decode_threshold_mask([0x38, 0, 0, 0, 80, 85, 96]) == [
        "upper_non_critical", "upper_critical", "upper_non_recoverable"]
    assert m.decode_threshold_mask([0x01]) == ["lower_non_critical"]
    assert m.decode_threshold_mask([]) == []


@pytest.mark.parametrize("raw, text", [([0x52, 0x54, 0, 0xAB, 1, 2], "52:54:00:ab:01:02"), ("AA:BB", "aa:bb"),
                                       (None, None)])
def test_format_mac(raw, text):
    assert m.format_mac(raw) == text


# --- fleet outcome ---------------------------------------------------------------------------------------------

OK = {"name": "a", "failed": False}
BAD = {"name": "b", "failed": True, "msg": "BMC b (1.1.1.1:623): authentication failed"}


@pytest.mark.parametrize("results, policy, failed", [
    ([OK, OK], "any", False),
    ([OK, BAD], "any", True),
    ([OK, BAD], "all", False),
    ([BAD, BAD], "all", True),
    ([BAD, BAD], "none", False),
    ([BAD], "any", True),
])
def test_fleet_outcome(results, policy, failed):
    got, msg = m.fleet_outcome(results, policy)
    assert got is failed
    if any(r["failed"] for r in results):
        assert "authentication failed" in msg and "of %d BMC(s) failed" % len(results) in msg


def test_fleet_outcome_rejects_unknown_policy():
    with pytest.raises(ValueError):
        m.fleet_outcome([OK], "some")


def test_run_fleet_bounded_concurrency_order_and_errors():
    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def worker(target):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        if target["name"] == "t3":
            raise m.IpmiError(m.target_label(target), "authentication failed", "auth")
        if target["name"] == "t4":
            raise RuntimeError("timeout")
        return dict(m.public_target(target), failed=False)

    targets = [{"name": "t%d" % i, "address": "10.0.0.%d" % i, "port": 623} for i in range(8)]
    out = m.run_fleet(targets, worker, concurrency=3, deadline=5)
    assert [r["name"] for r in out] == ["t%d" % i for i in range(8)]
    assert state["max"] <= 3
    assert out[3]["failed"] and out[3]["error"] == "auth" and "10.0.0.3" in out[3]["msg"]
    assert out[4]["failed"] and out[4]["error"] == "timeout"
    assert not any(r["failed"] for i, r in enumerate(out) if i not in (3, 4))


def test_run_fleet_hard_deadline_does_not_wait_for_hung_worker():
    release = threading.Event()

    def worker(target):
        if target["name"] == "hang":
            release.wait(30)
        return dict(m.public_target(target), failed=False)

    targets = [{"name": "hang", "address": "10.0.0.1", "port": 623}, {"name": "ok", "address": "10.0.0.2",
                                                                      "port": 623}]
    start = time.time()
    out = m.run_fleet(targets, worker, concurrency=2, deadline=0.5)
    release.set()
    assert time.time() - start < 3
    assert out[0]["failed"] and out[0]["error"] == "timeout" and "hard deadline" in out[0]["msg"]
    assert out[1]["failed"] is False


# --- discovery -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cidr, count, first, last", [
    ("10.0.0.0/29", 6, "10.0.0.1", "10.0.0.6"),
    ("10.0.0.5/32", 1, "10.0.0.5", "10.0.0.5"),
    ("10.0.0.4/31", 2, "10.0.0.4", "10.0.0.5"),
    ("10.0.0.17/28", 14, "10.0.0.17", "10.0.0.30"),  # host bits are ignored
    ("10.0.0.0/20", 4094, "10.0.0.1", "10.0.15.254"),
])
def test_expand_cidr(cidr, count, first, last):
    out = m.expand_cidr(cidr)
    assert len(out) == count and out[0] == first and out[-1] == last


@pytest.mark.parametrize("cidr, fragment", [
    ("10.0.0.0/19", "8192 addresses, more than the limit of 4096"),
    ("0.0.0.0/0", "more than the limit"),
    ("not-a-net", "not a valid network"),
    ("fd00::/120", "only IPv4"),
])
def test_expand_cidr_refuses(cidr, fragment):
    with pytest.raises(m.IpmiError) as err:
        m.expand_cidr(cidr)
    assert fragment in str(err.value)


def test_auth_cap_request_layout_and_checksums():
    pkt = bytearray(m.auth_cap_request(seq=3))
    assert pkt[:4] == bytearray([0x06, 0x00, 0xFF, 0x07])  # RMCP, IPMI class
    assert pkt[4] == 0 and pkt[13] == len(pkt) - 14  # no auth, message length
    msg = pkt[14:]
    assert (msg[0] + msg[1] + msg[2]) & 0xFF == 0  # header checksum
    assert sum(msg[3:]) & 0xFF == 0  # body checksum
    assert msg[1] >> 2 == 0x06 and msg[5] == 0x38 and msg[4] >> 2 == 3
    assert msg[6] == 0x8E and msg[7] == 4


def _response(auth_support, ext, status=0x04, code=0):
    body = [0x81, 0x1C, 0x00, 0x20, 0x00, 0x38, code, 0x01, auth_support, status, ext, 0, 0, 0, 0]
    return bytes(bytearray([0x06, 0x00, 0xFF, 0x07, 0, 0, 0, 0, 0, 0, 0, 0, 0, len(body) + 1] + body + [0]))


@pytest.mark.parametrize("data, version, versions", [
    (_response(0x80, 0x02), "2.0", ["2.0"]),              # pyghmi server: IPMI 2.0 only
    (_response(0x97, 0x03), "2.0", ["1.5", "2.0"]),       # ipmi_sim: 1.5 and 2.0
    (_response(0x16, 0x00), "1.5", ["1.5"]),              # an old IPMI 1.5 BMC
])
def test_parse_auth_cap_response(data, version, versions):
    out = m.parse_auth_cap_response(data)
    assert out["ipmi_version"] == version and out["versions"] == versions and out["channel"] == 1


def test_parse_auth_cap_response_rejects_noise_and_reports_codes():
    assert m.parse_auth_cap_response(b"hello") is None
    assert m.parse_auth_cap_response(bytes(30)) is None
    assert m.parse_auth_cap_response(_response(0x80, 0x02, code=0xC1))["completion_code"] == 0xC1


def test_probe_range_finds_responder_and_only_contacts_given_addresses():
    responder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    responder.bind(("127.0.0.1", 0))
    port = responder.getsockname()[1]
    seen = []

    def serve():
        responder.settimeout(2)
        try:
            while True:
                data, peer = responder.recvfrom(512)
                seen.append(bytes(data))
                responder.sendto(_response(0x80, 0x02), peer)
        except OSError:
            return

    thread = threading.Thread(target=serve)
    thread.daemon = True
    thread.start()
    try:
        found = m.probe_range(["127.0.0.1"], port=port, timeout=0.3, concurrency=4, retries=0)
    finally:
        responder.close()
    assert list(found) == ["127.0.0.1"] and found["127.0.0.1"]["ipmi_version"] == "2.0"
    assert seen and seen[0] == m.auth_cap_request(0)


def test_fleet_call_single_address_lifts_result_and_scrubs(monkeypatch):
    def fake(target):
        return dict(m.public_target(target), failed=False, changed=True, power="on",
                    msg="echo %s" % target["password"])

    out = m.fleet_call(dict(address="10.0.0.1", port=623, username="u", password="hunter22", targets=None,
                            concurrency=4, timeout=5, fail_on_error="any"), fake)
    assert out["changed"] is True and out["failed"] is False and out["power"] == "on"
    assert out["address"] == "10.0.0.1"
    assert "hunter22" not in str(out)


@pytest.mark.parametrize("params, fragment", [
    (dict(concurrency=0, timeout=5), "concurrency"),
    (dict(concurrency=2, timeout=0), "timeout"),
])
def test_fleet_call_validates(params, fragment):
    base = dict(address="10.0.0.1", port=623, username="u", password="p", targets=None, fail_on_error="any")
    base.update(params)
    with pytest.raises(m.IpmiError) as err:
        m.fleet_call(base, lambda t: {})
    assert fragment in str(err.value)


def test_run_fleet_deadline_keeps_partial_info():
    release = threading.Event()

    def worker(target, box):
        res = dict(m.public_target(target), failed=False, changed=False, errors={})
        box["partial"] = res
        res["power"] = "on"
        res["fru"] = {"serial": "S1"}
        if target["name"] == "slow":
            release.wait(30)  # e.g. a sensor scan that hangs
        return m.finish_partial(res, None, None)

    targets = [{"name": "slow", "address": "10.0.0.1", "port": 623}, {"name": "fast", "address": "10.0.0.2",
                                                                      "port": 623}]
    out = m.run_fleet(targets, worker, concurrency=2, deadline=0.5, progress=True)
    release.set()
    slow, fast = out
    assert slow["failed"] is False and slow["partial"] is True
    assert slow["power"] == "on" and slow["fru"] == {"serial": "S1"}
    assert "hard deadline" in slow["errors"]["deadline"] and "10.0.0.1" in slow["errors"]["deadline"]
    assert fast["partial"] is False and fast["msg"] == "ok"


@pytest.mark.parametrize("errors, section, partial, msg", [
    ({}, None, False, "ok"),
    ({"sensors": "x"}, None, True, "partial answer: sensors failed"),
    ({"sensors": "x"}, "lan", True, "partial answer: lan, sensors failed"),
])
def test_finish_partial(errors, section, partial, msg):
    res = m.finish_partial({"errors": dict(errors)}, section, "boom" if section else None)
    assert res["partial"] is partial and res["msg"] == msg


# --- RMCP+ framing ---------------------------------------------------------------------------------------------

def test_ipmi_request_checksums_and_response_parsing():
    msg = bytearray(m.ipmi_request(0x00, 0x01, 5, [7, 8]))
    assert msg[:3] == bytearray([0x20, 0x00, 0xE0])  # rsAddr, netFn/LUN, checksum of both
    assert msg[3:8] == bytearray([0x81, 5 << 2, 0x01, 7, 8]) and sum(msg[3:]) & 0xFF == 0
    assert m.parse_ipmi_response(bytes(bytearray([0x81, 0x04, 0x7B, 0x20, 5 << 2, 0x01, 0x00, 0x21, 0x10, 0x40,
                                                  0x00]))) == dict(netfn=1, seq=5, command=1, code=0,
                                                                   data=[0x21, 0x10, 0x40])
    assert m.parse_ipmi_response(b"\x81\x04") is None


@pytest.mark.parametrize("length, pad", [(0, 15), (14, 1), (15, 0), (16, 15), (30, 1)])
def test_aes_pad_fills_whole_blocks(length, pad):
    trailer = bytearray(m.aes_pad(length))
    assert (length + len(trailer)) % 16 == 0 and trailer[-1] == pad and list(trailer[:-1]) == list(range(1, pad + 1))


@pytest.mark.parametrize("suite", [3, 17])
def test_seal_unseal_round_trip_and_rejections(suite):
    _auth, _integrity, _conf, hashfn, authlen = m.CIPHER_SUITES[suite]
    keys = m.SessionKeys(b"k" * 20, hashfn, authlen)
    message = m.ipmi_request(0x06, 0x01, 3)
    packet = m.seal(m.PAYLOAD_IPMI, message, 0x11223344, 7, keys)
    assert (len(packet) - 4 - authlen) % 4 == 0  # integrity pad: session part before the code is 4-byte aligned
    assert m.unseal(packet, keys, 0x11223344) == (m.PAYLOAD_IPMI, message)
    assert message not in packet  # encrypted
    assert m.unseal(packet, keys, 0x55555555) is None  # other session
    tampered = bytearray(packet)
    tampered[20] ^= 1
    assert m.unseal(bytes(tampered), keys, 0x11223344) is None
    other = m.SessionKeys(b"x" * 20, hashfn, authlen)
    assert m.unseal(packet, other, 0x11223344) is None
    clear = m.seal(m.PAYLOAD_IPMI, message, 0x11223344, 7)  # no integrity code: refused inside a session
    assert m.unseal(clear, keys, 0x11223344) is None
    assert m.unseal(clear) == (m.PAYLOAD_IPMI, message)
    assert m.unseal(b"\x06\x00\xff\x07\x00" + bytes(20)) is None  # IPMI 1.5


def test_rmcp_status_errors_have_kinds():
    assert m.rmcp_status_error("b1", "RAKP message 2", 0x0D).kind == "auth"
    assert "authentication failed" in str(m.rmcp_status_error("b1", "RAKP message 2", 0x0D))
    assert m.rmcp_status_error("b1", "open session", 0x11).kind == "cipher"
    assert m.rmcp_status_error("b1", "open session", 0x01).kind == "bmc"
    assert "0x42" in str(m.rmcp_status_error("b1", "open session", 0x42))


# --- pyghmi socket fixes ---------------------------------------------------------------------------------------

def test_pyghmi_io_fixes_never_block_nor_switch_the_socket_mode():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind(("127.0.0.1", 0))
        peer.bind(("127.0.0.1", 0))
        sock.setblocking(True)
        start = time.time()
        assert m._io_recvfrom(sock, 100) is None  # pyghmi's own read blocks here once another thread sent
        assert time.time() - start < 0.5 and sock.getblocking() is True
        peer.setblocking(False)
        m._io_sendto(peer, b"hello", sock.getsockname())
        assert peer.getblocking() is False
        assert m._io_recvfrom(sock, 100)[0] == b"hello"
    finally:
        sock.close()
        peer.close()


def test_run_fleet_hands_a_slot_on_without_polling():
    targets = [{"name": "t%d" % i, "address": "10.0.0.%d" % i, "port": 623} for i in range(60)]
    start = time.time()
    out = m.run_fleet(targets, lambda t: dict(m.public_target(t), failed=False), concurrency=1, deadline=5)
    assert time.time() - start < 0.6  # 60 x the old 20 ms poll would be 1.2 s
    assert [r["name"] for r in out] == [t["name"] for t in targets]


# --- LanSession against a fake BMC -----------------------------------------------------------------------------

class FakeBmc(object):
    """An RMCP+ BMC on 127.0.0.1 in a thread, written from the IPMI 2.0 specification with the framing helpers:
    enough of it to test LanSession's session setup, retries and fallbacks."""

    def __init__(self, password=b"secret", user=b"admin", suites=(3, 17), answer_suite=None, short_errors=False,
                 max_priv=4, drop=None, power=True):
        self.password, self.user, self.suites, self.answer_suite = password, user, suites, answer_suite
        self.short_errors, self.max_priv, self.power = short_errors, max_priv, power
        self.drop = dict(drop or {})  # payload type (or "cmd-0x01") -> how many of them to ignore
        self.seen = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.running = True
        self.keys = None
        self.thread = threading.Thread(target=self._serve)
        self.thread.daemon = True
        self.thread.start()

    def stop(self):
        self.running = False
        self.thread.join(5)
        self.sock.close()

    def _dropped(self, key):
        if self.drop.get(key):
            self.drop[key] -= 1
            return True
        return False

    def _serve(self):
        while self.running:
            try:
                data, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            answer = self._handle(bytearray(data))
            if answer is not None:
                self.sock.sendto(answer, peer)

    def _handle(self, data):
        if data[4] == 0:  # IPMI 1.5 sessionless: Get Channel Authentication Capabilities
            self.seen.append("caps")
            msg = [0x81, 0x07 << 2, 0x00, 0x20, 0, 0x38, 0x00, 0x01, 0x80 | 0x04, 0x14, 0x02, 0, 0, 0, 0]
            msg[2] = (-sum(msg[:2])) & 0xFF
            msg.append((-sum(msg[3:])) & 0xFF)
            return bytes(bytearray([6, 0, 0xFF, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, len(msg)] + msg))
        got = m.unseal(bytes(data), self.keys)
        if got is None:
            return None
        ptype, payload = got[0], bytearray(got[1])
        self.seen.append(ptype)
        if self._dropped(ptype):
            return None
        if ptype == m.PAYLOAD_OPEN_REQUEST:
            return self._open(payload)
        if ptype == m.PAYLOAD_RAKP1:
            return self._rakp1(payload)
        if ptype == m.PAYLOAD_RAKP3:
            return self._rakp3(payload)
        if ptype == m.PAYLOAD_IPMI:
            return self._command(payload)
        return None

    def _open(self, payload):
        tag, self.console = payload[0], bytes(payload[4:8])
        proposed = (payload[12], payload[20], payload[28])
        suite = [s for s in self.suites if m.CIPHER_SUITES[s][:3] == proposed]
        if not suite:
            if self.short_errors:
                return m.seal(m.PAYLOAD_OPEN_RESPONSE, bytearray([tag, 0x11]), 0, 0)
            return m.seal(m.PAYLOAD_OPEN_RESPONSE, bytearray([tag, 0x11, 0, 0]) + self.console, 0, 0)
        self.suite = self.answer_suite or suite[0]
        auth, integrity, conf = m.CIPHER_SUITES[self.suite][:3]
        return m.seal(m.PAYLOAD_OPEN_RESPONSE, bytearray([tag, 0, 4, 0]) + self.console + b"\x99\x88\x77\x66"
                      + bytearray([0, 0, 0, 8, auth, 0, 0, 0, 1, 0, 0, 8, integrity, 0, 0, 0, 2, 0, 0, 8, conf, 0, 0,
                                   0]), 0, 0)

    def _rakp1(self, payload):
        tag, self.rm, self.role = payload[0], bytes(payload[8:24]), payload[24]
        user = bytes(payload[28:28 + payload[27]])
        if user != self.user or (self.role & 0x0F) > self.max_priv and self.max_priv < 4:
            return m.seal(m.PAYLOAD_RAKP2, bytearray([tag, 0x0D if user != self.user else 0x09, 0, 0]) + self.console,
                          0, 0)
        hashfn = m.CIPHER_SUITES[self.suite][3]
        self.rc, guid = b"R" * 16, b"G" * 16
        self.guid = guid
        code = hmac.new(self.password, self.console + b"\x99\x88\x77\x66" + self.rm + self.rc + guid
                        + bytearray([self.role, len(user)]) + user, hashfn).digest()
        self.sik = hmac.new(self.password, self.rm + self.rc + bytearray([self.role, len(user)]) + user,
                            hashfn).digest()
        return m.seal(m.PAYLOAD_RAKP2, bytearray([tag, 0, 0, 0]) + self.console + self.rc + guid + code, 0, 0)

    def _rakp3(self, payload):
        _auth, _integrity, _conf, hashfn, authlen = m.CIPHER_SUITES[self.suite]
        expected = hmac.new(self.password, self.rc + self.console + bytearray([self.role, len(self.user)])
                            + self.user, hashfn).digest()
        if bytes(payload[8:]) != expected:
            return m.seal(m.PAYLOAD_RAKP4, bytearray([payload[0], 0x0F, 0, 0]) + self.console, 0, 0)
        self.keys = m.SessionKeys(self.sik, hashfn, authlen)
        icv = hmac.new(self.sik, self.rm + b"\x99\x88\x77\x66" + self.guid, hashfn).digest()[:authlen]
        return m.seal(m.PAYLOAD_RAKP4, bytearray([payload[0], 0, 0, 0]) + self.console + icv, 0, 0)

    def _command(self, msg):
        netfn, seq, command, data = msg[1] >> 2, msg[4] >> 2, msg[5], list(msg[6:-1])
        self.seen.append("cmd-0x%02x" % command)
        if self._dropped("cmd-0x%02x" % command):
            return None
        code, out = 0, []
        if (netfn, command) == (0x06, 0x3B):
            code, out = (0x81, []) if data[0] > self.max_priv else (0, [data[0]])
        elif (netfn, command) == (0x00, 0x01):
            out = [1 if self.power else 0, 0, 0]
        elif (netfn, command) != (0x06, 0x3C):
            code = 0xC1
        head = [0x81, (netfn + 1) << 2]
        body = [0x20, seq << 2, command, code] + out
        answer = head + [(-sum(head)) & 0xFF] + body + [(-sum(body)) & 0xFF]
        return m.seal(m.PAYLOAD_IPMI, answer, struct.unpack("<I", self.console)[0], 1, self.keys)


@pytest.fixture
def fake_bmc():
    made = []

    def make(**kwargs):
        bmc = FakeBmc(**kwargs)
        made.append(bmc)
        return bmc
    yield make
    for bmc in made:
        bmc.stop()


def lan(bmc, password="secret", timeouts=(0.3, 0.3, 0.3)):
    return m.LanSession("127.0.0.1", bmc.port, "admin", password, "b1 (127.0.0.1:%d)" % bmc.port, timeouts=timeouts)


def test_lan_session_logs_in_with_suite_17_reads_power_and_closes(fake_bmc):
    bmc = fake_bmc()
    session = lan(bmc).open()
    assert session.suite == 17 and session.privilege == 4
    assert session.request(0x00, 0x01) == (0, [1, 0, 0])
    assert session.raw_command(0x00, 0x05)["error"].startswith("completion code 0xC1")
    session.logout()
    assert bmc.seen[:4] == ["caps", m.PAYLOAD_OPEN_REQUEST, m.PAYLOAD_RAKP1, m.PAYLOAD_RAKP3]
    assert bmc.seen[-1] == "cmd-0x3c" and session.sock is None


@pytest.mark.parametrize("short", [False, True])
def test_lan_session_falls_back_to_suite_3(fake_bmc, short):
    bmc = fake_bmc(suites=(3,), short_errors=short)  # ipmi_sim answers a refusal with tag and status only
    session = lan(bmc).open()
    assert session.suite == 3 and bmc.seen.count(m.PAYLOAD_OPEN_REQUEST) == 2
    assert session.request(0x00, 0x01)[0] == 0
    session.logout()


def test_lan_session_takes_the_suite_the_bmc_answers(fake_bmc):
    bmc = fake_bmc(answer_suite=3)  # pyghmi's server answers suite 3 whatever was proposed
    session = lan(bmc).open()
    assert session.suite == 3 and bmc.seen.count(m.PAYLOAD_OPEN_REQUEST) == 1
    assert session.request(0x00, 0x01)[0] == 0
    session.logout()


def test_lan_session_errors_name_the_bmc_and_kind(fake_bmc):
    bmc = fake_bmc()
    with pytest.raises(m.IpmiError) as err:
        lan(bmc, password="wrong").open()
    assert err.value.kind == "auth" and "authentication failed" in str(err.value) and "b1 (127.0.0.1" in str(err.value)
    with pytest.raises(m.IpmiError) as err:
        m.LanSession("127.0.0.1", bmc.port, "nobody", "secret", "b1", timeouts=(0.3,)).open()
    assert err.value.kind == "auth" and "unauthorized name" in str(err.value)
    nocipher = fake_bmc(suites=())
    with pytest.raises(m.IpmiError) as err:
        lan(nocipher).open()
    assert err.value.kind == "cipher" and "tried 17, then 3" in str(err.value)


def test_lan_session_drops_to_operator_when_admin_is_refused(fake_bmc):
    bmc = fake_bmc(max_priv=3)
    session = lan(bmc).open()
    assert session.privilege == 3
    session.logout()


def test_lan_session_restarts_a_lost_login_and_resends_a_lost_request(fake_bmc):
    bmc = fake_bmc(drop={m.PAYLOAD_RAKP3: 1, "cmd-0x01": 1})
    session = lan(bmc, timeouts=(0.2, 0.3, 0.4)).open()
    assert bmc.seen.count(m.PAYLOAD_OPEN_REQUEST) == 2  # a lost RAKP 4 starts the setup over, not a RAKP 3 resend
    assert session.request(0x00, 0x01) == (0, [1, 0, 0])
    assert bmc.seen.count("cmd-0x01") == 2
    session.logout()


def test_lan_session_no_answer_is_unreachable():
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    closed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    try:
        start = time.time()
        with pytest.raises(m.IpmiError) as err:
            m.LanSession("127.0.0.1", silent.getsockname()[1], "a", "b", "b1", timeouts=(0.1, 0.1)).open()
        assert err.value.kind == "unreachable" and time.time() - start < 2
        with pytest.raises(m.IpmiError) as err:
            m.LanSession("127.0.0.1", closed_port, "a", "b", "b1", timeouts=(0.1, 0.1)).open()
        assert err.value.kind == "unreachable" and "port unreachable" in str(err.value)
    finally:
        silent.close()
