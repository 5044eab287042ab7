"""bibvault.csl against the reference processor's output (tests/golden/csl/).

The goldens come from citeproc-js via ``tests/make_goldens.py``; the corpus is
``tests/data/csl-corpus.json``. Every bibliography entry and every citation is
its own test case. Known differences are listed in ``tests/csl_golden_xfail.txt``
(``<test id>  # reason``) and marked as strict xfails, so a fix shows up as an
XPASS that must be taken off the list.

Text must match exactly, after the same whitespace clean-up the reference
applies to its own output (runs of white space around line breaks become one
space; ends trimmed). HTML is compared after normalising white space and
character references and dropping the ``csl-entry`` wrapper ``<div>``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bibvault.csl import Processor, load_style

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "data" / "csl-corpus.json"
GOLDEN_DIR = HERE / "golden" / "csl"
XFAIL_FILE = HERE / "csl_golden_xfail.txt"
STYLES = ("apa", "mla", "chicago-ad", "chicago-nb", "ieee", "harvard")
FORMATS = ("text", "html")
KINDS = ("bib", "cite")


def load_xfails() -> dict[str, str]:
    """Test id → reason, from the xfail list."""
    out: dict[str, str] = {}
    if XFAIL_FILE.exists():
        for line in XFAIL_FILE.read_text(encoding="utf-8").splitlines():
            test_id, _, reason = line.partition("#")
            if test_id.strip():
                out[test_id.strip()] = reason.strip() or "differs from the reference"
    return out


def golden(style: str, kind: str, fmt: str) -> list[dict[str, str]]:
    """One golden file's rows."""
    rows: list[dict[str, str]] = json.loads(
        (GOLDEN_DIR / f"{style}.{kind}.{fmt}.json").read_text(encoding="utf-8"))
    return rows


def cases() -> list[Any]:
    xfails = load_xfails()
    params = []
    for style in STYLES:
        for kind in KINDS:
            for fmt in FORMATS:
                for row in golden(style, kind, fmt):
                    test_id = f"{style}-{kind}-{fmt}-{row['id']}"
                    marks = ([pytest.mark.xfail(strict=True, reason=xfails[test_id])]
                             if test_id in xfails else [])
                    params.append(pytest.param(style, kind, fmt, row["id"], row["entry"],
                                               id=test_id, marks=marks))
    return params


def clean_text(text: str) -> str:
    """The reference's own clean-up: line breaks and the space around them → one space."""
    return re.sub(r"\s*\n\s*", " ", text).strip()


def normalise_html(text: str) -> str:
    """HTML compared by meaning: spacing, character references and the entry wrapper."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r">\s+<", "><", text)
    m = re.fullmatch(r'<div class="csl-entry">(.*)</div>', text)
    if m:
        text = m.group(1).strip()
    return html.unescape(text)


@pytest.fixture(scope="module")
def render() -> Callable[[str, str, str], dict[str, str]]:
    """bibvault's output for (style, kind, fmt) as id → text, computed once per triple."""
    items = json.loads(CORPUS.read_text(encoding="utf-8"))
    cache: dict[tuple[str, str, str], dict[str, str]] = {}

    def run(style: str, kind: str, fmt: str) -> dict[str, str]:
        if (style, kind, fmt) not in cache:
            proc = Processor(load_style(style), items, locale="en-US")
            if kind == "bib":
                cache[(style, kind, fmt)] = dict(proc.bibliography(fmt))
            else:
                cache[(style, kind, fmt)] = {
                    str(i["id"]): proc.cite([str(i["id"])], fmt) for i in items}
        return cache[(style, kind, fmt)]

    return run


@pytest.mark.parametrize(("style", "kind", "fmt", "item_id", "expected"), cases())
def test_entry_matches_reference(render: Callable[[str, str, str], dict[str, str]], style: str,
                                 kind: str, fmt: str, item_id: str, expected: str) -> None:
    produced = render(style, kind, fmt)
    assert item_id in produced, f"{item_id} missing from bibvault's {kind} output"
    if fmt == "text":
        assert clean_text(produced[item_id]) == expected
    else:
        assert normalise_html(produced[item_id]) == normalise_html(expected)


def order_cases() -> list[Any]:
    xfails = load_xfails()
    return [pytest.param(style, id=f"order-{style}",
                         marks=([pytest.mark.xfail(strict=True, reason=xfails[f"order-{style}"])]
                                if f"order-{style}" in xfails else []))
            for style in STYLES]


@pytest.mark.parametrize("style", order_cases())
def test_bibliography_order_and_omissions(render: Callable[[str, str, str], dict[str, str]],
                                          style: str) -> None:
    expected = [row["id"] for row in golden(style, "bib", "text")]
    produced = [k for k, v in render(style, "bib", "text").items() if v.strip()]
    assert produced == expected


def test_goldens_cover_the_whole_corpus() -> None:
    ids = [str(i["id"]) for i in json.loads(CORPUS.read_text(encoding="utf-8"))]
    assert len(ids) >= 60 and len(set(ids)) == len(ids)
    for style in STYLES:
        for fmt in FORMATS:
            assert [r["id"] for r in golden(style, "cite", fmt)] == ids
            assert set(r["id"] for r in golden(style, "bib", fmt)) <= set(ids)


def test_xfail_list_names_existing_cases() -> None:
    known = {p.id for p in cases()} | {p.id for p in order_cases()}
    unknown = sorted(set(load_xfails()) - known)
    assert not unknown, f"stale entries in {XFAIL_FILE.name}: {unknown}"
