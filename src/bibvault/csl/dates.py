"""cs:date: localized and non-localized dates, date parts, ranges and seasons."""

from __future__ import annotations

from bibvault.csl.context import Context, year_suffix_text
from bibvault.csl.items import DateValue
from bibvault.csl.render import decorate
from bibvault.csl.richtext import Content, Rich, SortDate, join
from bibvault.csl.style import Node

_ALLOWED = {
    "year-month-day": ("year", "month", "day"),
    "year-month": ("year", "month"),
    "year": ("year",),
}
_RANK = {"year": 0, "month": 1, "day": 2}


def _date_parts(node: Node, ctx: Context) -> tuple[list[Node], str, Node | None]:
    """The date-part nodes to render, the delimiter, and the localized base date."""
    form = node.get("form")
    if not form:
        return node.findall("date-part"), node.get("delimiter", ""), None
    base = ctx.locale.dates.get(form)
    if base is None:
        return [], "", None
    allowed = _ALLOWED.get(node.get("date-parts", "year-month-day"), _ALLOWED["year-month-day"])
    overrides = {dp.get("name"): dp.attrs for dp in node.findall("date-part")}
    parts = []
    for bp in base.findall("date-part"):
        name = bp.get("name", "")
        if name not in allowed:
            continue
        attrs = dict(bp.attrs)
        for k, v in overrides.get(name, {}).items():
            if k not in ("prefix", "suffix"):
                attrs[k] = v
        parts.append(Node("date-part", attrs))
    return parts, base.get("delimiter", ""), base


def _part_text(part: Node, date: list[int], dv: DateValue, ctx: Context, is_end: bool) -> str | None:
    name = part.get("name")
    form = part.get("form", "long" if name != "day" else "numeric")
    loc = ctx.locale
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


def _render_part(part: Node, date: list[int], dv: DateValue, ctx: Context, *,
                 is_end: bool = False, drop_prefix: bool = False, drop_suffix: bool = False) -> Content:
    text = _part_text(part, date, dv, ctx, is_end)
    if text is None:
        return None
    content: Content = text
    if part.get("name") == "year" and not ctx.year_suffix_explicit and not ctx.year_suffix_done:
        ys = ctx.disamb.year_suffix
        if ys is not None and not is_end:
            ctx.year_suffix_done = True
            content = text + year_suffix_text(ys)
    attrs = dict(part.attrs)
    if drop_prefix:
        attrs.pop("prefix", None)
    if drop_suffix:
        attrs.pop("suffix", None)
    attrs.pop("display", None)
    return decorate(Node("date-part", attrs), content, ctx)


def _parts_join(rendered: list[Content], delimiter: str) -> Rich | None:
    return join(rendered, delimiter)


def render_date(node: Node, ctx: Context) -> Content:
    """Render a cs:date element for the current item."""
    var = node.get("variable", "")
    ctx.called += 1
    dv = ctx.var(var)
    if not isinstance(dv, DateValue):
        return None
    if ctx.sorting and dv.parts:
        from bibvault.csl.sorting import date_sort_string

        ctx.mark(var)
        shown = {p.get("name") for p in _date_parts(node, ctx)[0]}
        return SortDate(date_sort_string(dv, shown))
    if dv.literal is not None and not dv.parts:
        ctx.mark(var)
        return decorate(node, dv.literal, ctx)
    parts, delimiter, base = _date_parts(node, ctx)
    if not parts:
        return None
    start, end = dv.start, dv.end
    if end is None or not start:
        out = _parts_join([_render_part(p, start, dv, ctx) for p in parts], delimiter)
        if dv.open_end and out is not None:
            year = next((p for p in parts if p.get("name") == "year"), None)
            out = join([out, year.get("range-delimiter", "\u2013") if year is not None else "\u2013"])
    else:
        if start[0] != end[0]:
            gran = "year"
        elif len(start) > 1 and len(end) > 1 and start[1] != end[1]:
            gran = "month"
        elif len(start) > 2 and len(end) > 2 and start[2] != end[2]:
            gran = "day"
        else:
            gran = ""
        present = [p for p in parts if _part_text(p, start, dv, ctx, False) is not None]
        if not gran:
            out = _parts_join([_render_part(p, start, dv, ctx) for p in parts], delimiter)
        else:
            rank = _RANK[gran]
            run = [i for i, p in enumerate(present) if _RANK.get(p.get("name", ""), 0) >= rank]
            if not run:
                out = _parts_join([_render_part(p, start, dv, ctx) for p in present], delimiter)
            else:
                lo, hi = run[0], run[-1]
                gran_node = next((p for p in present if p.get("name") == gran), present[lo])
                rdelim = gran_node.get("range-delimiter", "\u2013")
                before = [_render_part(p, start, dv, ctx) for p in present[:lo]]
                srun = [
                    _render_part(p, start, dv, ctx, drop_suffix=(i == hi))
                    for i, p in enumerate(present) if lo <= i <= hi
                ]
                erun = [
                    _render_part(p, end, dv, ctx, is_end=True, drop_prefix=(i == lo))
                    for i, p in enumerate(present) if lo <= i <= hi
                ]
                after = [_render_part(p, start, dv, ctx) for p in present[hi + 1 :]]
                middle = join([_parts_join(srun, delimiter), _parts_join(erun, delimiter)], rdelim)
                out = _parts_join([*before, middle, *after], delimiter)
    if out is None:
        return None
    ctx.mark(var)
    if base is not None:
        fmt_attrs = {k: v for k, v in base.attrs.items() if k not in ("form", "delimiter", "prefix", "suffix")}
        if fmt_attrs:
            out = decorate(Node("date", fmt_attrs), out, ctx)
    return decorate(node, out, ctx)
