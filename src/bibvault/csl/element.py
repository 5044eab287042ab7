"""The base of compiled CSL elements, and the evaluation of one item through them.

A style is compiled once into immutable :class:`Element` values (one module
per family: :mod:`~bibvault.csl.text`, :mod:`~bibvault.csl.numbers`,
:mod:`~bibvault.csl.names`, :mod:`~bibvault.csl.dates`,
:mod:`~bibvault.csl.groups`, :mod:`~bibvault.csl.sorting`). Rendering one
item takes an :class:`Environment` (the style's settings and the locale) and a
:class:`~bibvault.csl.state.Request` (the item and the cite) and gives rich
text plus a :class:`Trace` for disambiguation and author substitution; the
:class:`Evaluation` that carries them lives for one render only.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bibvault.csl.formatting import PLAIN, Formatting
from bibvault.csl.locale import Locale, casing_of
from bibvault.csl.reach import COMPUTED_VARIABLES, UNKNOWN, Reach
from bibvault.csl.richtext import (
    Content,
    Delim,
    FixedPrefix,
    Rich,
    SameDelim,
    Suffix,
    is_empty,
    map_strings,
    sort_dates_only,
)
from bibvault.csl.state import NameCounts, Request, citation_label, year_suffix_text
from bibvault.csl.textcase import TextCaseMemo, apply_text_case


class Element:
    """A compiled rendering element: immutable, shared by every render of the style."""

    __slots__ = ()
    # Every element has its formatting and affixes (a field of each element class).
    formatting: Formatting
    # Whether the element adds the renderings of other elements to its parent (cs:choose):
    # render_children then asks for those elements (see chosen) instead of a rendering.
    expands = False

    def render(self, ev: Evaluation) -> Content:
        """This element's output for the item being evaluated."""
        raise NotImplementedError

    def reach(self, s: Summaries) -> Reach:
        """What this element does for an item of the type of ``s`` that lacks every
        variable the summary names (worked out once per processor and type).

        Most of a style's groups and macros print nothing for a given item, and
        walking them costs more than the rest of a render: with this summary a
        group is passed over, with exactly the effects its walk would have had.
        The summary assumes the worst wherever it cannot be sure (computed
        variables, counted disambiguate conditions, a macro that calls itself).
        """
        return UNKNOWN

    def chosen(self, ev: Evaluation) -> tuple[Element, ...]:
        """For an element that ``expands``: the elements whose renderings it adds."""
        return ()


@dataclass(frozen=True, slots=True)
class StyleOptions:
    """The style-wide settings elements read while rendering."""

    page_range_format: str | None = None
    initialize_with_hyphen: bool = True
    demote_particle: str = "display-and-sort"
    # Whether the citation's first cs:name initializes given names, and whether
    # the citation adds given names to disambiguate (the bibliography follows it).
    cites_initialize: bool = False
    cites_add_givenname: bool = False
    givens_by_cite: bool = False  # add-givenname with givenname-disambiguation-rule="by-cite"
    # When the citation adds names: the et-al-min and et-al-use-first of its first cs:name.
    cites_et_al: tuple[int, int] | None = None
    # Whether the style prints year-suffix itself (then dates do not append it).
    year_suffix_explicit: bool = False
    # The variables the style's conditions test (variable, is-numeric, is-uncertain-date).
    condition_variables: frozenset[str] = frozenset()


@dataclass(slots=True)
class Summaries:
    """The :class:`Reach` of the elements (by element id: the elements outlive the
    processor that keeps these) for the items of one type that hold the same of
    the variables the style's conditions test."""

    padded_type: str  # the type between spaces, as a cs:if type test reads it
    tested: frozenset[str]  # the variables conditions test that these items hold
    macros: Mapping[str, tuple[Element, ...]]
    found: dict[int, Reach] = field(default_factory=dict)
    # The branch of each cs:choose that applies, when these items' types and
    # variables decide it (by element id: see Choose.branch).
    branches: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Environment:
    """What every render in one processor shares: locale, macros and style options."""

    locale: Locale
    macros: Mapping[str, tuple[Element, ...]]
    options: StyleOptions
    # Whether to make link nodes: the title and printed addresses lead to their address.
    links: bool = False
    # The registered people, when given names are added by a global rule.
    name_counts: NameCounts | None = None
    # Given names reduced to initials, by (given, initialize-with, initialize, hyphen):
    # the same names recur in every render of an item and across items.
    initials: dict[tuple[str, str, bool, bool], str] = field(default_factory=dict, compare=False, repr=False)
    # Text-case results by leaf texts: container titles and the like recur across items.
    text_cases: TextCaseMemo = field(default_factory=dict, compare=False, repr=False)
    # The parts, delimiter and formatting of each localized cs:date (by element id,
    # the element kept to tell a reused id).
    localized_dates: dict[int, tuple[Any, ...]] = field(default_factory=dict, compare=False, repr=False)
    # name_keys of each person (family, given, particle) a global given-name rule reads.
    person_keys: dict[tuple[Any, Any, Any], tuple[str, str, str]] = field(
        default_factory=dict, compare=False, repr=False)
    # What each element does for an item lacking its variables, by item type and
    # the tested variables the item holds.
    summaries: dict[tuple[str, frozenset[str]], Summaries] = field(
        default_factory=dict, compare=False, repr=False)


@dataclass(slots=True)
class FirstNames:
    """The first name lists of an entry: what subsequent-author-substitute replaces."""

    whole: Rich
    bodies: list[Rich]
    names: list[Rich]


@dataclass(slots=True)
class Trace:
    """What a render reports besides its text."""

    first_names: FirstNames | None = None
    # The names the first cs:names rendered and the cs:names whose options applied.
    names_source: tuple[list[dict[str, Any]], Element] | None = None
    starts_with_term: bool = False
    given_indices: set[int] = field(default_factory=set)
    # The cite's position was read (a position test, et-al-subsequent-* options).
    reads_position: bool = False


class Evaluation:
    """The state of one render of one item: inputs, a few counters, and the trace."""

    __slots__ = ("env", "req", "locale", "item", "mode", "citation", "sorting", "name_overrides", "trace",
                 "suppressed", "called", "rendered", "year_suffix_done", "var_log", "names_seen",
                 "author_suppressed", "output_started", "substituting", "substitute_parent",
                 "disamb_tests", "english", "turkic", "padded_type", "present", "summaries")

    def __init__(self, env: Environment, req: Request) -> None:
        self.env = env
        self.req = req
        self.locale = env.locale
        self.item = req.item
        self.mode = req.mode
        self.citation = req.mode == "citation"
        self.sorting = req.name_overrides is not None
        self.name_overrides: Mapping[str, str] = req.name_overrides or {}
        self.trace = Trace()
        # Group suppression: variables called and rendered inside the current group.
        self.called = 0
        self.rendered = 0
        self.var_log: list[str] = []
        # Variables cs:substitute has used up.
        self.suppressed: set[str] = set()
        self.year_suffix_done = False
        self.names_seen = 0
        self.author_suppressed = False
        self.output_started = False
        self.substituting = 0
        self.substitute_parent: Element | None = None
        self.disamb_tests = 0
        # The item's type between spaces, as a cs:if type test looks it up.
        self.padded_type = padded = f" {self.item.get('type')} "
        # The variables the item holds (what Evaluation.unsuppressed finds non-empty).
        self.present = present = frozenset([k for k, v in self.item.items() if holds(v)])
        key = (padded, present & env.options.condition_variables)
        found = env.summaries.get(key)
        self.summaries = found if found is not None else env.summaries.setdefault(
            key, Summaries(padded, key[1], env.macros))
        lang = self.item.get("language")
        if isinstance(lang, str) and lang:
            self.english, self.turkic = casing_of(lang)
        else:
            self.english, self.turkic = self.locale.casing

    def mark(self, name: str) -> None:
        """Record that variable ``name`` rendered non-empty."""
        self.rendered += 1
        self.var_log.append(name)

    def var(self, name: str) -> Any:
        """The value of a variable, or None (respecting substitution suppression)."""
        if name in self.suppressed:
            return None
        return self.unsuppressed(name)

    def unsuppressed(self, name: str) -> Any:
        """The value of a variable even when cs:substitute has used it up."""
        if name not in COMPUTED_VARIABLES:
            v = self.item.get(name)
            return v if holds(v) else None
        cite = self.req.cite
        if name == "locator":
            return cite.locator
        if name == "citation-number":
            n = self.req.citation_number
            return str(n) if n is not None else None
        if name == "first-reference-note-number":
            return str(cite.first_note) if cite.first_note is not None and cite.position else None
        if name == "year-suffix":
            ys = self.req.disamb.year_suffix
            return year_suffix_text(ys) if ys is not None else None
        v = self.item.get(name)
        if name == "citation-label" and not v:
            v = citation_label(self.item)
        if not holds(v):
            if name == "page-first" and isinstance(self.item.get("page"), str):
                m = re.match(r"\s*([^\s\-\u2013,&]+)", self.item["page"])
                return m.group(1) if m else None
            return None
        return v


def holds(value: Any) -> bool:
    """Whether a variable's value counts as present: not None, "" or an empty list
    (without comparing the value to each, which calls a date's __eq__ three times)."""
    return value is not None and (bool(value) or not isinstance(value, (str, list)))


def decorate(f: Formatting, content: Content, ev: Evaluation, *, affixes: bool = True,
             upright: bool = False) -> Rich | None:
    """Apply text-case, strip-periods, formatting, quotes, affixes and display
    (``upright``: without italics)."""
    if not content or (not isinstance(content, str) and content.is_empty()):
        return None
    ev.output_started = True
    if f is PLAIN:
        # Most elements set nothing: the content only needs to be a node.
        return content if isinstance(content, Rich) else Rich([content], known_text=True)
    # Text in a script not set in italics keeps its formatting but the italics.
    upright = upright and f.italic
    fmt = f.upright if upright else f.mapping
    if f.text_case:
        content = apply_text_case(content, f.text_case, ev.english or f.title_any_language, ev.turkic,
                                  ev.env.text_cases)
    known = True
    if f.strip_periods:
        content = map_strings(content, _strip_periods)
        # Text-case keeps every character; only stripped periods can leave nothing.
        known = not is_empty(content)
    assert content is not None
    inner: Content = Rich([content], fmt, f.quotes, known_text=known) if (fmt or f.quotes) else content
    prefix, end = "", ""
    if affixes:
        prefix, end = f.prefix, f.upright_end if upright else f.end
    if known and not prefix and not end and not f.display and isinstance(inner, Rich):
        return inner
    parts: list[Rich | str] = [p for p in (prefix, inner, end) if p]
    return Rich(parts, display=f.display, known_text=known)


_PERIOD = re.compile(r"\.(?![a-z])")


def _strip_periods(text: str) -> str:
    # As citeproc-js: the affixes and delimiters of the elements inside keep their
    # periods, and so does a period before a lower-case letter ("T.x").
    return text if isinstance(text, Suffix | Delim | FixedPrefix) else _PERIOD.sub("", text)


def decorate_layout(f: Formatting, content: Content) -> Rich | None:
    """Like :func:`decorate` for cs:layout, whose formatting also covers its affixes."""
    if is_empty(content):
        return None
    parts: list[Rich | str] = [p for p in (f.prefix, content, f.suffix) if p]
    return Rich(parts, dict(f.fmt))


def _render_into(children: tuple[Element, ...], ev: Evaluation, delimiter: str, out: list[Rich | str],
                 before: Formatting | None) -> Formatting | None:
    """Add the non-empty renderings of ``children`` to ``out``, joined, and give the
    formatting of the last (``before``: of the one already there). A cs:choose adds
    those of its chosen branch one by one, so that the enclosing group's delimiter
    separates them."""
    for c in children:
        if c.expands:
            before = _render_into(c.chosen(ev), ev, delimiter, out, before)
            continue
        content = c.render(ev)
        if not content or (not isinstance(content, str) and content.is_empty()):
            continue
        f = c.formatting
        if before is not None:
            if delimiter:
                # A delimiter's mark joins an element's own suffix as typed (":" + "." is
                # ":.") and a formatted variable's last mark; one nested deeper merges.
                out.append(SameDelim(delimiter) if before.simple or before.suffix else Delim(delimiter))
            elif ((before.fmt or f.fmt) and isinstance(content, Rich) and f.prefix
                    and content.children and content.children[0] == f.prefix):
                # citeproc-js moves no punctuation between a prefix and formatted siblings.
                content = dataclasses.replace(
                    content, children=[FixedPrefix(content.children[0]), *content.children[1:]])
        out.append(content)
        before = f
    return before


def render_children(children: tuple[Element, ...], ev: Evaluation, delimiter: str = "") -> Rich | None:
    """``children`` rendered and joined with ``delimiter``."""
    out: list[Rich | str] = []
    _render_into(children, ev, delimiter, out, None)
    return Rich(out, known_text=True) if out else None


def passes_over(el: Element, ev: Evaluation) -> bool:
    """Whether group or macro ``el`` prints nothing for the item, known without walking
    it; its walk's effect on the enclosing group is then applied.

    Terms it would print and then drop mark the output as started (which decides
    whether a later term opens the entry): it is walked while nothing has printed.
    """
    reach = ev.summaries.found.get(id(el))
    if reach is None:
        reach = el.reach(ev.summaries)
    if not reach.skippable or not reach.variables.isdisjoint(ev.present) or (
            reach.prints and not ev.output_started):
        return False
    if reach.calls:
        ev.called += 1
    return True


def suppressible(ev: Evaluation, children: tuple[Element, ...], delimiter: str = "", *,
                 dates_only: bool = False) -> Content:
    """``children`` rendered as a group: nothing when variables were called and all were empty
    (``dates_only``: of a sort key, only the dates, as citeproc-js keeps them)."""
    called, rendered = ev.called, ev.rendered
    ev.called = ev.rendered = 0
    parts: list[Rich | str] = []
    _render_into(children, ev, delimiter, parts, None)
    # As render_children: the parts are each known to hold text.
    out: Content = Rich(parts, known_text=True) if parts else None
    if dates_only:
        out = sort_dates_only(out)
    suppressed = ev.called > 0 and ev.rendered == 0
    ev.called, ev.rendered = called + ev.called, rendered + ev.rendered
    if suppressed or (is_empty(out) if dates_only else out is None):
        return None
    # Non-empty output counts as a rendered variable for an enclosing group.
    ev.called += 1
    ev.rendered += 1
    return out
