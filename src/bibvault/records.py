"""Records: a typed, decoded view of BibTeX entries.

A :class:`Record` is what every stage after parsing works with: field values
as Unicode text (LaTeX decoded, ``@string`` macros and ``#`` expanded,
``crossref`` inherited), names parsed as BibTeX does, topics, and the date.
The lossless file stays in :mod:`bibvault.bibfile`; records point back to it
by file and line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from pybtex.database import Person

from bibvault.bibfile import BibFile, Entry, parse
from bibvault.bibfile.model import FieldPositions
from bibvault.bibfile.namelist import parse_names
from bibvault.bibfile.tex import to_unicode
from bibvault.edtf import DateError, EDTFDate, date_from_parts, parse_edtf
from bibvault.fsutil import read_bytes
from bibvault.sniff import require_bibtex

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
        raw = self.fields.get("keywords", "")
        return tuple(t.strip() for t in raw.split(",") if t.strip())

    @property
    def date(self) -> EDTFDate | None:
        """The publication date from ``date``, else ``year``/``month``/``day``; None if absent or invalid."""
        try:
            if "date" in self.fields:
                return parse_edtf(self.fields["date"])
            if "year" in self.fields:
                return date_from_parts(self.fields["year"], self.fields.get("month"),
                                       self.fields.get("day"))
        except DateError:
            return None
        return None

    def location(self, name: str | None = None) -> tuple[int, int]:
        """(line, column) of a field, or of the entry when the field is absent."""
        if name and name in self.field_lines:
            return self.field_lines[name]
        return (self.line, 1)


def record_from_entry(bf: BibFile, entry: Entry, *, decoder: Callable[[str], str] = to_unicode,
                      names: bool = True) -> Record:
    """Decode one entry of a parsed file into a :class:`Record` (crossref resolved).

    ``decoder`` turns TeX into text (a :class:`~bibvault.bibfile.tex.DecodeMemo`'s
    ``to_unicode`` when decoding many records); ``names=False`` leaves ``people``
    empty, for a caller that reads no names (validation).
    """
    raw = bf.resolved_fields(entry)
    tex: dict[str, str] = {}
    fields: dict[str, str] = {}
    people: dict[str, tuple[Person, ...]] = {}
    for name, value in raw.items():
        lname = name.lower()
        tex[lname] = value
        if lname in VERBATIM_FIELDS:
            fields[lname] = " ".join(value.replace("{", "").replace("}", "").split()) \
                if lname not in ("url", "archiveurl", "file", "doi") else value.strip()
        else:
            fields[lname] = " ".join(decoder(value).split())
        if names and lname in NAME_FIELDS:
            people[lname] = tuple(parse_names(value))
    source_type = entry.entry_type.lower()
    return Record(
        key=entry.key,
        entry_type=TYPE_ALIASES.get(source_type, source_type),
        source_type=source_type,
        file=bf.path,
        line=entry.line,
        fields=MappingProxyType(fields),
        tex=MappingProxyType(tex),
        people=MappingProxyType(people),
        field_lines=FieldPositions(entry),
    )


def records_from_file(bf: BibFile) -> list[Record]:
    """Every entry of a parsed file as a record, in file order."""
    return [record_from_entry(bf, e) for e in bf.entries if e.key]


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
