"""Record → CSL-JSON mapping (the README (section "From biblatex records to CSL-JSON") is the specification)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pybtex.database import Person

from bibvault.bibfile import parse
from bibvault.bibfile.tex import to_rich_text as tex_to_csl
from bibvault.bibfile.tex import to_unicode as tex_to_text
from bibvault.collection import load_collection
from bibvault.csljson import (
    duration_to_dimensions,
    language_tag,
    parse_date_field,
    person_to_csl,
    record_to_csl,
    records_to_csl,
)
from bibvault.records import Record, records_from_file

BIB_DIR = Path(__file__).resolve().parent.parent / "bib"


def make_record(entry_type: str, key: str, **tex: str) -> Record:
    """The record bibvault reads from ``@entry_type{key, ...}`` with these fields."""
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in tex.items())
    (record,) = records_from_file(parse(f"@{entry_type}{{{key},\n{body}\n}}\n"))
    return record


def bib_records() -> list[Record]:
    """The bundled records (bib/*.bib)."""
    return list(load_collection(sorted(BIB_DIR.glob("*.bib"))).records)


def test_report_with_genre_number_institution_and_page_count() -> None:
    item = record_to_csl(make_record(
        "report", "coffey2022",
        author="Coffey, Luke", title="{US} Has an Opportunity", type="Policy memo",
        number="RR-42", institution="Hudson Institute", date="2022-09", pagetotal="11",
        url="https://www.hudson.org/x"))
    assert item == {
        "id": "coffey2022", "type": "report",
        "author": [{"family": "Coffey", "given": "Luke"}],
        "title": '<span class="nocase">US</span> Has an Opportunity',
        "genre": "Policy memo", "number": "RR-42", "publisher": "Hudson Institute",
        "number-of-pages": "11", "issued": {"date-parts": [[2022, 9]]},
        "URL": "https://www.hudson.org/x",
    }


def test_newspaper_article_by_entrysubtype() -> None:
    item = record_to_csl(make_record(
        "article", "donati2022", author="Donati, Jessica", title="Arrests",
        journaltitle="The Wall Street Journal", entrysubtype="newspaper", date="2022-08-26"))
    assert item["type"] == "article-newspaper"
    assert item["container-title"] == "The Wall Street Journal"
    assert item["issued"] == {"date-parts": [[2022, 8, 26]]}


def test_news_outlet_without_entrysubtype_and_without_author() -> None:
    item = record_to_csl(make_record("article", "r1", title="Rebels", journaltitle="Reuters",
                                     date="2021-09-02"))
    assert item["type"] == "article-newspaper"
    assert "author" not in item


def test_journal_article_keeps_issue_volume_pages() -> None:
    item = record_to_csl(make_record(
        "article", "a1", author="Smith, Ann and Jones, Bo", title="T",
        journaltitle="Journal of Strategic Studies", volume="44", number="3",
        pages="301--325", doi="https://doi.org/10.1080/0140.2021.1"))
    assert item["type"] == "article-journal"
    assert (item["volume"], item["issue"], item["page"]) == ("44", "3", "301-325")
    assert item["DOI"] == "10.1080/0140.2021.1"
    assert item["author"] == [{"family": "Smith", "given": "Ann"},
                              {"family": "Jones", "given": "Bo"}]


def test_magazine_subtype() -> None:
    item = record_to_csl(make_record("article", "m", title="T", journaltitle="Time",
                                     entrysubtype="magazine"))
    assert item["type"] == "article-magazine"


def test_online_news_item_uses_organization_as_outlet() -> None:
    item = record_to_csl(make_record("online", "n", title="T", organization="Khyber Chronicles",
                                     entrysubtype="newspaper", url="https://k.pk/x"))
    assert item["type"] == "article-newspaper"
    assert item["container-title"] == "Khyber Chronicles"
    assert "publisher" not in item


def test_online_page_site_is_container_title_and_urldate_is_accessed() -> None:
    item = record_to_csl(make_record(
        "online", "w", author="Mills, Peter", title="Struggles",
        organization="Institute for the Study of War", date="2022-09-08",
        urldate="2024-01-31", url="https://www.understandingwar.org/x"))
    assert item["type"] == "webpage"
    assert item["container-title"] == "Institute for the Study of War"
    assert item["accessed"] == {"date-parts": [[2024, 1, 31]]}
    assert "issued" in item and "publisher" not in item


def test_online_without_date_has_no_issued() -> None:
    item = record_to_csl(make_record("online", "w", title="T", url="https://e.org/"))
    assert "issued" not in item


def test_video_platform_channel_and_duration() -> None:
    item = record_to_csl(make_record(
        "video", "v", title="Deja Vu", organization="Rooftop Leadership",
        howpublished="YouTube", duration="PT90M", date="2022-12-29"))
    assert item["type"] == "motion_picture"
    assert item["author"] == [{"literal": "Rooftop Leadership"}]
    assert item["publisher"] == "YouTube"
    assert item["dimensions"] == "90 minutes"
    assert item["genre"] == "Video"


def test_video_with_author_keeps_channel_as_publisher_fallback() -> None:
    item = record_to_csl(make_record("video", "v", author="Doe, Jane", title="T",
                                     organization="Channel", type="Film"))
    assert item["author"] == [{"family": "Doe", "given": "Jane"}]
    assert item["publisher"] == "Channel"
    assert item["genre"] == "Film"


@pytest.mark.parametrize(("text", "expected"), [
    ("PT90M", "90 minutes"), ("PT1H30M", "90 minutes"), ("PT1M", "1 minute"),
    ("PT1H2M3S", "1:02:03"), ("PT4M29S", "4:29"), ("pt45s", "0:45"), ("PT0S", "0:00"),
    ("90 minutes", "90 minutes"), ("1:52", "1:52"), ("P", "P"),
])
def test_durations(text: str, expected: str) -> None:
    assert duration_to_dimensions(text) == expected


@pytest.mark.parametrize(("etype", "ctype"), [
    ("book", "book"), ("incollection", "chapter"), ("inbook", "chapter"),
    ("inproceedings", "paper-conference"), ("thesis", "thesis"), ("misc", "document"),
    ("unpublished", "manuscript"), ("dataset", "dataset"), ("software", "software"),
    ("somethingelse", "document"),
])
def test_entry_types(etype: str, ctype: str) -> None:
    assert record_to_csl(make_record(etype, "k", title="T"))["type"] == ctype


def test_chapter_in_edited_book() -> None:
    item = record_to_csl(make_record(
        "incollection", "c", author="Giustozzi, Antonio", title="The Taliban",
        booktitle="Afghanistan", booksubtitle="A Long War", editor="Barfield, Thomas",
        publisher="Hurst", location="London", pages="12--34", edition="2", date="2019"))
    assert item["type"] == "chapter"
    assert item["container-title"] == "Afghanistan: A Long War"
    assert item["editor"] == [{"family": "Barfield", "given": "Thomas"}]
    assert (item["publisher"], item["publisher-place"]) == ("Hurst", "London")
    assert (item["page"], item["edition"]) == ("12-34", "2")


def test_conference_paper_event() -> None:
    item = record_to_csl(make_record(
        "inproceedings", "p", title="T", booktitle="Proceedings of ACL",
        eventtitle="ACL 2021", venue="Online", eventdate="2021-08-01/2021-08-06"))
    assert item["container-title"] == "Proceedings of ACL"
    assert item["event"] == "ACL 2021"
    assert item["event-place"] == "Online"
    assert item["event-date"] == {"date-parts": [[2021, 8, 1], [2021, 8, 6]]}


def test_thesis_type_from_bibtex_alias_and_key() -> None:
    item = record_to_csl(make_record("thesis", "t", title="T", type="phdthesis",
                                     institution="SOAS"))
    assert (item["genre"], item["publisher"]) == ("PhD thesis", "SOAS")


def test_book_series_number_is_collection_number() -> None:
    item = record_to_csl(make_record("book", "b", title="T", series="Adelphi", number="461",
                                     isbn="978-1-00", volumes="2"))
    assert (item["collection-title"], item["collection-number"]) == ("Adelphi", "461")
    assert item["ISBN"] == "978-1-00" and item["number-of-volumes"] == "2"


def test_archive_fields() -> None:
    item = record_to_csl(make_record(
        "online", "a", title="T", url="https://e.org/x",
        archiveurl="https://web.archive.org/web/20220101000000/https://e.org/x",
        archivedate="2022-01-01"))
    assert item["archive"] == "Internet Archive"
    assert item["archive_location"] == "https://web.archive.org/web/20220101000000/https://e.org/x"
    assert item["custom"] == {"archive-date": "2022-01-01"}


def test_archive_other_host_named_by_host() -> None:
    item = record_to_csl(make_record("online", "a", title="T", archiveurl="https://archive.ph/Ab1"))
    assert item["archive"] == "archive.today"
    item = record_to_csl(make_record("online", "a", title="T",
                                     archiveurl="https://www.example-archive.net/x"))
    assert item["archive"] == "example-archive.net"


def test_notes_keywords_language_abstract() -> None:
    item = record_to_csl(make_record(
        "book", "b", title="T", note="Reprint", addendum="In Dari", annotation="Why it matters.",
        keywords="nrf, us-policy", langid="british", abstract="An abstract."))
    assert item["note"] == "Reprint. In Dari"
    assert item["annote"] == "Why it matters."
    assert item["keyword"] == "nrf, us-policy"
    assert item["language"] == "en-GB"
    assert item["abstract"] == "An abstract."


@pytest.mark.parametrize(("value", "tag"), [("english", "en-US"), ("German", "de-DE"),
                                            ("fr-CA", "fr-CA"), ("klingon", "klingon")])
def test_language_tags(value: str, tag: str) -> None:
    assert language_tag(value) == tag


@pytest.mark.parametrize(("text", "expected"), [
    ("2021", {"date-parts": [[2021]]}),
    ("2022-09", {"date-parts": [[2022, 9]]}),
    ("2022-09-03", {"date-parts": [[2022, 9, 3]]}),
    ("2020/2021", {"date-parts": [[2020], [2021]]}),
    ("2021~", {"circa": True, "date-parts": [[2021]]}),
    ("2021-09?", {"circa": True, "date-parts": [[2021, 9]]}),
    ("2021-21", {"date-parts": [[2021]], "season": 1}),
    ("2020/..", {"date-parts": [[2020], [0]]}),
    ("../2020", {"literal": "../2020"}),
    ("201X", {"circa": True, "date-parts": [[2010]]}),
    ("2021%", {"circa": True, "date-parts": [[2021]]}),
    ("2021-09-03T10:00:00Z", {"date-parts": [[2021, 9, 3]]}),
    ("-0044-03-15", {"date-parts": [[-44, 3, 15]]}),
    ("September 2021", {"literal": "September 2021"}),
])
def test_dates(text: str, expected: dict[str, object]) -> None:
    assert parse_date_field(text) == expected


def test_year_month_fallback() -> None:
    item = record_to_csl(make_record("book", "b", title="T", year="1999", month="sep"))
    assert item["issued"] == {"date-parts": [[1999, 9]]}
    item = record_to_csl(make_record("book", "b", title="T", year="2016", month="May 30--June 1"))
    assert item["issued"] == {"date-parts": [[2016]]}
    item = record_to_csl(make_record("book", "b", title="T", year="forthcoming"))
    assert item["issued"] == {"literal": "forthcoming"}


@pytest.mark.parametrize(("written", "expected"), [
    ("{Hudson Institute}", {"literal": "Hudson Institute"}),
    ("van Gogh, Vincent", {"family": "Gogh", "given": "Vincent", "dropping-particle": "van"}),
    ("Ludwig von Beethoven", {"family": "Beethoven", "given": "Ludwig",
                              "dropping-particle": "von"}),
    ("de la Fontaine, Jean", {"family": "Fontaine", "given": "Jean",
                              "dropping-particle": "de la"}),
    ("Sartre, Jean-Paul", {"family": "Sartre", "given": "Jean-Paul"}),
    ("King, Jr., Martin Luther", {"family": "King", "given": "Martin Luther", "suffix": "Jr."}),
    (r"{\O}deg{\aa}rd, Per", {"family": "Ødegård", "given": "Per"}),
    (r"M{\"u}ller, J{\"o}rg", {"family": "Müller", "given": "Jörg"}),
    (r"{\c{C}}elik, Ay{\c{s}}e", {"family": "Çelik", "given": "Ayşe"}),
    ("{毛}, {泽东}", {"family": "毛", "given": "泽东"}),
    ("Plato", {"family": "Plato"}),
    ("{{van der Berg}}, Anna", {"family": "van der Berg", "given": "Anna"}),
])
def test_names(written: str, expected: dict[str, str]) -> None:
    assert person_to_csl(Person(written)) == expected


def test_useprefix_option_makes_particles_non_dropping() -> None:
    item = record_to_csl(make_record("book", "b", title="T", author="van Gennep, Arnold",
                                     options="useprefix=true"))
    assert item["author"] == [{"family": "Gennep", "given": "Arnold",
                               "non-dropping-particle": "van"}]


@pytest.mark.parametrize(("tex", "rich"), [
    (r"A {NASA} View", 'A <span class="nocase">NASA</span> View'),
    (r"On \emph{The Prince}", "On <i>The Prince</i>"),
    (r"\textbf{Bold} and \textit{it}", "<b>Bold</b> and <i>it</i>"),
    (r"H\textsubscript{2}O at 10\textsuperscript{th}", "H<sub>2</sub>O at 10<sup>th</sup>"),
    (r"\textsc{Nato}", '<span style="font-variant:small-caps;">Nato</span>'),
    (r"{\em The} end", "<i>The</i> end"),
    (r"{\"U}ber 1990--2000 -- x --- y", "Über 1990–2000 – x — y"),
    (r"``Quoted'' and \mkbibquote{this}", "“Quoted” and “this”"),
    (r"Caf\'e~Noir \& Co", "Café\u00a0Noir & Co"),
    (r"The {Afghan {National} Front}", 'The <span class="nocase">Afghan National Front</span>'),
    (r"North {A}merican", 'North <span class="nocase">American</span>'),
    (r"{B}{E}{R}{T} and Bi{LSTM}s", '<span class="nocase">BERT</span> and '
                                    '<span class="nocase">BiLSTMs</span>'),
    (r"Children{'}s {``}Yes{''} {NASA}'s", "Children's “Yes” <span class=\"nocase\">NASA</span>'s"),
    (r"{2021} {中文}", "2021 中文"),
])
def test_title_markup(tex: str, rich: str) -> None:
    assert tex_to_csl(tex) == rich


def test_plain_text_drops_markup() -> None:
    assert tex_to_text(r"On \emph{The {NASA} Prince}") == "On The NASA Prince"


@given(st.text(alphabet=st.sampled_from(list("ab {}\\'\"`~-$^_&%#emphtxbf \n")), max_size=40))
def test_tex_conversion_never_raises(tex: str) -> None:
    assert isinstance(tex_to_csl(tex), str)
    assert isinstance(tex_to_text(tex), str)


def test_items_are_json_serialisable_and_keep_order() -> None:
    records = [make_record("book", f"k{i}", title=f"T{i}", date="2020") for i in range(3)]
    items = records_to_csl(records)
    assert [i["id"] for i in items] == ["k0", "k1", "k2"]
    assert json.loads(json.dumps(items)) == items


def test_bundled_records_all_map(bundled_records: list) -> None:
    items = records_to_csl(bundled_records)
    assert len(items) == len(bundled_records) > 0
    for item in items:
        assert item["title"] and item["type"] != "document"
    by_id = {i["id"]: i for i in items}
    assert by_id["rooftop2022dejavu"]["dimensions"] == "90 minutes"
    assert by_id["coffey2022opportunity"]["number-of-pages"] == "11"


@pytest.fixture
def bundled_records() -> list:
    return bib_records()
