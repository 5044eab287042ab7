"""cs:date and cs:date-part: localized and non-localized dates, ranges and seasons."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from bibvault.csl.element import Element, Evaluation, Formatting, Summaries, decorate
from bibvault.csl.items import DateValue
from bibvault.csl.reach import Reach, called_reach
from bibvault.csl.richtext import Content, Rich, SortDate, join
from bibvault.csl.state import year_suffix_text


@dataclass(frozen=True, slots=True)
class DatePart:
    """cs:date-part: which part, its form, range delimiter and formatting (no display)."""

    name: str
    form: str
    range_delimiter: str
    formatting: Formatting

    @classmethod
    def from_attrs(cls, attrs: Mapping[str, str], where: str = "") -> DatePart:
        """A date part from the attributes of a style's or a locale's cs:date-part."""
        name = attrs.get("name", "")
        return cls(name, attrs.get("form", "long" if name != "day" else "numeric"),
                   attrs.get("range-delimiter", "\u2013"),
                   dataclasses.replace(Formatting.from_attrs(attrs, where), display=None))



_ALLOWED = {
    "year-month-day": ("year", "month", "day"),
    "year-month": ("year", "month"),
    "year": ("year",),
}
_RANK = {"year": 0, "month": 1, "day": 2}


@dataclass(frozen=True, slots=True)
class Date(Element):
    """cs:date: its own date parts, or a localized form with the parts' overrides."""

    variable: str
    form: str | None
    allowed: tuple[str, ...]  # the date-parts attribute of a localized date
    parts: tuple[DatePart, ...]
    overrides: Mapping[str, Mapping[str, str]]
    delimiter: str
    formatting: Formatting

    def reach(self, s: Summaries) -> Reach:
        return called_reach(frozenset((self.variable,)))

    def render(self, ev: Evaluation) -> Content:
        return render_date(self, ev)


def _date_parts(date: Date, ev: Evaluation) -> tuple[tuple[DatePart, ...], str, Formatting | None]:
    """The date parts to render, the delimiter, and the formatting of the localized
    base date (worked out once per processor for a localized date)."""
    if not date.form:
        return date.parts, date.delimiter, None
    memo = ev.env.localized_dates
    found = memo.get(id(date))
    if found is None or found[0] is not date:
        found = memo[id(date)] = (date, *_localized(date, ev))
    return found[1], found[2], found[3]


def _localized(date: Date, ev: Evaluation) -> tuple[tuple[DatePart, ...], str, Formatting | None]:
    assert date.form is not None
    base = ev.locale.dates.get(date.form)
    if base is None:
        return (), "", None
    parts = []
    for bp in base.findall("date-part"):
        name = bp.get("name", "")
        if name not in date.allowed:
            continue
        attrs = dict(bp.attrs)
        for k, v in date.overrides.get(name, {}).items():
            if k not in ("prefix", "suffix"):
                attrs[k] = v
        parts.append(DatePart.from_attrs(attrs))
    fmt_attrs = {k: v for k, v in base.attrs.items() if k not in ("form", "delimiter", "prefix", "suffix")}
    return tuple(parts), base.get("delimiter", ""), Formatting.from_attrs(fmt_attrs) if fmt_attrs else None


def _part_text(part: DatePart, date: list[int], dv: DateValue, ev: Evaluation, is_end: bool) -> str | None:
    name = part.name
    form = part.form
    loc = ev.locale
    if name == "year":
        if not date:
            return None
        y = date[0]
        if form == "short":
            text = f"{abs(y) % 100:02d}"
        else:
            text = str(abs(y))
        if y < 0:
            text += loc.term("bc") or "BC"
        elif 0 < y < 1000:
            text += loc.term("ad") or "AD"
        return text
    if name == "month":
        if len(date) < 2:
            if dv.season is not None and len(date) >= 1 and not (is_end and not dv.end):
                if isinstance(dv.season, int) and 1 <= dv.season <= 4:
                    return loc.term(f"season-{dv.season:02d}") or None
                return str(dv.season)
            return None
        m = date[1]
        if not 1 <= m <= 24:
            return None  # not a month
        if m > 12:
            return loc.term(f"season-{(m - 13) % 4 + 1:02d}") or None
        if form in ("long", "short"):
            return loc.term(f"month-{m:02d}", form) or str(m)
        if form == "numeric-leading-zeros":
            return f"{m:02d}"
        return str(m)
    if name == "day":
        if len(date) < 3:
            return None
        d = date[2]
        if form == "numeric-leading-zeros":
            return f"{d:02d}"
        if form == "ordinal":
            if loc.options.get("limit-day-ordinals-to-day-1") == "true" and d != 1:
                return str(d)
            gender = loc.gender(f"month-{date[1]:02d}") if len(date) > 1 else None
            return f"{d}{loc.ordinal_suffix(d, gender)}"
        return str(d)
    return None


def _render_part(part: DatePart, date: list[int], dv: DateValue, ev: Evaluation, *,
                 is_end: bool = False, drop_prefix: bool = False, drop_suffix: bool = False) -> Content:
    text = _part_text(part, date, dv, ev, is_end)
    if text is None:
        return None
    content: Content = text
    if part.name == "year" and not ev.env.options.year_suffix_explicit and not ev.year_suffix_done:
        ys = ev.req.disamb.year_suffix
        if ys is not None and not is_end:
            ev.year_suffix_done = True
            content = text + year_suffix_text(ys)
    f = part.formatting
    if drop_prefix or drop_suffix:
        f = dataclasses.replace(f, prefix="" if drop_prefix else f.prefix, suffix="" if drop_suffix else f.suffix)
    return decorate(f, content, ev)


def _parts_join(rendered: list[Content], delimiter: str) -> Rich | None:
    return join(rendered, delimiter)


def render_date(node: Date, ev: Evaluation) -> Content:
    """Render a cs:date element for the item being evaluated."""
    var = node.variable
    ev.called += 1
    dv = ev.var(var)
    if not isinstance(dv, DateValue) or (var == "accessed" and ev.req.cite.comparing):
        # citeproc-js leaves the accessed date out when it compares cites.
        return None
    if ev.sorting and dv.parts:
        ev.mark(var)
        shown: set[str | None] = {p.name for p in _date_parts(node, ev)[0]}
        return SortDate(date_sort_string(dv, shown))
    if dv.literal is not None and not dv.parts:
        ev.mark(var)
        return decorate(node.formatting, dv.literal, ev)
    parts, delimiter, base_fmt = _date_parts(node, ev)
    if not parts:
        return None
    start, end = dv.start, dv.end
    if end is None or not start:
        out = _parts_join([_render_part(p, start, dv, ev) for p in parts], delimiter)
        if dv.open_end and out is not None:
            year = next((p for p in parts if p.name == "year"), None)
            out = join([out, year.range_delimiter if year is not None else "\u2013"])
    else:
        if start[0] != end[0]:
            gran = "year"
        elif len(start) > 1 and len(end) > 1 and start[1] != end[1]:
            gran = "month"
        elif len(start) > 2 and len(end) > 2 and start[2] != end[2]:
            gran = "day"
        else:
            gran = ""
        present = [p for p in parts if _part_text(p, start, dv, ev, False) is not None]
        if not gran:
            out = _parts_join([_render_part(p, start, dv, ev) for p in parts], delimiter)
        else:
            rank = _RANK[gran]
            run = [i for i, p in enumerate(present) if _RANK.get(p.name, 0) >= rank]
            if not run:
                out = _parts_join([_render_part(p, start, dv, ev) for p in present], delimiter)
            else:
                lo, hi = run[0], run[-1]
                gran_part = next((p for p in present if p.name == gran), present[lo])
                rdelim = gran_part.range_delimiter
                before = [_render_part(p, start, dv, ev) for p in present[:lo]]
                srun = [
                    _render_part(p, start, dv, ev, drop_suffix=(i == hi))
                    for i, p in enumerate(present) if lo <= i <= hi
                ]
                erun = [
                    _render_part(p, end, dv, ev, is_end=True, drop_prefix=(i == lo))
                    for i, p in enumerate(present) if lo <= i <= hi
                ]
                after = [_render_part(p, start, dv, ev) for p in present[hi + 1 :]]
                middle = join([_parts_join(srun, delimiter), _parts_join(erun, delimiter)], rdelim)
                out = _parts_join([*before, middle, *after], delimiter)
    if out is None:
        return None
    ev.mark(var)
    if base_fmt is not None:
        out = decorate(base_fmt, out, ev)
    return decorate(node.formatting, out, ev)

def date_sort_string(d: DateValue, parts: set[str | None] | None = None) -> str:
    """A string ordering dates chronologically, limited to ``parts`` when given."""

    def fmt(p: list[int]) -> str:
        y = p[0] if p else 0
        m = p[1] if len(p) > 1 and (parts is None or "month" in parts) else 0
        day = p[2] if len(p) > 2 and (parts is None or "day" in parts) else 0
        m = m if 1 <= m <= 12 else 0  # seasons and invalid months sort with the year
        day = day if 1 <= day <= 31 else 0
        return f"{y + 10000:05d}{m:02d}{day:02d}"

    # citeproc-js always writes the end of a range, as year 0 when there is none: a
    # compared digit run has the same length for every date.
    return fmt(d.start) + fmt(d.end or [])

