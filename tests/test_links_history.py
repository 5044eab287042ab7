"""Link history: TTL reuse, refresh, and the dead-after-N-spaced-runs rule."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

import webfarm
from bibvault.config import CheckConfig
from bibvault.links import CheckResult, History, LinkStatus, LinkTarget, check_links, checker
from bibvault.links.drift import Fingerprint, fingerprint, page_digest
from webfarm import Farm, running_farm

DAY = 86400.0
T0 = 1_790_000_000.0
FAST = CheckConfig(host_delay=0.0, connect_timeout=0.3, read_timeout=0.3, retries=0,
                   backoff=0.01, request_deadline=0.6)


@pytest.fixture(scope="module")
def farm() -> Iterator[Farm]:
    yield from running_farm()


@pytest.fixture(scope="module")
def site(farm: Farm) -> str:
    return farm.site("127.0.0.11")


@pytest.fixture()
def session() -> Iterator[requests.Session]:
    s = requests.Session()
    yield s
    s.close()


@pytest.fixture()
def history(tmp_path: Path) -> Iterator[History]:
    with History(tmp_path / "state" / "links.sqlite") as h:
        yield h


def run_at(day: float, targets: list[LinkTarget], session: requests.Session,
           history: History, **kw: object) -> dict[str, CheckResult]:
    run = check_links(targets, session, FAST, history, clock=lambda: T0 + day * DAY, **kw)  # type: ignore[arg-type]
    return {o.target.key: o.result for o in run.outcomes}


def test_rerun_within_ttl_makes_no_request(farm: Farm, site: str, session: requests.Session,
                                          history: History) -> None:
    targets = [LinkTarget("a", site + "/ok?ttl"), LinkTarget("b", site + "/missing?ttl")]
    first = run_at(0, targets, session, history)
    assert not first["a"].cached and first["b"].status is LinkStatus.DEAD
    seen = len(farm.log.hits)
    again = run_at(0.5, targets, session, history)
    assert len(farm.log.hits) == seen
    assert again["a"].cached and again["b"].cached
    assert again["a"].status is LinkStatus.ALIVE
    # Failures expire after one day, successes after seven.
    later = run_at(2, targets, session, history)
    assert later["a"].cached and not later["b"].cached
    refreshed = run_at(2.1, targets, session, history, refresh=True)
    assert not refreshed["a"].cached and not refreshed["b"].cached


def test_duplicate_urls_share_one_check(farm: Farm, site: str, session: requests.Session) -> None:
    url = site + "/ok.txt?dup"
    run = check_links([LinkTarget("a", url), LinkTarget("b", url)], session, FAST)
    assert [o.target.key for o in run.outcomes] == ["a", "b"]
    assert farm.log.count(path="/ok.txt?dup") == 1


def test_history_survives_reopening(tmp_path: Path, site: str, session: requests.Session) -> None:
    db = tmp_path / "links.sqlite"
    with History(db) as h:
        run_at(0, [LinkTarget("a", site + "/gone?reopen")], session, h)
    with History(db) as h:
        runs = h.runs(site + "/gone?reopen")
    assert [r.status for r in runs] == [LinkStatus.DEAD]
    assert runs[0].http_status == 410 and runs[0].checked_at == T0


def test_dead_only_after_three_runs_three_days_apart(site: str, session: requests.Session,
                                                      history: History) -> None:
    target = [LinkTarget("x", site + "/missing?spaced")]

    def verdict(day: float) -> tuple[str, int] | None:
        run = check_links(target, session, FAST, history, refresh=True,
                          clock=lambda: T0 + day * DAY)
        v = run.outcomes[0].verdict
        return (v.state, v.spaced) if v else None

    assert verdict(0) == ("suspect", 1)
    assert verdict(1) == ("suspect", 1)  # too soon to count
    assert verdict(3) == ("suspect", 2)
    assert verdict(5) == ("suspect", 2)
    assert verdict(6) == ("dead", 3)


def test_a_success_in_between_restarts_the_count(history: History) -> None:
    url = "http://127.0.0.11/flaky"
    for day, status in [(0, LinkStatus.DEAD), (3, LinkStatus.ALIVE), (6, LinkStatus.DEAD),
                        (9, LinkStatus.TIMEOUT), (12, LinkStatus.BLOCKED)]:
        history.add(CheckResult(url, status, T0 + day * DAY))
    v = history.verdict(url, FAST)
    assert v is not None and (v.state, v.failures, v.spaced) == ("suspect", 2, 2)
    # Blocked runs neither count nor break the streak.
    history.add(CheckResult(url, LinkStatus.SOFT_404, T0 + 15 * DAY))
    v = history.verdict(url, FAST)
    assert v is not None and v.state == "dead"


def test_the_rule_follows_the_configuration(history: History) -> None:
    url = "http://127.0.0.11/cfg"
    for day in (0, 1, 2):
        history.add(CheckResult(url, LinkStatus.DEAD, T0 + day * DAY))
    strict = dataclasses.replace(FAST, dead_after_runs=3, dead_after_days=1.0)
    assert history.verdict(url, strict).state == "dead"  # type: ignore[union-attr]
    assert history.verdict(url, FAST).state == "suspect"  # type: ignore[union-attr]


def test_alive_links_have_no_verdict(site: str, session: requests.Session,
                                     history: History) -> None:
    run = check_links([LinkTarget("a", site + "/ok.txt?v")], session, FAST, history)
    assert run.outcomes[0].verdict is None and not run.any_dead


def test_progress_is_reported_for_every_url(site: str, session: requests.Session,
                                            history: History) -> None:
    seen: list[tuple[int, int]] = []
    targets = [LinkTarget(str(i), f"{site}/ok.txt?p={i}") for i in range(5)]
    check_links(targets, session, FAST, history, progress=lambda d, t, r: seen.append((d, t)))
    assert seen == [(i, 5) for i in range(1, 6)]


def test_an_unchanged_page_is_not_extracted_again(farm: Farm, site: str,
                                                 session: requests.Session, history: History,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    extracted: list[bytes] = []

    def counting(page: bytes | str, url: str | None = None) -> Fingerprint:
        extracted.append(page if isinstance(page, bytes) else page.encode())
        return fingerprint(page, url)

    monkeypatch.setattr(checker, "fingerprint", counting)
    article = webfarm.page("Harbour news", "The council met on Tuesday and voted " * 12)
    farm.pages["/article-digest"] = (article, "text/html; charset=utf-8")
    targets = [LinkTarget("a", site + "/article-digest")]
    first = check_links(targets, session, FAST, history, clock=lambda: T0)
    assert len(extracted) == 1 and first.outcomes[0].drift is not None
    assert first.outcomes[0].drift.content.value == "unknown"  # nothing to compare with yet

    again = check_links(targets, session, FAST, history, clock=lambda: T0 + DAY, refresh=True)
    assert len(extracted) == 1  # the same bytes: the stored fingerprint was reused
    drift = again.outcomes[0].drift
    assert drift is not None and drift.content.value == "unchanged" and drift.similarity == 1.0
    stored = history.fingerprints(site + "/article-digest")
    assert len(stored) == 2 and stored[0].fingerprint == stored[1].fingerprint
    assert stored[0].digest == stored[1].digest == page_digest(article)

    farm.pages["/article-digest"] = (webfarm.page("Parked", "This domain is for sale " * 3),
                                     "text/html; charset=utf-8")
    changed = check_links(targets, session, FAST, history, clock=lambda: T0 + 2 * DAY,
                          refresh=True)
    assert len(extracted) == 2
    drift = changed.outcomes[0].drift
    assert drift is not None and drift.content.value == "changed"


def test_results_are_committed_in_batches_as_they_arrive(site: str, session: requests.Session,
                                                         tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checker, "_BATCH", 2)
    db = tmp_path / "links.sqlite"
    targets = [LinkTarget(f"k{i}", f"{site}/ok?batch={i}") for i in range(6)]

    def stop_at_five(done: int, total: int, result: CheckResult) -> None:
        if done == 5:
            raise KeyboardInterrupt

    with History(db) as h, pytest.raises(KeyboardInterrupt):
        check_links(targets, session, FAST, h, progress=stop_at_five)
    with History(db) as h:
        kept = [t.url for t in targets if h.latest(t.url) is not None]
    assert len(kept) == 4  # two batches of two; the fifth was not yet committed


def test_fingerprints_taken_in_another_process_give_the_same_verdicts(
        farm: Farm, site: str, session: requests.Session, tmp_path: Path) -> None:
    cited, live = (webfarm.page("Harbour news", "The council met on Tuesday and voted " * 12),
                   webfarm.page("Harbour news", "A different story about ferries and fish " * 12))
    verdicts = []
    for workers in (0, 1):
        path = f"/pool-{workers}"
        farm.pages[path] = (cited, "text/html; charset=utf-8")
        targets = [LinkTarget("a", site + path)]
        with History(tmp_path / f"links-{workers}.sqlite") as h:
            check_links(targets, session, FAST, h, clock=lambda: T0, extract_workers=workers)
            farm.pages[path] = (live, "text/html; charset=utf-8")
            run = check_links(targets, session, FAST, h, clock=lambda: T0 + DAY, refresh=True,
                              extract_workers=workers)
            stored = [f.fingerprint for f in h.fingerprints(site + path)]
        verdicts.append((run.outcomes[0].drift, stored))
    assert verdicts[0] == verdicts[1]
    drift = verdicts[1][0]
    assert drift is not None and drift.content.value == "changed"


def test_lookups_of_many_urls_agree_with_one_at_a_time(tmp_path: Path) -> None:
    fp = fingerprint(webfarm.page("Harbour news", "The council met on Tuesday " * 5))
    urls = [f"http://127.0.0.{i % 7 + 2}/p{i}" for i in range(1203)]  # three statements
    with History(tmp_path / "links.sqlite") as h:
        for i, url in enumerate(urls):
            if i % 5 == 0:
                continue  # never checked
            for run in range(i % 3 + 1):
                # Runs at the same instant too: the one added last is the latest.
                at = T0 + (run if i % 2 else 0) * DAY
                h.add(CheckResult(url, LinkStatus.ALIVE if run % 2 else LinkStatus.DEAD, at,
                                  http_status=200 + run, detail=f"run {run}"))
                if i % 4:
                    h.add_fingerprint(url, fp, at, digest=None if i % 8 == 3 else
                                      f"{url} {run}".encode())
        h.commit()
        assert h.latest_of(urls) == {u: r for u in urls if (r := h.latest(u)) is not None}
        assert h.live_digests(urls) == {u: d for u in urls if (d := h.live_digest(u))}
        assert len(h.latest_of(urls)) == 962 and h.latest_of([]) == {}
