"""Low-level reading shared by the splitter: positions, blanks, values, delimiters.

A value is read the way BibTeX reads it (brace groups, quoted strings with balanced
braces, numbers, macro names, joined by ``#``) with one addition: a value that would
run over a line starting with an entry header is treated as not closed, so one missing
brace cannot swallow the rest of the file.
"""

from __future__ import annotations

import re

from bibvault.bibfile.braces import closing, group_end
from bibvault.bibfile.model import Block, Issue
from bibvault.findings import Severity

ERROR, WARNING = Severity.ERROR, Severity.WARNING

_WS = re.compile(r"[ \t\r\n\f\v]*")
_IDENT = r"[^ \t\r\n\f\v\"#%'(),={}]+"
IDENT_RE = re.compile(_IDENT)
HEAD = re.compile(r"@[ \t\r\n\f\v]*([^ \t\r\n\f\v\"#%'(),={}@]+)[ \t\r\n\f\v]*([{(]?)")
KEY = re.compile(r"[^ \t\r\n\f\v,={}()]*")
_FIELD = re.compile(r"[ \t\r\n\f\v]*(" + _IDENT + r")[ \t\r\n\f\v]*")
_NUMBER = re.compile(r"[0-9]+")
_LINE_AT = re.compile(r"\n[ \t\r\f\v\ufeff]*@")
OPENER = re.compile(r"@[ \t\r\n\f\v]*[^ \t\r\n\f\v\"#%'(),={}@]+[ \t\r\n\f\v]*[{(]")
TRAILING_FIELD = re.compile(r"[ \t]*,[ \t\r\n\f\v]*" + _IDENT + r"[ \t\r\n\f\v]*=")
# after an entry's closer, on the same line: signs that a value went on past it
AFTER_CLOSE = re.compile(r"[ \t,]*([#={\"][^\r\n]*)")
LEADING_BLANKS = re.compile(r"[ \t\r\n\f\v\ufeff]*")
# The common case in one match: ", name = value" with a brace group or a quoted string
# nesting braces one level deep, a number or a macro, or several of those joined by '#',
# followed by ',' or a closer. Values holding '@' take the slow path, which guards
# against swallowed entries; so do blanks other than spaces, tabs and line breaks.
_FAST_SEP, _FAST_EQ = r"[ \t\r\n]*,[ \t\r\n]*", r"[ \t\r\n]*=[ \t\r\n]*"
_FAST_PART = (r"(?:\{(?:[^{}@]++|\{[^{}@]*+\})*+\}|\"(?:[^\"{}@]++|\{[^{}@]*+\})*+\"|[0-9]++"
              r"|[^0-9 \t\r\n\f\v\"#%'(),={}][^ \t\r\n\f\v\"#%'(),={}]*+)")
_FAST_VALUE = _FAST_PART + r"(?:[ \t\r\n]*+#[ \t\r\n]*+" + _FAST_PART + ")*+"
_FAST_FOLLOWS = r"(?=[ \t\r\n]*[,})])"
FAST_FIELD = re.compile(f"{_FAST_SEP}({_IDENT}){_FAST_EQ}({_FAST_VALUE}){_FAST_FOLLOWS}")


class Broken(Exception):
    """Raised inside the scanner to abandon a block; never leaves :func:`scan`."""

    def __init__(self, code: str, message: str, pos: int, severity: Severity = ERROR) -> None:
        super().__init__(message)
        self.code, self.message, self.pos, self.severity = code, message, pos, severity


def excerpt(text: str, pos: int) -> str:
    """The rest of the line from ``pos``, at most 60 characters, for a finding."""
    line_end = text.find("\n", pos)
    if line_end < 0:
        line_end = len(text)
    return text[pos : min(line_end, pos + 60)].rstrip("\r")


class Reader:
    """Position bookkeeping and value reading over one text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.blocks: list[Block] = []
        self.line = 1
        self.line_pos = 0
        self._ls = self._ls_pos = 0
        self._notes: list[Issue] = []
        self._text_notes: list[tuple[int, str]] = []
        self._value_end = 0
        # One string object per distinct field name and entry type, not one per use.
        self._names: dict[str, str] = {}

    def _where(self, pos: int) -> tuple[int, int]:
        if pos >= self.line_pos:
            self.line += self.text.count("\n", self.line_pos, pos)
        else:
            self.line -= self.text.count("\n", pos, self.line_pos)
        self.line_pos = pos
        column = pos - self._line_start(pos) + 1
        if self.line == 1 and self.text.startswith("\ufeff") and pos > 0:
            column -= 1
        return self.line, column

    def _line_start(self, pos: int) -> int:
        # cached, so that a file on one long line is not searched backwards for every '@'
        if pos >= self._ls_pos:
            nl = self.text.rfind("\n", self._ls_pos, pos)
            if nl >= 0:
                self._ls = nl + 1
        else:
            self._ls = self.text.rfind("\n", 0, pos) + 1
        self._ls_pos = pos
        return self._ls

    def _next_recovery(self, pos: int) -> int:
        m = _LINE_AT.search(self.text, pos)
        return m.start() + 1 if m else self.n

    def _skip(self, pos: int) -> int:
        m = _WS.match(self.text, pos)
        return m.end() if m else pos

    def _gap(self, pos: int) -> int:
        """Skip blanks and ``%`` line comments between fields (biber allows them, BibTeX not)."""
        pos = self._skip(pos)
        while pos < self.n and self.text[pos] == "%":
            if not self._notes:  # one note per entry is enough
                self._notes.append(
                    Issue(
                        "B101",
                        WARNING,
                        "'%' comment inside an entry (BibTeX does not allow it)",
                        pos,
                        excerpt(self.text, pos),
                    )
                )
            eol = self.text.find("\n", pos)
            pos = self._skip(eol) if eol >= 0 else self.n
        return pos

    def _eof(self, what: str) -> Broken:
        return Broken("B107", what, self.n)

    def _field(self, pos: int, closer: str) -> tuple[str, int, int, int]:
        m = _FIELD.match(self.text, pos)
        if m is None:
            where = self._skip(pos)
            if where >= self.n:
                raise self._eof("expected a field name")
            raise Broken("B104", "missing field name", where)
        name, after = m.group(1), m.end()
        if after >= self.n:
            raise self._eof(f"no value for field '{name}'")
        if self.text[after] != "=":
            raise Broken("B104", f"missing '=' after field name '{name}'", after)
        vstart = self._skip(after + 1)
        return name, m.start(1), vstart, self._value(vstart, closer)

    def _value(self, pos: int, closer: str) -> int:
        """Read a value (parts joined by '#') from ``pos``; return the offset after it."""
        text, n = self.text, self.n
        while True:
            if pos >= n:
                raise self._eof("missing field value")
            c = text[pos]
            if c == "{":
                end = self._braced(pos)
            elif c == '"':
                end = self._quoted(pos)
            elif "0" <= c <= "9":
                m = _NUMBER.match(text, pos)
                end = m.end() if m else pos + 1
            else:
                m = IDENT_RE.match(text, pos)
                if m is None:
                    raise Broken("B104", "missing field value", pos)
                end = m.end()
            after = self._skip(end)
            if after < n and text[after] == "#":
                pos = self._skip(after + 1)
                continue
            self._value_end = end
            return end

    def _check_swallowed(self, pos: int, limit: int, code: str, what: str) -> None:
        for m in _LINE_AT.finditer(self.text, pos, limit):
            at = m.end() - 1
            if OPENER.match(self.text, at):
                line, _ = self._where(at)
                raise Broken(code, f"{what} not closed before the entry on line {line}", pos)

    def _braced(self, pos: int) -> int:
        end = closing(self.text, pos).end
        self._check_swallowed(pos, end if end >= 0 else self.n, "B102", "'{'")
        if end < 0:
            raise self._eof("unbalanced braces: '{' never closed")
        return end

    def _quoted(self, pos: int) -> int:
        end, bad = closing(self.text, pos)
        limit = end if end >= 0 else (bad if bad >= 0 else self.n)
        self._check_swallowed(pos, limit, "B105", "quoted value")
        if bad >= 0:
            raise Broken(
                "B105", "unterminated quoted value (a '}' comes before the closing '\"')", pos
            )
        if end < 0:
            raise self._eof("unterminated quoted value")
        return end

    def _balanced_end(self, pos: int) -> int | None:
        """Offset just after the group opened at ``pos`` by ``{`` or ``(``; None if unclosed."""
        return group_end(self.text, pos)
