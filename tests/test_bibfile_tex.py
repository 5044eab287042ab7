"""bibfile.tex (TeX → Unicode / CSL rich text) and bibfile.namelist (BibTeX name lists)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bibvault.bibfile import load, parse
from bibvault.bibfile.namelist import name_problems, parse_names
from bibvault.bibfile.tex import (
    Decoded,
    decode,
    to_rich_text,
    to_tex_ascii,
    to_unicode,
    unknown_commands,
)
from bibvault.csl import Processor, load_style
from bibvault.csljson import record_to_csl
from bibvault.export import export
from bibvault.records import record_from_entry, records_from_file

CORPORA = Path(os.environ.get("BIBVAULT_CORPORA", "/work/shared/corpora"))
needs_corpora = pytest.mark.skipif(
    not (CORPORA / "small").is_dir(), reason=f"corpus directory {CORPORA} not present"
)


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"M{\"u}ller, J{\"o}rg", "Müller, Jörg"),
        (r"Vall{\'e}e Poussin", "Vallée Poussin"),
        (r"\'{e}\'e\`a\^o\~n\=a\.z\H{o}\k{a}\r{u}", "ééàôñāżőąů"),
        (r"\c{c}\c c\v{s}\v{C}\u{a}\u g", "ççšČăğ"),
        (r"Fran\c{c}ois G{\"o}del \v{Z}i\v{z}ek", "François Gödel Žižek"),
        (r"\'\i\^{\i}\"{\i}\v{\j}", "íîïǰ"),
        (
            r"Gau{\ss} {\o}st {\O}st {\ae}{\AE}{\oe}{\OE} {\aa}{\AA} {\l}{\L}",
            "Gauß øst Øst æÆœŒ åÅ łŁ",
        ),
        (r"{\"U}ber die {Gr\"{o}\ss{}e} von {\AA}ngstr{\"o}m", "Über die Größe von Ångström"),
        (r"\% \& \$ \# \_ \{ \}", "% & $ # _ { }"),
        ("n.s.~2", "n.s.\u00a02"),
        ("pages 12--23 and---so", "pages 12–23 and—so"),
        ("``quoted'' and `single'", "“quoted” and ‘single'"),
        (r"\textit{italic \textbf{bold}} \emph{em} {\em old}", "italic bold em old"),
        (
            r"\url{https://example.org/a_b%20c?x=1&y=2#frag}",
            "https://example.org/a_b%20c?x=1&y=2#frag",
        ),
        (r"The {\TeX}book, \LaTeX{} and \BibTeX", "The TeXbook, LaTeX and BibTeX"),
        (r"{{Deeply {nested}}} {IEEE} braces", "Deeply nested IEEE braces"),
        (r"\unknowncommand{kept text} \alsounknown x", "kept text x"),
        (r"{\noopsort{1973c}}The title", "The title"),
        (r"Math $\alpha^{2}+\beta_{i}$ and $x^{ab}$", "Math α²+βᵢ and x^ab"),
        (
            r"The \SS{} budget: 50\textdollar{} and \ensuremath{\alpha}",
            "The SS budget: 50$ and α",
        ),
        (r"\mkbibquote{Quoted} \href{https://x.org}{link text}", "“Quoted” link text"),
        (r"\textsc{Nato} \textbf{b} 1990\textendash 2000 \& 5\%", "Nato b 1990–2000 & 5%"),
        (r"H\textsubscript{2}O \i\o{} {\'\i}", "H2O ıø í"),
        (r"{\relax Ch}ristopher", "Christopher"),
        ("a \\", "a \\"),
        ("unbalanced {open", "unbalanced open"),
        ("unbalanced } close", "unbalanced close"),
        (r"\~{}", "~"),
    ],
)
def test_to_unicode(tex: str, text: str) -> None:
    assert to_unicode(tex) == text


@pytest.mark.parametrize(
    ("tex", "rich"),
    [
        (
            r"\textit{Ital} and \textbf{Bold} and \textsc{Small}",
            "<i>Ital</i> and <b>Bold</b> and "
            '<span style="font-variant:small-caps;">Small</span>',
        ),
        (r"{\em whole rest} after", "<i>whole rest</i> after"),
        (r"The {IEEE} and {\'E}cole", 'The <span class="nocase">IEEE</span> and École'),
        (r"A \& B", "A & B"),
        (r"See \url{https://x.org/A}", 'See <span class="nocase">https://x.org/A</span>'),
        (r"$E=mc^2$ and $x_{i}$", "E=mc<sup>2</sup> and x<sub>i</sub>"),
        (r"The \SS{} budget: 50\textdollar{}", "The SS budget: 50$"),
        (r"{{Nested} {Groups}}", '<span class="nocase">Nested Groups</span>'),
        (r"H\textsubscript{2}O and x\textsuperscript{2}", "H<sub>2</sub>O and x<sup>2</sup>"),
    ],
)
def test_to_rich_text(tex: str, rich: str) -> None:
    assert to_rich_text(tex) == rich


def test_unknown_commands_keep_their_text_and_are_named() -> None:
    decoded = decode(r"A \foo{kept} and \bar x \emph{known} \'e")
    assert decoded.text == "A kept and x known é"
    assert decoded.unknown == ("foo", "bar")
    assert unknown_commands(r"\textdollar{} \ensuremath{\alpha} \noopsort{a}") == ()
    assert decode(r"\foo{kept}", rich=True) == Decoded("kept", ("foo",))


@pytest.mark.parametrize("text", ["Müller", "Gauß–Œuvre “q” ‘s’", "Ångström ı … a\u00a0b", "žçđ"])
def test_tex_ascii_reads_back_as_the_same_text(text: str) -> None:
    tex = to_tex_ascii(text)
    assert tex.isascii()
    assert to_unicode(tex) == text.replace("’", "'")


@needs_corpora
def test_nasty_values_decode() -> None:
    bf = load(CORPORA / "small" / "handmade-nasty.bib")
    parens = bf.get("nasty:parens")
    assert parens is not None
    assert to_unicode(parens.value("title") or "") == "Über die Größe von Ångström-Einheiten"
    assert to_unicode(parens.value("journal") or "") == "Zeitschrift für Physik"
    maths = bf.get("nasty:math-and-specials")
    assert maths is not None
    assert to_unicode(maths.value("note") or "") == (
        "Line one line two; a tilde\u00a0and — dashes – and italic bold"
    )
    assert to_rich_text(maths.value("note") or "").endswith("and <i>italic <b>bold</b></i>")
    assert to_unicode(bf.strings["tug"]) == "TEX Users Group"


@needs_corpora
def test_tugboat_logos_and_dashes() -> None:
    path = CORPORA / "large" / "tugboat.bib"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    bf = load(path)
    decoded = [to_unicode(e.value("title") or "") for e in bf.entries]
    assert all("\\" not in t for t in decoded)
    assert sum("TeX" in t for t in decoded) > 500


# -- names ------------------------------------------------------------------------------
def _parts(person) -> tuple[str, str, str, str]:  # type: ignore[no-untyped-def]
    return (
        " ".join(person.first_names + person.middle_names),
        " ".join(person.prelast_names),
        " ".join(person.last_names),
        " ".join(person.lineage_names),
    )


@needs_corpora
def test_parse_names_bibtex_forms() -> None:
    bf = load(CORPORA / "small" / "handmade-nasty.bib")
    names = parse_names(bf.get("nasty:names").value("author"))  # type: ignore[union-attr]
    assert [_parts(p) for p in names] == [
        ("Ludwig", "van", "Beethoven", ""),
        ("Jean", "de la", "Fontaine", ""),
        ("John", "", "Smith", "Jr."),
        ("{\\relax Ch}ristopher", "", "Columbus", ""),
        ("Charles Louis Xavier Joseph", "de la", "Vall{\\'e}e Poussin", ""),
        ("", "", "others", ""),
    ]
    editors = parse_names(bf.get("nasty:names").value("editor"))  # type: ignore[union-attr]
    assert [_parts(p)[2] for p in editors] == ["Sartre", "Zola"]
    corporate = parse_names(bf.get("nasty:deepbraces").value("author"))  # type: ignore[union-attr]
    assert [_parts(p) for p in corporate] == [
        ("", "", "{Barnes and Noble, Inc.}", ""),
        ("", "", "{World Health Organization}", ""),
    ]


def test_names_split_across_line_breaks_and_tabs() -> None:
    names = parse_names('Ni, Chaoying and\n    B{\\"u}y, Orhan\tand\tDoe, Jane')
    assert [_parts(p)[2] for p in names] == ["Ni", 'B{\\"u}y', "Doe"]


def test_malformed_names_are_repaired_not_raised() -> None:
    value = "Smith, Jr., Bill, Lee and Doe, Jane"
    names = parse_names(value)
    assert [_parts(p)[2] for p in names] == ["Smith", "Doe"]
    assert names[0].lineage_names == ["Jr."]
    assert name_problems(value) == ["too many commas in name 'Smith, Jr., Bill, Lee'"]
    assert parse_names("") == [] and parse_names(None) == [] and name_problems("A and B") == []
    assert name_problems("A and ") != []


def test_a_records_names_are_parsed_from_its_tex_when_asked_for() -> None:
    bib = "@book{k, Author = {Doe, Jane and M{\\\"u}ller, Kurt}, editor = {Roe, R.}, title = {T}}"
    (record,) = records_from_file(parse(bib))
    assert dict(record.people).keys() == {"author", "editor"}
    assert [str(p) for p in record.names("author")] == ["Doe, Jane", 'M{\\"u}ller, Kurt']
    assert [str(p) for p in record.names()] == [str(p) for p in parse_names(record.tex["author"])]
    assert record.names("translator") == [] and "title" not in record.people
    assert record_from_entry(parse(bib), parse(bib).entries[0], names=False).names() == []


def test_every_route_prints_the_same_words() -> None:
    """Records, CSL-JSON, the CSL engine and the exports read a title with one reader."""
    bib = (r"@book{k, author = {Doe, Jane}, publisher = {P}, year = {2020}, title = "
           r"{The \SS{} budget: 50\textdollar{} and \ensuremath{\alpha}}}")
    (record,) = records_from_file(parse(bib))
    words = "SS budget: 50$ and α"
    assert record.title == "The " + words
    assert record_to_csl(record)["title"] == "The " + words
    ((_, entry),) = Processor(load_style("apa"), [record_to_csl(record)]).bibliography()
    assert words in entry
    assert "TI  - The " + words in export([record], "ris")


@settings(max_examples=400, deadline=None)
@given(st.text(st.sampled_from("ab -'{}^_\u00e9\u0301 \t\n`$~\\"), max_size=24))
def test_text_with_only_grouping_braces_reads_as_the_full_reader_reads_it(tex: str) -> None:
    # "\relax" (nothing) at the end sends the value through the whole reader.
    if not tex.endswith("\\"):
        assert decode(tex).text == decode(tex + "\\relax").text
