"""``verify --remote``: every record's archived copy, asked for and judged."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import requests

from bibvault.archive.memento import CopyStatus, CopyVerdict, check_copy
from bibvault.archive.rules import RULES
from bibvault.findings import Finding
from bibvault.net import HostGate
from bibvault.records import Record
from bibvault.rules import rules_by_code

#: The finding each status of an archived copy gives (none for ``ok``).
STATUS_RULES: Mapping[CopyStatus, str] = MappingProxyType({
    CopyStatus.MISSING: "A514",
    CopyStatus.WRONG_URL: "A515",
    CopyStatus.BAD_CAPTURE: "A516",
    CopyStatus.DATE_MISMATCH: "A517",
    CopyStatus.UNREACHABLE: "A518",
})
_RULES = rules_by_code(RULES)
#: Statuses that make ``verify --remote`` exit 1.
FAILING = frozenset({CopyStatus.MISSING, CopyStatus.WRONG_URL, CopyStatus.BAD_CAPTURE})


@dataclass(frozen=True)
class RemoteCopy:
    """One record's archived copy and its verdict."""

    key: str
    archiveurl: str
    verdict: CopyVerdict
    file: str = ""
    line: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The JSON object ``verify --remote --format json`` gives for this copy."""
        when = self.verdict.memento_datetime
        return {"key": self.key, "archiveurl": self.archiveurl, "status": self.verdict.status.value,
                "memento_datetime": when.strftime("%Y-%m-%dT%H:%M:%SZ") if when else None,
                "original": self.verdict.original, "detail": self.verdict.detail}

    def finding(self) -> Finding | None:
        """The finding for a copy that is not ``ok``."""
        code = STATUS_RULES.get(self.verdict.status)
        if code is None:
            return None
        return Finding(code, _RULES[code].severity, f"archived copy {self.verdict.status.value}: "
                       f"{self.archiveurl}: {self.verdict.detail}", file=self.file,
                       line=self.line, key=self.key)


def verify_remote(records: Iterable[Record], session: requests.Session, gate: HostGate,
                  deadline: float = 30.0) -> list[RemoteCopy]:
    """Check the ``archiveurl`` of every record that has one, in record order."""
    out = []
    for r in records:
        archiveurl = (r.get("archiveurl") or "").strip()
        if not archiveurl:
            continue
        verdict = check_copy(session, archiveurl, r.url or "", r.get("archivedate"), gate,
                             deadline)
        out.append(RemoteCopy(r.key, archiveurl, verdict, r.file, r.line))
    return out


def copy_counts(copies: Sequence[RemoteCopy]) -> dict[str, int]:
    """How many copies got each status (every status listed)."""
    counts = {s.value: 0 for s in CopyStatus}
    for c in copies:
        counts[c.verdict.status.value] += 1
    return counts
