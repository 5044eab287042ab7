"""The link history answers a run's per-URL look-ups from an index, never a table scan.

The statements are the ones the History API really runs (caught with SQLite's
trace callback), so a new query or a dropped index shows up here. How fast the
look-ups are at a million rows is measured by bench/history_scale.py, not here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bibvault.config import CheckConfig
from bibvault.links import CheckResult, History, LinkStatus
from bibvault.links.drift import Fingerprint, fingerprint

T0 = 1_790_000_000.0
URL = "http://127.0.0.11/page"
CONFIG = CheckConfig()

# Every per-URL look-up that check and archive make, by name.
LOOKUPS: dict[str, Callable[[History], object]] = {
    "fresh": lambda h: h.fresh(URL, T0, CONFIG),
    "latest": lambda h: h.latest(URL),
    "verdict": lambda h: h.verdict(URL, CONFIG),
    "baseline": lambda h: h.baseline(URL, T0),
    "latest_live": lambda h: h.latest_live(URL),
    "has_capture": lambda h: h.has_capture(URL, "20250101000000"),
    "latest_of": lambda h: h.latest_of([URL, URL + "?2"]),
    "live_digests": lambda h: h.live_digests([URL, URL + "?2"]),
}


@pytest.fixture(scope="module")
def prints() -> list[Fingerprint]:
    """The pages' fingerprints, taken once: each takes a text extraction, and they are values."""
    return [fingerprint(f"<title>p{i}</title> words of page {i}") for i in range(200)]


def _fill(h: History, prints: list[Fingerprint]) -> None:
    for i, fp in enumerate(prints):
        url = f"http://127.0.0.{i % 50 + 2}/p{i}"
        for day in range(3):
            h.add(CheckResult(url, LinkStatus.ALIVE if day else LinkStatus.DEAD,
                              T0 + day * 86400.0))
        h.add_fingerprint(url, fp, T0)
    h.commit()


def _plans(h: History, lookup: Callable[[History], object]) -> list[tuple[str, str]]:
    """(statement, query plan) of every SELECT the look-up ran."""
    statements: list[str] = []
    h._db.set_trace_callback(statements.append)
    try:
        lookup(h)
    finally:
        h._db.set_trace_callback(None)
    out = []
    for sql in statements:
        if sql.lstrip().upper().startswith("SELECT"):
            plan = h._db.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
            out.append((sql, "\n".join(str(row[3]) for row in plan)))
    return out


def _assert_indexed(h: History) -> None:
    for name, lookup in LOOKUPS.items():
        plans = _plans(h, lookup)
        assert plans, f"{name} ran no SELECT"  # the check below would pass vacuously
        for sql, plan in plans:
            assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, (name, sql, plan)
            assert "SCAN checks" not in plan and "SCAN fingerprints" not in plan, (name, plan)


def test_lookups_use_indexes(tmp_path: Path, prints: list[Fingerprint]) -> None:
    with History(tmp_path / "links.sqlite") as h:
        _fill(h, prints)
        h._db.execute("ANALYZE")  # with statistics, the planner may prefer a scan: it must not
        _assert_indexed(h)


def test_lookups_use_indexes_after_migrating_an_old_database(tmp_path: Path,
                                                            prints: list[Fingerprint]) -> None:
    path = tmp_path / "links.sqlite"
    old = sqlite3.connect(path)  # a version-0 history: checks only, no fingerprints
    old.executescript("CREATE TABLE checks (url TEXT NOT NULL, checked_at REAL NOT NULL,"
                      " status TEXT NOT NULL, http_status INTEGER, final_url TEXT,"
                      " new_url TEXT, detail TEXT NOT NULL DEFAULT '');")
    old.execute("INSERT INTO checks VALUES (?, ?, 'alive', 200, NULL, NULL, '')", (URL, T0))
    old.commit()
    old.close()
    with History(path) as h:
        _fill(h, prints)
        _assert_indexed(h)
        assert h.latest(URL) is not None  # the old row survived the migration


def test_a_missing_index_is_caught(tmp_path: Path, prints: list[Fingerprint]) -> None:
    with History(tmp_path / "links.sqlite") as h:
        _fill(h, prints)
        h._db.execute("DROP INDEX checks_by_url")
        with pytest.raises(AssertionError):
            _assert_indexed(h)
