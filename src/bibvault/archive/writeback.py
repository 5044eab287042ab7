"""Between records and the archiver: targets from records, updates into ``.bib`` files."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path

from bibvault.archive.archiver import ArchiveOutcome, ArchiveTarget
from bibvault.archive.bagit import find_bag, payload_sha256
from bibvault.bibfile import BibFile
from bibvault.bibfile.editing import ambiguous_keys
from bibvault.bibfile.layout import canonical_keys, relayout
from bibvault.findings import Finding, Severity
from bibvault.records import Record

FIELD_ORDER = ("archiveurl", "archivedate", "archivesha256")


def archive_targets(records: Iterable[Record]) -> list[ArchiveTarget]:
    """One target per record with a URL, carrying its current archive fields."""
    out = []
    for r in records:
        if not r.url:
            continue
        out.append(ArchiveTarget(
            key=r.key, url=r.url, urldate=r.get("urldate"), archiveurl=r.get("archiveurl"),
            archivedate=r.get("archivedate"), archivesha256=r.get("archivesha256"),
            file=r.file, line=r.line,
        ))
    return out


def apply_updates(outcomes: Iterable[ArchiveOutcome], files: Sequence[BibFile]) -> list[BibFile]:
    """Set each outcome's updated fields in its file, in memory; return the files changed.

    Only the value bytes of existing fields change; new fields are added by the
    file's minimal-diff writer, and an entry that was in ``fmt``'s layout is given
    that layout again (so the new fields sit and align where ``fmt`` puts them; the
    changed files returned are then new objects). Nothing else in the file is touched. A record
    whose key is no longer in its file (edited meanwhile), or is there twice,
    is left out.
    """
    by_path = {bf.path: bf for bf in files}
    ambiguous = {bf.path: ambiguous_keys(bf.entries) for bf in files}
    canonical = {bf.path: canonical_keys(bf) for bf in files}
    edited: dict[str, set[str]] = {}
    for o in outcomes:
        bf = by_path.get(o.target.file)
        if bf is None or not o.updates or bf.get(o.target.key) is None:
            continue
        if o.target.key.lower() in ambiguous[bf.path]:
            continue  # a duplicated key: the edit could land in the other entry
        for name in FIELD_ORDER:
            if name in o.updates:
                bf.set_field(o.target.key, name, "{" + _brace_safe(o.updates[name]) + "}")
        edited.setdefault(bf.path, set()).add(o.target.key)
    return [relayout(by_path[path], keys & canonical[path]) for path, keys in edited.items()]


def _brace_safe(value: str) -> str:
    # Values written back are URLs, dates and hashes; a brace in a URL would
    # unbalance the BibTeX value, and percent-encoding keeps the same address.
    return value.replace("{", "%7B").replace("}", "%7D")


def unified_diff(before: bytes, after: bytes, path: str) -> str:
    """A unified diff of a file's text before and after an edit."""
    a = before.decode("utf-8", errors="replace").splitlines(keepends=True)
    b = after.decode("utf-8", errors="replace").splitlines(keepends=True)
    return "".join(difflib.unified_diff(a, b, f"a/{path}", f"b/{path}"))


def verify_records(records: Iterable[Record], root: Path) -> list[Finding]:
    """Records whose ``archivesha256`` has no local copy, or a copy with another checksum."""
    out = []
    for r in records:
        expected = (r.get("archivesha256") or "").lower()
        if not expected:
            continue
        bag = find_bag(root, r.key)
        actual = payload_sha256(bag)
        if actual is None and bag.is_dir():
            # verify_all reports what is wrong with the bag itself (A506)
            out.append(Finding("A504", Severity.ERROR, f"local copy unreadable: {bag} is not a "
                               "bag with one payload file", file=r.file, line=r.line, key=r.key))
        elif actual is None:
            out.append(Finding("A504", Severity.ERROR, f"local copy missing: {bag}",
                               file=r.file, line=r.line, key=r.key))
        elif actual != expected:
            out.append(Finding("A512", Severity.ERROR,
                               f"archivesha256 {expected[:12]}… but the copy in {bag} has "
                               f"{actual[:12]}…", file=r.file, line=r.line, key=r.key))
    return out
