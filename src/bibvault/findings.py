"""Findings: what a check found, as plain values with stable rule codes."""

from __future__ import annotations

import enum
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from bibvault.fsutil import utf8


class Severity(enum.StrEnum):
    """How serious a finding is. Only errors make a command exit 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Fix:
    """A safe, mechanical repair: set ``field`` of entry ``key`` to ``value`` (raw BibTeX).

    ``value`` of ``None`` removes the field.
    """

    key: str
    field: str
    value: str | None
    description: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check found, located in a file.

    ``line`` and ``column`` are 1-based; 0 means "unknown" (for example a
    finding about a whole file).
    """

    code: str
    severity: Severity
    message: str
    file: str = ""
    line: int = 0
    column: int = 0
    key: str | None = None
    excerpt: str | None = None
    fix: Fix | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the ``--format json`` shape)."""
        d = asdict(self)
        d["severity"] = self.severity.value
        if self.fix is None:
            d.pop("fix")
        return d

    def format_text(self) -> str:
        """``path:line:col: CODE message [key]``, the one-line report form.

        Unknown parts of the location are left out (``path:line:`` without a
        column, ``path:`` for a whole file, nothing for a finding about no file),
        so that no report points at a line or column 0. A path below the working
        directory is shown relative to it.
        """
        return self._text(_shown_path(self.file) if self.file else "")

    def _text(self, shown: str) -> str:
        """:meth:`format_text` with the file's path as reports show it given."""
        loc = ""
        if shown:
            loc = shown
            if self.line:
                loc += f":{self.line}"
                if self.column:
                    loc += f":{self.column}"
            loc += ": "
        text = f"{loc}{self.code} {self.message}"
        if self.key:
            text += f" [{self.key}]"
        # A key or excerpt may hold bytes that are not UTF-8 (lone surrogates): U+FFFD.
        return text if text.isascii() else utf8(text).decode("utf-8")


def format_texts(findings: Iterable[Finding]) -> Iterator[str]:
    """:meth:`Finding.format_text` of each finding, each file's shown path worked out once
    (a report of a million findings asked for the working directory a million times)."""
    cwd = os.getcwd()
    shown: dict[str, str] = {}
    for f in findings:
        path = f.file
        if not path:
            yield f._text("")
            continue
        name = shown.get(path)
        if name is None:
            name = shown[path] = _shown_path(path, cwd)
        yield f._text(name)


def select_findings(
    findings: Iterable[Finding],
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> list[Finding]:
    """Keep findings whose code starts with a ``select`` prefix and none of the ``ignore`` ones.

    An empty ``select`` selects everything. Prefixes compare case-insensitively.
    """
    sel = tuple(s.upper() for s in select if s)
    ign = tuple(s.upper() for s in ignore if s)
    out = []
    for f in findings:
        code = f.code.upper()
        if sel and not code.startswith(sel):
            continue
        if ign and code.startswith(ign):
            continue
        out.append(f)
    return out


def has_errors(findings: Iterable[Finding]) -> bool:
    """True when any finding is an error."""
    return any(f.severity is Severity.ERROR for f in findings)


def sort_key(f: Finding) -> tuple[str, int, int, str]:
    """Report order: by file, then position, then code."""
    return (f.file, f.line, f.column, f.code)


def shown_path(path: str) -> str:
    """``path`` as reports show it: relative to the working directory when below it."""
    return _shown_path(path)


def _shown_path(path: str, cwd: str | None = None) -> str:
    if not os.path.isabs(path):
        return path
    return _below(path, os.getcwd() if cwd is None else cwd)


@lru_cache(maxsize=64)
def _below(path: str, cwd: str) -> str:
    # Once per file and directory: a report of a million findings named one file
    # a million times, and relpath was a tenth of the run.
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel
