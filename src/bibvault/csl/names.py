"""cs:names: name lists, et-al, labels, cs:substitute and the editor-translator merge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bibvault.csl.element import Element, Evaluation, FirstNames, Formatting, Summaries, decorate
from bibvault.csl.personname import Name, format_name, starts_romanesque
from bibvault.csl.reach import ALWAYS, COMPUTED_VARIABLES, MAYBE, NEVER, NOTHING, Reach, run_reach
from bibvault.csl.richtext import Content, Rich, is_empty, join
from bibvault.csl.text import TextTerm


@dataclass(frozen=True, slots=True)
class EtAl:
    """cs:et-al: the term and its formatting."""

    term: str
    formatting: Formatting


@dataclass(frozen=True, slots=True)
class NamesLabel:
    """cs:label inside cs:names."""

    form: str
    plural: str
    formatting: Formatting


def _et_al_limits(opts: Mapping[str, str], ev: Evaluation) -> tuple[int | None, int | None]:
    mn, first = opts.get("et-al-min"), opts.get("et-al-use-first")
    if ev.citation and ("et-al-subsequent-min" in opts or "et-al-subsequent-use-first" in opts):
        ev.trace.reads_position = True
    if ev.citation and ev.req.cite.position >= 1:
        mn = opts.get("et-al-subsequent-min", mn)
        first = opts.get("et-al-subsequent-use-first", first)
    return (int(mn) if mn else None, int(first) if first else None)


def _name_list(names: list[dict[str, Any]], opts: Mapping[str, str], ev: Evaluation,
               name_el: Name | None, et_al: EtAl | None, count_only: bool,
               collect: list[Rich] | None = None) -> tuple[Content, int]:
    mn, first = _et_al_limits(opts, ev)
    total = len(names)
    truncated = bool(mn and first is not None and total >= mn and first < total)
    shown_more = ev.req.disamb.names_shown
    cites = ev.env.options.cites_et_al
    if shown_more is None and cites is not None and not ev.citation:
        # citeproc-js starts an item's added names at as many as its cite shows, and
        # the bibliography shows them too (with given names added): a cite of three
        # names under et-al-min="4" keeps all three in a bibliography cut at three.
        shown_more = cites[1] if total >= cites[0] else total
    if truncated and shown_more and not ev.sorting and _shows_added_names(ev):
        first = max(first or 0, shown_more)
        truncated = first < total
    if ev.name_overrides.get("_names-all"):
        truncated = False
    shown = names[:first] if truncated and first is not None else names
    if count_only:
        return None, len(shown)
    order = opts.get("name-as-sort-order")
    rendered = []
    for i, n in enumerate(shown):
        inverted = (order == "all" or (order == "first" and i == 0)) and "literal" not in n
        one = format_name(n, opts, ev, i, name_el, inverted)
        if not is_empty(one):
            assert one is not None
            one = Rich([one])
            if collect is not None:
                collect.append(one)
            if name_el is not None and not ev.sorting:
                # As citeproc-js: cs:name's formatting and affixes go on each name,
                # and the affixes on personal names only (not on organisations).
                one = decorate(name_el.formatting, one, ev, affixes="literal" not in n)
        rendered.append((one, inverted, n))
    items = [r for r in rendered if not is_empty(r[0])]
    if not items:
        return None, 0
    delim = opts.get("delimiter", ", ")
    and_attr = opts.get("and")
    if ev.sorting:
        # Sort keys compare name by name: no connecting words (citeproc-js keeps the
        # delimiter, whose space sorts before any letter).
        and_attr = None
    and_word = None
    if and_attr == "text":
        and_word = ev.locale.term("and") or "and"
    elif and_attr == "symbol":
        and_word = "&"

    def precedes(rule: str | None, before: int, last_inverted: bool) -> bool:
        rule = rule or "contextual"
        if rule == "always":
            return True
        if rule == "never":
            return False
        if rule == "after-inverted-name":
            return last_inverted
        return before >= 2

    if truncated and opts.get("et-al-use-last") == "true" and first is not None and first < total - 1:
        last = format_name(names[-1], opts, ev, total - 1, name_el, order == "all")
        body = join([r[0] for r in items], delim)
        return join([body, delim, "\u2026 ", last], ""), len(shown)
    if truncated:
        term = et_al.term if et_al is not None else "et-al"
        found = ev.locale.term(term)
        text = "et al." if found is None else found
        body = join([r[0] for r in items], delim)
        if not text or ev.sorting:
            return body, len(shown)
        etal: Content = decorate(et_al.formatting, text, ev) if et_al is not None else text
        sep = delim if precedes(opts.get("delimiter-precedes-et-al"), len(items), items[-1][1]) else " "
        if sep == " " and not starts_romanesque(text):
            sep = ""
        out = join([body, sep, etal], "")
        if name_el is not None:
            # citeproc-js puts cs:name's affixes and formatting once more around a list
            # cut short by et-al (formatting nested in the same formatting is kept).
            out = decorate(name_el.formatting, out, ev)
        return out, len(shown)
    if len(items) == 1 or and_word is None:
        return join([r[0] for r in items], delim), len(shown)
    head = join([r[0] for r in items[:-1]], delim)
    use_delim = precedes(opts.get("delimiter-precedes-last"), len(items) - 1 + 1, items[-2][1])
    if (opts.get("delimiter-precedes-last") or "contextual") == "contextual":
        use_delim = len(items) >= 3
    sep = f"{delim}{and_word} " if use_delim else f" {and_word} "
    if not starts_romanesque(and_word):
        # As citeproc-js: an "and" term of a script written without spaces (和, と)
        # is joined unspaced, and the delimiter stays only where a rule forces it.
        # citeproc-js keeps it after an inverted name, and for "always" between two
        # names only (three or more are joined unspaced even then).
        rule = opts.get("delimiter-precedes-last")
        forced = (rule == "after-inverted-name" and items[-2][1]) or (rule == "always" and len(items) == 2)
        sep = f"{delim}{and_word}" if forced else and_word
    return join([head, sep, items[-1][0]], ""), len(shown)


def _shows_added_names(ev: Evaluation) -> bool:
    # citeproc-js carries names added to tell cites apart into the bibliography's
    # first name list only when the style also adds given names.
    return ev.citation or (ev.names_seen == 0 and ev.env.options.cites_add_givenname)


@dataclass(frozen=True, slots=True)
class Names(Element):
    """cs:names: name variables with their cs:name, cs:et-al, cs:label and cs:substitute.

    ``options`` are the cs:name options by mode ("citation", "bibliography"): the
    style's and the citation's or bibliography's inherited ones, then this
    element's cs:name; ``delimiters`` the delimiter between name variables.
    """

    variables: tuple[str, ...]
    name: Name | None
    et_al: EtAl | None
    label: NamesLabel | None
    label_first: bool
    substitute: tuple[Element, ...] | None
    formatting: Formatting
    options: Mapping[str, Mapping[str, str]]
    delimiters: Mapping[str, str]
    bare: bool  # no child elements at all

    def name_options(self, ev: Evaluation) -> Mapping[str, str]:
        """The cs:name options in force for ``ev`` (sort-key overrides applied)."""
        opts = self.options[ev.mode]
        if ev.name_overrides:
            return {**opts, **ev.name_overrides}
        return opts

    def reach(self, s: Summaries) -> Reach:
        subs = [c.reach(s) for c in self.substitute or ()]
        inner = run_reach(subs) if subs else NOTHING
        own = frozenset(self.variables)
        # A count of no names prints "0" in a sort key.
        counts = any(opts.get("form") == "count" for opts in self.options.values())
        exact = inner.exact and not counts and not own & COMPUTED_VARIABLES
        # The substitutes stop at the first that prints (or at a term defined as
        # empty), so only the element's own variables are called for sure.
        calls = ALWAYS if own else NEVER if inner.calls == NEVER else MAYBE
        return Reach(own | inner.variables, exact, calls, inner.silent, inner.renders, inner.prints)

    def render(self, ev: Evaluation) -> Content:
        return self.render_names(ev)

    def render_names(self, ev: Evaluation, inherit_from: Names | None = None) -> Content:
        """Render the name lists, falling back to cs:substitute when they are empty."""
        if inherit_from is None and self.bare and isinstance(ev.substitute_parent, Names):
            # A bare cs:names anywhere inside cs:substitute inherits the outer options.
            inherit_from = ev.substitute_parent
        source = inherit_from or self
        name_el = self.name or source.name
        et_al = self.et_al or source.et_al
        label = self.label or (source.label if inherit_from is not None else None)
        opts_from = source if self.name is None else self
        opts = opts_from.name_options(ev)
        ev.called += len(self.variables)
        present = [(v, ev.var(v)) for v in self.variables]
        present = [(v, val) for v, val in present if isinstance(val, list) and val]
        if ("editor" in self.variables and "translator" in self.variables and len(present) >= 2
                and dict(present).get("editor") == dict(present).get("translator")
                and (label is None or ev.locale.term("editortranslator"))):
            present = [(v if v != "editor" else "editortranslator", val) for v, val in present if v != "translator"]
        count_only = opts.get("form") == "count"
        cite = ev.req.cite
        if present and ev.citation and cite.suppress_author and ev.names_seen == 0 and not ev.sorting:
            ev.names_seen += 1
            ev.author_suppressed = True
            for v, _ in present:
                ev.mark(v)
            return None
        outputs: list[Content] = []
        total = 0
        collected: list[Rich] = []
        bodies: list[Rich] = []
        for var, names in present:
            body, n = _name_list(names, opts, ev, name_el, et_al, count_only, collected)
            total += n
            ev.mark(var if var != "editortranslator" else "editor")
            if var == "editortranslator":
                ev.var_log.append("translator")
            if ev.substituting:
                # Inside cs:substitute a name variable is used up as soon as it renders.
                ev.suppressed.update(("editor", "translator") if var == "editortranslator" else (var,))
            if count_only:
                continue
            if isinstance(body, Rich):
                bodies.append(body)
            if label is not None and body is not None and not ev.sorting:
                plural = len(names) > 1
                if label.plural == "always":
                    plural = True
                elif label.plural == "never":
                    plural = False
                term = ev.locale.term(var, label.form, plural)
                shown = decorate(label.formatting, term or None, ev)
                body = join([shown, body] if self.label_first else [body, shown])
            outputs.append(body)
        if count_only and present:
            return decorate(self.formatting, str(total) if total else None, ev)
        if outputs:
            inner = join(outputs, self.delimiters[ev.mode])
            # A bare cs:names in cs:substitute prints without its own affixes and formatting
            # (citeproc-js); the substituting cs:names' ones apply.
            out = decorate(self.formatting, inner, ev) if inherit_from is None else inner
            if ev.names_seen == 0:
                # The name lists without labels: what subsequent-author-substitute replaces.
                ev.trace.names_source = (present[0][1], opts_from)
                ev.trace.first_names = FirstNames(Rich(list(bodies)), bodies, collected)
            ev.names_seen += 1
            return out
        found = self._substitute(ev)
        if found is None and count_only and ev.sorting:
            # citeproc-js keys a count of no names as 0, which sorts before 1 (not last).
            return "0"
        return found

    def _substitute(self, ev: Evaluation) -> Content:
        for child in self.substitute or ():
            before = len(ev.var_log)
            ev.substituting += 1
            sub_out: Content
            outer, ev.substitute_parent = ev.substitute_parent, self
            try:
                if isinstance(child, Names) and child.name is None:
                    sub_out = child.render_names(ev, inherit_from=self)
                else:
                    sub_out = child.render(ev)
            finally:
                ev.substitute_parent = outer
            ev.substituting -= 1
            if (is_empty(sub_out) and isinstance(child, TextTerm)
                    and ev.locale.lookup(child.term, child.form) is not None):
                # A term the locale defines as empty still is the substitute: nothing is shown.
                return None
            if ev.author_suppressed and ev.names_seen == 1 and is_empty(sub_out):
                ev.suppressed.update(ev.var_log[before:])
                return None
            if not is_empty(sub_out):
                ev.suppressed.update(ev.var_log[before:])
                own = isinstance(child, Names) and child.name is not None
                # citeproc-js puts cs:names' affixes and formatting on substituted names
                # only: a substituted text prints without them.
                plain = own or not isinstance(child, Names)
                result: Content = sub_out if plain else decorate(self.formatting, sub_out, ev)
                if ev.names_seen == 0 and not isinstance(child, Names):
                    whole = sub_out if isinstance(sub_out, Rich) else Rich([sub_out or ""])
                    ev.trace.first_names = FirstNames(whole, [whole], [whole])
                ev.names_seen += 1
                return result
        return None

def names_text(value: Any) -> str:
    """A plain key for a list of names (used to compare author lists)."""
    if not isinstance(value, list):
        return ""
    return "|".join(
        "/".join(str(n.get(k, "")) for k in ("literal", "family", "given", "non-dropping-particle", "dropping-particle", "suffix"))
        for n in value
    )


