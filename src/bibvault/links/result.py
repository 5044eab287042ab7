"""The values the link checker produces: a status and one result per URL."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class LinkStatus(enum.StrEnum):
    """What a link turned out to be; every checked link gets exactly one."""

    ALIVE = "alive"
    REDIRECTED = "redirected"
    DEAD = "dead"
    SOFT_404 = "soft-404"
    BLOCKED = "blocked"
    RATE_LIMITED = "rate-limited"
    TIMEOUT = "timeout"
    ERROR = "error"

    @property
    def is_success(self) -> bool:
        """The link works (possibly at a new address)."""
        return self in (LinkStatus.ALIVE, LinkStatus.REDIRECTED)

    @property
    def is_failure(self) -> bool:
        """The link does not work. Blocked and rate-limited links are neither: the
        site answered, it just would not serve us, so they never count towards dead."""
        return self in (LinkStatus.DEAD, LinkStatus.SOFT_404, LinkStatus.TIMEOUT, LinkStatus.ERROR)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of checking one URL.

    ``checked_at`` is seconds since the epoch (UTC) of the clock the checker was
    given. ``new_url`` is set for :attr:`LinkStatus.REDIRECTED`: where the link
    has permanently moved. ``cached`` is true when the result came from the
    history database and no request was made. ``requests`` counts the HTTP
    requests this check sent. ``unreached`` is true when no server answered at
    all (the name did not resolve, or no connection could be made or kept).
    """

    url: str
    status: LinkStatus
    checked_at: float
    http_status: int | None = None
    final_url: str | None = None
    new_url: str | None = None
    detail: str = ""
    cached: bool = False
    requests: int = 0
    unreached: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``checked_at`` as an ISO 8601 UTC timestamp."""
        return {
            "url": self.url,
            "status": self.status.value,
            "http_status": self.http_status,
            "final_url": self.final_url,
            "new_url": self.new_url,
            "checked_at": iso_utc(self.checked_at),
            "detail": self.detail,
            "cached": self.cached,
        }


def iso_utc(ts: float) -> str:
    """``2026-11-21T14:51:26Z`` for a POSIX timestamp."""
    import datetime as _dt

    return _dt.datetime.fromtimestamp(ts, _dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
