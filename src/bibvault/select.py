"""Choosing and ordering records: the filters shared by ``list``, ``build`` and ``export``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bibvault.records import Record


def select_records(
    records: Iterable[Record],
    *,
    topics: Sequence[str] = (),
    types: Sequence[str] = (),
    keys: Sequence[str] = (),
    since: int | None = None,
    until: int | None = None,
) -> list[Record]:
    """Records matching every given filter. Undated records fail ``since``/``until``.

    ``types`` match the biblatex type or the type as written (``techreport``).
    """
    wanted_types = {t.lower().lstrip("@") for t in types}
    wanted_keys = set(keys)
    out = []
    for r in records:
        if topics and not set(topics) & set(r.topics):
            continue
        if wanted_types and r.entry_type not in wanted_types and r.source_type not in wanted_types:
            continue
        if wanted_keys and r.key not in wanted_keys:
            continue
        year = r.date.year if r.date else None
        if since is not None and (year is None or year < since):
            continue
        if until is not None and (year is None or year > until):
            continue
        out.append(r)
    return out


def newest_first(records: Iterable[Record]) -> list[Record]:
    """Newest first by date; undated records last, each group in a stable order (by key)."""
    recs = list(records)
    dated = [r for r in recs if r.date is not None]
    undated = [r for r in recs if r.date is None]
    dated.sort(key=lambda r: r.key)
    dated.sort(key=lambda r: r.date.sort_key(), reverse=True)  # type: ignore[union-attr]
    undated.sort(key=lambda r: r.key)
    return dated + undated
