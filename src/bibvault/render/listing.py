"""Choosing, grouping and ordering the records of a reading list.

These are pure functions over :class:`~bibvault.records.Record` values: the
filters a reader asks for, the sections a list is grouped into, and the order
within a section (newest first by default, undated records always last).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bibvault.config import Config
from bibvault.dates import DateError, parse_edtf
from bibvault.records import Record

GROUP_BY = ("section", "topic", "type", "year", "none")
ORDERS = ("newest-first", "oldest-first")

#: Headings for ``--group-by type``; unknown types fall back to the type name.
TYPE_TITLES = {
    "article": "Articles",
    "online": "Web pages",
    "report": "Reports",
    "book": "Books",
    "mvbook": "Books",
    "inbook": "Book chapters",
    "incollection": "Book chapters",
    "collection": "Edited books",
    "inproceedings": "Conference papers",
    "thesis": "Theses",
    "video": "Videos",
    "movie": "Films",
    "audio": "Audio",
    "misc": "Other",
    "unpublished": "Unpublished works",
}


@dataclass(frozen=True)
class Filters:
    """What a reader narrows the list to. Empty tuples and ``None`` mean "no filter".

    Several values of one filter are alternatives (any topic of ``topics``);
    different filters must all hold. ``since`` and ``until`` are dates written
    ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, both inclusive; a record without
    a date never passes a date filter.
    """

    topics: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None

    def is_empty(self) -> bool:
        """True when no filter is set."""
        return not (self.topics or self.types or self.keys or self.since or self.until)


@dataclass(frozen=True)
class Group:
    """One section of the list: a heading and its records in display order."""

    id: str
    title: str
    records: tuple[Record, ...]
    description: str = ""


def date_bound(text: str) -> tuple[int, int, int]:
    """The sort key of a filter date; raise :class:`ValueError` when it is not a date."""
    try:
        date = parse_edtf(text.strip())
    except DateError as exc:
        raise ValueError(f"not a date: {text!r} (use YYYY, YYYY-MM or YYYY-MM-DD)") from exc
    if date.is_range or date.start is None:
        raise ValueError(f"not a single date: {text!r}")
    return date.sort_key()


def _in_range(record: Record, since: str | None, until: str | None) -> bool:
    if since is None and until is None:
        return True
    date = record.date
    if date is None:
        return False
    key = date.sort_key()
    if since is not None:
        a, b = _common(key, date_bound(since))
        if a < b:
            return False
    if until is not None:
        a, b = _common(key, date_bound(until))
        if a > b:
            return False
    return True


def _common(
    a: tuple[int, int, int], b: tuple[int, int, int]
) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Both keys cut to the precision they share, so 2022-09 overlaps 2022-09-15."""
    def precision(k: tuple[int, int, int]) -> int:
        return 1 if not k[1] else 2 if not k[2] else 3

    p = min(precision(a), precision(b))
    return a[:p] + (0,) * (3 - p), b[:p] + (0,) * (3 - p)  # type: ignore[return-value]


def select(records: Iterable[Record], filters: Filters) -> list[Record]:
    """The records that pass every filter, in their original order."""
    topics = {t.casefold() for t in filters.topics}
    types = {t.casefold() for t in filters.types}
    keys = set(filters.keys)
    out = []
    for r in records:
        if topics and not topics & {t.casefold() for t in r.topics}:
            continue
        if types and r.entry_type.casefold() not in types and r.source_type.casefold() not in types:
            continue
        if keys and r.key not in keys:
            continue
        if not _in_range(r, filters.since, filters.until):
            continue
        out.append(r)
    return out


def sort_records(records: Iterable[Record], order: str = "newest-first") -> list[Record]:
    """Records by date (``newest-first`` or ``oldest-first``); undated ones last.

    Ties (and the undated tail) keep a stable, readable order: title, then key.
    """
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r} (known: {', '.join(ORDERS)})")
    newest = order == "newest-first"

    def key(r: Record) -> tuple[int, tuple[int, int, int], str, str]:
        date = r.date
        if date is None:
            return (1, (0, 0, 0), r.title.casefold(), r.key)
        y, m, d = date.sort_key()
        dkey = (-y, -m, -d) if newest else (y, m, d)
        return (0, dkey, r.title.casefold(), r.key)

    return sorted(records, key=key)


def group_records(
    records: Sequence[Record], config: Config, group_by: str = "section",
    order: str = "newest-first", keep_empty: bool = True,
) -> list[Group]:
    """Split records into headed groups, each sorted by ``order``.

    ``section``: the configured sections, in configuration order, by entry type;
    records of no section's type go to a final "Other" group. Configured sections
    stay even when empty (unless ``keep_empty`` is false), as a reading list
    announces what it collects.
    ``topic``: one group per topic of the vocabulary (a record appears under each
    of its topics), then unknown topics, then "Untagged". ``type``: one group
    per entry type. ``year``: newest year first, "Undated" last. ``none``: one group.
    """
    if group_by not in GROUP_BY:
        raise ValueError(f"unknown grouping {group_by!r} (known: {', '.join(GROUP_BY)})")
    buckets: dict[str, list[Record]] = {}
    heads: dict[str, tuple[str, str]] = {}

    def put(gid: str, title: str, record: Record | None, description: str = "") -> None:
        buckets.setdefault(gid, [])
        heads.setdefault(gid, (title, description))
        if record is not None:
            buckets[gid].append(record)

    if group_by == "section":
        for s in config.sections:
            put(s.id, s.title, None, s.description)
        for r in records:
            home = next((s for s in config.sections
                         if r.entry_type in s.types or r.source_type in s.types), None)
            if home is None:
                put("other", "Other", r)
            else:
                put(home.id, home.title, r, home.description)
    elif group_by == "topic":
        known = {t.casefold(): t for t in config.topics}
        for tid, topic in config.topics.items():
            put(tid, topic.label, None, topic.description)
        loose: list[tuple[str, Record]] = []
        for r in records:
            if not r.topics:
                loose.append(("untagged", r))
            for t in dict.fromkeys(r.topics):
                if t.casefold() in known:
                    tid = known[t.casefold()]
                    put(tid, config.topics[tid].label, r)
                else:
                    loose.append((t, r))
        for t, r in sorted(loose, key=lambda p: (p[0] == "untagged", p[0].casefold())):
            put(t, "Untagged" if t == "untagged" else t, r)
    elif group_by == "type":
        for r in sorted(records, key=lambda r: r.entry_type):
            put(r.entry_type, TYPE_TITLES.get(r.entry_type, r.entry_type.capitalize()), r)
    elif group_by == "year":
        years = sorted({r.date.year for r in records if r.date and r.date.year is not None},
                       reverse=order == "newest-first")
        for y in years:
            put(str(y), str(y), None)
        for r in records:
            year = r.date.year if r.date else None
            if year is None:
                put("undated", "Undated", r)
            else:
                put(str(year), str(year), r)
    else:
        put("all", "All records", None)
        for r in records:
            put("all", "All records", r)
    keep = keep_empty and group_by == "section"
    return [Group(gid, heads[gid][0], tuple(sort_records(rs, order)), heads[gid][1])
            for gid, rs in buckets.items() if rs or keep]
