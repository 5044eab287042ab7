"""The collection a command works on: its .bib files, their records, what reading them found.

Every command that reads records starts from one :class:`Collection`, loaded by
:func:`load_collection` and passed to each stage, so that files are read once
and the errors met while reading them (entries that are missing or incomplete
in the records) travel with the records rather than being looked up again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from bibvault.bibfile import BibFile
from bibvault.findings import Finding, Severity
from bibvault.records import Record, load_bibtex, record_from_entry, records_from_file

#: Told what is being read (``"reading refs.bib, 2.1 MB"``), for a progress line.
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Collection:
    """Parsed .bib files (in the order given) and the records decoded from them.

    Records are decoded on first use: validation and formatting need only the
    files, and decode entries one at a time themselves.
    """

    files: tuple[BibFile, ...]
    encoding: str = "utf-8"

    @cached_property
    def records(self) -> tuple[Record, ...]:
        """Every keyed entry of every file as a record, in file order."""
        return tuple(r for bf in self.files for r in records_from_file(bf))

    def records_with_keys(self, keys: Iterable[str]) -> list[Record]:
        """The records whose key is in ``keys`` (every record when ``keys`` is empty).

        Only those entries are decoded: a command about one record costs one record.
        """
        wanted = set(keys)
        if not wanted:
            return list(self.records)
        return [record_from_entry(bf, e) for bf in self.files for e in bf.entries
                if e.key and e.key in wanted]

    @property
    def findings(self) -> list[Finding]:
        """What reading the files found (B1xx syntax and encoding findings), file by file."""
        return [f for bf in self.files for f in bf.findings]

    @property
    def read_errors(self) -> list[Finding]:
        """The errors among :attr:`findings`: the entries they hit are missing or incomplete."""
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def entry_count(self) -> int:
        """How many entries the files hold (keyed or not, duplicates included)."""
        return sum(len(bf.entries) for bf in self.files)

    @property
    def paths(self) -> list[str]:
        """The files' paths, in order."""
        return [bf.path for bf in self.files]

    def reload(self) -> Collection:
        """The same files read again from disk, as they are now.

        A long run (a link check, archiving) writes into the files as reloaded,
        so that edits made meanwhile are kept.
        """
        return load_collection(self.paths, self.encoding)


def load_collection(paths: Iterable[str | Path], encoding: str = "utf-8", *,
                    progress: Progress | None = None) -> Collection:
    """Read and parse the .bib files at ``paths`` (text in ``encoding``).

    ``progress`` is told which file is being read. A file that is positively
    not BibTeX raises :class:`bibvault.sniff.WrongFormatError`, an unreadable
    one :class:`OSError`; syntax errors never raise (they are in
    :attr:`Collection.findings`).
    """
    files = []
    for path in paths:
        if progress is not None:
            progress(f"reading {path}{_size(path)}")
        files.append(load_bibtex(path, encoding))
    return Collection(tuple(files), encoding)


def _size(path: str | Path) -> str:
    try:
        size = os.path.getsize(path)
    except OSError:
        return ""  # reading it will say what is wrong
    return f", {size / 1e6:.1f} MB" if size >= 1e6 else ""
