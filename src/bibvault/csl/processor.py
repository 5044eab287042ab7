"""The :class:`Processor`: a style, a locale and registered items → citations and bibliographies."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from bibvault.csl.cluster import NO_PRINTED_FORM, Cluster, assign_positions, render_cluster
from bibvault.csl.collation import Collator
from bibvault.csl.compile import Citation
from bibvault.csl.disambig import count_names, disambiguate, takes_global_givens
from bibvault.csl.element import (
    Environment,
    Evaluation,
    Trace,
    decorate,
    decorate_layout,
    render_children,
)
from bibvault.csl.forms import CiteForms
from bibvault.csl.items import normalize_item, twin_ids
from bibvault.csl.locale import Locale, LocaleStore
from bibvault.csl.output import render
from bibvault.csl.richtext import Content, Rich, is_empty, join, plain
from bibvault.csl.sorting import sort_ids
from bibvault.csl.state import Cite, Disamb, Request, copy_disamb
from bibvault.csl.style import Style
from bibvault.csl.substitute import iter_substituted


@dataclass
class Resources:
    """Expensive shared helpers (parsed locales, the collator); pass one to many processors."""

    locales: LocaleStore = field(default_factory=LocaleStore)
    _collator: Collator | None = None

    @property
    def collator(self) -> Collator:
        """The Unicode collator, built on first use."""
        if self._collator is None:
            self._collator = Collator()
        return self._collator


@dataclass
class BibEntry:
    """One rendered bibliography entry and the trace of its render."""

    id: str
    content: Rich | None
    trace: Trace | None = None


class Processor:
    """Render citations and a bibliography of CSL-JSON items in one style and locale.

    The style is only read: any number of processors (in any number of threads)
    may share one. A processor itself belongs to one thread.
    """

    def __init__(self, style: Style, items: Iterable[dict[str, Any]], locale: str | None = None,
                 *, resources: Resources | None = None, cited: Sequence[str] | None = None,
                 rewalk: bool = False) -> None:
        self.style = style
        # Walk ambiguous groups twice, as citeproc-js's processCitationCluster does in
        # note styles with a disambiguate condition (see disambig.disambiguate).
        self.rewalk = rewalk and style.is_note and style.disambiguate_tests > 0
        self.resources = resources or Resources()
        self.locale = Locale(style, locale, self.resources.locales)
        self.env = Environment(self.locale, style.macros, style.settings)
        self._linked_env = dataclasses.replace(self.env, links=True)
        self.items: dict[str, dict[str, Any]] = {}
        for raw in items:
            item = normalize_item(raw)
            item_id = str(raw.get("id", len(self.items) + 1))
            item["id"] = item_id
            # A later item with the same id replaces the earlier one, as in the reference.
            self.items[item_id] = item
        order = [str(i) for i in cited or []]
        self.registered = list(dict.fromkeys([i for i in order if i in self.items] + ([] if cited else list(self.items))))
        self.disamb: dict[str, Disamb] = {i: Disamb() for i in self.items}
        cit = style.citation
        if cit is not None and cit.add_givenname and cit.givenname_rule != "by-cite":
            counts = count_names([self.items[i] for i in self.registered], cit.givenname_rule)
            self.env = dataclasses.replace(self.env, name_counts=counts)
            self._linked_env = dataclasses.replace(self._linked_env, name_counts=counts)
        self._ungrouped_env = dataclasses.replace(self.env, name_counts=None)
        self._bib_order: list[str] | None = None
        self._numbers: dict[str, int] = {}
        self._disambiguated = False
        self._twins: dict[str, str] | None = None
        # The cites disambiguation compares, remembered per disambiguation state.
        self.forms = CiteForms(self)

    # --- the narrow interfaces of clusters and disambiguation -------------------

    @property
    def collator(self) -> Collator:
        """The shared Unicode collator."""
        return self.resources.collator

    @property
    def is_note(self) -> bool:
        """Whether the style is a note style."""
        return self.style.is_note

    @property
    def citation(self) -> Citation | None:
        """The style's compiled cs:citation."""
        return self.style.citation

    @property
    def position_sensitive(self) -> bool:
        """Whether cites may read differently when an item is cited again."""
        return self.style.position_sensitive

    @property
    def disambiguate_tests(self) -> int:
        """How many disambiguate="true" conditions the citation can reach."""
        return self.style.disambiguate_tests

    def evaluation(self, item_id: str, mode: str, cite: Cite | None = None, *,
                   name_overrides: dict[str, str] | None = None, disamb: Disamb | None = None,
                   number: int | None = None, links: bool = False,
                   env: Environment | None = None) -> Evaluation:
        """A fresh evaluation of one item (``name_overrides`` for a sort key; ``links``
        to make link nodes)."""
        return Evaluation(env or (self._linked_env if links else self.env), Request(
            self.items[item_id], cite or Cite(id=item_id), mode, disamb or self.disamb[item_id],
            number if number is not None else self.citation_numbers().get(item_id), name_overrides))

    def citation_numbers(self) -> dict[str, int]:
        """Citation number of every registered item."""
        if not self._numbers:
            reg = {i: n + 1 for n, i in enumerate(self.registered)}
            self._numbers = reg
            bib = self.style.bibliography
            sort = bib.sort if bib is not None else None
            by_number = sort is not None and any(k.variable == "citation-number" for k in sort.keys)
            if sort is not None and not by_number:
                order = self.bibliography_order()
                self._numbers = {i: n + 1 for n, i in enumerate(order)}
        return self._numbers

    def bibliography_order(self) -> list[str]:
        """Registered ids in the bibliography's sort order."""
        if self._bib_order is None:
            bib = self.style.bibliography
            sort = bib.sort if bib is not None else None
            reg = {i: n + 1 for n, i in enumerate(self.registered)}
            global_givens = self._global_givens()

            def make(i: str, overrides: dict[str, str]) -> Evaluation:
                # citeproc-js works out sort keys after the global given-name rules
                # and before cite-by-cite disambiguation: only the former show in them.
                d = self.disamb[i] if global_givens else copy_disamb(self.disamb[i], given_levels={}, given_all=0)
                return Evaluation(self.env, Request(self.items[i], Cite(id=i), "bibliography", d,
                                                    reg.get(i), overrides))

            # Twins share sort keys when their keys are worked out in the same state.
            twins = {i: (t, self.disamb[i].year_suffix == self.disamb[t].year_suffix) for i, t in self.twins.items()
                     if copy_disamb(self.disamb[i], year_suffix=None) == copy_disamb(self.disamb[t], year_suffix=None)}
            self._bib_order = sort_ids(self.registered, sort, make, self.collator, reg, twins)
        return self._bib_order

    @property
    def twins(self) -> dict[str, str]:
        """Each registered id whose item has the same data as an earlier one's (ids
        aside), mapped to the first such id (see :func:`~bibvault.csl.items.twin_ids`)."""
        if self._twins is None:
            self._twins = twin_ids(self.items, self.registered)
        return self._twins

    def ensure_disambiguated(self) -> None:
        """Run disambiguation once over all registered items."""
        if not self._disambiguated:
            self._disambiguated = True
            disambiguate(self)
            if self._global_givens() and any(d.given_levels or d.given_all for d in self.disamb.values()):
                # citeproc-js sorts the bibliography by the names as a global given-name
                # rule expanded them ("Sun, Chen" before "Sun, Cheng", not by "Sun, C.").
                self._bib_order = None
                self._numbers = {}

    def _global_givens(self) -> bool:
        """Whether the style adds given names by a rule over all cites (not by-cite)."""
        cit = self.style.citation
        return cit is not None and cit.givenname_rule != "by-cite"

    # --- rendering --------------------------------------------------------------

    def render_cite(self, cite: Cite, *, suppress_names: bool = False,
                    no_suffix: bool = False, env: Environment | None = None) -> tuple[Content, Trace]:
        """One cite (without its cite-level affixes) as rich text, and the trace of its render.

        ``suppress_names`` renders it as with suppress-author; ``no_suffix`` without its year
        suffix; ``env`` in another environment than the processor's.
        """
        citation = self.style.citation
        if citation is None or cite.id not in self.items:
            return None, Trace()
        if suppress_names:
            cite = dataclasses.replace(cite, suppress_author=True)
        disamb = copy_disamb(self.disamb[cite.id], year_suffix=None) if no_suffix else None
        ev = self.evaluation(cite.id, "citation", cite, disamb=disamb, env=env)
        return render_children(citation.layout.children, ev), ev.trace

    def render_entry(self, item_id: str, *, links: bool = False) -> BibEntry:
        """One bibliography entry as rich text (second-field-align applied); with
        ``links`` its title and printed addresses are link nodes."""
        bib = self.style.bibliography
        if bib is None:
            return BibEntry(item_id, None)
        layout = bib.layout
        ev = self.evaluation(item_id, "bibliography", links=links)
        lf = layout.formatting
        if bib.second_field_align in ("flush", "margin") and layout.children:
            first = join([layout.children[0].render(ev)])
            rest = join(c.render(ev) for c in layout.children[1:])
            if first is not None and rest is not None:
                # The layout's affixes stay inside the two display blocks.
                left = join([lf.prefix, first]) or first
                right = join([rest, lf.suffix]) or rest
                out: Content = Rich([Rich([left], display="left-margin"), Rich([right], display="right-inline")])
                return BibEntry(item_id, decorate(bib.bare_formatting, out, ev), ev.trace)
            out = first or rest
        else:
            out = render_children(layout.children, ev)
        if out is None or is_empty(out):
            return BibEntry(item_id, None, ev.trace)
        last = _last_display(out)
        if last is not None and lf.suffix:
            # The layout suffix goes inside a display block that ends the entry.
            last.children.append(lf.suffix)
            lf = dataclasses.replace(lf, suffix="")
        return BibEntry(item_id, decorate_layout(lf, out), ev.trace)

    def bibliography_entries(self, *, links: bool = False) -> list[BibEntry]:
        """Rendered entries in bibliography order (subsequent-author-substitute applied)."""
        return list(self.iter_entries(links=links))

    def iter_entries(self, *, links: bool = False) -> Iterator[BibEntry]:
        """Rendered entries one by one in bibliography order, so that each can be
        written out (in any number of formats) and dropped before the next is
        rendered; with ``links`` as :meth:`bibliography` describes."""
        self.ensure_disambiguated()
        rendered = (self.render_entry(i, links=links) for i in self.bibliography_order())
        kept = ((e.id, e.content, e.trace) for e in self._printed(rendered))
        return (BibEntry(i, c, t) for i, c, t in iter_substituted(self.style.bibliography, kept))

    def _printed(self, entries: Iterable[BibEntry]) -> Iterator[BibEntry]:
        """The entries that print: an empty one is left out, except in a style that cites
        by number, where citeproc-js numbers it and prints an error in its place."""
        count = 0
        for e in entries:
            if e.content is None and self.style.cites_by_number:
                e = BibEntry(e.id, Rich([f"{count + 1}. {NO_PRINTED_FORM}"]), e.trace)
            if e.content is not None:
                count += 1
                yield e

    def bibliography_options(self) -> dict[str, str | int | bool]:
        """Layout metadata of the bibliography for renderers: hanging-indent,
        second-field-align, line-spacing and entry-spacing (CSL defaults applied)."""
        bib = self.style.bibliography
        return {
            "hanging-indent": bib.hanging_indent if bib is not None else False,
            "second-field-align": bib.second_field_align if bib is not None else "",
            "line-spacing": bib.line_spacing if bib is not None else 1,
            "entry-spacing": bib.entry_spacing if bib is not None else 1,
        }

    def bibliography(self, fmt: str = "text", *, links: bool = False) -> list[tuple[str, str]]:
        """(id, entry) for every registered item, in the style's order.

        In HTML each entry is one ``<div class="csl-entry">``, as citeproc-js and
        pandoc write it (the suite's ``csl-bib-body`` container is left to callers).
        With ``links`` the title leads to the item's URL (else its archived copy)
        and printed addresses (URL, DOI, archive location) to themselves, each
        spelled by the format (HTML ``<a>``, LaTeX ``\\href``/``\\url``, Markdown
        ``[…](…)``/``<…>``, nothing in text); printed addresses then keep their case.
        """
        quotes = self.locale.quotes
        # Each entry is written out as soon as it is rendered: holding every entry's
        # tree until the end makes each garbage-collector pass walk all of them.
        out = [(e.id, render(e.content, fmt, quotes).strip()) for e in self.iter_entries(links=links)]
        if fmt == "html":
            return [(i, f'<div class="csl-entry">{entry}</div>') for i, entry in out]
        return out

    def cluster(self, cites: Sequence[Cite]) -> Content:
        """A citation cluster as rich text."""
        self.ensure_disambiguated()
        return render_cluster(self, list(cites))

    def cite(self, ids_or_cites: Sequence[str | dict[str, Any]], fmt: str = "text") -> str:
        """One citation cluster for ``ids_or_cites`` (ids or CSL cite-item dicts)."""
        cites = [Cite.from_json(c) for c in ids_or_cites]
        return render(self.cluster(cites), fmt, self.locale.quotes)

    def cite_sequence(self, clusters: Sequence[Sequence[str | dict[str, Any]]], fmt: str = "text") -> list[str]:
        """The citations of a whole document, in order, with positions (first,
        subsequent, ibid, near-note) computed across them; each cluster is a note."""
        doc = [Cluster(str(n), n + 1, [Cite.from_json(c) for c in cl]) for n, cl in enumerate(clusters)]
        cit = self.style.citation
        assign_positions(doc, cit.near_note_distance if cit is not None else 5)
        return [render(self.cluster(cl.cites), fmt, self.locale.quotes) for cl in doc]

    def plain_cite(self, cite: Cite) -> str:
        """A cite as plain text (for comparisons)."""
        return plain(self.render_cite(cite)[0])

    def ungrouped_form(self, item_id: str, position: int = 0) -> str | None:
        """An item's cite as plain text before any disambiguation and without the given
        names a global givenname-disambiguation-rule adds, or None where that rule adds
        none to the item (the plain form then serves): citeproc-js groups ambiguous
        cites by this form, and the rule's given names apply in the walk."""
        counts = self.env.name_counts
        if counts is None or not takes_global_givens(counts, self.items.get(item_id, {})):
            return None
        cite = Cite(id=item_id, position=position, comparing=True)
        return plain(self.render_cite(cite, env=self._ungrouped_env)[0])


def _last_display(node: Rich) -> Rich | None:
    """The display block that ends ``node``, if the entry ends with one."""
    kids = [c for c in node.children if not (isinstance(c, str) and c == "")]
    if not kids or isinstance(kids[-1], str):
        return None
    last = kids[-1]
    if last.display and not last.is_empty():
        return last
    if last.fmt or last.quotes:
        return None
    return _last_display(last)
