"""From a page's gathered metadata to a :class:`Candidate`: precedence and entry type.

Each field is taken from the first source in its precedence list that has a
usable value (``PRECEDENCE`` below is the documented order; the README repeats
it). Structured data written for machines beats tags written for one consumer,
and both beat what is merely shown to readers:

- title: JSON-LD ``headline``/``name`` of the main item, ``citation_title``,
  ``dc.title``, ``og:title``, microdata, ``<h1>``, ``<title>``
- authors: JSON-LD ``author``/``creator``, ``citation_author``, ``dc.creator``,
  microdata ``author``, ``article:author`` (when a name, not a link), a byline,
  ``<meta name=author>``
- date (published, never modified): JSON-LD ``datePublished`` (a video's
  ``uploadDate``), ``citation_publication_date``/``citation_date``/
  ``citation_online_date``, ``dc.date``/``dcterms.issued``,
  ``article:published_time``, microdata ``datePublished``, ``<meta name=date>``,
  a ``<time>`` marked as the publication time
- site: ``og:site_name``, the JSON-LD publisher, the JSON-LD WebSite,
  ``application-name``, ``dc.publisher``, ``citation_publisher``, the host
- url: ``<link rel=canonical>``, ``og:url``, the JSON-LD ``url``, the address fetched
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bibvault.csljson import NEWS_OUTLETS
from bibvault.identity import normalise_doi, normalise_url, video_id
from bibvault.ingest.candidate import Creator
from bibvault.ingest.web import items as it
from bibvault.ingest.web.jsonld import Item
from bibvault.ingest.web.page import PageData
from bibvault.ingest.web.people import (
    creator_from_name,
    names_from_text,
    names_from_value,
    unescape,
)
from bibvault.ingest.web.text import (
    clean_title,
    parse_date,
    parse_duration,
    same_instant,
    site_in_title,
)

PRECEDENCE: dict[str, tuple[str, ...]] = {
    "title": ("json-ld", "citation_title", "dc.title", "og:title", "microdata", "h1", "title"),
    "author": ("json-ld", "citation_author", "dc.creator", "microdata", "article:author",
               "byline", "meta author"),
    "date": ("json-ld", "citation_publication_date", "dc.date", "article:published_time",
             "microdata", "meta date", "time"),
    "site": ("og:site_name", "json-ld publisher", "json-ld WebSite", "application-name",
             "dc.publisher", "citation_publisher", "host"),
    "url": ("canonical", "og:url", "json-ld url", "fetched"),
}
_DATE_META = ("citation_publication_date", "citation_date", "citation_online_date",
              "dc.date", "dcterms.issued", "dc.date.issued", "dcterms.date",
              "article:published_time", "og:published_time", "published_time")
_LATE_DATE_META = ("date", "pubdate", "publishdate", "publish-date", "publication_date",
                   "sailthru.date", "parsely-pub-date", "datepublished")


@dataclass
class Choice:
    """Values chosen for a page, each with where it came from."""

    fields: dict[str, str] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    authors: list[Creator] = field(default_factory=list)

    def put(self, name: str, value: str | None, source: str) -> None:
        if value and name not in self.fields:
            self.fields[name] = value
            self.provenance[name] = source


@dataclass
class Sources:
    """The page's items sorted by origin, and its main items."""

    page: PageData
    jsonld: list[Item]
    microdata: list[Item]
    main: Item | None
    micro_main: Item | None

    @classmethod
    def of(cls, page: PageData) -> Sources:
        jsonld = [i for origin, i in page.items if origin == "json-ld"]
        micro = [i for origin, i in page.items if origin == "microdata"]
        own = [page.url, *page.links.get("canonical", [])[:1], *page.meta.get("og:url", [])[:1]]
        return cls(page, jsonld, micro, it.main_item(jsonld, own), it.main_item(micro, own))


def site_names(src: Sources) -> list[str]:
    """Every name the site or its publisher goes by, in the ``site`` precedence order."""
    page, main = src.page, src.main
    names: list[tuple[str, str]] = []
    if m := page.first_meta("og:site_name"):
        names.append((m[1], "og:site_name"))
    if main is not None and (n := it.name_of(main.get("publisher"))):
        names.append((n, f"json-ld {it.label(main, 'publisher')}"))
    site = it.of_type(src.jsonld, frozenset({"WebSite"}))
    if site is not None and (n := it.name_of(site)):
        names.append((n, "json-ld WebSite.name"))
    for tag in ("application-name", "dc.publisher", "dcterms.publisher", "citation_publisher"):
        if m := page.first_meta(tag):
            names.append((m[1], tag))
    return [n for n, _ in names]


def choose_site(src: Sources) -> tuple[str, str]:
    """``(site name, source)``; the host name when the page names no site."""
    page, main = src.page, src.main
    options: list[tuple[Callable[[], str], str]] = [
        (lambda: (page.first_meta("og:site_name") or ("", ""))[1], "og:site_name"),
        (lambda: it.name_of(main.get("publisher")) if main else "",
         f"json-ld {it.label(main, 'publisher')}" if main else ""),
        (lambda: it.name_of(it.of_type(src.jsonld, frozenset({"WebSite"})) or {}),
         "json-ld WebSite.name"),
        (lambda: (page.first_meta("application-name") or ("", ""))[1], "application-name"),
        (lambda: (page.first_meta("dc.publisher", "dcterms.publisher") or ("", ""))[1],
         "dc.publisher"),
        (lambda: (page.first_meta("citation_publisher") or ("", ""))[1], "citation_publisher"),
    ]
    for get, source in options:
        value = " ".join(get().split())
        if value:
            return clean_title(value), source
    host = (urlsplit(page.url).hostname or "") if page.url.startswith("http") else ""
    named = site_in_title(unescape(page.title), host)
    if named:
        return named, "<title> suffix (matches the host)"
    return host.removeprefix("www."), "host"


def choose_title(src: Sources, sites: list[str]) -> tuple[str, str]:
    """``(title, source)`` by the title precedence."""
    page, main, micro = src.page, src.main, src.micro_main
    options: list[tuple[str, str]] = []
    if main is not None:
        for prop in ("headline", "name", "alternativeHeadline"):
            options.append((it.text_value(main.get(prop)), f"json-ld {it.label(main, prop)}"))
    for tag in ("citation_title", "dc.title", "dcterms.title", "og:title", "twitter:title"):
        if m := page.first_meta(tag):
            options.append((m[1], tag))
    if micro is not None:
        for prop in ("headline", "name"):
            options.append((it.text_value(micro.get(prop)), f"microdata {it.label(micro, prop)}"))
    options += [(h, "<h1>") for h in page.h1[:1]] + [(page.title, "<title>")]
    names = sites + [urlsplit(page.url).hostname or ""]
    cleaned = [(t, source) for raw, source in options
               if (t := clean_title(raw, names, page.text)) and len(t) <= 500]
    if not cleaned:
        return "", ""
    title, source = cleaned[0]
    if title.endswith(("…", "...")):
        # A headline cut short (schema.org advises 110 characters): a later source
        # that continues it is the whole title.
        stem = title.rstrip("….").rstrip()
        longer = next(((t, s) for t, s in cleaned[1:] if t.startswith(stem) and len(t) > len(stem)
                       and not t.endswith(("…", "..."))), None)
        if longer is not None:
            return longer
    return title, source


def choose_authors(src: Sources, sites: list[str]) -> tuple[list[Creator], str]:
    """``(creators, source)`` by the author precedence; the site's own name never counts."""
    page, main, micro = src.page, src.main, src.micro_main
    if main is not None:
        for prop in ("author", "creator"):
            found = names_from_value(main.get(prop), sites)
            if found:
                return found, f"json-ld {it.label(main, prop)}"
    for tag in ("citation_author", "dc.creator", "dcterms.creator"):
        values = page.meta.get(tag, [])
        found = []
        for v in values:
            c = creator_from_name(v, sites) if tag == "citation_author" else None
            for x in [c] if c else names_from_text(v, sites):
                if x not in found:
                    found.append(x)
        if found:
            return found, tag
    if micro is not None:
        found = names_from_value(micro.get("author"), sites)
        if found:
            return found, f"microdata {it.label(micro, 'author')}"
    names = [v for v in page.meta.get("article:author", []) if not v.startswith("http")]
    found = [c for v in names for c in names_from_text(v, sites)]
    if found:
        return found, "article:author"
    for line in page.bylines:
        found = names_from_text(line, sites)
        if found:
            return found, "byline"
    found = [c for v in page.meta.get("author", []) for c in names_from_text(v, sites)]
    return (found, "meta author") if found else ([], "")


def choose_date(src: Sources, video: bool) -> tuple[str, str]:
    """``(EDTF date, source)`` of publication; a UTC value yields to the same instant
    written in the publisher's own offset."""
    page, main, micro = src.page, src.main, src.micro_main
    props = ("uploadDate", "datePublished") if video else ("datePublished",)

    def from_item(item: Item | None, origin: str) -> list[tuple[str, str]]:
        if item is None:
            return []
        return [(it.text_value(item.get(p)), f"{origin} {it.label(item, p)}") for p in props]

    video_item = it.of_type(src.jsonld, it.VIDEO) if video else None
    micro_video = it.of_type(src.microdata, it.VIDEO) if video else None
    options = from_item(video_item, "json-ld") + from_item(main, "json-ld")
    options += [(v, tag) for tag in _DATE_META for v in page.meta.get(tag, [])]
    options += from_item(micro_video, "microdata") + from_item(micro, "microdata")
    options += [(v, tag) for tag in _LATE_DATE_META for v in page.meta.get(tag, [])]
    options += [(when, "<time datetime>") for when, hint in page.times
                if ("publish" in hint or "pubdate" in hint or "datecreated" in hint)
                and "modif" not in hint and "updat" not in hint]
    if main is not None:
        options.append((it.text_value(main.get("dateCreated")), f"json-ld {it.label(main, 'dateCreated')}"))
    parsed = [(raw, p, source) for raw, source in options if raw and (p := parse_date(raw))]
    if not parsed:
        return "", ""
    raw, (iso, utc), source = parsed[0]
    if utc:
        for other_raw, (other_iso, other_utc), other_source in parsed[1:]:
            if not other_utc and same_instant(raw, other_raw):
                return other_iso, f"{other_source} (the publisher's time zone)"
    return iso, source


def choose_url(src: Sources) -> tuple[str, str]:
    """``(url, source)``: the canonical address, unless it is only the site's home page."""
    page, main = src.page, src.main
    fetched_path = urlsplit(page.url).path.strip("/") if page.url.startswith("http") else ""
    options = [(u, "<link rel=canonical>") for u in page.links.get("canonical", [])[:1]]
    options += [(v, "og:url") for v in page.meta.get("og:url", [])[:1]]
    if main is not None:
        options.append((it.text_value(main.get("url")), "json-ld url"))
    for url, source in options:
        try:
            parts = urlsplit(url)
        except ValueError:
            continue
        if parts.scheme in ("http", "https") and parts.hostname and \
                (parts.path.strip("/") or not fetched_path):
            return without_tracking(url), source
    return (page.url, "fetched") if page.url.startswith(("http://", "https://")) else ("", "")


def without_tracking(url: str) -> str:
    """``url`` without the query parameters that only say where a reader came from
    (those :func:`bibvault.identity.normalise_url` ignores: ``utm_*``, ``fbclid``, …)."""
    try:
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return url
    kept = [(k, v) for k, v in pairs
            if normalise_url(urlunsplit(parts._replace(query=urlencode([(k, v)]))))
            != normalise_url(urlunsplit(parts._replace(query="")))]
    if len(kept) == len(pairs):
        return url
    return urlunsplit(parts._replace(query=urlencode(kept)))


def choose_doi(src: Sources) -> tuple[str, str]:
    """``(bare DOI, source)`` from the citation or Dublin Core tags or the main item."""
    for tag in ("citation_doi", "dc.identifier", "dcterms.identifier", "prism.doi", "bepress_citation_doi"):
        for v in src.page.meta.get(tag, []):
            if (d := normalise_doi(v)) is not None:
                return d, tag
    if src.main is not None:
        for prop in ("doi", "identifier", "sameAs"):
            raw = src.main.get(prop)
            for value in raw if isinstance(raw, list) else [raw]:
                text = it.text_value(value)
                if "10." in text and (d := normalise_doi(text)) is not None:
                    return d, f"json-ld {it.label(src.main, prop)}"
    return "", ""


def is_video_page(src: Sources, url: str) -> str:
    """Why the page is a video (empty when it is not one)."""
    if src.main is not None and set(it.types_of(src.main)) & it.VIDEO:
        return f"json-ld {it.types_of(src.main)[0]}"
    if src.main is None and src.micro_main is not None and set(it.types_of(src.micro_main)) & it.VIDEO:
        return f"microdata {it.types_of(src.micro_main)[0]}"
    og_type = (src.page.first_meta("og:type") or ("", ""))[1].lower()
    if src.main is None and og_type.startswith("video"):
        return f"og:type {og_type}"
    if video_id(url) is not None:
        return "a video platform's address"
    return ""


def is_news(src: Sources, site: str) -> str:
    """Why the page is a news article (empty when it is not one)."""
    if src.main is not None and set(it.types_of(src.main)) & it.NEWS:
        return f"json-ld {it.types_of(src.main)[0]}"
    og_type = (src.page.first_meta("og:type") or ("", ""))[1].lower()
    if og_type == "article" and site.casefold() in NEWS_OUTLETS:
        return f"og:type article on {site}, a news outlet"
    return ""


def is_report(src: Sources) -> str:
    """Why the page is a report (empty when it is not one)."""
    if src.main is not None and set(it.types_of(src.main)) & it.REPORT:
        return "json-ld Report"
    for tag in ("citation_technical_report_institution", "citation_technical_report_number"):
        if src.page.first_meta(tag):
            return tag
    dc_type = (src.page.first_meta("dc.type", "dcterms.type") or ("", ""))[1].lower()
    if "report" in dc_type:
        return "dc.type report"
    return ""


def today_field(today: _dt.date) -> str:
    """``urldate``: the day the page was read."""
    return today.isoformat()


def choose_duration(src: Sources) -> tuple[str, str]:
    for origin, items in (("json-ld", src.jsonld), ("microdata", src.microdata)):
        video = it.of_type(items, it.VIDEO)
        if video is not None and (d := parse_duration(it.text_value(video.get("duration")))):
            return d, f"{origin} {it.label(video, 'duration')}"
    m = src.page.first_meta("video:duration", "og:video:duration")
    if m and m[1].isdigit():
        secs = int(m[1])
        h, rest = divmod(secs, 3600)
        mins, s = divmod(rest, 60)
        text = "PT" + (f"{h}H" if h else "") + (f"{mins}M" if mins else "") + (f"{s}S" if s else "")
        return (text if text != "PT" else ""), m[0]
    return "", ""


def same_page(a: str, b: str) -> bool:
    """Whether two addresses name one page (scheme, www., tracking and AMP forms aside)."""
    return normalise_url(a) == normalise_url(b)
