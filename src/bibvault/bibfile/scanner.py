"""The splitter: cut decoded .bib text into blocks, following BibTeX's reading rules.

BibTeX ignores all text outside entries, and starts a command at every ``@``. We are
a little stricter about where an entry may start, so that ``%``-commented entries and
e-mail addresses stay text: an ``@`` starts a block when it is the first non-blank
character of its line, or when it is followed by ``type{`` / ``type(`` on a line that
does not start with ``%``.  ``@comment`` is the keyword alone, as in BibTeX, unless it
is followed by a balanced ``{...}``/``(...)`` body that holds no entry, in which case
the body belongs to the comment block.

A block that cannot be read becomes a ``broken`` block reaching up to the next line
that starts with ``@``; scanning carries on from there, so nothing after it is lost.
"""

from __future__ import annotations

import re

from bibvault.bibfile.model import Block, Entry, Field, Issue
from bibvault.findings import Severity

ERROR, WARNING = Severity.ERROR, Severity.WARNING

_WS = re.compile(r"[ \t\r\n\f\v]*")
_IDENT = r"[^ \t\r\n\f\v\"#%'(),={}]+"
_IDENT_RE = re.compile(_IDENT)
_HEAD = re.compile(r"@[ \t\r\n\f\v]*([^ \t\r\n\f\v\"#%'(),={}@]+)[ \t\r\n\f\v]*([{(]?)")
_KEY = re.compile(r"[^ \t\r\n\f\v,={}()]*")
_FIELD = re.compile(r"[ \t\r\n\f\v]*(" + _IDENT + r")[ \t\r\n\f\v]*")
_BRACE = re.compile(r"[{}]")
_PARENS = re.compile(r"[{})]")
_QUOTE = re.compile(r'["{}]')
_NUMBER = re.compile(r"[0-9]+")
_LINE_AT = re.compile(r"\n[ \t\r\f\v\ufeff]*@")
_OPENER = re.compile(r"@[ \t\r\n\f\v]*[^ \t\r\n\f\v\"#%'(),={}@]+[ \t\r\n\f\v]*[{(]")
_TRAILING_FIELD = re.compile(r"[ \t]*,[ \t\r\n\f\v]*" + _IDENT + r"[ \t\r\n\f\v]*=")
_BLANKS = " \t\r\n\f\v\ufeff"


class _Broken(Exception):
    """Raised inside the scanner to abandon a block; never leaves this module."""

    def __init__(self, code: str, message: str, pos: int, severity: Severity = ERROR) -> None:
        super().__init__(message)
        self.code, self.message, self.pos, self.severity = code, message, pos, severity


def _excerpt(text: str, pos: int) -> str:
    line_end = text.find("\n", pos)
    if line_end < 0:
        line_end = len(text)
    return text[pos : min(line_end, pos + 60)].rstrip("\r")


class Scanner:
    """One pass over a text, producing blocks. Use :func:`scan`."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.blocks: list[Block] = []
        self.line = 1
        self.line_pos = 0
        self._notes: list[Issue] = []
        self._value_end = 0

    # -- positions ---------------------------------------------------------------
    def _where(self, pos: int) -> tuple[int, int]:
        if pos >= self.line_pos:
            self.line += self.text.count("\n", self.line_pos, pos)
        else:
            self.line -= self.text.count("\n", pos, self.line_pos)
        self.line_pos = pos
        column = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        if self.line == 1 and self.text.startswith("\ufeff") and pos > 0:
            column -= 1
        return self.line, column

    def _line_start(self, pos: int) -> int:
        return self.text.rfind("\n", 0, pos) + 1

    def _next_recovery(self, pos: int) -> int:
        m = _LINE_AT.search(self.text, pos)
        return m.start() + 1 if m else self.n

    # -- the main loop -------------------------------------------------------------
    def run(self) -> list[Block]:
        """Scan the whole text."""
        text, pos, text_start = self.text, 0, 0
        stray: list[int] = []
        while True:
            at = text.find("@", pos)
            if at < 0:
                break
            prefix = text[self._line_start(at) : at]
            at_line_start = prefix.strip(_BLANKS) == ""
            if not at_line_start and (
                prefix.lstrip(_BLANKS).startswith("%") or not self._starts_block(at)
            ):
                if not prefix.lstrip(_BLANKS).startswith("%"):
                    stray.append(at)
                pos = at + 1
                continue
            self._add_text(text_start, at, stray)
            stray = []
            pos = self._block(at)
            text_start = pos
        self._add_text(text_start, self.n, stray)
        return self.blocks

    def _starts_block(self, at: int) -> bool:
        m = _HEAD.match(self.text, at)
        if m is None:
            return False
        return bool(m.group(2)) or m.group(1).lower() == "comment"

    def _add_text(self, start: int, end: int, stray: list[int]) -> None:
        if start >= end:
            return
        line, col = self._where(start)
        block = Block("text", self.text[start:end], start, end, line, col)
        for at in stray:
            block.issues.append(
                Issue(
                    "B101",
                    WARNING,
                    "stray '@' outside an entry (BibTeX tries to read an entry here)",
                    at - start,
                    _excerpt(self.text, at),
                )
            )
        self.blocks.append(block)

    def _block(self, at: int) -> int:
        """Read the block starting at ``at``; append it; return where scanning goes on."""
        head = _HEAD.match(self.text, at)
        try:
            if head is None:
                raise _Broken("B101", "'@' not followed by an entry type", at)
            kind = head.group(1).lower()
            if kind == "comment":
                return self._comment(at, head)
            if not head.group(2):
                raise _Broken(
                    "B101", f"'@{head.group(1)}' is not followed by '{{' or '('", head.end()
                )
            entry = self._entry(at, head)
        except _Broken as broken:
            return self._broken(at, broken)
        self.blocks.append(entry)
        return entry.end

    def _broken(self, at: int, broken: _Broken) -> int:
        end = self._next_recovery(at + 1)
        if broken.pos >= self.n and end >= self.n:
            broken.code = "B107"
            broken.message = "entry truncated at end of file: " + broken.message
            broken.pos = at
        line, col = self._where(at)
        block = Block("broken", self.text[at:end], at, end, line, col)
        block.issues.append(
            Issue(
                broken.code,
                broken.severity,
                broken.message,
                min(broken.pos, end) - at,
                _excerpt(self.text, broken.pos),
            )
        )
        self.blocks.append(block)
        return end

    def _comment(self, at: int, head: re.Match[str]) -> int:
        end = head.end(1)
        if head.group(2):
            close = self._balanced_end(head.end() - 1)
            if close is not None and _OPENER.search(self.text, head.end(), close) is None:
                end = close
        line, col = self._where(at)
        self.blocks.append(Block("comment", self.text[at:end], at, end, line, col))
        return end

    def _balanced_end(self, pos: int) -> int | None:
        """Offset just after the group opened at ``pos`` by ``{`` or ``(``; None if unclosed."""
        paren = self.text[pos] == "("
        pattern = _PARENS if paren else _BRACE
        depth, i = 0, pos + 1 if paren else pos
        while True:
            m = pattern.search(self.text, i)
            if m is None:
                return None
            c, i = m.group(), m.end()
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth < 0:
                    return None
                if depth == 0 and not paren:
                    return i
            elif c == ")" and depth == 0:
                return i

    # -- entries, macros, preambles ----------------------------------------------------
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
                        _excerpt(self.text, pos),
                    )
                )
            eol = self.text.find("\n", pos)
            pos = self._skip(eol) if eol >= 0 else self.n
        return pos

    def _eof(self, what: str) -> _Broken:
        return _Broken("B107", what, self.n)

    def _entry(self, at: int, head: re.Match[str]) -> Entry:
        text, n = self.text, self.n
        type_name, closer = head.group(1), "}" if head.group(2) == "{" else ")"
        kind = type_name.lower()
        self._notes = []
        parsed: list[tuple[str, int, int, int]] = []
        key, key_end = "", head.end()
        if kind == "preamble":
            vstart = self._skip(head.end())
            pos = self._skip(self._value(vstart, closer))
            parsed.append(("", vstart, vstart, self._value_end))
            if pos < n and text[pos] != closer:
                raise _Broken("B102", f"expected '{closer}' to close @{type_name}", pos)
        elif kind == "string":
            name, nstart, vstart, vend = self._field(head.end(), closer)
            key, key_end = name, nstart + len(name)
            parsed.append((name, nstart, vstart, vend))
            pos = self._skip(vend)
            if pos < n and text[pos] != closer:
                raise _Broken("B102", f"expected '{closer}' to close @{type_name}", pos)
        else:
            kind = "entry"
            pos = self._skip(head.end())
            km = _KEY.match(text, pos)
            key = km.group() if km else ""
            key_end = km.end() if km else pos
            after = self._skip(key_end)
            if not key or (after < n and text[after] == "="):
                if pos >= n:
                    raise self._eof("no citation key")
                raise _Broken("B106", "missing citation key", pos)
            pos = after
            while True:
                if pos >= n:
                    raise self._eof(f"'{closer}' never closes the entry")
                c = text[pos]
                if c == closer:
                    break
                if c != ",":
                    raise self._unexpected(pos, closer)
                pos = self._gap(pos + 1)
                if pos < n and text[pos] == closer:
                    break
                if pos < n and text[pos] == ",":
                    raise _Broken("B104", "missing field name between two commas", pos)
                name, nstart, vstart, vend = self._field(pos, closer)
                parsed.append((name, nstart, vstart, vend))
                pos = self._gap(vend)
        if pos >= n:
            raise self._eof(f"'{closer}' never closes @{type_name}")
        end = pos + 1
        if _TRAILING_FIELD.match(text, end):
            raise _Broken(
                "B102",
                f"unbalanced braces: '{closer}' ends the entry before its "
                "last fields (one '}' too many?)",
                pos,
            )
        line, col = self._where(at)
        entry = Entry(
            kind,
            text[at:end],
            at,
            end,
            line,
            col,
            entry_type=type_name,
            key=key,
            close=pos - at,
            key_end=key_end - at,
        )
        entry.issues.extend(
            Issue(i.code, i.severity, i.message, i.offset - at, i.excerpt) for i in self._notes
        )
        seen: set[str] = set()
        for name, nstart, vstart, vend in parsed:
            entry.fields.append(
                Field(name, text[vstart:vend], nstart - at, vstart - at, vend - at, entry)
            )
            lower = name.lower()
            if lower in seen and kind == "entry":
                entry.issues.append(
                    Issue(
                        "B108",
                        WARNING,
                        f"duplicate field '{name}' (BibTeX keeps the first)",
                        nstart - at,
                        _excerpt(text, nstart),
                    )
                )
            seen.add(lower)
        return entry

    def _unexpected(self, pos: int, closer: str) -> _Broken:
        m = _IDENT_RE.match(self.text, pos)
        if m is not None:
            after = self._skip(m.end())
            if after < self.n and self.text[after] == "=":
                return _Broken("B103", f"missing comma before field '{m.group()}'", pos)
            return _Broken("B104", "field value is not braced, quoted, a number or one macro", pos)
        return _Broken("B103", f"expected ',' or '{closer}', found '{self.text[pos]}'", pos)

    def _field(self, pos: int, closer: str) -> tuple[str, int, int, int]:
        m = _FIELD.match(self.text, pos)
        if m is None:
            where = self._skip(pos)
            if where >= self.n:
                raise self._eof("expected a field name")
            raise _Broken("B104", "missing field name", where)
        name, after = m.group(1), m.end()
        if after >= self.n:
            raise self._eof(f"no value for field '{name}'")
        if self.text[after] != "=":
            raise _Broken("B104", f"missing '=' after field name '{name}'", after)
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
                m = _IDENT_RE.match(text, pos)
                if m is None:
                    raise _Broken("B104", "missing field value", pos)
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
            if _OPENER.match(self.text, at):
                line, _ = self._where(at)
                raise _Broken(code, f"{what} not closed before the entry on line {line}", pos)

    def _braced(self, pos: int) -> int:
        depth, i, end = 0, pos, -1
        while True:
            m = _BRACE.search(self.text, i)
            if m is None:
                break
            i = m.end()
            depth += 1 if m.group() == "{" else -1
            if depth == 0:
                end = i
                break
        self._check_swallowed(pos, end if end >= 0 else self.n, "B102", "'{'")
        if end < 0:
            raise self._eof("unbalanced braces: '{' never closed")
        return end

    def _quoted(self, pos: int) -> int:
        depth, i, end, bad = 0, pos + 1, -1, -1
        while True:
            m = _QUOTE.search(self.text, i)
            if m is None:
                break
            c, i = m.group(), m.end()
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth < 0:
                    bad = i
                    break
            elif depth == 0:
                end = i
                break
        limit = end if end >= 0 else (bad if bad >= 0 else self.n)
        self._check_swallowed(pos, limit, "B105", "quoted value")
        if bad >= 0:
            raise _Broken(
                "B105", "unterminated quoted value (a '}' comes before the closing '\"')", pos
            )
        if end < 0:
            raise self._eof("unterminated quoted value")
        return end


def scan(text: str) -> list[Block]:
    """Cut ``text`` into blocks covering every character, in order. Never raises."""
    return Scanner(text).run()
