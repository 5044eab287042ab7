"""Records as RIS, the tagged format reference managers import.

Each record becomes ``TY  - …`` … ``ER  - `` with one tag per line. The RIS
values are taken from the CSL-JSON item (so names, dates and types are
normalised once, in :mod:`bibvault.csljson`), with markup removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from bibvault import csljson

#: CSL type → RIS reference type.
RIS_TYPES: Mapping[str, str] = {
    "article-journal": "JOUR", "article-newspaper": "NEWS", "article-magazine": "MGZN",
    "article": "JOUR", "book": "BOOK", "chapter": "CHAP", "paper-conference": "CPAPER",
    "report": "RPRT", "thesis": "THES", "webpage": "ELEC", "post-weblog": "BLOG",
    "motion_picture": "VIDEO", "document": "GEN", "manuscript": "UNPB", "dataset": "DATA",
    "software": "COMP", "patent": "PAT", "pamphlet": "PAMP", "song": "SOUND",
    "entry-encyclopedia": "ENCYC", "legal_case": "CASE", "legislation": "STAT",
    "personal_communication": "PCOMM", "standard": "STAND", "speech": "GEN",
}

# Plain one-to-one variables, in the order written.
_SIMPLE = (("title-short", "ST"), ("container-title", "T2"), ("collection-title", "T3"),
           ("volume", "VL"), ("issue", "IS"), ("number", "M1"), ("genre", "M3"),
           ("edition", "ET"), ("publisher", "PB"), ("publisher-place", "CY"),
           ("ISBN", "SN"), ("ISSN", "SN"), ("DOI", "DO"),
           ("URL", "UR"), ("abstract", "AB"), ("language", "LA"))
_TAGS = re.compile(r"</?(?:i|b|sup|sub|span)(?:\s[^>]*)?>")


def _plain(value: Any) -> str:
    return " ".join(_TAGS.sub("", str(value)).split())


def ris_name(name: Mapping[str, str]) -> str:
    """A CSL name as RIS writes it: ``Family, Given, Suffix`` (particles with the family)."""
    if "literal" in name:
        return name["literal"]
    family = " ".join(p for p in (name.get("dropping-particle"),
                                  name.get("non-dropping-particle"), name.get("family")) if p)
    parts = [family, name.get("given", ""), name.get("suffix", "")]
    while parts and not parts[-1]:
        parts.pop()
    return ", ".join(parts)


def ris_date(date: Mapping[str, Any]) -> tuple[str, str]:
    """(PY year, DA date ``YYYY/MM/DD/``) for a CSL date; empty strings when unknown."""
    parts = date.get("date-parts")
    if not parts or not parts[0] or not parts[0][0]:
        return "", ""
    first = [int(p) for p in parts[0]]
    fields = [f"{first[0]:04d}"] + [f"{p:02d}" for p in first[1:]]
    fields += [""] * (3 - len(fields))
    return f"{first[0]:04d}", "/".join(fields) + "/"


def _lines(item: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    yield "TY", RIS_TYPES.get(item["type"], "GEN")
    for person in item.get("author", []):
        yield "AU", ris_name(person)
    for person in item.get("editor", []):
        yield "ED", ris_name(person)
    for person in item.get("translator", []):
        yield "A4", ris_name(person)
    if item.get("title"):
        yield "TI", _plain(item["title"])
    for variable, tag in _SIMPLE:
        if item.get(variable) not in (None, ""):
            yield tag, _plain(item[variable])
    page = str(item.get("page", ""))
    if page:
        start, _, end = page.partition("-")
        yield "SP", start.strip()
        if end.strip():
            yield "EP", end.strip()
    elif item.get("number-of-pages"):
        yield "SP", str(item["number-of-pages"])
    if "issued" in item:
        year, date = ris_date(item["issued"])
        if year:
            yield "PY", year
            yield "DA", date
    if "accessed" in item:
        _, date = ris_date(item["accessed"])
        if date:
            yield "Y2", date.rstrip("/")
    for keyword in str(item.get("keyword", "")).split(","):
        if keyword.strip():
            yield "KW", keyword.strip()
    if item.get("dimensions"):
        yield "N1", f"Running time: {item['dimensions']}"
    if item.get("archive_location"):
        archive = item.get("archive", "web archive")
        yield "N1", f"Archived copy ({archive}): {item['archive_location']}"
    for variable in ("note", "annote"):
        if item.get(variable):
            yield "N1", _plain(item[variable])
    yield "ID", str(item["id"])
    yield "ER", ""


def ris_reference(item: Mapping[str, Any]) -> str:
    """One CSL-JSON item as a RIS reference, ``TY`` to ``ER`` (no line break after it)."""
    return "\n".join(f"{tag}  - {value}".rstrip(" ") if tag != "ER" else "ER  - "
                     for tag, value in _lines(item))


def join_ris(references: Sequence[str]) -> str:
    """RIS references as one file: a blank line between them, a line break at the end."""
    return "\n\n".join(references) + ("\n" if references else "")


def to_ris(records: Iterable[csljson.RecordLike]) -> str:
    """The records as RIS text (CRLF-free; one blank line between references)."""
    return join_ris([ris_reference(csljson.record_to_csl(r)) for r in records])
