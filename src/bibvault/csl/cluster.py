"""Citation clusters (sorting, grouping, collapsing) and subsequent-author-substitute."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bibvault.csl.context import Cite, Context
from bibvault.csl.render import decorate_layout, render_children
from bibvault.csl.richtext import Content, Rich, is_empty, join, parse_inline, plain
from bibvault.csl.sorting import sort_ids
from bibvault.csl.textcase import apply_text_case

if TYPE_CHECKING:
    from bibvault.csl.processor import BibEntry, Processor


def _render(proc: Processor, cite: Cite, suppress_names: bool = False,
            no_suffix: bool = False) -> tuple[Content, Context]:
    citation = proc.style.citation
    assert citation is not None
    layout = citation.find("layout")
    assert layout is not None
    ctx = proc.context(cite.id, "citation", cite)
    if suppress_names:
        ctx.cite = Cite(**{**cite.__dict__, "suppress_author": True})
    saved = ctx.disamb.year_suffix
    if no_suffix:
        ctx.disamb.year_suffix = None
    try:
        out = render_children(layout, ctx)
    finally:
        ctx.disamb.year_suffix = saved
    return out, ctx


# What a cite that renders nothing at all shows, so that the gap is visible.
NO_PRINTED_FORM = "[CSL STYLE ERROR: reference with no printed form.]"


def render_cite_with_context(proc: Processor, cite: Cite) -> tuple[Content, Context]:
    """A cite's rich text and the context it was rendered in."""
    return _render(proc, cite)


def _affixed(cite: Cite, content: Content, marker: bool = True) -> Content:
    if is_empty(content):
        return NO_PRINTED_FORM if marker and not cite.suppress_author else None
    parts: list[Content] = []
    if cite.prefix:
        parts.append(parse_inline(cite.prefix))
    parts.append(content)
    if cite.suffix:
        parts.append(parse_inline(cite.suffix))
    return join(parts)


@dataclass
class Cluster:
    """One citation of a document: an id, its note number (0 in-text) and its cites."""

    id: str
    note: int
    cites: list[Cite]


def assign_positions(clusters: list[Cluster], near_note_distance: int = 5) -> None:
    """Set position, near-note and first-note of every cite, in document order.

    Citations in the text (note 0) and in notes are two separate streams for
    "ibid"; several citations in one note count as one unit.
    """
    first_note: dict[str, int] = {}
    last_note: dict[str, int] = {}
    last_unit: dict[bool, list[Cite]] = {True: [], False: []}  # stream (in notes?) → cites
    current: dict[bool, tuple[int, list[Cite]]] = {}
    for cl in clusters:
        stream = cl.note > 0
        note, cites_so_far = current.get(stream, (-1, []))
        same_unit = stream and note == cl.note
        if not same_unit:
            if stream in current:
                last_unit[stream] = current[stream][1]
            cites_so_far = []
        for k, c in enumerate(cl.cites):
            if c.id not in first_note:
                if not c.explicit_position:
                    c.position = 0
                first_note[c.id] = cl.note
            else:
                if k:
                    before: Cite | None = cl.cites[k - 1]
                elif same_unit:
                    before = cites_so_far[-1] if cites_so_far else None
                else:
                    unit = last_unit[stream]
                    before = unit[0] if len(unit) == 1 else None
                if not c.explicit_position:
                    c.position = _position(c, before)
                c.near_note = cl.note - last_note.get(c.id, -999) <= near_note_distance
            c.first_note = first_note[c.id]
            c.note_number = cl.note
            last_note[c.id] = cl.note
        current[stream] = (cl.note, cites_so_far + list(cl.cites))


def _position(c: Cite, before: Cite | None) -> int:
    if before is None or before.id != c.id:
        return 1
    if c.locator is None and before.locator is None:
        return 2
    if c.locator is None:
        return 1  # the earlier cite pointed somewhere more specific
    if (c.locator, c.label or "page") != (before.locator, before.label or "page"):
        return 3
    return 2


def sort_cites(proc: Processor, cites: list[Cite]) -> list[Cite]:
    """Cites in the citation's sort order (input order without cs:sort)."""
    citation = proc.style.citation
    sort = citation.find("sort") if citation is not None else None
    if sort is None or len(cites) < 2:
        return cites
    keys = [f"{i}\x00{c.id}" for i, c in enumerate(cites)]
    by_key = dict(zip(keys, cites, strict=True))
    numbers = proc.citation_numbers()

    def make(k: str) -> Context:
        return proc.context(by_key[k].id, "citation", by_key[k])

    ordered = sort_ids(keys, sort, make, proc.resources,
                       {k: numbers.get(by_key[k].id, 0) for k in keys})
    return [by_key[k] for k in ordered]


def render_cluster(proc: Processor, cites: list[Cite]) -> Content:
    """A whole citation: sorted, grouped, collapsed, with layout affixes."""
    citation = proc.style.citation
    if citation is None:
        return None
    layout = citation.find("layout")
    if layout is None:
        return None
    cites = [c for c in cites if c.id in proc.items]
    if not cites:
        return None
    cites = sort_cites(proc, cites)
    delim = layout.get("delimiter", "")
    collapse = citation.get("collapse")
    pieces: list[tuple[Content, str]] = []  # (content, delimiter after it)
    if collapse == "citation-number":
        pieces = _collapse_numbers(proc, cites, delim)
    elif collapse in ("year", "year-suffix", "year-suffix-ranged") or citation.get("cite-group-delimiter"):
        pieces = _collapse_years(proc, cites, delim, collapse or "")
    else:
        for k, c in enumerate(cites):
            out, ctx = _render(proc, c)
            if proc.style.is_note and ctx.starts_with_term and _sentence_start(c, k):
                out = apply_text_case(out, "capitalize-first")
            if pieces and ((c.prefix and c.prefix.lstrip()[:1] in ",.;:")
                           or (cites[k - 1].suffix or "").rstrip()[-1:] in (",", ";", ".", ":")):
                # Punctuation in the affixes between two cites replaces the delimiter.
                spacing = "".join(ch for ch in delim if ch.isspace())
                pieces[-1] = (pieces[-1][0], spacing if (cites[k - 1].suffix or "").endswith(tuple(",;.:")) else "")
            pieces.append((_affixed(c, out), delim))
    kept = [(p, d) for p, d in pieces if not is_empty(p)]
    if not kept:
        return None
    children: list[Rich | str] = []
    for i, (p, d) in enumerate(kept):
        assert p is not None
        children.append(p)
        if i < len(kept) - 1 and d:
            children.append(d)
    ctx = proc.context(cites[0].id, "citation", cites[0])
    return decorate_layout(layout, Rich(children), ctx)


def _sentence_start(cite: Cite, index: int) -> bool:
    if not cite.prefix:
        return index == 0
    text = cite.prefix.strip()
    # A one-word prefix ending in a period is an abbreviation ("Cf."), not a sentence.
    return " " in text and text.rstrip("\u201d\u2019\"'").endswith((".", "!", "?"))


def _collapse_numbers(proc: Processor, cites: list[Cite], delim: str) -> list[tuple[Content, str]]:
    numbers = proc.citation_numbers()
    runs: list[list[Cite]] = []
    for c in cites:
        plain_cite = not (c.locator or c.prefix or c.suffix)
        if (runs and plain_cite and numbers.get(c.id, 0) == numbers.get(runs[-1][-1].id, -5) + 1
                and not (runs[-1][-1].locator or runs[-1][-1].prefix or runs[-1][-1].suffix)):
            runs[-1].append(c)
        else:
            runs.append([c])
    out: list[tuple[Content, str]] = []
    for run in runs:
        if len(run) >= 3:
            first, _ = _render(proc, run[0])
            last, _ = _render(proc, run[-1])
            out.append((join([first, "\u2013", last]), delim))
        else:
            for c in run:
                content, _ = _render(proc, c)
                out.append((_affixed(c, content), delim))
    return out


def _collapse_years(proc: Processor, cites: list[Cite], delim: str, collapse: str) -> list[tuple[Content, str]]:
    citation = proc.style.citation
    assert citation is not None
    group_delim = citation.get("cite-group-delimiter", ", ")
    ys_delim = citation.get("year-suffix-delimiter", citation.get("cite-group-delimiter", delim))
    after_delim = citation.get("after-collapse-delimiter", delim)
    groups: dict[str, list[tuple[Cite, Content, Context]]] = {}
    for i, c in enumerate(cites):
        content, ctx = _render(proc, c)
        if c.suppress_author:
            key = f"\x00{i}"
        else:
            key = plain(ctx.first_names) if ctx.first_names is not None else ""
        groups.setdefault(key, []).append((c, content, ctx))
    out: list[tuple[Content, str]] = []
    for members in groups.values():
        if len(members) == 1 or not collapse:
            for j, (c, content, _) in enumerate(members):
                last = j == len(members) - 1
                out.append((_affixed(c, content), delim if last else group_delim))
            continue
        group: list[tuple[Content, str]] = []
        prev_base: str | None = None
        collapsed_last = False
        for j, (c, content, _) in enumerate(members):
            if j == 0:
                # A cite with a locator is set off from the next as collapsed cites are.
                group.append((_affixed(c, content), after_delim if c.locator else group_delim))
                base, _ = _render(proc, c, suppress_names=True, no_suffix=True)
                prev_base = plain(base)
                continue
            body, _ = _render(proc, c, suppress_names=True)
            base, _ = _render(proc, c, suppress_names=True, no_suffix=True)
            ys = proc.disamb[c.id].year_suffix
            if (collapse.startswith("year-suffix") and ys is not None and plain(base) == prev_base
                    and not (c.locator or c.prefix or c.suffix)):
                from bibvault.csl.context import year_suffix_text

                letter = year_suffix_text(ys)
                if group:
                    group[-1] = (group[-1][0], ys_delim)
                group.append((letter, group_delim))
                collapsed_last = True
                continue
            if collapsed_last:
                # After a run of collapsed suffixes comes the after-collapse delimiter.
                group[-1] = (group[-1][0], after_delim)
                collapsed_last = False
            prev_base = plain(base)
            group.append((_affixed(c, body, marker=False), after_delim if c.locator else group_delim))
        if collapse == "year-suffix-ranged":
            group = _range_suffixes(group)
        group[-1] = (group[-1][0], after_delim)
        out.extend(group)
    return out


def _range_suffixes(group: list[tuple[Content, str]]) -> list[tuple[Content, str]]:
    out: list[tuple[Content, str]] = []
    i = 0
    while i < len(group):
        j = i
        while (j + 1 < len(group) and isinstance(group[j + 1][0], str) and isinstance(group[j][0], str | Rich)
               and len(plain(group[j + 1][0])) == 1 and ord(plain(group[j + 1][0])) == ord(plain(group[j][0])[-1:] or "\0") + 1):
            j += 1
        if j - i >= 2:
            first = group[i][0]
            out.append((join([first, "\u2013", group[j][0]]), group[j][1]))
            i = j + 1
        else:
            out.append(group[i])
            i += 1
    return out


def substitute_authors(proc: Processor, entries: list[BibEntry]) -> list[BibEntry]:
    """Apply the bibliography's subsequent-author-substitute rule."""
    return list(iter_substituted(proc, entries))


def iter_substituted(proc: Processor, entries: Iterable[BibEntry]) -> Iterator[BibEntry]:
    """Entries one by one with the subsequent-author-substitute rule applied, so that
    each can be written out and dropped before the next is rendered."""
    bib = proc.style.bibliography
    if bib is None or bib.get("subsequent-author-substitute") is None:
        yield from entries
        return
    sub = bib.get("subsequent-author-substitute", "")
    rule = bib.get("subsequent-author-substitute-rule", "complete-all")
    prev_names: list[str] | None = None
    prev_all: str | None = None
    for e in entries:
        ctx = e.ctx
        if ctx is None or ctx.first_names is None:
            prev_names, prev_all = None, None
            yield e
            continue
        node: Rich = ctx.first_names
        names = [plain(n) for n in ctx.first_name_nodes]
        whole = plain(node)
        if rule == "complete-all":
            if whole == prev_all:
                for k, body in enumerate(ctx.first_name_bodies):
                    body.children = [sub] if sub and k == 0 else []
        elif rule == "complete-each":
            if whole == prev_all:
                for n in ctx.first_name_nodes:
                    n.children = [sub]
        elif rule in ("partial-each", "partial-first") and prev_names is not None:
            for k, n in enumerate(ctx.first_name_nodes):
                if k < len(prev_names) and names[k] == prev_names[k]:
                    n.children = [sub]
                    if rule == "partial-first":
                        break
                else:
                    break
        prev_names, prev_all = names, whole
        yield e


__all__: list[Any] = ["render_cluster", "substitute_authors", "iter_substituted", "sort_cites"]
