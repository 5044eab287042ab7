"""Choosing, grouping and ordering the records of a reading list.

These are pure functions over :class:`~bibvault.records.Record` values: the
filters a reader asks for, the sections a list is grouped into, and the order
within a section (newest first by default, undated records always last).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bibvault.config import Config
from bibvault.records import Record
from bibvault.select import ORDERS, Filters, date_bound, select, sort_records

__all__ = ["GROUP_BY", "ORDERS", "TYPE_TITLES", "Filters", "Group", "date_bound", "group_records",
           "select", "sort_records"]

GROUP_BY = ("section", "topic", "type", "year", "none")

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
class Group:
    """One section of the list: a heading and its records in display order."""

    id: str
    title: str
    records: tuple[Record, ...]
    description: str = ""


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
