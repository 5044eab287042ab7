"""Citation clusters (sorting, grouping, collapsing) and subsequent-author-substitute."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bibvault.csl.collation import Collator
from bibvault.csl.compile import Citation
from bibvault.csl.element import Evaluation, Trace, decorate_layout
from bibvault.csl.richtext import Content, Rich, is_empty, join, parse_inline, plain
from bibvault.csl.sorting import sort_ids
from bibvault.csl.state import Cite, Disamb, year_suffix_text
from bibvault.csl.textcase import apply_text_case


class CiteSource(Protocol):
    """What clusters need from a processor: single cites, numbers, items and the style."""

    @property
    def citation(self) -> Citation | None: ...

    @property
    def is_note(self) -> bool: ...

    @property
    def collator(self) -> Collator: ...

    items: dict[str, dict[str, object]]
    disamb: dict[str, Disamb]

    def render_cite(self, cite: Cite, *, suppress_names: bool = False,
                    no_suffix: bool = False) -> tuple[Content, Trace]: ...

    def citation_numbers(self) -> dict[str, int]: ...

    def evaluation(self, item_id: str, mode: str, cite: Cite | None = None, *,
                   name_overrides: dict[str, str] | None = None, disamb: Disamb | None = None,
                   number: int | None = None) -> Evaluation: ...


# What a cite that renders nothing at all shows, so that the gap is visible.
NO_PRINTED_FORM = "[CSL STYLE ERROR: reference with no printed form.]"


def _render(proc: CiteSource, cite: Cite, suppress_names: bool = False,
            no_suffix: bool = False) -> tuple[Content, Trace]:
    return proc.render_cite(cite, suppress_names=suppress_names, no_suffix=no_suffix)


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


def sort_cites(proc: CiteSource, cites: list[Cite]) -> list[Cite]:
    """Cites in the citation's sort order (input order without cs:sort)."""
    citation = proc.citation
    sort = citation.sort if citation is not None else None
    if sort is None or len(cites) < 2:
        return cites
    keys = [f"{i}\x00{c.id}" for i, c in enumerate(cites)]
    by_key = dict(zip(keys, cites, strict=True))
    numbers = proc.citation_numbers()

    def make(k: str, overrides: dict[str, str]) -> Evaluation:
        return proc.evaluation(by_key[k].id, "citation", by_key[k], name_overrides=overrides)

    ordered = sort_ids(keys, sort, make, proc.collator,
                       {k: numbers.get(by_key[k].id, 0) for k in keys})
    return [by_key[k] for k in ordered]


def render_cluster(proc: CiteSource, cites: list[Cite]) -> Content:
    """A whole citation: sorted, grouped, collapsed, with layout affixes."""
    citation = proc.citation
    if citation is None:
        return None
    layout = citation.layout
    cites = [c for c in cites if c.id in proc.items]
    if not cites:
        return None
    cites = sort_cites(proc, cites)
    delim = layout.delimiter
    collapse = citation.collapse
    pieces: list[tuple[Content, str]] = []  # (content, delimiter after it)
    if collapse == "citation-number":
        pieces = _collapse_numbers(proc, cites, delim)
    elif collapse in ("year", "year-suffix", "year-suffix-ranged") or citation.cite_group_delimiter:
        pieces = _collapse_years(proc, citation, cites, delim, collapse)
    else:
        for k, c in enumerate(cites):
            out, trace = _render(proc, c)
            if proc.is_note and trace.starts_with_term and _sentence_start(c, k):
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
    return decorate_layout(layout.formatting, Rich(children))


def _sentence_start(cite: Cite, index: int) -> bool:
    if not cite.prefix:
        return index == 0
    text = cite.prefix.strip()
    # A one-word prefix ending in a period is an abbreviation ("Cf."), not a sentence.
    return " " in text and text.rstrip("\u201d\u2019\"'").endswith((".", "!", "?"))


def _collapse_numbers(proc: CiteSource, cites: list[Cite], delim: str) -> list[tuple[Content, str]]:
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


def _collapse_years(proc: CiteSource, citation: Citation, cites: list[Cite], delim: str,
                    collapse: str) -> list[tuple[Content, str]]:
    # The spec's default cite-group delimiter is ", "; citeproc-js uses it for
    # in-text styles only and joins a note style's groups with the layout delimiter.
    group_delim = next(d for d in (citation.cite_group_delimiter, delim if proc.is_note else ", ")
                       if d is not None)
    ys_delim = next(d for d in (citation.year_suffix_delimiter, citation.cite_group_delimiter, delim)
                    if d is not None)
    after_delim = citation.after_collapse_delimiter if citation.after_collapse_delimiter is not None else delim
    groups: dict[str, list[tuple[Cite, Content, Trace]]] = {}
    # citeproc-js brings cites of the same names together only in a sorted citation;
    # unsorted, only neighbours group.
    regroup = citation.sort is not None
    prev_key: str | None = None
    for i, c in enumerate(cites):
        content, trace = _render(proc, c)
        if c.suppress_author:
            key = f"\x00{i}"
        else:
            key = plain(trace.first_names.whole) if trace.first_names is not None else ""
        if not regroup and key != prev_key:
            key, prev_key = f"{key}\x00{i}", key
        elif not regroup:
            key = next(reversed(groups))
        groups.setdefault(key, []).append((c, content, trace))
    out: list[tuple[Content, str]] = []
    for members in groups.values():
        if len(members) == 1 or not collapse:
            # As citeproc-js: a cite that collapsed nothing is followed by the
            # after-collapse delimiter too, except under collapse="year-suffix".
            after = after_delim if collapse and collapse != "year-suffix" else delim
            for j, (c, content, _) in enumerate(members):
                last = j == len(members) - 1
                out.append((_affixed(c, content), after if last else group_delim))
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
