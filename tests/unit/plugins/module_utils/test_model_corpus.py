"""The corpus of broken models: each must produce exactly the findings in its expected.yml.

A case directory holds only the files it changes from tests/unit/model_corpus/_base; the
test lays them over a copy of the base and validates the result as an operator would. A file
named `x.yml.in` becomes `x.yml` (for deliberately broken YAML, which the repository's YAML
lint would otherwise reject).
"""

import os
import shutil

import pytest
import yaml

from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.errors import CloudModelError
from ansible_collections.helion.openstack.plugins.module_utils._cloud_model.planner import load_and_plan

CORPUS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "model_corpus")
CASES = sorted(d for d in os.listdir(CORPUS) if d[0].isdigit())


def _assemble(case, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(os.path.join(CORPUS, "_base"), str(model))
    for name in os.listdir(os.path.join(CORPUS, case)):
        if name != "expected.yml":
            target = name[:-3] if name.endswith(".in") else name
            shutil.copy(os.path.join(CORPUS, case, name), str(model / target))
    return model


def _validate(model, monkeypatch):
    # Relative display names, as an operator running from the model directory sees them.
    monkeypatch.chdir(str(model))
    try:
        _plan, warnings = load_and_plan(".", display_root="")
        return None, warnings
    except CloudModelError as exc:
        return exc, exc.findings


def test_corpus_is_large_enough():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES)
def test_broken_model_reports_expected_findings(case, tmp_path, monkeypatch):
    with open(os.path.join(CORPUS, case, "expected.yml")) as handle:
        expected = yaml.safe_load(handle)
    model = _assemble(case, tmp_path)
    exc, findings = _validate(model, monkeypatch)
    got = [f.as_dict() for f in findings]
    must = expected["must_say"]
    assert any(must["message"] in f["message"] and f["severity"] == must["severity"] for f in got), got
    assert got == expected["findings"]
    for finding in got:
        assert finding["file"], finding
        assert finding["fix"], finding
    has_errors = any(f["severity"] == "error" for f in expected["findings"])
    assert (exc is not None) == has_errors
    if exc is not None:
        report = exc.report()
        assert "Traceback" not in report
        first = exc.errors[0]
        assert "%s:%s" % (first.file, first.line) in report if first.line else first.file in report


def test_all_errors_come_in_one_pass(tmp_path, monkeypatch):
    """Three unrelated mistakes in three files are reported together."""
    model = _assemble("01-unknown-role", tmp_path)
    for name, old, new in (("networks.yml", "gateway: 10.10.0.1", "gateway: 10.10.1.1"),
                           ("storage.yml", "{name: vsa, backend: vsa-gold}", "{name: vsa, backend: nope}")):
        text = (model / name).read_text()
        (model / name).write_text(text.replace(old, new, 1))
    exc, findings = _validate(model, monkeypatch)
    files = sorted({f.file for f in exc.errors})
    assert files == ["networks.yml", "servers.yml", "storage.yml"]
