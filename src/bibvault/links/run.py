"""The ``check`` stage over a collection: check every record's url, remember what was seen,
and mark confirmed-dead links (``urlstatus = {dead}``) in the files.

:func:`check_collection` is what ``bibvault check`` runs; it returns a
:class:`CheckReport`, which the command hands to a reporter.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import requests

from bibvault.archive.wayback import parse_urldate
from bibvault.collection import Collection
from bibvault.config import Config
from bibvault.errors import StageError
from bibvault.findings import Finding
from bibvault.links.checker import CheckRun, LinkTarget, check_links
from bibvault.links.history import History
from bibvault.links.report import (
    StatusChange,
    apply_changes,
    run_findings,
    summary,
    to_json,
    to_markdown,
    to_text,
    urlstatus_changes,
)
from bibvault.links.result import CheckResult
from bibvault.net import NoNetwork
from bibvault.records import Record

#: ``progress(done, total, result)``, called as each distinct URL is checked.
CheckProgress = Callable[[int, int, CheckResult], None]


class CheckError(StageError):
    """A check that could not run: no network, or an unusable link history. Nothing was
    recorded and no file was changed."""


@dataclass(frozen=True)
class CheckReport:
    """What one ``check`` run found and did."""

    run: CheckRun
    #: The ``urlstatus`` edits: made when :attr:`written`, else only proposed.
    changes: tuple[StatusChange, ...]
    written: bool
    #: Errors met reading the files: the entries they hit were not checked.
    read_errors: tuple[Finding, ...] = ()

    @property
    def findings(self) -> list[Finding]:
        """Every link finding (L4xx), in record order."""
        return run_findings(self.run)

    @property
    def failed(self) -> bool:
        """Whether a link is dead, or entries could not be read."""
        return self.run.any_dead or bool(self.read_errors)

    def to_json(self) -> str:
        """One JSON object per link, as documented for ``check --format json``."""
        return to_json(self.run)

    def to_text(self) -> str:
        """One line per link that is not simply alive."""
        return to_text(self.run)

    def to_markdown(self) -> str:
        """A Markdown table of every link, then the summary."""
        return to_markdown(self.run)

    def summary(self) -> str:
        """``N links: 3 alive, 1 dead, …``."""
        return summary(self.run)


def link_targets(records: Sequence[Record]) -> list[LinkTarget]:
    """The records that have a url, as targets of the link checker."""
    return [LinkTarget(r.key, r.url, r.file, r.line, cited_at(r.get("urldate")))
            for r in records if r.url]


def cited_at(urldate: str | None) -> float | None:
    """The end of the day a record's ``urldate`` names, as a POSIX time."""
    day = parse_urldate(urldate)
    return dt.datetime.combine(day, dt.time(23, 59, 59), dt.UTC).timestamp() if day else None


def check_collection(collection: Collection, records: Sequence[Record],
                     session: requests.Session, config: Config, *, refresh: bool = False,
                     write: bool = True, progress: CheckProgress | None = None) -> CheckReport:
    """Check the url of each of ``records`` (chosen from ``collection``), politely, and
    remember the results in the link history (``check.database``).

    With ``write``, confirmed-dead links are marked ``urlstatus = {dead}`` (and revived
    ones unmarked) in the files as they are after the run, so that edits made
    meanwhile are kept. Raises :class:`CheckError` when no server could be reached
    (nor the canary) or the link history cannot be used.
    """
    database = config.check.database
    try:
        with History(config.resolve(database)) as history:
            run = check_links(link_targets(records), session, config.check, history,
                              refresh=refresh, progress=progress,
                              canary=config.check.canary_url or config.archive.wayback_url)
    except NoNetwork as exc:
        raise CheckError(f"{exc}; nothing was recorded") from exc
    except (sqlite3.Error, OSError) as exc:
        raise CheckError(f"link history {database}: {exc}") from exc
    current = collection.reload() if write else collection
    changes = urlstatus_changes(run, current.files)
    if write:
        for bf in apply_changes(changes, current.files):
            bf.save()
    return CheckReport(run, tuple(changes), write, tuple(collection.read_errors))
