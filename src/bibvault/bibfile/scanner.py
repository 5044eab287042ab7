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

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter

from bibvault.bibfile.model import Block, Entry, Field, Issue, field_key
from bibvault.bibfile.reader import (
    AFTER_CLOSE,
    FAST_FIELD,
    HEAD,
    IDENT_RE,
    KEY,
    LEADING_BLANKS,
    OPENER,
    TRAILING_FIELD,
    WARNING,
    Broken,
    Reader,
    excerpt,
)

_NAME = itemgetter(0)


class Scanner(Reader):
    """One pass over a text, producing blocks. Use :func:`scan`."""

    # -- the main loop -------------------------------------------------------------
    def run(self) -> list[Block]:
        """Scan the whole text."""
        text, pos, text_start = self.text, 0, 0
        stray_at = "stray '@' outside an entry (BibTeX tries to read an entry here)"
        while True:
            at = text.find("@", pos)
            if at < 0:
                break
            first = LEADING_BLANKS.match(text, self._line_start(at), at)
            at_line_start = first is None or first.end() >= at
            if not at_line_start:
                percent_line = first is not None and text[first.end()] == "%"
                if percent_line or not self._starts_block(at):
                    if not percent_line:
                        self._text_notes.append((at, stray_at))
                    pos = at + 1
                    continue
            self._add_text(text_start, at)
            pos = self._block(at)
            text_start = pos
            if self.blocks[-1].kind == "entry":
                self._check_after_close(pos)
        self._add_text(text_start, self.n)
        return self.blocks

    def _check_after_close(self, pos: int) -> None:
        """Warn when a value seems to go on after the closer: BibTeX ignores that text."""
        m = AFTER_CLOSE.match(self.text, pos)
        if m is not None:
            self._text_notes.append(
                (m.start(1), "text after the entry's closing delimiter is ignored")
            )

    def _starts_block(self, at: int) -> bool:
        m = HEAD.match(self.text, at)
        if m is None:
            return False
        return bool(m.group(2)) or m.group(1).lower() == "comment"

    def _add_text(self, start: int, end: int) -> None:
        notes, self._text_notes = self._text_notes, []
        if start >= end:
            return
        line, col = self._where(start)
        block = Block("text", self.text[start:end], start, end, line, col)
        for at, message in notes:
            block.add_issue(Issue("B101", WARNING, message, at - start, excerpt(self.text, at)))
        self.blocks.append(block)

    def _block(self, at: int) -> int:
        """Read the block starting at ``at``; append it; return where scanning goes on."""
        head = HEAD.match(self.text, at)
        try:
            if head is None:
                raise Broken("B101", "'@' not followed by an entry type", at)
            kind = head.group(1).lower()
            if kind == "comment":
                return self._comment(at, head)
            if not head.group(2):
                raise Broken(
                    "B101", f"'@{head.group(1)}' is not followed by '{{' or '('", head.end()
                )
            entry = self._entry(at, head)
        except Broken as broken:
            return self._broken(at, broken)
        self.blocks.append(entry)
        return entry.end

    def _broken(self, at: int, broken: Broken) -> int:
        end = self._next_recovery(at + 1)
        if broken.pos >= self.n and end >= self.n:
            broken.code = "B107"
            broken.message = "entry truncated at end of file: " + broken.message
            broken.pos = at
        line, col = self._where(at)
        block = Block("broken", self.text[at:end], at, end, line, col)
        block.add_issue(
            Issue(
                broken.code,
                broken.severity,
                broken.message,
                min(broken.pos, end) - at,
                excerpt(self.text, broken.pos),
            )
        )
        self.blocks.append(block)
        return end

    def _comment(self, at: int, head: re.Match[str]) -> int:
        end = head.end(1)
        if head.group(2):
            close = self._balanced_end(head.end() - 1)
            if close is not None and OPENER.search(self.text, head.end(), close) is None:
                end = close
        line, col = self._where(at)
        self.blocks.append(Block("comment", self.text[at:end], at, end, line, col))
        return end

    # -- entries, macros, preambles ----------------------------------------------------
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
                raise Broken("B102", f"expected '{closer}' to close @{type_name}", pos)
        elif kind == "string":
            name, nstart, vstart, vend = self._field(head.end(), closer)
            key, key_end = name, nstart + len(name)
            parsed.append((name, nstart, vstart, vend))
            pos = self._skip(vend)
            if pos < n and text[pos] != closer:
                raise Broken("B102", f"expected '{closer}' to close @{type_name}", pos)
        else:
            kind = "entry"
            pos = self._skip(head.end())
            km = KEY.match(text, pos)
            key = km.group() if km else ""
            key_end = km.end() if km else pos
            after = self._skip(key_end)
            if not key or (after < n and text[after] == "="):
                if pos >= n:
                    raise self._eof("no citation key")
                raise Broken("B106", "missing citation key", pos)
            pos = after
            fast, names, append = FAST_FIELD.match, self._names, parsed.append
            while True:
                m = fast(text, pos)
                if m is not None:
                    nstart, nend = m.span(1)
                    name = text[nstart:nend]
                    pos = m.end()
                    append((names.setdefault(name, name), nstart, m.start(2), pos))
                    continue
                pos = self._gap(pos)
                if pos >= n:
                    raise self._eof(f"'{closer}' never closes the entry")
                c = text[pos]
                if c == closer:
                    break
                if c != ",":
                    raise self._unexpected(pos, closer, parsed[-1][2] if parsed else None)
                pos = self._gap(pos + 1)
                if pos < n and text[pos] == closer:
                    break
                if pos < n and text[pos] == ",":
                    raise Broken("B104", "missing field name between two commas", pos)
                name, nstart, vstart, vend = self._field(pos, closer)
                parsed.append((name, nstart, vstart, vend))
                pos = self._gap(vend)
        if pos >= n:
            raise self._eof(f"'{closer}' never closes @{type_name}")
        end = pos + 1
        if TRAILING_FIELD.match(text, end):
            raise Broken(
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
            entry_type=self._names.setdefault(type_name, type_name),
            key=key,
            close=pos - at,
            key_end=key_end - at,
        )
        for i in self._notes:
            entry.add_issue(Issue(i.code, i.severity, i.message, i.offset - at, i.excerpt))
        entry.fields = [Field(name, nstart - at, vstart - at, vend - at, entry)
                        for name, nstart, vstart, vend in parsed]
        if kind == "entry" and len(set(map(field_key, map(_NAME, parsed)))) < len(parsed):
            seen: set[str] = set()
            for name, nstart, _, _ in parsed:
                lower = name.lower()
                if lower in seen:
                    entry.add_issue(
                        Issue(
                            "B108",
                            WARNING,
                            f"duplicate field '{name}' (BibTeX keeps the first)",
                            nstart - at,
                            excerpt(text, nstart),
                        )
                    )
                seen.add(lower)
        return entry

    def _unexpected(self, pos: int, closer: str, last_value: int | None = None) -> Broken:
        line_start = self.text.rfind("\n", 0, pos) + 1
        if self.text.startswith("@", pos) and not self.text[line_start:pos].strip():
            # The next entry begins while this one is still open: most often a value
            # opened one '{' more than it closed, which made its '}' end only the value.
            line = self.text.count("\n", 0, pos) + 1
            where = pos if last_value is None else last_value
            return Broken("B102", f"entry not closed before the entry on line {line} "
                          "(does this value open one '{' more than it closes?)", where)
        m = IDENT_RE.match(self.text, pos)
        if m is not None:
            after = self._skip(m.end())
            if after < self.n and self.text[after] == "=":
                return Broken("B103", f"missing comma before field '{m.group()}'", pos)
            return Broken("B104", "field value is not braced, quoted, a number or one macro", pos)
        return Broken("B103", f"expected ',' or '{closer}', found '{self.text[pos]}'", pos)


def scan(text: str) -> list[Block]:
    """Cut ``text`` into blocks covering every character, in order. Never raises."""
    with gc_paused():
        return Scanner(text).run()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the body without the cyclic garbage collector (as it was, after).

    For work that builds many objects and keeps them (blocks and fields, findings):
    the collector can free none of them, yet each of its passes walks all that
    were built so far; on a large file that was a fifth of the reading.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_BROKEN_KEY = re.compile(r"@[^{(]*[{(][ \t\r\n]*([^ \t\r\n\f\v,={}()]+)[ \t\r\n]*,")


def broken_key(raw: str) -> str | None:
    """The citation key a broken entry seems to have (``@type{key,``), or None."""
    m = _BROKEN_KEY.match(raw)
    return m.group(1) if m else None
