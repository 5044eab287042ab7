"""A page's metadata as a :class:`Candidate`: the entry-type decision table.

=====================================================  ==========  =====================================
the page is                                            entry type  outlet fields
=====================================================  ==========  =====================================
a video (VideoObject, og:type video.*, a video site)    ``video``   ``organization`` (channel or site),
                                                                    ``howpublished`` (the platform),
                                                                    ``date`` (upload), ``duration``
a news article (NewsArticle family; og:type article     ``article`` ``journaltitle`` (the outlet),
on a known news outlet)                                             ``entrysubtype = newspaper``
a report (schema.org Report, citation_technical_report  ``report``  ``institution``, ``type``, ``number``
tags, dc.type report)
a journal article (citation_journal_title, a            ``article`` ``journaltitle``, ``volume``,
ScholarlyArticle in a Periodical)                                   ``number``, ``pages``
anything else                                           ``online``  ``organization`` (the site)
=====================================================  ==========  =====================================

The first row that applies wins; the candidate's ``type_reason`` names the
evidence. ``urldate`` is the day given (the caller's clock).
"""

from __future__ import annotations

import datetime as _dt
from urllib.parse import urlsplit

from bibvault.identity import video_id
from bibvault.ingest.candidate import Candidate, Creator
from bibvault.ingest.web import items as it
from bibvault.ingest.web.extract import (
    Choice,
    Sources,
    choose_authors,
    choose_date,
    choose_doi,
    choose_duration,
    choose_site,
    choose_title,
    choose_url,
    is_news,
    is_report,
    is_video_page,
    site_names,
)
from bibvault.ingest.web.page import PageData
from bibvault.ingest.web.text import clean_title

#: Video platforms by host, for ``howpublished``.
PLATFORMS = {"youtube": "YouTube", "vimeo": "Vimeo"}


def _meta(page: PageData, *names: str) -> tuple[str, str]:
    return page.first_meta(*names) or ("", "")


def candidate_from_page(page: PageData, source: str, today: _dt.date) -> tuple[Candidate, str]:
    """``(candidate, PDF address)``: the record a page describes, and the PDF it links
    with ``citation_pdf_url`` (empty when none)."""
    src = Sources.of(page)
    site, site_source = choose_site(src)
    sites = [*site_names(src), site]
    c = Choice()
    title, source_of_title = choose_title(src, sites)
    c.put("title", title, source_of_title)
    url, url_source = choose_url(src)
    video = is_video_page(src, url)
    date, date_source = choose_date(src, bool(video))
    c.put("date", date, date_source)
    authors, author_source = choose_authors(src, sites)
    creators: dict[str, list[Creator]] = {}
    entry_type, reason = "online", "no video, news, report or journal markers: a web page"
    if video:
        entry_type, reason = "video", f"{video}: a video"
        vid = video_id(url)
        platform = PLATFORMS.get(vid.split(":")[0], "") if vid else ""
        if platform:
            channel = ", ".join(a.literal or f"{a.given} {a.family}".strip() for a in authors)
            c.put("organization", channel, author_source)
            c.put("howpublished", platform, "the video's address")
            authors = []
        else:
            c.put("organization", site, site_source)
        duration, duration_source = choose_duration(src)
        c.put("duration", duration, duration_source)
    elif why := is_news(src, site):
        entry_type, reason = "article", f"{why}: a news article"
        c.put("journaltitle", site, site_source)
        c.put("entrysubtype", "newspaper", why)
    elif why := is_report(src):
        entry_type, reason = "report", f"{why}: a report"
        _report_fields(c, src, site, site_source)
    elif journal := _journal(src):
        entry_type, reason = "article", f"{journal[1]}: a journal article"
        c.put("journaltitle", journal[0], journal[1])
        c.put("volume", _meta(page, "citation_volume", "prism.volume")[1], "citation_volume")
        c.put("number", _meta(page, "citation_issue", "prism.number")[1], "citation_issue")
        first, last = _meta(page, "citation_firstpage")[1], _meta(page, "citation_lastpage")[1]
        c.put("pages", f"{first}-{last}" if first and last else first, "citation_firstpage")
    else:
        c.put("organization", site, site_source)
    if authors:
        creators["author"] = authors
        c.provenance["author"] = author_source
    doi, doi_source = choose_doi(src)
    c.put("doi", doi, doi_source)
    c.put("url", url, url_source)
    c.put("urldate", today.isoformat(), "the day it was read")
    candidate = Candidate(source=source, entry_type=entry_type, fields=c.fields,
                          creators=creators, provenance=c.provenance, type_reason=reason)
    pdf = _meta(page, "citation_pdf_url")[1]
    return candidate, pdf


def _journal(src: Sources) -> tuple[str, str] | None:
    m = src.page.first_meta("citation_journal_title", "prism.publicationname")
    if m:
        return clean_title(m[1]), m[0]
    main = src.main
    if main is not None and set(it.types_of(main)) & it.SCHOLARLY:
        part = main.get("isPartOf")
        parts = part if isinstance(part, list) else [part]
        for p in parts:
            if isinstance(p, dict) and {"Periodical", "PublicationIssue", "PublicationVolume"} \
                    & set(it.types_of(p)):
                name = it.name_of(p) or it.name_of(p.get("isPartOf"))
                if name:
                    return clean_title(name), f"json-ld {it.label(main, 'isPartOf')}"
    return None


def _report_fields(c: Choice, src: Sources, site: str, site_source: str) -> None:
    page, main = src.page, src.main
    inst = _meta(page, "citation_technical_report_institution")
    if inst[1]:
        c.put("institution", inst[1], inst[0])
    if main is not None and set(it.types_of(main)) & it.REPORT:
        c.put("institution", it.name_of(main.get("publisher")),
              f"json-ld {it.label(main, 'publisher')}")
        c.put("number", it.text_value(main.get("reportNumber")),
              f"json-ld {it.label(main, 'reportNumber')}")
        c.put("type", it.text_value(main.get("genre")), f"json-ld {it.label(main, 'genre')}")
    number = _meta(page, "citation_technical_report_number")
    c.put("number", number[1], number[0])
    publisher = _meta(page, "citation_publisher", "dc.publisher")
    c.put("institution", publisher[1], publisher[0])
    c.put("institution", site, site_source)
    c.put("type", "Report", "the default for a report")


def host_label(url: str) -> str:
    """The host of an address without ``www.``."""
    try:
        return (urlsplit(url).hostname or "").removeprefix("www.")
    except ValueError:
        return ""
