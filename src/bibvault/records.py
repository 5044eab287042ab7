"""Records: a typed, decoded view of BibTeX entries.

A :class:`Record` is what every stage after parsing works with: field values
as Unicode text (LaTeX decoded, ``@string`` macros and ``#`` expanded,
``crossref`` inherited), names parsed as BibTeX does, topics, and the date.
The lossless file stays in :mod:`bibvault.bibfile`; records point back to it
by file and line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from bibvault.bibfile import BibFile, Entry, parse
from bibvault.bibfile.model import FieldPositions
from bibvault.bibfile.tex import decode, unknown_commands
from bibvault.edtf import DateError, EDTFDate, date_from_parts, parse_edtf
from bibvault.fsutil import read_bytes
from bibvault.sniff import require_bibtex

if TYPE_CHECKING:
    from pybtex.database import Person

#: BibTeX entry types and the biblatex type they stand for.
TYPE_ALIASES: Mapping[str, str] = MappingProxyType({
    "techreport": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "conference": "inproceedings",
    "electronic": "online",
    "www": "online",
    "movie": "video",
})

#: Fields that hold names.
NAME_FIELDS = frozenset({
    "author", "editor", "translator", "bookauthor", "editora", "editorb", "editorc",
    "annotator", "commentator", "introduction", "foreword", "afterword", "holder",
})

#: Fields whose value is taken verbatim (not LaTeX-decoded).
VERBATIM_FIELDS = frozenset({"url", "doi", "eprint", "file", "archiveurl", "urldate",
                             "date", "archivedate", "archivesha256", "urlstatus", "keywords"})


#: Verbatim fields whose value is only trimmed (inner blanks and braces kept).
TRIMMED_FIELDS = frozenset({"url", "archiveurl", "file", "doi"})


class FieldText:
    """Field values as Unicode text, remembered: values repeat (journals, months,
    publishers), so each distinct one is decoded once, and every record holding it
    shares one string for its TeX and one for its text (the same one when decoding
    changes nothing).

    Verbatim fields (:data:`VERBATIM_FIELDS`) are not decoded: their braces go and
    their blanks are collapsed, or, for URLs, DOIs and files, they are only trimmed.
    Holds at most ``limit`` values of each kind, then starts afresh, so that a file
    of a million distinct titles does not keep them all. One per run, not shared.
    """

    __slots__ = ("_decoded", "_trimmed", "_unbraced", "_unknown", "limit")

    def __init__(self, limit: int = 50_000) -> None:
        self._decoded: dict[str, tuple[str, str]] = {}
        self._trimmed: dict[str, tuple[str, str]] = {}
        self._unbraced: dict[str, tuple[str, str]] = {}
        # the commands decoding did not know, for the values that have any
        self._unknown: dict[str, tuple[str, ...]] = {}
        self.limit = limit

    def pair(self, name: str, tex: str) -> tuple[str, str]:
        """(TeX, text) of the value ``tex`` of field ``name`` (lower case), the TeX
        being an equal string seen before when there was one."""
        if name in VERBATIM_FIELDS:
            seen = self._trimmed if name in TRIMMED_FIELDS else self._unbraced
        else:
            seen = self._decoded
        found = seen.get(tex)
        if found is not None:
            return found
        if len(seen) >= self.limit:
            seen.clear()
            if seen is self._decoded:
                self._unknown.clear()
        if seen is self._trimmed:
            text = tex.strip()
        elif seen is self._unbraced:
            text = " ".join(tex.replace("{", "").replace("}", "").split())
        else:
            decoded = decode(tex)
            text = " ".join(decoded.text.split())
            if decoded.unknown:
                self._unknown[tex] = decoded.unknown
        found = seen[tex] = (tex, tex if text == tex else text)
        return found

    def unknown(self, tex: str) -> tuple[str, ...]:
        """The TeX commands in ``tex`` that decoding did not know, in order."""
        if tex in self._decoded:
            return self._unknown.get(tex, ())
        return unknown_commands(tex)


class People(Mapping[str, tuple["Person", ...]]):
    """A record's name fields as people, parsed when asked for and not kept: most
    records are validated or rendered once, and the parsed names of a large
    collection held at once were a third of its records' memory."""

    __slots__ = ("_tex",)

    def __init__(self, tex: Mapping[str, str]) -> None:
        self._tex = tex

    def __getitem__(self, role: str) -> tuple[Person, ...]:
        if role not in NAME_FIELDS or role not in self._tex:
            raise KeyError(role)
        # Imported here, when a name is first read: pybtex, which the name parser
        # builds on, was a fifth of the start-up of every command, and validation
        # reads no names.
        from bibvault.bibfile.namelist import parse_names

        return tuple(parse_names(self._tex[role]))

    def __iter__(self) -> Iterator[str]:
        return (name for name in self._tex if name in NAME_FIELDS)

    def __len__(self) -> int:
        return sum(1 for name in self._tex if name in NAME_FIELDS)


_NO_PEOPLE: Mapping[str, tuple[Person, ...]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Record:
    """One bibliography record, decoded."""

    key: str
    entry_type: str
    source_type: str
    file: str
    line: int
    fields: Mapping[str, str]
    tex: Mapping[str, str]
    people: Mapping[str, tuple[Person, ...]] = field(default_factory=dict, compare=False)
    field_lines: Mapping[str, tuple[int, int]] = field(default_factory=dict, compare=False)

    def get(self, name: str, default: str | None = None) -> str | None:
        """The Unicode value of a field (lower-case name), or ``default``."""
        return self.fields.get(name, default)

    def names(self, role: str = "author") -> list[Person]:
        """The people in a name field such as ``author`` or ``editor``."""
        return list(self.people.get(role, ()))

    @property
    def title(self) -> str:
        """The title, or an empty string."""
        return self.fields.get("title", "")

    @property
    def url(self) -> str | None:
        """The record's ``url``, if any."""
        return self.fields.get("url") or None

    @property
    def topics(self) -> tuple[str, ...]:
        """Topic identifiers from ``keywords`` (comma separated, trimmed, in order)."""
        return topic_list(self.fields.get("keywords", ""))

    @property
    def date(self) -> EDTFDate | None:
        """The publication date from ``date``, else ``year``/``month``/``day``; None if absent or invalid."""
        return publication_date(self.fields)

    def location(self, name: str | None = None) -> tuple[int, int]:
        """(line, column) of a field, or of the entry when the field is absent."""
        if name and name in self.field_lines:
            return self.field_lines[name]
        return (self.line, 1)


def topic_list(keywords: str) -> tuple[str, ...]:
    """Topic identifiers from a decoded ``keywords`` value (comma separated, trimmed, in order)."""
    return tuple(t.strip() for t in keywords.split(",") if t.strip())


def publication_date(fields: Mapping[str, str]) -> EDTFDate | None:
    """The publication date of decoded fields: ``date``, else ``year``/``month``/``day``;
    None if absent or invalid."""
    try:
        if "date" in fields:
            return parse_edtf(fields["date"])
        if "year" in fields:
            return date_from_parts(fields["year"], fields.get("month"), fields.get("day"))
    except DateError:
        return None
    return None


def record_from_entry(bf: BibFile, entry: Entry, *, text: FieldText | None = None,
                      names: bool = True) -> Record:
    """Decode one entry of a parsed file into a :class:`Record` (crossref resolved).

    ``text`` turns field values into Unicode text, remembering them: pass one
    :class:`FieldText` when decoding many records, so that values that repeat are
    decoded once and held once. ``names=False`` leaves ``people`` empty, for a
    caller that reads no names (validation); otherwise names are parsed from the
    TeX when asked for.
    """
    raw = bf.resolved_fields(entry)
    pair = (text or FieldText()).pair
    tex: dict[str, str] = {}
    fields: dict[str, str] = {}
    for name, value in raw.items():
        found = pair(name, value)
        tex[name] = found[0]
        fields[name] = found[1]
    source_type = entry.entry_type.lower()
    frozen_tex = MappingProxyType(tex)
    return Record(
        key=entry.key,
        entry_type=TYPE_ALIASES.get(source_type, source_type),
        source_type=source_type,
        file=bf.path,
        line=entry.line,
        fields=MappingProxyType(fields),
        tex=frozen_tex,
        people=People(frozen_tex) if names else _NO_PEOPLE,
        field_lines=FieldPositions(entry),
    )


def records_from_file(bf: BibFile, text: FieldText | None = None) -> list[Record]:
    """Every entry of a parsed file as a record, in file order (``text`` as for
    :func:`record_from_entry`; one for the file when not given)."""
    text = text or FieldText()
    return [record_from_entry(bf, e, text=text) for e in bf.entries if e.key]


def load_bibtex(path: str | Path, encoding: str = "utf-8") -> BibFile:
    """Read and parse one .bib file, the one way every command reads records.

    A file that is positively something else (RIS, JSON, XML, PDF, binary data)
    raises :class:`bibvault.sniff.WrongFormatError` instead of being read as a
    file without entries; :class:`OSError` when it cannot be read. The text is
    decoded in ``encoding`` (the project's ``encoding`` setting).
    """
    data = read_bytes(path)
    require_bibtex(path, data)
    return parse(data, str(path), encoding)
