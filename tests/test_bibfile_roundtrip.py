"""Every corpus file reads and writes back byte for byte; entry counts agree with BibTeX."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bibvault.bibfile import BibFile, load
from bibvault.bibfile.namelist import parse_names
from bibvault.findings import Severity

CORPORA = Path(os.environ.get("BIBVAULT_CORPORA", "/work/shared/corpora"))
FILES = sorted(CORPORA.rglob("*.bib")) if CORPORA.is_dir() else []

needs_corpora = pytest.mark.skipif(not FILES, reason=f"corpus directory {CORPORA} not present")

# Entry counts BibTeX 0.99d reports (corpora/SOURCES.md and the baseline bibtex runs).
BIBTEX_COUNTS = {
    "biblatex-examples.bib": 92,
    "acl-anthology-2016-2021.bib": 27783,
    "dblp-2019.bib": 12549,
    "tugboat.bib": 4839,
    "cdl.bib": 6315,
    "xampl.bib": 36,
    "handmade-nasty.bib": 15,
    "biber-crossrefs.bib": 46,
    "biber-xdata.bib": 26,
    "biber-dateformats.bib": 34,
    "biber-bibtex-aliases.bib": 8,
    "biber-encoding1.bib": 1,
    "btp1-article_comma_first.bib": 2,
    "btp1-article_missing_coma.bib": 4,
    "btp1-book_bom.bib": 1,
    "btp1-multiline_comments.bib": 0,
    "btp1-wrong.bib": 2,
}


@pytest.fixture(scope="module")
def loaded() -> Callable[[Path], BibFile]:
    """``load``, each file read once per module: the large files take seconds to parse
    and several tests read them. The tests here only read what they are given."""
    cache: dict[Path, BibFile] = {}

    def get(path: Path) -> BibFile:
        if path not in cache:
            cache[path] = load(path)
        return cache[path]

    return get


def _corpus_file(*parts: str) -> Path:
    path = CORPORA.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"{path} not present")
    return path


@pytest.mark.slow
@needs_corpora
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_round_trip_is_byte_identical(path: Path, loaded: Callable[[Path], BibFile]) -> None:
    data = path.read_bytes()
    bf = loaded(path)
    assert bf.to_bytes() == data
    blocks = bf.blocks
    assert blocks[0].start == 0 and blocks[-1].end == len(bf.to_text())
    for before, after in zip(blocks, blocks[1:], strict=False):
        assert before.end == after.start


@pytest.mark.slow
@needs_corpora
@pytest.mark.parametrize("name", sorted(BIBTEX_COUNTS))
def test_entry_count_matches_bibtex(name: str, loaded: Callable[[Path], BibFile]) -> None:
    path = next((p for p in FILES if p.name == name), None)
    if path is None:
        pytest.skip(f"{name} not in the corpus")
    assert len(loaded(path).entries) == BIBTEX_COUNTS[name]


@needs_corpora
def test_biber_names_leaves_percent_commented_entries_out() -> None:
    # BibTeX finds 40 here: it reads "%@BOOK{L27," as an entry. We keep '%' lines as text.
    bf = load(_corpus_file("small", "biber-names.bib"))
    keys = [e.key for e in bf.entries]
    assert len(keys) == 38
    assert "L27" not in keys and "L28" not in keys and "L29" in keys


@pytest.mark.slow
@needs_corpora
@pytest.mark.parametrize("name", ["acl-anthology-2016-2021.bib", "dblp-2019.bib", "cdl.bib"])
def test_clean_large_files_have_no_syntax_errors(name: str,
                                                 loaded: Callable[[Path], BibFile]) -> None:
    bf = loaded(_corpus_file("large", name))
    assert [f for f in bf.findings if f.severity is Severity.ERROR] == []
    assert not any(b.kind == "broken" for b in bf.blocks)


@needs_corpora
def test_tugboat_duplicate_fields_are_the_four_known_ones(
        loaded: Callable[[Path], BibFile]) -> None:
    bf = loaded(_corpus_file("large", "tugboat.bib"))
    dups = [(f.key, f.excerpt.split()[0]) for f in bf.findings if f.code == "B108"]
    assert dups == [
        ("Anonymous:TB10-3-445", "bibsource"),
        ("Anonymous:TB10-3-445", "acknowledgement"),
        ("Anonymous:TB10-3-461", "bibsource"),
        ("Anonymous:TB10-3-461", "acknowledgement"),
    ]
    assert len([b for b in bf.blocks if b.kind == "preamble"]) == 4


def _squeeze(text: str | None) -> str:
    # pybtex, like BibTeX, turns each run of white space in a value into one space
    return " ".join((text or "").split())


@pytest.mark.slow
@needs_corpora
@pytest.mark.parametrize(
    "name",
    [
        "small/xampl.bib",
        "biblatex-examples.bib",
        "small/handmade-nasty.bib",
        "large/cdl.bib",
        "large/tugboat.bib",
    ],
)
def test_values_agree_with_pybtex(name: str, loaded: Callable[[Path], BibFile]) -> None:
    import pybtex.database
    import pybtex.errors

    path = _corpus_file(*name.split("/"))
    with pybtex.errors.capture():
        theirs = pybtex.database.parse_file(str(path), bib_format="bibtex")
    bf = loaded(path)
    assert sorted({e.key for e in bf.entries}) == sorted(theirs.entries.keys())
    compared = 0
    for entry in bf.entries:
        other = theirs.entries[entry.key]
        for name_, value in other.fields.items():
            assert _squeeze(entry.value(name_)) == _squeeze(value), (entry.key, name_)
            compared += 1
        for role, people in other.persons.items():
            mine = parse_names(entry.value(role))
            assert [str(p) for p in mine] == [str(p) for p in people], (entry.key, role)
    assert compared > 0
