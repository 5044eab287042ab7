"""Findings for CI: GitHub Actions workflow commands and SARIF 2.1.0.

``--format github`` prints one workflow command per finding, which GitHub
shows as an annotation on the pull request's lines; ``--format sarif``
prints a SARIF log that code-scanning tools read. Both are plain functions
of the findings, so every command that reports findings offers them alike.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

import bibvault
from bibvault.findings import Finding, Severity, shown_path
from bibvault.registry import all_rules
from bibvault.rules import Rule

#: The report formats for CI, next to each command's own ``text`` and ``json``.
CI_FORMATS = ("github", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotations(findings: Iterable[Finding]) -> str:
    """One ``::error file=…,line=…,col=…,title=CODE::message`` line per finding.

    Notes become ``::notice``. Unknown lines and columns are left out rather
    than given as 0; paths below the working directory are made relative to
    it, which is how Actions names files in the checkout.
    """
    lines = []
    for f in findings:
        props = []
        if f.file:
            props.append(f"file={_escape_property(shown_path(f.file))}")
            if f.line:
                props.append(f"line={f.line}")
                if f.column:
                    props.append(f"col={f.column}")
        props.append(f"title={_escape_property(f.code)}")
        message = f.message + (f" [{f.key}]" if f.key else "")
        lines.append(f"::{_GITHUB_LEVEL[f.severity]} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(lines)


def _artifact(path: str) -> dict[str, str]:
    shown = shown_path(path)
    if os.path.isabs(shown):
        return {"uri": Path(shown).as_uri()}
    return {"uri": quote(PurePath(shown).as_posix()), "uriBaseId": "%SRCROOT%"}


def _rule_descriptor(code: str, rule: Rule | None) -> dict[str, Any]:
    if rule is None:
        return {"id": code}
    return {"id": code, "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.explanation},
            "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]}}


def sarif_log(findings: Sequence[Finding], rules: Iterable[Rule] | None = None) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run: the rules that fired, and one result per finding."""
    known = {r.code: r for r in (all_rules() if rules is None else rules)}
    codes = sorted({f.code for f in findings})
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.code, "ruleIndex": index[f.code], "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message + (f" [{f.key}]" if f.key else "")},
        }
        if f.file:
            physical: dict[str, Any] = {"artifactLocation": _artifact(f.file)}
            if f.line:
                physical["region"] = {"startLine": f.line}
                if f.column:
                    physical["region"]["startColumn"] = f.column
            result["locations"] = [{"physicalLocation": physical}]
        if f.key:
            result["properties"] = {"key": f.key}
        results.append(result)
    driver = {"name": "bibvault", "version": bibvault.__version__,
              "rules": [_rule_descriptor(c, known.get(c)) for c in codes]}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0",
            "runs": [{"tool": {"driver": driver}, "results": results,
                      "columnKind": "unicodeCodePoints"}]}


def ci_report(fmt: str, findings: Sequence[Finding]) -> str:
    """The findings in one of :data:`CI_FORMATS` (``ValueError`` for any other)."""
    if fmt == "github":
        return github_annotations(findings)
    if fmt == "sarif":
        return json.dumps(sarif_log(findings), indent=2, ensure_ascii=False)
    raise ValueError(f"unknown CI format {fmt!r} (known: {', '.join(CI_FORMATS)})")
