"""Output backends: map a :class:`~bibvault.csl.richtext.Rich` tree to a string.

Serialising happens in two steps. :func:`~bibvault.csl.events.flatten` turns the
tree into a flat list of text and markup events and resolves what depends on
the neighbourhood of a piece of text. A :class:`Backend` then only spells each
event; adding a format means adding a backend.
"""

from __future__ import annotations

import html
import re
import unicodedata

from bibvault.csl.events import Event, Quotes, flatten
from bibvault.csl.richtext import Content, Rich


class Backend:
    """Spelling of events for one output format (plain text by default)."""

    name = "text"

    def escape(self, text: str) -> str:
        """Make ``text`` literal in this format."""
        return text

    def open(self, key: str, value: str) -> str:
        """Markup opening a formatting run."""
        return ""

    def close(self, key: str, value: str) -> str:
        """Markup closing a formatting run."""
        return ""

    def link(self, href: str, inner: str, text: str) -> str:
        """A link to ``href`` around ``inner`` (already spelled; ``text`` is its plain text)."""
        return inner

    def render(self, node: Content, quotes: Quotes, *, links: bool = True) -> str:
        """The whole tree in this format (without ``links``, link nodes as plain text)."""
        return self.spell(flatten(node, quotes), links=links)

    def spell(self, events: list[Event], *, links: bool = True) -> str:
        """The events :func:`flatten` made of a tree, in this format: one flattening
        serves every format an entry is written in."""
        out: list[str] = []
        # Where each open link's text starts in ``out``, with the plain text so far.
        opened: list[tuple[int, list[str]]] = []
        # Plain text escapes nothing: its text events go out as they are.
        escape = None if type(self).escape is Backend.escape else self.escape
        for e in events:
            if e[0] == "t":
                out.append(e[1] if escape is None else escape(e[1]))
                if opened:
                    for _, plain_text in opened:
                        plain_text.append(e[1])
            elif e[1] == "link":
                if e[0] == "o":
                    opened.append((len(out), []))
                elif opened:
                    start, plain_text = opened.pop()
                    inner = "".join(out[start:])
                    del out[start:]
                    out.append(self.link(e[2], inner, "".join(plain_text)) if links else inner)
            elif e[0] == "o":
                if e[1] == "display" and e[2] in ("block", "indent") and self.name != "html":
                    # Without blocks, as in citeproc-js's text output: a block or an
                    # indent starts on a new line (here a space), a margin is followed
                    # by a space, and nothing follows a block's end.
                    out.append(" ")
                out.append(self.open(e[1], e[2]))
            else:
                out.append(self.close(e[1], e[2]))
                if e[1] == "display" and e[2] == "left-margin" and self.name != "html":
                    out.append(" ")
        if self.name == "html":
            return "".join(out)
        text = "".join(out)
        return _SPACES.sub(" ", text).strip() if "  " in text else text.strip()


_SPACES = re.compile(r"(?<=\S) {2,}")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]<>()#+!|~^]")


def _backslashed(m: re.Match[str]) -> str:
    return "\\" + m.group()


_EXTRA_SUPERSCRIPTS = {"\u02c0": "\u0294", "\u02c1": "\u0295", "\u06e5": "\u0648", "\u06e6": "\u064a"}


def _superscript(ch: str) -> str:
    if ch.isascii():
        return ch
    if ch in _EXTRA_SUPERSCRIPTS:
        return f"<sup>{_EXTRA_SUPERSCRIPTS[ch]}</sup>"
    decomposition = unicodedata.decomposition(ch)
    if decomposition.startswith("<super> "):
        return "<sup>" + "".join(chr(int(h, 16)) for h in decomposition.split()[1:]) + "</sup>"
    return ch


class HtmlBackend(Backend):
    """HTML as the CSL processor test suite writes it."""

    name = "html"
    _TAGS = {
        ("font-style", "italic"): ("<i>", "</i>"),
        ("font-weight", "bold"): ("<b>", "</b>"),
        ("vertical-align", "sup"): ("<sup>", "</sup>"),
        ("vertical-align", "sub"): ("<sub>", "</sub>"),
        ("vertical-align", "baseline"): ('<span style="baseline">', "</span>"),
    }


    def link(self, href: str, inner: str, text: str) -> str:
        return f'<a href="{html.escape(href, quote=True)}">{inner}</a>'

    def escape(self, text: str) -> str:
        text = text.replace("&", "&#38;").replace("<", "&#60;").replace(">", "&#62;")
        if text.isascii():
            return text
        # Superscript characters (as in ordinal terms) are written as markup.
        return _NON_ASCII.sub(lambda m: _superscript(m.group()), text)

    def open(self, key: str, value: str) -> str:
        if key == "display":
            return f'<div class="csl-{value}">'
        if (key, value) in self._TAGS:
            return self._TAGS[(key, value)][0]
        return f'<span style="{key}:{value};">'

    def close(self, key: str, value: str) -> str:
        if key == "display":
            return "</div>"
        if (key, value) in self._TAGS:
            return self._TAGS[(key, value)][1]
        return "</span>"


class MarkdownBackend(Backend):
    """Markdown (pandoc flavour for super- and subscripts)."""

    name = "md"
    _MARKS = {
        ("font-style", "italic"): "*",
        ("font-style", "oblique"): "*",
        ("font-weight", "bold"): "**",
        ("vertical-align", "sup"): "^",
        ("vertical-align", "sub"): "~",
    }

    def escape(self, text: str) -> str:
        return _MD_SPECIAL.sub(_backslashed, text) if _MD_SPECIAL.search(text) else text

    def link(self, href: str, inner: str, text: str) -> str:
        if text == href:
            return f"<{href}>"
        return f"[{inner}]({href.replace('(', '%28').replace(')', '%29')})"

    def open(self, key: str, value: str) -> str:
        return self._MARKS.get((key, value), "")

    def close(self, key: str, value: str) -> str:
        return self._MARKS.get((key, value), "")


class LatexBackend(Backend):
    """LaTeX markup with special characters escaped."""

    name = "latex"
    _CMDS = {
        ("font-style", "italic"): "\\textit{",
        ("font-style", "oblique"): "\\textsl{",
        ("font-style", "normal"): "\\textup{",
        ("font-weight", "bold"): "\\textbf{",
        ("font-weight", "normal"): "\\textmd{",
        ("font-variant", "small-caps"): "\\textsc{",
        ("font-variant", "normal"): "\\textup{",
        ("text-decoration", "underline"): "\\underline{",
        ("vertical-align", "sup"): "\\textsuperscript{",
        ("vertical-align", "sub"): "\\textsubscript{",
    }
    _ESC = {
        "\\": "\\textbackslash{}",
        "&": "\\&",
        "%": "\\%",
        "$": "\\$",
        "#": "\\#",
        "_": "\\_",
        "{": "\\{",
        "}": "\\}",
        "~": "\\textasciitilde{}",
        "^": "\\textasciicircum{}",
    }
    _TABLE = str.maketrans(_ESC)

    def escape(self, text: str) -> str:
        return text.translate(self._TABLE)

    def link(self, href: str, inner: str, text: str) -> str:
        # In an address only these need escaping (when the link sits in another command).
        target = href.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")
        target = target.replace("%", "\\%").replace("#", "\\#")
        if text == href:
            return f"\\url{{{target}}}"
        return f"\\href{{{target}}}{{{inner}}}"

    def open(self, key: str, value: str) -> str:
        return self._CMDS.get((key, value), "")

    def close(self, key: str, value: str) -> str:
        return "}" if (key, value) in self._CMDS else ""


BACKENDS: dict[str, Backend] = {
    "text": Backend(),
    "html": HtmlBackend(),
    "md": MarkdownBackend(),
    "latex": LatexBackend(),
}


def get_backend(fmt: str) -> Backend:
    """The backend called ``fmt`` (text, html, md, latex)."""
    try:
        return BACKENDS[fmt]
    except KeyError:
        raise ValueError(f"unknown output format {fmt!r}; use one of {', '.join(BACKENDS)}") from None


def render(node: Content, fmt: str, quotes: Quotes) -> str:
    """Serialise ``node`` in format ``fmt``."""
    return get_backend(fmt).render(node, quotes)


__all__ = ["Backend", "Quotes", "Rich", "get_backend", "render", "flatten"]
