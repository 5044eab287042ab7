"""The rich-text tree that rendering builds and output backends serialise.

Rendering never produces strings with markup: it produces :class:`Rich` nodes
(formatting, quotes, display blocks, case protection) around plain strings.
A backend in :mod:`bibvault.csl.formats` maps the flattened tree to text,
HTML, Markdown or LaTeX.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

# Outermost first when one element sets several.
FORMAT_KEYS = ("vertical-align", "font-weight", "font-style", "font-variant", "text-decoration")
# The value each formatting key takes when it is "off".
NEUTRAL = {
    "font-style": "normal",
    "font-variant": "normal",
    "font-weight": "normal",
    "text-decoration": "none",
    "vertical-align": "baseline",
}

@dataclass(eq=False)
class Rich:
    """A run of rich text: children (strings or nodes) with shared formatting."""

    children: list[Rich | str] = field(default_factory=list)
    fmt: dict[str, str] = field(default_factory=dict)
    quotes: bool = False
    display: str | None = None
    nocase: bool = False

    def is_empty(self) -> bool:
        """True when the node holds no text at all."""
        return not any(
            (c if isinstance(c, str) else not c.is_empty()) for c in self.children
        )

    def plain(self) -> str:
        """The text without any markup."""
        return "".join(c if isinstance(c, str) else c.plain() for c in self.children)

Content = Rich | str | None

def plain(node: Content) -> str:
    """Plain text of a node, a string or None."""
    if node is None:
        return ""
    return node if isinstance(node, str) else node.plain()

def is_empty(node: Content) -> bool:
    """True for None, "" and nodes without text."""
    if node is None:
        return True
    if isinstance(node, str):
        return node == ""
    return node.is_empty()

def join(parts: Iterable[Content], delimiter: str = "") -> Rich | None:
    """Non-empty parts joined with ``delimiter``; None when nothing is left."""
    kept = [p for p in parts if not is_empty(p)]
    if not kept:
        return None
    children: list[Rich | str] = []
    for i, p in enumerate(kept):
        if i and delimiter:
            children.append(delimiter)
        assert p is not None
        children.append(p)
    return Rich(children)

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
    )

def leaves(node: Content, with_nocase: bool = False) -> Iterator[tuple[Rich | None, int, bool]]:
    """(parent, index, protected) of every string leaf, in order."""

    def walk(n: Rich, protected: bool) -> Iterator[tuple[Rich | None, int, bool]]:
        prot = protected or n.nocase
        for i, c in enumerate(n.children):
            if isinstance(c, str):
                yield n, i, prot
            else:
                yield from walk(c, prot)

    if isinstance(node, Rich):
        yield from walk(node, False)

# --- parsing of markup inside CSL-JSON strings -------------------------------

_TAG = re.compile(
    r"<(/?)(i|b|sup|sub|sc|span)((?:\s+[a-z-]+=\"[^\"]*\")*)\s*>", re.IGNORECASE
)
_TAG_FMT = {
    "i": ("font-style", "italic"),
    "b": ("font-weight", "bold"),
    "sup": ("vertical-align", "sup"),
    "sub": ("vertical-align", "sub"),
    "sc": ("font-variant", "small-caps"),
}

def parse_inline(text: str) -> Rich | str:
    """Parse the HTML-like markup that CSL-JSON strings may hold into a tree."""
    if "'" in text:
        text = re.sub(r"(?<=\w)'", "\u2019", text)
    if "<" not in text and '"' not in text:
        return text
    root = Rich()
    stack: list[tuple[str, Rich]] = [("", root)]
    pos = 0
    for m in _TAG.finditer(text):
        if m.start() > pos:
            stack[-1][1].children.append(text[pos : m.start()])
        pos = m.end()
        closing, tag, attrs = m.group(1), m.group(2).lower(), m.group(3) or ""
        if closing:
            if len(stack) > 1 and stack[-1][0] == tag:
                stack.pop()
            else:
                stack[-1][1].children.append(m.group(0))
            continue
        node = Rich()
        if tag in _TAG_FMT:
            key, val = _TAG_FMT[tag]
            node.fmt[key] = val
        elif "nocase" in attrs:
            node.nocase = True
        elif "small-caps" in attrs:
            node.fmt["font-variant"] = "small-caps"
        elif "font-style:italic" in attrs.replace(" ", ""):
            node.fmt["font-style"] = "italic"
        elif "font-weight:bold" in attrs.replace(" ", ""):
            node.fmt["font-weight"] = "bold"
        stack[-1][1].children.append(node)
        stack.append((tag, node))
    if pos < len(text):
        stack[-1][1].children.append(text[pos:])
    _quote_pairs(root)
    return root

def _quote_pairs(node: Rich) -> None:
    """Turn straight double-quote pairs inside one string into quoted nodes."""
    out: list[Rich | str] = []
    for c in node.children:
        if isinstance(c, Rich):
            _quote_pairs(c)
            out.append(c)
            continue
        parts = re.split(r'(?:(?<=^)|(?<=[\s(\[]))"(?=\S)(.+?)(?<=\S)"(?=$|[\s.,;:!?)\]])', c)
        for i, p in enumerate(parts):
            if i % 2:
                out.append(Rich([p], quotes=True))
            elif p:
                out.append(p)
    node.children = out
