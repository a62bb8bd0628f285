# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/monitoring_agent/files/helion_node_metrics.py: certificates' ends and Swift's recon figures as metrics."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import importlib.util
import json
import os

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HELPER = os.path.join(os.path.dirname(__file__), "..", "..", "..", "roles", "monitoring_agent", "files",
                      "helion_node_metrics.py")
SPEC = importlib.util.spec_from_file_location("helion_node_metrics", HELPER)
metrics = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(metrics)

EPOCH = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)


def certificate(name, days):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(EPOCH - datetime.timedelta(days=1))
            .not_valid_after(EPOCH + datetime.timedelta(days=days)).sign(key, hashes.SHA256()))
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), pem_key


def end(days):
    return (EPOCH + datetime.timedelta(days=days)).timestamp()


LEAF, LEAF_KEY = certificate("node1.example.com", 30)
CA, _CA_KEY = certificate("Logging CA", 3650)


@pytest.mark.parametrize("files, samples, errors", [
    ({"/etc/a/cert.pem": LEAF}, [("/etc/a/cert.pem", "CN=node1.example.com", end(30))], 0),
    # a chain: the earliest end counts
    ({"/etc/a/chain.pem": CA + LEAF}, [("/etc/a/chain.pem", "CN=node1.example.com", end(30))], 0),
    # a key is skipped, not reported and not an error
    ({"/etc/a/key.pem": LEAF_KEY, "/etc/a/ca.pem": CA}, [("/etc/a/ca.pem", "CN=Logging CA", end(3650))], 0),
    # a damaged certificate is an error, the others still reported
    ({"/etc/a/bad.pem": b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", "/etc/a/ok.pem": LEAF},
     [("/etc/a/ok.pem", "CN=node1.example.com", end(30))], 1),
    ({}, [], 0),
])
def test_certificate_samples(files, samples, errors):
    found, failed = metrics.certificate_samples(files, metrics.pem_certificates_end)
    assert [(labels["path"], labels["subject"], value) for _name, labels, value in found] == samples
    assert {name for name, _labels, _value in found} <= {"helion_certificate_not_after_seconds"}
    assert failed == errors


# Swift 2.35's recon caches: the database replicators write seconds, the object replicator minutes under both keys.
ACCOUNT = {"replication_last": 1700000100.5, "replication_time": 2.5,
           "replication_stats": {"attempted": 3, "failure": 0, "success": 6}}
OBJECT = {"object_replication_last": 1700000200.0, "object_replication_time": 0.5, "replication_last": 1700000200.0,
          "replication_time": 0.5, "async_pending": 4, "replication_stats": {"failure": 2}}


@pytest.mark.parametrize("recon, samples, errors", [
    ({"account": json.dumps(ACCOUNT)}, [
        ("helion_swift_replication_last_seconds", {"server": "account"}, 1700000100.5),
        ("helion_swift_replication_duration_seconds", {"server": "account"}, 2.5),
        ("helion_swift_replication_failures", {"server": "account"}, 0.0)], 0),
    ({"object": json.dumps(OBJECT)}, [
        ("helion_swift_replication_last_seconds", {"server": "object"}, 1700000200.0),
        ("helion_swift_replication_duration_seconds", {"server": "object"}, 30.0),
        ("helion_swift_replication_failures", {"server": "object"}, 2.0),
        ("helion_swift_async_pending", {}, 4.0)], 0),
    # an older object cache with only the prefixed keys
    ({"object": json.dumps({"object_replication_last": 5.0, "object_replication_time": 2})}, [
        ("helion_swift_replication_last_seconds", {"server": "object"}, 5.0),
        ("helion_swift_replication_duration_seconds", {"server": "object"}, 120.0)], 0),
    # a cache before the first pass says nothing yet; a node without the server has no cache
    ({"container": "{}", "account": None}, [], 0),
    ({"container": ""}, [], 0),
    ({"container": "{not json", "object": "[1]"}, [], 2),
])
def test_swift_samples(recon, samples, errors):
    assert metrics.swift_samples(recon) == (samples, errors)


@pytest.mark.parametrize("samples, text", [
    ([("helion_swift_async_pending", {}, 4)],
     "# HELP helion_swift_async_pending Object updates waiting to be sent to the container servers.\n"
     "# TYPE helion_swift_async_pending gauge\nhelion_swift_async_pending 4.0\n"),
    # one HELP and TYPE per metric, samples sorted, label values escaped
    ([("helion_node_metrics_errors", {"collector": "swift"}, 0),
      ("helion_node_metrics_errors", {"collector": 'a"b\\c\nd'}, 1)],
     "# HELP helion_node_metrics_errors Things this collector could not read on its last run.\n"
     "# TYPE helion_node_metrics_errors gauge\n"
     'helion_node_metrics_errors{collector="a\\"b\\\\c\\nd"} 1.0\n'
     'helion_node_metrics_errors{collector="swift"} 0.0\n'),
])
def test_render(samples, text):
    assert metrics.render(samples) == text


def test_collect_reads_the_globs_and_the_recon_directory_and_writes_atomically(tmp_path):
    (tmp_path / "pki").mkdir()
    (tmp_path / "pki" / "cert.pem").write_bytes(LEAF)
    (tmp_path / "pki" / "key.pem").write_bytes(LEAF_KEY)
    (tmp_path / "recon").mkdir()
    (tmp_path / "recon" / "object.recon").write_text(json.dumps(OBJECT))
    out = tmp_path / "textfile" / "helion.prom"
    out.parent.mkdir()
    settings = {"certificates": [str(tmp_path / "pki" / "*.pem")], "swift_recon_dir": str(tmp_path / "recon"),
                "output": str(out)}
    (tmp_path / "settings.json").write_text(json.dumps(settings))
    assert metrics.main(["helion_node_metrics.py", str(tmp_path / "settings.json")]) == 0
    text = out.read_text()
    assert 'helion_certificate_not_after_seconds{path="%s",subject="CN=node1.example.com"} %r\n' % (
        tmp_path / "pki" / "cert.pem", end(30)) in text
    assert "key.pem" not in text and "PRIVATE" not in text
    assert 'helion_swift_replication_last_seconds{server="object"} 1700000200.0\n' in text
    assert 'helion_node_metrics_errors{collector="certificates"} 0.0\n' in text
    assert 'helion_node_metrics_errors{collector="swift"} 0.0\n' in text
    assert "helion_node_metrics_last_run_seconds " in text
    assert os.listdir(str(out.parent)) == ["helion.prom"]  # nothing left beside it


def test_usage_without_settings():
    assert metrics.main(["helion_node_metrics.py"]) == 2
