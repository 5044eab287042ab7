"""LaTeX field values → CSL-JSON rich text or plain Unicode.

CSL-JSON carries formatting in a handful of HTML-like tags (``<i>``, ``<b>``,
``<sup>``, ``<sub>``, ``<span style="font-variant:small-caps;">`` and
``<span class="nocase">``). BibTeX titles carry the same information as
``\\emph{…}``, ``\\textbf{…}`` and brace-protected words such as ``{NASA}``.
This module converts the one into the other; it is a small reader for the
subset of LaTeX that bibliography fields use, not a TeX engine.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Combining marks for the accent commands; NFC turns base + mark into one letter.
_ACCENTS: dict[str, str] = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "c": "\u0327", "v": "\u030c", "u": "\u0306",
    "H": "\u030b", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331",
    "t": "\u0361",
}

_SYMBOLS: dict[str, str] = {
    "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å",
    "AA": "Å", "ss": "ß", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð",
    "DH": "Ð", "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ", "dj": "đ", "DJ": "Đ",
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}",
    " ": " ", ",": "\u202f", ";": "\u2005", "/": "", "-": "", "@": "",
    "textendash": "–", "textemdash": "—", "textquoteleft": "‘",
    "textquoteright": "’", "textquotedblleft": "“", "textquotedblright": "”",
    "textellipsis": "…", "ldots": "…", "dots": "…", "textbackslash": "\\",
    "textasciitilde": "~", "textasciicircum": "^", "textbar": "|", "textless": "<",
    "textgreater": ">", "textdegree": "°", "S": "§", "P": "¶", "copyright": "©",
    "textcopyright": "©", "texttrademark": "™", "textregistered": "®",
    "pounds": "£", "textsterling": "£", "euro": "€", "texteuro": "€",
    "guillemotleft": "«", "guillemotright": "»", "quad": "\u2003", "qquad": "\u2003\u2003",
    "LaTeX": "LaTeX", "TeX": "TeX", "BibTeX": "BibTeX", "slash": "/", "textslash": "/",
    "nobreakspace": "\u00a0", "enspace": "\u2002", "thinspace": "\u2009",
}

# Commands whose single argument becomes a tagged span; None keeps the text untagged.
_WRAPPERS: dict[str, tuple[str, str] | None] = {
    "emph": ("<i>", "</i>"), "textit": ("<i>", "</i>"), "mkbibemph": ("<i>", "</i>"),
    "textsl": ("<i>", "</i>"), "mkbibitalic": ("<i>", "</i>"), "it": ("<i>", "</i>"),
    "textbf": ("<b>", "</b>"), "mkbibbold": ("<b>", "</b>"), "bf": ("<b>", "</b>"),
    "textsc": ('<span style="font-variant:small-caps;">', "</span>"),
    "textsuperscript": ("<sup>", "</sup>"), "mkbibsuperscript": ("<sup>", "</sup>"),
    "textsubscript": ("<sub>", "</sub>"), "mkbibsubscript": ("<sub>", "</sub>"),
    "mkbibquote": ("“", "”"), "enquote": ("“", "”"),
    "textup": None, "textrm": None, "textsf": None, "texttt": None, "textnormal": None,
    "textmd": None, "mbox": None, "hbox": None, "text": None, "url": None,
    "nolinkurl": None, "path": None, "NoCaseChange": None, "uppercase": None,
    "MakeUppercase": None, "lowercase": None, "MakeLowercase": None, "ensuremath": None,
}

# Declarations that switch a style on until the group ends: {\em word}.
_SWITCHES: dict[str, tuple[str, str]] = {
    "em": ("<i>", "</i>"), "itshape": ("<i>", "</i>"), "slshape": ("<i>", "</i>"),
    "bfseries": ("<b>", "</b>"), "scshape": ('<span style="font-variant:small-caps;">', "</span>"),
}

_SPACES = re.compile(r"[ \t\r\n]+")
# Private-use marks around a protected group until _nocase() decides its span.
_OPEN, _CLOSE = "\ue000", "\ue001"
_WORD_SPAN = re.compile(r"([^\W_]*)\ue000([^\ue001]*)\ue001([^\W_]*)")
_SPAN = re.compile(r"\ue000([^\ue001]*)\ue001")
_TAG = re.compile(r"<[^>]*>")
_NOCASE_OPEN = '<span class="nocase">'


@dataclass
class _Reader:
    text: str
    rich: bool
    pos: int = 0
    out: list[str] = field(default_factory=list)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def command_name(self) -> str:
        """Read the name after a backslash (which has been consumed)."""
        start = self.pos
        if self.pos < len(self.text) and self.text[self.pos].isalpha():
            while self.pos < len(self.text) and self.text[self.pos].isalpha():
                self.pos += 1
            name = self.text[start:self.pos]
            # A space after a control word only ends the name.
            while self.pos < len(self.text) and self.text[self.pos] in " \t\n":
                self.pos += 1
            return name
        if self.pos < len(self.text):
            self.pos += 1
        return self.text[start:self.pos]

    def argument(self) -> str:
        """The next argument (a braced group or one token), converted."""
        while self.peek() in (" ", "\t", "\n") and self.peek():
            self.pos += 1
        if self.peek() == "{":
            self.pos += 1
            return self.group(top=False)
        if self.peek() == "\\":
            self.pos += 1
            return self.command(self.command_name())
        if self.peek():
            ch = self.peek()
            self.pos += 1
            return ch
        return ""

    def raw_argument(self) -> str:
        """The next braced argument as written (for URLs)."""
        if self.peek() != "{":
            return ""
        depth, start = 0, self.pos
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            self.pos += 1
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    return self.text[start + 1:self.pos - 1]
        return self.text[start + 1:]

    def command(self, name: str) -> str:
        if name in _ACCENTS:
            base = self.argument()
            if not base:
                return ""
            mark = _ACCENTS[name]
            base = {"ı": "i", "ȷ": "j"}.get(base[0], base[0]) + base[1:]
            return unicodedata.normalize("NFC", base[0] + mark + base[1:])
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        if name == "\\":
            return " "
        if name == "href":
            self.raw_argument()
            return self.argument()
        if name in _WRAPPERS:
            inner = self.argument()
            tags = _WRAPPERS[name]
            if tags is None or not inner:
                return inner
            if tags[0].startswith("<") and not self.rich:
                return inner
            return tags[0] + inner + tags[1]
        if name in _SWITCHES:
            rest = self.group(top=False, until_end=True)
            if self.rich and rest:
                return _SWITCHES[name][0] + rest + _SWITCHES[name][1]
            return rest
        # An unknown command: keep what it applies to, drop the command itself.
        if self.peek() == "{":
            return self.argument()
        return ""

    def group(self, top: bool, until_end: bool = False) -> str:
        """Convert up to the closing brace of the current group (or the end)."""
        parts: list[str] = []
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == "}":
                if not until_end:
                    self.pos += 1
                return "".join(parts)
            self.pos += 1
            if ch == "\\":
                parts.append(self.command(self.command_name()))
            elif ch == "{":
                special = self.peek() == "\\"
                inner = self.group(top=False)
                # {NASA} protects case; {\"u} is BibTeX's "special character", not protection.
                if top and not special and self.rich and inner.strip():
                    parts.append(_OPEN + inner + _CLOSE)  # made a nocase span by _nocase()
                else:
                    parts.append(inner)
            elif ch == "$":
                end = text.find("$", self.pos)
                end = len(text) if end < 0 else end
                parts.append(_Reader(text[self.pos:end], rich=False).group(top=False))
                self.pos = end + 1
            elif ch == "~":
                parts.append("\u00a0")
            elif ch == "-" and self.peek() == "-":
                if text.startswith("-", self.pos + 1):
                    parts.append("—")
                    self.pos += 2
                else:
                    parts.append("–")
                    self.pos += 1
            elif ch == "`" and self.peek() == "`":
                parts.append("“")
                self.pos += 1
            elif ch == "'" and self.peek() == "'":
                parts.append("”")
                self.pos += 1
            elif ch in "\t\n\r":
                parts.append(" ")
            else:
                parts.append(ch)
        return "".join(parts)


def _nocase(text: str) -> str:
    """Protected groups, marked by _OPEN/_CLOSE, as ``<span class="nocase">``.

    BibTeX protects letters; CSL protects text. ``{N}orth``, ``{B}{E}{R}{T}`` and
    ``Bi{LSTM}s`` protect part of a word: the span takes the whole word, since
    processors title-case the rest of a word split by a span as a word of its own
    (citeproc-js prints "North {A}merican" as "North AMerican"). A group with no
    cased letter in it (``Children{'}s``, ``{``}``) protects nothing and is not
    wrapped at all, so quotes and apostrophes stay open to smart quoting.
    """
    text = _SPAN.sub(lambda m: m[0] if _cased(m[1]) else m[1], text)
    for _ in range(2):
        text = text.replace(_CLOSE + _OPEN, "")
        text = _WORD_SPAN.sub(lambda m: _OPEN + m[1] + m[2] + m[3] + _CLOSE, text)
    return _SPAN.sub(lambda m: _NOCASE_OPEN + m[1] + "</span>", text)


def _cased(text: str) -> bool:
    return any(c.lower() != c.upper() for c in _TAG.sub("", text))


#: Brace groups nested deeper than this are read as if their braces were not there:
#: the reader recurses per level, and no real value comes near it.
MAX_DEPTH = 64


def _flatten_deep(tex: str, limit: int = MAX_DEPTH) -> str:
    """``tex`` without the braces of groups nested deeper than ``limit``."""
    if tex.count("{") <= limit:
        return tex
    out: list[str] = []
    depth = 0
    escaped = False
    for ch in tex:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "{":
            depth += 1
            if depth > limit:
                continue
        elif ch == "}":
            depth -= 1
            if depth >= limit:
                continue
        out.append(ch)
    return "".join(out)


def _convert(tex: str, rich: bool) -> str:
    tex = _flatten_deep(tex)
    reader = _Reader(tex, rich=rich)
    parts: list[str] = []
    while reader.pos < len(tex):
        parts.append(reader.group(top=True, until_end=True))
        reader.pos += 1  # a stray closing brace: drop it and go on
    text = "".join(parts)
    if rich:
        text = _nocase(text)
    return _SPACES.sub(" ", text).strip()


def tex_to_csl(tex: str) -> str:
    """A LaTeX field value as CSL-JSON rich text.

    ``\\emph``/``\\textit`` become ``<i>``, ``\\textbf`` ``<b>``, ``\\textsc``
    small caps, ``\\textsuperscript``/``\\textsubscript`` ``<sup>``/``<sub>``;
    a top-level braced group such as ``{NASA}`` becomes
    ``<span class="nocase">NASA</span>`` so that styles do not change its case.
    Accents and TeX ligatures (``--``, ``~``, quotes) become Unicode.
    """
    return _convert(tex, rich=True)


def tex_to_text(tex: str) -> str:
    """A LaTeX field value as plain Unicode text (markup and protecting braces dropped)."""
    return _convert(tex, rich=False)
