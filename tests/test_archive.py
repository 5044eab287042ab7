"""Archiving against a fake Web Archive on loopback: CDX lookups, SPN2 saves, limits."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from bibvault.archive import ArchiveTarget, Credentials, archive_records, find_credentials
from bibvault.archive.credentials import redact
from bibvault.archive.spn2 import SaveThrottle
from bibvault.archive.wayback import closest_capture, parse_urldate
from bibvault.config import ArchiveConfig
from bibvault.net import HostGate
from webfarm import Capture, Farm, running_farm

NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC).timestamp()
CREDS = Credentials("test-access", "test-secret", "tests")


class FakeTime:
    """A clock and a sleep that advance together, instantly."""

    def __init__(self, start: float = NOW) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture()
def farm() -> Iterator[Farm]:
    yield from running_farm()


@pytest.fixture()
def wayback(farm: Farm) -> str:
    return farm.archive("127.0.0.40")


@pytest.fixture()
def site(farm: Farm) -> str:
    return farm.site("127.0.0.41")


@pytest.fixture()
def session() -> Iterator[requests.Session]:
    s = requests.Session()
    yield s
    s.close()


def gate() -> HostGate:
    return HostGate(2, 0.0)


def config(wayback: str, **kw: object) -> ArchiveConfig:
    return dataclasses.replace(ArchiveConfig(), wayback_url=wayback, memento_url=wayback,  # type: ignore[arg-type]
                               poll_interval=5.0, **kw)


def saves(farm: Farm) -> int:
    return sum(1 for h in farm.log.hits if h.method == "POST" and h.path == "/save")


def test_parse_urldate_takes_the_last_day_meant() -> None:
    assert parse_urldate("2021-09-03") == dt.date(2021, 9, 3)
    assert parse_urldate("2021-02") == dt.date(2021, 2, 28)
    assert parse_urldate("2020") == dt.date(2020, 12, 31)
    assert parse_urldate("yesterday") is None and parse_urldate(None) is None


def test_capture_closest_before_urldate_else_after(farm: Farm, wayback: str,
                                                   session: requests.Session) -> None:
    url = "http://example.test/paper"
    farm.archive_state.captures[url] = [
        Capture("20190501101010"), Capture("20210830000000"),
        Capture("20210902000000", statuscode="404"), Capture("20220101000000"),
    ]
    before = closest_capture(session, wayback, url, dt.date(2021, 9, 3), gate())
    assert before is not None and before.timestamp == "20210830000000"
    after = closest_capture(session, wayback, url, dt.date(2018, 1, 1), gate())
    assert after is not None and after.timestamp == "20190501101010"
    latest = closest_capture(session, wayback, url, None, gate())
    assert latest is not None and latest.timestamp == "20220101000000"
    assert closest_capture(session, wayback, "http://example.test/none", None, gate()) is None
    query = parse_qs(urlsplit(farm.log.hits[0].path).query)
    assert query["output"] == ["json"] and query["filter"] == ["statuscode:2.."]


def test_without_credentials_lookup_only(farm: Farm, wayback: str,
                                         session: requests.Session) -> None:
    farm.archive_state.captures["http://a.test/"] = [Capture("20260101000000")]
    targets = [ArchiveTarget("a", "http://a.test/"), ArchiveTarget("b", "http://b.test/")]
    t = FakeTime()
    seen: list[tuple[int, int, str]] = []
    run = archive_records(targets, session, config(wayback), None, gate=gate(), clock=t.clock,
                          sleep=t.sleep, progress=lambda n, total, tg: seen.append((n, total, tg.key)))
    assert seen == [(0, 2, "a"), (1, 2, "b")]
    a, b = run.outcomes
    assert a.updates == {"archiveurl": f"{wayback}/web/20260101000000/http://a.test/",
                         "archivedate": "2026-01-01"}
    assert b.updates == {} and b.capture is None
    assert {f.code for f in run.findings} == {"A509", "A501"}
    assert run.lookup_only and saves(farm) == 0


def test_save_polls_pending_job_then_writes_the_capture(farm: Farm, wayback: str,
                                                         session: requests.Session) -> None:
    url = "http://new.test/article"
    farm.archive_state.save_behaviour[url] = "pending:2"
    t = FakeTime()
    run = archive_records([ArchiveTarget("n", url, urldate="2026-11-20")], session,
                          config(wayback), CREDS, gate=gate(), clock=t.clock, sleep=t.sleep)
    (o,) = run.outcomes
    assert o.saved and o.updates["archivedate"] == "2026-11-21"
    assert o.updates["archiveurl"] == f"{wayback}/web/20261121120000/{url}"
    assert t.sleeps == [5.0, 5.0]  # two pending answers, polled at poll_interval
    post = next(h for h in farm.log.hits if h.method == "POST")
    assert post.headers["Authorization"] == "LOW test-access:test-secret"
    assert parse_qs(post.body.decode()) == {"url": [url]}
    assert run.findings == ()


def test_error_reported_with_http_200_is_a_failed_save(farm: Farm, wayback: str,
                                                       session: requests.Session) -> None:
    url = "http://broken.test/"
    farm.archive_state.save_behaviour[url] = "error-200"
    t = FakeTime()
    run = archive_records([ArchiveTarget("x", url)], session, config(wayback), CREDS,
                          gate=gate(), clock=t.clock, sleep=t.sleep)
    (f,) = run.findings
    assert f.code == "A502" and "error:not-found" in f.message and "cannot find" in f.message
    assert run.outcomes[0].updates == {}


def test_an_echoed_authorization_header_is_redacted(farm: Farm, wayback: str,
                                                     session: requests.Session) -> None:
    url = "http://echo.test/"
    farm.archive_state.save_behaviour[url] = "echo"
    t = FakeTime()
    run = archive_records([ArchiveTarget("e", url)], session, config(wayback), CREDS,
                          gate=gate(), clock=t.clock, sleep=t.sleep)
    (f,) = run.findings
    assert f.code == "A502" and "Authorization: ***" in f.message
    text = json.dumps(f.to_dict()) + f.format_text()
    assert "test-secret" not in text and "test-access:" not in text and "LOW ***" not in text


def test_credentials_are_never_sent_over_plain_http(farm: Farm,
                                                    session: requests.Session) -> None:
    remote = dataclasses.replace(config("http://127.0.0.40:9"), wayback_url="http://archive.invalid",
                                 memento_url="http://archive.invalid")
    t = FakeTime()
    run = archive_records([ArchiveTarget("p", "http://plain.test/")], session, remote, CREDS,
                          gate=gate(), clock=t.clock, sleep=t.sleep)
    assert [f.code for f in run.findings][:2] == ["A513", "A511"]
    assert not any(h.method == "POST" for h in farm.log.hits)
    assert run.saves == 0


def test_redact_masks_tokens_and_headers() -> None:
    assert redact("sent LOW ak:sk and Authorization: Bearer xyz") == \
        "sent LOW *** and Authorization: ***"
    assert CREDS.redact("key test-secret here") == "key *** here"


@given(st.text(), st.text())
def test_redaction_never_raises_nor_lets_the_secret_through(before: str, after: str) -> None:
    assert "test-secret" not in CREDS.redact(before + "test-secret" + after)
    assert "LOW test-access:" not in CREDS.redact(f"{before} LOW test-access:x{after}")


def test_daily_limit_stops_further_saves(farm: Farm, wayback: str,
                                         session: requests.Session) -> None:
    farm.archive_state.save_behaviour["http://one.test/"] = "daily-limit"
    farm.archive_state.captures["http://three.test/"] = [Capture("20261101000000")]
    targets = [ArchiveTarget("one", "http://one.test/"), ArchiveTarget("two", "http://two.test/"),
               ArchiveTarget("three", "http://three.test/")]
    t = FakeTime()
    run = archive_records(targets, session, config(wayback), CREDS, gate=gate(), clock=t.clock,
                          sleep=t.sleep)
    assert saves(farm) == 1
    assert [f.code for f in run.findings] == ["A510", "A501"]
    assert run.stopped and run.outcomes[2].updates  # lookups go on
    assert "test-secret" not in repr(run)


def test_at_most_six_saves_per_minute(farm: Farm, wayback: str, session: requests.Session) -> None:
    targets = [ArchiveTarget(f"k{i}", f"http://many.test/{i}") for i in range(8)]
    t = FakeTime()
    run = archive_records(targets, session, config(wayback), CREDS, gate=gate(), clock=t.clock,
                          sleep=t.sleep)
    assert saves(farm) == 8 and all(o.saved for o in run.outcomes)
    # Six saves at once, then the seventh waits a minute; by then the whole
    # first window has passed, so the eighth goes straight after it.
    assert t.sleeps == [60.0]


def test_throttle_window_slides() -> None:
    t = FakeTime(0.0)
    throttle = SaveThrottle(2, t.clock, t.sleep)
    starts = []
    for at in (0.0, 10.0, 30.0, 31.0):
        t.now = max(t.now, at)
        throttle.wait()
        starts.append(t.now)
    # The third waits for the first to leave the window, the fourth for the second.
    assert t.sleeps == [30.0, 10.0]
    assert starts == [0.0, 10.0, 60.0, 70.0]


def test_old_capture_is_refreshed_when_credentials_allow(farm: Farm, wayback: str,
                                                         session: requests.Session) -> None:
    url = "http://old.test/"
    farm.archive_state.captures[url] = [Capture("20100101000000")]
    t = FakeTime()
    run = archive_records([ArchiveTarget("o", url)], session, config(wayback), CREDS, gate=gate(),
                          clock=t.clock, sleep=t.sleep)
    assert run.outcomes[0].saved and run.outcomes[0].updates["archivedate"] == "2026-11-21"
    fresh = archive_records([ArchiveTarget("o", url)], session,
                            config(wayback, max_age_days=10_000.0), CREDS, gate=gate(),
                            clock=t.clock, sleep=t.sleep)
    assert not fresh.outcomes[0].saved and saves(farm) == 1


def test_second_run_with_archive_fields_makes_no_request(farm: Farm, wayback: str,
                                                         session: requests.Session) -> None:
    t = FakeTime()
    first = archive_records([ArchiveTarget("a", "http://again.test/")], session, config(wayback),
                            CREDS, gate=gate(), clock=t.clock, sleep=t.sleep)
    up = first.outcomes[0].updates
    seen = len(farm.log.hits)
    again = archive_records(
        [ArchiveTarget("a", "http://again.test/", archiveurl=up["archiveurl"],
                       archivedate=up["archivedate"])],
        session, config(wayback), CREDS, gate=gate(), clock=t.clock, sleep=t.sleep)
    assert len(farm.log.hits) == seen and again.outcomes[0].updates == {}


def test_dry_run_requests_no_capture(farm: Farm, wayback: str, session: requests.Session) -> None:
    run = archive_records([ArchiveTarget("d", "http://dry.test/")], session, config(wayback),
                          CREDS, gate=gate(), dry_run=True)
    assert saves(farm) == 0 and [f.code for f in run.findings] == ["A501"]


def test_unreachable_archive_is_a_finding(farm: Farm, session: requests.Session) -> None:
    dead = farm.refused("127.0.0.42")
    run = archive_records([ArchiveTarget("u", "http://x.test/")], session, config(dead), None,
                          gate=gate())
    assert [f.code for f in run.findings] == ["A509", "A511"]


def test_credentials_from_environment_then_ia_ini(tmp_path: pytest.TempPathFactory) -> None:
    home = tmp_path  # type: ignore[assignment]
    env = {"IA_ACCESS_KEY": "ak", "IA_SECRET_KEY": "sk"}
    creds = find_credentials(env, home)  # type: ignore[arg-type]
    assert creds is not None and creds.header() == "LOW ak:sk"
    assert "sk" not in repr(creds) and "sk" not in str(creds)
    assert find_credentials({}, home) is None  # type: ignore[arg-type]
    ini = home / ".config" / "internetarchive" / "ia.ini"  # type: ignore[operator]
    ini.parent.mkdir(parents=True)
    ini.write_text("[s3]\naccess = fromfile\nsecret = hidden\n", encoding="utf-8")
    creds = find_credentials({}, home)  # type: ignore[arg-type]
    assert creds is not None and (creds.access, creds.source) == ("fromfile", str(ini))
    assert "hidden" not in repr(creds)
    # The environment wins; half a pair in the environment does not count.
    assert find_credentials({"IA_ACCESS_KEY": "only"}, home).access == "fromfile"  # type: ignore[arg-type,union-attr]
