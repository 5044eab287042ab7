"""The exports checked by the tools authors feed them to: pandoc, biber and bibtex.

Each test skips with the reason when its tool is not installed, except under
CI (``CI=true``), where a missing tool is a failure. The Debian packages are
``pandoc``, ``biber`` and ``texlive-binaries`` (bibtex) with ``texlive-base``
(plain.bst).

Warnings about data the records really lack (an article without an author, a
web page without an address) are the records' business, not the exporter's:
they are accepted only after checking that the record does lack that field.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bibvault.collection import load_collection
from bibvault.export import to_biblatex, to_bibtex, to_csl_json
from test_export import REALISTIC_BIB  # a sibling test module

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"pandoc": "pandoc", "biber": "biber", "bibtex": "texlive-binaries texlive-base",
            "kpsewhich": "texlive-binaries texlive-base"}


def tool(name: str) -> str:
    """The path of a tool, or a skip (a failure under CI) when it is not installed."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian: apt-get install {PACKAGES[name]})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(params=["bundled", "realistic"])
def records(request: pytest.FixtureRequest, tmp_path: Path) -> list[Any]:
    """The bundled reading list (bib/*.bib) and a realistic mixed set."""
    if request.param == "bundled":
        paths = sorted((ROOT / "bib").glob("*.bib"))
    else:
        paths = [tmp_path / "realistic.bib"]
        paths[0].write_text(REALISTIC_BIB, encoding="utf-8")
    found = list(load_collection(paths).records)
    assert found
    return found


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120,
                          check=False)


def pandoc_references(tmp_path: Path, bibliography: Path) -> tuple[set[str], str]:
    """(ids of the rendered references, stderr) for ``pandoc --citeproc`` citing everything."""
    doc = tmp_path / "doc.md"
    doc.write_text("---\nnocite: '@*'\n---\n", encoding="utf-8")
    proc = run([tool("pandoc"), "--citeproc", f"--bibliography={bibliography}", "-t", "html",
                str(doc)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    return set(re.findall(r'<div id="ref-([^"]+)" class="csl-entry"', proc.stdout)), proc.stderr


def test_pandoc_renders_the_csl_json_export(records: list[Any], tmp_path: Path) -> None:
    path = tmp_path / "refs.json"
    path.write_text(to_csl_json(records), encoding="utf-8")
    rendered, stderr = pandoc_references(tmp_path, path)
    assert stderr == ""
    assert rendered == {r.key for r in records}


def test_pandoc_renders_the_biblatex_export(records: list[Any], tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(to_biblatex(records), encoding="utf-8")
    rendered, stderr = pandoc_references(tmp_path, path)
    assert stderr == ""
    assert rendered == {r.key for r in records}


# biber's names for fields a record may spell the BibTeX way.
_ALIASES = {"journaltitle": ("journaltitle", "journal"), "date": ("date", "year"),
            "institution": ("institution", "school"), "location": ("location", "address")}
_MISSING = re.compile(r"Entry '(?P<key>[^']+)'.*Missing mandatory field "
                      r"(?:'(?P<field>[^']+)'|- one of '(?P<alts>[^']+)' must be defined)")


def _lacks(record: Any, fields: list[str]) -> bool:
    return not any(record.fields.get(alias) for f in fields for alias in _ALIASES.get(f, (f,)))


def test_biber_accepts_the_biblatex_export(records: list[Any], tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_text(to_biblatex(records), encoding="utf-8")
    proc = run([tool("biber"), "--tool", "--validate-datamodel", "--output-file=checked.bib",
                "refs.bib"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    by_key = {r.key: r for r in records}
    problems = []
    for line in (proc.stdout + proc.stderr).splitlines():
        if not line.startswith(("WARN", "ERROR")):
            continue
        m = _MISSING.search(line)
        if m and m["key"] in by_key:
            needed = [m["field"]] if m["field"] else [f.strip() for f in m["alts"].split(",")]
            if _lacks(by_key[m["key"]], needed):
                continue  # the record has no such data: nothing an exporter can do
        problems.append(line)
    assert problems == []


def test_bibtex_reads_the_bibtex_export_with_plain(records: list[Any], tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_text(to_bibtex(records), encoding="utf-8")
    (tmp_path / "doc.aux").write_text("\\citation{*}\n\\bibdata{refs}\n\\bibstyle{plain}\n",
                                      encoding="ascii")
    proc = run([tool("bibtex"), "doc"], tmp_path)
    log = proc.stdout + proc.stderr
    assert proc.returncode in (0, 1), log  # 1: warnings only
    assert "error message" not in log
    by_key = {r.key: r for r in records}
    for line in log.splitlines():
        if line.startswith("Warning--"):
            m = re.fullmatch(r"Warning--empty (\w+) in (\S+)", line)
            assert m and _lacks(by_key[m[2]], [m[1]]), line
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    assert set(re.findall(r"\\bibitem\{([^}]+)\}", bbl)) == set(by_key)
