"""A DOI as a record: Crossref's JSON first, then DataCite's; never server-made BibTeX.

Crossref (``/works/{doi}``) registers most journal articles, reports and
preprints; DataCite (``/dois/{doi}``) registers data, reports and preprints of
repositories. The JSON is mapped to the biblatex data model here: titles lose
their JATS markup, organisations become corporate authors, and partial dates
stay partial (``[[2022, 9]]`` is ``2022-09``).
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from bibvault.config import IngestConfig
from bibvault.ingest.candidate import Candidate, Creator
from bibvault.ingest.rules_add import refusal
from bibvault.ingest.web.people import creator_from_name, person, unescape
from bibvault.ingest.web.text import clean_title
from bibvault.links.fetch import Fetched

Fetch = Callable[[str], Fetched]

#: Crossref work types → (entry type, container field).
CROSSREF_TYPES: dict[str, tuple[str, str]] = {
    "journal-article": ("article", "journaltitle"), "report": ("report", ""),
    "report-component": ("report", ""), "posted-content": ("online", ""),
    "book": ("book", ""), "monograph": ("book", ""), "edited-book": ("collection", ""),
    "book-chapter": ("incollection", "booktitle"), "book-section": ("incollection", "booktitle"),
    "proceedings-article": ("inproceedings", "booktitle"), "dataset": ("dataset", ""),
    "dissertation": ("thesis", ""), "standard": ("standard", ""),
}
#: DataCite resourceTypeGeneral → entry type.
DATACITE_TYPES = {"Report": "report", "Preprint": "online", "JournalArticle": "article",
                  "Dataset": "dataset", "Audiovisual": "video", "Book": "book",
                  "BookChapter": "incollection", "Dissertation": "thesis", "Software": "software",
                  "ConferencePaper": "inproceedings", "Text": "online"}


def _json(reply: Fetched) -> Any:
    try:
        return json.loads(reply.body.decode("utf-8", "replace"))
    except ValueError:
        return None


def doi_candidate(doi: str, source: str, fetch: Fetch, config: IngestConfig,
                  today: _dt.date) -> Candidate:
    """The record of ``doi`` from Crossref, else DataCite; a finding when neither has it."""
    suffix = f"?mailto={quote(config.mailto)}" if config.mailto else ""
    tried: list[str] = []
    for name, url in (("Crossref", f"{config.crossref_url.rstrip('/')}/works/{quote(doi)}{suffix}"),
                      ("DataCite", f"{config.datacite_url.rstrip('/')}/dois/{quote(doi)}")):
        reply = fetch(url)
        if reply.error is not None:
            return Candidate(source, findings=[refusal(
                "N826", f"{name} could not be reached: {reply.detail or reply.error}", source)])
        data = _json(reply) if reply.status == 200 else None
        if name == "Crossref" and isinstance(data, dict) and isinstance(data.get("message"), dict):
            return crossref_candidate(data["message"], source, today)
        if name == "DataCite" and isinstance(data, dict) and isinstance(data.get("data"), dict) \
                and isinstance(data["data"].get("attributes"), dict):
            return datacite_candidate(data["data"]["attributes"], source, today)
        if reply.status not in (200, 404):
            return Candidate(source, findings=[refusal(
                "N826", f"{name} answered HTTP {reply.status} for {doi}", source)])
        tried.append(name)
    return Candidate(source, fields={"doi": doi}, findings=[refusal(
        "N827", f"DOI {doi} does not exist ({' and '.join(tried)} do not know it)", source)])


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return " ".join(unescape(str(value)).split()) if isinstance(value, (str, int)) else ""


def _crossref_names(people: Any) -> list[Creator]:
    out: list[Creator] = []
    for p in people if isinstance(people, list) else []:
        if not isinstance(p, dict):
            continue
        family, given, name = _text(p.get("family")), _text(p.get("given")), _text(p.get("name"))
        if family:
            out.append(Creator(family=family, given=given))
        elif name:
            out.append(Creator(literal=name))
    return out


def crossref_date(message: dict[str, Any]) -> str:
    """The issue date of a Crossref work at the precision registered (``2022``, ``2022-09``)."""
    for key in ("issued", "published", "published-print", "published-online", "posted", "created"):
        parts = message.get(key, {}).get("date-parts") if isinstance(message.get(key), dict) else None
        if isinstance(parts, list) and parts and isinstance(parts[0], list):
            nums = [n for n in parts[0][:3] if isinstance(n, int)]
            if nums and 1000 <= nums[0] <= 9999:
                return "-".join([f"{nums[0]:04d}", *(f"{n:02d}" for n in nums[1:])])
    return ""


def crossref_candidate(msg: dict[str, Any], source: str, today: _dt.date) -> Candidate:
    """A Crossref work (the ``message`` object) as a candidate."""
    kind = _text(msg.get("type"))
    entry_type, container = CROSSREF_TYPES.get(kind, ("online" if msg.get("URL") else "misc", ""))
    c = Candidate(source, entry_type=entry_type,
                  type_reason=f"Crossref type {kind or 'unknown'}" + (
                      f" ({_text(msg.get('subtype'))})" if msg.get("subtype") else ""))
    put = _putter(c, "crossref")
    put("title", clean_title(_text(msg.get("title"))), "title")
    put("subtitle", clean_title(_text(msg.get("subtitle"))), "subtitle")
    put("date", crossref_date(msg), "issued")
    put("doi", _text(msg.get("DOI")), "DOI")
    institution = msg.get("institution")
    inst_name = _text(institution[0].get("name")) if isinstance(institution, list) and \
        institution and isinstance(institution[0], dict) else ""
    if container:
        put(container, clean_title(_text(msg.get("container-title"))), "container-title")
    if entry_type == "article":
        put("volume", _text(msg.get("volume")), "volume")
        put("number", _text(msg.get("issue")), "issue")
        put("pages", _text(msg.get("page")), "page")
    elif entry_type == "report":
        put("institution", inst_name or _text(msg.get("publisher")), "institution")
        put("type", "Report", "type")
        put("number", _text(msg.get("report-number") or msg.get("number")), "report-number")
    elif kind == "posted-content":
        put("organization", inst_name or _text(msg.get("group-title")) or _text(msg.get("publisher")),
            "institution")
        put("pubstate", "prepublished", "type posted-content")
    elif entry_type in ("book", "collection", "incollection", "inproceedings"):
        put("publisher", _text(msg.get("publisher")), "publisher")
    resource = msg.get("resource")
    primary = resource.get("primary") if isinstance(resource, dict) else None
    landing = _text(primary.get("URL")) if isinstance(primary, dict) else ""
    if entry_type in ("online", "report") and landing:
        put("url", landing, "resource.primary.URL")
        put("urldate", today.isoformat(), "the day it was read")
    for role in ("author", "editor", "translator"):
        names = _crossref_names(msg.get(role))
        if names:
            c.creators[role] = names
            c.provenance[role] = f"crossref {role}"
    return c


def _putter(c: Candidate, origin: str) -> Callable[[str, str, str], None]:
    def put(name: str, value: str, where: str) -> None:
        if value and name not in c.fields:
            c.fields[name] = value
            c.provenance[name] = f"{origin} {where}"
    return put


def _datacite_names(people: Any) -> list[Creator]:
    out: list[Creator] = []
    for p in people if isinstance(people, list) else []:
        if not isinstance(p, dict):
            continue
        name = _text(p.get("name"))
        if p.get("nameType") == "Organizational":
            if name:
                out.append(Creator(literal=name))
        elif _text(p.get("familyName")):
            out.append(Creator(family=_text(p.get("familyName")), given=_text(p.get("givenName"))))
        elif name:
            found = person(name) if "," in name else creator_from_name(name)
            if found:
                out.append(found)
    return out


def datacite_candidate(attrs: dict[str, Any], source: str, today: _dt.date) -> Candidate:
    """A DataCite record (the ``attributes`` object) as a candidate."""
    types: dict[str, Any] = attrs["types"] if isinstance(attrs.get("types"), dict) else {}
    general = _text(types.get("resourceTypeGeneral"))
    entry_type = DATACITE_TYPES.get(general, "online" if attrs.get("url") else "misc")
    c = Candidate(source, entry_type=entry_type,
                  type_reason=f"DataCite resourceTypeGeneral {general or 'unknown'}")
    put = _putter(c, "datacite")
    titles = [t for t in attrs.get("titles") or [] if isinstance(t, dict)]
    main = next((t for t in titles if not t.get("titleType")), titles[0] if titles else {})
    put("title", clean_title(_text(main.get("title"))), "titles")
    sub = next((t for t in titles if t.get("titleType") == "Subtitle"), {})
    put("subtitle", clean_title(_text(sub.get("title"))), "titles (Subtitle)")
    dates = [d for d in attrs.get("dates") or [] if isinstance(d, dict)]
    issued = next((d for d in dates if d.get("dateType") == "Issued"), None)
    put("date", _text(issued.get("date"))[:10] if issued else "", "dates (Issued)")
    put("date", _text(attrs.get("publicationYear")), "publicationYear")
    put("doi", _text(attrs.get("doi")), "doi")
    publisher = attrs.get("publisher")
    pub = _text(publisher.get("name")) if isinstance(publisher, dict) else _text(publisher)
    if entry_type == "report":
        put("institution", pub, "publisher")
        put("type", _text(types.get("resourceType")) or "Report", "types.resourceType")
    elif entry_type == "article":
        container: dict[str, Any] = attrs["container"] if isinstance(attrs.get("container"),
                                                                      dict) else {}
        put("journaltitle", _text(container.get("title")), "container.title")
    elif entry_type in ("online", "video"):
        put("organization", pub, "publisher")
        if general == "Preprint":
            put("pubstate", "prepublished", "resourceTypeGeneral Preprint")
    else:
        put("publisher", pub, "publisher")
    if entry_type in ("online", "report", "video", "dataset"):
        put("url", _text(attrs.get("url")), "url")
        if "url" in c.fields:
            put("urldate", today.isoformat(), "the day it was read")
    names = _datacite_names(attrs.get("creators"))
    if names:
        c.creators["author"] = names
        c.provenance["author"] = "datacite creators"
    return c
