"""The SQLite link history at a million rows: query plans and look-up time.

    python bench/history_scale.py [--rows 1000000] [--urls 100000] [--lookups 5000]

Fills a temporary database (bulk inserts into the schema History creates) with
``--rows`` checks spread over ``--urls`` URLs, a run a day, every fifth URL
failing since its fourth run, and one live fingerprint and one capture per URL.
Then, for the look-ups a run of ``check`` makes per URL (``fresh``: latest
result within its TTL; ``verdict``: failed runs since the last success;
``baseline`` and ``latest_live``: the fingerprints drift is judged by;
``live_digest``: whether a page's bytes were fingerprinted already) and the
one ``archive`` makes (``has_capture``), prints SQLite's query plan and the mean
time per call over ``--lookups`` random URLs. The same is timed once more with the
indexes dropped, for a handful of URLs, to show what a full scan would cost.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from bibvault.config import CheckConfig
from bibvault.links import History
from bibvault.links.drift import fingerprint, page_digest

T0 = 1_790_000_000.0
DAY = 86400.0
CONFIG = CheckConfig()


def _checks(rows: int, urls: int) -> Iterator[tuple[object, ...]]:
    runs = max(1, rows // urls)
    for u in range(urls):
        url = f"https://h{u % 2000}.example/p/{u}"
        failing = u % 5 == 0
        for r in range(runs):
            dead = failing and r >= 3
            yield (url, T0 + r * DAY, "dead" if dead else "alive", 404 if dead else 200,
                   None, None, "")


def fill(h: History, rows: int, urls: int) -> None:
    """Bulk-insert ``rows`` checks and two fingerprints per URL."""
    db = h._db
    db.executemany("INSERT INTO checks (url, checked_at, status, http_status, final_url,"
                   " new_url, detail) VALUES (?, ?, ?, ?, ?, ?, ?)", _checks(rows, urls))
    fp = fingerprint("<title>A page</title> " + " ".join(f"word{i}" for i in range(300)))
    blob = fp.to_bytes()
    db.executemany(
        "INSERT INTO fingerprints (url, taken_at, capture, title, sketch, words, content,"
        " similarity, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ((f"https://h{u % 2000}.example/p/{u}", T0 + k * DAY, cap, fp.title, blob, fp.words,
          None if cap else "unchanged", None if cap else 1.0,
          None if cap else page_digest(b"page %d" % u))
         for u in range(urls) for k, cap in ((0, "20250101000000"), (5, None))))
    h.commit()
    db.execute("ANALYZE")


def lookups() -> dict[str, Callable[[History, str], object]]:
    """The per-URL calls of a check run (and of archive's capture test)."""
    return {
        "fresh": lambda h, u: h.fresh(u, T0 + 30 * DAY, CONFIG),
        "verdict": lambda h, u: h.verdict(u, CONFIG),
        "baseline": lambda h, u: h.baseline(u, T0),
        "latest_live": lambda h, u: h.latest_live(u),
        "live_digest": lambda h, u: h.live_digest(u),
        "has_capture": lambda h, u: h.has_capture(u, "20250101000000"),
    }


def plan_of(h: History, call: Callable[[History, str], object], url: str) -> list[str]:
    """The query plan of each SELECT ``call`` runs."""
    statements: list[str] = []
    h._db.set_trace_callback(statements.append)
    call(h, url)
    h._db.set_trace_callback(None)
    return [" / ".join(str(r[3]) for r in h._db.execute("EXPLAIN QUERY PLAN " + s))
            for s in statements if s.lstrip().upper().startswith("SELECT")]


def time_calls(h: History, call: Callable[[History, str], object], urls: list[str]) -> float:
    """Mean seconds per call over ``urls``."""
    started = time.perf_counter()
    for u in urls:
        call(h, u)
    return (time.perf_counter() - started) / len(urls)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--urls", type=int, default=100_000)
    ap.add_argument("--lookups", type=int, default=5000)
    ap.add_argument("--scan-lookups", type=int, default=5)
    args = ap.parse_args()
    rng = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="bibvault-history-") as tmp:
        path = Path(tmp) / "links.sqlite"
        with History(path) as h:
            started = time.perf_counter()
            fill(h, args.rows, args.urls)
            n = h._db.execute("SELECT count(*) FROM checks").fetchone()[0]
            nf = h._db.execute("SELECT count(*) FROM fingerprints").fetchone()[0]
            print(f"filled {n} checks, {nf} fingerprints over {args.urls} URLs in "
                  f"{time.perf_counter() - started:.1f}s; file {path.stat().st_size >> 20} MiB")
            sample = [f"https://h{u % 2000}.example/p/{u}"
                      for u in (rng.randrange(args.urls) for _ in range(args.lookups))]
            indexed: dict[str, float] = {}
            for name, call in lookups().items():
                for plan in plan_of(h, call, sample[0]):
                    print(f"  {name:<12} {plan}")
                indexed[name] = time_calls(h, call, sample)
            h._db.execute("DROP INDEX checks_by_url")
            h._db.execute("DROP INDEX fingerprints_by_url")
            print(f"{'look-up':<12} {'indexed us':>11} {'no index ms':>12} {'per 100k URLs':>14}")
            for name, call in lookups().items():
                scan = time_calls(h, call, sample[: args.scan_lookups])
                print(f"{name:<12} {indexed[name] * 1e6:>11.0f} {scan * 1e3:>12.0f} "
                      f"{indexed[name] * 100_000:>13.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
