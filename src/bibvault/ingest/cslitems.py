"""CSL-JSON items → candidates: :func:`bibvault.csljson.record_to_csl` read backwards.

The mapping is the README's table "From biblatex records to CSL-JSON" inverted,
type by type, so that the bundled records exported as CSL-JSON (or as RIS,
which :mod:`bibvault.ingest.ris` turns into the same items) come back as the
same records: a news article (``article-newspaper``) is an ``@article`` with
``entrysubtype = {newspaper}`` and its outlet in ``journaltitle``; a web page's
site is the ``organization`` of an ``@online``; a report's publisher is its
``institution``; a video's literal author with nobody else is its channel, the
``organization``. Every variable that finds no place is an I702 finding.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from bibvault.csljson import LANGUAGES, TYPE_KEYS
from bibvault.ingest.candidate import Candidate, Creator
from bibvault.ingest.import_rules import import_finding

#: CSL type → (biblatex type, entrysubtype).
TYPES: Mapping[str, tuple[str, str]] = {
    "article-journal": ("article", ""), "article": ("article", ""),
    "article-newspaper": ("article", "newspaper"), "article-magazine": ("article", "magazine"),
    "webpage": ("online", ""), "post-weblog": ("online", ""), "post": ("online", ""),
    "report": ("report", ""), "thesis": ("thesis", ""), "motion_picture": ("video", ""),
    "broadcast": ("video", ""), "book": ("book", ""), "classic": ("book", ""),
    "chapter": ("incollection", ""), "paper-conference": ("inproceedings", ""),
    "entry-encyclopedia": ("inreference", ""), "entry-dictionary": ("inreference", ""),
    "entry": ("inreference", ""), "document": ("misc", ""), "manuscript": ("unpublished", ""),
    "pamphlet": ("booklet", ""), "song": ("audio", ""), "dataset": ("dataset", ""),
    "software": ("software", ""), "patent": ("patent", ""), "periodical": ("periodical", ""),
    "standard": ("standard", ""), "personal_communication": ("letter", ""),
    "review": ("review", ""), "review-book": ("review", ""), "legal_case": ("jurisdiction", ""),
    "legislation": ("legislation", ""), "bill": ("legislation", ""),
    "regulation": ("legislation", ""), "treaty": ("legislation", ""),
    "graphic": ("artwork", ""), "performance": ("performance", ""),
    "interview": ("misc", "interview"), "speech": ("misc", "speech"),
}

_NAMES = {"author": "author", "editor": "editor", "translator": "translator",
          "container-author": "bookauthor"}
# Variables copied to one field whatever the type.
_SIMPLE = {"title-short": "shorttitle", "container-title-short": "shortjournal",
           "collection-title": "series", "event": "eventtitle", "event-title": "eventtitle",
           "event-place": "venue", "publisher-place": "location", "volume": "volume",
           "number-of-volumes": "volumes", "number-of-pages": "pagetotal",
           "chapter-number": "chapter", "edition": "edition", "version": "version",
           "status": "pubstate", "URL": "url", "ISBN": "isbn", "ISSN": "issn",
           "archive_location": "archiveurl", "note": "note", "annote": "annotation",
           "abstract": "abstract"}
_DATES = {"issued": "date", "accessed": "urldate", "event-date": "eventdate",
          "original-date": "origdate"}
# Variables that say nothing the record does not hold already.
_DERIVED = frozenset({"id", "type", "keyword", "archive", "custom", "citation-key"})
_KEY = re.compile(r"[^\s,{}#%\"'=()\\]+")
_MARKUP = re.compile(r"</?(?:i|b|sup|sub|span)(?:\s[^>]*)?>")
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")
_MINUTES = re.compile(r"^(\d+)\s*(?:minutes?|mins?\.?)$", re.I)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_GENRE_KEYS = {text.casefold(): key for key, text in TYPE_KEYS.items() if key != "mastersthesis"}
_LANGIDS = {tag: name for name, tag in reversed(list(LANGUAGES.items()))}


def plain(value: Any) -> str:
    """A CSL text value without rich-text markup, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(_MARKUP.sub("", str(value))).split())


def read_csl_json(text: str, path: str) -> list[Candidate]:
    """The candidates of a CSL-JSON document (a list of items, or one item, or ``{"items"}``).

    Raises :class:`ValueError` with the line and column when it is not JSON.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from exc
    if isinstance(data, dict):
        data = data.get("items", [data])
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of CSL-JSON items")
    out = []
    for i, item in enumerate(data, 1):
        source = f"{path}:item {i}"
        if not isinstance(item, dict):
            bad = Candidate(source=source)
            bad.findings.append(import_finding(
                "I701", f"item {i} is not a JSON object; not imported", path))
            out.append(bad)
            continue
        out.append(item_to_candidate(item, source, path, origin=f"CSL-JSON item {i}"))
    return out


def item_to_candidate(item: Mapping[str, Any], source: str, file: str = "",
                      line: int = 0, origin: str = "CSL-JSON") -> Candidate:
    """One CSL-JSON item as a candidate record; unmapped variables become I702 findings.

    ``origin`` is where the item came from, for the candidate's provenance.
    """
    key = str(item.get("citation-key") or item.get("id") or "").strip() or None
    if key and (not _KEY.fullmatch(key) or "://" in key):
        key = None  # Zotero's ids are item URIs, not citation keys
    cand = Candidate(source=source, original_key=key)

    def report(code: str, message: str) -> None:
        cand.findings.append(import_finding(code, message, file, line, key))

    ctype = str(item.get("type", "")).strip()
    etype, subtype = TYPES.get(ctype, ("misc", ""))
    if ctype not in TYPES:
        report("I703", f"CSL type {ctype!r} has no biblatex equivalent; imported as @misc")
    cand.entry_type = etype
    cand.type_reason = f"CSL type {ctype or '(none)'}"
    f = cand.fields
    if subtype:
        f["entrysubtype"] = subtype
    if ctype in ("motion_picture", "broadcast") and not item.get("author") and item.get("director"):
        # Zotero's creator of a video is its director.
        item = {k: v for k, v in item.items() if k != "director"} | {"author": item["director"]}
    _names(item, cand, report)
    if item.get("title") not in (None, ""):
        f["title"] = plain(item["title"])
    for variable, name in _SIMPLE.items():
        if item.get(variable) not in (None, "") and name not in f:
            f[name] = plain(item[variable])
    _container(item, cand)
    _publisher(item, cand)
    _numbers(item, cand)
    _dates(item, cand, report)
    _extras(item, cand, report)
    _video_channel(cand)
    handled = (set(_NAMES) | set(_SIMPLE) | set(_DATES) | _DERIVED | _HANDLED)
    for variable in sorted(set(item) - handled):
        if item[variable] not in (None, "", [], {}):
            report("I702", f"CSL variable {variable!r} ({_short(item[variable])}) not imported")
    cand.provenance = {name: origin for name in [*cand.fields, *cand.creators]}
    return cand


_HANDLED = frozenset({"title", "container-title", "publisher", "medium", "issue", "number",
                      "collection-number", "page", "genre", "dimensions", "DOI", "language"})


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _names(item: Mapping[str, Any], cand: Candidate, report: Callable[[str, str], None]) -> None:
    for variable, role in _NAMES.items():
        people = item.get(variable)
        if not isinstance(people, list):
            continue
        out = []
        for person in people:
            if not isinstance(person, dict):
                report("I704", f"{variable}: {_short(person)} is not a CSL name; left out")
                continue
            creator = creator_from_csl(person)
            if person.get("suffix"):
                report("I702", f"{variable}: the suffix {person['suffix']!r} of "
                               f"{creator.family} is not imported")
            if creator.family or creator.given or creator.literal:
                out.append(creator)
        if out:
            cand.creators[role] = out


def creator_from_csl(name: Mapping[str, Any]) -> Creator:
    """A CSL name as a :class:`Creator`; particles go with the family name."""
    if name.get("literal"):
        return Creator(literal=plain(name["literal"]))
    family = " ".join(plain(name[p]) for p in ("dropping-particle", "non-dropping-particle",
                                               "family") if name.get(p))
    return Creator(family=family, given=plain(name.get("given", "")))


def _container(item: Mapping[str, Any], cand: Candidate) -> None:
    container = plain(item.get("container-title", ""))
    if not container:
        return
    etype = cand.entry_type
    if etype in ("article", "periodical", "review"):
        cand.fields["journaltitle"] = container
    elif etype in ("incollection", "inproceedings", "inreference", "inbook"):
        cand.fields["booktitle"] = container
    elif etype == "online":
        cand.fields["organization"] = container
    elif etype in ("video", "audio", "misc"):
        # A video's or a document's container is where it was published (a
        # channel, a platform), which biblatex holds in howpublished.
        cand.fields.setdefault("howpublished", container)
    else:
        cand.fields["series" if "series" not in cand.fields else "note"] = container


def _publisher(item: Mapping[str, Any], cand: Candidate) -> None:
    publisher = plain(item.get("publisher", ""))
    medium = plain(item.get("medium", ""))
    etype, f = cand.entry_type, cand.fields
    if publisher:
        if etype in ("report", "thesis"):
            f["institution"] = publisher
        elif etype in ("video", "audio", "misc", "booklet") and "howpublished" not in f:
            f["howpublished"] = publisher
        elif etype == "online" and "organization" not in f:
            f["organization"] = publisher
        else:
            f["publisher"] = publisher
    if medium and "howpublished" not in f:
        f["howpublished"] = medium


def _numbers(item: Mapping[str, Any], cand: Candidate) -> None:
    f = cand.fields
    for variable in ("issue", "number", "collection-number"):
        if item.get(variable) not in (None, "") and "number" not in f:
            f["number"] = plain(item[variable])
    if item.get("page") not in (None, ""):
        f["pages"] = re.sub(r"\s*[-–—]+\s*", "–", plain(item["page"]))
    genre = plain(item.get("genre", ""))
    if genre and not (cand.entry_type == "video" and genre.casefold() == "video"):
        f["type"] = _GENRE_KEYS.get(genre.casefold(), genre)
    if item.get("dimensions"):
        f["duration"] = iso_duration(plain(item["dimensions"]))
    doi = _DOI_PREFIX.sub("", plain(item.get("DOI", "")))
    if doi:
        f["doi"] = doi
    language = plain(item.get("language", ""))
    if language:
        f["langid" if language in _LANGIDS else "language"] = _LANGIDS.get(language, language)


def iso_duration(text: str) -> str:
    """A running time as ISO 8601: "90 minutes" → PT90M, "4:29" → PT4M29S; other text as is."""
    if m := _MINUTES.match(text):
        return f"PT{int(m.group(1))}M"
    if m := _CLOCK.match(text):
        hours, minutes, seconds = (int(g) if g else 0 for g in m.groups())
        return "PT" + "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"),
                                                      (seconds, "S")) if n)
    return text


def _dates(item: Mapping[str, Any], cand: Candidate, report: Callable[[str, str], None]) -> None:
    for variable, name in _DATES.items():
        value = item.get(variable)
        if value in (None, "", {}):
            continue
        edtf = csl_date_to_edtf(value)
        if edtf:
            cand.fields[name] = edtf
        else:
            report("I704", f"{variable} {_short(value)} is not a date bibvault can read; left out")
    custom = item.get("custom")
    if isinstance(custom, dict) and custom.get("archive-date"):
        cand.fields["archivedate"] = plain(custom["archive-date"])
        extra = sorted(set(custom) - {"archive-date"})
        if extra:
            report("I702", f"CSL custom variables {', '.join(extra)} not imported")


def csl_date_to_edtf(value: Any) -> str:
    """A CSL date (``date-parts``, ``circa``, ``season``, ``raw``, ``literal``) as EDTF, or ""."""
    if isinstance(value, str):
        value = {"raw": value}
    if not isinstance(value, dict):
        return ""
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        points = [_point(p) for p in parts[:2]]
        if not points[0]:
            return ""
        if len(points) == 1 and value.get("season") and len(parts[0]) == 1:
            points[0] += f"-{20 + int(str(value['season'])[:1] or 0):02d}"
        text = "/".join(p or ".." for p in points)
        return text + "~" if value.get("circa") and len(points) == 1 else text
    raw = str(value.get("raw") or value.get("literal") or "").strip()
    return raw if re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", raw) else ""


def _point(part: Any) -> str:
    if not isinstance(part, list):
        return ""
    try:
        numbers = [int(p) for p in part[:3]]
    except (TypeError, ValueError):
        return ""
    if not numbers or numbers[0] == 0:
        return ""
    return "-".join([f"{numbers[0]:04d}"] + [f"{n:02d}" for n in numbers[1:] if n])


def _extras(item: Mapping[str, Any], cand: Candidate, report: Callable[[str, str], None]) -> None:
    keywords = item.get("keyword")
    if isinstance(keywords, str):
        cand.tags.extend(k.strip() for k in re.split(r"[,;]", keywords) if k.strip())
    elif isinstance(keywords, list):
        cand.tags.extend(plain(k) for k in keywords if plain(k))


def _video_channel(cand: Candidate) -> None:
    """A video whose only author is an organisation: that is its channel (``organization``)."""
    authors = cand.creators.get("author", [])
    if (cand.entry_type == "video" and len(authors) == 1 and authors[0].literal
            and "organization" not in cand.fields):
        cand.fields["organization"] = authors[0].literal
        del cand.creators["author"]
