"""Focused tests of the CSL engine with the official styles and small hand-made styles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bibvault.csl import Processor, Resources, StyleError, find_styles, load_style, parse_style
from bibvault.csl.numbers import format_number, page_range
from bibvault.csl.personname import initialize

BOOK = {
    "id": "doe2020",
    "type": "book",
    "title": "The art of testing",
    "author": [{"family": "Doe", "given": "John Allen"}, {"family": "Roe", "given": "Mary"}],
    "issued": {"date-parts": [[2020]]},
    "publisher": "Acme Press",
    "publisher-place": "Boston",
}
WEB = {
    "id": "web1",
    "type": "webpage",
    "title": "Notes on <i>Hamlet</i>",
    "author": [{"family": "Ødegård", "given": "Kari"}],
    "issued": {"date-parts": [[2021, 3, 4]]},
    "accessed": {"date-parts": [[2022, 1, 2]]},
    "container-title": "Example Site",
    "URL": "https://example.org/hamlet",
}


_STYLES = [load_style(n) for n in ("apa", "chicago-nb", "ieee")]
_SHARED = Resources()


def _style(citation: str, bibliography: str = "", attrs: str = "") -> str:
    return (
        f'<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" {attrs}>'
        f"<info><title>T</title><id>t</id></info>{citation}{bibliography}</style>"
    )


AUTHOR_DATE = _style(
    '<citation disambiguate-add-year-suffix="true"><layout prefix="(" suffix=")" delimiter="; ">'
    '<group delimiter=" "><names variable="author"><name form="short"/></names>'
    '<date variable="issued"><date-part name="year"/></date></group></layout></citation>',
    '<bibliography><sort><key variable="author"/><key variable="title"/></sort><layout suffix=".">'
    '<group delimiter=". "><names variable="author"><name name-as-sort-order="all"/></names>'
    '<date variable="issued"><date-part name="year"/></date>'
    '<text variable="title" font-style="italic"/></group></layout></bibliography>',
)


@pytest.mark.parametrize(
    ("name", "title_word"),
    [("apa", "APA"), ("mla", "MLA"), ("chicago", "Chicago"), ("chicago-nb", "Chicago"),
     ("ieee", "IEEE"), ("harvard", "Cite Them Right")],
)
def test_real_styles_render_book_and_web_page(name: str, title_word: str) -> None:
    style = load_style(name)
    assert title_word in style.title
    proc = Processor(style, [BOOK, WEB])
    entries = dict(proc.bibliography())
    assert set(entries) == {"doe2020", "web1"}
    assert "Doe" in entries["doe2020"] and "art of testing" in entries["doe2020"].lower()
    assert "Acme Press" in entries["doe2020"]
    assert "Ødegård" in entries["web1"] or "Odegard" in entries["web1"]
    assert "https://example.org/hamlet" in entries["web1"]
    for entry in entries.values():
        assert "<" not in entry  # text output carries no markup
    cite = proc.cite(["doe2020"])
    assert cite and ("Doe" in cite or "1" in cite)


def test_apa_book_exact() -> None:
    proc = Processor(load_style("apa"), [BOOK])
    assert proc.bibliography() == [("doe2020", "Doe, J. A., & Roe, M. (2020). The art of testing. Acme Press.")]
    assert proc.cite(["doe2020"]) == "(Doe & Roe, 2020)"
    assert proc.bibliography("html")[0][1] == (
        '<div class="csl-entry">Doe, J. A., &#38; Roe, M. (2020). <i>The art of testing</i>. Acme Press.</div>')


def test_dependent_style_resolves_to_parent(tmp_path: Path) -> None:
    dep = tmp_path / "my-journal.csl"
    dep.write_text(
        '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" default-locale="en-GB">'
        "<info><title>My Journal</title><id>x</id>"
        '<link href="http://www.zotero.org/styles/apa" rel="independent-parent"/></info></style>',
        encoding="utf-8",
    )
    style = load_style("my-journal", search_dirs=[tmp_path])
    assert style.citation is not None and style.bibliography is not None
    assert style.default_locale == "en-GB"
    assert style.title == "My Journal"
    proc = Processor(style, [BOOK])
    assert proc.locale.lang == "en-GB"


def test_search_dirs_take_precedence(tmp_path: Path) -> None:
    (tmp_path / "apa.csl").write_text(_style('<citation><layout><text value="local"/></layout></citation>'),
                                      encoding="utf-8")
    assert Processor(load_style("apa", search_dirs=[tmp_path]), [BOOK]).cite(["doe2020"]) == "local"


def test_unknown_style_raises() -> None:
    with pytest.raises(StyleError):
        load_style("no-such-style-anywhere")


def test_find_styles_by_name_and_title() -> None:
    found = dict(find_styles("harvard-cite-them"))
    assert "harvard-cite-them-right" in found
    assert all("harvard" in n or "harvard" in t.lower() for n, t in find_styles("harvard"))
    assert find_styles("zzzz-no-such-style") == []


def test_escaping_per_format() -> None:
    item = {"id": "x", "type": "book", "title": "A <script>alert(1)</script> & 50% of_it*", "author": [{"family": "Q"}]}
    style = parse_style(_style('<citation><layout><text variable="title"/></layout></citation>'))
    proc = Processor(style, [item])
    assert proc.cite(["x"], fmt="html") == "A &#60;script&#62;alert(1)&#60;/script&#62; &#38; 50% of_it*"
    assert proc.cite(["x"], fmt="latex") == r"A <script>alert(1)</script> \& 50\% of\_it*"
    assert proc.cite(["x"], fmt="md") == r"A \<script\>alert\(1\)\</script\> & 50% of\_it\*"
    assert proc.cite(["x"], fmt="text") == "A <script>alert(1)</script> & 50% of_it*"


def test_rich_text_in_titles_maps_to_each_format() -> None:
    style = parse_style(_style('<citation><layout><text variable="title"/></layout></citation>'))
    proc = Processor(style, [WEB])
    assert proc.cite(["web1"], fmt="html") == "Notes on <i>Hamlet</i>"
    assert proc.cite(["web1"], fmt="latex") == r"Notes on \textit{Hamlet}"
    assert proc.cite(["web1"], fmt="md") == "Notes on *Hamlet*"
    assert proc.cite(["web1"], fmt="text") == "Notes on Hamlet"


def test_year_suffix_and_sorting_with_collation() -> None:
    items = [
        {"id": "b", "type": "book", "title": "Beta", "author": [{"family": "Zander", "given": "A"}], "issued": {"date-parts": [[2000]]}},
        {"id": "a", "type": "book", "title": "Alpha", "author": [{"family": "Zander", "given": "A"}], "issued": {"date-parts": [[2000]]}},
        {"id": "o", "type": "book", "title": "Omega", "author": [{"family": "Ødegård", "given": "K"}], "issued": {"date-parts": [[1999]]}},
        {"id": "p", "type": "book", "title": "Pi", "author": [{"family": "Paulsen", "given": "K"}], "issued": {"date-parts": [[1999]]}},
    ]
    proc = Processor(parse_style(AUTHOR_DATE), items)
    assert [i for i, _ in proc.bibliography()] == ["o", "p", "a", "b"]
    assert proc.cite(["a", "b"]) == "(Zander 2000a; Zander 2000b)"
    assert proc.bibliography()[2][1] == "Zander, A. 2000a. Alpha."


def test_initials_and_page_ranges() -> None:
    assert initialize("Jean-Paul", ". ", True) == "J.-P."
    assert initialize("John Allen", ".", True) == "J.A."
    assert initialize("John A", ". ", False) == "John A."
    proc = Processor(parse_style(AUTHOR_DATE), [BOOK])
    assert page_range("321-328", "chicago", proc.locale) == "321\u201328"
    assert page_range("1496-1504", "chicago", proc.locale) == "1496\u20131504"
    assert page_range("42-45", "minimal", proc.locale) == "42\u20135"


def test_numbers_with_embedded_labels() -> None:
    locale = Processor(parse_style(AUTHOR_DATE), [BOOK]).locale
    assert format_number("7, p. 3-8", "ordinal", locale) == "7th, pp. 3\u20138"
    assert format_number("2; vol. 4", "roman", locale) == "ii; vol. 4"
    # An unknown label, or a label on words, leaves the value as written.
    assert format_number("7, zz. 3", "ordinal", locale) == "7, zz. 3"
    assert format_number("7, p. ten", "ordinal", locale) == "7, p. ten"


def test_cli_format_cite_styles(tmp_path: Path) -> None:
    from bibvault.cli import cli

    data = tmp_path / "items.json"
    data.write_text(json.dumps([BOOK, WEB]), encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(cli, ["format", str(data), "--style", "apa"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].startswith("Doe, J. A., & Roe, M. (2020)")
    assert len(lines) == 2
    res = runner.invoke(cli, ["cite", "doe2020", "--from", str(data), "--style", "apa"])
    assert res.exit_code == 0 and res.output.strip() == "(Doe & Roe, 2020)"
    res = runner.invoke(cli, ["cite", "--each", "--from", str(data), "--style", "apa"])
    assert res.output.splitlines()[0] == "doe2020\t(Doe & Roe, 2020)"
    res = runner.invoke(cli, ["format", str(data), "--style", "no-such-style"])
    assert res.exit_code == 2
    assert "unknown style" in res.output
    res = runner.invoke(cli, ["styles", "modern-language-association"])
    assert res.exit_code == 0 and "modern-language-association\t" in res.output


def test_locale_changes_terms_and_disables_english_title_case() -> None:
    item = {"id": "a", "type": "book", "title": "Using the <span class=\"nocase\">iPhone</span> in labs",
            "author": [{"family": "Doe", "given": "J"}, {"family": "Roe", "given": "M"}],
            "issued": {"date-parts": [[2020]]}}
    english = Processor(load_style("mla"), [item])
    assert english.cite(["a"]) == "(Doe and Roe)"
    assert "Using the iPhone in Labs" in english.bibliography()[0][1]
    german = Processor(load_style("mla"), [item], locale="de-DE")
    assert german.cite(["a"]) == "(Doe und Roe)"
    assert "Using the iPhone in labs" in german.bibliography()[0][1]


def test_bibliography_layout_metadata_and_plain_second_field_align() -> None:
    apa = Processor(load_style("apa"), [BOOK]).bibliography_options()
    assert apa["hanging-indent"] is True and apa["second-field-align"] == ""
    ieee = Processor(load_style("ieee"), [BOOK])
    assert ieee.bibliography_options()["second-field-align"] == "flush"
    text = ieee.bibliography()[0][1]
    assert text.startswith("[1] J. A. Doe and M. Roe,")
    html = ieee.bibliography("html")[0][1]
    assert html.startswith('<div class="csl-entry"><div class="csl-left-margin">[1]</div><div class="csl-right-inline">')
    assert html.endswith("</div></div>")


def test_note_style_locator() -> None:
    proc = Processor(load_style("chicago-nb"), [BOOK])
    note = proc.cite([{"id": "doe2020", "locator": "12-15"}])
    assert note.endswith("12\u201315.")
    assert note.startswith("John Allen Doe and Mary Roe, The Art of Testing")


NOTE_STYLE = (
    '<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0"><info><title>N</title>'
    '<id>n</id></info><citation><layout suffix="." delimiter="; "><choose>'
    '<if position="ibid-with-locator"><group delimiter=", "><text term="ibid"/><text variable="locator"/></group></if>'
    '<else-if position="ibid"><text term="ibid"/></else-if>'
    '<else-if position="subsequent"><names variable="author"><name form="short"/></names></else-if>'
    '<else><group delimiter=", "><names variable="author"><name/></names><text variable="title" font-style="italic"/>'
    '<text variable="locator"/></group></else></choose></layout></citation></style>'
)


def test_cite_sequence_computes_positions() -> None:
    proc = Processor(parse_style(NOTE_STYLE), [BOOK, WEB])
    notes = proc.cite_sequence([
        ["doe2020"],
        ["doe2020"],
        [{"id": "doe2020", "locator": "7"}],
        ["web1"],
        ["doe2020"],
    ])
    assert notes == [
        "John Allen Doe, Mary Roe, The art of testing.",
        "Ibid.",
        "Ibid., 7.",
        "Kari Ødegård, Notes on Hamlet.",
        "Doe, Roe.",
    ]


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
_name = st.fixed_dictionaries({}, optional={"family": _text, "given": _text, "literal": _text,
                                            "non-dropping-particle": _text, "suffix": _text})
_date = st.one_of(
    st.fixed_dictionaries({"date-parts": st.lists(st.lists(st.one_of(st.integers(-3000, 3000), _text),
                                                           max_size=3), max_size=2)}),
    st.fixed_dictionaries({"raw": _text}),
    st.fixed_dictionaries({"literal": _text}),
)
_item = st.fixed_dictionaries(
    {"id": st.just("x"), "type": st.sampled_from(["book", "article-journal", "webpage", "chapter", "thesis", "nonsense"])},
    optional={"title": _text, "author": st.lists(_name, max_size=4), "editor": st.lists(_name, max_size=2),
              "issued": _date, "page": _text, "volume": st.one_of(_text, st.integers()),
              "container-title": _text, "URL": _text, "edition": _text},
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item=_item, fmt=st.sampled_from(["text", "html", "md", "latex"]))
def test_never_raises_on_odd_items(item: dict, fmt: str) -> None:
    for style in _STYLES:
        proc = Processor(style, [item], resources=_SHARED)
        proc.bibliography(fmt)
        proc.cite(["x"], fmt)
        proc.cite([{"id": "x", "locator": "3-5", "label": "page"}], fmt)


def test_dependent_style_from_the_official_collection() -> None:
    style = load_style("2d-materials")
    assert style.title == "2D Materials"
    assert style.citation is not None  # the parent's layout
    entry = Processor(style, [BOOK]).bibliography()[0][1]
    assert entry.startswith("[1] Doe J A and Roe M 2020")


def test_cli_formats_bibtex_records(tmp_path: Path) -> None:
    from bibvault.cli import cli

    bib = tmp_path / "list.bib"
    bib.write_text(
        "@book{roe2019,\n  author = {Roe, Mary and Doe, John},\n  title = {Counting Things},\n"
        "  publisher = {Acme},\n  year = {2019}\n}\n",
        encoding="utf-8",
    )
    res = CliRunner().invoke(cli, ["format", str(bib), "--style", "apa", "--format", "html"])
    assert res.exit_code == 0, res.output
    assert res.output.strip() == '<div class="csl-entry">Roe, M., &#38; Doe, J. (2019). <i>Counting Things</i>. Acme.</div>'
    res = CliRunner().invoke(cli, ["cite", "roe2019", "--from", str(bib), "--style", "chicago"])
    assert res.output.strip() == "(Roe and Doe 2019)"


def test_cjk_title_variable_is_not_italicised() -> None:
    item = {"id": "mao", "type": "book", "title": "论持久战", "author": [{"family": "毛", "given": "泽东"}],
            "publisher": "解放社", "issued": {"date-parts": [[1938]]}, "language": "zh-CN"}
    latin = {**BOOK, "id": "latin"}
    out = dict(Processor(load_style("ieee"), [item, latin], locale="en-US").bibliography("html"))
    assert "<i>论持久战</i>" not in out["mao"] and "论持久战" in out["mao"]
    assert "<i>The art of testing</i>" in out["latin"]


def test_one_compiled_style_serves_many_processors_alike() -> None:
    # A style is only read while rendering: a second processor, with other items,
    # renders exactly as a processor on a freshly loaded copy does.
    style = load_style("apa")
    Processor(style, [WEB], locale="en-US").bibliography("text")
    again = Processor(style, [BOOK, WEB], locale="en-US").bibliography("html")
    fresh = Processor(load_style("apa"), [BOOK, WEB], locale="en-US").bibliography("html")
    assert again == fresh


def test_disambiguation_same_with_many_colliding_items() -> None:
    # Many items share author and year: each gets its own year suffix, in
    # bibliography order, and the cites tell them apart.
    items = [{"id": f"i{n}", "type": "article-journal", "title": f"Paper {n:02d}",
              "author": [{"family": "Wang", "given": "Li"}, {"family": "Zhang", "given": "Wei"},
                         {"family": "Chen", "given": "Jun"}],
              "issued": {"date-parts": [[2019]]}} for n in range(30)]
    proc = Processor(load_style("apa"), items, locale="en-US")
    cites = [proc.cite([f"i{n}"]) for n in range(30)]
    assert len(set(cites)) == 30
    assert cites[0] == "(Wang et al., 2019a)" and cites[29] == "(Wang et al., 2019ad)"


@pytest.mark.parametrize(("title", "expected"), [
    ("Character n-Grams and k-Nearest Neighbours", "Character N-Grams and k-Nearest Neighbours"),
    ("On x and y", "On x and y"),
    ("x-ray and k-ray", "X-Ray and k-Ray"),
    ("x-Ray: k-Ray", "X-Ray: K-Ray"),
    ("Pre-training e-mail", "Pre-Training e-Mail"),
])
def test_title_case_leaves_single_letters_as_the_reference_does(title: str, expected: str) -> None:
    item = {"id": "t", "type": "book", "title": title, "issued": {"date-parts": [[2000]]}}
    entry = dict(Processor(load_style("chicago-ad"), [item], locale="en-US").bibliography("text"))["t"]
    assert expected in entry


@pytest.mark.parametrize("style", ["apa", "chicago-author-date", "harvard"])
def test_identical_items_disambiguate_as_items_that_differ_unseen(style: str) -> None:
    # Identical items share their renders during disambiguation; items that differ
    # only in a field no cite shows (the abstract) take the full walk. Both must end
    # in the same states and the same cites and entries.
    people = [{"family": "Sun", "given": "Chen"}, {"family": "Li", "given": "Wei"}, {"family": "Zhou", "given": "Ming"}]
    base = [{"type": "article-journal", "title": t, "author": people[:n], "issued": {"date-parts": [[2019]]}}
            for t, n in (("Same", 3), ("Same", 3), ("Other", 3), ("Same", 1), ("Third", 2))]
    twins = [dict(item, id=f"t{k}") for k, item in enumerate(base + base)]
    unseen = [dict(item, id=f"t{k}", abstract=f"a{k}") for k, item in enumerate(base + base)]
    a, b = Processor(load_style(style), twins), Processor(load_style(style), unseen)
    ids = [item["id"] for item in twins]
    assert [a.cite([i]) for i in ids] == [b.cite([i]) for i in ids]
    assert a.bibliography("text") == b.bibliography("text")
    assert a.disamb == b.disamb
    assert len({a.cite([i]) for i in ids}) == len(ids)
