"""Record → CSL-JSON: the item a CSL processor formats.

The mapping follows the biblatex data model and, where it is silent or
ambiguous, pandoc's biblatex reader; the few places where bibvault deviates
(web sites as ``container-title``, video platforms as ``publisher``, the
archive fields) are explained in the README's section "From biblatex records
to CSL-JSON", together with the full table. Titles keep their markup as CSL-JSON rich text.
"""

from __future__ import annotations

import marshal
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit

from pybtex.database import Person

from bibvault.bibfile.tex import to_rich_text, to_unicode
from bibvault.edtf import DateError, DatePoint, EDTFDate, date_from_parts, parse_edtf
from bibvault.spool import Spool


class RecordLike(Protocol):
    """What the mapping needs of a :class:`bibvault.records.Record`."""

    @property
    def key(self) -> str: ...

    @property
    def entry_type(self) -> str: ...

    @property
    def fields(self) -> Mapping[str, str]: ...

    @property
    def tex(self) -> Mapping[str, str]: ...

    def names(self, role: str = "author") -> list[Person]:
        """The people in a name field."""
        ...


#: biblatex entry type → CSL type (before the entrysubtype/newspaper refinements).
TYPES: Mapping[str, str] = {
    "article": "article-journal", "book": "book", "mvbook": "book", "bookinbook": "chapter",
    "inbook": "chapter", "incollection": "chapter", "collection": "book",
    "mvcollection": "book", "inproceedings": "paper-conference", "proceedings": "book",
    "mvproceedings": "book", "report": "report", "techreport": "report", "thesis": "thesis",
    "phdthesis": "thesis", "mastersthesis": "thesis", "online": "webpage",
    "electronic": "webpage", "www": "webpage", "video": "motion_picture",
    "movie": "motion_picture", "audio": "song", "music": "song", "misc": "document",
    "unpublished": "manuscript", "manual": "report", "booklet": "pamphlet",
    "patent": "patent", "dataset": "dataset", "software": "software",
    "periodical": "periodical", "suppperiodical": "article-journal",
    "inreference": "entry-encyclopedia", "reference": "book", "mvreference": "book",
    "standard": "standard", "letter": "personal_communication", "review": "review",
    "jurisdiction": "legal_case", "legislation": "legislation", "artwork": "graphic",
    "image": "graphic", "performance": "performance", "dictionary": "book",
}

#: News outlets recognised as newspapers when a record lacks ``entrysubtype``.
NEWS_OUTLETS = frozenset(s.casefold() for s in (
    "Associated Press", "BBC News", "CNN", "Financial Times", "Fox News", "Le Monde",
    "Los Angeles Times", "NPR", "Reuters", "The Economist", "The Guardian",
    "The Independent", "The New York Times", "The Times", "The Wall Street Journal",
    "The Washington Post", "USA Today", "Al Jazeera", "Der Spiegel", "The Telegraph",
))

#: biblatex's localisation keys for ``type`` and their English text.
TYPE_KEYS: Mapping[str, str] = {
    "techreport": "Technical report", "resreport": "Research report",
    "phdthesis": "PhD thesis", "mathesis": "Master's thesis",
    "mastersthesis": "Master's thesis", "candthesis": "Candidate thesis",
    "bathesis": "Bachelor's thesis", "software": "Computer software",
    "datacd": "CD-ROM", "audiocd": "Audio CD",
}

#: biblatex/babel language names → BCP 47 tags (CSL's ``language``).
LANGUAGES: Mapping[str, str] = {
    "english": "en-US", "american": "en-US", "usenglish": "en-US", "british": "en-GB",
    "ukenglish": "en-GB", "australian": "en-AU", "canadian": "en-CA", "newzealand": "en-NZ",
    "german": "de-DE", "ngerman": "de-DE", "austrian": "de-AT", "naustrian": "de-AT",
    "swissgerman": "de-CH", "nswissgerman": "de-CH", "french": "fr-FR", "spanish": "es-ES",
    "italian": "it-IT", "portuguese": "pt-PT", "brazil": "pt-BR", "brazilian": "pt-BR",
    "dutch": "nl-NL", "danish": "da-DK", "norwegian": "nb-NO", "norsk": "nb-NO",
    "nynorsk": "nn-NO", "swedish": "sv-SE", "finnish": "fi-FI", "polish": "pl-PL",
    "czech": "cs-CZ", "russian": "ru-RU", "ukrainian": "uk-UA", "greek": "el-GR",
    "turkish": "tr-TR", "japanese": "ja-JP", "chinese": "zh-CN", "korean": "ko-KR",
    "arabic": "ar", "persian": "fa-IR", "farsi": "fa-IR", "hebrew": "he-IL",
    "hungarian": "hu-HU", "romanian": "ro-RO", "catalan": "ca-AD", "croatian": "hr-HR",
    "slovene": "sl-SI", "slovenian": "sl-SI", "latin": "la", "pashto": "ps", "urdu": "ur",
}

#: Web archives by host, for the CSL ``archive`` variable.
ARCHIVES: Mapping[str, str] = {
    "web.archive.org": "Internet Archive", "wayback.archive.org": "Internet Archive",
    "archive.org": "Internet Archive", "archive.today": "archive.today",
    "archive.ph": "archive.today", "archive.is": "archive.today", "archive.li": "archive.today",
    "archive.md": "archive.today", "archive.vn": "archive.today", "archive.fo": "archive.today",
    "perma.cc": "Perma.cc", "webcitation.org": "WebCite", "ghostarchive.org": "Ghostarchive",
}

_NAME_ROLES = (("author", "author"), ("editor", "editor"), ("translator", "translator"),
               ("bookauthor", "container-author"))
_SERIES_NUMBER_TYPES = frozenset({"book", "chapter", "paper-conference"})
_USEPREFIX = re.compile(r"(?:^|,)useprefix(?:=true)?(?:,|$)")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.I)
_RANGE_DASH = re.compile(r"\s*[-–—]+\s*")
_ISO_DURATION = re.compile(r"^P(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")


def csl_type(record: RecordLike) -> str:
    """The CSL item type of a record."""
    etype = record.entry_type.lower()
    subtype = record.fields.get("entrysubtype", "").strip().lower()
    if etype in ("article", "online", "periodical"):
        if subtype == "newspaper" or (etype == "article" and _is_news_outlet(record)):
            return "article-newspaper"
        if subtype == "magazine":
            return "article-magazine"
    return TYPES.get(etype, "document")


def _is_news_outlet(record: RecordLike) -> bool:
    outlet = record.fields.get("journaltitle") or record.fields.get("journal") or ""
    return outlet.strip().casefold() in NEWS_OUTLETS


def person_to_csl(person: Person, useprefix: bool = False) -> dict[str, str]:
    """A pybtex person as a CSL name.

    A name written as one braced group (``{Hudson Institute}``) is an
    organisation: ``{"literal": ...}``. The "von" part is a
    ``dropping-particle`` unless ``useprefix`` is on, as in biblatex.
    """
    last = person.last_names
    if (len(last) == 1 and not (person.first_names or person.middle_names
                                or person.prelast_names or person.lineage_names)
            and _wholly_braced(last[0])):
        return {"literal": to_unicode(last[0])}
    name: dict[str, str] = {}
    family = _plain(" ".join(last))
    given = _plain(" ".join(person.first_names + person.middle_names))
    particle = _plain(" ".join(person.prelast_names))
    suffix = _plain(" ".join(person.lineage_names))
    if family:
        name["family"] = family
    if given:
        name["given"] = given
    if particle:
        name["non-dropping-particle" if useprefix else "dropping-particle"] = particle
    if suffix:
        name["suffix"] = suffix
    if not name:
        return {"literal": _plain(str(person))}
    return name


def _wholly_braced(token: str) -> bool:
    if not (token.startswith("{") and token.endswith("}")):
        return False
    depth = 0
    for i, ch in enumerate(token):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth == 0 and i < len(token) - 1:
            return False
    return True


def _plain(tex: str) -> str:
    return to_unicode(tex).replace("{", "").replace("}", "")


def date_to_csl(value: EDTFDate) -> dict[str, Any]:
    """An EDTF date as a CSL date: ``date-parts``, plus ``season`` and ``circa``."""
    out: dict[str, Any] = {}
    points = [value.start, value.end] if value.is_range else [value.start]
    parts: list[list[int]] = []
    for point in points:
        if point is None:
            parts.append([0])  # an open or unknown end: styles print "2020–"
            continue
        parts.append(_point_parts(point))
        if point.season and not value.is_range:
            out["season"] = point.season - 20
        if point.approximate or point.uncertain or point.unspecified:
            out["circa"] = True
    if value.is_range and value.start is None:
        return {"literal": value.raw.strip()}
    out["date-parts"] = parts
    return dict(sorted(out.items()))


def _point_parts(point: DatePoint) -> list[int]:
    parts = [point.year]
    if point.month is not None and point.month <= 12:
        parts.append(point.month)
        if point.day is not None:
            parts.append(point.day)
    return parts


def parse_date_field(text: str) -> dict[str, Any]:
    """A biblatex date field (ISO 8601 / EDTF) as a CSL date; unreadable text as ``literal``."""
    try:
        return date_to_csl(parse_edtf(text))
    except DateError:
        return {"literal": text.strip()}


def _issued(fields: Mapping[str, str]) -> dict[str, Any] | None:
    if fields.get("date", "").strip():
        return parse_date_field(fields["date"])
    year = fields.get("year", "").strip()
    if not year:
        return None
    try:
        return date_to_csl(year_month_day(fields))
    except DateError:
        return {"literal": year}


def year_month_day(fields: Mapping[str, str]) -> EDTFDate:
    """The date in BibTeX ``year``/``month``/``day`` fields.

    A month or day that is not one (``month = may # " 30--" # jun``) is left
    out rather than losing the year; :class:`DateError` only for a bad year.
    """
    year = fields.get("year", "").strip()
    try:
        return date_from_parts(year, fields.get("month"), fields.get("day"))
    except DateError:
        try:
            return date_from_parts(year, fields.get("month"))
        except DateError:
            return date_from_parts(year)


def duration_to_dimensions(text: str) -> str:
    """A running time for CSL ``dimensions``.

    ISO 8601 durations in whole minutes read as minutes (``PT90M`` → "90 minutes",
    as reading lists write them); with seconds, as a clock (``PT4M29S`` → "4:29",
    ``PT1H2M3S`` → "1:02:03"). Other spellings ("90 min") are kept as written.
    """
    m = _ISO_DURATION.match(text.strip().upper())
    if not m or not any(m.groups()):
        return text.strip()
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in m.groups())
    total = round(days * 86400 + hours * 3600 + minutes * 60 + seconds)
    h, rest = divmod(total, 3600)
    mins, secs = divmod(rest, 60)
    if secs == 0 and total:
        whole = total // 60
        return f"{whole} minute{'s' * (whole != 1)}"
    return f"{h}:{mins:02d}:{secs:02d}" if h else f"{mins}:{secs:02d}"


def archive_name(url: str) -> str:
    """The name of the web archive an archived copy's address points into."""
    host = (urlsplit(url).hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    return ARCHIVES.get(host, host)


def language_tag(value: str) -> str:
    """A biblatex language name (``english``) as a BCP 47 tag; tags pass unchanged."""
    v = value.strip()
    return LANGUAGES.get(v.lower().replace(" ", ""), v)


def _rich(record: RecordLike, name: str) -> str:
    tex = record.tex.get(name)
    if tex is None:
        return record.fields.get(name, "").strip()
    return to_rich_text(tex)


def _title(record: RecordLike, main: str, sub: str, addon: str | None = None) -> str:
    title = _rich(record, main)
    subtitle = _rich(record, sub)
    if title and subtitle:
        title = f"{title}{'' if title[-1] in '?!:' else ':'} {subtitle}"
    if addon and title and (extra := _rich(record, addon)):
        title = f"{title}. {extra}"
    return title


def _genre(record: RecordLike) -> str:
    kind = record.fields.get("type", "").strip()
    if kind:
        return TYPE_KEYS.get(kind.lower(), kind)
    if record.entry_type.lower() in ("video", "movie"):
        return "Video"  # APA's "[Video]" and Chicago's "Video." need the descriptor
    source = getattr(record, "source_type", record.entry_type).lower()
    return TYPE_KEYS.get(source, "") if source in ("phdthesis", "mastersthesis") else ""


def _people(record: RecordLike) -> dict[str, list[dict[str, str]]]:
    options = record.fields.get("options", "").replace(" ", "").lower()
    useprefix = bool(_USEPREFIX.search(options))
    out: dict[str, list[dict[str, str]]] = {}
    for role, variable in _NAME_ROLES:
        people = record.names(role)
        if people:
            out[variable] = [person_to_csl(p, useprefix) for p in people]
    return out


def record_to_csl(record: RecordLike) -> dict[str, Any]:
    """One record as a CSL-JSON item (a plain dict, ready for ``json.dumps``)."""
    f = record.fields
    etype = record.entry_type.lower()
    ctype = csl_type(record)
    item: dict[str, Any] = {"id": record.key, "type": ctype}
    item.update(_people(record))

    def put(variable: str, value: Any) -> None:
        if value not in (None, "", [], {}) and variable not in item:
            item[variable] = value

    put("title", _title(record, "title", "subtitle", "titleaddon"))
    put("title-short", _rich(record, "shorttitle"))
    put("container-title", _title(record, "booktitle", "booksubtitle"))
    put("container-title", _title(record, "journaltitle", "journalsubtitle"))
    put("container-title", _rich(record, "journal"))
    put("container-title-short", _rich(record, "shortjournal"))
    put("collection-title", _rich(record, "series"))
    put("event", _rich(record, "eventtitle"))
    put("event-place", f.get("venue", "").strip())

    publisher_sources = ["publisher", "institution", "school"]
    if ctype == "webpage" or ctype.startswith("article-"):
        put("container-title", f.get("organization", "").strip())
    elif etype in ("video", "movie") and "author" not in item and f.get("organization"):
        item["author"] = [{"literal": f["organization"].strip()}]
    else:
        publisher_sources.append("organization")
    if etype in ("misc", "booklet", "video", "movie"):
        publisher_sources.append("howpublished")
    else:
        put("medium", f.get("howpublished", "").strip())
    for source in publisher_sources:
        put("publisher", f.get(source, "").strip())
    put("publisher-place", (f.get("location") or f.get("address") or "").strip())

    number = f.get("number", "").strip()
    if ctype.startswith("article"):
        put("issue", number or f.get("issue", "").strip())
    elif ctype in _SERIES_NUMBER_TYPES and f.get("series"):
        put("collection-number", number)
    else:
        put("number", number)
    put("volume", f.get("volume", "").strip())
    put("number-of-volumes", f.get("volumes", "").strip())
    put("page", _pages(f.get("pages", "")))
    put("number-of-pages", f.get("pagetotal", "").strip())
    put("chapter-number", f.get("chapter", "").strip())
    put("edition", f.get("edition", "").strip())
    put("version", f.get("version", "").strip())
    put("genre", _genre(record))
    put("status", f.get("pubstate", "").strip())
    put("dimensions", duration_to_dimensions(f.get("duration", "")))

    put("issued", _issued(f))
    for source, variable in (("urldate", "accessed"), ("eventdate", "event-date"),
                             ("origdate", "original-date")):
        if f.get(source, "").strip():
            put(variable, parse_date_field(f[source]))

    put("URL", f.get("url", "").strip())
    put("DOI", _DOI_PREFIX.sub("", f.get("doi", "").strip()))
    put("ISBN", f.get("isbn", "").strip())
    put("ISSN", f.get("issn", "").strip())
    if f.get("eprinttype", "").lower() == "arxiv" and f.get("eprint"):
        put("URL", f"https://arxiv.org/abs/{f['eprint'].strip()}")
    if f.get("archiveurl", "").strip():
        put("archive", archive_name(f["archiveurl"]))
        put("archive_location", f["archiveurl"].strip())
        if f.get("archivedate", "").strip():
            item["custom"] = {"archive-date": f["archivedate"].strip()}

    put("note", _joined(f.get("note"), f.get("addendum")))
    put("annote", (f.get("annotation") or f.get("annote") or "").strip())
    put("abstract", f.get("abstract", "").strip())
    put("keyword", ", ".join(getattr(record, "topics", ()) or _split_keywords(f)))
    put("language", language_tag(f.get("langid") or f.get("language") or ""))
    return item


def _pages(text: str) -> str:
    # CSL processors expect a hyphen between the ends of a page range.
    return _RANGE_DASH.sub("-", text.strip())


def _joined(*parts: str | None) -> str:
    out = ""
    for part in (p.strip() for p in parts if p and p.strip()):
        if out and out[-1] not in ".!?":
            out += "."
        out = f"{out} {part}" if out else part
    return out


def _split_keywords(fields: Mapping[str, str]) -> Sequence[str]:
    return [k.strip() for k in fields.get("keywords", "").split(",") if k.strip()]


def records_to_csl(records: Iterable[RecordLike]) -> list[dict[str, Any]]:
    """Every record as a CSL-JSON item, in the given order."""
    return [record_to_csl(r) for r in records]


class ItemCache:
    """One CSL-JSON item per record, made on first use and then shared.

    Items are looked up by the record object itself (two records may share a
    key when a build goes on despite duplicates). Each is kept serialised (by
    :mod:`marshal`, about a third of the memory of the dicts and quicker to read
    back than JSON) and every caller gets a fresh dict of it: a large list's
    items stay cheap to hold while each style renders them, and no caller can
    change another's.
    """

    def __init__(self, spool: Spool | None = None) -> None:
        # id() of a record → (the record, kept so the id stays its own; its item
        # serialised, or the handle of that in the spool)
        self._items: dict[int, tuple[RecordLike, bytes]] = {}
        # With a spool the items wait in its temporary file: a handle is a few bytes.
        self._spool = spool

    def item(self, record: RecordLike) -> dict[str, Any]:
        """The CSL-JSON item of ``record``."""
        hit = self._items.get(id(record))
        if hit is None:
            item = record_to_csl(record)
            # marshal keeps lone surrogates (undecodable .bib bytes) and the order of
            # keys; what it writes is read back by this same process only.
            packed = marshal.dumps(item)
            kept = self._spool.put_bytes(packed) if self._spool is not None else packed
            self._items[id(record)] = (record, kept)
            return item
        if self._spool is not None:
            return marshal.loads(self._spool.get_bytes(hit[1]))
        return marshal.loads(hit[1])

    def items(self, records: Iterable[RecordLike]) -> Iterator[dict[str, Any]]:
        """The items of ``records``, in their order, one at a time."""
        return (self.item(r) for r in records)

    def clear(self) -> None:
        """Forget every item (they are rebuilt when asked for again)."""
        self._items.clear()


# CSL 1.0.2 name and date variables: the shapes a processor relies on.
CSL_NAME_VARIABLES = frozenset({
    "author", "chair", "collection-editor", "compiler", "composer", "container-author",
    "contributor", "curator", "director", "editor", "editorial-director", "executive-producer",
    "guest", "host", "illustrator", "interviewer", "narrator", "organizer", "original-author",
    "performer", "producer", "recipient", "reviewed-author", "script-writer", "series-creator",
    "translator",
})
CSL_DATE_VARIABLES = frozenset({
    "accessed", "available-date", "event-date", "issued", "original-date", "submitted",
})


def csl_item_problems(items: Sequence[Any]) -> list[str]:
    """What is wrong with CSL-JSON ``items`` for a processor, one message per problem.

    Items need an ``id`` (string or number) and a ``type``; name variables are
    lists of name objects and date variables are date objects. A processor
    skips a variable of the wrong shape, so an item would lose its authors or
    date (or vanish from a bibliography) without a word. Messages name the
    item by position (1-based) and id.
    """
    problems: list[str] = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, Mapping):
            problems.append(f"item {n}: not an object")
            continue
        ident = item.get("id")
        label = f"item {n} (id {ident!r})" if ident is not None else f"item {n}"
        if not isinstance(ident, (str, int)) or isinstance(ident, bool) or ident == "":
            problems.append(f"{label}: needs an \"id\" (a string or number)")
        if not isinstance(item.get("type"), str) or not item.get("type"):
            problems.append(f"{label}: needs a \"type\" (such as \"book\")")
        for var, value in item.items():
            if var in CSL_NAME_VARIABLES and not (
                    isinstance(value, list) and all(isinstance(v, Mapping) for v in value)):
                problems.append(f"{label}: {var!r} must be a list of names such as "
                                f"[{{\"family\": \"Doe\", \"given\": \"Jane\"}}], not {value!r}")
            elif var in CSL_DATE_VARIABLES and not isinstance(value, Mapping):
                problems.append(f"{label}: {var!r} must be a date such as "
                                f"{{\"date-parts\": [[2021, 9, 3]]}}, not {value!r}")
    return problems
