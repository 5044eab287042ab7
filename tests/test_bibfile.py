"""bibfile: blocks, values, macros, crossrefs and located findings."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

from bibvault.bibfile import Entry, load, parse
from bibvault.bibfile.values import expand, month_number, split_value
from bibvault.findings import Severity

CORPORA = Path(os.environ.get("BIBVAULT_CORPORA", "/work/shared/corpora"))
SMALL = CORPORA / "small"
needs_corpora = pytest.mark.skipif(
    not SMALL.is_dir(), reason=f"corpus directory {SMALL} not present"
)


# -- handmade-broken.bib: every broken case, located ------------------------------------
@needs_corpora
def test_broken_file_keeps_all_nine_good_entries() -> None:
    bf = load(SMALL / "handmade-broken.bib")
    ok = [e.key for e in bf.entries if e.key.startswith("ok:")]
    assert ok == [
        "ok:first", "ok:second", "ok:third", "ok:fourth", "ok:fifth",
        "ok:sixth", "ok:seventh", "ok:eighth", "ok:ninth",
    ]  # fmt: skip
    eighth = bf.get("ok:eighth")
    assert eighth is not None and eighth.line == 108
    assert eighth.value("title") == "Follows an @string whose braced value never closes"
    ninth = bf.get("ok:ninth")
    assert ninth is not None and ninth.value("year") == "2009"


@needs_corpora
def test_broken_file_findings_are_located() -> None:
    bf = load(SMALL / "handmade-broken.bib")
    got = [(f.code, f.severity, f.line, f.column) for f in bf.findings]
    E, W = Severity.ERROR, Severity.WARNING
    assert got == [
        ("B103", E, 18, 3),  # title after author without a comma
        ("B108", W, 41, 3),  # second title
        ("B106", E, 52, 3),  # no key: the first field name sits where the key should be
        ("B104", E, 58, 10),  # author {Missing Equals}
        ("B101", W, 69, 71),  # "an @ sign"
        ("B101", W, 69, 83),  # user@example.org
        ("B105", E, 72, 12),  # the opening quote that never closes
        ("B102", E, 84, 25),  # the extra closing brace
        ("B104", E, 96, 17),  # bare words
        ("B102", E, 107, 18),  # @string value brace never closed
        ("B107", E, 120, 1),  # truncated entry
    ]
    assert all(f.file.endswith("handmade-broken.bib") for f in bf.findings)
    keys = [f.key for f in bf.findings if f.severity is Severity.ERROR]
    assert keys == [
        "bad:missing-comma-between-fields", None, "bad:missing-equals",
        "bad:unterminated-quote", "bad:too-many-closing-braces", "bad:value-without-delimiters",
        None, "bad:truncated-at-eof",
    ]  # fmt: skip
    dup = next(f for f in bf.findings if f.code == "B108")
    assert dup.key == "bad:duplicate-field"
    assert dup.excerpt == "title  = {Second title for the same entry},"


@needs_corpora
def test_broken_blocks_keep_their_text_verbatim() -> None:
    path = SMALL / "handmade-broken.bib"
    text = path.read_text(encoding="utf-8")
    bf = load(path)
    broken = [b for b in bf.blocks if b.kind == "broken"]
    assert [b.line for b in broken] == [16, 51, 57, 71, 83, 95, 107, 120]
    for b in broken:
        assert text[b.start : b.end] == b.raw
        assert b.raw.startswith("@")
    assert broken[-1].end == len(text)
    # the duplicate-field entry stays a good entry whose first title wins
    dup = bf.get("bad:duplicate-field")
    assert dup is not None and dup.value("title") == "First title"


def test_missing_comma_recovers_at_next_line_starting_with_at() -> None:
    bf = parse("@misc{a,\n  x = {1}\n  y = {2}\n}\n@misc{b, x = {3}}\n")
    assert [e.key for e in bf.entries] == ["b"]
    (f,) = bf.findings
    assert (f.code, f.line, f.column, f.excerpt) == ("B103", 3, 3, "y = {2}")


def test_unterminated_quote_at_end_of_file_is_a_truncated_entry() -> None:
    bf = parse('@misc{a,\n  title = "no end\n')
    assert [(f.code, f.line, f.column) for f in bf.findings] == [("B107", 1, 1)]
    assert bf.blocks[0].kind == "broken"


def test_at_sign_at_line_start_without_brace_is_an_error_and_text_survives() -> None:
    src = "@misc nothing here\nplain text\n@misc{k, a = {1}}\n"
    bf = parse(src)
    assert [(f.code, f.severity, f.line) for f in bf.findings] == [("B101", Severity.ERROR, 1)]
    assert [b.kind for b in bf.blocks] == ["broken", "entry", "text"]
    assert bf.to_text() == src


def test_one_long_line_is_located() -> None:
    src = "@misc{a, t = {1}} mail me@example.org @misc{b, t = {2}} @misc{c, t = {3} x = 1}"
    bf = parse(src)
    assert [(e.key, e.line, e.column) for e in bf.entries] == [("a", 1, 1), ("b", 1, 39)]
    assert [(f.code, f.column) for f in bf.findings] == [("B101", 26), ("B103", 74)]
    assert bf.to_text() == src


@pytest.mark.parametrize(
    ("src", "code", "line", "column"),
    [
        ("@misc{k,\n  a = ,\n}\n", "B104", 2, 7),  # no value
        ("@misc{k,\n  a = {1},,\n}\n", "B104", 2, 11),  # two commas
        ("@misc{k,\n  a = {1}} # {2},\n}\n", "B101", 2, 12),  # text after the closing brace
        ('@string{s = "x" junk}\n', "B102", 1, 17),
        ("@preamble{ {x} y }\n", "B102", 1, 16),
        ("@misc{k, a = {1} b}\n@misc{j,}\n", "B104", 1, 18),  # bare word after a value
        ("@misc(k, a = {1}}\n", "B103", 1, 17),  # wrong closing delimiter
    ],
)
def test_small_syntax_errors(src: str, code: str, line: int, column: int) -> None:
    bf = parse(src)
    assert [(f.code, f.line, f.column) for f in bf.findings][:1] == [(code, line, column)]
    assert bf.to_text() == src


def test_empty_key_is_missing_key() -> None:
    bf = parse("@book{,\n  title = {T}\n}\n")
    assert [(f.code, f.line, f.column) for f in bf.findings] == [("B106", 1, 7)]


def test_percent_comment_inside_entry_is_a_warning_and_the_entry_survives() -> None:
    bf = parse("@misc{k,\n  a = {1}, % note\n  b = {2}\n}\n")
    entry = bf.get("k")
    assert entry is not None and entry.value("b") == "2"
    assert [(f.code, f.severity, f.line, f.column) for f in bf.findings] == [
        ("B101", Severity.WARNING, 2, 12)
    ]


# -- handmade-nasty.bib: what BibTeX accepts --------------------------------------------
@needs_corpora
def test_nasty_file_reads_like_bibtex() -> None:
    bf = load(SMALL / "handmade-nasty.bib")
    keys = [e.key for e in bf.entries]
    assert keys[0] == "inside"  # found inside @comment{...}, as BibTeX does
    assert "nasty:parens" in keys and "nasty/key:with.odd-chars+and_symbols" in keys
    assert [f.code for f in bf.findings] == ["B111", "B110"]
    assert sum(b.kind == "comment" for b in bf.blocks) == 4
    assert sum(b.kind == "preamble" for b in bf.blocks) == 2
    assert sum(b.kind == "string" for b in bf.blocks) == 4


@needs_corpora
def test_macros_and_concatenation_expand() -> None:
    bf = load(SMALL / "handmade-nasty.bib")
    assert bf.strings["acmpress"] == "Association for Computing Machinery Press"
    assert bf.strings["nyc"] == "New York, NY, USA"
    assert bf.strings["jan"] == "January"
    e = bf.get("nasty:concat")
    assert e is not None
    assert e.value("publisher") == "Association for Computing Machinery Press, New York, NY, USA"
    assert e.value("year") == "1984--1986"
    assert e.value("month") == "January~February"
    assert e.value("title") == "The {\\TeX}book"
    assert e.value("note").startswith("Published by T{\\kern")  # type: ignore[union-attr]
    assert e.value("nosuchfield") is None
    parens = bf.get("NASTY:PARENS")  # case-insensitive fallback
    assert parens is not None and parens.entry_type == "article"
    assert parens.value("month") == "December"
    assert parens.raw.endswith(")")
    deep = bf.get("nasty:deepbraces")
    assert deep is not None and deep.value("number") == "{3}" and deep.value("volume") == "12"
    assert deep.field("journal").raw_value.startswith('"A quoted')  # type: ignore[union-attr]
    ws = bf.get("nasty:whitespace")
    assert ws is not None and ws.value("title").startswith("Whitespace between")  # type: ignore[union-attr]
    undefined = bf.get("nasty:undefmacro")
    assert undefined is not None and undefined.value("month") == ""


@needs_corpora
def test_undefined_macro_and_missing_crossref_are_located() -> None:
    bf = load(SMALL / "handmade-nasty.bib")
    b111, b110 = bf.findings
    assert (b111.code, b111.severity, b111.line, b111.column, b111.key) == (
        "B111",
        Severity.ERROR,
        81,
        3,
        "nasty:missing-crossref",
    )
    assert (b110.code, b110.severity, b110.line, b110.column, b110.key) == (
        "B110",
        Severity.WARNING,
        88,
        12,
        "nasty:undefmacro",
    )


@needs_corpora
def test_crossref_inheritance() -> None:
    bf = load(SMALL / "handmade-nasty.bib")
    child = bf.get("nasty:crossref-child")
    assert child is not None
    fields = bf.resolved_fields(child)
    assert fields["title"] == "Child that inherits booktitle, publisher and year from its parent"
    assert fields["booktitle"] == "Proceedings of the First Workshop on Names"
    assert fields["publisher"] == "Association for Computing Machinery Press"
    assert fields["year"] == "2010" and fields["month"] == "March"
    assert fields["crossref"] == "nasty:proc"
    assert child.value("publisher") is None  # the entry itself is unchanged


def test_crossref_title_becomes_booktitle_and_chains_follow() -> None:
    bf = parse(
        "@inproceedings{p, title = {Paper}, crossref = {proc}}\n"
        "@proceedings{proc, title = {Proc}, year = 2001, crossref = {series}}\n"
        "@misc{series, publisher = {Pub}, title = {Series}, ids = {x}}\n"
        "@misc{m, crossref = {series}}\n"
    )
    p = bf.resolved_fields(bf.get("p"))  # type: ignore[arg-type]
    assert p == {
        "title": "Paper",
        "crossref": "proc",
        "booktitle": "Proc",
        "year": "2001",
        "publisher": "Pub",
    }
    m = bf.resolved_fields(bf.get("m"))  # type: ignore[arg-type]
    assert m == {"crossref": "series", "publisher": "Pub", "title": "Series"}
    assert bf.findings == []


@needs_corpora
def test_biber_crossref_findings_follow_ids_aliases() -> None:
    bf = load(SMALL / "biber-crossrefs.bib")
    assert [(f.code, f.line, f.key) for f in bf.findings] == [
        ("B111", 206, "mcr"),
        ("B112", 250, "circ1"),
        ("B112", 255, "circ2"),
        ("B112", 260, "circ3"),
    ]
    # ccr2 names its @MVBOOK parent ccr1 by an alias ("IDS = {ccr1alias}", line 211):
    # a multi-volume title becomes maintitle; ids never passes on
    assert bf.resolved_fields(bf.get("ccr2")) == {  # type: ignore[arg-type]
        "title": "Misc etc.",
        "date": "1923",
        "crossref": "ccr1alias",
        "author": "Vince Various",
        "editor": "Edward Editor",
        "maintitle": "Stuff Concerning Varia",
    }


@needs_corpora
def test_crossref_cycles() -> None:
    bf = load(SMALL / "btp1-crossref_cascading_cycle.bib")
    assert [(f.code, f.line, f.key) for f in bf.findings] == [
        ("B112", 8, "circ1"),
        ("B112", 13, "circ2"),
    ]
    fields = bf.resolved_fields(bf.get("circ1"))  # type: ignore[arg-type]
    assert fields == {"date": "1911", "crossref": "circ2"}


# -- encodings and layout ---------------------------------------------------------------
@needs_corpora
def test_latin9_bytes_are_kept_and_reported() -> None:
    path = SMALL / "biber-encoding1.bib"
    bf = load(path)
    assert bf.to_bytes() == path.read_bytes()
    assert [(f.code, f.severity, f.line, f.column) for f in bf.findings] == [
        ("B109", Severity.ERROR, 4, 11),
        ("B109", Severity.ERROR, 7, 12),
    ]
    (entry,) = bf.entries
    assert entry.key.encode("utf-8", "surrogateescape") == b"test\xa6"


@needs_corpora
def test_bom_is_kept_and_not_counted_as_a_column() -> None:
    path = SMALL / "btp1-book_bom.bib"
    bf = load(path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and bf.to_bytes() == path.read_bytes()
    (entry,) = bf.entries
    assert (entry.key, entry.line, entry.column) == ("Bird1987", 1, 1)


def test_crlf_and_mixed_line_endings_round_trip() -> None:
    data = b"@misc{a,\r\n  x = {1},\r\n}\n\r\n@misc{b,\n  y = {2}\r\n}\r\n"
    bf = parse(data)
    assert bf.to_bytes() == data
    assert [(e.key, e.line) for e in bf.entries] == [("a", 1), ("b", 5)]
    assert bf.get("b").field("y").line == 6  # type: ignore[union-attr]


def test_comment_forms() -> None:
    src = "@comment{x}\n@Comment(y)\n@COMMENT plain\n@comment{has @misc{z,}}\n"
    bf = parse(src)
    kinds = [(b.kind, b.raw) for b in bf.blocks if b.kind != "text"]
    assert kinds == [
        ("comment", "@comment{x}"),
        ("comment", "@Comment(y)"),
        ("comment", "@COMMENT"),
        ("comment", "@comment"),
        ("entry", "@misc{z,}"),
    ]
    assert bf.findings == []


def test_field_positions() -> None:
    bf = parse("% head\n@article{k,\n  title = {T},\n\tyear\t= 2000 }\n")
    e = bf.get("k")
    assert isinstance(e, Entry) and (e.line, e.column, e.start) == (2, 1, 7)
    title, year = e.fields
    assert (title.line, title.column, title.raw_value) == (3, 3, "{T}")
    assert (year.line, year.column, year.raw_value) == (4, 2, "2000")
    text = bf.to_text()
    assert text[title.start : title.end] == "title = {T}"
    assert text[year.value_start : year.value_end] == "2000"


def test_preamble_and_string_blocks() -> None:
    bf = parse('@preamble{ "a" # "b" }\n@string(x = "X" # y)\n@string{y = {Y}}\n')
    pre, s1, s2 = (b for b in bf.blocks if b.kind != "text")
    assert isinstance(pre, Entry) and pre.fields[0].raw_value == '"a" # "b"'
    assert isinstance(s1, Entry) and s1.key == "x"
    # macros are expanded in file order, as BibTeX does: y is not defined yet for x
    assert bf.strings["x"] == "X" and bf.strings["y"] == "Y"


# -- values -------------------------------------------------------------------------------
def test_split_and_expand_values() -> None:
    assert split_value('{a {b}} # "c{"}d" # 12 # mac') == [
        ("braced", "a {b}"),
        ("quoted", 'c{"}d'),
        ("number", "12"),
        ("macro", "mac"),
    ]
    assert expand("feb # { } # x", {"x": "X"}) == "February X"
    assert expand("{unclosed", {}) == "{unclosed"


@pytest.mark.parametrize(
    ("value", "month"),
    [
        ("January", 1),
        ("jan", 1),
        ("Sept.", 9),
        ("sep", 9),
        ("12", 12),
        ("03", 3),
        ("{May}", 5),
        ("13", None),
        ("", None),
        (None, None),
        ("Januar", None),
    ],
)
def test_month_number(value: str | None, month: int | None) -> None:
    assert month_number(value) == month


def test_reading_leaves_the_garbage_collector_as_it_was() -> None:
    assert gc.isenabled()
    parse("@misc{a, title = {T}}\n")
    assert gc.isenabled()
    gc.disable()
    try:
        parse("@misc{a, title = {T}}\n")
        assert not gc.isenabled()
    finally:
        gc.enable()
