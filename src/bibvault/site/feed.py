"""The reading list's Atom 1.0 feed (RFC 4287): the records added most recently.

"Added" is when a record entered the collection (see
:func:`bibvault.added.dates_added`), falling back to the record's own date.
The feed is a pure function of the reading list and those dates, so an
unchanged list gives an unchanged file.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from bibvault.csljson import record_to_csl
from bibvault.records import Record
from bibvault.site.coins import plain_text
from bibvault.site.links import safe_url
from bibvault.site.model import Entry, ReadingList

#: The name the feed file has next to the page.
FEED_NAME = "feed.xml"

# XML escaping as xml.sax.saxutils does it, whose import (through urllib.request
# and http.client) cost more than the feed takes to write.
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;",
                               "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _escape(text: str) -> str:
    """``text`` as XML character data."""
    return text.translate(_TEXT_ESCAPES)


def _quoteattr(text: str) -> str:
    """``text`` as a quoted XML attribute value, quotes included."""
    text = text.translate(_ATTR_ESCAPES)
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', "&quot;") + '"'


def _timestamp(text: str) -> str | None:
    """An RFC 3339 date-time from a full timestamp or an ISO date (``2023``, ``2023-08``…)."""
    if "T" in text:
        return text
    parts = text.split("-")
    if not parts[0].isdigit() or len(parts[0]) != 4:
        return None
    year, month, day = (parts + ["01", "01"])[:3]
    if not (month.isdigit() and day.isdigit()):
        return None
    return f"{year}-{int(month):02d}-{int(day):02d}T00:00:00Z"


def record_added(record: Record, added: Mapping[str, str]) -> str | None:
    """When ``record`` was added: from ``added`` (by key, or key in lower case), else its
    own date; None if neither."""
    known = added.get(record.key) or added.get(record.key.lower())
    if known:
        return _timestamp(known)
    date = record.date
    day = date.earliest() if date is not None else None
    return _timestamp(day.isoformat()) if day is not None else None


def _urn(text: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, text).urn


def _authors(record: Record) -> list[str]:
    names = []
    for person in record_to_csl(record).get("author") or ():
        name = person.get("literal") or " ".join(
            p for p in (person.get("given"), person.get("non-dropping-particle"),
                        person.get("family")) if p)
        names.append(" ".join(plain_text(str(name)).split()))
    return [n for n in names if n]


def atom_feed(reading_list: ReadingList, added: Mapping[str, str], *, limit: int = 20,
              site_url: str = "", page: str = "index.html") -> str:
    """The feed: the ``limit`` newest entries by date added, newest first.

    Each entry's content is its citation in the list's first style. With
    ``site_url`` the ids and links are absolute; without it, links are
    relative to the feed and ids are URNs derived from the title and keys.
    """
    rl = reading_list
    base = safe_url(site_url) or ""
    if base and not base.endswith("/"):
        base += "/"
    dated: list[tuple[str, Entry]] = []
    for e in rl.entries():
        when = record_added(e.record, added)
        if when is not None:
            dated.append((when, e))
    dated.sort(key=lambda pair: (pair[0], pair[1].key), reverse=True)
    dated = dated[:limit]
    feed_id = base + FEED_NAME if base else _urn("bibvault-feed:" + rl.title)
    updated = max((w for w, _ in dated), default="1970-01-01T00:00:00Z")
    title = " ".join(rl.title.split()) or "Reading list"
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom">',
           f"<title>{_escape(title)}</title>",
           f"<id>{_escape(feed_id)}</id>",
           f"<updated>{_escape(updated)}</updated>",
           f"<author><name>{_escape(title)}</name></author>",
           f'<link rel="self" href={_quoteattr(base + FEED_NAME)}/>',
           f'<link rel="alternate" type="text/html" href={_quoteattr(base + page)}/>',
           '<generator>bibvault</generator>']
    style = rl.styles[0] if rl.styles else ""
    for when, e in dated:
        r = e.record
        href = f"{base}{page}#{r.key}"
        entry_id = href if base else _urn(f"bibvault-entry:{title}:{r.key}")
        out += ["<entry>",
                f"<title>{_escape(' '.join((r.title or r.key).split()))}</title>",
                f"<id>{_escape(entry_id)}</id>",
                f"<updated>{_escape(when)}</updated>",
                f'<link rel="alternate" type="text/html" href={_quoteattr(href)}/>']
        if e.links.main:
            out.append(f'<link rel="related" href={_quoteattr(e.links.main)}/>')
        out += [f"<author><name>{_escape(n)}</name></author>" for n in _authors(r)]
        out += [f"<category term={_quoteattr(t)}/>" for t in r.topics]
        cited = e.formatted.get(style, {}).get("html")
        if cited:
            out.append(f'<content type="html">{_escape(cited)}</content>')
        if e.annotation:
            out.append(f"<summary>{_escape(' '.join(e.annotation.split()))}</summary>")
        out.append("</entry>")
    out.append("</feed>")
    return "\n".join(out) + "\n"
