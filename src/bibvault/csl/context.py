"""Per-render state: the item, the cite, disambiguation choices and inherited options."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from bibvault.csl.locale import Locale
from bibvault.csl.style import Node, Style

# Attributes of cs:style / cs:citation / cs:bibliography inherited by cs:name and cs:names.
NAME_ATTRS = (
    "and",
    "delimiter-precedes-et-al",
    "delimiter-precedes-last",
    "et-al-min",
    "et-al-use-first",
    "et-al-use-last",
    "et-al-subsequent-min",
    "et-al-subsequent-use-first",
    "initialize",
    "initialize-with",
    "name-as-sort-order",
    "sort-separator",
    "name-form",
    "name-delimiter",
    "names-delimiter",
)

POSITIONS = {"first": 0, "subsequent": 1, "ibid": 2, "ibid-with-locator": 3}


@dataclass
class Cite:
    """One cite of an item: locator, label, affixes and its position in the document."""

    id: str
    locator: str | None = None
    label: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    suppress_author: bool = False
    author_only: bool = False
    position: int = 0
    near_note: bool = False
    note_number: int | None = None
    first_note: int | None = None
    explicit_position: bool = False  # the position was given, not computed

    @classmethod
    def from_json(cls, d: dict[str, Any] | str) -> Cite:
        """A cite from a CSL citation-item dict or a bare id."""
        if isinstance(d, str):
            return cls(id=d)
        loc = d.get("locator")
        return cls(
            id=str(d.get("id")),
            locator=str(loc).strip() if str(loc or "").strip() else None,
            label=d.get("label"),
            prefix=d.get("prefix"),
            suffix=d.get("suffix"),
            suppress_author=bool(d.get("suppress-author")),
            author_only=bool(d.get("author-only")),
            position=int(d["position"]) if isinstance(d.get("position"), int) else 0,
            explicit_position=isinstance(d.get("position"), int),
            near_note=bool(d.get("near-note")),
        )


@dataclass
class Disamb:
    """Disambiguation choices for one item."""

    names_shown: int | None = None  # add-names: et-al-use-first raised to this
    given_levels: dict[int, int] = field(default_factory=dict)  # name index → 0/1/2
    given_all: int = 0  # level applied to every name (global name disambiguation)
    year_suffix: int | None = None  # 0 → "a"
    condition: int = 0  # how many disambiguate="true" tests (in rendering order) hold


@dataclass
class Context:
    """Everything rendering one item needs."""

    style: Style
    locale: Locale
    item: dict[str, Any]
    mode: str  # "citation" | "bibliography"
    cite: Cite
    disamb: Disamb
    citation_number: int | None = None
    sorting: bool = False
    name_overrides: dict[str, str] = field(default_factory=dict)
    suppressed: set[str] = field(default_factory=set)
    called: int = 0
    rendered: int = 0
    year_suffix_explicit: bool = False
    year_suffix_done: bool = False
    var_log: list[str] = field(default_factory=list)
    first_names: Any = None  # rich text of the first cs:names rendered (author substitution)
    first_name_nodes: list[Any] = field(default_factory=list)
    first_name_bodies: list[Any] = field(default_factory=list)
    first_names_source: Any = None  # (names, cs:names element with the options) of first_names
    names_seen: int = 0
    author_suppressed: bool = False
    output_started: bool = False
    substituting: int = 0
    substitute_parent: Any = None  # the cs:names whose cs:substitute is being rendered
    disamb_tests: int = 0
    starts_with_term: bool = False
    given_indices: set[int] = field(default_factory=set)  # names whose given-name level was read

    def mark(self, name: str) -> None:
        """Record that variable ``name`` rendered non-empty."""
        self.rendered += 1
        self.var_log.append(name)

    @property
    def element(self) -> Node | None:
        """The cs:citation or cs:bibliography element in use."""
        return self.style.citation if self.mode == "citation" else self.style.bibliography

    def inherited(self, name: str) -> str | None:
        """An inheritable option from the citation/bibliography element or the style."""
        el = self.element
        if el is not None and name in el.attrs:
            return el.attrs[name]
        return self.style.options.get(name)

    def var(self, name: str) -> Any:
        """The value of a variable, or None (respecting substitution suppression)."""
        if name in self.suppressed:
            return None
        return self.unsuppressed(name)

    def unsuppressed(self, name: str) -> Any:
        """The value of a variable even when cs:substitute has used it up."""
        if name == "locator":
            return self.cite.locator
        if name == "citation-number":
            return str(self.citation_number) if self.citation_number is not None else None
        if name == "first-reference-note-number":
            return str(self.cite.first_note) if self.cite.first_note is not None and self.cite.position else None
        if name == "year-suffix":
            ys = self.disamb.year_suffix
            return year_suffix_text(ys) if ys is not None else None
        v = self.item.get(name)
        if name == "citation-label" and not v:
            v = citation_label(self.item)
        if v in ("", [], None):
            if name == "page-first" and isinstance(self.item.get("page"), str):
                m = re.match(r"\s*([^\s\-\u2013,&]+)", self.item["page"])
                return m.group(1) if m else None
            return None
        return v

    @functools.cached_property
    def english(self) -> bool:
        """Whether title case applies (English locale and item language)."""
        lang = self.item.get("language")
        if isinstance(lang, str) and lang:
            return lang.lower().startswith("en")
        return self.locale.lang.lower().startswith("en")

    @functools.cached_property
    def turkic(self) -> bool:
        """Whether the item's language (or the locale) cases i as Turkish does."""
        lang = self.item.get("language")
        code = lang if isinstance(lang, str) and lang else self.locale.lang
        return code.lower().split("-")[0] in ("tr", "az")


def year_suffix_text(n: int) -> str:
    """0 → a, 25 → z, 26 → aa, …"""
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = ""
    n += 1
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = letters[r] + out
    return out


def citation_label(item: dict[str, Any]) -> str | None:
    """A trigraph-style label: letters of up to four family names and a two-digit year."""
    names: list[dict[str, Any]] = next(
        (item[k] for k in ("author", "editor") if isinstance(item.get(k), list) and item[k]), []
    )
    families = [str(n.get("family") or n.get("literal") or "") for n in names]
    families = [f for f in families if f]
    if not families:
        return None
    widths = {1: [4], 2: [2, 2], 3: [2, 1, 1]}.get(len(families), [1, 1, 1, 1])
    label = "".join(f[:w] for f, w in zip(families, widths, strict=False))
    issued = item.get("issued")
    start = getattr(issued, "start", None)
    if start:
        label += f"{start[0] % 100:02d}"
    return label
