"""cs:text (variables, macros, terms, values) and cs:label, compiled and evaluated."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from bibvault.csl.element import (
    Element,
    Evaluation,
    Formatting,
    Summaries,
    decorate,
    passes_over,
    suppressible,
)
from bibvault.csl.items import DateValue
from bibvault.csl.numbers import is_numeric, is_plural, page_range
from bibvault.csl.reach import PRINTS, UNKNOWN, Reach, called_reach, suppressible_reach
from bibvault.csl.richtext import Content, MarksOnly, Rich, parse_inline
from bibvault.csl.textcase import capitalize_first
from bibvault.identity import safe_url

# Variables that CSL treats as numbers (is-numeric, cs:number, labels).
NUMBER_VARS = frozenset(
    "chapter-number citation-number collection-number edition first-reference-note-number issue "
    "locator number number-of-pages number-of-volumes page page-first part-number printing-number "
    "section supplement-number version volume".split()
)

# Han, kana, Hangul and their punctuation: scripts that are not set in italics.
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def _cjk_only(text: str) -> bool:
    """Whether ``text`` is written in CJK script with no Latin letters in it."""
    return bool(_CJK.search(text)) and not any(c.isalpha() and c < "\u0250" for c in text)


# Variables that print an address, and the address they link to.
_ADDRESSES = frozenset(("URL", "DOI", "archive_location"))
_ADDRESS_END = re.compile(r"(?i)https?://\S*$")
_HIGH_PUNCT_SPACE = re.compile(r" ([:;!?\u00bb])")


def _href(name: str, value: str) -> str | None:
    if name == "DOI" and not value.lower().startswith(("http://", "https://")):
        return safe_url(f"https://doi.org/{value.strip()}")
    return safe_url(value)


def _title_href(ev: Evaluation) -> str | None:
    """Where a title links to: the item's address, else its archived copy."""
    for name in ("URL", "archive_location"):
        value = ev.item.get(name)
        if isinstance(value, str) and (href := safe_url(value)) is not None:
            return href
    return None


# The variables TextVariable.render does more with than print them as text.
_NOT_AS_TEXT = NUMBER_VARS | _ADDRESSES | frozenset(("page", "locator", "URL", "DOI", "PMID", "PMCID",
                                                     "citation-label", "year-suffix"))
# Values a text variable does not print (a tuple: a union would be built each call).
_NOT_TEXT = (list, DateValue, bool)


def _as_text(ev: Evaluation, name: str, value: str) -> Content:
    """A variable's value as printed text (markup and quotation marks parsed)."""
    # As citeproc-js, whatever the language: a space before high punctuation
    # or inside guillemets is a narrow no-break space ("Form2Seq\u202f: A …").
    if " " in value and _HIGH_PUNCT_SPACE.search(value):
        value = _HIGH_PUNCT_SPACE.sub("\u202f\\1", value)
    if "\u00ab " in value:
        value = value.replace("\u00ab ", "\u00ab\u202f")
    content = parse_inline(value)
    if ev.env.links and name == "title" and (href := _title_href(ev)) is not None:
        return Rich([content], href=href)
    return content


def variable_text(ev: Evaluation, name: str, form: str = "long") -> str | None:
    """A string variable, preferring its short form when asked."""
    if form == "short":
        short = ev.var(f"{name}-short")
        if isinstance(short, str):
            return short
    v = ev.var(name)
    if v is None or isinstance(v, _NOT_TEXT):
        return None
    return str(v)


@dataclass(frozen=True, slots=True)
class TextVariable(Element):
    """cs:text variable="…"."""

    variable: str
    form: str
    formatting: Formatting
    # A variable printed as text (most of them): none of the numbers, addresses and
    # computed variables that render takes apart.
    as_text: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "as_text", self.variable not in _NOT_AS_TEXT)

    def reach(self, s: Summaries) -> Reach:
        name = self.variable
        return called_reach(frozenset((name, f"{name}-short") if self.form == "short" else (name,)))

    def render(self, ev: Evaluation) -> Content:
        name = self.variable
        if name == "year-suffix":
            # As in citeproc-js, a year-suffix counts as a variable that rendered,
            # even when absent: a group or macro holding one is never suppressed.
            ev.year_suffix_done = True
            ev.called += 1
            ev.rendered += 1
        else:
            ev.called += 1
        value = variable_text(ev, name, self.form)
        if value is None:
            return None
        ev.mark(name)
        content: Content
        cite = ev.req.cite
        if self.as_text:
            content = _as_text(ev, name, value)
        elif name == "page" or (name == "locator" and (cite.label or "page") == "page"):
            content = page_range(value, ev.env.options.page_range_format, ev.locale)
        elif name == "locator" and not is_numeric(value):
            content = parse_inline(value)
        elif name == "locator" or (name in NUMBER_VARS and name != "number" and is_numeric(value)):
            # Ranges in numeric variables take the range delimiter (en dash).
            content = page_range(value, None, ev.locale)
        elif ev.env.links and name in _ADDRESSES and (href := _href(name, value)) is not None:
            # A printed address is a link, and keeps its case ("https://", not "Https://").
            content = Rich([value], nocase=True, href=href)
        elif name in ("URL", "DOI", "PMID", "PMCID"):
            content = Rich([value], nocase=True)
        elif name == "citation-label":
            # The label carries the year suffix when one disambiguates it.
            ys = ev.var("year-suffix")
            if ys and not ev.env.options.year_suffix_explicit and not ev.year_suffix_done:
                ev.year_suffix_done = True
                value += ys
            content = value
        else:
            content = _as_text(ev, name, value)
        f = self.formatting
        if isinstance(content, Rich) and content.href and (m := _ADDRESS_END.search(f.prefix)):
            # An address typed in the prefix ("https://doi.org/") is part of the link.
            content = Rich([m.group(0) + value], nocase=True, href=_href("URL", m.group(0) + value) or content.href)
            f = dataclasses.replace(f, prefix=f.prefix[: m.start()])
        # A variable in CJK script is not italicised, as the reference processor does.
        return decorate(f, content, ev, upright=f.italic and _cjk_only(value))


@dataclass(frozen=True, slots=True)
class TextMacro(Element):
    """cs:text macro="…": suppressed like a group when every variable it calls is empty."""

    macro: str
    formatting: Formatting
    holds_date: bool  # a cs:date among the macro's descendants
    def reach(self, s: Summaries) -> Reach:
        found = s.found.get(id(self))
        if found is None:
            s.found[id(self)] = UNKNOWN  # while it is worked out: a macro may call itself
            found = s.found[id(self)] = suppressible_reach([c.reach(s) for c in s.macros.get(self.macro, ())])
        return found

    def render(self, ev: Evaluation) -> Content:
        body = ev.env.macros.get(self.macro)
        if body is None or passes_over(self, ev):
            return None
        return decorate(self.formatting, suppressible(ev, body, dates_only=ev.sorting and self.holds_date), ev)


@dataclass(frozen=True, slots=True)
class TextTerm(Element):
    """cs:text term="…"."""

    term: str
    form: str
    plural: bool
    formatting: Formatting

    def reach(self, s: Summaries) -> Reach:
        return PRINTS

    def render(self, ev: Evaluation) -> Content:
        text = ev.locale.term(self.term, self.form, self.plural)
        if text and not ev.output_started:
            ev.trace.starts_with_term = True
            if ev.mode == "bibliography" and not ev.sorting:
                # citeproc-js capitalises a term that opens a bibliography entry ("N.d.").
                text = capitalize_first(text)
        return decorate(self.formatting, text or None, ev)


@dataclass(frozen=True, slots=True)
class TextValue(Element):
    """cs:text value="…"."""

    value: str
    formatting: Formatting

    def reach(self, s: Summaries) -> Reach:
        return PRINTS

    def render(self, ev: Evaluation) -> Content:
        if self.value and not self.value.strip(".,;:!?"):
            return decorate(self.formatting, MarksOnly(self.value), ev)
        return decorate(self.formatting, parse_inline(self.value) if self.value else None, ev)


def _label_term(ev: Evaluation, name: str) -> tuple[str, Any]:
    """(term name, value) for a label of variable ``name``."""
    if name == "locator":
        label = ev.req.cite.label or "page"
        # CSL 1.0 spelled the locator "sub verbo"; 1.0.2 locales call the term "sub-verbo".
        if label in ("sub verbo", "sub-verbo"):
            label = "sub-verbo" if ev.locale.lookup("sub-verbo") else "sub verbo"
        return (label, ev.req.cite.locator)
    return (name, ev.var(name))


@dataclass(frozen=True, slots=True)
class Label(Element):
    """cs:label of a variable (outside cs:names)."""

    variable: str
    form: str
    plural: str  # contextual | always | never
    formatting: Formatting

    def reach(self, s: Summaries) -> Reach:
        return PRINTS

    def render(self, ev: Evaluation) -> Content:
        name = self.variable
        term, value = _label_term(ev, name)
        if value is None and name and not ev.sorting:
            # citeproc-js (not the CSL specification) prints the label of an empty
            # variable in its singular form, as a term: it does not count as a variable
            # for the suppression of an enclosing group.
            text = ev.locale.term(term, self.form, self.plural == "always")
            return decorate(self.formatting, text or None, ev)
        if value is None or isinstance(value, (list, DateValue)):
            return None
        if (name == "locator" and ev.req.cite.label is None
                and not re.match(r"\s*(\d|[ivxlcdm]+\b)", str(value), re.I)):
            # An unlabelled locator that is not a page number ("vol. 1, fol. 186") names itself.
            return None
        if self.plural == "always":
            plural = True
        elif self.plural == "never":
            plural = False
        elif name in ("number-of-pages", "number-of-volumes"):
            m = re.match(r"\s*(\d+)", str(value))
            plural = bool(m and int(m.group(1)) > 1)
        else:
            plural = is_plural(str(value), ev.locale.term("and"))
        text = ev.locale.term(term, self.form, plural)
        return decorate(self.formatting, text or None, ev)
