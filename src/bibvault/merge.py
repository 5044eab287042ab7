"""Merging two records of one work: ``bibvault merge KEEP DROP``.

KEEP gains every field it lacks from DROP (the raw TeX, byte for byte), the
union of both records' topics, and DROP's key (and DROP's own aliases) in its
``ids`` field, biblatex's list of key aliases, so that a paper citing either
key still compiles. DROP is then removed. Fields both records have with
different values are conflicts: reported, never decided. Every edit goes
through :mod:`bibvault.bibfile`, so the rest of both files stays as it was.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bibvault.bibfile import BibFile, Entry
from bibvault.bibfile.values import month_number
from bibvault.collection import load_collection
from bibvault.errors import StageError
from bibvault.fsutil import atomic_write
from bibvault.records import Record, record_from_entry

#: Field names that mean the same (BibTeX's and biblatex's spelling).
ALIASES = {"journal": "journaltitle", "address": "location", "school": "institution",
           "annote": "annotation"}
_DATE_PARTS = ("date", "year", "month", "day")


class MergeError(StageError, ValueError):
    """The merge cannot be done (a key not found, the same record twice)."""


@dataclass(frozen=True)
class Conflict:
    """A field both records have, with different values (decoded for reading)."""

    field: str
    keep: str
    drop: str


@dataclass
class MergeResult:
    """What the merge did (or, in a dry run, would do)."""

    keep: str
    drop: str
    keep_file: str
    drop_file: str
    filled: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    ids: str = ""
    relinked: list[str] = field(default_factory=list)
    diff: str = ""
    written: bool = False


def merge_records(paths: Sequence[Path], keep: str, drop: str, *,
                  dry_run: bool = False, encoding: str = "utf-8") -> MergeResult:
    """Merge record ``drop`` into record ``keep``, both looked up in the .bib files ``paths``
    (read in ``encoding``).

    Raises :class:`MergeError` when a key is missing or both keys are one record,
    :class:`OSError` when a file cannot be read or written.
    """
    files = dict(zip(paths, load_collection(paths, encoding).files, strict=True))
    keep_bf, keep_entry = _find(files, keep)
    drop_bf, drop_entry = _find(files, drop)
    if keep_entry is drop_entry:
        raise MergeError(f"{keep} and {drop} are the same record")
    before = {bf.path: bf.to_text() for bf in files.values()}
    children = _children(files, drop_entry.key)
    elsewhere = [f"{e.key} ({bf.path})" for bf, e, _ in children if bf is not keep_bf]
    if elsewhere:
        # BibTeX looks for a crossref target in the same file only.
        raise MergeError(f"{', '.join(elsewhere)} inherit from {drop_entry.key} and are not in "
                         f"{keep_bf.path}, where {keep_entry.key} is; move them there first")
    keep_rec = record_from_entry(keep_bf, keep_entry)
    drop_rec = record_from_entry(drop_bf, drop_entry)
    result = MergeResult(keep_entry.key, drop_entry.key, keep_bf.path, drop_bf.path)
    if keep_rec.entry_type != drop_rec.entry_type:
        result.conflicts.append(Conflict("entry type", keep_rec.entry_type, drop_rec.entry_type))
    _fill(keep_bf, keep_entry, drop_bf, drop_entry, keep_rec, drop_rec, result)
    _topics(keep_bf, keep_rec, drop_rec, result)
    result.ids = _aliases(keep_rec, drop_rec)
    keep_bf.set_field(keep_entry.key, "ids", "{" + result.ids + "}")
    drop_bf.remove_entry(drop_entry.key)
    for bf, entry, name in children:
        bf.set_field(entry.key, name, "{" + keep_entry.key + "}")
        result.relinked.append(f"{entry.key} ({name})")
    changed = [bf for bf in files.values() if bf.to_text() != before[bf.path]]
    result.diff = "".join(
        "".join(difflib.unified_diff(before[bf.path].splitlines(keepends=True),
                                     bf.to_text().splitlines(keepends=True),
                                     fromfile=bf.path, tofile=bf.path))
        for bf in changed)
    if not dry_run:
        for bf in changed:
            atomic_write(Path(bf.path), bf.to_bytes())
        result.written = True
    return result


def _children(files: dict[Path, BibFile], drop: str) -> list[tuple[BibFile, Entry, str]]:
    """(file, entry, field) of every entry that inherits from ``drop`` (crossref, xref)."""
    out = []
    for bf in files.values():
        for entry in bf.entries:
            for name in ("crossref", "xref"):
                target = entry.value(name)
                if target is not None and target.strip().casefold() == drop.casefold():
                    out.append((bf, entry, name))
    return out


def _find(files: dict[Path, BibFile], key: str) -> tuple[BibFile, Entry]:
    for bf in files.values():
        entry = bf.get(key)
        if entry is not None:
            return bf, entry
    raise MergeError(f"no record with key {key}")


def _fill(keep_bf: BibFile, keep_entry: Entry, drop_bf: BibFile, drop_entry: Entry,
          keep_rec: Record, drop_rec: Record, result: MergeResult) -> None:
    keep_names = {ALIASES.get(n, n) for n in keep_rec.fields}
    has_date = any(n in keep_rec.fields for n in _DATE_PARTS)
    for fld in drop_entry.fields:
        name = fld.name.lower()
        canonical = ALIASES.get(name, name)
        if name in ("ids", "keywords"):
            continue
        if name in _DATE_PARTS and has_date:
            if name in ("date", "year"):
                _compare_dates(keep_rec, drop_rec, result)
            continue
        if canonical not in keep_names:
            # Written under biblatex's name (journal -> journaltitle), as fmt and the
            # biblatex export spell it.
            keep_bf.set_field(keep_entry.key, canonical, _portable(fld.raw_value, drop_entry,
                                                                   fld.name, keep_bf is drop_bf))
            keep_names.add(canonical)
            result.filled.append(canonical)
            continue
        mine = keep_rec.fields.get(name) or keep_rec.fields.get(
            next((a for a, c in ALIASES.items() if c == canonical and a in keep_rec.fields),
                 canonical), "")
        theirs = drop_rec.fields.get(name, "")
        if _same(mine, theirs):
            continue
        result.conflicts.append(Conflict(name, mine, theirs))


def _compare_dates(keep_rec: Record, drop_rec: Record, result: MergeResult) -> None:
    mine = keep_rec.date.iso() if keep_rec.date else ""
    theirs = drop_rec.date.iso() if drop_rec.date else ""
    # The same day at a coarser precision (2022-08 for 2022-08-28) is no conflict.
    if theirs and not mine.startswith(theirs) and not any(
            c.field == "date" for c in result.conflicts):
        result.conflicts.append(Conflict("date", mine, theirs))


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _portable(raw: str, entry: Entry, name: str, same_file: bool) -> str:
    """The raw value to write into KEEP's file: as written, unless it names @string macros
    that KEEP's file may not define (then the expanded value, braced)."""
    text = raw.strip()
    if same_file or text.startswith(("{", '"')) or text.isdigit() or month_number(text):
        return raw
    return "{" + (entry.value(name) or "") + "}"


def _topics(keep_bf: BibFile, keep_rec: Record, drop_rec: Record, result: MergeResult) -> None:
    merged = list(dict.fromkeys([*keep_rec.topics, *drop_rec.topics]))
    if merged != list(keep_rec.topics):
        keep_bf.set_field(keep_rec.key, "keywords", "{" + ", ".join(merged) + "}")
        result.filled.append("keywords")


def _aliases(keep_rec: Record, drop_rec: Record) -> str:
    def split(value: str) -> list[str]:
        return [k.strip() for k in value.split(",") if k.strip()]
    found = [*split(keep_rec.fields.get("ids", "")), drop_rec.key,
             *split(drop_rec.fields.get("ids", ""))]
    return ", ".join(k for k in dict.fromkeys(found) if k.casefold() != keep_rec.key.casefold())
