"""The canonical layout: idempotent, and never changes what a record says."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bibvault.bibfile import BibFile, parse
from bibvault.bibfile.layout import FormatError, format_file

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
FILES = sorted(CORPORA.rglob("*.bib")) if CORPORA.is_dir() else []


def meaning(source: str | BibFile) -> list[tuple[str, str, list[tuple[str, str | None]]]]:
    bf = parse(source) if isinstance(source, str) else source
    return [(e.entry_type.lower(), e.key, [(f.name.lower(), e.value(f.name)) for f in e.fields])
            for e in bf.entries]


@pytest.mark.slow
@pytest.mark.skipif(not FILES, reason="shared corpora not present")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpora_format_is_idempotent_and_faithful(path: Path) -> None:
    bf = parse(path.read_bytes(), str(path))
    try:
        once = format_file(bf)
    except FormatError:
        assert any(b.kind == "broken" for b in bf.blocks)
        return
    # Each text is parsed once (a large corpus file takes seconds to read).
    reread = parse(once)
    twice = format_file(reread)
    assert once == twice
    before = {(t, k): sorted(fields) for t, k, fields in meaning(bf)}
    after = {(t, k): sorted(fields) for t, k, fields in meaning(reread)}
    assert before == after


def test_layout_golden() -> None:
    src = ('\ufeff@Book{b1 ,  YEAR = 1999, title="Old {T}itle" , author={A. Author}\n'
           '   ,publisher = pub}\n\n\n\n% trailing comment   \n@string{pub = "P"}\n')
    out = format_file(parse(src))
    assert out == ("\ufeff@book{b1,\n  author    = {A. Author},\n  title     = {Old {T}itle},\n"
                   "  publisher = pub,\n  year      = {1999},\n}\n\n% trailing comment\n\n"
                   "@string{pub = {P}}\n")


def test_crlf_is_kept() -> None:
    out = format_file(parse("@misc{a,\r\n title = {T}}\r\n"))
    assert out == "@misc{a,\r\n  title = {T},\r\n}\r\n"


def test_broken_file_is_refused() -> None:
    with pytest.raises(FormatError):
        format_file(parse("@misc{a, title = {T}\n@misc{b, title = {U}}\n"))


names = st.sampled_from(["title", "author", "year", "note", "url", "zzz", "Journal"])
values = st.text(alphabet=st.characters(blacklist_characters='{}"\\@', blacklist_categories=("Cs",)),
                 max_size=20)


@settings(max_examples=150)
@given(st.lists(st.tuples(st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True),
                          st.lists(st.tuples(names, values), max_size=5, unique_by=lambda t: t[0])),
                max_size=4, unique_by=lambda t: t[0]))
def test_generated_files_format_idempotently(entries: list) -> None:
    text = "".join("@misc{{{},\n{}}}\n".format(k, "".join(f'  {n} = "{v}",\n' for n, v in fs))
                   for k, fs in entries)
    once = format_file(parse(text))
    assert format_file(parse(once)) == once
    def as_set(m: list) -> set:
        return {(t, k, tuple(sorted(f))) for t, k, f in m}

    assert as_set(meaning(once)) == as_set(meaning(text))


def test_comments_between_fields_are_kept_with_their_fields() -> None:
    # biber accepts '%' comments inside entries; formatting must not drop them.
    text = ("@BOOK{k, % about k\n"
            "  NOTE = {n}, % why this note\n"
            "  % the author is disputed\n"
            "  AUTHOR = {A. Author}\n"
            "  % end of k\n"
            "}\n")
    out = format_file(parse(text))
    assert out == ("@book{k, % about k\n"
                   "  % the author is disputed\n"
                   "  author = {A. Author},\n"
                   "  note   = {n}, % why this note\n"
                   "  % end of k\n"
                   "}\n")
    assert format_file(parse(out)) == out


def test_bare_comment_commands_keep_what_they_cover() -> None:
    # BibTeX skips only the word @comment; biber skips the braced group after it.
    # Reformatting the text in between would change what one of them reads.
    text = ("@comment{a note with {nested} braces and @article{inside,} in it}\n"
            "@COMMENT this-form-has-no-braces\n"
            "@comment{over\n  two @book{b, title={x}} lines}\n"
            "@Article{k, Title={T}}\n")
    out = format_file(parse(text))
    assert out == ("@comment{a note with {nested} braces and @article{inside,} in it}\n\n"
                   "@COMMENT this-form-has-no-braces\n\n"
                   "@comment{over\n  two @book{b, title={x}} lines}\n\n"
                   "@article{k,\n  title = {T},\n}\n")
    assert format_file(parse(out)) == out
