"""Validation: every rule run over parsed files, as a list of findings.

``validate_paths`` is the whole stage; ``apply_fixes`` performs the safe fixes
that findings carry, through the minimal-diff writer.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from bibvault.bibfile import BibFile, Entry, parse
from bibvault.bibfile.editing import ambiguous_keys
from bibvault.bibfile.encoding import codec_name, to_utf8
from bibvault.bibfile.scanner import gc_paused
from bibvault.bibfile.values import braces_balanced
from bibvault.collection import load_collection
from bibvault.config import Config
from bibvault.findings import Finding, Fix, select_findings, sort_key
from bibvault.records import FieldText, Record, record_from_entry
from bibvault.rules import CORE_RULES, finding
from bibvault.validate.across import (
    AliasOwner,
    AliasUse,
    alias_use,
    check_aliases,
    check_duplicates,
    check_topics,
)
from bibvault.validate.fields import RecordChecks

__all__ = ["validate_paths", "validate_files", "validate_records", "apply_fixes", "AppliedFix",
           "reencode_files"]


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

    Records are decoded one at a time, checked and dropped, so that a file of a
    million entries is validated without holding a million records. ``select`` and
    ``ignore`` (rule codes or prefixes, as for :func:`~bibvault.findings.select_findings`)
    keep only those findings, and the families of rules (B, F, T, D) that cannot give
    one are not run; with none of F, T and D, no record is decoded.
    """
    text = FieldText()
    pairs = ((bf, (record_from_entry(bf, e, text=text, names=False)
                   for e in bf.entries if e.key)) for bf in files)
    families = _families(select, ignore) if select or ignore else FAMILIES
    findings = _validate(pairs, config, today, text, families)
    return select_findings(findings, select, ignore) if select or ignore else findings


def validate_records(files: Sequence[BibFile], records_per_file: Sequence[Sequence[Record]],
                     config: Config | None = None, *,
                     today: _dt.date | None = None) -> list[Finding]:
    """All findings for parsed files whose records were already decoded (one list per file,
    as :func:`~bibvault.records.records_from_file` gives them), so a caller that needs the
    records too decodes them once."""
    return _validate(zip(files, records_per_file, strict=True), config, today, FieldText(),
                     FAMILIES)


#: The families of rules validation runs: syntax, fields, topics, duplicates.
FAMILIES = frozenset("BFTD")


def _families(select: Sequence[str], ignore: Sequence[str]) -> frozenset[str]:
    """The families with at least one rule that ``select``/``ignore`` let through."""
    # One finding per rule, through the same filter as the findings themselves.
    probes = [Finding(r.code, r.severity, "") for r in CORE_RULES if r.code[:1] in FAMILIES]
    return frozenset(f.code[0] for f in select_findings(probes, select, ignore))


def _validate(pairs: Iterable[tuple[BibFile, Iterable[Record]]], config: Config | None,
              today: _dt.date | None, text: FieldText,
              families: frozenset[str]) -> list[Finding]:
    today = today or _dt.date.today()
    checks = RecordChecks(today, text)
    vocabulary = config.topics if config else {}
    findings: list[Finding] = []
    first_keys: dict[str, AliasOwner] = {}
    aliases: list[AliasUse] = []

    def records() -> Iterator[Record]:
        # One record at a time: checked, handed to the duplicate index, dropped;
        # only what the alias rule needs afterwards is kept (the duplicate index
        # of keys serves it too).
        for bf, recs in pairs:
            if "B" in families:
                findings.extend(bf.findings)
            if not families & {"F", "T", "D"}:
                continue  # nothing reads the records: not even decoded
            for rec in recs:
                if "F" in families:
                    findings.extend(checks.check(rec))
                if "T" in families:
                    findings.extend(check_topics((rec,), vocabulary))
                if "D" in families and rec.fields.get("ids"):
                    aliases.append(alias_use(rec))
                yield rec
            if "F" in families:
                findings.extend(_whitespace(bf))

    with gc_paused():  # records are dropped as they go: the collector has nothing to find
        if "D" in families:
            findings.extend(check_duplicates(records(), first_keys))
        else:
            deque(records(), maxlen=0)  # run the checks above, keep nothing
    if aliases:
        findings.extend(check_aliases(first_keys.values(), aliases))
    if not _in_order(findings):
        # Sorting makes a key per finding; a file of a million entries gives two
        # million findings that mostly come in order already.
        findings.sort(key=sort_key)
    return findings


def _in_order(findings: list[Finding]) -> bool:
    """True when a stable sort by :func:`sort_key` would leave ``findings`` as they are."""
    return all(sort_key(a) <= sort_key(b) for a, b in pairwise(findings))


# where " ".join(inner.split()) would change the value: blanks at either end, two
# together, or one that is not a plain space (\s is str.isspace() in a str pattern)
_LOOSE = re.compile(r"^\s|\s$|\s\s|[^\S ]")


# _LOOSE without its anchors, to search a value inside its entry's text
_LOOSE_INSIDE = re.compile(r"\s\s|[^\S ]")


def _whitespace(bf: BibFile) -> Iterator[Finding]:
    for entry in bf.entries:
        text = entry.raw
        for f in entry.fields:
            # Most values pass: tell so without copying them out of the entry's text.
            start, end = f.rel_value_start, f.rel_value_end
            if not (text[start + 1].isspace() or text[end - 2].isspace()
                    or _LOOSE_INSIDE.search(text, start + 1, end - 1)):
                continue
            raw = f.raw_value
            if len(raw) < 2 or raw[0] not in "{\"" or raw[-1] not in "}\"" or "#" in raw:
                continue
            inner = raw[1:-1]
            if "\n" in inner:
                continue  # multi-line values are a layout choice; fmt handles them
            if _LOOSE.search(inner):
                fixed = " ".join(inner.split())
                yield finding(
                    "F212", f"{f.name}: stray whitespace in value", file=bf.path, line=f.line,
                    column=f.column, key=entry.key,
                    fix=Fix(entry.key, f.name, raw[0] + fixed + raw[-1], f"{f.name}: whitespace collapsed"),
                )


@dataclass(frozen=True)
class AppliedFix:
    """A fix that was applied: where, and what changed."""

    file: str
    key: str
    field: str
    old: str | None
    new: str | None
    description: str


def apply_fixes(files: Sequence[BibFile], findings: Iterable[Finding]) -> list[AppliedFix]:
    """Apply the fixes carried by ``findings`` to the parsed files (in memory).

    The caller saves the files that changed. A field is fixed once even when
    several findings carry the same fix.
    """
    by_path = {bf.path: bf for bf in files}
    ambiguous = {bf.path: ambiguous_keys(bf.entries) for bf in files}
    done: set[tuple[str, str, str]] = set()
    applied: list[AppliedFix] = []
    for fnd in findings:
        fix = fnd.fix
        if fix is None or fnd.file not in by_path:
            continue
        ident = (fnd.file, fix.key, fix.field.lower())
        if ident in done:
            continue
        bf = by_path[fnd.file]
        if fix.key.lower() in ambiguous[bf.path]:
            continue  # an edit by key would reach the first entry with it, maybe not this one
        entry: Entry | None = bf.get(fix.key)
        if entry is None:
            continue
        current = entry.field(fix.field)
        old = current.raw_value if current else None
        if fix.value is None:
            bf.remove_field(fix.key, fix.field)
        else:
            value = _same_delimiters(old, fix.value)
            bf.set_field(fix.key, fix.field, value)
        done.add(ident)
        applied.append(AppliedFix(bf.path, fix.key, fix.field, old,
                                  fix.value if fix.value is None else value, fix.description))
    return applied


def reencode_files(files: Sequence[BibFile]) -> tuple[list[BibFile], dict[str, str]]:
    """The files, each read as UTF-8 with bytes that are not UTF-8 (B109) re-encoded.

    Returns the new list (unchanged files as they were) and {path: the encoding
    assumed for the stray bytes} of the re-encoded ones, which the caller saves.
    Files read in another configured encoding are left alone.
    """
    out: list[BibFile] = []
    done: dict[str, str] = {}
    for bf in files:
        fixed = to_utf8(bf.to_bytes()) if bf.undecodable and codec_name(bf.encoding) == "utf-8" \
            else None
        if fixed is None:
            out.append(bf)
            continue
        out.append(parse(fixed[0], bf.path))
        done[bf.path] = fixed[1]
    return out, done


def _same_delimiters(old: str | None, new: str) -> str:
    """``new`` (a braced value) in quotes when the value it replaces was quoted.

    A fix changes what a value says, not how the file writes values: only the
    bytes asked for move.
    """
    if (old is None or len(old) < 2 or old[0] != '"' or old[-1] != '"'
            or len(new) < 2 or new[0] != "{" or new[-1] != "}"):
        return new
    inner = new[1:-1]
    return f'"{inner}"' if braces_balanced(inner) and '"' not in inner else new
