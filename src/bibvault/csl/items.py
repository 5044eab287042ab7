"""CSL-JSON input normalised for rendering: dates parsed, names split, numbers as text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# CSL-JSON spellings that older tools still produce.
_KEY_ALIASES = {
    "shortTitle": "title-short",
    "journalAbbreviation": "container-title-short",
}


@dataclass
class DateValue:
    """A date or range: up to two (year, month, day) parts plus qualifiers."""

    parts: list[list[int]] = field(default_factory=list)
    season: int | str | None = None
    circa: bool = False
    literal: str | None = None
    open_end: bool = False  # a range with no end ("1987–")

    @property
    def start(self) -> list[int]:
        """(year, month, day) of the start, as far as known."""
        return self.parts[0] if self.parts else []

    @property
    def end(self) -> list[int] | None:
        """The end of a range, or None."""
        if len(self.parts) > 1 and self.parts[1] and self.parts[1] != self.parts[0]:
            return self.parts[1]
        return None

    def sort_key(self, end: bool = False) -> tuple[int, ...]:
        """A tuple ordering dates chronologically (missing parts sort first)."""
        p = (self.end or self.start) if end else self.start
        y = p[0] if p else 0
        m = p[1] if len(p) > 1 else 0
        d = p[2] if len(p) > 2 else 0
        return (y, m if m <= 12 else 0, d)


def _int(v: Any) -> int | None:
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return None


_RAW = re.compile(r"^\s*(-?\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*$")


def parse_date(value: Any) -> DateValue | None:
    """A :class:`DateValue` from a CSL-JSON date object (or a raw string)."""
    if isinstance(value, str):
        value = {"raw": value}
    if not isinstance(value, dict):
        return None
    dv = DateValue()
    dv.circa = bool(value.get("circa"))
    season = value.get("season")
    if season not in (None, ""):
        dv.season = _int(season) or season
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts:
        for p in parts[:2]:
            if not isinstance(p, list):
                continue
            nums: list[int] = []
            for x in p[:3]:
                n = _int(x)
                if n is None:
                    break
                nums.append(n)
            while nums and nums[-1] == 0 and len(nums) > 1:
                nums.pop()
            if nums and nums[0] != 0 or len(nums) > 1:
                dv.parts.append(nums)
            elif dv.parts and len(dv.parts) == 1:
                dv.open_end = True
    elif value.get("raw"):
        raw = str(value["raw"])
        if raw.endswith("~") or raw.endswith("?"):
            dv.circa = True
            raw = raw.rstrip("~?")
        for piece in raw.split("/")[:2]:
            m = _RAW.match(piece)
            if not m:
                dv.parts = []
                dv.literal = str(value["raw"])
                break
            dv.parts.append([int(g) for g in m.groups() if g is not None])
    if value.get("literal"):
        dv.literal = str(value["literal"])
    if not dv.parts and dv.literal is None:
        return None
    return dv


_PARTICLE = re.compile(
    r"^((?:[a-z\u00e0-\u024f][\w\u00e0-\u024f.]*['\u2019]?\s+|['\u2019][a-z]+\s+|[a-z]+['\u2019]|[a-z]+-)+)(.+)$"
)
_DROPPING = re.compile(r"^(.+?)\s+((?:[a-z\u00e0-\u024f][\w\u00e0-\u024f.'\u2019]*\s*)+)$")


def normalize_name(name: Any) -> dict[str, Any]:
    """A name dict with particles and suffixes split out when they are implied."""
    if isinstance(name, str):
        return {"literal": name}
    if not isinstance(name, dict):
        return {"literal": str(name)}
    n: dict[str, Any] = {k: (str(v) if not isinstance(v, bool | dict | list) else v) for k, v in name.items()}
    if "literal" in n or n.get("isInstitution"):
        if "literal" not in n:
            n["literal"] = n.get("family", "")
        return n
    family = n.get("family", "")
    given = n.get("given", "")
    if n.get("parse-names") in (False, "false") or "non-dropping-particle" in n or "dropping-particle" in n:
        return n
    if family.startswith('"') and family.endswith('"') and len(family) > 1:
        n["family"] = family[1:-1]
        return n
    m = _PARTICLE.match(family)
    if m:
        particle, rest = m.group(1), m.group(2)
        stripped = particle.rstrip()
        # "de' Frinkle" keeps its space; "d'Wander" has none to keep.
        n["non-dropping-particle"] = particle if stripped.endswith(("'", "\u2019")) else stripped
        n["family"] = rest
    if given:
        if "," in given and "suffix" not in n:
            g, _, suf = given.partition(",")
            suf = suf.strip()
            if suf.startswith("!"):
                suf = suf[1:].strip()
                n["comma-suffix"] = True
            n["given"], n["suffix"] = g.strip(), suf
            given = n["given"]
        m2 = _DROPPING.match(given)
        if m2 and not given[:1].islower():
            n["given"], n["dropping-particle"] = m2.group(1), m2.group(2).strip()
    return n


_NOTE_FIELD = re.compile(r"^\{?:?([a-z][a-z-]*[a-z]):\s*(.+?)\}?$")
_DATE_VARS = {"accessed", "available-date", "event-date", "issued", "original-date", "submitted"}


_NAME_VARS = set(
    "author chair collection-editor compiler composer container-author contributor curator director"
    " editor editorial-director executive-producer guest host illustrator interviewer narrator organizer"
    " original-author performer producer recipient reviewed-author script-writer series-creator"
    " translator".split()
)


def _note_fields(note: str) -> dict[str, Any]:
    """Variables given as "name: value" lines in the note field (a Zotero convention);
    names are written "Family || Given", one per line."""
    found: dict[str, Any] = {}
    for line in note.splitlines():
        m = _NOTE_FIELD.match(line.strip())
        if not m:
            continue
        name, value = m.group(1), m.group(2).strip()
        if name in _NAME_VARS:
            family, _, given = value.partition("||")
            person = {"family": family.strip(), "given": given.strip()} if given else {"literal": family.strip()}
            found.setdefault(name, []).append(person)
        else:
            found[name] = {"raw": value} if name in _DATE_VARS else value
    return found


def normalize_item(item: dict[str, Any]) -> dict[str, Any]:
    """A copy of a CSL-JSON item ready for rendering."""
    if isinstance(item.get("note"), str) and ":" in item["note"]:
        fields = _note_fields(item["note"])
        if fields:
            # The lines that were read as variables leave the note.
            rest = "\n".join(line for line in item["note"].splitlines() if not _NOTE_FIELD.match(line.strip()))
            item = {**fields, **item, "note": rest.strip()}
    out: dict[str, Any] = {}
    for key, value in item.items():
        key = _KEY_ALIASES.get(key, key)
        if key in out and key in _KEY_ALIASES.values():
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            out[key] = [normalize_name(v) for v in value]
        elif isinstance(value, dict) and ("date-parts" in value or "raw" in value or "literal" in value):
            dv = parse_date(value)
            if dv is not None:
                out[key] = dv
        elif isinstance(value, bool):
            out[key] = value
        elif isinstance(value, int | float):
            out[key] = str(value)
        elif isinstance(value, str):
            out[key] = value
        else:
            out[key] = value
    if "type" not in out:
        out["type"] = "document"
    return out


# Fields that tell most items apart, compared before whole items are.
_FINGERPRINT = ("type", "title", "container-title", "page", "DOI", "URL", "volume")


def twin_ids(items: Mapping[str, dict[str, Any]], ids: Iterable[str]) -> dict[str, str]:
    """Each of ``ids`` whose item has the same data as an earlier one's (ids aside),
    mapped to the first such id: such items render alike except for what a cite
    numbers or adds (citation-number, year-suffix).

    Linear: items are grouped by a few fields, and whole items are compared only
    within a group of two or more.
    """
    first: dict[tuple[object, ...], str | dict[str, list[str]]] = {}
    twins: dict[str, str] = {}
    for i in ids:
        item = items[i]
        fp = (len(item), *(str(item.get(k)) for k in _FINGERPRINT))
        found = first.get(fp)
        if found is None:
            first[fp] = i
            continue
        if isinstance(found, str):
            found = first[fp] = {_spelled(items[found]): [found]}
        same = found.setdefault(_spelled(item), [])
        data = _data(item)
        match = next((j for j in same if _data(items[j]) == data), None)
        if match is None:
            same.append(i)
        else:
            twins[i] = match
    return twins


def _data(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != "id"}


def _spelled(item: dict[str, Any]) -> str:
    # Keys are unique: sorting the pairs never compares values.
    return repr(sorted(_data(item).items()))
