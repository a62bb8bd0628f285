"""helion.openstack.log_search on real journal files: systemd-journal-remote writes one file per host from the
journal export format (as it does for what the nodes upload), and the module searches them with journalctl:
by service (identifier or unit), host, severity, time window and text, with a limit, in check mode too, and a bad
time reported clearly."""

import os
import time

import pytest

from tests.peers.playbook import run_tasks

JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote"
NOW = int(time.time()) * 1000000


@pytest.fixture(autouse=True)
def journal_remote_installed():
    """A missing journal-remote fails the tests, not skips them: scripts/test.sh installs it (bindep.txt)."""
    assert os.path.exists(JOURNAL_REMOTE), ("systemd-journal-remote is not installed: run bash scripts/bootstrap.sh "
                                            "test (bindep.txt)")


def export(entries):
    """The journal export format of entries (dicts of fields)."""
    out = []
    for number, fields in enumerate(entries):
        out.append("__MONOTONIC_TIMESTAMP=%d" % (1000 + number))
        out.append("_BOOT_ID=0123456789abcdef0123456789abcdef")
        out.extend("%s=%s" % item for item in fields.items())
        out.append("")
    return ("\n".join(out) + "\n").encode()


@pytest.fixture(scope="module")
def journals(tmp_path_factory):
    """Two hosts' journals: keystone (by identifier) and swift-object (by unit only) on ctl1 and ctl2, an hour
    of entries a minute apart, errors every tenth minute; 5,000 more info lines on ctl2."""
    import subprocess

    directory = tmp_path_factory.mktemp("remote")
    for host in ("ctl1", "ctl2"):
        entries = []
        for minute in range(60):
            stamp = NOW - (60 - minute) * 60 * 1000000
            entries.append({"__REALTIME_TIMESTAMP": stamp, "_HOSTNAME": host, "SYSLOG_IDENTIFIER": "keystone",
                            "_SYSTEMD_UNIT": "keystone.service", "PRIORITY": 3 if minute % 10 == 0 else 6,
                            "MESSAGE": "%s keystone minute %d%s" % (host, minute,
                                                                    " database gone" if minute % 10 == 0 else "")})
            entries.append({"__REALTIME_TIMESTAMP": stamp + 1, "_HOSTNAME": host,
                            "_SYSTEMD_UNIT": "swift-object.service", "PRIORITY": 4,
                            "MESSAGE": "%s object minute %d" % (host, minute)})
        if host == "ctl2":
            entries += [{"__REALTIME_TIMESTAMP": NOW - 1000000 + n, "_HOSTNAME": host, "SYSLOG_IDENTIFIER": "noise",
                         "PRIORITY": 6, "MESSAGE": "noise %d" % n} for n in range(5000)]
        entries.sort(key=lambda fields: fields["__REALTIME_TIMESTAMP"])
        subprocess.run([JOURNAL_REMOTE, "-o", str(directory / ("remote-%s.journal" % host)), "-"],
                       input=export(entries), check=True, capture_output=True, timeout=60)
    return str(directory)


def search(tmp_path, journals, check=False, **args):
    run = run_tasks(tmp_path, [{"name": "search", "helion.openstack.log_search": dict(args, directory=journals),
                                "ignore_errors": True}], check=check)
    assert run.rc == 0, run.stdout + run.stderr
    return run.result("search")


def test_errors_of_a_service_on_one_host_matching_text(journals, tmp_path):
    found = search(tmp_path, journals, services=["keystone"], hosts=["ctl1"], severity="err", grep="database")
    assert not found.get("failed"), found
    assert found["count"] == 6 and not found["truncated"] and not found["changed"]
    assert {(e["host"], e["service"], e["severity"]) for e in found["entries"]} == {("ctl1", "keystone", "err")}
    assert [e["message"] for e in found["entries"]] == ["ctl1 keystone minute %d database gone" % m
                                                        for m in range(0, 60, 10)]
    assert found["entries"][0]["time"] < found["entries"][-1]["time"]
    assert found["table"].splitlines()[1].split()[1:4] == ["ctl1", "keystone", "err"]
    assert found["seconds"] < 2, found["seconds"]


def test_a_service_by_its_unit_on_every_host_in_a_window(journals, tmp_path):
    found = search(tmp_path, journals, services=["swift-object"], start="-30min", until="-15min")
    assert not found.get("failed"), found
    # the unit's entries only, from both hosts, 15 minutes of them
    assert {e["service"] for e in found["entries"]} == {"swift-object"}
    assert {e["host"] for e in found["entries"]} == {"ctl1", "ctl2"}
    assert 28 <= found["count"] <= 32, found["count"]


def test_the_newest_entries_within_the_limit(journals, tmp_path):
    found = search(tmp_path, journals, hosts=["ctl2"], limit=10)
    assert found["count"] == 10 and found["truncated"]
    assert [e["message"] for e in found["entries"]] == ["noise %d" % n for n in range(4990, 5000)]


def test_nothing_found_is_an_empty_answer_in_check_mode_too(journals, tmp_path):
    found = search(tmp_path, journals, check=True, services=["keystone"], grep="no such text anywhere")
    assert not found.get("failed"), found
    assert found["count"] == 0 and found["entries"] == [] and found["table"] == "no log entry matches"


@pytest.mark.parametrize("args", [
    dict(grep="minute [1-3][0-9]$"),                     # free text over the whole cloud
    dict(grep="keystone minute", limit=5),               # the newest 5, interleaved from both hosts
    dict(services=["swift-object"], severity="warning"),
])
def test_the_files_searched_at_once_give_the_answer_of_one_search(journals, tmp_path, args):
    """One journalctl per host file, run at once and merged by time, answers as one journalctl over the
    directory does."""
    at_once = search(tmp_path, journals, parallel=2, **args)
    alone = search(tmp_path, journals, parallel=1, **args)
    assert not at_once.get("failed") and not alone.get("failed"), (at_once, alone)
    assert [[a for a in argv if a.startswith("/") and a.endswith(".journal")] for argv in at_once["cmds"]] == [
        [os.path.join(journals, "remote-ctl1.journal")], [os.path.join(journals, "remote-ctl2.journal")]]
    assert len(alone["cmds"]) == 1 and alone["cmds"][0].count("--file") == 2
    assert at_once["count"] > 0
    assert (at_once["entries"], at_once["truncated"]) == (alone["entries"], alone["truncated"])
    # the one command to run by hand is over the whole directory
    assert at_once["cmd"][:3] == ["journalctl", "--directory", journals]


@pytest.mark.parametrize("args, message", [
    ({"start": "yesterday at noonish"}, "journalctl failed (rc 1): Failed to parse"),
    ({"hosts": ["ctl1 ctl2"]}, "host 'ctl1 ctl2' is not a valid name"),
    ({"parallel": -1}, "the number of parallel searches must be a positive number"),
])
def test_bad_input_is_reported(journals, tmp_path, args, message):
    found = search(tmp_path, journals, **args)
    assert found.get("failed") and message in found["msg"], found
    assert "Traceback" not in found["msg"]
