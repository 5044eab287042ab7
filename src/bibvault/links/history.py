"""The link history: every check of every URL, in SQLite.

The history answers two questions: is there a result fresh enough to reuse
(so a re-run makes no request), and has a URL failed often enough, over long
enough, to be called dead rather than merely suspect. It also keeps the
fingerprints of pages (live ones and archived captures) that content drift is
judged by.

The schema's version is SQLite's ``user_version``; opening an older database
migrates it in place (version 1 added the ``fingerprints`` table, version 2
the digest of the page each live fingerprint was taken from, so that an
unchanged page is not extracted again).

A run writes as it goes: :meth:`History.add` and :meth:`History.add_fingerprint`
only insert, and the caller commits in batches (:meth:`History.commit`) or
takes back what it added (:meth:`History.rollback`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bibvault.config import CheckConfig
from bibvault.links.drift import Content, Drift, Fingerprint
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

# Each migration takes the schema from the version before it to its own number.
_MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, """
CREATE TABLE IF NOT EXISTS fingerprints (
    url TEXT NOT NULL,
    taken_at REAL NOT NULL,
    capture TEXT,
    title TEXT NOT NULL DEFAULT '',
    sketch BLOB NOT NULL,
    words INTEGER NOT NULL,
    content TEXT,
    similarity REAL
);
CREATE INDEX IF NOT EXISTS fingerprints_by_url ON fingerprints (url, taken_at);
"""),
    (2, """
ALTER TABLE fingerprints ADD COLUMN digest BLOB;
"""),
)
SCHEMA_VERSION = _MIGRATIONS[-1][0]


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
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        for number, script in _MIGRATIONS:
            if version < number:
                self._db.executescript(script)
                self._db.execute(f"PRAGMA user_version = {number}")
                self._db.commit()

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

    def rollback(self) -> None:
        """Forget everything added since the last :meth:`commit`."""
        self._db.rollback()

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

    def latest_of(self, urls: Sequence[str]) -> dict[str, CheckResult]:
        """:meth:`latest` of each of ``urls`` that has a result, in statements of a few
        hundred URLs each (each URL still an index search)."""
        out: dict[str, CheckResult] = {}
        for part in _parts(urls):
            # Ordered as the index is: the last row of a URL is its latest result.
            rows = {r[0]: r for r in self._db.execute(
                "SELECT url, checked_at, status, http_status, final_url, new_url, detail"
                f" FROM checks WHERE url IN ({_marks(part)}) ORDER BY url, checked_at", part)}
            out.update((url, _row(row)) for url, row in rows.items())
        return out

    def fresh(self, url: str, now: float, config: CheckConfig) -> CheckResult | None:
        """The latest result if it is within its TTL at ``now``, marked as cached."""
        return self.reuse(self.latest(url), now, config)

    @staticmethod
    def reuse(last: CheckResult | None, now: float, config: CheckConfig) -> CheckResult | None:
        """``last`` (a URL's latest result) marked as cached if it is within its TTL at
        ``now``; else ``None``. :meth:`fresh` for a result already read."""
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


    def add_fingerprint(self, url: str, fingerprint: Fingerprint, taken_at: float, *,
                        capture: str | None = None, drift: Drift | None = None,
                        digest: bytes | None = None) -> None:
        """Store a page's fingerprint: of the live page (``capture`` None, with the
        ``drift`` verdict it got) or of an archived capture, dated ``taken_at``.
        ``digest`` identifies the page's bytes (:func:`~bibvault.links.drift.page_digest`)."""
        self._db.execute(
            "INSERT INTO fingerprints (url, taken_at, capture, title, sketch, words, content,"
            " similarity, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (url, taken_at, capture, fingerprint.title, fingerprint.to_bytes(), fingerprint.words,
             drift.content.value if drift else None, drift.similarity if drift else None,
             digest),
        )

    def fingerprints(self, url: str) -> list[StoredFingerprint]:
        """Every fingerprint of ``url``, oldest content first."""
        rows = self._db.execute(
            f"SELECT {_FP_COLUMNS} FROM fingerprints WHERE url = ? ORDER BY taken_at, rowid",
            (url,)).fetchall()
        return [_stored(r) for r in rows]

    def has_capture(self, url: str, capture: str) -> bool:
        """A fingerprint of this capture of ``url`` is already stored."""
        return self._db.execute("SELECT 1 FROM fingerprints WHERE url = ? AND capture = ?",
                                (url, capture)).fetchone() is not None

    def baseline(self, url: str, cited: float | None) -> StoredFingerprint | None:
        """The fingerprint from the time of citation: the capture nearest ``cited``
        (a POSIX time), else the first fingerprint recorded."""
        stored = self.fingerprints(url)
        captures = [f for f in stored if f.capture is not None]
        if cited is not None and captures:
            return min(captures, key=lambda f: abs(f.taken_at - cited))
        return stored[0] if stored else None

    def latest_live(self, url: str) -> StoredFingerprint | None:
        """The most recent fingerprint of the live page, with the verdict it got."""
        row = self._db.execute(
            f"SELECT {_FP_COLUMNS} FROM fingerprints WHERE url = ? AND capture IS NULL"
            " ORDER BY taken_at DESC, rowid DESC LIMIT 1", (url,)).fetchone()
        return _stored(row) if row else None

    def live_digest(self, url: str) -> bytes | None:
        """The digest of the page the latest live fingerprint of ``url`` was taken from."""
        row = self._db.execute(
            "SELECT digest FROM fingerprints WHERE url = ? AND capture IS NULL"
            " ORDER BY taken_at DESC, rowid DESC LIMIT 1", (url,)).fetchone()
        return row[0] if row and isinstance(row[0], bytes) else None

    def live_digests(self, urls: Sequence[str]) -> dict[str, bytes]:
        """:meth:`live_digest` of each of ``urls`` that has one, a few hundred URLs a
        statement."""
        found: dict[str, object] = {}
        for part in _parts(urls):
            found.update(self._db.execute(
                f"SELECT url, digest FROM fingerprints WHERE url IN ({_marks(part)})"
                " AND capture IS NULL ORDER BY url, taken_at, rowid", part).fetchall())
        return {url: d for url, d in found.items() if isinstance(d, bytes)}


#: URLs a statement of :meth:`History.latest_of` and :meth:`History.live_digests`.
_PART = 500


def _parts(urls: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(urls), _PART):
        yield urls[i:i + _PART]


def _marks(part: Sequence[str]) -> str:
    return ",".join("?" * len(part))


@dataclass(frozen=True, slots=True)
class StoredFingerprint:
    """A fingerprint as stored: when its content was served, by which capture (None
    for the live page), and for live pages the drift verdict it got."""

    url: str
    taken_at: float
    capture: str | None
    fingerprint: Fingerprint
    content: Content | None = None
    similarity: float | None = None
    digest: bytes | None = None


_FP_COLUMNS = "url, taken_at, capture, title, sketch, words, content, similarity, digest"


def _stored(row: tuple[object, ...]) -> StoredFingerprint:
    url, taken_at, capture, title, blob, words, content, sim, digest = row
    assert isinstance(taken_at, float) and isinstance(blob, bytes) and isinstance(words, int)
    return StoredFingerprint(
        url=str(url), taken_at=taken_at, capture=capture if isinstance(capture, str) else None,
        fingerprint=Fingerprint.from_stored(str(title), blob, words), content=Content(content) if isinstance(content, str) else None,
        similarity=float(sim) if isinstance(sim, (int, float)) else None,
        digest=digest if isinstance(digest, bytes) else None,
    )


def changed_urls(path: str | Path) -> frozenset[str]:
    """URLs whose latest live fingerprint was judged ``changed``, read from the history
    at ``path`` without creating or migrating it; empty when there is none to read."""
    if not Path(path).is_file():
        return frozenset()
    try:
        db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return frozenset()
    try:
        rows = db.execute(
            "SELECT f.url FROM fingerprints f WHERE f.capture IS NULL AND f.content = ?"
            " AND f.rowid = (SELECT g.rowid FROM fingerprints g WHERE g.url = f.url"
            " AND g.capture IS NULL ORDER BY g.taken_at DESC, g.rowid DESC LIMIT 1)",
            (Content.CHANGED.value,)).fetchall()
    except sqlite3.Error:
        return frozenset()  # an older history without fingerprints
    finally:
        db.close()
    return frozenset(str(r[0]) for r in rows)


def _row(row: tuple[object, ...]) -> CheckResult:
    url, checked_at, status, http_status, final_url, new_url, detail = row
    return CheckResult(
        url=str(url), status=LinkStatus(status), checked_at=float(checked_at),  # type: ignore[arg-type]
        http_status=int(http_status) if http_status is not None else None,  # type: ignore[call-overload]
        final_url=final_url if isinstance(final_url, str) else None,
        new_url=new_url if isinstance(new_url, str) else None,
        detail=str(detail),
    )
