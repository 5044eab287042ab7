"""The validation run: every rule over parsed files, as a list of findings."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from operator import attrgetter
from pathlib import Path

from bibvault.bibfile import BibFile, Entry
from bibvault.bibfile.scanner import gc_paused
from bibvault.collection import load_collection
from bibvault.config import Config
from bibvault.findings import Finding, Fix, select_findings
from bibvault.records import TYPE_ALIASES, FieldText, Record, publication_date
from bibvault.rules import CORE_RULES, finding
from bibvault.validate.across import (
    AliasUse,
    DuplicateIndex,
    alias_use,
    check_aliases,
    topic_findings,
)
from bibvault.validate.fields import Place, RecordChecks, rule_fields


def validate_paths(paths: Iterable[str | Path], config: Config | None = None, *,
                   today: _dt.date | None = None) -> list[Finding]:
    """Parse and validate .bib files; unreadable files raise :class:`OSError`."""
    files = load_collection(paths, config.encoding if config else "utf-8").files
    return validate_files(files, config,
                          today=today)


def validate_files(files: Sequence[BibFile], config: Config | None = None, *,
                   today: _dt.date | None = None, select: Sequence[str] = (),
                   ignore: Sequence[str] = ()) -> list[Finding]:
    """All findings for already parsed files, sorted by file and position.

    One pass over the entries: each is checked and dropped, so that a file of a
    million entries is validated without holding a million records. Only the
    fields some rule reads are decoded (the others are checked as TeX). ``select``
    and ``ignore`` (rule codes or prefixes, as for
    :func:`~bibvault.findings.select_findings`) keep only those findings, and the
    families of rules (B, F, T, D) that cannot give one are not run; with none of
    F, T and D, no entry is decoded.
    """
    families = _families(select, ignore) if select or ignore else FAMILIES
    run = _Run(config, today, FieldText(), families)
    pair = run.checks.text.pair
    with gc_paused():  # what is kept (findings) has no cycles for the collector to find
        for bf in files:
            if "B" in families:
                run.findings.extend(bf.findings)
            if not families & {"F", "T", "D"}:
                continue  # nothing reads the entries: not even decoded
            path = bf.path
            for entry in bf.entries:
                key = entry.key
                if not key:
                    continue
                tex = bf.resolved_fields(entry)
                fields = rule_fields(tex, pair)
                source = entry.entry_type.lower()
                run.record(Place(path, key, entry.line, entry.location),
                           TYPE_ALIASES.get(source, source), fields, tex)
                if "F" in families:
                    _whitespace(path, entry, run.findings)
        findings = run.finish()
    return select_findings(findings, select, ignore) if select or ignore else findings


def validate_records(files: Sequence[BibFile], records_per_file: Sequence[Sequence[Record]],
                     config: Config | None = None, *,
                     today: _dt.date | None = None) -> list[Finding]:
    """All findings for parsed files whose records were already decoded (one list per file,
    as :func:`~bibvault.records.records_from_file` gives them), so a caller that needs the
    records too decodes them once."""
    run = _Run(config, today, FieldText(), FAMILIES)
    for bf, recs in zip(files, records_per_file, strict=True):
        run.findings.extend(bf.findings)
        for rec in recs:
            run.record(Place.of(rec), rec.entry_type, rec.fields, rec.tex)
        for entry in bf.entries:
            _whitespace(bf.path, entry, run.findings)
    return run.finish()


#: The families of rules validation runs: syntax, fields, topics, duplicates.
FAMILIES = frozenset("BFTD")


def _families(select: Sequence[str], ignore: Sequence[str]) -> frozenset[str]:
    """The families with at least one rule that ``select``/``ignore`` let through."""
    # One finding per rule, through the same filter as the findings themselves.
    probes = [Finding(r.code, r.severity, "") for r in CORE_RULES if r.code[:1] in FAMILIES]
    return frozenset(f.code[0] for f in select_findings(probes, select, ignore))


class _Run:
    """One validation run: the rules of ``families`` over records given one at a time."""

    def __init__(self, config: Config | None, today: _dt.date | None, text: FieldText,
                 families: frozenset[str]) -> None:
        self.checks = RecordChecks(today or _dt.date.today(), text)
        self.vocabulary = config.topics if config else {}
        self.families = families
        self.duplicates = DuplicateIndex()
        self.aliases: list[AliasUse] = []
        self.findings: list[Finding] = []

    def record(self, place: Place, entry_type: str, fields: Mapping[str, str],
               tex: Mapping[str, str]) -> None:
        """Check one record (``fields`` and ``tex`` as for ``RecordChecks.check_fields``)."""
        families, out = self.families, self.findings
        date = None
        if "F" in families:
            date = self.checks.check_fields(place, entry_type, fields, tex, out)
        elif "D" in families:
            date = publication_date(fields)
        if "T" in families:
            topic_findings(place, fields.get("keywords", ""), self.vocabulary, out)
        if "D" in families:
            ids = fields.get("ids")
            if ids:
                self.aliases.append(alias_use(place, ids))
            self.duplicates.add(place, fields, date, out)

    def finish(self) -> list[Finding]:
        """Every finding of the run, the alias rule's last, in report order."""
        findings = self.findings
        if self.aliases:
            findings.extend(check_aliases(self.duplicates.first_keys.values(), self.aliases))
        if not _in_order(findings):
            # Sorting makes a key per finding; a file of a million entries gives two
            # million findings that mostly come in order already.
            findings.sort(key=_SORT_KEY)
        return findings


# sort_key, in C: a tenth of the time of a large file was spent making these keys
_SORT_KEY = attrgetter("file", "line", "column", "code")


def _in_order(findings: list[Finding]) -> bool:
    """True when a stable sort by :func:`sort_key` would leave ``findings`` as they are."""
    return all(a <= b for a, b in pairwise(map(_SORT_KEY, findings)))


# where " ".join(inner.split()) would change the value: blanks at either end, two
# together, or one that is not a plain space (\s is str.isspace() in a str pattern)
_LOOSE = re.compile(r"^\s|\s$|\s\s|[^\S ]")


def _whitespace(path: str, entry: Entry, out: list[Finding]) -> None:
    """Append the F212 findings of ``entry``'s fields to ``out``."""
    text = entry.raw
    for f in entry.fields:
        raw = text[f.rel_value_start:f.rel_value_end]
        # What _LOOSE finds, told cheaply for the values without it (most): a blank
        # other than a space is not printable (no str.isspace() character is, but ' ').
        if raw.isprintable() and "  " not in raw and raw[1:2] != " " and raw[-2:-1] != " ":
            continue
        if len(raw) < 2 or raw[0] not in "{\"" or raw[-1] not in "}\"" or "#" in raw:
            continue
        inner = raw[1:-1]
        if "\n" in inner:
            continue  # multi-line values are a layout choice; fmt handles them
        if _LOOSE.search(inner):
            fixed = " ".join(inner.split())
            out.append(finding(
                "F212", f"{f.name}: stray whitespace in value", file=path, line=f.line,
                column=f.column, key=entry.key,
                fix=Fix(entry.key, f.name, raw[0] + fixed + raw[-1],
                        f"{f.name}: whitespace collapsed"),
            ))
