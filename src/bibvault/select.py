"""Choosing and ordering records: the filters shared by ``list``, ``build``, ``check`` and ``export``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bibvault.edtf import DateError, parse_edtf
from bibvault.records import Record

ORDERS = ("newest-first", "oldest-first")


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


def select_records(
    records: Iterable[Record],
    *,
    topics: Sequence[str] = (),
    types: Sequence[str] = (),
    keys: Sequence[str] = (),
    since: int | str | None = None,
    until: int | str | None = None,
) -> list[Record]:
    """Keyword form of :func:`select`: records passing every given filter, in order."""
    return select(records, Filters(
        topics=tuple(topics), types=tuple(types), keys=tuple(keys),
        since=None if since is None else str(since), until=None if until is None else str(until),
    ))


def newest_first(records: Iterable[Record]) -> list[Record]:
    """Newest first; undated records last."""
    return sort_records(records, "newest-first")
