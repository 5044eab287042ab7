"""The bundled records, exported for papers, compiled in LaTeX documents as authors do.

biblatex + biber (``authoryear`` and ``apa``) read the biblatex export; natbib + bibtex
(``plainnat``) read the BibTeX export. The produced ``.bbl`` must hold no curators'
provenance note (``comment``), annotation or keyword, and no title twice (a title used
as a sort key or label prints twice in author-year styles). Needs pdflatex with the
Debian packages texlive-latex-base (natbib), texlive-latex-recommended (etoolbox for
biblatex) and texlive-bibtex-extra (biblatex, biblatex-apa), and biber: the tests skip
when they are missing, except under CI (``CI=true``), where that is a failure.
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
from bibvault.export import export

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = "texlive-binaries texlive-latex-base texlive-latex-recommended texlive-bibtex-extra biber"


def need(program: str, *tex_files: str) -> str:
    """The path of ``program``, or a skip (a failure under CI) when it or a TeX file is absent."""
    path = shutil.which(program)
    kpsewhich = shutil.which("kpsewhich")
    missing = [program] if path is None else []
    if kpsewhich is not None:
        for name in tex_files:
            found = subprocess.run([kpsewhich, name], capture_output=True, text=True, check=False)
            if not found.stdout.strip():
                missing.append(name)
    elif tex_files:
        missing.append("kpsewhich")
    if missing:
        message = f"{', '.join(missing)} not installed (Debian: apt-get install {PACKAGES})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    assert path is not None
    return path


@pytest.fixture(scope="module")
def records() -> list[Any]:
    found = list(load_collection(sorted((ROOT / "bib").glob("*.bib"))).records)
    assert found
    return found


def run(args: list[str], cwd: Path) -> str:
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    return proc.stdout


def flat(tex: str) -> str:
    """TeX text lower-cased, without braces, with one space for each run of blanks."""
    return " ".join(tex.replace("{", "").replace("}", "").lower().split())


def blocks(bbl: str, records: list[Any], start: str) -> dict[str, str]:
    """Each record's part of a .bbl, by key (``start`` opens an entry: ``\\entry{`` …)."""
    parts = re.split(rf"(?={re.escape(start)})", bbl)
    out: dict[str, str] = {}
    for record in records:
        mine = [p for p in parts if p.startswith(start) and f"{{{record.key}}}" in p[:300]]
        assert mine, f"{record.key} is not in the bibliography"
        out[record.key] = mine[0]
    return out


def assert_citation_safe(bbl: str, records: list[Any], start: str) -> None:
    text = flat(bbl)
    for record in records:
        for name in ("comment", "annotation", "keywords"):
            value = record.tex.get(name)
            if value and len(value) > 12:  # a one-word keyword may be in a title
                assert flat(value)[:40] not in text, f"{record.key}: {name} printed"
    assert "\\keyw" not in bbl
    for key, block in blocks(bbl, records, start).items():
        title = flat(next(r for r in records if r.key == key).tex["title"])[:30]
        assert flat(block).count(title) == 1, f"{key}: title {title!r} not exactly once"


@pytest.mark.parametrize("style", ["authoryear", "apa"])
def test_biblatex_bibliography_is_citation_safe(records: list[Any], tmp_path: Path,
                                                style: str) -> None:
    pdflatex = need("pdflatex", "biblatex.sty", "etoolbox.sty", f"{style}.bbx")
    biber = need("biber")
    (tmp_path / "refs.bib").write_text(export(records, "biblatex"), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n"
        f"\\usepackage[style={style}]{{biblatex}}\n\\addbibresource{{refs.bib}}\n"
        "\\begin{document}\n\\nocite{*}\n\\printbibliography\n\\end{document}\n",
        encoding="utf-8")
    latex = [pdflatex, "-interaction=nonstopmode", "-halt-on-error", "-draftmode", "doc.tex"]
    run(latex, tmp_path)
    run([biber, "doc"], tmp_path)
    run(latex, tmp_path)
    assert_citation_safe((tmp_path / "doc.bbl").read_text(encoding="utf-8"), records, "\\entry{")


def test_natbib_bibliography_is_citation_safe(records: list[Any], tmp_path: Path) -> None:
    pdflatex = need("pdflatex", "natbib.sty", "plainnat.bst")
    bibtex = need("bibtex")
    (tmp_path / "refs.bib").write_text(export(records, "bibtex"), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n\\usepackage{natbib}\n"
        "\\begin{document}\n\\nocite{*}\n\\bibliographystyle{plainnat}\n"
        "\\bibliography{refs}\n\\end{document}\n", encoding="utf-8")
    latex = [pdflatex, "-interaction=nonstopmode", "-halt-on-error", "-draftmode", "doc.tex"]
    run(latex, tmp_path)
    run([bibtex, "doc"], tmp_path)
    run(latex, tmp_path)
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    assert_citation_safe(bbl, records, "\\bibitem")
    # natbib's author-year label: a name, an organisation or an outlet, never a title
    # (plainnat leaves the year out of a label that comes from "key").
    labels = re.findall(r"\\bibitem\[(.*?)\((?:\d{4})?\)\]", bbl.replace("\n", " "))
    assert len(labels) == len(records)
    assert all(len(label.split()) <= 6 for label in labels), labels


# CSL-JSON and RIS have no variable for provenance notes; RIS writes one KW per keyword.
_NOT_CARRIED = {("csl-json", "comment"), ("ris", "comment"), ("ris", "keywords")}


def test_full_profile_keeps_the_curators_fields(records: list[Any]) -> None:
    for fmt in ("biblatex", "bibtex", "csl-json", "ris"):
        paper, full = flat(export(records, fmt)), flat(export(records, fmt, profile="full"))
        for record in records:
            for name in ("annotation", "comment", "keywords"):
                value = flat(record.tex.get(name, ""))[:40]
                if len(value) > 12 and (fmt, name) not in _NOT_CARRIED:
                    assert value in full and value not in paper, (fmt, record.key, name)
