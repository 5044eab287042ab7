"""RIS files → candidates.

A small reader of its own rather than rispy: RIS is one ``TAG  - value`` per
line, and bibvault needs what rispy does not give, the line of every tag (for
findings that point into the file) and every tag it does not know (reported,
never dropped). Each reference becomes the CSL-JSON item
:mod:`bibvault.export.ris` would have been written from, and
:func:`bibvault.ingest.cslitems.item_to_candidate` maps that item to biblatex,
so RIS and CSL-JSON imports share one mapping.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bibvault.export.ris import RIS_TYPES
from bibvault.ingest.candidate import Candidate
from bibvault.ingest.cslitems import item_to_candidate
from bibvault.ingest.import_rules import import_finding

_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")

#: RIS reference type → CSL type: the export's table read backwards, plus the
#: types other tools write.
TYPES: Mapping[str, str] = {ris: csl for csl, ris in reversed(list(RIS_TYPES.items()))} | {
    "JOUR": "article-journal", "EJOUR": "article-journal", "INPR": "article-journal",
    "ELEC": "webpage", "WEB": "webpage", "ICOMM": "webpage", "CONF": "paper-conference",
    "EBOOK": "book", "EDBOOK": "book", "CLSWK": "book", "SER": "book", "ECHAP": "chapter",
    "DICT": "entry-dictionary", "MPCT": "motion_picture", "MUSIC": "song",
    "ART": "graphic", "FIGURE": "graphic", "MAP": "map", "DBASE": "dataset",
    "MANSCPT": "manuscript", "GOVDOC": "report", "BILL": "bill", "UNBILL": "bill",
    "HEAR": "hearing", "JFULL": "periodical", "GEN": "document",
}
_AUTHORS = {"AU": "author", "A1": "author", "A2": "editor", "ED": "editor", "A4": "translator"}
_TEXT = {"TI": "title", "T1": "title", "ST": "title-short", "T3": "collection-title",
         "VL": "volume", "IS": "issue", "M1": "number", "M3": "genre", "ET": "edition",
         "PB": "publisher", "CY": "publisher-place", "DO": "DOI", "AB": "abstract",
         "N2": "abstract", "LA": "language", "ID": "id"}
_CONTAINER = ("T2", "JO", "JF", "BT", "JA", "J2")
_BOOKLIKE = frozenset({"book", "report", "thesis", "pamphlet", "manuscript", "document"})
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_RUNNING = re.compile(r"^Running time:\s*(.+)$")
_ARCHIVED = re.compile(r"^Archived copy(?: \(([^)]*)\))?:\s*(\S+)$")


@dataclass
class RisReference:
    """One reference as read: its first line and its (tag, value, line) triples in order."""

    line: int
    tags: list[tuple[str, str, int]] = field(default_factory=list)
    closed: bool = False

    def values(self, tag: str) -> list[str]:
        """Every non-empty value of ``tag``, in order."""
        return [v for t, v, _ in self.tags if t == tag and v]

    def first(self, *tags: str) -> str:
        """The first non-empty value among ``tags``, or ""."""
        for tag in tags:
            found = self.values(tag)
            if found:
                return found[0]
        return ""


def parse_ris(text: str) -> tuple[list[RisReference], list[tuple[int, str]]]:
    """The references of a RIS text, and (line, text) of lines outside any reference.

    A line that is not ``TAG  - value`` inside a reference continues the previous
    value (some tools wrap long abstracts).
    """
    refs: list[RisReference] = []
    stray: list[tuple[int, str]] = []
    current: RisReference | None = None
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), 1):
        line = raw.rstrip()
        m = _LINE.match(line)
        if m and m.group(1) == "TY":
            current = RisReference(number)
            refs.append(current)
        if m and current is not None:
            if m.group(1) == "ER":
                current.closed = True
                current = None
            else:
                current.tags.append((m.group(1), (m.group(2) or "").strip(), number))
        elif current is not None and line.strip() and current.tags:
            tag, value, at = current.tags[-1]
            current.tags[-1] = (tag, f"{value} {line.strip()}".strip(), at)
        elif line.strip():
            stray.append((number, line.strip()))
    return refs, stray


def read_ris(text: str, path: str) -> list[Candidate]:
    """The candidates of a RIS file, one per reference, findings attached."""
    refs, stray = parse_ris(text)
    out = []
    for ref in refs:
        source = f"{path}:{ref.line}"
        item, unmapped = reference_to_item(ref)
        cand = item_to_candidate(item, source, path, ref.line, origin=f"RIS {source}")
        cand.type_reason = f"RIS type {ref.first('TY') or '(none)'}"
        key = cand.original_key
        if not ref.closed:
            cand.findings.append(import_finding(
                "I701", "the reference has no `ER  - ` line; it is cut off and not imported",
                path, ref.line, key))
        for tag, value, line in unmapped:
            cand.findings.append(import_finding(
                "I702", f"RIS tag {tag} ({value[:60]}) not imported", path, line, key))
        out.append(cand)
    if stray and out:
        line, first = stray[0]
        out[0].findings.append(import_finding(
            "I702", f"{len(stray)} line(s) outside any reference not imported, the first: "
                    f"{first[:60]!r}", path, line))
    return out


def reference_to_item(ref: RisReference) -> tuple[dict[str, Any], list[tuple[str, str, int]]]:
    """A RIS reference as a CSL-JSON item, and the (tag, value, line) it found no place for."""
    ty = ref.first("TY").upper()
    ctype = TYPES.get(ty, ty.lower() or "document")
    item: dict[str, Any] = {"type": ctype}
    unmapped: list[tuple[str, str, int]] = []
    used = {"TY", "KW", "N1", "SP", "EP", "PY", "Y1", "DA", "Y2", "SN", "UR", *_CONTAINER,
            *_AUTHORS, *_TEXT}
    for tag, role in _AUTHORS.items():
        for name in ref.values(tag):
            item.setdefault(role, []).append(_name(name))
    for tag, variable in _TEXT.items():
        value = ref.first(tag)
        if value and variable not in item:
            item[variable] = value
    container = ref.first(*_CONTAINER)
    if container:
        item["container-title"] = container
    if ref.first("JA", "J2") and ref.first("T2", "JO", "JF"):
        item["container-title-short"] = ref.first("JA", "J2")
    _pages(ref, item)
    _ris_dates(ref, item)
    urls = ref.values("UR")
    if urls:
        item["URL"] = urls[0]
        unmapped.extend((t, v, n) for t, v, n in ref.tags if t == "UR" and v != urls[0])
    for number in ref.values("SN"):
        digits = re.sub(r"[^0-9Xx]", "", number)
        item.setdefault("ISSN" if len(digits) == 8 else "ISBN", number)
    item["keyword"] = ", ".join(ref.values("KW"))
    notes = []
    for note in ref.values("N1"):
        if m := _RUNNING.match(note):
            item["dimensions"] = m.group(1)
        elif m := _ARCHIVED.match(note):
            item["archive_location"] = m.group(2)
        else:
            notes.append(_HTML_TAG.sub(" ", note))  # Zotero writes its notes as HTML
    if notes:
        item["note"] = " ".join(notes)
    unmapped.extend((t, v, n) for t, v, n in ref.tags if t not in used and v)
    unmapped.extend((t, v, n) for t, v, n in ref.tags
                    if t in _TEXT and v and ref.first(t) != v)  # a repeated one-value tag
    return item, unmapped


def _name(text: str) -> dict[str, str]:
    """A RIS name: "Family, Given[, Suffix]"; without a comma, an organisation."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 1:
        return {"literal": text.strip()}
    name = {"family": parts[0], "given": parts[1]}
    if len(parts) > 2 and parts[2]:
        name["suffix"] = parts[2]
    return {k: v for k, v in name.items() if v}


def _pages(ref: RisReference, item: dict[str, Any]) -> None:
    start, end = ref.first("SP"), ref.first("EP")
    if start and not end and item["type"] in _BOOKLIKE and start.isdigit():
        item["number-of-pages"] = start  # the export writes a page count as SP alone
    elif start:
        item["page"] = f"{start}-{end}" if end and end != start else start


def _ris_dates(ref: RisReference, item: dict[str, Any]) -> None:
    issued = _ris_date(ref.first("DA")) or _ris_date(ref.first("PY", "Y1"))
    if issued:
        item["issued"] = issued
    elif ref.first("DA", "PY", "Y1"):
        item["issued"] = {"literal": ref.first("DA", "PY", "Y1")}
    accessed = _ris_date(ref.first("Y2"))
    if accessed:
        item["accessed"] = accessed


def _ris_date(text: str) -> dict[str, Any] | None:
    """``2022/09/03/``, ``2022/09//``, ``2022``, ``2022-09-03`` as a CSL date."""
    fields = re.split(r"[/-]", text.strip())
    numbers: list[int] = []
    for part in fields[:3]:
        if not part.strip().isdigit():
            break
        numbers.append(int(part))
    if not numbers or not 1000 <= numbers[0] <= 9999:
        return None
    if len(numbers) > 1 and not 1 <= numbers[1] <= 12:
        numbers = numbers[:1]
    return {"date-parts": [numbers]}
