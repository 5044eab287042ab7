"""Finding existing captures with the Wayback CDX server API.

Two small queries rather than one large one: the last successful captures up to
the end of the citation's access date (``to=…&limit=-5``), and only if there is
none, the first ones after it (``from=…&limit=5``). Popular pages have
thousands of captures; neither query downloads them all.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from urllib.parse import quote

import requests

from bibvault.net import HostGate, host_of

_ROWS = 5


class ArchiveError(Exception):
    """The archive answered something unusable (bad status, bad JSON), or could not be
    reached at all (``unreached``)."""

    def __init__(self, message: str, unreached: bool = False) -> None:
        super().__init__(message)
        self.unreached = unreached


@dataclass(frozen=True)
class Capture:
    """One capture of ``original`` at ``timestamp`` (YYYYMMDDhhmmss)."""

    timestamp: str
    original: str
    statuscode: str = ""
    mimetype: str = ""
    replay: str = ""

    def url(self, base: str) -> str:
        """The replay URL of this capture: ``replay`` when another archive holds it
        (found through a Memento aggregator), else under the Web Archive's ``base``."""
        if self.replay:
            return self.replay
        return f"{base.rstrip('/')}/web/{self.timestamp}/{self.original}"

    @property
    def date(self) -> dt.date:
        """The capture date."""
        return dt.date(int(self.timestamp[0:4]), int(self.timestamp[4:6]), int(self.timestamp[6:8]))

    @property
    def when(self) -> float:
        """The capture time as a POSIX timestamp (UTC)."""
        t = self.timestamp.ljust(14, "0")
        return dt.datetime(int(t[0:4]), int(t[4:6]), int(t[6:8]), int(t[8:10]), int(t[10:12]),
                           int(t[12:14]), tzinfo=dt.UTC).timestamp()


def parse_urldate(value: str | None) -> dt.date | None:
    """``2021-09-03`` (or ``2021-09``, ``2021``) as the last day it can mean; else None."""
    if not value:
        return None
    m = re.fullmatch(r"\s*(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?\s*", value)
    if not m:
        return None
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if day:
            return dt.date(year, int(month), int(day))
        if month:
            nxt = dt.date(year + (int(month) == 12), int(month) % 12 + 1, 1)
            return nxt - dt.timedelta(days=1)
        return dt.date(year, 12, 31)
    except ValueError:
        return None


def cdx_query(session: requests.Session, base: str, url: str, gate: HostGate,
              **params: str) -> list[Capture]:
    """Successful (2xx) captures of exactly ``url`` matching the CDX ``params``."""
    query = "&".join([f"url={quote(url, safe='')}", "output=json", "filter=statuscode:2..",
                      *(f"{k}={quote(v, safe='')}" for k, v in params.items())])
    endpoint = f"{base.rstrip('/')}/cdx/search/cdx?{query}"
    with gate.slot(host_of(endpoint)):
        try:
            resp = session.get(endpoint)
        except requests.RequestException as exc:
            raise ArchiveError(f"CDX lookup failed: {type(exc).__name__}",
                               isinstance(exc, (requests.ConnectionError, requests.Timeout))) from exc
        if resp.status_code != 200:
            raise ArchiveError(f"CDX lookup failed: HTTP {resp.status_code}")
        text = resp.text.strip()
    if not text:
        return []
    try:
        rows = json.loads(text)
    except ValueError as exc:
        raise ArchiveError("CDX lookup returned invalid JSON") from exc
    if not isinstance(rows, list) or len(rows) < 2:
        return []
    header = rows[0]
    try:
        idx = {name: header.index(name) for name in ("timestamp", "original")}
    except (ValueError, AttributeError) as exc:
        raise ArchiveError("CDX lookup returned an unexpected header") from exc
    out = []
    for row in rows[1:]:
        get = dict(zip(header, row, strict=False))
        if not re.fullmatch(r"[0-9]{8,14}", str(get.get("timestamp", ""))):
            continue  # a row we cannot date is no use as a citation
        if str(get.get("statuscode", "2"))[:1] != "2":
            continue  # a captured error or redirect, whatever the server's filter did
        out.append(Capture(str(row[idx["timestamp"]]), str(row[idx["original"]]),
                           str(get.get("statuscode", "")), str(get.get("mimetype", ""))))
    return out


def closest_capture(session: requests.Session, base: str, url: str, when: dt.date | None,
                    gate: HostGate) -> Capture | None:
    """The last capture on or before ``when`` (default: now), else the first after it."""
    # A few rows rather than one: a server that ignores the status filter may list
    # captured errors, which cdx_query drops.
    if when is None:
        found = cdx_query(session, base, url, gate, limit=f"-{_ROWS}")
        return found[-1] if found else None
    day = when.strftime("%Y%m%d")
    before = cdx_query(session, base, url, gate, to=day, limit=f"-{_ROWS}")
    if before:
        return before[-1]
    after = cdx_query(session, base, url, gate, **{"from": day, "limit": str(_ROWS)})
    return after[0] if after else None
