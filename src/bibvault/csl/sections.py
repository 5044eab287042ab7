"""The compiled sections of a style: cs:citation, cs:bibliography and their cs:layout.

:class:`~bibvault.csl.compile.Compiler` makes them when a style loads; the
processor, clusters and author substitution read them while rendering.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from bibvault.csl.element import Element, Formatting
from bibvault.csl.sorting import Sort


@dataclass(frozen=True, slots=True)
class Layout:
    """cs:layout: the elements of one cite or entry, their delimiter and formatting."""

    children: tuple[Element, ...]
    delimiter: str
    formatting: Formatting


@dataclass(frozen=True, slots=True)
class Citation:
    """cs:citation: layout, sort, and the disambiguation and collapsing options."""

    layout: Layout
    sort: Sort | None
    add_names: bool
    add_givenname: bool
    givenname_rule: str
    add_year_suffix: bool
    collapse: str
    cite_group_delimiter: str | None
    year_suffix_delimiter: str | None
    after_collapse_delimiter: str | None
    near_note_distance: int


@dataclass(frozen=True, slots=True)
class Bibliography:
    """cs:bibliography: layout, sort, second-field-align and author substitution."""

    layout: Layout
    sort: Sort | None
    second_field_align: str
    author_substitute: str | None
    author_substitute_rule: str
    hanging_indent: bool
    line_spacing: int
    entry_spacing: int
    # The layout's formatting without its affixes, which stay inside the two blocks
    # of a second-field-align entry (made once, not for each entry).
    bare_formatting: Formatting = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        bare = dataclasses.replace(self.layout.formatting, prefix="", suffix="")
        object.__setattr__(self, "bare_formatting", bare)
