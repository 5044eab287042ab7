"""The link history: every check of every URL, in SQLite.

The history answers two questions: is there a result fresh enough to reuse
(so a re-run makes no request), and has a URL failed often enough, over long
enough, to be called dead rather than merely suspect.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bibvault.config import CheckConfig
from bibvault.links.result import CheckResult, LinkStatus

_DAY = 86400.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS checks (
    url TEXT NOT NULL,
    checked_at REAL NOT NULL,
    status TEXT NOT NULL,
    http_status INTEGER,
    final_url TEXT,
    new_url TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS checks_by_url ON checks (url, checked_at);
"""


@dataclass(frozen=True)
class DeadVerdict:
    """How a failing URL stands: ``dead`` once confirmed, else ``suspect``.

    ``failures`` counts failed runs since the last success; ``spaced`` counts
    those at least ``dead_after_days`` apart, which is what confirmation needs.
    """

    state: str
    failures: int
    spaced: int
    first_failure: float


class History:
    """A SQLite history of link checks. Use from one thread; close when done."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, result: CheckResult) -> None:
        """Store one fresh (not cached) result."""
        self._db.execute(
            "INSERT INTO checks (url, checked_at, status, http_status, final_url, new_url, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (result.url, result.checked_at, result.status.value, result.http_status,
             result.final_url, result.new_url, result.detail),
        )

    def commit(self) -> None:
        """Make added results durable."""
        self._db.commit()

    def runs(self, url: str) -> list[CheckResult]:
        """Every stored result for ``url``, oldest first."""
        rows = self._db.execute(
            "SELECT url, checked_at, status, http_status, final_url, new_url, detail"
            " FROM checks WHERE url = ? ORDER BY checked_at", (url,),
        ).fetchall()
        return [_row(r) for r in rows]

    def latest(self, url: str) -> CheckResult | None:
        """The most recent result for ``url``."""
        row = self._db.execute(
            "SELECT url, checked_at, status, http_status, final_url, new_url, detail"
            " FROM checks WHERE url = ? ORDER BY checked_at DESC LIMIT 1", (url,),
        ).fetchone()
        return _row(row) if row else None

    def fresh(self, url: str, now: float, config: CheckConfig) -> CheckResult | None:
        """The latest result if it is within its TTL at ``now``, marked as cached."""
        last = self.latest(url)
        if last is None:
            return None
        ttl = config.ttl_alive_days if last.status.is_success else config.ttl_failure_days
        if now - last.checked_at >= ttl * _DAY:
            return None
        return CheckResult(url=last.url, status=last.status, checked_at=last.checked_at,
                           http_status=last.http_status, final_url=last.final_url,
                           new_url=last.new_url, detail=last.detail, cached=True)

    def verdict(self, url: str, config: CheckConfig) -> DeadVerdict | None:
        """Dead or suspect for a URL whose latest decisive run failed; else ``None``.

        Blocked and rate-limited runs neither count as failures nor break a streak.
        """
        streak: list[float] = []
        for run in self.runs(url):
            if run.status.is_success:
                streak = []
            elif run.status.is_failure:
                streak.append(run.checked_at)
        if not streak:
            return None
        spaced, last = 0, None
        for ts in streak:
            if last is None or ts - last >= config.dead_after_days * _DAY:
                spaced += 1
                last = ts
        state = "dead" if spaced >= config.dead_after_runs else "suspect"
        return DeadVerdict(state, len(streak), spaced, streak[0])


def _row(row: tuple[object, ...]) -> CheckResult:
    url, checked_at, status, http_status, final_url, new_url, detail = row
    return CheckResult(
        url=str(url), status=LinkStatus(status), checked_at=float(checked_at),  # type: ignore[arg-type]
        http_status=int(http_status) if http_status is not None else None,  # type: ignore[call-overload]
        final_url=final_url if isinstance(final_url, str) else None,
        new_url=new_url if isinstance(new_url, str) else None,
        detail=str(detail),
    )
