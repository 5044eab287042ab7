"""Field values: splitting a raw value into its ``#`` parts, expanding macros, months."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bibvault.bibfile.braces import balanced, group_end, one_group

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

#: The macros BibTeX predefines (lower-case name → expansion): the month abbreviations.
MONTH_MACROS: Mapping[str, str] = {m[:3].lower(): m for m in MONTHS}

_WS = " \t\r\n\f\v"
_NUMBER = re.compile(r"[0-9]+")
_IDENT = re.compile(r"[^ \t\r\n\f\v\"#%'(),={}]+")


def split_value(raw: str) -> list[tuple[str, str]]:
    """Split a raw value into ``(kind, text)`` parts joined by ``#``.

    ``kind`` is ``"braced"`` or ``"quoted"`` (text without its delimiters), ``"number"`` or
    ``"macro"``. Text that fits none of these (only possible for hand-built values) is
    returned as one ``"literal"`` part holding the rest, so the function never raises.
    """
    parts: list[tuple[str, str]] = []
    pos, n = 0, len(raw)
    while pos < n:
        while pos < n and raw[pos] in _WS:
            pos += 1
        if pos >= n:
            break
        ch = raw[pos]
        if ch == "{" or ch == '"':
            end = group_end(raw, pos)
            if end is None:
                parts.append(("literal", raw[pos:]))
                return parts
            parts.append(("braced" if ch == "{" else "quoted", raw[pos + 1 : end - 1]))
            pos = end
        else:
            m = _NUMBER.match(raw, pos)
            ident = _IDENT.match(raw, pos)
            if ident is not None and (m is None or ident.end() > m.end()):
                parts.append(("macro", ident.group()))
                pos = ident.end()
            elif m is not None:
                parts.append(("number", m.group()))
                pos = m.end()
            else:
                parts.append(("literal", raw[pos:]))
                return parts
        while pos < n and raw[pos] in _WS:
            pos += 1
        if pos < n:
            if raw[pos] != "#":
                parts.append(("literal", raw[pos:]))
                return parts
            pos += 1
    return parts


def expand(raw: str, macros: Mapping[str, str]) -> str:
    """Expand a raw value: macros looked up (lower-case) in ``macros`` then the month
    macros, ``#`` parts concatenated, outer braces or quotes stripped. TeX is kept.

    An undefined macro expands to the empty string, as BibTeX does.
    """
    if one_group(raw):
        return raw[1:-1]  # the common case: one braced or quoted part
    if _IDENT.fullmatch(raw):  # the next most common: one number or macro
        if raw.isdigit() and raw.isascii():
            return raw
        name = raw.lower()
        found = macros.get(name)
        return MONTH_MACROS.get(name, "") if found is None else found
    out = []
    for kind, text in split_value(raw):
        if kind == "macro":
            name = text.lower()
            found = macros.get(name)
            if found is None:
                found = MONTH_MACROS.get(name, "")
            out.append(found)
        else:
            out.append(text)
    return "".join(out)


def macro_names(raw: str) -> list[str]:
    """The macro names (as written) used in a raw value."""
    if raw[:1] in ("{", '"') and "#" not in raw:
        return []
    if _IDENT.fullmatch(raw):
        return [] if raw.isdigit() and raw.isascii() else [raw]
    return [text for kind, text in split_value(raw) if kind == "macro"]


_MONTH_LOOKUP = {m.lower(): i for i, m in enumerate(MONTHS, 1)}
_MONTH_LOOKUP.update({m[:3].lower(): i for i, m in enumerate(MONTHS, 1)})
_MONTH_LOOKUP["sept"] = 9


def month_number(value: str | None) -> int | None:
    """The month 1–12 meant by an expanded ``month`` value, or None.

    Accepts full or three-letter English names in any case (``"January"``, ``"jan"``,
    ``"Sept."``) and numbers ``"1"``–``"12"`` (also ``"01"``).
    """
    if value is None:
        return None
    text = value.strip().strip("{}").strip().rstrip(".").lower()
    if text.isdigit():
        n = int(text)
        return n if 1 <= n <= 12 else None
    return _MONTH_LOOKUP.get(text)


def braces_balanced(text: str) -> bool:
    """True when every ``{`` in ``text`` is closed and no ``}`` closes nothing.

    This is BibTeX's own count (a backslash does not escape a brace): the test
    for whether text can stand between ``{`` and ``}`` as one value.
    """
    return balanced(text)
