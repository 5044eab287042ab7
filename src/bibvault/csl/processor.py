"""The :class:`Processor`: a style, a locale and registered items → citations and bibliographies."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from bibvault.csl.context import Cite, Context, Disamb
from bibvault.csl.formats import render
from bibvault.csl.items import normalize_item
from bibvault.csl.locale import Locale, LocaleStore
from bibvault.csl.render import decorate, decorate_layout, render_children
from bibvault.csl.richtext import Content, Rich, is_empty, join, plain
from bibvault.csl.sorting import Collator, sort_ids
from bibvault.csl.style import Node, Style


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
    """One rendered bibliography entry."""

    id: str
    content: Rich | None
    ctx: Context | None = None


def _uses_year_suffix(style: Style) -> bool:
    def walk(n: Node) -> bool:
        if n.tag == "text" and n.get("variable") == "year-suffix":
            return True
        return any(walk(c) for c in n.children)

    return walk(style.root)


def _position_sensitive(style: Style) -> bool:
    """Whether cites may read differently when an item is cited again."""
    cit = style.citation
    if cit is None:
        return False
    if any(a in cit.attrs for a in ("et-al-subsequent-min", "et-al-subsequent-use-first")):
        return True

    def walk(n: Node) -> bool:
        return "position" in n.attrs or any(walk(c) for c in n.children)

    return walk(cit) or any(walk(m) for m in style.macros.values())


class Processor:
    """Render citations and a bibliography of CSL-JSON items in one style and locale."""

    def __init__(self, style: Style, items: Iterable[dict[str, Any]], locale: str | None = None,
                 *, resources: Resources | None = None, cited: Sequence[str] | None = None) -> None:
        self.style = style
        self.resources = resources or Resources()
        self.locale = Locale(style, locale, self.resources.locales)
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
        self.year_suffix_explicit = _uses_year_suffix(style)
        self.position_sensitive = _position_sensitive(style)
        self._bib_order: list[str] | None = None
        self._numbers: dict[str, int] = {}
        self._disambiguated = False
        # Disambiguation's record of which names each cite shows first.
        self.names_sources: dict[str, Any] = {}
        # Plain cites by (id, position, disambiguation state): disambiguation asks
        # for the same cite again and again while it tries out choices.
        self._plain_cites: dict[tuple[Any, ...], str] = {}
        self._given_read: dict[tuple[Any, ...], frozenset[int]] = {}

    # --- contexts -----------------------------------------------------------

    def context(self, item_id: str, mode: str, cite: Cite | None = None) -> Context:
        """A fresh rendering context for one item."""
        return Context(
            style=self.style,
            locale=self.locale,
            item=self.items[item_id],
            mode=mode,
            cite=cite or Cite(id=item_id),
            disamb=self.disamb[item_id],
            citation_number=self.citation_numbers().get(item_id),
            year_suffix_explicit=self.year_suffix_explicit,
        )

    def citation_numbers(self) -> dict[str, int]:
        """Citation number of every registered item."""
        if not self._numbers:
            reg = {i: n + 1 for n, i in enumerate(self.registered)}
            self._numbers = reg
            bib = self.style.bibliography
            sort = bib.find("sort") if bib is not None else None
            by_number = sort is not None and any(k.get("variable") == "citation-number" for k in sort.findall("key"))
            if bib is not None and sort is not None and not by_number:
                order = self.bibliography_order()
                self._numbers = {i: n + 1 for n, i in enumerate(order)}
        return self._numbers

    def bibliography_order(self) -> list[str]:
        """Registered ids in the bibliography's sort order."""
        if self._bib_order is None:
            bib = self.style.bibliography
            sort = bib.find("sort") if bib is not None else None
            reg = {i: n + 1 for n, i in enumerate(self.registered)}

            def make(i: str) -> Context:
                return Context(self.style, self.locale, self.items[i], "bibliography", Cite(id=i),
                               self.disamb[i], reg.get(i), year_suffix_explicit=self.year_suffix_explicit)

            self._bib_order = sort_ids(self.registered, sort, make, self.resources, reg)
        return self._bib_order

    def ensure_disambiguated(self) -> None:
        """Run disambiguation once over all registered items."""
        if not self._disambiguated:
            self._disambiguated = True
            from bibvault.csl.disambig import disambiguate

            disambiguate(self)

    # --- rendering --------------------------------------------------------------

    def render_cite(self, cite: Cite, *, suppress_names: bool = False) -> Content:
        """One cite (without its cite-level affixes) as rich text."""
        citation = self.style.citation
        if citation is None or cite.id not in self.items:
            return None
        layout = citation.find("layout")
        if layout is None:
            return None
        ctx = self.context(cite.id, "citation", cite)
        if suppress_names:
            ctx.cite = Cite(**{**cite.__dict__, "suppress_author": True})
        return render_children(layout, ctx)

    def render_entry(self, item_id: str) -> BibEntry:
        """One bibliography entry as rich text (second-field-align applied)."""
        bib = self.style.bibliography
        layout = bib.find("layout") if bib is not None else None
        if bib is None or layout is None:
            return BibEntry(item_id, None)
        ctx = self.context(item_id, "bibliography")
        if bib.get("second-field-align") in ("flush", "margin") and layout.children:
            first = join([_render_one(layout.children[0], ctx)])
            rest = join(_render_one(c, ctx) for c in layout.children[1:])
            if first is not None and rest is not None:
                # The layout's affixes stay inside the two display blocks.
                left = join([layout.get("prefix", ""), first]) or first
                right = join([rest, layout.get("suffix", "")]) or rest
                out: Content = Rich([Rich([left], display="left-margin"), Rich([right], display="right-inline")])
                plain_layout = Node("layout", {k: v for k, v in layout.attrs.items() if k not in ("prefix", "suffix")})
                return BibEntry(item_id, decorate(plain_layout, out, ctx), ctx)
            out = first or rest
        else:
            out = render_children(layout, ctx)
        if out is None or is_empty(out):
            return BibEntry(item_id, None, ctx)
        last = _last_display(out)
        if last is not None and layout.get("suffix"):
            # The layout suffix goes inside a display block that ends the entry.
            last.children.append(layout.get("suffix", ""))
            layout = Node("layout", {k: v for k, v in layout.attrs.items() if k != "suffix"})
        return BibEntry(item_id, decorate_layout(layout, out, ctx), ctx)

    def bibliography_entries(self) -> list[BibEntry]:
        """Rendered entries in bibliography order (subsequent-author-substitute applied)."""
        return list(self._iter_entries())

    def _iter_entries(self) -> Iterator[BibEntry]:
        self.ensure_disambiguated()
        from bibvault.csl.cluster import iter_substituted

        rendered = (self.render_entry(i) for i in self.bibliography_order())
        return iter_substituted(self, (e for e in rendered if e.content is not None))

    def bibliography_options(self) -> dict[str, str | int | bool]:
        """Layout metadata of the bibliography for renderers: hanging-indent,
        second-field-align, line-spacing and entry-spacing (CSL defaults applied)."""
        bib = self.style.bibliography
        attrs = bib.attrs if bib is not None else {}

        def number(name: str) -> int:
            try:
                return int(attrs.get(name, "1"))
            except ValueError:
                return 1

        return {
            "hanging-indent": attrs.get("hanging-indent") == "true",
            "second-field-align": attrs.get("second-field-align", ""),
            "line-spacing": number("line-spacing"),
            "entry-spacing": number("entry-spacing"),
        }

    def bibliography(self, fmt: str = "text") -> list[tuple[str, str]]:
        """(id, entry) for every registered item, in the style's order.

        In HTML each entry is one ``<div class="csl-entry">``, as citeproc-js and
        pandoc write it (the suite's ``csl-bib-body`` container is left to callers).
        """
        quotes = self.locale.quotes
        # Each entry is written out as soon as it is rendered: holding every entry's
        # tree until the end makes each garbage-collector pass walk all of them.
        out = [(e.id, render(e.content, fmt, quotes).strip()) for e in self._iter_entries()]
        if fmt == "html":
            return [(i, f'<div class="csl-entry">{entry}</div>') for i, entry in out]
        return out

    def cluster(self, cites: Sequence[Cite]) -> Content:
        """A citation cluster as rich text."""
        self.ensure_disambiguated()
        from bibvault.csl.cluster import render_cluster

        return render_cluster(self, list(cites))

    def cite(self, ids_or_cites: Sequence[str | dict[str, Any]], fmt: str = "text") -> str:
        """One citation cluster for ``ids_or_cites`` (ids or CSL cite-item dicts)."""
        cites = [Cite.from_json(c) for c in ids_or_cites]
        return render(self.cluster(cites), fmt, self.locale.quotes)

    def cite_sequence(self, clusters: Sequence[Sequence[str | dict[str, Any]]], fmt: str = "text") -> list[str]:
        """The citations of a whole document, in order, with positions (first,
        subsequent, ibid, near-note) computed across them; each cluster is a note."""
        from bibvault.csl.cluster import Cluster, assign_positions

        doc = [Cluster(str(n), n + 1, [Cite.from_json(c) for c in cl]) for n, cl in enumerate(clusters)]
        cit = self.style.citation
        assign_positions(doc, int(cit.get("near-note-distance", "5")) if cit is not None else 5)
        return [render(self.cluster(cl.cites), fmt, self.locale.quotes) for cl in doc]

    def plain_cite(self, cite: Cite) -> str:
        """A cite as plain text (for comparisons)."""
        return plain(self.render_cite(cite))

    def plain_form(self, item_id: str, position: int = 0) -> str:
        """An item's cite, alone and without locator, as plain text under its current
        disambiguation state (remembered per state)."""
        key = self._form_key(item_id, position)
        text = self._plain_cites.get(key) if key is not None else None
        if text is None:
            cite = Cite(id=item_id, position=position)
            ctx = self.context(item_id, "citation", cite)
            layout = self.style.citation.find("layout") if self.style.citation is not None else None
            text = plain(render_children(layout, ctx)) if layout is not None else ""
            self.remember_form(item_id, text, ctx)
        return text

    def remember_form(self, item_id: str, text: str, ctx: Context) -> None:
        """Record the plain cite of an item rendered in ``ctx`` under its current state."""
        base = self._base_key(item_id, ctx.cite.position)
        self._given_read[base] = frozenset(ctx.given_indices)
        key = self._form_key(item_id, ctx.cite.position)
        assert key is not None
        self._plain_cites[key] = text

    def _base_key(self, item_id: str, position: int) -> tuple[Any, ...]:
        d = self.disamb[item_id]
        return (item_id, position, d.names_shown, d.given_all, d.year_suffix, d.condition)

    def _form_key(self, item_id: str, position: int) -> tuple[Any, ...] | None:
        # Only the given-name levels of names the cite shows can change it: which
        # names those are is learnt from the first render in the same state.
        base = self._base_key(item_id, position)
        read = self._given_read.get(base)
        if read is None:
            return None
        levels = self.disamb[item_id].given_levels
        return base + (tuple(sorted((i, lv) for i, lv in levels.items() if lv and i in read)),)


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


def _render_one(node: Node, ctx: Context) -> Content:
    from bibvault.csl.render import render as render_node

    return render_node(node, ctx)
