"""Bringing sources in: candidates from ``add`` and ``import`` become records.

The readers (web pages, DOIs, PDFs, RIS, CSL-JSON, other tools' BibTeX) each turn a
source into a :class:`~bibvault.ingest.candidate.Candidate`. :func:`ingest` is the
one path from candidates to records: a key, the duplicate tiers against the
collection and the batch, topics, the canonical text, validation, and an
append to the right file that leaves every byte already there in place.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bibvault.bibfile import BibFile, parse
from bibvault.collection import load_collection
from bibvault.config import Config
from bibvault.findings import Finding, Severity, shown_path
from bibvault.fsutil import atomic_write
from bibvault.ingest.candidate import Candidate, Creator
from bibvault.ingest.duplicates import Duplicate, DuplicateIndex
from bibvault.ingest.keys import make_key
from bibvault.ingest.topics import map_tags, suggest_topics
from bibvault.ingest.writer import entry_text, target_file
from bibvault.records import records_from_file
from bibvault.rules import finding
from bibvault.validate.across import check_topics
from bibvault.validate.fields import check_record

__all__ = ["Candidate", "Creator", "Duplicate", "IngestResult", "ingest", "results_to_json",
           "collection_files"]


@dataclass
class IngestResult:
    """What became of one source."""

    source: str
    key: str | None
    entry_type: str
    fields: dict[str, str] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    duplicates: list[Duplicate] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    written: bool = False
    file: str | None = None
    line: int = 0
    type_reason: str = ""
    suggested_topics: list[str] = field(default_factory=list)
    text: str = ""

    @property
    def refused(self) -> bool:
        """True when the source was not (or, in a dry run, would not be) written."""
        return any(f.severity is Severity.ERROR for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The ``--format json`` object of one source."""
        return {
            "source": self.source, "key": self.key, "entry_type": self.entry_type,
            "fields": self.fields, "provenance": self.provenance,
            "duplicates": [{"key": d.key, "file": d.file, "line": d.line, "reason": d.reason,
                            "exact": d.exact} for d in self.duplicates],
            "findings": [f.to_dict() for f in self.findings],
            "written": self.written, "file": self.file, "type_reason": self.type_reason,
            "suggested_topics": self.suggested_topics,
        }


def collection_files(config: Config) -> list[Path]:
    """The configured .bib files that exist (a new project may have none yet)."""
    out: list[Path] = []
    for entry in config.records:
        p = config.resolve(entry)
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*.bib") if q.is_file()))
        elif p.is_file():
            out.append(p)
    return out


def ingest(candidates: Sequence[Candidate], config: Config, *, topics: Sequence[str] = (),
           dry_run: bool = False, force: bool = False,
           today: _dt.date | None = None) -> list[IngestResult]:
    """Turn candidates into records written into the collection; one result each.

    ``topics`` are given to every record (the caller checks them against the
    vocabulary). A candidate is refused when reading it found an error, when it
    is an exact duplicate, or when its record has validation errors — unless
    ``force``. Changed files are saved atomically once, at the end; ``dry_run``
    saves nothing. Raises OSError when a file cannot be read or written.
    """
    today = today or _dt.date.today()
    collection = load_collection(collection_files(config), config.encoding)
    files: dict[Path, BibFile] = {Path(bf.path).resolve(): bf for bf in collection.files}
    records = list(collection.records)
    taken = {r.key.casefold() for r in records}
    index = DuplicateIndex.of_records(records)
    changed: set[Path] = set()
    results = [_one(c, config, files, index, taken, changed, topics=topics, dry_run=dry_run,
                    force=force, today=today) for c in candidates]
    for path in sorted(changed):
        atomic_write(path, files[path].to_bytes(), make_dirs=True)
    return results


def _one(cand: Candidate, config: Config, files: dict[Path, BibFile], index: DuplicateIndex,
         taken: set[str], changed: set[Path], *, topics: Sequence[str], dry_run: bool,
         force: bool, today: _dt.date) -> IngestResult:
    result = IngestResult(cand.source, None, cand.entry_type, provenance=dict(cand.provenance),
                          findings=list(cand.findings), type_reason=cand.type_reason)
    result.suggested_topics = suggest_topics(cand, config.topics)
    if cand.refused:
        result.fields = dict(cand.fields)
        return result
    tag_topics, unmapped = map_tags(cand.tags, config.topics, config.ingest.topic_aliases)
    chosen = list(dict.fromkeys([*topics, *tag_topics]))
    result.findings += [finding("N803", f"tag {t!r} is not a topic (add it to "
                                "ingest.topic_aliases)", file=cand.source) for t in unmapped]
    result.duplicates = index.find(cand)
    for d in result.duplicates:
        where = f"{shown_path(d.file)}:{d.line}" if d.line else shown_path(d.file)
        if d.exact:
            result.findings.append(finding(
                "N801", f"{d.reason}: already in the collection as {d.key!r} ({where})",
                file=cand.source, key=d.key, severity=Severity.WARNING if force else None))
        else:
            result.findings.append(finding(
                "N802", f"{d.reason}: may be the same work as {d.key!r} ({where})",
                file=cand.source, key=d.key))
    key = make_key(cand, taken)
    result.key = key
    if cand.original_key and cand.original_key != key and cand.original_key.casefold() not in taken:
        # the imported key joins the aliases the entry may already carry
        aliases = [a.strip() for a in cand.fields.get("ids", "").split(",") if a.strip()]
        if cand.original_key not in aliases:
            aliases.insert(0, cand.original_key)
        cand = dataclasses.replace(cand, fields={**cand.fields, "ids": ", ".join(aliases)})
    if cand.sha256 and "sourcesha256" not in cand.fields:
        # the PDF's own bytes, so that the same file is known again in a later run
        cand = dataclasses.replace(cand, fields={**cand.fields, "sourcesha256": cand.sha256})
    text = entry_text(cand, key, chosen)
    target = target_file(cand, config).resolve()
    result.file = str(target)
    result.text = text
    probe = parse(text, path=str(target))
    record = records_from_file(probe)[0]
    result.fields = dict(record.fields)
    problems = [*probe.findings, *check_record(record, today=today),
                *check_topics([record], config.topics)]
    if any(p.severity is Severity.ERROR for p in problems):
        result.findings.append(finding("N804", "the new record has validation errors",
                                       file=str(target), key=key,
                                       severity=Severity.WARNING if force else None))
    taken.add(key.casefold())
    blocked = any(f.severity is Severity.ERROR for f in result.findings)
    line = 0
    if not blocked and not dry_run:
        bf = files.get(target)
        if bf is None:
            bf = files[target] = parse(b"", path=str(target))
        line = bf.append_entry(text).line
        changed.add(target)
        result.written = True
        result.line = line
    result.findings += [_shifted(p, line) for p in problems]
    if not blocked:
        index.add(cand, key, str(target), line)
    return result


def _shifted(f: Finding, line: int) -> Finding:
    """A finding about the standalone entry, moved to where the entry now stands."""
    if line and f.line:
        return dataclasses.replace(f, line=f.line + line - 1)
    return f


def results_to_json(results: Sequence[IngestResult]) -> str:
    """The results as the JSON list ``--format json`` prints."""
    return json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2)
