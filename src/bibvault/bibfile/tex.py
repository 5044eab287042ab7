"""The one TeX reader: BibTeX field text → Unicode text or CSL rich text, and back.

:func:`to_unicode` gives plain text: accents and special letters decoded, escapes
resolved, ``~`` a no-break space, ``--``/``---`` dashes, ``````/``''`` curly quotes,
simple math (``$\\alpha^{2}$`` → "α²"), markup commands dropped with their text kept,
grouping braces removed, runs of blanks collapsed.

:func:`to_rich_text` gives the same text in the markup CSL-JSON strings carry:
``<i>``, ``<b>``, ``<sup>``, ``<sub>``, ``<span style="font-variant:small-caps;">``,
and ``<span class="nocase">`` around text whose case must not change (a ``{...}`` group
at the top level of the value that does not start with a command, as BibTeX's case
rules see it, and the text of ``\\url``/``\\href`` links).

A command that is in none of the tables of :mod:`bibvault.bibfile.tex_tables` keeps the
text of a braced argument that follows it; :func:`decode` names such commands so that
validation can report them. :func:`to_tex_ascii` writes Unicode text back as 7-bit TeX
from the same tables. Nothing here raises.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bibvault.bibfile.braces import group_end
from bibvault.bibfile.tex_tables import (
    ACCENTS,
    DECLARATIONS,
    FORMATTING,
    LETTERS,
    LIGATURES,
    LOGOS,
    QUOTING,
    SPACING_ACCENTS,
    SUBSCRIPTS,
    SUPERSCRIPTS,
    SWALLOW_ARGUMENT,
    SYMBOLS,
    TAKES_DIMENSION,
    VERBATIM,
)

_DIMENSION = re.compile(r"\s*=?\s*[-+]?\s*(?:\d+\.?\d*|\.\d+)\s*(?:em|ex|pt|pc|in|cm|mm|bp|sp|mu)")
_SPECIAL = frozenset("\\{}~-`'$^_")
_NEEDS_WORK = re.compile(r"[\\{}~\-`'$]")
# Runs of blanks that are not one space already (the same as replacing every run
# with a space, without replacing each space of a title with itself); it starts
# with a character class, which the engine skips ahead to.
_BLANKS = re.compile(r"[ \t\r\n](?:(?<=[\t\r\n])[ \t\r\n]*|[ \t\r\n]+)")
# What the reader reads as more than a character, once braces are set aside
_LITERAL_BUT_BRACES = re.compile(r"[\\~`$]|--|''")
# Longest first, so that "---" is not read as "--" and "-"; tried in this order.
_LIGATURE = re.compile("|".join(re.escape(lig) for lig in sorted(LIGATURES, key=len, reverse=True)))
_PLAIN = re.compile(r"[^\\{}~\-`'$^_]+")
_NAME = re.compile(r"[A-Za-z]+")
_SPACES = re.compile(r"[ \t\r\n]*")
_ESCAPE_OR_BRACE = re.compile(r"\\.|[{}]", re.DOTALL)
_OPEN_TAGS = {"sc": '<span style="font-variant:small-caps;">', "nocase": '<span class="nocase">'}
# Private-use marks around a protected group until _nocase() decides its span.
_OPEN, _CLOSE = "\ue000", "\ue001"
_WORD_SPAN = re.compile(r"([^\W_]*)\ue000([^\ue001]*)\ue001([^\W_]*)")
_SPAN = re.compile(r"\ue000([^\ue001]*)\ue001")
_TAG = re.compile(r"<[^>]*>")

#: Brace groups nested deeper than this are read as if their braces were not there:
#: the reader recurses per level, and no real value comes near it.
MAX_DEPTH = 64


@dataclass(frozen=True)
class Decoded:
    """A decoded value: the text and the commands the reader did not know."""

    text: str
    unknown: tuple[str, ...]


class _Converter:
    def __init__(self, tex: str, rich: bool) -> None:
        self.tex = tex
        self.n = len(tex)
        self.rich = rich
        self.pos = 0
        self.math = False
        self.unknown: list[str] = []

    def run(self) -> str:
        out = self.sequence(top=True)
        while self.pos < self.n:  # a stray '}' at the top level: drop it, carry on
            self.pos += 1
            out += self.sequence(top=True)
        return out

    def tag(self, name: str | None, text: str) -> str:
        if not self.rich or name is None or not text:
            return text
        return f"{_OPEN_TAGS.get(name, f'<{name}>')}{text}</{'span' if name in _OPEN_TAGS else name}>"

    def sequence(self, top: bool = False) -> str:
        """Convert up to the '}' that ends the current group (not consumed) or the end."""
        tex, out = self.tex, []
        while self.pos < self.n:
            c = tex[self.pos]
            if c == "}":
                break
            if c not in _SPECIAL:
                m = _PLAIN.match(tex, self.pos)
                assert m is not None  # c itself is plain
                out.append(m.group())
                self.pos = m.end()
            elif c == "{":
                protect = top and self.rich and not self.math and not tex.startswith("\\", self.pos + 1)
                text = self.group()
                out.append(_OPEN + text + _CLOSE if protect and text.strip() else text)
            elif c == "\\":
                out.append(self.command())
            else:
                out.append(self.punctuation(c))
        return "".join(out)

    def punctuation(self, c: str) -> str:
        if c == "$":
            self.pos += 1
            self.math = not self.math
            return ""
        if c in "^_":
            self.pos += 1
            return self.script(c) if self.math else c
        m = _LIGATURE.match(self.tex, self.pos)
        if m is not None:
            self.pos = m.end()
            return LIGATURES[m.group()]
        self.pos += 1
        return c

    def script(self, c: str) -> str:
        """A math superscript (``^``) or subscript (``_``)."""
        text = self.argument()
        if self.rich:
            return self.tag("sup" if c == "^" else "sub", text)
        forms = SUPERSCRIPTS if c == "^" else SUBSCRIPTS
        if text and all(ch in forms for ch in text):
            return "".join(forms[ch] for ch in text)
        return c + text

    def group(self) -> str:
        """Convert a ``{...}`` group starting at the current position, braces dropped."""
        self.pos += 1
        text = self.sequence()
        if self.pos < self.n:
            self.pos += 1  # the closing brace
        return text

    def argument(self) -> str:
        """One argument: a group, a command, or a single character (blanks skipped)."""
        self.pos = self._blanks(self.pos)
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
        return c

    def _blanks(self, pos: int) -> int:
        m = _SPACES.match(self.tex, pos)
        return m.end() if m else pos

    def raw_argument(self) -> str:
        if self.pos < self.n and self.tex[self.pos] == "{":
            start, end = self.pos, group_end(self.tex, self.pos)
            self.pos = self.n if end is None else end
            return self.tex[start + 1 : self.n if end is None else end - 1]
        return self.argument()

    def command(self) -> str:
        tex = self.tex
        start = self.pos + 1
        if start >= self.n:
            self.pos = self.n
            return "\\"
        m = _NAME.match(tex, start)
        end = m.end() if m else start + 1
        name = tex[start:end]
        self.pos = end
        if (end - start > 1 or name.isalpha()) and name not in ACCENTS:
            self.pos = self._blanks(end)
        return self.expand(name)

    def expand(self, name: str) -> str:
        if name in ACCENTS:
            arg = self.argument()
            if not arg:
                return SPACING_ACCENTS.get(name, "")
            base = {"ı": "i", "ȷ": "j"}.get(arg[0], arg[0])
            return unicodedata.normalize("NFC", base + ACCENTS[name]) + arg[1:]
        if name in SYMBOLS:
            return SYMBOLS[name]
        if name in LOGOS:
            return LOGOS[name]
        if name in FORMATTING:
            return self.tag(FORMATTING[name], self.argument())
        if name in QUOTING:
            left, right = QUOTING[name]
            text = self.argument()
            return left + text + right if text else ""
        if name in DECLARATIONS:
            return self.tag(DECLARATIONS[name], self.sequence())
        if name in VERBATIM:
            return self.tag("nocase", self.raw_argument())
        if name == "href":
            self.raw_argument()
            return self.tag("nocase", self.argument())
        if name in SWALLOW_ARGUMENT:
            self.argument()
            return ""
        if name in TAKES_DIMENSION:
            m = _DIMENSION.match(self.tex, self.pos)
            if m:
                self.pos = m.end()
            return ""
        # unknown: the name goes; an immediately following group keeps its text
        self.unknown.append(name)
        if self.pos < self.n and self.tex[self.pos] == "{":
            return self.group()
        return ""


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
    return _SPAN.sub(lambda m: _OPEN_TAGS["nocase"] + m[1] + "</span>", text)


def _cased(text: str) -> bool:
    return any(c.lower() != c.upper() for c in _TAG.sub("", text))


def _flatten_deep(tex: str, limit: int = MAX_DEPTH) -> str:
    """``tex`` without the braces of groups nested deeper than ``limit``."""
    if tex.count("{") <= limit:
        return tex
    out: list[str] = []
    depth = kept = 0
    for m in _ESCAPE_OR_BRACE.finditer(tex):
        c = m.group()
        if c == "{":
            depth += 1
            drop = depth > limit
        elif c == "}":
            depth -= 1
            drop = depth >= limit
        else:
            continue  # an escaped character, brace or not, stays
        if drop:
            out.append(tex[kept : m.start()])
            kept = m.end()
    out.append(tex[kept:])
    return "".join(out)


def _tidy(text: str) -> str:
    return unicodedata.normalize("NFC", _BLANKS.sub(" ", text).strip())


def decode(tex: str, rich: bool = False) -> Decoded:
    """The text of a TeX value (rich text when ``rich``) and the unknown commands in it."""
    if not _NEEDS_WORK.search(tex):
        return Decoded(_tidy(tex), ())
    if not rich and not _LITERAL_BUT_BRACES.search(tex):
        # Only grouping braces, single hyphens and apostrophes (a third of the distinct
        # values of a large file): the reader would drop the braces, keep the rest.
        return Decoded(_tidy(tex.replace("{", "").replace("}", "")), ())
    converter = _Converter(_flatten_deep(tex), rich)
    try:
        text = converter.run()
    except RecursionError:
        return Decoded(_tidy(tex), ())
    if rich:
        text = _nocase(text)
    return Decoded(_tidy(text.replace(_OPEN, "").replace(_CLOSE, "")), tuple(converter.unknown))


def to_unicode(tex: str) -> str:
    """Plain Unicode text for a TeX value (see the module docstring). Never raises."""
    return decode(tex).text


def to_rich_text(tex: str) -> str:
    """CSL-JSON rich text for a TeX value (see the module docstring). Never raises."""
    return decode(tex, rich=True).text


#: Every command name the reader knows (:meth:`_Converter.expand` has a branch for it).
_KNOWN = frozenset({*ACCENTS, *SYMBOLS, *LOGOS, *FORMATTING, *QUOTING, *DECLARATIONS,
                    *VERBATIM, "href", *SWALLOW_ARGUMENT, *TAKES_DIMENSION})
# A command as the reader reads one: a backslash and a run of letters or one character.
_COMMAND = re.compile(r"\\([A-Za-z]+|.)", re.DOTALL)


def unknown_commands(tex: str) -> tuple[str, ...]:
    """The commands in a TeX value that the reader does not know, in order of appearance."""
    # The reader reports no command that is not among these names (it may skip some,
    # in verbatim arguments), so when it knows them all, the value need not be read.
    # Unless a group nests too deep: then dropping braces can join a name to text.
    if tex.count("{") <= MAX_DEPTH and _KNOWN.issuperset(_COMMAND.findall(tex)):
        return ()
    return decode(tex).unknown


# -- Unicode → TeX, for 7-bit BibTeX ---------------------------------------------------
# Accents that plain LaTeX spells without extra packages; the others stay as Unicode.
_WRITABLE_ACCENTS = frozenset("'`^\"~=.cvuHkrd")
_ACCENT_COMMANDS = {mark: name for name, mark in ACCENTS.items() if name in _WRITABLE_ACCENTS}
_LETTER_COMMANDS = {letter: f"{{\\{name}}}" for name, letter in LETTERS.items()
                    if name not in ("j", "ij", "IJ", "dh", "DH", "th", "TH", "ng", "NG")}
_SPELLINGS = {**_LETTER_COMMANDS, **{text: lig for lig, text in LIGATURES.items()},
              "’": "'", "…": r"\ldots{}"}


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _tex_spelling(match: re.Match[str]) -> str:
    ch = match.group()
    spelled = _SPELLINGS.get(ch)
    if spelled is not None:
        return spelled
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    if len(marks) == 1 and marks[0] in _ACCENT_COMMANDS and ord(base) < 128:
        accent = _ACCENT_COMMANDS[marks[0]]
        base = r"\i" if base == "i" and accent not in "cdk" else base
        return f"{{\\{accent}{{{base}}}}}" if accent.isalpha() else f"{{\\{accent}{base}}}"
    return ch  # no TeX spelling known: left for bibtex to pass through


def to_tex_ascii(text: str) -> str:
    """TeX text with non-ASCII Latin letters, dashes and quotes written as TeX commands."""
    # Most values (TeX as written in .bib files) are ASCII already.
    return text if text.isascii() else _NON_ASCII.sub(_tex_spelling, text)
