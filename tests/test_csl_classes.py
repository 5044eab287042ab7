"""Engine behaviour found by comparing random official styles with citeproc-js
(bench/csl_sample.py), one test per class of difference fixed."""

from __future__ import annotations

from typing import Any

from bibvault.csl import Processor, parse_style


def _style(names: str, *, locale: str = "en-US", bib: str = "") -> str:
    return (
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" '
        f'default-locale="{locale}"><info><title>T</title><id>t</id></info>'
        f'<citation><layout>{names}</layout></citation>{bib}</style>'
    )


def _people(*families: str) -> list[dict[str, str]]:
    return [{"family": f, "given": "Ann"} for f in families]


def _cite(style: str, item: dict[str, Any], locale: str | None = None) -> str:
    proc = Processor(parse_style(style), [{"id": "a", "type": "book", **item}], locale=locale)
    return proc.cite(["a"])


def test_cjk_et_al_and_and_terms_join_names_without_spaces() -> None:
    names = ('<names variable="author"><name and="text" et-al-min="3" et-al-use-first="1" '
             'form="short"/></names>')
    assert _cite(_style(names, locale="zh-CN"), {"author": _people("Mensah", "Roe", "Poe")}) == "Mensah等"
    assert _cite(_style(names, locale="zh-CN"), {"author": _people("Mensah", "Roe")}) == "Mensah和Roe"
    # A Latin term keeps its spaces whatever the names' script.
    assert _cite(_style(names), {"author": _people("Mensah", "Roe", "Poe")}) == "Mensah et al."
    assert _cite(_style(names), {"author": [{"family": "毛"}, {"family": "周"}]}) == "毛 and 周"


def test_citation_numbers_follow_a_bibliography_sorted_otherwise() -> None:
    style = parse_style(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">'
        '<info><title>T</title><id>t</id></info>'
        '<citation><sort><key variable="citation-number"/></sort>'
        '<layout><text variable="citation-number"/></layout></citation>'
        '<bibliography><sort><key variable="title"/></sort><layout>'
        '<text variable="citation-number" suffix=". "/><text variable="title"/></layout></bibliography></style>')
    items = [{"id": "z", "type": "book", "title": "Zebras"}, {"id": "a", "type": "book", "title": "Apes"}]
    proc = Processor(style, items)
    assert proc.bibliography() == [("a", "1. Apes"), ("z", "2. Zebras")]
    assert proc.cite(["a"]) == "1"
    assert proc.cite(["z"]) == "2"


def _cites_html(names: str, authors: list[dict[str, str]]) -> str:
    proc = Processor(parse_style(_style(names)), [{"id": "a", "type": "book", "author": authors}])
    return proc.cite(["a"], "html")


def test_name_affixes_go_on_each_personal_name_and_not_on_organisations() -> None:
    names = ('<names variable="author"><name prefix="&lt;" suffix="&gt;" font-style="italic" '
             'et-al-min="4" et-al-use-first="2"/></names>')
    people = [{"family": "Mensah", "given": "Ann"}, {"family": "Roe", "given": "Bo"}]
    assert _cites_html(names, people) == "&#60;<i>Ann Mensah</i>&#62;, &#60;<i>Bo Roe</i>&#62;"
    assert _cites_html(names, [{"literal": "Crisis Group"}, people[1]]) == (
        "<i>Crisis Group</i>, &#60;<i>Bo Roe</i>&#62;")
    # A list cut short by et-al takes the affixes and formatting once more around it
    # (citeproc-js's output).
    four = people + [{"family": "Poe", "given": "Cy"}, {"family": "Low", "given": "Di"}]
    assert _cites_html(names, four) == (
        "&#60;<i>&#60;<i>Ann Mensah</i>&#62;, &#60;<i>Bo Roe</i>&#62;, et al.</i>&#62;")
    small_caps = ('<names variable="author"><name form="short" font-variant="small-caps" et-al-min="3" '
                  'et-al-use-first="1"/><et-al font-variant="normal" font-style="italic"/></names>')
    assert _cites_html(small_caps, four) == (
        '<span style="font-variant:small-caps;"><span style="font-variant:small-caps;">Mensah</span> '
        '<span style="font-variant:normal;"><i>et al.</i></span></span>')


def test_family_name_part_affixes_skip_organisations() -> None:
    names = ('<names variable="author"><name><name-part name="family" prefix="[" suffix="]" '
             'font-weight="bold" text-case="uppercase"/></name></names>')
    assert _cites_html(names, [{"literal": "Crisis Group"}, {"family": "Roe", "given": "Bo"}]) == (
        "<b>CRISIS GROUP</b>, Bo [<b>ROE</b>]")


def test_text_output_of_display_blocks_spaces_as_citeproc_js() -> None:
    style = parse_style(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">'
        '<info><title>T</title><id>t</id></info><citation><layout><text variable="title"/></layout></citation>'
        '<bibliography><layout suffix="."><group display="block" suffix=":"><text variable="title"/></group>'
        '<text variable="publisher"/><text variable="publisher-place" display="indent"/></layout>'
        '</bibliography></style>')
    proc = Processor(style, [{"id": "a", "type": "book", "title": "Apes", "publisher": "Acme",
                              "publisher-place": "Paris"}])
    # A block begins a line and nothing separates its end from what follows.
    assert proc.bibliography() == [("a", "Apes:Acme Paris.")]


def test_type_values_are_one_any_test_even_under_match_all() -> None:
    body = ('<choose><if type="chapter article-journal" variable="title"><text value="yes"/></if>'
            '<else><text value="no"/></else></choose>')
    style = _style(body)
    assert _cite(style, {"type": "article-journal", "title": "T"}) == "yes"
    assert _cite(style, {"type": "article-journal"}) == "no"  # the other test still counts
    assert _cite(style, {"type": "book", "title": "T"}) == "no"


def test_apostrophes_in_terms_print_curly() -> None:
    style = ('<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">'
             '<info><title>T</title><id>t</id></info><locale><terms><term name="from">à l\'adresse</term>'
             '</terms></locale><citation><layout><text term="from" text-case="uppercase"/></layout></citation></style>')
    assert _cite(style, {}) == "À L\u2019ADRESSE"


_TITLES = ["Öberg", "Zorn", "Åberg", "Ahl", "Ærø", "Çelik", "Czerny", "Ivanov", "Иванов", "Işık", "Izmir", "Ohm", "Özal"]


def _sorted_titles(lang: str) -> str:
    style = parse_style(
        f'<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="{lang}">'
        '<info><title>T</title><id>t</id></info><citation><layout><text variable="title"/></layout></citation>'
        '<bibliography><sort><key variable="title"/></sort><layout><text variable="title"/></layout>'
        '</bibliography></style>')
    items = [{"id": str(n), "type": "book", "title": t} for n, t in enumerate(_TITLES)]
    return " ".join(entry for _, entry in Processor(style, items).bibliography())


def test_sorting_follows_the_locales_collation() -> None:
    # Orders as citeproc-js (Intl.Collator) gives them for the same titles.
    assert _sorted_titles("sv-SE") == "Ahl Çelik Czerny Işık Ivanov Izmir Ohm Zorn Åberg Ærø Öberg Özal Иванов"
    assert _sorted_titles("nb-NO") == "Ahl Çelik Czerny Işık Ivanov Izmir Ohm Zorn Ærø Öberg Özal Åberg Иванов"
    assert _sorted_titles("tr-TR") == "Åberg Ærø Ahl Czerny Çelik Işık Ivanov Izmir Ohm Öberg Özal Zorn Иванов"
    assert _sorted_titles("ru-RU") == "Иванов Åberg Ærø Ahl Çelik Czerny Işık Ivanov Izmir Öberg Ohm Özal Zorn"


def test_given_names_that_disambiguate_cites_show_in_the_bibliography() -> None:
    style = parse_style(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">'
        '<info><title>T</title><id>t</id></info><citation disambiguate-add-givenname="true"><layout>'
        '<names variable="author"><name form="short"/></names></layout></citation><bibliography><layout>'
        '<names variable="author" suffix=". "><name name-as-sort-order="all" initialize-with="."/></names>'
        '<names variable="editor"><name name-as-sort-order="all" initialize-with="."/></names>'
        '</layout></bibliography></style>')
    ann = {"family": "Sun", "given": "Ann"}
    items = [{"id": "a", "type": "book", "author": [ann], "editor": [ann]},
             {"id": "b", "type": "book", "author": [{"family": "Sun", "given": "Bo"}]},
             {"id": "c", "type": "book", "author": [{"family": "Roe", "given": "Cy"}]}]
    proc = Processor(style, items)
    # As citeproc-js: only the first name list takes the cite's given names.
    assert proc.bibliography() == [("a", "Sun, Ann. Sun, A."), ("b", "Sun, Bo."), ("c", "Roe, C.")]
    assert proc.cite(["a"]) == "Ann Sun"


def test_curly_quotes_in_the_data_print_as_typed_unless_nested() -> None:
    def cite(lang: str, quotes: str) -> str:
        style = ('<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" '
                 f'default-locale="{lang}"><info><title>T</title><id>t</id></info><citation><layout>'
                 f'<text variable="title"{quotes}/></layout></citation></style>')
        return _cite(style, {"title": "\u201cNo Forgiveness\u201d here, \"straight\""})

    # Outermost: curly marks as typed, straight ones in the locale's marks (citeproc-js).
    assert cite("en-GB", "") == "\u201cNo Forgiveness\u201d here, \u2018straight\u2019"
    # Nested in the style's quotes: the locale's inner marks.
    assert cite("en-US", ' quotes="true"') == "\u201c\u2018No Forgiveness\u2019 here, \u2018straight\u2019\u201d"


def test_turkish_capitalisation_dots_the_capital_i() -> None:
    style = ('<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="tr-TR">'
             '<info><title>T</title><id>t</id></info><citation><layout>'
             '<text term="in" text-case="capitalize-first"/></layout></citation></style>')
    assert _cite(style, {}) == "\u0130\u00e7inde"
    # An item in English keeps the English capital I.
    assert _cite(style.replace("tr-TR", "en-US"), {"language": "en"}) == "In"


def test_style_italics_nest_and_data_italics_flip() -> None:
    style = _style('<group font-style="italic"><text value="A "/><text variable="title" font-style="italic"/>'
                   '<text value=" B"/></group>')
    proc = Processor(parse_style(style), [{"id": "a", "type": "book", "title": "X <i>Y</i> Z"}])
    assert proc.cite(["a"], "html") == '<i>A <i>X <span style="font-style:normal;">Y</span> Z</i> B</i>'


def test_baseline_and_no_decoration_spans_are_always_written() -> None:
    style = _style('<group vertical-align="baseline"><text variable="title" text-decoration="none"/></group>'
                   '<text variable="title" prefix=" " font-style="normal"/>')
    proc = Processor(parse_style(style), [{"id": "a", "type": "book", "title": "T"}])
    assert proc.cite(["a"], "html") == (
        '<span style="baseline"><span style="text-decoration:none;">T</span></span> T')


def test_label_of_an_empty_variable_prints_as_a_term() -> None:
    style = ('<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="de-DE">'
             '<info><title>T</title><id>t</id></info><citation><layout><text variable="title"/>'
             '<group prefix=" (" suffix=")"><label variable="page" form="short"/><text variable="page"/></group>'
             '<group prefix=" {" suffix="}"><label variable="page" form="short"/></group>'
             '<label variable="volume" prefix=" [" suffix="]"/></layout></citation></style>')
    # As citeproc-js: singular, and a group holding only the empty variable stays out.
    assert _cite(style, {"title": "T"}) == "T {S.} [Band]"
    assert _cite(style, {"title": "T", "page": "3-4"}) == "T (S.3–4) {S.} [Band]"


def test_sort_keys_compare_as_citeproc_js_intl_collator() -> None:
    style = parse_style(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">'
        '<info><title>T</title><id>t</id></info><macro name="author"><names variable="author">'
        '<name and="text" name-as-sort-order="all" delimiter=", "/><substitute>'
        '<text variable="title" prefix="« " suffix=" »"/></substitute></names></macro>'
        '<citation><layout><text macro="author"/></layout></citation><bibliography><sort>'
        '<key macro="author"/><key variable="issued"/></sort><layout><group delimiter=". ">'
        '<text macro="author"/><date variable="issued"><date-part name="year"/></date></group>'
        '</layout></bibliography></style>')

    def book(id_: str, families: str, *years: int, type_: str = "book") -> dict[str, Any]:
        names = [{"family": f, "given": "Kim"} for f in families.split("+")] if families else []
        return {"id": id_, "type": type_, "author": names, "title": f"Report {id_[1:]}",
                "issued": {"date-parts": [[y] for y in years]}}

    items = [book("salam", "Abdel-Salam", 2001), book("ali", "Abdelali", 2002),
             book("pair", "Filhol+McDonald", 2020), book("solo", "Filhol", 2020),
             book("smithers", "Smithers", 1999), book("smith", "Smith", 1999),
             book("r10", "", 2000, type_="report"), book("r9", "", 2000, type_="report"),
             book("range", "Lee", 2019, 2021), book("single", "Lee", 2020),
             book("elan2", "Élan", 2010), book("elan1", "Elan", 2010)]
    # citeproc-js's order (its keys write each space as "|" and compare with
    # Intl.Collator, base strength, punctuation ignored, numbers by value): the
    # "« " prefix sorts first, hyphens count for nothing, accents break no tie.
    assert [i for i, _ in Processor(style, items).bibliography()] == [
        "r9", "r10", "ali", "salam", "elan2", "elan1", "solo", "pair", "range", "single", "smith", "smithers"]


# Titles and what citeproc-js's text-case="title" makes of them (its output, pasted).
_TITLE_CASES = [
    ("out-of-fashion ideas for k-means",
     "Out-of-Fashion Ideas for k-Means"),
    ("a tool written in julia.jl for de novo assembly",
     "A Tool Written in Julia.Jl for de Novo Assembly"),
    ("what it is made of",
     "What It Is Made Of"),
    ("the case of l’homme and d'Alembert",
     "The Case of l’homme and d’Alembert"),
    ("the α-helix and β sheets",
     "The α-Helix and β Sheets"),
    ("e.g. the vs. case",
     "E.g. the vs. Case"),
    ("notes: on the way to nowhere",
     "Notes: On the Way to Nowhere"),
    ("von neumann and van der waals",
     "Von Neumann and van Der Waals"),
    ("a <span class=\"nocase\">iPhone app</span> review",
     "A iPhone app Review"),
    ("x-ray and t-cell counts",
     "X-Ray and t-Cell Counts"),
    ("state-of-the-art in off-the-shelf nlp",
     "State-of-the-Art in off-the-Shelf Nlp"),
    ("on/off switches",
     "On/off Switches"),
    ("the end of",
     "The End Of"),
    ("c. 1900 to ca. 1950",
     "C. 1900 to ca. 1950"),
    ("according to plan",
     "According to Plan"),
    ("the ##life out of living",
     "The ##life out of Living"),
    ("DNA and rna in e. coli",
     "DNA and Rna in e. Coli"),
]


def test_title_case_cuts_at_punctuation_and_skips_lone_letters_as_citeproc_js() -> None:
    style = _style('<text variable="title" text-case="title"/>')
    for title, expected in _TITLE_CASES:
        assert _cite(style, {"title": title}) == expected


def test_marks_after_a_closing_quote_move_in_one_after_another() -> None:
    style = _style('<group delimiter=" / "><group><text variable="title" quotes="true" suffix="."/>'
                   '<text value="more" prefix="! "/></group><group><text variable="title" quotes="true" '
                   'suffix=":"/><text value="more" prefix="? "/></group><group><text variable="title" '
                   'quotes="true" suffix=","/><text value="more" prefix=". "/></group></group>')
    # citeproc-js's output: each mark goes in; "?" replaces the colon before it.
    assert _cite(style, {"title": "Apes"}) == "\u201cApes.!\u201d more / \u201cApes?\u201d more / \u201cApes,.\u201d more"


def test_one_element_formatting_nests_in_citeproc_js_order() -> None:
    style = _style('<group delimiter=" | "><text value="A" font-style="italic" font-variant="small-caps"/>'
                   '<text value="C" vertical-align="sup" font-style="italic" font-weight="bold" '
                   'font-variant="small-caps" text-decoration="underline"/></group>')
    # citeproc-js's output: the order is fixed, whatever the attributes' order.
    assert Processor(parse_style(style), [{"id": "a", "type": "book"}]).cite(["a"], "html") == (
        '<span style="font-variant:small-caps;"><i>A</i></span> | <sup><span style="text-decoration:underline;">'
        '<b><span style="font-variant:small-caps;"><i>C</i></span></b></span></sup>')


_LETTER_WORDS = ("Scherbakov Sexton Shekhawat Si Čapek Chalupa Hruška Dvořák Dvorak Ängel Anna Łukasz Lukas Żak "
                 "Źródło Zab Ñandú Nube Đurić Džaja Dzaja Ćosić Čolić Colić Ștefan Stefan").split()


def _sorted_words(lang: str) -> str:
    style = parse_style(
        f'<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="{lang}">'
        '<info><title>T</title><id>t</id></info><citation><layout><text variable="title"/></layout></citation>'
        '<bibliography><sort><key variable="title"/></sort><layout><text variable="title"/></layout>'
        '</bibliography></style>')
    items = [{"id": str(n), "type": "book", "title": t} for n, t in enumerate(_LETTER_WORDS)]
    return " ".join(entry for _, entry in Processor(style, items).bibliography())


def test_letters_that_a_locale_files_apart_sort_as_in_citeproc_js() -> None:
    # citeproc-js's orders (Intl.Collator of the style's locale): Czech files "ch"
    # after h and č after c, Polish ł after l, Spanish ñ after n, Romanian ș after s.
    assert _sorted_words("cs-CZ") == (
        "Ängel Anna Colić Ćosić Čapek Čolić Đurić Dvorak Dvořák Dzaja Džaja Hruška Chalupa Lukas Łukasz Ñandú "
        "Nube Sexton Shekhawat Scherbakov Si Ștefan Stefan Zab Żak Źródło")
    assert _sorted_words("sk-SK") == (
        "Anna Ängel Colić Ćosić Čapek Čolić Đurić Dvorak Dvořák Dzaja Džaja Hruška Chalupa Lukas Łukasz Ñandú "
        "Nube Sexton Shekhawat Scherbakov Si Ștefan Stefan Zab Żak Źródło")
    assert _sorted_words("pl-PL") == (
        "Ängel Anna Čapek Chalupa Čolić Colić Ćosić Đurić Dvořák Dvorak Džaja Dzaja Hruška Lukas Łukasz Ñandú "
        "Nube Scherbakov Sexton Shekhawat Si Ștefan Stefan Zab Źródło Żak")
    assert _sorted_words("hr-HR") == (
        "Ängel Anna Chalupa Colić Čapek Čolić Ćosić Dvořák Dvorak Dzaja Džaja Đurić Hruška Lukas Łukasz Ñandú "
        "Nube Scherbakov Sexton Shekhawat Si Ștefan Stefan Zab Żak Źródło")
    assert _sorted_words("es-ES") == (
        "Ängel Anna Čapek Chalupa Čolić Colić Ćosić Đurić Dvořák Dvorak Džaja Dzaja Hruška Lukas Łukasz Nube "
        "Ñandú Scherbakov Sexton Shekhawat Si Ștefan Stefan Zab Żak Źródło")
    assert _sorted_words("ro-RO") == (
        "Ängel Anna Čapek Chalupa Čolić Colić Ćosić Đurić Dvořák Dvorak Džaja Dzaja Hruška Lukas Łukasz Ñandú "
        "Nube Scherbakov Sexton Shekhawat Si Stefan Ștefan Zab Żak Źródło")


def test_short_names_file_under_the_family_name_when_particles_are_demoted() -> None:
    def order(demote: str) -> list[str]:
        style = parse_style(
            '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" '
            f'demote-non-dropping-particle="{demote}"><info><title>T</title><id>t</id></info>'
            '<macro name="a"><names variable="author"><name form="short"/></names></macro>'
            '<citation><layout><text macro="a"/></layout></citation><bibliography><sort><key macro="a"/>'
            '</sort><layout><text macro="a"/></layout></bibliography></style>')
        items = [{"id": "v", "type": "book", "author": [{"family": "Bijlert", "given": "M", "non-dropping-particle": "van"}]},
                 {"id": "d", "type": "book", "author": [{"family": "Vries", "given": "H", "non-dropping-particle": "de"}]},
                 {"id": "c", "type": "book", "author": [{"family": "Cole", "given": "Al"}]},
                 {"id": "w", "type": "book", "author": [{"family": "Weber", "given": "Al"}]}]
        return [i for i, _ in Processor(style, items).bibliography()]

    # citeproc-js's orders: its sort key of a short name is "Bijlert|van|".
    assert order("sort-only") == ["v", "c", "d", "w"]
    assert order("never") == ["c", "d", "v", "w"]


_NO_DATE_MACRO = ('<macro name="yd"><choose><if variable="issued"><date variable="issued"><date-part name="year"/>'
                  '</date></if><else><text term="no date" form="short"/></else></choose></macro>')


def test_a_term_that_opens_a_bibliography_entry_is_capitalised() -> None:
    style = parse_style(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>T</title>'
        f'<id>t</id></info>{_NO_DATE_MACRO}<citation><layout><text macro="yd"/></layout></citation>'
        '<bibliography><layout><group delimiter=" "><text macro="yd" prefix="[" suffix="]"/>'
        '<text variable="title"/><text term="anonymous"/></group></layout></bibliography></style>')
    proc = Processor(style, [{"id": "a", "type": "book", "title": "Zed"}])
    # citeproc-js's output: only a term printed first (and not in an in-text citation).
    assert proc.bibliography() == [("a", "[N.d.] Zed anonymous")]
    assert proc.cite(["a"]) == "n.d."


def test_uppercase_spells_sharp_s_as_ss() -> None:
    style = _style('<names variable="author"><name><name-part name="family" text-case="uppercase"/></name></names>')
    # citeproc-js's output (JavaScript's toUpperCase).
    assert _cite(style, {"author": [{"family": "Nießner", "given": "Matthias"}]}) == "Matthias NIESSNER"


def test_a_macro_holding_a_date_gives_only_the_date_to_a_sort_key() -> None:
    style = parse_style(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>T</title>'
        f'<id>t</id></info>{_NO_DATE_MACRO}<citation><layout><text variable="title"/></layout></citation>'
        '<bibliography><sort><key macro="yd" sort="descending"/><key variable="title"/></sort><layout>'
        '<text macro="yd" suffix=" "/><text variable="title"/></layout></bibliography></style>')
    items = [{"id": "a", "type": "book", "title": "Alpha"},
             {"id": "b", "type": "book", "title": "Beta", "issued": {"date-parts": [[2000]]}},
             {"id": "c", "type": "book", "title": "Gamma", "issued": {"date-parts": [[2010]]}}]
    # citeproc-js's output: its key of an undated item leaves the "n.d." term out
    # (the key is empty, and files last), where "n.d." would file before "2010".
    assert Processor(style, items).bibliography() == [("c", "2010 Gamma"), ("b", "2000 Beta"), ("a", "N.d. Alpha")]


# Layouts and what citeproc-js prints for titles "Why?" and "Inc." (its output):
# punctuation joins by where it comes from, and formatting on an element itself
# (not inside it) stops it.
_JOINS = [
    ('<group delimiter=". "><text variable="title"/><text variable="publisher"/></group>',
     "Why? Pub", "Inc. Pub"),
    ('<group delimiter=". "><text term="in" suffix=":"/><text variable="publisher"/></group>',
     "in:. Pub", "in:. Pub"),
    ('<group delimiter=". "><text variable="title" font-style="italic"/><text variable="publisher"/></group>',
     "Why?. Pub", "Inc. Pub"),
    ('<text macro="t" font-weight="bold"/><text variable="publisher" prefix=". "/>', "Why?. Pub", "Inc.. Pub"),
    ('<group delimiter=". "><text macro="ti"/><text variable="publisher"/></group>', "Why? Pub", "Inc. Pub"),
    ('<text variable="title"/><text variable="publisher" prefix=". " font-style="italic"/>',
     "Why?. Pub", "Inc.. Pub"),
    ('<text variable="title"/><text macro="pi" prefix=". "/>', "Why? Pub", "Inc. Pub"),
    ('<text variable="title" font-style="italic" suffix="."/><text variable="publisher" prefix=" "/>',
     "Why?. Pub", "Inc. Pub"),
    ('<group delimiter=". "><text macro="ti" font-weight="bold"/><text variable="publisher"/></group>',
     "Why? Pub", "Inc. Pub"),
    ('<text variable="title" suffix=":"/><text variable="publisher" prefix=". "/>', "Why? Pub", "Inc.: Pub"),
]


def test_punctuation_joins_by_its_source_and_stops_at_formatted_elements() -> None:
    for layout, why, inc in _JOINS:
        style = parse_style(
            '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>T</title>'
            '<id>t</id></info><macro name="t"><text variable="title"/></macro><macro name="ti"><text '
            'variable="title" font-style="italic"/></macro><macro name="pi"><text variable="publisher" '
            f'font-style="italic"/></macro><citation><layout>{layout}</layout></citation></style>')
        items = [{"id": "a", "type": "book", "title": "Why?", "publisher": "Pub"},
                 {"id": "b", "type": "book", "title": "Inc.", "publisher": "Pub"}]
        proc = Processor(style, items)
        assert (proc.cite(["a"]), proc.cite(["b"])) == (why, inc), layout


def test_ordinal_terms_of_a_style_merge_with_the_locale_file_as_in_citeproc_js() -> None:
    def ordinals(lang: str, terms: str) -> str:
        style = parse_style(
            f'<style xmlns="http://purl.org/net/xbiblio/csl" class="note" default-locale="{lang}-{lang.upper()}" '
            f'version="1.0"><info><title>T</title><id>t</id></info><locale xml:lang="{lang}"><terms>{terms}'
            '</terms></locale><citation><layout><group delimiter=" | "><number variable="edition" form="ordinal"/>'
            '<number variable="volume" form="ordinal"/></group></layout></citation></style>')
        items = [{"id": str(n), "type": "book", "edition": str(n), "volume": str(n)} for n in (1, 2, 4, 11, 21)]
        proc = Processor(style, items)
        return "#".join(proc.cite([str(i["id"])]) for i in items)

    nn = '<term name="ordinal-01">re</term><term name="ordinal-02">e</term><term name="ordinal-04">e</term>'
    # citeproc-js's output: a style's ordinal-NN counts only where the locale file has
    # that term too, and the file's gendered term beats it (édition is feminine).
    assert ordinals("fr", nn) == "1ʳᵉ | 1ᵉʳ#2ᵉ | 2ᵉ#4ᵉ | 4ᵉ#11ᵉ | 11ᵉ#21ᵉ | 21ᵉ"
    assert ordinals("en", nn) == "1re | 1re#2e | 2e#4th | 4th#11th | 11th#21re | 21re"


def test_given_names_without_hyphenated_initials_initialise_part_by_part() -> None:
    style = ('<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" '
             'initialize-with-hyphen="false"><info><title>T</title><id>t</id></info><citation><layout>'
             '<group delimiter=" | "><names variable="author"><name initialize-with="" name-as-sort-order="all"/>'
             '</names><names variable="author"><name initialize-with=". " name-as-sort-order="all"/></names>'
             '</group></layout></citation></style>')

    def cite(given: str) -> str:
        return _cite(style, {"author": [{"family": "Lee", "given": given}]})

    # citeproc-js's output: a lower-case part after the hyphen stays whole.
    assert cite("Jae-won") == "Lee, J won | Lee, J. won"
    assert cite("Jae-Won") == "Lee, JW | Lee, J. W."
    assert cite("Jean-pierre Paul") == "Lee, J pierre P | Lee, J. pierre P."


def test_a_label_is_plural_only_for_a_list_that_starts_with_a_number() -> None:
    style = _style('<label variable="number" form="short"/>')
    # citeproc-js's output for each report number.
    expected = {"MG-595": "no.", "SIGAR 21-46-LL": "no.", "No. 4-5": "no.", "III-IV": "no.", "WP-12": "no.",
                "21-46-LL": "nos.", "12-WP": "nos.", "A1-A5": "nos.", "xi-xv": "nos.", "3, 5": "nos.",
                "2 and 3": "nos."}
    assert {v: _cite(style, {"type": "report", "number": v}) for v in expected} == expected


def test_a_substituted_text_takes_no_affixes_or_formatting_of_cs_names() -> None:
    style = parse_style(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>T</title>'
        '<id>t</id></info><macro name="anon"><text term="anonymous" form="short"/></macro><citation><layout>'
        '<group delimiter=" | "><names variable="author" prefix="[" suffix="]"><name/><substitute>'
        '<names variable="editor"/><text macro="anon"/></substitute></names><names variable="author" '
        'prefix="[" suffix="]" font-style="italic"><name/><substitute><text variable="title"/></substitute>'
        '</names></group></layout></citation></style>')
    items = [{"id": "a", "type": "book", "title": "Tit"},
             {"id": "b", "type": "book", "title": "Tit", "editor": [{"family": "Ed", "given": "A"}]}]
    proc = Processor(style, items)
    # citeproc-js's output: substituted names keep them, a substituted text does not.
    assert proc.cite(["a"], "html") == "anon. | Tit"
    assert proc.cite(["b"], "html") == "[A Ed] | Tit"


def test_a_year_suffix_keeps_its_group_from_being_suppressed() -> None:
    style = _style('<group delimiter=" | "><text variable="title"/><group><text term="no date" form="short"/>'
                   '<text variable="publisher"/><text variable="year-suffix"/></group><group><text value="Y"/>'
                   '<text variable="publisher"/></group></group>')
    # citeproc-js's output: the group with an (absent) year-suffix still prints.
    assert _cite(style, {"title": "Tit"}) == "Tit | n.d."


def test_names_added_to_tell_cites_apart_stay_out_of_the_bibliography() -> None:
    style_xml = (
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>T</title>'
        '<id>t</id></info><citation et-al-min="3" et-al-use-first="1" disambiguate-add-names="true"><layout '
        'prefix="(" suffix=")"><group delimiter=" "><names variable="author"><name form="short"/></names>'
        '<date variable="issued"><date-part name="year"/></date></group></layout></citation><bibliography '
        'et-al-min="3" et-al-use-first="1"><layout><group delimiter=" "><names variable="author"><name '
        'initialize-with="." name-as-sort-order="all"/></names><date variable="issued" prefix="(" suffix=")">'
        '<date-part name="year"/></date></group></layout></bibliography></style>')
    style = parse_style(style_xml)

    def item(id_: str, *names: str) -> dict[str, Any]:
        return {"id": id_, "type": "book", "issued": {"date-parts": [[2020]]},
                "author": [{"family": n.split()[1], "given": n.split()[0]} for n in names]}

    items = [item("a", "Thomas Hanke", "Marc Schulder", "Reiner Konrad"),
             item("b", "Thomas Hanke", "Elena Jahn", "Uli Wagner")]
    proc = Processor(style, items)
    # citeproc-js's output: the bibliography takes them only with given names added too.
    assert proc.cite(["a"]) == "(Hanke, Schulder, et al. 2020)"
    assert proc.bibliography() == [("a", "Hanke, T. et al. (2020)"), ("b", "Hanke, T. et al. (2020)")]
    with_givens = parse_style(style_xml.replace('add-names="true"', 'add-names="true" disambiguate-add-givenname="true"'))
    assert Processor(with_givens, items).bibliography() == [
        ("a", "Hanke, T., Schulder, M., et al. (2020)"), ("b", "Hanke, T., Jahn, E., et al. (2020)")]


def test_title_case_applies_to_terms_and_labels_in_any_language() -> None:
    style = ('<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="fr-FR">'
             '<info><title>T</title><id>t</id></info><citation><layout><group delimiter=" | ">'
             '<text variable="title" text-case="title"/><names variable="editor"><name/><label form="short" '
             'prefix=" (" suffix=")" text-case="title"/></names></group></layout></citation></style>')
    item = {"title": "the art of war", "editor": [{"family": "Crews", "given": "Rob"}]}
    # citeproc-js's output: the French title stays, the French label is title-cased.
    assert _cite(style, item) == "the art of war | Rob Crews (\u00c9d.)"


def test_a_term_of_the_language_in_another_form_comes_before_the_english_fallback() -> None:
    style = ('<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="ar">'
             '<info><title>T</title><id>t</id></info><citation><layout><names variable="editor"><name/>'
             '<label form="short" prefix=" (" suffix=")"/></names></layout></citation></style>')
    editors = [{"family": "Crews", "given": "Rob"}, {"family": "Roe", "given": "Al"}]
    # citeproc-js's output: Arabic has no short "editor", so the long one, not "eds.".
    assert _cite(style, {"editor": editors}) == "Rob Crews, Al Roe (\u062a\u062d\u0642\u064a\u0642)"


def test_a_bare_cs_names_in_cs_substitute_drops_its_own_affixes() -> None:
    style = parse_style(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>T</title>'
        '<id>t</id></info><macro name="a"><names variable="author"><name/><substitute><names variable="editor" '
        'prefix="[" suffix="]"/></substitute></names></macro><macro name="b"><names variable="author"><name/>'
        '<substitute><names variable="editor" prefix="[" suffix="]" font-style="italic"><name form="short"/>'
        '</names></substitute></names></macro><citation><layout><text macro="a"/></layout></citation>'
        '<bibliography><layout><text macro="b"/></layout></bibliography></style>')
    proc = Processor(style, [{"id": "a", "type": "book",
                              "editor": [{"family": "Ed", "given": "Al"}, {"family": "Roe", "given": "Bo"}]}])
    # citeproc-js's output: a cs:names with its own cs:name keeps its affixes.
    assert proc.cite(["a"], "html") == "Al Ed, Bo Roe"
    assert proc.bibliography("html") == [("a", '<div class="csl-entry">[<i>Ed, Roe</i>]</div>')]


def test_japanese_and_chinese_put_their_scripts_where_citeproc_js_does() -> None:
    words = ["中村哲", "Zed", "Abe", "Иванов", "مرحبا", "あおい", "カタカナ", "김민수", "Ω"]

    def order(lang: str) -> str:
        style = parse_style(
            f'<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="{lang}">'
            '<info><title>T</title><id>t</id></info><citation><layout><text variable="title"/></layout></citation>'
            '<bibliography><sort><key variable="title"/></sort><layout><text variable="title"/></layout>'
            '</bibliography></style>')
        items = [{"id": str(n), "type": "book", "title": t} for n, t in enumerate(words)]
        return " ".join(entry for _, entry in Processor(style, items).bibliography())

    # citeproc-js's orders: Japanese files Latin, then kana and kanji; Chinese files
    # Han first and kana last.
    assert order("ja-JP") == "Abe Zed あおい カタカナ 中村哲 Ω Иванов مرحبا 김민수"
    assert order("zh-CN") == "中村哲 Abe Zed Ω Иванов مرحبا 김민수 あおい カタカナ"


def test_a_cjk_and_term_takes_the_delimiter_only_after_an_inverted_name() -> None:
    def cite(name_attrs: str) -> str:
        style = _style(f'<names variable="author"><name and="text" delimiter=", " {name_attrs}/></names>',
                       locale="zh-CN")
        people = [{"family": "Safi", "given": "M"}, {"family": "Tanaka", "given": "Y"}, {"family": "Ward", "given": "AS"}]
        return _cite(style, {"author": people})

    # citeproc-js's output: "always" keeps it between two names only.
    assert cite('delimiter-precedes-last="always"') == "M Safi, Y Tanaka和AS Ward"
    assert _cite(_style('<names variable="author"><name and="text" delimiter=", " delimiter-precedes-last="always"/>'
                        '</names>', locale="zh-CN"),
                 {"author": [{"family": "Safi", "given": "M"}, {"family": "Ward", "given": "AS"}]}) == "M Safi, 和AS Ward"
    assert cite('delimiter-precedes-last="after-inverted-name" name-as-sort-order="all"') == (
        "Safi, M, Tanaka, Y, 和Ward, AS")


def test_a_delimiter_mark_merges_with_the_suffix_of_names() -> None:
    style = _style('<group delimiter=". "><names variable="author" suffix=":"><name initialize-with="" '
                   'name-as-sort-order="all"/></names><text variable="title"/></group>')
    # citeproc-js's output: a delimiter's mark joins the suffix of the element before
    # it as typed, but merges with a suffix nested in a macro.
    assert _cite(style, {"title": "KU", "author": [{"family": "Wedekind", "given": "Jan"}]}) == "Wedekind, J:. KU"
    nested = parse_style(_style('<group delimiter=". "><text macro="a"/><text variable="title"/></group>').replace(
        '<citation>', '<macro name="a"><names variable="author" suffix=":"><name initialize-with="" '
        'name-as-sort-order="all"/></names></macro><citation>'))
    proc = Processor(nested, [{"id": "a", "type": "book", "title": "KU", "author": [{"family": "Wedekind", "given": "Jan"}]}])
    assert proc.cite(["a"]) == "Wedekind, J: KU"


def test_cites_are_told_apart_step_by_step_as_citeproc_js_walks_them() -> None:
    style_xml = (
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>T</title>'
        '<id>t</id></info><citation et-al-min="3" et-al-use-first="1" disambiguate-add-year-suffix="true" '
        'disambiguate-add-names="true" disambiguate-add-givenname="true"><layout prefix="(" suffix=")">'
        '<group delimiter=" "><names variable="author"><name form="short" and="text" delimiter=", "/></names>'
        '<date variable="issued"><date-part name="year"/></date></group></layout></citation></style>')

    def item(id_: str, *names: str) -> dict[str, Any]:
        return {"id": id_, "type": "book", "issued": {"date-parts": [[2019]]},
                "author": [{"given": n.split()[0], "family": n.split()[1]} for n in names]}

    items = [item("a-tao", "Tao Sun", "Zonglin Di", "Pengyu Che", "Chen Liu"),
             item("b-cheng", "Cheng Sun", "Chi Hsiao", "Min Sun"),
             item("c-cheng", "Cheng Sun", "Wei Wang", "Min Sun"),
             item("d-chen", "Chen Sun", "Abhinav Shrivastava", "Carl Vondrick", "Kevin Murphy"),
             item("e-qianru", "Qianru Sun", "Yaoyao Liu", "Tat Chua", "Bernt Schiele")]

    def cites(xml: str) -> list[str]:
        proc = Processor(parse_style(xml), items)
        return [proc.cite([i["id"]]) for i in items]

    # citeproc-js's output. The two Cheng Sun items need a second name; every item
    # settled after that step shows the full given name and the names added so far,
    # although initials alone would tell it apart.
    assert cites(style_xml) == [
        "(Tao Sun, Di, Che, et al. 2019)", "(Cheng Sun, Hsiao, et al. 2019)", "(Cheng Sun, Wang, et al. 2019)",
        "(Chen Sun, Shrivastava, Vondrick, et al. 2019)", "(Qianru Sun, Liu, Chua, et al. 2019)"]
    # Without added names: once given names are used up on the Cheng Sun items, year
    # suffixes take over every list still waiting, and items that already read
    # apart there keep their plain cite (no given name, no suffix).
    assert cites(style_xml.replace('disambiguate-add-names="true" ', "")) == [
        "(Sun et al. 2019)", "(Cheng Sun et al. 2019a)", "(Cheng Sun et al. 2019b)",
        "(Sun et al. 2019)", "(Sun et al. 2019)"]


def test_given_names_of_one_item_that_initialise_alike_stay_whole_by_cite() -> None:
    style = parse_style(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>T</title>'
        '<id>t</id></info><citation et-al-min="3" et-al-use-first="1" disambiguate-add-givenname="true" '
        'disambiguate-add-names="true"><layout prefix="(" suffix=")"><group delimiter=" "><names '
        'variable="author"><name form="short" initialize-with="" name-as-sort-order="all" delimiter=", "/>'
        '</names><date variable="issued"><date-part name="year"/></date></group></layout></citation>'
        '<bibliography><layout><group delimiter=" "><names variable="author"><name name-as-sort-order="all" '
        'initialize-with=". " delimiter=", "/></names><date variable="issued" prefix="(" suffix=")">'
        '<date-part name="year"/></date></group></layout></bibliography></style>')

    def item(id_: str, *names: str) -> dict[str, Any]:
        return {"id": id_, "type": "book", "issued": {"date-parts": [[2019]]},
                "author": [{"given": n.split()[0], "family": n.split()[1]} for n in names]}

    proc = Processor(style, [item("a", "Yifan Sun", "Yali Li", "Yikang Li", "Jian Sun"),
                             item("b", "Amanpreet Singh", "Vivek Natarajan", "Meet Shah"),
                             item("c", "Pravendra Singh", "Vinay Verma", "Piyush Rai")])
    # citeproc-js's output: Yali and Yikang Li keep their given names; the initials
    # that tell the Singh cites apart (initialize-with="" initializes too) stay
    # initials in the bibliography.
    assert proc.bibliography() == [("a", "Sun, Y., Li, Yali, Li, Yikang, Sun, J. (2019)"),
                                   ("b", "Singh, A., Natarajan, V., Shah, M. (2019)"),
                                   ("c", "Singh, P., Verma, V., Rai, P. (2019)")]
    assert [proc.cite([i]) for i in "abc"] == ["(Sun et al. 2019)", "(Singh, A et al. 2019)", "(Singh, P et al. 2019)"]


def test_a_global_given_name_rule_decides_in_each_render_from_the_people_counted() -> None:
    style_xml = (
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>T</title>'
        '<id>t</id></info><citation et-al-min="3" et-al-use-first="1" disambiguate-add-givenname="true" '
        'givenname-disambiguation-rule="primary-name"><layout prefix="(" suffix=")" delimiter="; "><group '
        'delimiter=" "><names variable="author"><name form="short" and="symbol" delimiter=", "/></names><date '
        'variable="issued"><date-part name="year"/></date></group></layout></citation><bibliography><layout>'
        '<group delimiter=" "><names variable="author"><name name-as-sort-order="all" initialize-with=". " '
        'delimiter=", " and="symbol"/></names><date variable="issued" prefix="(" suffix=")"><date-part '
        'name="year"/></date></group></layout></bibliography></style>')

    def item(id_: str, year: int, *names: str) -> dict[str, Any]:
        return {"id": id_, "type": "book", "issued": {"date-parts": [[year]]},
                "author": [{"given": n.rsplit(" ", 1)[0], "family": n.rsplit(" ", 1)[1]} for n in names]}

    items = [item("a", 2019, "Amanpreet Singh", "Vivek Natarajan", "Meet Shah"),
             item("b", 2018, "Pravendra Singh", "Vinay Verma"),
             item("c", 2020, "Shuran Song", "Thomas Funkhouser"),
             item("d", 2021, "Sijie Song", "Wei Zhang"),
             item("e", 2017, "Jifei Song", "Yongxin Yang", "Yi-Zhe Song")]
    proc = Processor(parse_style(style_xml), items)
    # citeproc-js's output: the bibliography, which initializes, shows initials where
    # they tell people apart and whole given names only where they do not (S. Song).
    assert proc.bibliography() == [
        ("a", "Singh, A., Natarajan, V., & Shah, M. (2019)"), ("b", "Singh, P. & Verma, V. (2018)"),
        ("c", "Song, Shuran & Funkhouser, T. (2020)"), ("d", "Song, Sijie & Zhang, W. (2021)"),
        ("e", "Song, J., Yang, Y., & Song, Y.-Z. (2017)")]
    assert [proc.cite([i["id"]]) for i in items] == [
        "(Amanpreet Singh et al. 2019)", "(Pravendra Singh & Verma 2018)", "(Shuran Song & Funkhouser 2020)",
        "(Sijie Song & Zhang 2021)", "(Jifei Song et al. 2017)"]
    initials = Processor(parse_style(style_xml.replace('"primary-name"', '"primary-name-with-initials"')), items)
    assert [initials.cite([i["id"]]) for i in items] == [
        "(A Singh et al. 2019)", "(P Singh & Verma 2018)", "(S Song & Funkhouser 2020)", "(S Song & Zhang 2021)",
        "(J Song et al. 2017)"]
    assert initials.bibliography()[2] == ("c", "Song, S. & Funkhouser, T. (2020)")


def test_a_delimiter_space_keeps_a_space_inside_the_next_elements_formatting() -> None:
    style = parse_style(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>T</title>'
        '<id>t</id></info><macro name="m"><group prefix=" "><text variable="publisher"/></group></macro>'
        '<macro name="m2"><group suffix=" "><text variable="volume"/></group></macro>'
        '<citation><layout><text variable="title"/></layout></citation><bibliography><layout suffix=".">'
        '<group delimiter=" "><text variable="title" font-weight="bold"/><text macro="m" font-weight="bold"/>'
        '<text macro="m" font-style="italic" prefix=" "/><text macro="m2" font-style="italic"/>'
        '<text variable="edition" prefix=" "/></group></layout></bibliography></style>')
    proc = Processor(style, [{"id": "a", "type": "book", "title": "World Bank", "publisher": "2023",
                              "volume": "V", "edition": "E"}])
    # citeproc-js's output: a space repeating the delimiter goes only at the affixes of
    # the delimited elements themselves, not inside their formatting.
    assert proc.bibliography("html") == [("a", '<div class="csl-entry"><b>World Bank</b> <b> 2023</b> '
                                               '<i>2023</i> <i>V </i> E.</div>')]
    assert proc.bibliography() == [("a", "World Bank 2023 2023 V E.")]


def test_a_normal_font_style_is_written_when_its_last_child_sets_one() -> None:
    style = parse_style(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>T</title>'
        '<id>t</id></info><citation><layout><text variable="title"/></layout></citation><bibliography><layout>'
        '<group delimiter="; "><names variable="author" font-style="normal"><name et-al-min="3" '
        'et-al-use-first="1"/><et-al font-style="italic"/></names><names variable="author"><name '
        'font-style="normal" et-al-min="3" et-al-use-first="1"/><et-al font-style="italic"/></names>'
        '<group font-style="normal"><text variable="title"/><text variable="title" font-style="italic" '
        'prefix="(" suffix=")"/></group><group font-style="normal"><text variable="title"/><group>'
        '<text variable="title" font-style="italic"/></group></group><group font-style="normal">'
        '<text variable="title" font-style="italic"/><text variable="title"/></group></group></layout>'
        '</bibliography></style>')
    three = [{"family": f, "given": "B"} for f in ("A", "C", "E")]
    proc = Processor(style, [{"id": "a", "type": "book", "title": "T", "author": three}])
    # citeproc-js's output: it decides by the decorations of the last child only.
    assert proc.bibliography("html") == [("a", (
        '<div class="csl-entry">B A <i>et al.</i>; <span style="font-style:normal;">B A <i>et al.</i></span>; '
        '<span style="font-style:normal;">T(<i>T</i>)</span>; T<i>T</i>; <i>T</i>T</div>'))]


def test_quotes_a_style_sets_inside_its_own_quotes_stay_outer_marks() -> None:
    style = parse_style(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>T</title>'
        '<id>t</id></info><macro name="t"><text variable="title" quotes="true"/></macro><citation><layout>'
        '<group delimiter=" "><text macro="t" quotes="true"/><group quotes="true"><text variable="note"/>'
        '</group></group></layout></citation></style>')
    proc = Processor(style, [{"id": "a", "type": "book", "title": "T", "note": 'A "b" c'}])
    # citeproc-js's output (the specification would alternate the style's marks too):
    # only quotation marks in the data alternate with those around them.
    assert proc.cite(["a"], "html") == "““T”” “A ‘b’ c”"


def _given_sorted(rule: str) -> list[tuple[str, str]]:
    style = parse_style(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>T</title>'
        '<id>t</id></info><macro name="a"><names variable="author"><name name-as-sort-order="all" '
        'initialize-with=". "/></names></macro><citation disambiguate-add-givenname="true" '
        f'givenname-disambiguation-rule="{rule}"><layout><text macro="a"/></layout></citation><bibliography>'
        '<sort><key macro="a"/></sort><layout><group delimiter=". "><text macro="a"/><text variable="title"/>'
        '</group></layout></bibliography></style>')
    items = [{"id": i, "type": "book", "title": i.upper(), "author": [{"family": "Sun", "given": g}]}
             for i, g in (("a", "Cheng"), ("b", "Chen"), ("c", "Bo"))]
    return Processor(style, items).bibliography()


def test_sort_keys_show_given_names_that_a_global_rule_added() -> None:
    # citeproc-js's output: it works out sort keys after the global given-name rules
    # and before cite-by-cite disambiguation.
    assert _given_sorted("all-names") == [("c", "Sun, B. C"), ("b", "Sun, Chen. B"), ("a", "Sun, Cheng. A")]
    assert _given_sorted("by-cite") == [("c", "Sun, B. C"), ("a", "Sun, Cheng. A"), ("b", "Sun, Chen. B")]


_MIXED_WORDS = ("Müller", "Murtazashvili", "Myller", "Mz", "李白", "卢", "吕", "绿", "毛泽东", "西安", "先生", "长城",
                "中村哲", "Smith")


def _sorted_mixed(lang: str) -> str:
    style = parse_style(
        f'<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="{lang}">'
        '<info><title>T</title><id>t</id></info><citation><layout><text variable="title"/></layout></citation>'
        '<bibliography><sort><key variable="title"/></sort><layout><text variable="title"/></layout>'
        '</bibliography></style>')
    items = [{"id": str(n), "type": "book", "title": t} for n, t in enumerate(_MIXED_WORDS)]
    return " ".join(entry for _, entry in Processor(style, items).bibliography())


def test_chinese_sorts_by_pinyin_and_nordic_files_u_umlaut_as_y() -> None:
    # citeproc-js's orders (its Intl.Collator: ICU's pinyin collation for zh-CN).
    assert _sorted_mixed("zh-CN") == "李白 卢 吕 绿 毛泽东 西安 先生 长城 中村哲 Müller Murtazashvili Myller Mz Smith"
    assert _sorted_mixed("sv-SE") == "Murtazashvili Müller Myller Mz Smith 中村哲 先生 卢 吕 李白 毛泽东 绿 西安 长城"
    assert _sorted_mixed("nb-NO") == "Murtazashvili Müller Myller Mz Smith 中村哲 先生 卢 吕 李白 毛泽东 绿 西安 长城"
    assert _sorted_mixed("de-DE") == "Müller Murtazashvili Myller Mz Smith 中村哲 先生 卢 吕 李白 毛泽东 绿 西安 长城"


def test_sort_keys_take_the_sections_et_al_options_over_cs_name() -> None:
    style = parse_style(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>T</title>'
        '<id>t</id></info><macro name="a"><names variable="author"><name et-al-min="3" et-al-use-first="1" '
        'initialize-with="."/></names></macro><citation><layout><text macro="a"/></layout></citation>'
        '<bibliography et-al-min="8" et-al-use-first="7"><sort><key macro="a"/></sort><layout>'
        '<group delimiter=". "><text macro="a"/><text variable="title"/></group></layout></bibliography></style>')
    items = [{"id": "a", "type": "book", "title": "A", "author": _people("Singh", "Ojha", "Lee")},
             {"id": "b", "type": "book", "title": "B", "author": _people("Singh", "Lee")}]
    # citeproc-js's output: the key compares "Singh, Lee" with "Singh, Ojha, Lee".
    assert Processor(style, items).bibliography() == [("b", "A. Singh, A. Lee. B"), ("a", "A. Singh et al. A")]


def test_hyphens_in_whole_given_names_go_without_hyphenated_initials() -> None:
    style = parse_style(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0" '
        'initialize-with-hyphen="false"><info><title>T</title><id>t</id></info><citation><layout>'
        '<names variable="author"><name and="text" initialize="false" initialize-with=". "/></names></layout>'
        '</citation></style>')
    item = {"author": [{"family": "Brumm", "given": "Rolf-Rainer"}, {"family": "Catt", "given": "Jean-Paul J."}]}
    # citeproc-js's output: the parts are separate names even where none is initialised.
    proc = Processor(style, [{"id": "a", "type": "book", **item}])
    assert proc.cite(["a"]) == "Rolf Rainer Brumm and Jean Paul J. Catt"


def test_a_text_value_of_marks_alone_joins_nothing_before_it() -> None:
    style = parse_style(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>T</title>'
        '<id>t</id></info><citation><layout><text value="x"/></layout></citation><bibliography><layout>'
        '<group delimiter=" | "><group><text variable="title" suffix=" ;"/><text value="."/></group><group>'
        '<text variable="title" suffix="."/><text value="."/></group><group><text variable="title" suffix=";"/>'
        '<text value=". x"/></group><group><text variable="title"/><text value=". x"/></group><group>'
        '<text variable="note"/><text value=". x"/></group><group><text variable="title" suffix=":"/>'
        '<text variable="edition"/></group></group></layout></bibliography></style>')
    proc = Processor(style, [{"id": "a", "type": "book", "title": "T", "note": "N.", "edition": ". E"}])
    # citeproc-js's output: a mark standing alone as a value stays; one that starts text merges.
    assert proc.bibliography() == [("a", "T ;. | T.. | T; x | T. x | N. x | T: E")]


def test_a_sort_key_counts_no_names_as_zero() -> None:
    style = parse_style(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>T</title>'
        '<id>t</id></info><macro name="c"><names variable="author"><name form="count"/><substitute>'
        '<names variable="editor"/></substitute></names></macro><macro name="y"><date variable="issued">'
        '<date-part name="year"/></date></macro><citation><layout><text value="x"/></layout></citation>'
        '<bibliography><sort><key macro="c"/><key macro="y"/></sort><layout><group delimiter=" ">'
        '<text variable="title"/><text macro="c" prefix="[" suffix="]"/></group></layout></bibliography></style>')

    def item(id_: str, title: str, year: int, **names: list[dict[str, str]]) -> dict[str, Any]:
        return {"id": id_, "type": "book", "title": title, "issued": {"date-parts": [[year]]}, **names}

    items = [item("a", "Ed6", 2018, editor=_people("A", "C")), item("b", "None2021", 2021),
             item("c", "Au1", 2022, author=_people("A")), item("d", "None2017", 2017)]
    # citeproc-js's order: its key for no names is "0", before "1" (not an empty key, last).
    assert Processor(style, items).bibliography() == [
        ("d", "None2017"), ("b", "None2021"), ("c", "Au1 [1]"), ("a", "Ed6 [2]")]


def test_a_bibliography_shows_as_many_names_as_a_cite_that_may_add_names() -> None:
    style_xml = (
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0"><info><title>T</title>'
        '<id>t</id></info><macro name="a"><names variable="author"><name and="text" initialize="false" '
        'initialize-with="." name-as-sort-order="first"/></names></macro><citation et-al-min="4" '
        'et-al-use-first="1" disambiguate-add-names="true" disambiguate-add-givenname="true"><layout>'
        '<names variable="author"><name and="text"/></names></layout></citation><bibliography et-al-min="3" '
        'et-al-use-first="1"><layout><group delimiter=". "><text macro="a"/><text variable="title"/></group>'
        '</layout></bibliography></style>')
    items = [{"id": "a", "type": "book", "title": "A", "author": [
        {"family": "Becker", "given": "Amelia"}, {"family": "Catt", "given": "Donovan"},
        {"family": "Hochgesang", "given": "Julie A."}]}]
    # citeproc-js's output: the cite shows all three names, and so does the bibliography.
    assert Processor(parse_style(style_xml), items).bibliography() == [
        ("a", "Becker, Amelia, Donovan Catt, and Julie A. Hochgesang. A")]
    without = parse_style(style_xml.replace(' disambiguate-add-givenname="true"', ""))
    assert Processor(without, items).bibliography() == [("a", "Becker, Amelia et al. A")]


def test_strip_periods_leaves_inner_affixes_and_periods_before_lower_case() -> None:
    style = parse_style(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>T</title>'
        '<id>t</id></info><macro name="m"><group delimiter=". "><text variable="title" suffix="."/>'
        '<text variable="note"/></group></macro><citation><layout><group delimiter=" | "><text macro="m" '
        'strip-periods="true"/><text variable="title" strip-periods="true" prefix="." suffix="."/></group>'
        '</layout></citation></style>')
    proc = Processor(style, [{"id": "a", "type": "book", "title": "T.x", "note": "N.B."}])
    # citeproc-js's output: it strips periods from the text, not from the affixes.
    assert proc.cite(["a"]) == "T.x. NB | .T.x."
