"""The formatting attributes of a compiled element: text case, fonts, quotes, affixes, display.

Parsed once when a style compiles; :func:`~bibvault.csl.element.decorate` applies
them to an element's rendering. What decorate needs of them besides the
attributes (the node formatting, the suffix as text of its kind) is worked out
here once for each element.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from bibvault.csl.richtext import FORMAT_KEYS, NO_FORMAT, SameSuffix, Suffix
from bibvault.csl.stylexml import StyleError

_TEXT_CASES = frozenset(("lowercase", "uppercase", "capitalize-first", "capitalize-all", "sentence", "title"))


@dataclass(frozen=True, slots=True)
class Formatting:
    """Text-case, strip-periods, font formatting, quotes, affixes and display of an element."""

    text_case: str | None = None
    strip_periods: bool = False
    fmt: tuple[tuple[str, str], ...] = ()
    quotes: bool = False
    prefix: str = ""
    suffix: str = ""
    display: str | None = None
    # A formatted cs:text (not a macro), cs:number or cs:label: citeproc-js renders
    # it as one string, so only a repeated mark merges at its suffix or after it.
    simple: bool = False
    # A cs:label or a term's cs:text: citeproc-js title-cases it in any language
    # (variables in English only).
    title_any_language: bool = False
    # Worked out once for decorate: the formatting as a node carries it (also without
    # italics, for text that is not set in italics), and the suffix as text of its kind.
    mapping: Mapping[str, str] = field(init=False, repr=False, compare=False)
    upright: Mapping[str, str] = field(init=False, repr=False, compare=False)
    italic: bool = field(init=False, repr=False, compare=False)
    end: Suffix = field(init=False, repr=False, compare=False)
    upright_end: Suffix = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        setter = object.__setattr__
        if not self.fmt:
            # Most elements (and every copy of a layout's formatting) set no fonts.
            setter(self, "mapping", NO_FORMAT)
            setter(self, "upright", NO_FORMAT)
            setter(self, "italic", False)
            end = Suffix(self.suffix)
            setter(self, "end", end)
            setter(self, "upright_end", end)
            return
        mapping = dict(self.fmt)
        italic = mapping.get("font-style") == "italic"
        upright = {k: v for k, v in mapping.items() if k != "font-style"} if italic else mapping
        setter(self, "mapping", MappingProxyType(mapping))
        setter(self, "upright", MappingProxyType(upright) if upright else NO_FORMAT)
        setter(self, "italic", italic)
        setter(self, "end", SameSuffix(self.suffix) if self.simple else Suffix(self.suffix))
        setter(self, "upright_end", SameSuffix(self.suffix) if upright and self.simple else Suffix(self.suffix))

    def __reduce__(self) -> tuple[type[Formatting], tuple[Any, ...]]:
        # Pickled by its attributes alone: what __post_init__ works out is made again.
        return (Formatting, tuple(getattr(self, f.name) for f in dataclasses.fields(self) if f.init))

    @classmethod
    def from_attrs(cls, attrs: Mapping[str, str], where: str = "", *, simple: bool = False,
                   term: bool = False) -> Formatting:
        """The formatting attributes of an element (``where`` names it in errors;
        ``simple`` for a cs:text that is not a macro, a cs:number or a cs:label;
        ``term`` for a cs:label or a cs:text that prints a term)."""
        case = attrs.get("text-case")
        if case is not None and case not in _TEXT_CASES:
            raise StyleError(f"{where}: text-case={case!r} is not one of {', '.join(sorted(_TEXT_CASES))}")
        fmt = tuple((k, attrs[k]) for k in FORMAT_KEYS if k in attrs)
        made = cls(case, attrs.get("strip-periods") == "true", fmt, attrs.get("quotes") == "true",
                   attrs.get("prefix", ""), attrs.get("suffix", ""), attrs.get("display"), simple and bool(fmt),
                   term and case is not None)
        # One shared value for "no formatting", which decorate() passes straight through.
        return PLAIN if made == PLAIN else made


PLAIN = Formatting()
