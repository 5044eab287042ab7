"""The one brace scanner: where a ``{...}``, ``"..."`` or ``(...)`` group closes, and
whether braces pair up. The reader, value splitting and validation all use it.

Braces are counted as BibTeX counts them: a backslash does not escape a brace
(``balanced(text, escapes=True)`` is the exception, for TeX text as LaTeX reads
it). Inside a quoted string or a parenthesised body, ``"`` and ``)`` close the
group only outside braces, and a ``}`` that closes nothing is a stray.

Most groups nest a few levels at most, so a regular expression that knows three
levels finds their end in one C-level match; deeper or broken groups fall back to
counting, one brace at a time (never one character at a time).
"""

from __future__ import annotations

import re
from typing import NamedTuple

# A brace group nesting up to three levels deep, with possessive quantifiers so that
# a failing match gives up at once instead of backtracking.
_INNER = r"\{(?:[^{}]++|\{(?:[^{}]++|\{[^{}]*+\})*+\})*+\}"
_FAST = {
    "{": re.compile(_INNER),
    '"': re.compile(r'"(?:[^"{}]++|' + _INNER + r')*+"'),
    "(": re.compile(r"\((?:[^{})]++|" + _INNER + r")*+\)"),
}
_STOPS = {"{": re.compile(r"[{}]"), '"': re.compile(r'["{}]'), "(": re.compile(r"[{})]")}
_FLAT_BALANCED = re.compile(r"(?:[^{}]++|" + _INNER + r")*+")
_ESCAPED = re.compile(r"\\[{}]")


class Closing(NamedTuple):
    """Where a group closes: ``end`` just after its closer, or -1 when the text ends first;
    ``stray`` just after a ``}`` that closed nothing (quotes and parentheses), else -1."""

    end: int
    stray: int


def closing(text: str, pos: int) -> Closing:
    """Where the group opened by ``text[pos]`` (``{``, ``"`` or ``(``) closes.

    A brace group closes at its matching ``}``; a quoted string at the first ``"``
    outside braces; a parenthesised body at the first ``)`` outside braces. Scanning
    stops at a ``}`` that closes nothing (``stray``). Never raises for those three
    openers.
    """
    opener = text[pos]
    m = _FAST[opener].match(text, pos)
    if m is not None:
        return Closing(m.end(), -1)
    find = _STOPS[opener].search
    depth, i = 0, pos if opener == "{" else pos + 1
    while True:
        m = find(text, i)
        if m is None:
            return Closing(-1, -1)
        c, i = m.group(), m.end()
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return Closing(-1, i)
            if depth == 0 and opener == "{":
                return Closing(i, -1)
        elif depth == 0:  # the '"' or ')' that closes
            return Closing(i, -1)


def group_end(text: str, pos: int) -> int | None:
    """Offset just after the group opened at ``pos``, or None when it does not close."""
    end = closing(text, pos).end
    return end if end >= 0 else None


def one_group(text: str) -> bool:
    """True when ``text`` is exactly one closed ``{...}`` or ``"..."`` group."""
    if text[:1] not in ("{", '"'):
        return False
    if _FAST[text[0]].fullmatch(text):
        return True
    return closing(text, 0).end == len(text)


def balanced(text: str, escapes: bool = False) -> bool:
    """True when every ``{`` in ``text`` is closed and no ``}`` closes nothing.

    With ``escapes``, ``\\{`` and ``\\}`` are characters, not braces (as LaTeX reads
    them); otherwise every brace counts, as BibTeX counts them.
    """
    if escapes and "\\" in text:
        text = _ESCAPED.sub("", text)
    opens = text.count("{")
    if opens != text.count("}"):
        return False
    if opens == 0 or _FLAT_BALANCED.fullmatch(text):
        return True
    depth = 0
    for m in _STOPS["{"].finditer(text):
        depth += 1 if m.group() == "{" else -1
        if depth < 0:
            return False
    return True
