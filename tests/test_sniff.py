"""Recognising file formats by content, and every .bib-reading command refusing the others."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from bibvault import sniff
from bibvault.cli import cli

ROOT = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("BIBVAULT_CORPORA", "/work/shared/corpora"))
needs_corpora = pytest.mark.skipif(not (CORPORA / "small").is_dir(),
                                   reason=f"corpus directory {CORPORA} not present")

RIS = b"TY  - JOUR\r\nAU  - Doe, Jane\r\nTI  - A title\r\nPY  - 2021\r\nER  - \r\n"
CSL = b'[\n  {"id": "doe2021", "type": "article-journal", "title": "A title"}\n]\n'
SAMPLES: dict[str, bytes] = {
    sniff.RIS: RIS,
    sniff.CSL_JSON: CSL,
    sniff.JSON: b'{"name": "package", "version": "1.0"}',
    sniff.XML: b'<?xml version="1.0"?>\n<catalog><book id="1"/></catalog>',
    sniff.ZOTERO_RDF: (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
                       b' xmlns:z="http://www.zotero.org/namespaces/export#"'
                       b' xmlns:bib="http://purl.org/net/biblio#"></rdf:RDF>'),
    sniff.ENDNOTE_XML: b'<?xml version="1.0" encoding="UTF-8"?><xml><records><record>'
                       b'<ref-type name="Journal Article">17</ref-type></record></records></xml>',
    sniff.MODS: b'<?xml version="1.0"?>\n<modsCollection xmlns="http://www.loc.gov/mods/v3">',
    sniff.HTML: b"<!DOCTYPE html>\n<html><head><title>x</title></head></html>",
    sniff.PDF: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    sniff.REFER: b"%0 Journal Article\n%A Doe, Jane\n%T A title\n%D 2021\n",
    sniff.UTF16: "@article{a, title={T}}".encode("utf-16"),
    sniff.BINARY: bytes(range(256)) * 4,
}


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
def test_each_format_is_recognised_by_content(fmt: str) -> None:
    assert sniff.sniff(SAMPLES[fmt]).format == fmt


@pytest.mark.parametrize("magic", [b"SQLite format 3\x00", b"PK\x03\x04", b"\x1f\x8b\x08"])
def test_databases_and_archives_are_named(magic: bytes) -> None:
    found = sniff.sniff(magic + b"@article{a, title={T}}\n")
    assert found.format == sniff.BINARY and found.detail


@pytest.mark.parametrize("text", [
    b"",
    b"% Encoding: UTF-8\n\n@Article{a,\n  title = {T},\n}\n",  # JabRef's header
    b"\xef\xbb\xbf@book{b, title = {BOM first}}\n",
    b"This file was created with JabRef.\nFree text before any entry.\n@misc{c}\n",
    b"% only comments, no entries yet\n",
    b"@comment{TY  - JOUR}\nTY  - JOUR\nAU  - x\n@article{d, title={T}}\n",
    "@article{e, author = {Caf\xe9 na\xefve}}\n".encode("latin-1"),
    b"@article{f, title = {one stray \x01 control}}\n",
    b"% a list: [1] first {2} second\n@article{g, title = {T}}\n",
    b"[1] Exported references, numbered.\n@article{h, title = {T}}\n",
    b"{Draft list} to be sorted\n",
])
def test_bibtex_variants_stay_bibtex(text: bytes) -> None:
    assert sniff.sniff(text).format == sniff.BIBTEX


@needs_corpora
def test_every_corpus_file_is_bibtex() -> None:
    files = sorted(CORPORA.rglob("*.bib")) + sorted((ROOT / "bib").glob("*.bib"))
    assert len(files) > 20
    wrong = {str(p): sniff.sniff_file(p) for p in files if sniff.sniff_file(p).format != sniff.BIBTEX}
    assert wrong == {}


@given(st.binary(max_size=2000))
@settings(max_examples=300)
def test_sniff_never_raises(data: bytes) -> None:
    found = sniff.sniff(data)
    assert found.format in sniff._NAMES and found.name


@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 255)), max_size=3))
@settings(max_examples=200)
def test_a_damaged_bib_file_is_still_bibtex(flips: list[tuple[int, int]]) -> None:
    data = bytearray((ROOT / "bib" / "news.bib").read_bytes())
    for at, byte in flips:
        data[at % len(data)] = byte
    assert sniff.sniff(bytes(data)).format == sniff.BIBTEX


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "bib", tmp_path / "bib")
    shutil.copy(ROOT / "bibvault.yaml", tmp_path / "bibvault.yaml")
    return tmp_path


COMMANDS = [["validate"], ["fmt"], ["fmt", "--check"], ["list"], ["export", "--to", "ris"],
            ["format", "--style", "apa"], ["cite", "x", "--style", "apa", "--from"],
            ["check", "--no-write"], ["archive", "--dry-run"], ["verify"]]


def _invoke(project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(project / "bibvault.yaml"), *args])
    return result.exit_code, result.stderr


# format and cite read JSON files (as CSL-JSON); every other pair must be refused.
REFUSED = [(command, fmt) for command in COMMANDS
           for fmt in (sniff.RIS, sniff.JSON, sniff.ZOTERO_RDF, sniff.PDF, sniff.HTML,
                       sniff.BINARY)
           if not (fmt == sniff.JSON and command[0] in ("format", "cite"))]


@pytest.mark.parametrize(("command", "fmt"), REFUSED,
                         ids=[f"{'-'.join(c[:2])}-{f}" for c, f in REFUSED])
def test_no_command_reads_another_format_as_an_empty_bib_file(
        project: Path, command: list[str], fmt: str) -> None:
    path = project / "in.bib"
    path.write_bytes(SAMPLES[fmt])
    code, err = _invoke(project, *command, str(path))
    assert code == 2, err
    assert f"in.bib: looks like {sniff.Sniffed(fmt).name}" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", [["validate"], ["list"], ["build"], ["check"],
                                     ["archive", "--dry-run"], ["export", "--to", "bibtex"]],
                         ids=lambda c: c[0])
def test_a_ris_file_among_the_configured_records_is_refused(project: Path, command: list[str]) -> None:
    (project / "bib" / "zotero-export.bib").write_bytes(RIS)
    code, err = _invoke(project, *command)
    assert code == 2, err
    assert "zotero-export.bib: looks like RIS" in err and "bibvault import" in err
    assert not (project / "site").exists()


def test_validate_ris_is_refused_not_zero_errors(project: Path) -> None:
    path = project / "refs.ris"
    path.write_bytes(RIS)
    code, err = _invoke(project, "validate", str(path))
    assert (code, "0 errors" in err) == (2, False)
    assert err.strip() == (f"bibvault: error: {path}: looks like RIS, not a BibTeX/biblatex "
                           "file (use `bibvault import` to bring it in)")


def test_fmt_json_is_refused_and_left_alone(project: Path) -> None:
    path = project / "refs.json"
    path.write_bytes(CSL)
    code, err = _invoke(project, "fmt", str(path))
    assert code == 2 and "looks like CSL-JSON" in err and "unchanged" not in err
    assert path.read_bytes() == CSL


def test_random_bytes_are_an_error_not_warnings(project: Path) -> None:
    path = project / "noise.bib"
    path.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(20_000)))
    code, err = _invoke(project, "validate", str(path))
    assert code == 2 and "looks like binary data (not text)" in err


def test_format_and_cite_still_read_csl_json_by_content(project: Path) -> None:
    path = project / "items.csl"  # no .json suffix: recognised by content
    path.write_bytes(CSL)
    code, err = _invoke(project, "format", "--style", "apa", str(path))
    assert code == 0, err
    result = CliRunner().invoke(cli, ["--config", str(project / "bibvault.yaml"), "cite",
                                      "doe2021", "--style", "apa", "--from", str(path)])
    assert result.exit_code == 0 and result.stdout.strip() == "(A Title, n.d.)"


def test_format_names_both_formats_it_reads(project: Path) -> None:
    path = project / "refs.ris"
    path.write_bytes(RIS)
    code, err = _invoke(project, "format", "--style", "apa", str(path))
    assert code == 2 and "not a BibTeX/biblatex or CSL-JSON file" in err
