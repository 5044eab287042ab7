"""``bibvault add`` on web pages: every field of every record, from pages modelled on real sites."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addsetup import TODAY, VIDEO_URL, reader, served_web
from addweb import AddWeb, Route, page_bytes
from bibvault.ingest.add import Reader
from bibvault.ingest.candidate import Candidate, Creator
from bibvault.ingest.video import video_from_oembed

DAY = TODAY.isoformat()


web = pytest.fixture(scope="module", name="web")(served_web)


@pytest.fixture()
def rd(web: AddWeb) -> Reader:
    return reader(web)


def read(web: AddWeb, rd: Reader, path: str) -> Candidate:
    return rd.read(web.site + path)


def test_news_article_with_json_ld(web: AddWeb, rd: Reader) -> None:
    path = "/world/2022/sep/08/taliban-nrf-clash-panjshir"
    c = read(web, rd, path)
    assert c.findings == []
    assert c.entry_type == "article"
    assert c.type_reason == "json-ld NewsArticle: a news article"
    # &amp; inside the JSON headline is unescaped; datePublished, not dateModified; the
    # site's name in <meta name=author> is not an author.
    assert c.fields == {
        "title": "Taliban & NRF fighters clash in Panjshir as resistance claims gains",
        "date": "2022-09-08", "journaltitle": "The Kabul Chronicle",
        "entrysubtype": "newspaper", "url": web.site + path, "urldate": DAY}
    assert c.creators == {"author": [Creator("Mills", "Peter"), Creator("Rahimi", "Sahar")]}
    assert c.provenance == {
        "title": "json-ld NewsArticle.headline", "date": "json-ld NewsArticle.datePublished",
        "journaltitle": "og:site_name", "entrysubtype": "json-ld NewsArticle",
        "url": "<link rel=canonical>", "urldate": "the day it was read",
        "author": "json-ld NewsArticle.author"}


def test_yoast_graph_with_author_reference(web: AddWeb, rd: Reader) -> None:
    path = "/2023/03/14/what-the-nrf-wants/"
    c = read(web, rd, path)
    assert c.findings == []
    assert c.entry_type == "online"
    assert c.fields == {
        "title": "What the National Resistance Front Wants from Washington",
        "date": "2023-03-14", "organization": "Afghan Resistance Monitor",
        "url": web.site + path, "urldate": DAY}
    # The Article's author is {"@id": …}, resolved to the Person of the @graph (the
    # byline's "admin" is never reached).
    assert c.creators == {"author": [Creator("Doe", "Jane")]}
    assert c.provenance["author"] == "json-ld Article.author"
    assert c.provenance["title"] == "json-ld Article.headline"


def test_opengraph_only_page_with_byline_and_late_evening_time(web: AddWeb, rd: Reader) -> None:
    c = read(web, rd, "/stories/isis-and-the-nrf")
    assert c.findings == []
    assert c.entry_type == "online"
    assert c.type_reason == "no video, news, report or journal markers: a web page"
    # 23:30 at -04:00 is 8 September where it was published (9 September in UTC); the
    # shouted title gets title case with ISIS and NRF kept; utm_source is dropped.
    assert c.fields == {
        "title": "ISIS and the NRF: A Tale of Two Insurgencies", "date": "2022-09-08",
        "organization": "Valley Dispatch", "url": web.site + "/stories/isis-and-the-nrf",
        "urldate": DAY}
    assert c.creators == {"author": [Creator("Doe", "Jane"), Creator("Roe", "John")]}
    assert c.provenance["author"] == "byline"
    assert c.provenance["date"] == "article:published_time"


def test_think_tank_report_with_linked_pdf(web: AddWeb, rd: Reader) -> None:
    c = read(web, rd, "/research/18235-us-has-an-opportunity")
    assert c.findings == []
    assert c.entry_type == "report"
    assert c.type_reason == "citation_technical_report_institution: a report"
    # The landing page's metadata wins over the PDF's ("Microsoft Word - …", "lcoffey",
    # 12 September); the PDF gives the page count.
    assert c.fields == {
        "title": "US Has an Opportunity to Support the National Resistance Front of Afghanistan",
        "date": "2022-09-13", "institution": "Hudson Institute", "number": "PM-2022-18",
        "type": "Report", "url": web.site + "/research/18235-us-has-an-opportunity",
        "urldate": DAY, "pagetotal": "11", "howpublished": "PDF"}
    assert c.creators == {"author": [Creator("Coffey", "Luke")]}
    assert c.provenance["pagetotal"] == "citation_pdf_url (page count)"
    assert c.provenance["author"] == "citation_author"
    assert c.sha256 is not None and len(c.sha256) == 64


def test_bare_pdf(web: AddWeb, rd: Reader) -> None:
    c = read(web, rd, "/papers/panjshir-one-year.pdf")
    assert c.findings == []
    assert c.entry_type == "online"
    assert c.type_reason == "a PDF without a DOI or a landing page"
    assert c.fields == {
        "title": "The Panjshir Resistance One Year On", "date": "2022-09-08",
        "pagetotal": "3", "howpublished": "PDF", "organization": "127.0.0.21",
        "url": web.site + "/papers/panjshir-one-year.pdf", "urldate": DAY}
    assert c.creators == {"author": [Creator("Doe", "Jane"), Creator("Roe", "John")]}
    assert c.provenance["title"] == "PDF info /Title"
    assert c.provenance["date"] == "PDF info /CreationDate"


def test_video_page_with_oembed(web: AddWeb, rd: Reader) -> None:
    c = read(web, rd, "/watch")
    assert c.findings == []
    assert c.entry_type == "video"
    assert c.type_reason == "microdata VideoObject: a video; oEmbed"
    assert c.fields == {
        "title": "Deja Vu All Over Again: Interview with Ahmad Massoud, Congressman Mike "
                 "Waltz and Legend",
        "date": "2022-12-29", "organization": "Rooftop Leadership", "howpublished": "YouTube",
        "duration": "PT90M", "url": VIDEO_URL, "urldate": DAY}
    assert c.creators == {}
    assert c.provenance["date"] == "microdata VideoObject.uploadDate"
    assert c.provenance["organization"] == "oEmbed author_name"


def test_amp_page_cites_the_canonical_address(web: AddWeb, rd: Reader) -> None:
    c = read(web, rd, "/news/massoud-calls-for-talks/amp")
    assert c.findings == []
    assert c.entry_type == "article"
    assert c.fields == {
        "title": "Massoud calls for talks with Taliban", "date": "2021-09-05",
        "journaltitle": "Frontier Post", "entrysubtype": "newspaper",
        "url": web.site + "/news/massoud-calls-for-talks", "urldate": DAY}
    assert c.creators == {"author": [Creator("Karimi", "Ali")]}
    assert c.provenance["journaltitle"] == "json-ld NewsArticle.publisher"


def test_windows_1256_page_declared_only_in_meta(web: AddWeb, rd: Reader) -> None:
    # Served as bare text/html: no charset in the header, windows-1256 only in <meta>.
    c = read(web, rd, "/fa/news/1401/panjshir")
    assert c.findings == []
    assert c.entry_type == "online"
    assert c.fields == {
        "title": "جبهه مقاومت ملي در پنجشير", "date": "2022-09-06",
        "organization": "خبرگزاري آوا", "url": web.site + "/fa/news/1401/panjshir",
        "urldate": DAY}
    assert c.creators == {"author": [Creator("ژوندي", "گلالي")]}


@pytest.mark.parametrize("path, code, words", [
    ("/story/behind-wall", "N823", "consent page"),
    ("/challenge", "N822", "HTTP 403: bot challenge"),
    ("/challenge-503", "N822", "HTTP 503: bot challenge"),
    ("/old-story", "N825", "Page not found"),
    ("/premium/story", "N824", "login or subscription page"),
    ("/gone", "N821", "HTTP 410"),
    ("/nowhere", "N821", "HTTP 404"),
    ("/data.zip", "N828", "application/zip"),
])
def test_pages_that_are_not_the_work_are_refused(web: AddWeb, rd: Reader, path: str, code: str,
                                                  words: str) -> None:
    c = read(web, rd, path)
    assert c.refused
    assert [f.code for f in c.findings] == [code]
    assert words in c.findings[0].message
    assert c.fields == {}


def test_network_failure_is_a_finding(web: AddWeb, rd: Reader) -> None:
    refused = web.farm.refused("127.0.0.23")
    c = rd.read(refused + "/story")
    assert [f.code for f in c.findings] == ["N826"]
    assert "connection refused" in c.findings[0].message


_JUNK = st.lists(st.one_of(st.sampled_from([
    b"<html><head>", b"<title>", b"</title>", b'<meta charset="windows-1256">', b"\xef\xbb\xbf",
    b'<script type="application/ld+json">{"@type":"NewsArticle","headline":"',
    b'"}</script>', b'<meta name="citation_pdf_url" content="/files/coffey-nrf-memo.pdf">',
    b'<meta name="citation_pdf_url" content="http://127.0.0.21:1/x.pdf">', b"%PDF-1.4\n",
    b'<link rel="canonical" href="https://www.youtube.com/watch?v=Zq3aXk9R2tE">',
    b'<div itemscope itemtype="http://schema.org/VideoObject">', b"Just a moment...", b"\x00",
]), st.binary(max_size=30)), max_size=25).map(b"".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_JUNK, st.sampled_from(["text/html", "text/html; charset=utf-16", "application/pdf",
                               "text/plain", ""]), st.sampled_from([200, 403, 503]))
def test_no_served_page_makes_add_raise(web: AddWeb, body: bytes, ctype: str, status: int) -> None:
    web.routes["/fuzz"] = Route(body, status=status, ctype=ctype)
    c = reader(web).read(web.site + "/fuzz")
    assert c.refused or c.fields.get("title")


def test_from_archive_reads_the_closest_capture(web: AddWeb) -> None:
    url = web.site + "/stories/deleted-since"
    web.capture(url, "20220910120000", page_bytes("og-only.html", web.site).replace(
        b"/stories/isis-and-the-nrf", b"/stories/deleted-since"))
    c = reader(web, from_archive=True).read(url)
    assert c.findings == []
    assert c.fields == {
        "title": "ISIS and the NRF: A Tale of Two Insurgencies", "date": "2022-09-08",
        "organization": "Valley Dispatch", "url": url, "urldate": DAY,
        "archiveurl": f"{web.archive}/web/20220910120000/{url}", "archivedate": "2022-09-10"}
    assert c.provenance["archiveurl"] == "Web Archive CDX"
    replayed = [h.path for h in web.farm.log.hits if h.path.startswith("/web/")]
    assert replayed == [f"/web/20220910120000id_/{url}"]


def test_from_archive_without_a_capture(web: AddWeb) -> None:
    c = reader(web, from_archive=True).read(web.site + "/never-archived")
    assert [f.code for f in c.findings] == ["N830"]


def test_rate_limited_page_is_fetched_after_retry_after(web: AddWeb) -> None:
    slept: list[float] = []
    body = page_bytes("amp.html", web.site)
    web.routes["/busy/amp"] = Route(body, first=Route(b"slow down", status=429,
                                                        ctype="text/plain",
                                                        headers={"Retry-After": "7"}))
    rd = reader(web)
    rd.fetcher.sleep = slept.append
    c = rd.read(web.site + "/busy/amp")
    assert c.findings == []
    assert c.fields["title"] == "Massoud calls for talks with Taliban"
    assert slept == [7.0]
    assert web.farm.log.count(path="/busy/amp") == 2


def test_video_from_oembed_alone(web: AddWeb) -> None:
    rd = reader(web)
    reply = rd.fetch(f"{web.api}/oembed?url={quote(VIDEO_URL, safe='')}&format=json")
    c = video_from_oembed(VIDEO_URL, VIDEO_URL, reply, TODAY)
    assert c is not None
    assert c.entry_type == "video"
    assert c.fields == {
        "title": "Deja Vu All Over Again: Interview with Ahmad Massoud, Congressman Mike "
                 "Waltz and Legend",
        "organization": "Rooftop Leadership", "howpublished": "YouTube", "url": VIDEO_URL,
        "urldate": DAY}
    assert [(f.code, f.severity.value) for f in c.findings] == [("N823", "warning")]
    unknown = rd.fetch(f"{web.api}/oembed?url=https%3A%2F%2Fyoutu.be%2FAAAAAAAAAAA")
    assert video_from_oembed("s", "https://youtu.be/AAAAAAAAAAA", unknown, TODAY) is None
