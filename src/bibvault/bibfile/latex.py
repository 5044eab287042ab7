"""Turn the TeX in BibTeX values into Unicode text (or CSL rich text). Never raises.

:func:`to_unicode` gives plain text: accents and special letters decoded, escapes
resolved, ``~`` a no-break space, ``--``/``---`` dashes, ``````/``''`` curly quotes,
markup commands dropped with their text kept, grouping braces removed.

:func:`to_rich_text` gives the same text in the markup CSL processors accept inside
CSL-JSON strings: ``<i>``, ``<b>``, ``<sc>``, ``<sup>``, ``<sub>``, and
``<span class="nocase">`` around brace-protected text (a ``{...}`` group at the top
level of the value that does not start with a command, as BibTeX's case rules see it).
``&``, ``<`` and ``>`` in the text are escaped as HTML entities there.
"""

from __future__ import annotations

import re
import unicodedata

from bibvault.bibfile.latex_tables import (
    ACCENTS,
    DECLARATIONS,
    FORMATTING,
    LOGOS,
    SPACING_ACCENTS,
    SWALLOW_ARGUMENT,
    SYMBOLS,
    TAKES_DIMENSION,
    VERBATIM,
)

_DIMENSION = re.compile(r"\s*=?\s*[-+]?\s*(?:\d+\.?\d*|\.\d+)\s*(?:em|ex|pt|pc|in|cm|mm|bp|sp|mu)")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_SPECIAL = frozenset("\\{}~-`'$<>&")
_NEEDS_WORK = re.compile(r"[\\{}~\-`'$<>&]")


class _Converter:
    def __init__(self, tex: str, rich: bool) -> None:
        self.tex = tex
        self.n = len(tex)
        self.rich = rich
        self.pos = 0
        self.math = False

    def run(self) -> str:
        out = self.sequence(top=True)
        while self.pos < self.n:  # a stray '}' at the top level: drop it, carry on
            self.pos += 1
            out += self.sequence(top=True)
        return unicodedata.normalize("NFC", out)

    def tag(self, name: str | None, text: str) -> str:
        if not self.rich or name is None or not text:
            return text
        if name == "nocase":
            return f'<span class="nocase">{text}</span>'
        return f"<{name}>{text}</{name}>"

    def sequence(self, top: bool = False) -> str:
        """Convert up to the '}' that ends the current group (not consumed) or the end."""
        tex, out = self.tex, []
        while self.pos < self.n:
            c = tex[self.pos]
            if c == "}":
                break
            if c not in _SPECIAL:
                start = self.pos
                while self.pos < self.n and tex[self.pos] not in _SPECIAL:
                    self.pos += 1
                out.append(tex[start : self.pos])
            elif c == "{":
                protect = top and not self.math and not tex.startswith("\\", self.pos + 1)
                out.append(self.tag("nocase" if protect else None, self.group()))
            elif c == "\\":
                out.append(self.command())
            else:
                out.append(self.punctuation(c))
        return "".join(out)

    def punctuation(self, c: str) -> str:
        tex, p = self.tex, self.pos
        self.pos += 1
        if c == "~":
            return "\u00a0"
        if c == "$":
            self.math = not self.math
            return ""
        if c == "-":
            if tex.startswith("--", p + 1):
                self.pos += 2
                return "—"
            if tex.startswith("-", p + 1):
                self.pos += 1
                return "–"
            return "-"
        if c == "`":
            if tex.startswith("`", p + 1):
                self.pos += 1
                return "“"
            return "‘"
        if c == "'":
            if tex.startswith("'", p + 1):
                self.pos += 1
                return "”"
            return "'"
        return _ESCAPES[c] if self.rich else c

    def group(self) -> str:
        """Convert a ``{...}`` group starting at the current position, braces dropped."""
        self.pos += 1
        text = self.sequence()
        if self.pos < self.n:
            self.pos += 1  # the closing brace
        return text

    def argument(self) -> str:
        """One argument: a group, a command, or a single character (blanks skipped)."""
        while self.pos < self.n and self.tex[self.pos] in " \t\r\n":
            self.pos += 1
        if self.pos >= self.n:
            return ""
        c = self.tex[self.pos]
        if c == "{":
            return self.group()
        if c == "\\":
            return self.command()
        if c == "}":
            return ""
        self.pos += 1
        return _ESCAPES.get(c, c) if self.rich else c

    def raw_argument(self) -> str:
        if self.pos < self.n and self.tex[self.pos] == "{":
            depth, start = 0, self.pos
            while self.pos < self.n:
                c = self.tex[self.pos]
                depth += 1 if c == "{" else -1 if c == "}" else 0
                self.pos += 1
                if depth == 0:
                    return self.tex[start + 1 : self.pos - 1]
            return self.tex[start + 1 :]
        return self.argument()

    def command(self) -> str:
        tex = self.tex
        start = self.pos + 1
        if start >= self.n:
            self.pos = self.n
            return "\\"
        end = start
        while end < self.n and tex[end].isascii() and tex[end].isalpha():
            end += 1
        if end == start:
            end = start + 1
        name = tex[start:end]
        self.pos = end
        if end - start > 1 or name.isalpha():
            while self.pos < self.n and tex[self.pos] in " \t\r\n" and name not in ACCENTS:
                self.pos += 1
        return self.expand(name)

    def expand(self, name: str) -> str:
        if name in ACCENTS:
            arg = self.argument()
            if not arg:
                return SPACING_ACCENTS.get(name, "")
            base = {"ı": "i", "ȷ": "j"}.get(arg[0], arg[0])
            return base + ACCENTS[name] + arg[1:]
        if name in SYMBOLS:
            text = SYMBOLS[name]
            return _ESCAPES.get(text, text) if self.rich else text
        if name in LOGOS:
            return LOGOS[name]
        if name in FORMATTING:
            return self.tag(FORMATTING[name], self.argument())
        if name in DECLARATIONS:
            return self.tag(DECLARATIONS[name], self.sequence())
        if name in VERBATIM:
            text = self.raw_argument()
            return "".join(_ESCAPES.get(c, c) for c in text) if self.rich else text
        if name == "href":
            self.raw_argument()
            return self.argument()
        if name in SWALLOW_ARGUMENT:
            self.argument()
            return ""
        if name in TAKES_DIMENSION:
            m = _DIMENSION.match(self.tex, self.pos)
            if m:
                self.pos = m.end()
            return ""
        # unknown: drop the name; an immediately following group keeps its text
        if self.pos < self.n and self.tex[self.pos] == "{":
            return self.group()
        return ""


def to_unicode(tex: str) -> str:
    """Plain Unicode text for a TeX value (see the module docstring). Never raises."""
    if not _NEEDS_WORK.search(tex):
        return unicodedata.normalize("NFC", tex)
    try:
        return _Converter(tex, rich=False).run()
    except RecursionError:
        return tex


def to_rich_text(tex: str) -> str:
    """CSL rich text (``<i>``, ``<b>``, ``<sc>``, ``<sup>``, ``<sub>``, nocase spans) for a
    TeX value. Never raises."""
    if not _NEEDS_WORK.search(tex):
        return unicodedata.normalize("NFC", tex)
    try:
        return _Converter(tex, rich=True).run()
    except RecursionError:
        return "".join(_ESCAPES.get(c, c) for c in tex)
