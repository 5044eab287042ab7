"""Bytes that are not UTF-8 (issue 13): an error by default, mended losslessly by
``validate --fix``, and read correctly everywhere under a project ``encoding``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from bibvault.bibfile import load
from bibvault.bibfile.encoding import declared_encoding, legacy_codec, to_utf8
from bibvault.cli import cli
from bibvault.config import ConfigError, load_config
from bibvault.findings import Severity

ENTRY = (b"@online{cafe,\n  title = {Caf\xe9 na\xefve},\n  date = {2021-9-3},\n"
         b"  keywords = {x},\n  url = {https://cafe.example/},\n}\n")


def _project(tmp_path: Path, data: bytes, extra: str = "") -> Path:
    (tmp_path / "bib").mkdir()
    (tmp_path / "bib" / "refs.bib").write_bytes(data)
    (tmp_path / "bibvault.yaml").write_text(
        "records: [bib]\nbuild:\n  styles: [apa]\n  formats: [md, html]\n"
        "  exports: [csl-json]\n" + extra, encoding="utf-8")
    return tmp_path


def _run(project: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(project / "bibvault.yaml"), *args])


def test_bytes_that_are_not_utf8_are_an_error_by_default(tmp_path: Path) -> None:
    project = _project(tmp_path, ENTRY)
    b109 = [f for f in load(project / "bib" / "refs.bib").findings if f.code == "B109"]
    assert [(f.severity, f.line) for f in b109] == [(Severity.ERROR, 2)] * 2
    res = _run(project, "validate")
    assert res.exit_code == 1 and "B109" in res.stdout and "validate --fix" in res.stdout
    # and the build stops instead of publishing U+FFFD
    res = _run(project, "build")
    assert res.exit_code == 1 and not (project / "site").exists()


def test_validate_fix_reencodes_latin1_to_utf8_losslessly(tmp_path: Path) -> None:
    project = _project(tmp_path, b"% Encoding: ISO-8859-1\n\n" + ENTRY)
    res = _run(project, "validate", "--fix")
    assert "re-encoded as UTF-8" in res.stderr and "iso8859-1" in res.stderr, res.output
    data = (project / "bib" / "refs.bib").read_bytes()
    assert data.decode("utf-8").startswith("% Encoding: UTF-8\n")
    assert "title = {Café naïve}" in data.decode("utf-8")
    assert "date = {2021-09-03}" in data.decode("utf-8")  # the other fixes still apply
    assert "B109" not in res.stdout and res.exit_code == 0, res.output


def test_declared_encoding_wins_over_the_windows_1252_guess() -> None:
    # 0xA4 is the euro sign in Latin-9, a currency sign in Windows-1252.
    data = b"% !TEX encoding = latin9\n@misc{k, note = {10 \xa4}}\n"
    assert declared_encoding(data) == "iso8859-15"
    fixed, codec = to_utf8(data) or (b"", "")
    assert codec == "iso8859-15" and "10 \u20ac" in fixed.decode("utf-8")
    assert fixed.startswith(b"% !TEX encoding = UTF-8\n")


def test_undeclared_bytes_are_read_as_windows_1252_then_latin1() -> None:
    assert legacy_codec(b"@misc{k, title = {\x93quoted\x94}}") == "cp1252"
    fixed, _ = to_utf8(b"@misc{k, title = {\x93quoted\x94}}") or (b"", "")
    assert "\u201cquoted\u201d" in fixed.decode("utf-8")
    # 0x81 is not a Windows-1252 character: Latin-1 keeps it
    assert legacy_codec(b"@misc{k, title = {\x81}}") == "latin-1"


def test_fix_keeps_the_parts_that_were_utf8() -> None:
    data = "@misc{k, author = {Müller}, title = {".encode() + b"Caf\xe9}}\n"
    fixed, _ = to_utf8(data) or (b"", "")
    assert fixed.decode("utf-8") == "@misc{k, author = {Müller}, title = {Café}}\n"


@given(st.binary(max_size=200))
def test_reencoding_never_raises_and_loses_no_byte(data: bytes) -> None:
    result = to_utf8(data)
    if result is None:
        data.decode("utf-8")
        return
    fixed, codec = result
    text = fixed.decode("utf-8")  # strict: the result is UTF-8
    assert text.count("\ufffd") == data.decode("utf-8", "surrogateescape").count("\ufffd")
    if b"ncoding" not in data:  # no declaration rewritten: every byte maps back
        orig = data.decode("utf-8", "surrogateescape")
        assert len(text) == len(orig)  # one character for each byte that was not UTF-8
        for was, now in zip(orig, text, strict=True):
            if "\udc80" <= was <= "\udcff":
                assert now.encode(codec) == was.encode("utf-8", "surrogateescape")
            else:
                assert now == was


def test_project_encoding_reads_latin1_everywhere(tmp_path: Path) -> None:
    project = _project(tmp_path, ENTRY.replace(b"{2021-9-3}", b"{2021-09-03}"),
                       "encoding: latin-1\n")
    res = _run(project, "validate")
    assert "B109" not in res.stdout and res.exit_code == 0, res.output
    res = _run(project, "build")
    assert res.exit_code == 0, res.output
    page = (project / "site" / "reading-list.apa.md").read_text(encoding="utf-8")
    assert "Café naïve" in page and "\ufffd" not in page
    assert "Café naïve" in (project / "site" / "index.html").read_text(encoding="utf-8")
    items = json.loads((project / "site" / "references.json").read_text(encoding="utf-8"))
    assert items[0]["title"] == "Café naïve"
    res = _run(project, "export", "--to", "csl-json")
    assert json.loads(res.stdout)[0]["title"] == "Café naïve"
    res = _run(project, "list", "--format", "json")
    assert "Café naïve" in res.stdout, res.output


def test_project_encoding_edits_write_in_that_encoding(tmp_path: Path) -> None:
    project = _project(tmp_path, ENTRY, "encoding: latin-1\n")
    res = _run(project, "validate", "--fix")
    assert res.exit_code == 0, res.output
    data = (project / "bib" / "refs.bib").read_bytes()
    assert data == ENTRY.replace(b"{2021-9-3}", b"{2021-09-03}")  # only the date's bytes moved


def test_unknown_encoding_setting_is_a_configuration_error(tmp_path: Path) -> None:
    project = _project(tmp_path, ENTRY, "encoding: klingon\n")
    with pytest.raises(ConfigError, match="encoding: unknown encoding 'klingon'"):
        load_config(project / "bibvault.yaml")


@pytest.mark.parametrize("command", [["validate"], ["list"], ["format", "-s", "apa"]])
def test_reports_print_bytes_that_are_not_utf8_without_crashing(tmp_path: Path,
                                                                command: list[str]) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_bytes(b"@book{test\xa6, title = {Fo\xf5rier}, author = {Doe, J.}, year = 1999}\n")
    res = CliRunner().invoke(cli, [*command, str(bib)])
    assert res.exit_code in (0, 1) and not isinstance(res.exception, UnicodeError), res.output
    assert "\ufffd" in res.stdout
