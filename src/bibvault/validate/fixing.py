"""``validate --fix``: the safe fixes that findings carry, applied through the
minimal-diff writer, and files with bytes that are not UTF-8 re-encoded."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bibvault.bibfile import BibFile, Entry, parse
from bibvault.bibfile.editing import ambiguous_keys
from bibvault.bibfile.encoding import codec_name, to_utf8
from bibvault.bibfile.values import braces_balanced
from bibvault.collection import Collection
from bibvault.config import Config
from bibvault.findings import Finding, select_findings
from bibvault.validate.run import validate_files


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


@dataclass(frozen=True)
class FixResult:
    """What :func:`fix_collection` did, and what validation finds afterwards."""

    #: The files as they are now (read again from disk when anything was saved).
    files: list[BibFile]
    #: The findings of the files as they are now.
    findings: list[Finding]
    #: {path: the encoding assumed for its stray bytes} of the files re-encoded as UTF-8.
    recoded: dict[str, str]
    #: The fixes applied, in the order of the findings that carried them.
    applied: list[AppliedFix]


def fix_collection(collection: Collection, findings: Sequence[Finding],
                   config: Config | None = None, *, select: Sequence[str] = (),
                   ignore: Sequence[str] = ()) -> FixResult:
    """Apply the safe fixes to a collection whose ``findings`` (as validated with
    ``select`` and ``ignore``) are given, save the files that changed, and
    validate again.

    Files with bytes that are not UTF-8 (B109) are re-encoded first and
    validated again, so that the fixes apply to what will be saved. Saving is
    atomic; :class:`OSError` when a file cannot be written.
    """
    files, recoded = reencode_files(collection.files)
    for bf in files:
        if bf.path in recoded:
            bf.save()
    found = list(findings)
    if recoded:
        found = select_findings(validate_files(files, config), select, ignore)
    applied = apply_fixes(files, found)
    changed = {a.file for a in applied}
    for bf in files:
        if bf.path in changed:
            bf.save()
    if applied or recoded:
        files = list(collection.reload().files)
        found = select_findings(validate_files(files, config), select, ignore)
    return FixResult(files, found, recoded, applied)
