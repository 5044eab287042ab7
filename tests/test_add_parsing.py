"""The pieces of page reading: charsets, lenient JSON-LD, names, titles, dates; and
Hypothesis: no page, however malformed, makes the extractor raise."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bibvault.ingest.candidate import Creator
from bibvault.ingest.pdf import pdf_date, read_pdf
from bibvault.ingest.web.charset import decode_html
from bibvault.ingest.web.jsonld import flatten, loads_lenient
from bibvault.ingest.web.page import read_page
from bibvault.ingest.web.people import names_from_text, names_from_value
from bibvault.ingest.web.record import candidate_from_page
from bibvault.ingest.web.refusals import content_refusal
from bibvault.ingest.web.text import clean_title, parse_date, parse_duration

TODAY = dt.date(2026, 12, 1)
DARI = "جبهه مقاومت ملي"


# -- charsets -------------------------------------------------------------------------

def test_meta_charset_windows_1256() -> None:
    body = f'<html><head><meta charset="windows-1256"><title>{DARI}</title>'.encode("cp1256")
    assert decode_html(body, "text/html") == (body.decode("cp1256"), "cp1256")


def test_http_equiv_declaration() -> None:
    body = ('<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
            f"<title>{DARI}</title>").encode("cp1256")
    assert DARI in decode_html(body)[0]


def test_header_beats_meta_and_bom_beats_both() -> None:
    body = '<meta charset="windows-1256"><p>é</p>'.encode()
    assert decode_html(body, "text/html; charset=UTF-8") == (body.decode(), "utf-8")
    assert decode_html(b"\xef\xbb\xbf" + body, "text/html; charset=windows-1256")[1] == "utf-8"


def test_undeclared_page_is_utf8_not_latin1() -> None:
    body = "<title>Kabul — Mazār-i-Sharīf</title>".encode()
    assert decode_html(body, "text/html") == (body.decode(), "utf-8")


def test_latin1_label_means_windows_1252() -> None:
    body = b'<meta charset="iso-8859-1"><p>\x93quoted\x94</p>'
    assert "“quoted”" in decode_html(body)[0]


# -- JSON-LD ----------------------------------------------------------------------------

def test_lenient_json_comments_trailing_commas_and_wrappers() -> None:
    text = '<!--\n{"a": "x // not a comment", /* c */ "b": [1, 2,], // end\n}\n-->'
    assert loads_lenient(text) == {"a": "x // not a comment", "b": [1, 2]}


def test_html_escaped_block() -> None:
    assert loads_lenient('{&quot;headline&quot;: &quot;A &amp;amp; B&quot;}') == \
        {"headline": "A &amp; B"}


def test_flatten_graph_references_types_and_contexts() -> None:
    blocks = [{"@context": ["https://schema.org", {"x": "y"}], "@graph": [
        {"@type": "Person", "@id": "#p", "name": "Jane Doe"},
        {"@type": ["schema:NewsArticle", "http://schema.org/Article"], "author": {"@id": "#p"},
         "about": {"@id": "#self"}, "@id": "#self"}]},
        {"@context": {"@vocab": "http://schema.org/"}, "@type": "WebSite", "name": "S"}]
    items = flatten(blocks)
    article = next(i for i in items if "NewsArticle" in i["@type"])
    assert article["@type"] == ["NewsArticle", "Article"]
    assert article["author"]["name"] == "Jane Doe"
    assert article["about"] == {"@id": "#self"}  # a cycle stays a reference
    assert any(i["@type"] == ["WebSite"] for i in items)


# -- names ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, names", [
    ("By Jane Doe and John Roe", [Creator("Doe", "Jane"), Creator("Roe", "John")]),
    ("Doe, Jane", [Creator("Doe", "Jane")]),
    ("van der Berg, Anna", [Creator("van der Berg", "Anna")]),
    ("KABUL — Jane Doe, Senior Fellow", [Creator("Doe", "Jane")]),
    ("By Jane Doe in Kabul and John Roe in Islamabad",
     [Creator("Doe", "Jane"), Creator("Roe", "John")]),
    ("Jane Doe, John Roe and Bob Smith",
     [Creator("Doe", "Jane"), Creator("Roe", "John"), Creator("Smith", "Bob")]),
    ("By JANE DOE | Updated Sept. 8, 2022", [Creator("Doe", "Jane")]),
    ("Luke Coffey is a senior fellow at Hudson", [Creator("Coffey", "Luke")]),
    ("Human Rights Watch", [Creator(literal="Human Rights Watch")]),
    ("The Kabul Chronicle", []),
    ("admin", []),
    ("By Staff Reporter", []),
    ("Our Foreign Correspondent", []),
    ("By Dr. Jane Doe and Prof. John Roe", [Creator("Doe", "Jane"), Creator("Roe", "John")]),
    ("By Reuters", [Creator(literal="Reuters")]),
    ("نویسنده: گلالی ژوندی", [Creator("ژوندی", "گلالی")]),
])
def test_bylines(text: str, names: list[Creator]) -> None:
    assert names_from_text(text, ["The Kabul Chronicle"]) == names


def test_schema_org_names() -> None:
    value = [{"@type": "Person", "givenName": "Jane", "familyName": "Doe"},
             {"@type": "NewsMediaOrganization", "name": "Reuters"},
             {"@type": "Organization", "name": "Valley Dispatch"}, "Doe, John"]
    assert names_from_value(value, ["Valley Dispatch"]) == [
        Creator("Doe", "Jane"), Creator(literal="Reuters"), Creator("Doe", "John")]


# -- titles, dates, durations ----------------------------------------------------------

@pytest.mark.parametrize("raw, title", [
    ("Ministers &amp;amp; Generals | Kabul Now", "Ministers & Generals"),
    ("Kabul Now | Why the NRF matters", "Why the NRF matters"),
    ("TALIBAN FIGHTERS CLASH WITH NRF, SAYS U.N. - Kabul Now",
     "Taliban Fighters Clash with NRF, Says U.N."),
    ("What Next for the Resistance? – Analysis", "What Next for the Resistance? – Analysis"),
])
def test_titles(raw: str, title: str) -> None:
    assert clean_title(raw, ["Kabul Now"]) == title


@pytest.mark.parametrize("raw, parsed", [
    ("2022-09-08T23:30:00-04:00", ("2022-09-08", False)),
    ("2022-09-09T03:30:00Z", ("2022-09-09", True)),
    ("2022-09", ("2022-09", False)), ("2022", ("2022", False)),
    ("Thu, 08 Sep 2022 23:30:00 -0400", ("2022-09-08", False)),
    ("September 8, 2022 11:30 PM EDT", ("2022-09-08", False)),
    ("8 Sept. 2022", ("2022-09-08", False)), ("2022/9/8", ("2022-09-08", False)),
    ("20220908", ("2022-09-08", False)), ("March 2021", ("2021-03", False)),
    ("2022/09", ("2022-09", False)),
    ("2022-02-30", None), ("soon", None),
])
def test_dates(raw: str, parsed: tuple[str, bool] | None) -> None:
    assert parse_date(raw) == parsed


def test_utc_date_yields_to_the_same_instant_in_the_publishers_zone() -> None:
    page = read_page(
        '<script type="application/ld+json">{"@type":"NewsArticle","headline":"H",'
        '"datePublished":"2022-09-09T03:30:00Z"}</script>'
        '<meta property="article:published_time" content="2022-09-08T23:30:00-04:00">',
        "https://example.org/a")
    cand, _ = candidate_from_page(page, "s", TODAY)
    assert cand.fields["date"] == "2022-09-08"
    assert cand.provenance["date"] == "article:published_time (the publisher's time zone)"


@pytest.mark.parametrize("raw, iso", [("PT90M0S", "PT90M"), ("PT1H30M", "PT1H30M"),
                                      ("T4M29S", "PT4M29S"), ("90 min", None), ("P", None)])
def test_durations(raw: str, iso: str | None) -> None:
    assert parse_duration(raw) == iso


def test_pdf_dates_and_broken_pdfs() -> None:
    assert pdf_date("D:20220913233000-04'00'") == "2022-09-13"
    assert pdf_date("D:2022") == "2022"
    assert pdf_date("D:20221399") == "2022"
    assert read_pdf(b"%PDF-1.7\nnothing else").error.startswith("not a readable PDF")


def test_paywall_notice_around_an_article_is_not_a_refusal() -> None:
    page = read_page('<meta property="og:type" content="article"><title>A story</title>'
                     "<p>Subscribe to continue reading</p>", "https://example.org/a")
    assert content_refusal("s", page) is None


# -- never raises -----------------------------------------------------------------------

_TAGS = st.sampled_from([
    "<html>", "</html>", "<head>", "<body>", "<title>", "</title>", "<h1>", "</h1>",
    '<meta property="og:title" content="', '<meta name="author" content="', '">', "<time datetime=\"",
    '<script type="application/ld+json">', "</script>", '{"@graph":[', "]}", '{"@id":"#a"}',
    '{"@type":["NewsArticle"],"author":{"@id":"#a"},"headline":', '"datePublished":',
    '<div itemscope itemtype="http://schema.org/VideoObject">', '<meta itemprop="duration" content="',
    '<span itemprop="author" itemscope>', "</div>", "</span>", "&amp;", "&#", "<!--", "-->",
    "<![CDATA[", '<meta charset="', "windows-1256", "\x00", "\ud800", "By ", " and ", ",",
    '<link rel="canonical" href="', "javascript:x", "http://[::1", "<?xml version='1.0'?>",
    '<meta name="citation_pdf_url" content="', '"@context":', "<a rel=author>", "/*", "//",
])
_PAGES = st.lists(st.one_of(_TAGS, st.text(max_size=20)), max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_PAGES, st.sampled_from(["https://example.org/a/b", "", "not a url", "http://[::1"]))
def test_no_page_makes_the_extractor_raise(text: str, url: str) -> None:
    page = read_page(text, url)
    content_refusal("s", page)
    cand, pdf = candidate_from_page(page, "s", TODAY)
    json.dumps(cand.fields)
    assert isinstance(pdf, str)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["", "text/html", "text/html; charset=bogus",
                                                 "text/html; charset=utf-16"]))
def test_no_bytes_make_decoding_raise(body: bytes, ctype: str) -> None:
    text, codec = decode_html(body, ctype)
    assert isinstance(text, str) and codec


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_no_bytes_make_the_pdf_reader_raise(body: bytes) -> None:
    info = read_pdf(b"%PDF-1.4\n" + body)
    assert len(info.sha256) == 64


def test_site_name_in_meta_author_is_no_author() -> None:
    page = read_page('<meta property="og:site_name" content="Valley Dispatch">'
                     '<meta name="author" content="Valley Dispatch"><title>A story</title>',
                     "https://example.org/a")
    cand, _ = candidate_from_page(page, "s", TODAY)
    assert cand.creators == {}
    page = read_page('<meta property="og:site_name" content="Valley Dispatch">'
                     '<meta name="author" content="Jane Doe"><title>A story</title>',
                     "https://example.org/a")
    cand, _ = candidate_from_page(page, "s", TODAY)
    assert cand.creators == {"author": [Creator("Doe", "Jane")]}
    assert cand.provenance["author"] == "meta author"


def test_the_pages_own_article_wins_over_related_ones() -> None:
    related = ('{"@type":"ItemList","itemListElement":[{"@type":"NewsArticle","headline":'
               '"Another story","url":"https://example.org/other"}]}')
    own = '{"@type":"NewsArticle","headline":"This story","url":"https://example.org/this"}'
    page = read_page(f'<script type="application/ld+json">[{related},{own}]</script>',
                     "https://www.example.org/this/?utm_source=x")
    cand, _ = candidate_from_page(page, "s", TODAY)
    assert cand.fields["title"] == "This story"


def test_a_headline_cut_short_yields_to_the_whole_title() -> None:
    page = read_page('<script type="application/ld+json">{"@type":"NewsArticle","headline":'
                     '"The long war in the valley: how the resistance survived a…"}</script>'
                     '<meta property="og:title" content="The long war in the valley: how the '
                     'resistance survived a winter without supplies">', "https://example.org/a")
    cand, _ = candidate_from_page(page, "s", TODAY)
    assert cand.fields["title"] == ("The long war in the valley: how the resistance survived a "
                                    "winter without supplies")
    assert cand.provenance["title"] == "og:title"


def test_site_suffix_named_only_by_the_host() -> None:
    page = read_page("<title>Massoud speaks in Dushanbe | Kabul Now</title>",
                     "https://www.kabul-now.com/2022/massoud")
    cand, _ = candidate_from_page(page, "s", TODAY)
    assert cand.fields["title"] == "Massoud speaks in Dushanbe"
    assert cand.fields["organization"] == "Kabul Now"
    assert cand.provenance["organization"] == "<title> suffix (matches the host)"


def _cand(html: str, url: str = "https://example.org/a/b") -> tuple[str, dict[str, str],
                                                                     dict[str, list[Creator]],
                                                                     dict[str, str]]:
    cand, _ = candidate_from_page(read_page(html, url), "s", TODAY)
    return cand.entry_type, cand.fields, cand.creators, cand.provenance


def test_microdata_article() -> None:
    etype, fields, creators, prov = _cand(
        '<title>x</title><article itemscope itemtype="https://schema.org/BlogPosting">'
        '<h2 itemprop="headline">Letters from the valley</h2><span itemprop="author" itemscope '
        'itemtype="https://schema.org/Person"><span itemprop="name">Laila Noor</span></span>'
        '<time itemprop="datePublished" datetime="2023-01-15T08:00:00+04:30">15 Jan</time>'
        '<time itemprop="dateModified" datetime="2023-02-01">1 Feb</time></article>')
    assert etype == "online"
    assert fields == {"title": "Letters from the valley", "date": "2023-01-15",
                      "organization": "example.org", "url": "https://example.org/a/b",
                      "urldate": "2026-12-01"}
    assert creators == {"author": [Creator("Noor", "Laila")]}
    assert prov["title"] == "microdata BlogPosting.headline"
    assert prov["date"] == "microdata BlogPosting.datePublished"


def test_dublin_core_page() -> None:
    etype, fields, creators, prov = _cand(
        '<meta name="DC.title" content="Annual Report on Civilian Harm">'
        '<meta name="DC.creator" content="Doe, Jane"><meta name="DC.creator" content="Roe, John">'
        '<meta name="DC.date" content="2022-06"><meta name="DC.publisher" content="Valley Monitor">'
        '<meta name="DC.type" content="Report"><title>Annual report</title>')
    assert etype == "report"
    assert fields == {"title": "Annual Report on Civilian Harm", "date": "2022-06",
                      "institution": "Valley Monitor", "type": "Report",
                      "url": "https://example.org/a/b", "urldate": "2026-12-01"}
    assert creators == {"author": [Creator("Doe", "Jane"), Creator("Roe", "John")]}
    assert prov["author"] == "dc.creator"


def test_highwire_journal_article() -> None:
    etype, fields, creators, prov = _cand(
        '<meta name="citation_title" content="Water and war in the Panjshir">'
        '<meta name="citation_author" content="Ahmadi, Farid">'
        '<meta name="citation_journal_title" content="Journal of Conflict Studies">'
        '<meta name="citation_volume" content="11"><meta name="citation_issue" content="2">'
        '<meta name="citation_firstpage" content="101"><meta name="citation_lastpage" content="120">'
        '<meta name="citation_date" content="2021/06/30">'
        '<meta name="citation_doi" content="doi:10.1234/JCS.2021.0042">')
    assert (etype, prov["journaltitle"]) == ("article", "citation_journal_title")
    assert fields == {"title": "Water and war in the Panjshir", "date": "2021-06-30",
                      "journaltitle": "Journal of Conflict Studies", "volume": "11",
                      "number": "2", "pages": "101-120", "doi": "10.1234/jcs.2021.0042",
                      "url": "https://example.org/a/b", "urldate": "2026-12-01"}
    assert creators == {"author": [Creator("Ahmadi", "Farid")]}


def test_json_ld_video_on_an_institutes_own_site() -> None:
    etype, fields, creators, prov = _cand(
        '<meta property="og:site_name" content="Hudson Institute"><title>x</title>'
        '<script type="application/ld+json">{"@context":"https://schema.org","@type":'
        '"VideoObject","name":"The Future of the Afghan Resistance | Hudson Institute",'
        '"uploadDate":"2022-09-14T21:45:00-04:00","datePublished":"2022-09-20",'
        '"duration":"PT1H2M3S","author":{"@type":"Person","name":"Luke Coffey"},'
        '"thumbnailUrl":"https://example.org/t.jpg"}</script>')
    assert etype == "video"
    assert fields == {"title": "The Future of the Afghan Resistance", "date": "2022-09-14",
                      "organization": "Hudson Institute", "duration": "PT1H2M3S",
                      "url": "https://example.org/a/b", "urldate": "2026-12-01"}
    assert creators == {"author": [Creator("Coffey", "Luke")]}
    assert prov["date"] == "json-ld VideoObject.uploadDate"
