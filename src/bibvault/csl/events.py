"""Flattening a :class:`~bibvault.csl.richtext.Rich` tree into text and markup events.

:func:`flatten` turns the tree into a flat list of events and applies what
depends on the neighbourhood of a piece of text: quote nesting, punctuation
moved inside quotes, doubled punctuation at joins, nested italics flipping to
roman. The backends in :mod:`bibvault.csl.output` then only spell each event.
"""

from __future__ import annotations

from dataclasses import dataclass

from bibvault.csl.richtext import (
    DATA_MARKUP,
    FORMAT_KEYS,
    NEUTRAL,
    Content,
    Delim,
    FixedPrefix,
    MarksOnly,
    Rich,
    SameDelim,
    SameSuffix,
    Suffix,
)


@dataclass(frozen=True)
class Quotes:
    """The locale's quotation marks and punctuation-in-quote option."""

    open: str = "\u201c"
    close: str = "\u201d"
    open_inner: str = "\u2018"
    close_inner: str = "\u2019"
    punctuation_in_quote: bool = False




# Events: ("t", text) | ("o", key, value) | ("c", key, value)
Event = tuple[str, ...]
# A quotation mark event for marks typed in the data: ("q", "close", _KEPT + "”").
_KEPT = "kept:"


_ALWAYS_WRITTEN = ("vertical-align", "text-decoration")


class _Walk:
    """The events of one tree, in the order :func:`flatten` walks it.

    A class rather than nested functions: two nested functions calling each other
    are a reference cycle, and with it every event would wait for the garbage
    collector (whose passes then cost more than the walk).
    """

    __slots__ = ("events", "append", "active", "quoted", "blocks")

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.append = self.events.append
        self.active: dict[str, list[str]] = {k: [] for k in FORMAT_KEYS}
        # Whether any quotation mark or display block was written: the passes that
        # move punctuation and spaces around them have nothing to do otherwise.
        self.quoted = self.blocks = False

    def run(self, children: list[Rich | str], qdepth: int) -> None:
        """Strings and plain containers (most of a tree) are taken in this loop, without
        a call each: only formatted, quoted, displayed or linked nodes go to walk."""
        append = self.append
        for c in children:
            if isinstance(c, str):
                if c:
                    append(("t", c))
            elif c is None:
                continue
            elif not c.fmt and not c.quotes and not c.display and c.href is None:
                self.run(c.children, qdepth)
            else:
                self.walk(c, qdepth)

    def walk(self, n: Rich, qdepth: int) -> None:
        """A node with formatting, quotes, a display block or a link."""
        if n.display and not n.holds_text():
            return
        self.quoted = self.quoted or n.quotes
        self.blocks = self.blocks or bool(n.display)
        opened: list[tuple[str, str]] = []
        if n.fmt.get("nodecor"):
            # Reset every active decoration to its neutral value.
            active = self.active
            n = Rich(n.children, {k: NEUTRAL[k] for k in FORMAT_KEYS if active[k] and active[k][-1] != NEUTRAL[k]},
                     n.quotes, n.display, n.nocase, n.typed_outside, n.kept, n.href)
        if n.display:
            self.append(("o", "display", n.display))
            opened.append(("display", n.display))
        for key in FORMAT_KEYS:
            val = n.fmt.get(key)
            if not val:
                continue
            stack = self.active[key]
            current = stack[-1] if stack else NEUTRAL[key]
            if val == current:
                # citeproc-js writes no font-style, -weight or -variant "normal" outside
                # its decoration, but always writes a baseline or no-decoration span.
                if val == NEUTRAL[key] and (n.fmt.get(DATA_MARKUP) or (
                        key not in _ALWAYS_WRITTEN and not _last_sets(n, key))):
                    continue
                # Markup in the data flips back inside the same style (italic in italic
                # is roman); the style's own formatting nests unchanged, as in citeproc-js.
                if n.fmt.get(DATA_MARKUP):
                    val = NEUTRAL[key]
            stack.append(val)
            self.append(("o", key, val))
            opened.append((key, val))
        depth = qdepth
        as_typed = n.quotes and qdepth == 0 and n.kept
        # Quotation marks that a style sets are always the outer ones (citeproc-js does
        # not alternate them, though the specification asks for it); marks in the data
        # alternate with the marks around them.
        inner = n.quotes and bool(n.fmt.get(DATA_MARKUP)) and qdepth % 2 == 1
        if as_typed:
            self.append(("q", "open", _KEPT + n.kept[0]))
            depth += 1
        elif n.quotes:
            self.append(("q", "open", "inner" if inner else "outer"))
            depth = 2 if inner else 1
        if n.href is not None:
            self.append(("o", "link", n.href))
        self.run(n.children, depth)
        if n.href is not None:
            self.append(("c", "link", n.href))
        if n.quotes:
            # Marks typed in the data stay as typed, but punctuation moves into them
            # as into the style's own (citeproc-js: 'Gloss.”', not 'Gloss”.').
            close: Event = ("q", "close", _KEPT + n.kept[1] if as_typed else "inner" if inner else "outer")
            self.append(close + ("typed",) if n.typed_outside else close)
        for key, val in reversed(opened):
            if key != "display":
                self.active[key].pop()
            self.append(("c", key, val))


def flatten(node: Content, quotes: Quotes) -> list[Event]:
    """Flat events of ``node`` with quotes, flip-flops and punctuation resolved."""
    w = _Walk()
    if isinstance(node, Rich):
        w.run([node], 0)
    elif node:
        w.append(("t", node))
    events = w.events
    quoted = w.quoted
    if quoted and quotes.punctuation_in_quote:
        _move_punctuation_into_quotes(events)
    if w.blocks:
        _move_space_out_of_blocks(events)
    _fix_join_punctuation(events)
    if not quoted:
        return [e for e in events if e[0] != "t" or e[1]]
    return [_spell_quote(e, quotes) if e[0] == "q" else e for e in events if e[0] != "t" or e[1]]


def _last_sets(n: Rich, key: str) -> bool:
    """Whether the last element inside ``n`` sets formatting ``key`` itself.

    citeproc-js writes a "normal" value outside any decoration when the last child of
    the element that sets it carries that decoration: it looks at the decorations of
    that child, not of the element ("<span style="font-style:normal;">A <i>et al.</i></span>"
    for cs:name, not for cs:names, whose list sits one level deeper).
    """
    body = [c for c in n.children if isinstance(c, Rich)]
    if len(body) != 1 or body[0].fmt or body[0].quotes or body[0].display:
        return False
    parts = [c for c in body[0].children if not isinstance(c, Suffix | Delim)]
    if not parts or not isinstance(parts[-1], Rich):
        return False
    last = parts[-1]
    if not last.fmt:
        # An element's affixes around its formatted text.
        inner = [c for c in last.children if isinstance(c, Rich)]
        if len(inner) != 1 or len(last.children) == 1 or any(type(c) is str for c in last.children[1:]):
            return False
        last = inner[0]
    return last.fmt.get(key, NEUTRAL[key]) != NEUTRAL[key]


def _spell_quote(e: Event, q: Quotes) -> Event:
    if e[0] != "q":
        return e
    if e[2].startswith(_KEPT):
        return ("t", e[2][len(_KEPT):])
    if e[1] == "open":
        return ("t", q.open_inner if e[2] == "inner" else q.open)
    return ("t", q.close_inner if e[2] == "inner" else q.close)


def _move_punctuation_into_quotes(events: list[Event]) -> None:
    for i, e in enumerate(events):
        if e[0] != "q" or e[1] != "close" or len(e) > 3:
            continue
        j = i + 1
        while j < len(events) and events[j][0] in ("c", "q") and events[j][1] != "open":
            j += 1
        # One mark after another moves in ("period." then "!" gives "period.!"); a colon
        # or semicolon followed by "!" or "?" gives way to it, as in citeproc-js.
        while j < len(events) and events[j][0] == "t":
            text = events[j][1]
            if not text:
                j += 1
                continue
            if text[:1] in (":", ";") and _next_char(events, j, 1) in ("!", "?"):
                events[j] = ("t", text[1:])
                continue
            if text[:1] not in (".", ",", "!", "?"):
                break
            punct = text[0]
            events[j] = ("t", text[1:])
            k = i - 1
            while k >= 0 and events[k][0] != "t":
                k -= 1
            if k >= 0:
                prev = events[k][1]
                if prev.endswith(punct) or (punct == "." and prev[-1:] in "?!"):
                    continue
                if any(e[:2] == ("c", "link") for e in events[k + 1 : i]):
                    # The mark goes inside the quotes but not into the link's text.
                    events.insert(i, ("t", punct))
                else:
                    events[k] = ("t", prev + punct)
            else:
                events.insert(i, ("t", punct))
                j += 1


def _next_char(events: list[Event], j: int, skip: int) -> str:
    """The character ``skip`` characters into the text events from ``events[j]`` on."""
    while j < len(events) and events[j][0] == "t":
        if len(events[j][1]) > skip:
            return events[j][1][skip]
        skip -= len(events[j][1])
        j += 1
    return ""


def _move_space_out_of_blocks(events: list[Event]) -> None:
    # Leading spaces of a block that opens the output belong before it (citeproc-js
    # moves a first prefix's space up out of a display block).
    k = 0
    while k < len(events) and events[k][0] == "o":
        k += 1
    if k and events[0][:2] == ("o", "display") and k < len(events) and events[k][0] == "t":
        text = events[k][1]
        if text.startswith(" "):
            events[k] = ("t", text.lstrip(" "))
            events.insert(0, ("t", text[:len(text) - len(text.lstrip(" "))]))
    # Trailing spaces at the end of a right-inline block belong after it.
    for i, e in enumerate(events):
        if e != ("c", "display", "right-inline"):
            continue
        k = i - 1
        while k >= 0 and events[k][0] == "c":
            k -= 1
        if k >= 0 and events[k][0] == "t" and events[k][1] != events[k][1].rstrip(" "):
            text = events[k][1]
            events[k] = ("t", text.rstrip(" "))
            events.insert(i + 1, ("t", text[len(text.rstrip(" ")):]))


_SWALLOWS = {
    # right char: left chars that make it redundant
    ".": ".?!:;",
    ",": ",",
    ";": ";",
    ":": ":;!?",
    " ": " ",
}
_CLOSERS = "\u201d\u2019\u00bb\u203a"
# The first characters of a text that may join the text before it.
_JOINING = frozenset(".,;:!? ")


# Tuples, not unions: a union would be built each call.
_UNJOINED = (FixedPrefix, MarksOnly)
_SAME_JOINED = (SameDelim, SameSuffix)


def _affix_join(left: str, right: str) -> str:
    """How citeproc-js joins punctuation here: "table", "same" (only a repeated mark
    goes) or "none", by where the right-hand text comes from."""
    if isinstance(right, _UNJOINED):
        return "none"
    if isinstance(right, _SAME_JOINED):
        # A delimiter's mark joins the suffix before it as typed (":" + "." is ":.").
        return "same"
    return "table"


def _fix_join_punctuation(events: list[Event]) -> None:
    prev_index = -1
    # Whether formatting opened or closed since the last text, and whether that text
    # (even if used up) was a delimiter.
    crossed = after_delim = False
    for i, e in enumerate(events):
        if e[0] != "t" or not e[1]:
            crossed = crossed or (e[0] in ("o", "c") and e[1] in NEUTRAL)
            if e[0] == "q" and (len(e) > 3 or e[2].startswith(_KEPT)):
                # A mark typed in the data is text, and punctuation typed after its
                # own quotation mark is the data's: nothing before the mark swallows
                # what follows it ('“THIS!”: A', '“… ” - Inductive').
                prev_index = -1
            continue
        right = e[1]
        if prev_index < 0 or right[0] not in _JOINING:
            # Text that starts with no mark or space leaves the text before it alone.
            prev_index = i
            crossed = False
            after_delim = isinstance(right, Delim)
            continue
        first = right[0]
        left = events[prev_index][1]
        last = left[-1:]
        core = left.rstrip(_CLOSERS)
        how = _affix_join(left, right) if first in ".,;:!?" else "table"
        if first == last == " " and crossed and (after_delim or isinstance(right, Delim)):
            # citeproc-js drops a space that repeats a delimiter's only at the affixes
            # of the delimited elements themselves, not inside their formatting
            # ("<b>A</b> <b> 2020</b>" from a bold macro whose group has prefix " ").
            pass
        elif how != "table":
            if how == "same" and last == first:
                right = right[1:]
        elif first in "!?" and last in ":;" and last:
            # A stronger mark replaces a colon or semicolon before it.
            events[prev_index] = ("t", left[:-1])
        elif first in _SWALLOWS and last and last in _SWALLOWS[first]:
            right = right[1:]
        elif first in "!?" and last == first:
            right = right[1:]
        elif first in ".:" and core != left and core[-1:] and core[-1:] in _SWALLOWS[first]:
            right = right[1:]
        events[i] = ("t", right)
        crossed, after_delim = False, isinstance(e[1], Delim)
        if not right:
            continue
        prev_index = i
        crossed, after_delim = False, isinstance(e[1], Delim)
