"""The ``archive`` and ``verify`` stages over a collection.

:func:`archive_collection` finds or requests Web Archive captures for records
and writes ``archiveurl``/``archivedate`` (and local copies' checksums) into
the files; :func:`verify_collection` checks the local copies, and with a
session the archived copies too. Each returns a report value that the command
hands to a reporter.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bibvault.archive.archiver import ArchiveRun, ArchiveTarget, archive_records
from bibvault.archive.bagit import verify_all
from bibvault.archive.credentials import Credentials
from bibvault.archive.memento import CopyStatus
from bibvault.archive.remote import RemoteCopy, copy_counts, verify_remote
from bibvault.archive.writeback import apply_updates, archive_targets, unified_diff, verify_records
from bibvault.bibfile import BibFile
from bibvault.collection import Collection
from bibvault.config import Config
from bibvault.errors import StageError
from bibvault.findings import Finding, Severity
from bibvault.links.history import History
from bibvault.net import HostGate, NoNetwork
from bibvault.records import Record

#: ``progress(done, total, target)``, called before each record is archived.
ArchiveProgress = Callable[[int, int, ArchiveTarget], None]


class ArchiveRunError(StageError):
    """An ``archive`` or ``verify`` that could not run (no network, an unusable link
    history or local archive directory); no file was changed."""


@dataclass(frozen=True)
class ArchiveReport:
    """What one ``archive`` run found and did."""

    run: ArchiveRun
    #: A unified diff per changed file (made, or only proposed in a dry run).
    diffs: tuple[str, ...]
    dry_run: bool
    #: The archive's address, for the capture URLs of the JSON report.
    wayback_url: str
    #: Errors met reading the files: the entries they hit were not archived.
    read_errors: tuple[Finding, ...] = ()

    @property
    def changed(self) -> int:
        """How many records got new fields (or would, in a dry run)."""
        return sum(1 for o in self.run.outcomes if o.updates)

    @property
    def failed(self) -> bool:
        """Whether a record could not be archived (a finding above a note), or entries
        could not be read."""
        return any(f.severity is not Severity.INFO for f in self.run.findings) \
            or bool(self.read_errors)

    def to_json(self) -> dict[str, Any]:
        """The object ``archive --format json`` prints."""
        return {
            "records": [{"key": o.target.key, "url": o.target.url,
                         "capture": o.capture.url(self.wayback_url) if o.capture else None,
                         "saved": o.saved, "updates": o.updates, "note": o.note,
                         "local": str(o.bag.path) if o.bag else None}
                        for o in self.run.outcomes],
            "findings": [f.to_dict() for f in self.run.findings],
            "saves": self.run.saves, "lookup_only": self.run.lookup_only,
            "dry_run": self.dry_run,
        }

    def summary(self) -> str:
        """``N records with a URL: changed 2, 1 capture requested``."""
        saves = self.run.saves
        verb = "would change" if self.dry_run else "changed"
        return (f"{len(self.run.outcomes)} records with a URL: {verb} {self.changed}, "
                f"{saves} capture{'s' * (saves != 1)} requested"
                + (" (lookup only: no credentials)" if self.run.lookup_only else ""))


def archive_collection(collection: Collection, records: Sequence[Record],
                       session: requests.Session, config: Config,
                       credentials: Credentials | None, *, local: bool = False,
                       dry_run: bool = False, refresh: bool = False,
                       progress: ArchiveProgress | None = None) -> ArchiveReport:
    """Find or request a Web Archive capture of each of ``records`` (chosen from
    ``collection``) and write ``archiveurl``/``archivedate`` into the files.

    Captures are requested only with ``credentials``. With ``local`` a copy of
    each source is also kept as a BagIt bag under ``archive.local_dir``.
    ``dry_run`` looks up only and changes no file. The files are written as they
    are after the run, so that edits made meanwhile are kept. Raises
    :class:`ArchiveRunError` when the run cannot start or nothing could be reached.
    """
    local_root = config.resolve(config.archive.local_dir) if local else None
    if local_root is not None and local_root.exists() and not local_root.is_dir():
        raise ArchiveRunError(f"{local_root}: archive.local_dir is not a directory")
    gate = HostGate(config.check.per_host, config.check.host_delay, config.check.concurrency)
    try:
        # Captures' fingerprints go into the link history; a dry run writes nothing.
        history = None if dry_run else History(config.resolve(config.check.database))
    except (sqlite3.Error, OSError) as exc:
        raise ArchiveRunError(f"link history {config.check.database}: {exc}") from exc
    try:
        run = archive_records(
            archive_targets(records), session, config.archive, credentials,
            local_root=local_root, gate=gate, dry_run=dry_run, refresh=refresh,
            progress=progress, history=history,
            canary=config.check.canary_url or config.archive.wayback_url)
    except NoNetwork as exc:
        raise ArchiveRunError(f"{exc}; no file was changed") from exc
    finally:
        if history is not None:
            history.close()
    touched: list[BibFile] = []
    diffs: list[str] = []
    if any(o.updates for o in run.outcomes):
        files = collection.reload().files
        before = {bf.path: bf.to_bytes() for bf in files}
        touched = apply_updates(run.outcomes, files)
        diffs = [unified_diff(before[bf.path], bf.to_bytes(), bf.path) for bf in touched]
    if not dry_run:
        for bf in touched:
            bf.save()
    return ArchiveReport(run, tuple(diffs), dry_run, config.archive.wayback_url,
                         tuple(collection.read_errors))


@dataclass(frozen=True)
class VerifyReport:
    """What ``verify`` found: the local copies' findings, and the archived copies'
    verdicts when they were asked for."""

    root: Path
    findings: tuple[Finding, ...]
    #: One per record with an ``archiveurl``; ``None`` when the archive was not asked.
    copies: tuple[RemoteCopy, ...] | None = None

    @property
    def problems(self) -> list[Finding]:
        """The findings above a note."""
        return [f for f in self.findings if f.severity is not Severity.INFO]

    @property
    def failed(self) -> bool:
        """Whether a copy is missing, changed or wrong (an error finding)."""
        return any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def unreachable(self) -> bool:
        """Whether the archive could not be asked about some copy (no verdict)."""
        return any(c.verdict.status is CopyStatus.UNREACHABLE for c in self.copies or ())

    def to_json(self) -> Any:
        """The findings (a list); with the archived copies, an object holding both."""
        findings = [f.to_dict() for f in self.findings]
        if self.copies is None:
            return findings
        return {"copies": [c.to_dict() for c in self.copies], "findings": findings}

    def summary(self) -> str:
        """``N problems in DIR`` and, with the archive asked, the copies' verdicts."""
        n = len(self.problems)
        counts = "" if self.copies is None else \
            "; archived copies: " + (", ".join(f"{k} {name}" for name, k in
                                               copy_counts(list(self.copies)).items() if k)
                                     or "none")
        return f"{n} problem{'s' * (n != 1)} in {self.root}{counts}"


def verify_collection(collection: Collection, config: Config,
                      session: requests.Session | None = None) -> VerifyReport:
    """Recompute every checksum of the local copies (``archive.local_dir``) and compare
    each record's ``archivesha256`` with its copy; with a ``session``, also request
    every ``archiveurl`` and judge the archived copy."""
    root = config.resolve(config.archive.local_dir)
    if root.exists() and not root.is_dir():
        raise ArchiveRunError(f"{root}: archive.local_dir is not a directory")
    findings: list[Finding] = list(verify_all(root))
    findings += verify_records(collection.records, root)
    if session is None:
        return VerifyReport(root, tuple(findings))
    gate = HostGate(config.check.per_host, config.check.host_delay, config.check.concurrency)
    copies = verify_remote(collection.records, session, gate, config.check.request_deadline)
    findings += [f for c in copies if (f := c.finding()) is not None]
    return VerifyReport(root, tuple(findings), tuple(copies))
