"""The block model: every byte of a .bib file belongs to exactly one block.

Positions inside a block (fields, problems) are kept relative to the block, so an
edit that changes the length of one entry only has to move the start of the
blocks after it, not every field of the file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from bibvault.bibfile.values import expand
from bibvault.findings import Severity

BLOCK_KINDS = ("entry", "string", "preamble", "comment", "text", "broken")


@lru_cache(maxsize=4096)
def field_key(name: str) -> str:
    """A field name in lower case, the same string object for every use of the name.

    Records are dicts keyed by these names: folding each entry's names afresh
    made a new string per field of every record (a tenth of the records' memory).
    """
    return name.lower()


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem found while scanning one block, at ``offset`` characters into its raw text."""

    code: str
    severity: Severity
    message: str
    offset: int
    excerpt: str


@dataclass(eq=False, slots=True)
class Block:
    """A run of the file's text: an entry, a macro, a preamble, a comment, free text or broken text.

    ``start``/``end`` are offsets into the decoded text, ``line``/``column`` (1-based)
    locate ``start``. ``raw`` is exactly ``text[start:end]``.
    """

    kind: str
    raw: str
    start: int
    end: int
    line: int
    column: int
    # A tuple until the first problem: an empty list per block was a tenth of the
    # memory of a file of a million small entries.
    issues: Sequence[Issue] = field(default=(), repr=False)

    def add_issue(self, issue: Issue) -> None:
        """Record a problem found in this block."""
        if isinstance(self.issues, list):
            self.issues.append(issue)
        else:
            self.issues = [*self.issues, issue]

    def locate(self, offset: int) -> tuple[int, int]:
        """(line, column) of the character ``offset`` characters into this block."""
        offset = max(0, min(offset, len(self.raw)))
        newlines = self.raw.count("\n", 0, offset)
        if newlines == 0:
            return self.line, self.column + offset
        return self.line + newlines, offset - self.raw.rfind("\n", 0, offset)


@dataclass(eq=False, slots=True)
class Field:
    """One ``name = value`` pair as written; offsets are relative to its entry's text.

    The value is not copied: :attr:`raw_value` is read from the entry's ``raw``
    when asked for, so the file's text is held once, in its blocks.
    """

    name: str
    rel_start: int = field(repr=False)
    rel_value_start: int = field(repr=False)
    rel_value_end: int = field(repr=False)
    block: Block = field(repr=False)

    @property
    def raw_value(self) -> str:
        """The value exactly as written, delimiters included (``{...}``, ``"..."``, ``12``)."""
        return self.block.raw[self.rel_value_start : self.rel_value_end]

    @property
    def start(self) -> int:
        """Offset of the first character of the field name."""
        return self.block.start + self.rel_start

    @property
    def end(self) -> int:
        """Offset just after the value (a following comma is not part of the field)."""
        return self.block.start + self.rel_value_end

    @property
    def value_start(self) -> int:
        """Offset of the first character of the value (its opening delimiter)."""
        return self.block.start + self.rel_value_start

    @property
    def value_end(self) -> int:
        """Offset just after the value's last character."""
        return self.block.start + self.rel_value_end

    @property
    def line(self) -> int:
        """Line (1-based) of the field name."""
        return self.block.locate(self.rel_start)[0]

    @property
    def column(self) -> int:
        """Column (1-based) of the field name."""
        return self.block.locate(self.rel_start)[1]


@dataclass(eq=False, slots=True)
class Entry(Block):
    """An entry such as ``@article{key, ...}``; also used for ``@string`` and ``@preamble``.

    For a ``@string`` block ``key`` is the macro name and ``fields`` holds the one
    definition; for a ``@preamble`` block ``fields`` holds one field named ``""``.
    ``close`` is the offset of the closing delimiter inside ``raw``; ``key_end`` the
    offset just after the key inside ``raw``.
    """

    entry_type: str = ""
    key: str = ""
    fields: list[Field] = field(default_factory=list)
    close: int = field(default=0, repr=False)
    key_end: int = field(default=0, repr=False)
    macros: Mapping[str, str] | None = field(default=None, repr=False)

    def field(self, name: str) -> Field | None:
        """The first field called ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        for f in self.fields:
            if f.name.lower() == wanted:
                return f
        return None

    def last_field(self, name: str) -> Field | None:
        """The last field called ``name`` (a lower-case name), or None."""
        for f in reversed(self.fields):
            if field_key(f.name) == name:
                return f
        return None

    def location(self, name: str | None = None) -> tuple[int, int]:
        """(line, column) of the last field called ``name`` (lower case), or (the
        entry's line, 1) when it has no such field."""
        f = self.last_field(name) if name else None
        return self.locate(f.rel_start) if f is not None else (self.line, 1)

    def field_positions(self) -> dict[str, tuple[int, int]]:
        """{lower-case field name: (line, column) of its name}; of repeated fields the last.

        One pass over the entry's text, where asking each field for its line and
        column would count the entry's line breaks once per field.
        """
        out: dict[str, tuple[int, int]] = {}
        raw, line, last_nl, counted = self.raw, self.line, -1, 0
        for f in self.fields:
            offset = max(0, min(f.rel_start, len(raw)))
            if offset < counted:  # not in file order (never from the scanner)
                out[field_key(f.name)] = self.locate(offset)
                continue
            line += raw.count("\n", counted, offset)
            nl = raw.rfind("\n", counted, offset)
            if nl >= 0:
                last_nl = nl
            counted = offset
            out[field_key(f.name)] = (line, self.column + offset if last_nl < 0 else offset - last_nl)
        return out

    def value(self, name: str) -> str | None:
        """The field's value with macros and ``#`` expanded and outer delimiters stripped.

        TeX markup is kept. Undefined macros expand to the empty string, as in BibTeX.
        None when the entry has no such field.
        """
        f = self.field(name)
        if f is None:
            return None
        return expand(f.raw_value, self.macros or {})


class FieldPositions(Mapping[str, tuple[int, int]]):
    """:meth:`Entry.field_positions`, worked out when first read: most records are
    never asked where one of their fields is (only those with a finding are)."""

    __slots__ = ("_entry", "_found")

    def __init__(self, entry: Entry) -> None:
        self._entry = entry
        self._found: dict[str, tuple[int, int]] | None = None

    def _positions(self) -> dict[str, tuple[int, int]]:
        if self._found is None:
            self._found = self._entry.field_positions()
        return self._found

    def __getitem__(self, name: str) -> tuple[int, int]:
        if self._found is not None:
            return self._found[name]
        # Most often one field is asked for: one count over the text before it.
        f = self._entry.last_field(name)
        if f is None:
            raise KeyError(name)
        return self._entry.locate(f.rel_start)

    def __iter__(self) -> Iterator[str]:
        return iter(self._positions())

    def __len__(self) -> int:
        return len(self._positions())
