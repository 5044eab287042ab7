"""What one render of an item starts from: the cite, and the disambiguation choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
    comparing: bool = False  # rendered only to compare cites while disambiguating

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


@dataclass(frozen=True)
class NameCounts:
    """The people of all registered items, for a global givenname-disambiguation-rule:
    per family name, how many sets of initials; per family name and initials, how
    many given names."""

    rule: str
    initials: dict[str, int]
    givens: dict[tuple[str, str], int]


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


def copy_disamb(d: Disamb, **changes: object) -> Disamb:
    """A copy of ``d`` (its given-name levels too) with ``changes`` applied."""
    out = Disamb(d.names_shown, dict(d.given_levels), d.given_all, d.year_suffix, d.condition)
    for k, v in changes.items():
        setattr(out, k, v)
    return out


@dataclass(frozen=True, slots=True)
class Request:
    """One render asked for: the item, the cite, the mode and the disambiguation choices.

    ``name_overrides`` is set (possibly empty) when rendering a sort key: names
    then render inverted, without connecting words, with these cs:name options.
    """

    item: dict[str, Any]
    cite: Cite
    mode: str  # "citation" | "bibliography"
    disamb: Disamb
    citation_number: int | None = None
    name_overrides: dict[str, str] | None = None
