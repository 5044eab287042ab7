"""cs:sort: keys from variables and macros, collated by locale, empty values last."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from bibvault.csl.collation import Collator
from bibvault.csl.dates import date_sort_string
from bibvault.csl.element import Evaluation, render_children
from bibvault.csl.items import DateValue
from bibvault.csl.names import Names
from bibvault.csl.numbers import is_numeric
from bibvault.csl.richtext import plain, sort_dates_only


@dataclass(frozen=True, slots=True)
class SortKey:
    """cs:key: a variable (with the cs:names that sorts it when it holds names) or a macro."""

    variable: str | None
    macro: str | None
    descending: bool
    # names-min / names-use-first / names-use-last as cs:name options.
    overrides: Mapping[str, str]
    names: Names | None
    macro_holds_date: bool = False  # the macro has a cs:date among its descendants
    # The key may read what differs between items of the same data: citation-number
    # or the id (per_cite), year-suffix (itself, or as a date or citation-label prints it).
    per_cite: bool = False
    reads_suffix: bool = False


@dataclass(frozen=True, slots=True)
class Sort:
    """cs:sort: its keys, most significant first."""

    keys: tuple[SortKey, ...]


# ``make(id, name_overrides)`` → an evaluation of that item for a sort key.
MakeEvaluation = Callable[[str, dict[str, str]], Evaluation]


def variable_key(ev: Evaluation, key: SortKey, collator: Collator, citation_number: int) -> Any:
    """Sort value of a variable, or None when it is empty."""
    name = key.variable or ""
    if name == "citation-number":
        return citation_number
    value = ev.var(name)
    if value is None:
        return None
    if isinstance(value, DateValue):
        return date_sort_string(value) if value.parts else None
    if isinstance(value, list):
        if key.names is None:
            return None
        out = plain(key.names.render(ev))
        return collator.key(out, ev.locale.lang) if out else None
    text = str(value)
    if is_numeric(text) and re.match(r"\s*\d+", text):
        m = re.match(r"\s*(\d+)", text)
        assert m is not None
        return int(m.group(1))
    return collator.key(plain_text(text), ev.locale.lang)


def plain_text(text: str) -> str:
    """Strip rich-text markup from a CSL-JSON string."""
    return re.sub(r"<[^>]+>", "", text)


def macro_key(ev: Evaluation, key: SortKey, collator: Collator) -> Any:
    """Sort value of a macro rendered in sort mode."""
    macro = ev.env.macros.get(key.macro or "")
    if macro is None:
        return None
    out = render_children(macro, ev)
    text = plain(sort_dates_only(out) if key.macro_holds_date else out)
    if not text:
        return None
    return collator.key(text, ev.locale.lang)


def sort_ids(ids: list[str], sort: Sort | None, make: MakeEvaluation,
             collator: Collator, numbers: dict[str, int],
             twins: Mapping[str, tuple[str, bool]] | None = None) -> list[str]:
    """``ids`` ordered by the keys of ``sort`` (stable; empty values last).

    ``twins`` maps ids to an earlier id whose item and evaluation state are the
    same but for the year suffix, and whether that is the same too: the two share
    every key that is not :attr:`SortKey.per_cite`, and those that read the year
    suffix when theirs are the same.
    """
    if sort is None or not sort.keys or len(ids) < 2:
        return list(ids)
    keys = sort.keys
    descending = [k.descending for k in keys]
    # A key is worked out only when the keys before it tie: most items differ in
    # the first one, and later keys (often whole macros) are never rendered.
    values: dict[str, list[Any]] = {id_: [] for id_ in ids}
    # Twins tie on every shared key: each key is worked out once per set of them.
    same = {i: t for i, t in (twins or {}).items() if i in values and t[0] in values}

    def value(id_: str, i: int) -> Any:
        row = values[id_]
        while len(row) <= i:
            k = keys[len(row)]
            twin = same.get(id_) if not k.per_cite else None
            if twin is not None and (twin[1] or not k.reads_suffix):
                row.append(value(twin[0], len(row)))
            elif k.variable:
                ev = make(id_, {"_names-all": "1"})
                row.append(variable_key(ev, k, collator, numbers.get(id_, 0)))
            else:
                row.append(macro_key(make(id_, dict(k.overrides)), k, collator))
        return row[i]

    def cmp(a: str, b: str) -> int:
        for i in range(len(keys)):
            va, vb = value(a, i), value(b, i)
            if va is None and vb is None:
                continue
            if va is None:
                return 1
            if vb is None:
                return -1
            if type(va) is not type(vb):
                va, vb = str(va), str(vb)
            if va == vb:
                continue
            r = -1 if va < vb else 1
            return -r if descending[i] else r
        return 0

    def by_key(group: list[str], i: int) -> list[str] | None:
        # ``group`` ties on the keys before ``i``: a stable sort on key ``i`` (empty
        # values last), then each run of equal values by the next key. This is the
        # order cmp gives, with the keys worked out for the same items (the items
        # of a tie are the ones cmp compares on the next key), without a Python call
        # per comparison. None when values of different kinds meet in one key, where
        # cmp compares them as text.
        if i == len(keys) or len(group) < 2:
            return group
        row = [(value(id_, i), id_) for id_ in group]
        present = [v for v in row if v[0] is not None]
        if len({type(v) for v, _ in present}) > 1:
            return None
        present.sort(key=itemgetter(0), reverse=descending[i])
        out: list[str] = []
        runs = [[id_ for _, id_ in run] for _, run in groupby(present, key=itemgetter(0))]
        runs.append([id_ for v, id_ in row if v is None])
        for run in runs:
            part = by_key(run, i + 1)
            if part is None:
                return None
            out.extend(part)
        return out

    ordered = by_key(list(ids), 0)
    return ordered if ordered is not None else sorted(ids, key=functools.cmp_to_key(cmp))
