"""The rich-text tree that rendering builds and output backends serialise.

Rendering never produces strings with markup: it produces :class:`Rich` nodes
(formatting, quotes, display blocks, case protection) around plain strings.
A backend in :mod:`bibvault.csl.output` maps the flattened tree to text,
HTML, Markdown or LaTeX.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# Outermost first when one element sets several, in the order citeproc-js nests them.
FORMAT_KEYS = ("vertical-align", "text-decoration", "font-weight", "font-variant", "font-style")
# The value each formatting key takes when it is "off".
NEUTRAL = {
    "font-style": "normal",
    "font-variant": "normal",
    "font-weight": "normal",
    "text-decoration": "none",
    "vertical-align": "baseline",
}

# The formatting of every node that sets none: one shared value, which cannot change.
NO_FORMAT: Mapping[str, str] = MappingProxyType({})


@dataclass(eq=False, slots=True, init=False)
class Rich:
    """A run of rich text: children (strings or nodes) with shared formatting."""

    children: list[Rich | str]
    fmt: Mapping[str, str]
    quotes: bool
    display: str | None
    nocase: bool
    # Quoted text from the data followed by punctuation typed outside the marks:
    # punctuation-in-quote leaves that punctuation where it was typed.
    typed_outside: bool
    # Quotation marks typed curly in the data (“…”): citeproc-js prints them as
    # typed at the outermost level and the locale's marks only when nested.
    kept: str
    # A link node: the address the text leads to (written only by formats that link).
    href: str | None
    # Set where the node is built from parts already known to hold text, so that the
    # emptiness checks of every enclosing level do not walk down the whole tree again.
    known_text: bool = field(repr=False)

    def __init__(self, children: list[Rich | str] | None = None, fmt: Mapping[str, str] | None = None,
                 quotes: bool = False, display: str | None = None, nocase: bool = False,
                 typed_outside: bool = False, kept: str = "", href: str | None = None,
                 known_text: bool = False) -> None:
        # Written out rather than generated: a render makes tens of nodes an entry,
        # most without formatting, and these share NO_FORMAT instead of a new dict each.
        self.children = [] if children is None else children
        self.fmt = NO_FORMAT if fmt is None else fmt
        self.quotes = quotes
        self.display = display
        self.nocase = nocase
        self.typed_outside = typed_outside
        self.kept = kept
        self.href = href
        self.known_text = known_text

    def is_empty(self) -> bool:
        """True when the node holds no text at all."""
        if self.known_text:
            return False
        for c in self.children:
            if c if isinstance(c, str) else not c.is_empty():
                return False
        return True

    def holds_text(self) -> bool:
        """Whether any text is left, looked up afresh (after in-place edits)."""
        for c in self.children:
            if c if isinstance(c, str) else c.holds_text():
                return True
        return False

    def plain(self) -> str:
        """The text without any markup."""
        return "".join([c if isinstance(c, str) else c.plain() for c in self.children])

Content = Rich | str | None

def plain(node: Content) -> str:
    """Plain text of a node, a string or None."""
    if node is None:
        return ""
    return node if isinstance(node, str) else node.plain()

def is_empty(node: Content) -> bool:
    """True for None, "" and nodes without text."""
    if not node:
        return True
    if isinstance(node, str):
        return False
    return node.is_empty()

def join(parts: Iterable[Content], delimiter: str = "") -> Rich | None:
    """Non-empty parts joined with ``delimiter``; None when nothing is left."""
    children: list[Rich | str] = []
    for p in parts:
        if not p or (not isinstance(p, str) and p.is_empty()):
            continue
        if children and delimiter:
            children.append(delimiter)
        children.append(p)
    if not children:
        return None
    return Rich(children, known_text=True)

def map_strings(node: Content, fn: Callable[[str], str], respect_nocase: bool = True) -> Content:
    """A copy of ``node`` with ``fn`` applied to every string (nocase runs kept)."""
    if node is None:
        return None
    if isinstance(node, str):
        return fn(node)
    if respect_nocase and node.nocase:
        return node
    return Rich(
        [map_strings(c, fn, respect_nocase) or "" for c in node.children],
        dict(node.fmt),
        node.quotes,
        node.display,
        node.nocase,
        node.typed_outside,
        node.kept,
        node.href,
    )


def leaves(node: Content, with_nocase: bool = False) -> Iterator[tuple[Rich | None, int, bool]]:
    """(parent, index, protected) of every string leaf, in order."""

    if isinstance(node, Rich):
        yield from _leaves(node, False)


def _leaves(n: Rich, protected: bool) -> Iterator[tuple[Rich | None, int, bool]]:
    # A module-level function: a nested one calling itself is a reference cycle.
    prot = protected or n.nocase
    for i, c in enumerate(n.children):
        if isinstance(c, str):
            yield n, i, prot
        else:
            yield from _leaves(c, prot)

# Where punctuation comes from decides how citeproc-js joins it to the mark before:
# by its table (":" + "." is ":"), only a repeated mark going ("same"), or not at all.
class Suffix(str):
    """An element's suffix."""


class SameSuffix(Suffix):
    """The suffix of a formatted variable, term or value: only a repeated mark goes."""


class Delim(str):
    """A group's delimiter (after a suffix, only a repeated mark goes)."""


class SameDelim(Delim):
    """A delimiter after a formatted variable, term or value: only a repeated mark goes."""


class FixedPrefix(str):
    """A prefix next to a formatted sibling: nothing merges."""


class MarksOnly(str):
    """A cs:text value made only of punctuation ("."): citeproc-js keeps it as text
    and merges it with no mark before it ("2019 ;" + "." is "2019 ;.")."""


class SortDate(str):
    """A date as a sort key spells it (digits), told apart from the text around it."""


def sort_dates_only(content: Content) -> str | None:
    """Only the dates of ``content``: citeproc-js keeps nothing else of a macro that
    holds a cs:date (no terms, no affixes) when it writes a sort key."""
    if isinstance(content, SortDate):
        return content
    found = "".join(str(p.children[i]) for p, i, _ in leaves(content)
                    if p is not None and isinstance(p.children[i], SortDate))
    return SortDate(found) if found else None

# --- parsing of markup inside CSL-JSON strings -------------------------------

_TAG = re.compile(
    r"<(/?)(i|b|sup|sub|sc|span)((?:\s+[a-z-]+=\"[^\"]*\")*)\s*>", re.IGNORECASE
)
_MARKUP_OR_QUOTE = re.compile("[<\"'\u201c]")
_SPECIAL = re.compile("[<\"'\u201c\u201d\u2018\u2019]")
#: A key of ``Rich.fmt`` marking formatting that came from markup in the data.
DATA_MARKUP = "data-markup"

_TAG_FMT = {
    "i": ("font-style", "italic"),
    "b": ("font-weight", "bold"),
    "sup": ("vertical-align", "sup"),
    "sub": ("vertical-align", "sub"),
    "sc": ("font-variant", "small-caps"),
}

def _can_open(text: str, i: int) -> bool:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    # A mark opens before text, not before another of its kind (l''' is three
    # apostrophes); before the other straight mark it opens an outer quotation ('"…"').
    # Curly opening marks open whatever precedes them (以“不v1不v2”).
    if text[i] not in _CURLY_CLOSER and (before.isalnum() or before in ".,"):
        return False
    return not after.isspace() and after != text[i]


def _can_close(text: str, i: int) -> bool:
    # A curly closing double mark closes anywhere (“…” 的, “… ”); ’ may be an apostrophe.
    if text[i] == "\u201d":
        return True
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and not after.isalnum()


def parse_inline(text: str) -> Rich | str:
    """Parse the HTML-like markup and quotation marks of a CSL-JSON string into a tree.

    Straight and curly quotation-mark pairs become quoted nodes (so that the
    locale's marks and nesting apply); other straight apostrophes become ’.
    """
    if not _MARKUP_OR_QUOTE.search(text):
        return text
    root = Rich()
    # stack entries: (kind, node, char) — kind is a tag name or "q"
    stack: list[tuple[str, Rich, str]] = [("", root, "")]
    buf: list[str] = []

    def flush() -> None:
        if buf:
            stack[-1][1].children.append("".join(buf))
            buf.clear()

    def open_quotes() -> list[str]:
        return [e[2] for e in stack if e[0] == "q"]

    i = 0
    while i < len(text):
        # Plain text up to the next tag or quotation mark goes in as one run.
        special = _SPECIAL.search(text, i)
        if special is None:
            buf.append(text[i:])
            break
        if special.start() > i:
            buf.append(text[i : special.start()])
            i = special.start()
        ch = text[i]
        if ch == "<":
            m = _TAG.match(text, i)
            if m:
                flush()
                _tag(m, stack)
                i = m.end()
                continue
        if ch in "\"'\u201c\u201d\u2018\u2019":
            opener = _CURLY_OPENER.get(ch, ch)
            if opener in open_quotes() and _can_close(text, i) and ch not in _CURLY_CLOSER:
                flush()
                while stack[-1][0] != "q" or stack[-1][2] != opener:
                    stack.pop()
                closed = stack.pop()[1]
                # Punctuation typed right after the mark stays outside it; after curly
                # marks, which are kept as typed, any punctuation does ('“Aliens”?').
                closed.typed_outside = text[i + 1 : i + 2] in (_ANY_MARK if closed.kept else _STOPS)
                i += 1
                continue
            if ch not in _CURLY_OPENER and _can_open(text, i) and _has_closer(text, i, _CURLY_CLOSER.get(ch, ch)):
                flush()
                kept = ch + _CURLY_CLOSER[ch] if ch in _CURLY_CLOSER else ""
                node = Rich(fmt={DATA_MARKUP: "true"}, quotes=True, kept=kept)
                stack[-1][1].children.append(node)
                stack.append(("q", node, ch))
                i += 1
                continue
            if ch == "'":
                ch = "\u2019"
        buf.append(ch)
        i += 1
    flush()
    return root


_STOPS = frozenset(".,")
_ANY_MARK = frozenset(".,!?:;")
# Curly quotation marks typed in the data: closing mark → opening mark, and back.
_CURLY_OPENER = {"\u201d": "\u201c", "\u2019": "\u2018"}
_CURLY_CLOSER = {"\u201c": "\u201d", "\u2018": "\u2019"}


def _has_closer(text: str, i: int, ch: str) -> bool:
    j = text.find(ch, i + 1)
    while j != -1:
        if _can_close(text, j):
            return True
        j = text.find(ch, j + 1)
    return False


def _tag(m: re.Match[str], stack: list[tuple[str, Rich, str]]) -> None:
    closing, tag, attrs = m.group(1), m.group(2).lower(), m.group(3) or ""
    if closing:
        if any(e[0] == tag for e in stack[1:]):
            while stack[-1][0] != tag:
                stack.pop()
            stack.pop()
        else:
            stack[-1][1].children.append(m.group(0))
        return
    node = Rich()
    fmt: dict[str, str] = {}
    flat = attrs.replace(" ", "")
    if tag in _TAG_FMT:
        key, val = _TAG_FMT[tag]
        fmt[key] = val
        # Small caps and super/subscripts in data are left alone by text-case.
        node.nocase = tag in ("sc", "sup", "sub")
    elif "nocase" in attrs:
        node.nocase = True
    elif "nodecor" in attrs:
        fmt = {"nodecor": "true"}
        node.nocase = True
    elif "small-caps" in flat:
        fmt["font-variant"] = "small-caps"
        node.nocase = True
    elif "font-style:italic" in flat:
        fmt["font-style"] = "italic"
    elif "font-weight:bold" in flat:
        fmt["font-weight"] = "bold"
    if fmt:
        # Markup from the data flips inside the same style; the style's own does not.
        fmt[DATA_MARKUP] = "true"
        node.fmt = fmt
    stack[-1][1].children.append(node)
    stack.append((tag, node, ""))
