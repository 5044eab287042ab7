"""``BibFile``: a parsed .bib file that writes back byte for byte, edits, and saves atomically."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from bibvault.bibfile import editing
from bibvault.bibfile.crossref import crossref_findings, expanded_fields, resolve, with_aliases
from bibvault.bibfile.encoding import UTF8, codec_name, decode, encode
from bibvault.bibfile.model import Block, Entry, Issue
from bibvault.bibfile.scanner import broken_key, scan
from bibvault.bibfile.values import MONTH_MACROS, expand, macro_names
from bibvault.findings import Finding, Severity
from bibvault.fsutil import atomic_write, read_bytes

_UNDECODABLE = re.compile("[\udc80-\udcff]+")
# How many distinct raw values a file remembers the expansion of, before starting afresh.
_MEMORY = 10_000


class BibFile:
    """A .bib file as blocks. Every character of the input is in exactly one block.

    Build one with :func:`parse` or :func:`load`. ``to_bytes()`` gives back the input
    byte for byte until an edit is made; edits change only the bytes they concern.

    ``strings`` maps lower-case macro names to their expansions: the month macros
    (``jan`` → ``"January"``) and every ``@string``, each expanded with the macros defined
    before it, as BibTeX does. Entry values use the final table, so a macro defined after
    its first use still expands; only a macro defined nowhere is reported (B110).
    """

    def __init__(self, text: str, path: str = "<string>", encoding_errors: bool = False,
                 encoding: str = UTF8) -> None:
        self.path = path
        #: The encoding the file was read in and is written back in.
        self.encoding = encoding
        #: Whether some bytes did not decode in :attr:`encoding` (B109; kept as they are).
        self.undecodable = encoding_errors
        self._blocks = scan(text)
        # (block index, offset delta, line delta) of edits whose shift is not applied yet
        self._pending: list[tuple[int, int, int]] = []
        self._crossref_cache: list[Finding] | None = None
        self._lookup_cache: Callable[[str], Entry | None] | None = None
        self._expanded_cache: dict[int, tuple[Entry, list[tuple[str, str]]]] = {}
        # raw value → its expansion, and → the macro names it uses (see _expand_raw)
        self._expansions: dict[str, str] = {}
        self._macro_uses: dict[str, list[str]] = {}
        self._entries = [b for b in self._blocks if isinstance(b, Entry) and b.kind == "entry"]
        self._index: dict[str, int] = {}
        # Lower-cased keys of the entries whose key has capitals (the others are in
        # _index already): half the memory of folding every key on a large file.
        self._folded: dict[str, int] = {}
        for i, block in enumerate(self._blocks):
            if isinstance(block, Entry) and block.kind == "entry":
                self._index.setdefault(block.key, i)
                folded = block.key.lower()
                if folded != block.key:
                    self._folded.setdefault(folded, i)
        self.strings: dict[str, str] = dict(MONTH_MACROS)
        for block in self._blocks:
            if isinstance(block, Entry) and block.kind == "string" and block.fields:
                self.strings[block.key.lower()] = expand(block.fields[0].raw_value, self.strings)
        self._defined = {
            b.key.lower() for b in self._blocks if isinstance(b, Entry) and b.kind == "string"
        }
        for block in self._blocks:
            if isinstance(block, Entry):
                block.macros = self.strings
                self._check_macros(block)
            if encoding_errors:
                _mark_undecodable(block, encoding)

    # -- reading ---------------------------------------------------------------------
    @property
    def blocks(self) -> list[Block]:
        """Every block in file order (positions brought up to date after edits)."""
        self._settle()
        return self._blocks

    @property
    def entries(self) -> list[Entry]:
        """The entry blocks (not macros or preambles), duplicates included, in file order."""
        self._settle()
        return list(self._entries)

    def get(self, key: str) -> Entry | None:
        """The first entry with this key: exact match first, then case-insensitive."""
        i = self._find(key)
        if i is None:
            return None
        self._settle()
        block = self._blocks[i]
        return block if isinstance(block, Entry) else None

    @property
    def findings(self) -> list[Finding]:
        """B1xx findings: syntax and encoding (per block), macros and crossrefs; in file order."""
        out = []
        for block in self.blocks:
            key = block.key if isinstance(block, Entry) and block.kind == "entry" else None
            if block.kind == "broken":
                key = broken_key(block.raw)
            for issue in block.issues:
                line, column = block.locate(issue.offset)
                out.append(
                    Finding(
                        issue.code,
                        issue.severity,
                        issue.message,
                        self.path,
                        line,
                        column,
                        key,
                        issue.excerpt,
                    )
                )
        if self._crossref_cache is None:
            lookup = self._crossref_lookup()
            self._crossref_cache = crossref_findings(self.entries, lookup, self.path,
                                                     self._expanded)
        out.extend(self._crossref_cache)
        out.sort(key=lambda f: (f.line, f.column))
        return out

    def resolved_fields(self, entry: Entry) -> dict[str, str]:
        """The entry's expanded values (lower-case names) with crossref inheritance applied.

        Fields the entry lacks are taken from its ``crossref`` parent, recursively, with
        biblatex's basic rules: for a part of a book or proceedings the parent's ``title``
        becomes ``booktitle`` (likewise ``subtitle``, ``titleaddon``), titles are not
        otherwise inherited, and bookkeeping fields (``crossref``, ``ids``, ...) never are.
        A parent may be named by its key or by one of its ``ids`` aliases. A missing
        parent or a cycle stops the inheritance (see findings B111, B112).
        """
        return resolve(entry, self._crossref_lookup(), self._expanded, self._expand_raw)

    def _expand_raw(self, raw: str) -> str:
        # Values with macros or '#' repeat (journal = j-TUGboat, month = nov): each
        # distinct one is expanded once. The macros do not change after parsing.
        found = self._expansions.get(raw)
        if found is None:
            if len(self._expansions) >= _MEMORY:
                self._expansions.clear()
            found = self._expansions[raw] = expand(raw, self.strings)
        return found

    def _expanded(self, entry: Entry) -> list[tuple[str, str]]:
        # Cached per entry until the next edit: a crossref chain is walked once per
        # descendant, and expanding every ancestor each time made long chains quadratic.
        cached = self._expanded_cache.get(id(entry))
        if cached is None or cached[0] is not entry:
            cached = (entry, expanded_fields(entry))
            self._expanded_cache[id(entry)] = cached
        return cached[1]

    def _crossref_lookup(self) -> Callable[[str], Entry | None]:
        if self._lookup_cache is None:
            self._lookup_cache = with_aliases(self.entries, self.get)
        return self._lookup_cache

    def to_text(self) -> str:
        """The whole text, as decoded (undecodable bytes as lone surrogates)."""
        return "".join(b.raw for b in self._blocks)

    def to_bytes(self) -> bytes:
        """The file's bytes, in its encoding: identical to the input when nothing was edited.

        Raises :class:`UnicodeEncodeError` when an edit brought in a character
        the file's (non-UTF-8) encoding cannot hold.
        """
        return encode(self.to_text(), self.encoding)

    # -- writing ---------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str] | None = None) -> None:
        """Write atomically to ``path`` (default: where the file was loaded from).

        The bytes go to a temporary file in the same directory, are flushed to disk, and
        the temporary file replaces the target in one step, so an interrupted save leaves
        the old file as it was. An existing target keeps its permission bits; a new file
        gets 0o644. A symlink is followed: the file it points to is replaced. Raises
        OSError when the file cannot be written, ValueError when there is no path.
        """
        if path is None and self.path == "<string>":
            raise ValueError("this BibFile was parsed from a string: give save() a path")
        # through a symlink, replace the file it points to and keep the link
        target = Path(os.path.realpath(path if path is not None else self.path))
        atomic_write(target, self.to_bytes())

    def set_field(self, key: str, name: str, value: str) -> None:
        """Set field ``name`` of entry ``key`` to the raw BibTeX ``value`` (with delimiters).

        An existing field keeps everything but its value's bytes; a new field goes on a new
        line after the last field, laid out like the entry's other fields. The entry is the
        one :meth:`get` finds; of duplicate fields the first is set. Raises KeyError for an
        unknown key and ValueError for an invalid name or value (the file is then unchanged).
        """
        entry = self._entry_for(key)
        self._replace(entry, editing.set_field(entry, name, value, self._newline()))

    def remove_field(self, key: str, name: str) -> None:
        """Remove every byte of field ``name`` (its first occurrence) of entry ``key``: its
        line, and a comma if needed. Raises KeyError for an unknown key or a field the
        entry does not have."""
        entry = self._entry_for(key)
        self._replace(entry, editing.remove_field(entry, name))

    def append_entry(self, text: str) -> Entry:
        """Add the entry ``text`` at the end of the file, after a blank line.

        Every byte already in the file stays as it is; the entry is written with the
        file's line ending. Returns the new entry (with its line). Raises ValueError
        when ``text`` is not exactly one well-formed entry.
        """
        nl = self._newline()
        blocks = scan(text.strip())
        entries = [b for b in blocks if isinstance(b, Entry) and b.kind == "entry"]
        if len(entries) != 1 or any(i.severity is Severity.ERROR for i in entries[0].issues) \
                or any(b.kind not in ("entry", "text") or b.raw.strip() for b in blocks
                       if b is not entries[0]):
            raise ValueError("not exactly one well-formed entry")
        current = self.to_text()
        if not current.strip():
            sep = current
        elif current.endswith(nl + nl) or current.endswith("\n\n"):
            sep = current
        elif current.endswith("\n"):
            sep = current + nl
        else:
            sep = current + nl + nl
        self._reset(sep + text.strip().replace("\r\n", "\n").replace("\n", nl) + nl)
        return self.entries[-1]

    def remove_entry(self, key: str) -> None:
        """Remove the entry ``key`` (the one :meth:`get` finds) and the blank line after it.

        Comments, other entries and every other byte stay. Raises KeyError for an
        unknown key.
        """
        entry = self._entry_for(key)
        self._settle()
        text = self.to_text()
        end = entry.end
        for _ in range(2):  # the entry's own line break, then one blank line
            m = re.match(r"[ \t]*\r?\n", text[end:])
            if not m:
                break
            end += m.end()
        start = entry.start
        if end >= len(text):  # the last entry: drop the blank line before it instead
            start = len(text[:start].rstrip("\r\n \t"))
            kept = re.match(r"[ \t]*\r?\n", text[start:]) if start else None
            start += kept.end() if kept else 0
        self._reset(text[:start] + text[end:])

    def _reset(self, text: str) -> None:
        """Read ``text`` afresh as this file's content (after adding or removing an entry)."""
        BibFile.__init__(self, text, self.path, _UNDECODABLE.search(text) is not None,
                         self.encoding)

    def _find(self, key: str) -> int | None:
        """Index of the first entry with ``key``: exact match, else case-insensitive."""
        i = self._index.get(key)
        if i is not None:
            return i
        folded = key.lower()
        found = [j for j in (self._index.get(folded), self._folded.get(folded)) if j is not None]
        return min(found) if found else None

    def _newline(self) -> str:
        """The file's line ending, judged by its first line break."""
        for block in self._blocks:
            i = block.raw.find("\n")
            if i >= 0:
                return "\r\n" if block.raw[i - 1 : i] == "\r" else "\n"
        return "\n"

    def _entry_for(self, key: str) -> Entry:
        i = self._find(key)
        if i is None:
            raise KeyError(key)
        block = self._blocks[i]
        assert isinstance(block, Entry)
        return block

    def _replace(self, entry: Entry, fresh: Entry) -> None:
        index = self._index.get(entry.key, self._find(entry.key))
        assert index is not None and self._blocks[index] is entry
        old_len, old_lines = len(entry.raw), entry.raw.count("\n")
        entry.raw, entry.fields, entry.close = fresh.raw, fresh.fields, fresh.close
        entry.key_end, entry.issues = fresh.key_end, fresh.issues
        for f in entry.fields:
            f.block = entry
        self._check_macros(entry)
        if _UNDECODABLE.search(entry.raw):
            _mark_undecodable(entry, self.encoding)
        entry.end = entry.start + len(entry.raw)
        self._pending.append((index, len(entry.raw) - old_len, entry.raw.count("\n") - old_lines))
        self._expanded_cache.clear()
        self._crossref_cache = None
        self._lookup_cache = None
        # The blocks right after the entry share its last line: their columns move now.
        j = index + 1
        while j < len(self._blocks):
            prev = self._blocks[j - 1]
            self._blocks[j].column = prev.locate(len(prev.raw))[1]
            if "\n" in self._blocks[j].raw:
                break
            j += 1

    def _settle(self) -> None:
        """Apply the pending offset and line shifts of edits to the later blocks."""
        if not self._pending:
            return
        shifts: dict[int, tuple[int, int]] = {}
        for index, doff, dline in self._pending:
            o, ln = shifts.get(index, (0, 0))
            shifts[index] = (o + doff, ln + dline)
        self._pending = []
        doff = dline = 0
        for i in range(min(shifts), len(self._blocks)):
            block = self._blocks[i]
            if doff or dline:
                block.start += doff
                block.end += doff
                block.line += dline
            if i in shifts:
                # the edited block itself only grew at its end
                block.end = block.start + len(block.raw)
                o, ln = shifts[i]
                doff, dline = doff + o, dline + ln

    def _check_macros(self, block: Entry) -> None:
        raw, uses = block.raw, self._macro_uses
        for f in block.fields:
            start, end = f.rel_value_start, f.rel_value_end
            if raw[start] in "{\"" and raw.find("#", start, end) < 0:
                continue  # one braced or quoted part: no macro (as macro_names says)
            value = raw[start:end]
            names = uses.get(value)
            if names is None:
                if len(uses) >= _MEMORY:
                    uses.clear()
                names = uses[value] = macro_names(value)
            for name in names:
                lowered = name.lower()
                if lowered not in self._defined and lowered not in MONTH_MACROS:
                    block.add_issue(
                        Issue(
                            "B110",
                            Severity.WARNING,
                            f"undefined @string macro '{name}'",
                            f.rel_value_start,
                            f.raw_value[:60],
                        )
                    )


def _mark_undecodable(block: Block, encoding: str) -> None:
    name = "UTF-8" if codec_name(encoding) == "utf-8" else encoding
    for m in _UNDECODABLE.finditer(block.raw):
        shown = m.group().encode("utf-8", "surrogateescape").hex(" ")
        block.add_issue(
            Issue(
                "B109",
                Severity.ERROR,
                f"bytes that are not {name} ({shown}): `bibvault validate --fix` re-encodes "
                "the file as UTF-8 (or set `encoding` in bibvault.yaml)",
                m.start(),
                block.raw[m.start() : m.start() + 60].split("\n")[0],
            )
        )


def parse(source: str | bytes, path: str = "<string>", encoding: str = UTF8) -> BibFile:
    """Parse .bib text or bytes. Never raises for bad content: problems become findings.

    Bytes are decoded in ``encoding`` (UTF-8 unless the project says otherwise; a
    UTF-8 byte-order mark wins); bytes that do not decode are kept (surrogate
    escapes) so that writing back gives the same bytes, and each run of them is a
    B109 error. The file is written back in ``encoding``.
    """
    if isinstance(source, bytes):
        text, bad = decode(source, encoding)
        return BibFile(text, path, bad, encoding)
    return BibFile(source, path, _UNDECODABLE.search(source) is not None, encoding)


def load(path: str | os.PathLike[str], encoding: str = UTF8) -> BibFile:
    """Read and parse a .bib file (see :func:`parse`). Raises OSError only when it cannot be read."""
    return parse(read_bytes(path), os.fspath(path), encoding)
