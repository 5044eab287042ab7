"""Content drift: main-text extraction, MinHash sketches, the calibrated verdict, and
the fingerprints kept in the link history."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bibvault.config import CheckConfig
from bibvault.links.drift import (
    Content,
    Fingerprint,
    compare,
    fingerprint,
    main_text,
    shingles,
    similarity,
    sketch,
    words,
)
from bibvault.links.history import SCHEMA_VERSION, History, changed_urls
from bibvault.render.links import Links, archived_link_html

DATA = Path(__file__).parent / "data" / "drift"
CASES = json.loads((DATA / "cases.json").read_text(encoding="utf-8"))


def pages(name: str) -> tuple[bytes, bytes]:
    """The (cited, live) pages of a case of the drift test set."""
    case = next(c for c in CASES if c["name"] == name)
    return (DATA / case["cited"]).read_bytes(), (DATA / case["live"]).read_bytes()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_test_set_verdicts_at_the_default_threshold(case: dict[str, str]) -> None:
    cited, live = pages(case["name"])
    drift = compare(fingerprint(cited), fingerprint(live), CheckConfig().drift_threshold)
    assert drift.content.value == case["expect"], (case["what"], drift)
    assert drift.similarity is not None and 0.0 <= drift.similarity <= 1.0


def test_test_set_is_balanced_and_large_enough() -> None:
    expected = [c["expect"] for c in CASES]
    assert expected.count("unchanged") >= 8 and expected.count("changed") >= 8


def test_extraction_leaves_out_navigation_ads_comments_and_banners() -> None:
    _, live = pages("news-all-boilerplate")
    title, text = main_text(live)
    assert title.startswith("Central library to close")
    assert "temporary branch in the former post office" in text
    for boilerplate in ("ADVERTISEMENT", "winter tyres", "Podcasts", "We value your privacy",
                        "All rights reserved", "Most read"):
        assert boilerplate not in text
    _, commented = pages("news-comment-count")
    assert "Fix the potholes first" not in main_text(commented)[1]


def test_sketch_estimates_jaccard() -> None:
    a = words("the quick brown fox jumps over the lazy dog " * 3 + "and then it sleeps")
    same = Fingerprint("", sketch(shingles(a)), len(a))
    assert similarity(same, same) == 1.0
    other = words("an entirely different sentence about the price of fish in winter markets")
    far = Fingerprint("", sketch(shingles(other)), len(other))
    assert similarity(same, far) < 0.1
    # half of the shingles shared: the estimate is near 0.5 (error about 1/sqrt(128))
    left = {f"x{i}" for i in range(200)}
    right = {f"x{i}" for i in range(67, 267)}
    est = similarity(Fingerprint("", sketch(left), 200), Fingerprint("", sketch(right), 200))
    assert abs(est - 133 / 267) < 0.15


def reference_sketch(features: set[str]) -> tuple[int, ...]:
    """The sketch by its definition, in Python integers: what every stored sketch holds."""
    prime = (1 << 61) - 1

    def number(label: str) -> int:
        return int.from_bytes(hashlib.blake2b(label.encode(), digest_size=16).digest(), "big")

    coeffs = [(number(f"bibvault-minhash-a-{i}") % (prime - 1) + 1,
               number(f"bibvault-minhash-b-{i}") % prime) for i in range(128)]
    xs = [int.from_bytes(hashlib.blake2b(f.encode(), digest_size=8).digest(), "big")
          for f in features]
    return tuple(min((a * x + b) % prime for x in xs) for a, b in coeffs) if xs else ()


@settings(max_examples=40, deadline=None)
@given(st.sets(st.text(max_size=12), max_size=60))
def test_sketch_is_exactly_the_defined_minhash(features: set[str]) -> None:
    assert sketch(features) == reference_sketch(features)


def test_sketch_of_a_long_text_is_exact_across_blocks() -> None:
    features = {f"w{i} w{i + 1} w{i + 2}" for i in range(5000)}  # more than one block
    assert sketch(features) == reference_sketch(features)


def test_fingerprint_round_trips_through_bytes() -> None:
    fp = fingerprint(pages("blog-new-sidebar")[0])
    assert len(fp.sketch) == 128 and 264 <= fp.words < 290  # the post has 264 words
    back = Fingerprint.from_stored(fp.title, fp.to_bytes(), fp.words)
    assert back == fp


def test_unknown_and_empty_pages() -> None:
    fp = fingerprint(pages("news-replaced")[0])
    assert compare(None, fp, 0.5).content is Content.UNKNOWN
    assert compare(fp, None, 0.5).content is Content.UNKNOWN
    blank = fingerprint(b"<html><head><script>app()</script></head><body></body></html>")
    assert blank.words == 0 and blank.sketch == ()
    assert compare(blank, fp, 0.5).content is Content.UNKNOWN  # nothing was cited to compare
    gone = compare(fp, blank, 0.5)
    assert gone.content is Content.CHANGED and gone.similarity == 0.0


def test_changed_detail_names_both_titles() -> None:
    cited, live = pages("news-replaced")
    drift = compare(fingerprint(cited), fingerprint(live), 0.5)
    assert "title was 'Council approves" in drift.detail and "now 'Central library" in drift.detail


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000) | st.text(max_size=2000).map(lambda t: f"<html><body><p>{t}</p>"))
def test_fingerprint_never_raises(page: bytes | str) -> None:
    fp = fingerprint(page)
    assert fp.words >= 0 and len(fp.sketch) in (0, 128)


OLD_SCHEMA = """
CREATE TABLE checks (url TEXT NOT NULL, checked_at REAL NOT NULL, status TEXT NOT NULL,
    http_status INTEGER, final_url TEXT, new_url TEXT, detail TEXT NOT NULL DEFAULT '');
CREATE INDEX checks_by_url ON checks (url, checked_at);
INSERT INTO checks VALUES ('http://a.test/', 1000.0, 'alive', 200, 'http://a.test/', NULL, '');
"""


def test_an_older_history_is_migrated_in_place(tmp_path: Path) -> None:
    db = tmp_path / "links.sqlite"
    con = sqlite3.connect(db)
    con.executescript(OLD_SCHEMA)
    con.close()
    assert changed_urls(db) == frozenset()  # read-only look-up of an old database
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == 0
    fp = fingerprint(pages("news-replaced")[0])
    with History(db) as h:
        assert [r.status.value for r in h.runs("http://a.test/")] == ["alive"]
        h.add_fingerprint("http://a.test/", fp, 2000.0)
        h.commit()
    with History(db) as h:  # opening again migrates nothing twice
        assert h.fingerprints("http://a.test/")[0].fingerprint == fp
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


V1_FINGERPRINTS = """
CREATE TABLE fingerprints (url TEXT NOT NULL, taken_at REAL NOT NULL, capture TEXT,
    title TEXT NOT NULL DEFAULT '', sketch BLOB NOT NULL, words INTEGER NOT NULL,
    content TEXT, similarity REAL);
CREATE INDEX fingerprints_by_url ON fingerprints (url, taken_at);
PRAGMA user_version = 1;
"""


def test_a_version_1_history_gains_page_digests(tmp_path: Path) -> None:
    db = tmp_path / "links.sqlite"
    fp = fingerprint(pages("news-replaced")[0])
    con = sqlite3.connect(db)
    con.executescript(OLD_SCHEMA + V1_FINGERPRINTS)
    con.execute("INSERT INTO fingerprints VALUES (?, ?, NULL, ?, ?, ?, 'unchanged', 1.0)",
                ("http://a.test/", 1500.0, fp.title, fp.to_bytes(), fp.words))
    con.commit()
    con.close()
    with History(db) as h:
        old = h.latest_live("http://a.test/")
        assert old is not None and old.fingerprint == fp and old.digest is None
        assert h.live_digest("http://a.test/") is None
        h.add_fingerprint("http://a.test/", fp, 2500.0, digest=b"\x01" * 16)
        h.commit()
    with History(db) as h:
        assert h.live_digest("http://a.test/") == b"\x01" * 16
        assert [f.taken_at for f in h.fingerprints("http://a.test/")] == [1500.0, 2500.0]
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_baseline_is_the_capture_nearest_the_citation_else_the_first(tmp_path: Path) -> None:
    a, b = (fingerprint(p) for p in pages("news-replaced"))
    with History(tmp_path / "h.sqlite") as h:
        url = "http://a.test/story"
        h.add_fingerprint(url, a, 500.0)
        assert h.baseline(url, 10_000.0).taken_at == 500.0  # no capture: the first recorded
        h.add_fingerprint(url, b, 1000.0, capture="http://wa.test/web/1/x")
        h.add_fingerprint(url, a, 9000.0, capture="http://wa.test/web/9/x")
        assert h.baseline(url, 1200.0).capture == "http://wa.test/web/1/x"
        assert h.baseline(url, 8000.0).capture == "http://wa.test/web/9/x"
        assert h.baseline(url, None).taken_at == 500.0
        assert h.has_capture(url, "http://wa.test/web/9/x")
        assert not h.has_capture(url, "http://wa.test/web/5/x")


def test_changed_urls_follow_the_latest_live_verdict(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    a, b = (fingerprint(p) for p in pages("news-replaced"))
    with History(path) as h:
        h.add_fingerprint("http://x.test/1", a, 100.0, drift=compare(a, b, 0.5))
        h.add_fingerprint("http://x.test/2", a, 100.0, drift=compare(a, b, 0.5))
        h.add_fingerprint("http://x.test/2", a, 200.0, drift=compare(a, a, 0.5))
        h.add_fingerprint("http://x.test/3", a, 100.0, capture="http://wa.test/web/1/3")
        h.commit()
        latest = h.latest_live("http://x.test/2")
        assert latest is not None and latest.content is Content.UNCHANGED
    assert changed_urls(path) == frozenset({"http://x.test/1"})
    assert changed_urls(tmp_path / "absent.sqlite") == frozenset()
    assert not (tmp_path / "absent.sqlite").exists()


def test_a_changed_page_makes_the_archived_copy_the_main_link() -> None:
    original, archived = "https://a.test/story", "https://wa.test/web/20231112090000/https://a.test/story"
    assert Links(original, archived).main == original
    changed = Links(original, archived, "2023-11-12", changed=True)
    assert changed.main == archived
    extra = archived_link_html(changed)
    assert 'class="original changed"' in extra and f'href="{original}"' in extra
    assert Links(original, None, changed=True).main == original  # no copy to offer instead
