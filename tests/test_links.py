"""The link checker against a local web of servers: every status, retries, limits."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator

import pytest
import requests
import urllib3

from bibvault.config import CheckConfig
from bibvault.links import CheckResult, History, LinkStatus, LinkTarget, check_links, check_url
from bibvault.links.classify import error_kind
from bibvault.links.fetch import retry_after
from bibvault.net import make_session, session_for_check
from webfarm import Farm, running_farm

FAST = CheckConfig(
    host_delay=0.0, connect_timeout=0.3, read_timeout=0.3, retries=1, backoff=0.01,
    retry_after_cap=5.0, request_deadline=0.6, max_body_bytes=200_000,
    user_agent="bibvault-tests/1 (+loopback)",
)


@pytest.fixture(scope="module")
def farm() -> Iterator[Farm]:
    yield from running_farm()


@pytest.fixture(scope="module")
def site(farm: Farm) -> str:
    return farm.site("127.0.0.2")


@pytest.fixture()
def session() -> Iterator[requests.Session]:
    s = session_for_check(FAST)
    yield s
    s.close()


class Sleeps:
    """An injected sleep that records instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.mark.parametrize(
    ("path", "status", "http_status"),
    [
        ("/ok", LinkStatus.ALIVE, 200),
        ("/ok.txt", LinkStatus.ALIVE, 200),
        ("/paper.pdf", LinkStatus.ALIVE, 200),
        ("/head-405", LinkStatus.ALIVE, 200),
        ("/chain302", LinkStatus.ALIVE, 200),
        ("/moved", LinkStatus.REDIRECTED, 200),
        ("/chain301", LinkStatus.REDIRECTED, 200),
        ("/missing", LinkStatus.DEAD, 404),
        ("/gone", LinkStatus.DEAD, 410),
        ("/soft-home", LinkStatus.SOFT_404, 200),
        ("/soft-path", LinkStatus.SOFT_404, 200),
        ("/soft-title", LinkStatus.SOFT_404, 200),
        ("/forbidden", LinkStatus.BLOCKED, 403),
        ("/auth", LinkStatus.BLOCKED, 401),
        ("/nine", LinkStatus.BLOCKED, 999),
        ("/challenge", LinkStatus.BLOCKED, 503),
        ("/teapot", LinkStatus.ERROR, 418),
        ("/broken", LinkStatus.ERROR, 500),
        ("/loop-a", LinkStatus.ERROR, None),
        ("/endless", LinkStatus.ERROR, None),
    ],
)
def test_each_kind_of_link_gets_its_status(site: str, session: requests.Session, path: str,
                                           status: LinkStatus, http_status: int | None) -> None:
    result = check_url(site + path, session, FAST, sleep=Sleeps())
    assert (result.status, result.http_status) == (status, http_status), result.detail


def test_permanent_redirect_reports_the_new_url(site: str, session: requests.Session) -> None:
    assert check_url(site + "/moved", session, FAST).new_url == site + "/ok"
    # 301 then 302: the link moved to the 301's target, which redirects temporarily.
    mixed = check_url(site + "/mixed", session, FAST)
    assert mixed.status is LinkStatus.REDIRECTED
    assert mixed.new_url == site + "/mixed-new"
    assert mixed.final_url == site + "/ok"
    assert check_url(site + "/chain302", session, FAST).new_url is None


def test_redirect_loop_is_named(site: str, session: requests.Session) -> None:
    result = check_url(site + "/loop-a", session, FAST)
    assert "loop" in result.detail
    endless = check_url(site + "/endless", session, FAST)
    assert "more than 10 redirects" in endless.detail
    assert endless.requests == 11  # one GET followed 10 redirects


def test_head_refused_falls_back_to_get(farm: Farm, site: str, session: requests.Session) -> None:
    result = check_url(site + "/head-405.pdf?probe=1", session, FAST)
    assert result.status is LinkStatus.ALIVE
    methods = [h.method for h in farm.log.for_host("127.0.0.2")
               if h.path == "/head-405.pdf?probe=1"]
    assert methods == ["HEAD", "GET"]


def test_a_page_costs_one_get(farm: Farm, site: str, session: requests.Session) -> None:
    for path in ("/ok?one", "/soft-title?one", "/head-405?one"):
        result = check_url(site + path, session, FAST)
        assert result.requests == 1
        assert [h.method for h in farm.log.hits if h.path == path] == ["GET"]
    assert check_url(site + "/soft-title?one", session, FAST).status is LinkStatus.SOFT_404


def test_plain_pages_are_checked_with_head_only(farm: Farm, site: str,
                                                 session: requests.Session) -> None:
    check_url(site + "/paper.pdf?head-only", session, FAST)
    assert [h.method for h in farm.log.hits if h.path == "/paper.pdf?head-only"] == ["HEAD"]


def test_user_agent_is_sent(farm: Farm, site: str, session: requests.Session) -> None:
    check_url(site + "/ok?ua", session, FAST)
    agents = {h.headers.get("User-Agent") for h in farm.log.hits if h.path == "/ok?ua"}
    assert agents == {FAST.user_agent}


def test_5xx_is_retried_with_exponential_backoff_until_it_recovers(
        farm: Farm, session: requests.Session) -> None:
    base = farm.site("127.0.0.5")
    sleeps = Sleeps()
    config = dataclasses.replace(FAST, retries=3, backoff=0.5)
    result = check_url(base + "/recovers", session, config, sleep=sleeps)
    assert result.status is LinkStatus.ALIVE
    assert sleeps.calls == [0.5, 1.0]  # two failed GETs, then success
    assert result.requests == 3  # GET 503, GET 503, GET 200


def test_5xx_that_persists_is_an_error_after_the_retries(
        farm: Farm, session: requests.Session) -> None:
    base = farm.site("127.0.0.6")
    result = check_url(base + "/recovers", session, dataclasses.replace(FAST, retries=1),
                       sleep=Sleeps())
    assert (result.status, result.http_status) == (LinkStatus.ERROR, 503)


def test_429_honours_retry_after_then_reports_rate_limited(
        site: str, session: requests.Session) -> None:
    sleeps = Sleeps()
    result = check_url(site + "/limited", session, dataclasses.replace(FAST, retries=2),
                       sleep=sleeps)
    assert result.status is LinkStatus.RATE_LIMITED
    assert sleeps.calls == [1.0, 1.0]  # Retry-After: 1 beats the 0.01 s back-off


def test_429_asking_for_more_than_the_cap_is_not_retried(
        site: str, session: requests.Session) -> None:
    sleeps = Sleeps()
    result = check_url(site + "/limited-long", session, FAST, sleep=sleeps)
    assert result.status is LinkStatus.RATE_LIMITED
    assert sleeps.calls == [] and result.requests == 1
    assert "Retry-After 3600 s exceeds the cap" in result.detail


def test_429_once_then_fine(farm: Farm, session: requests.Session) -> None:
    base = farm.site("127.0.0.7")
    result = check_url(base + "/limited-once", session, FAST, sleep=Sleeps())
    assert result.status is LinkStatus.ALIVE


def test_server_that_never_answers_times_out(farm: Farm, session: requests.Session) -> None:
    base = farm.silent("127.0.0.8")
    started = time.monotonic()
    result = check_url(base + "/x", session, FAST, sleep=Sleeps())
    assert result.status is LinkStatus.TIMEOUT
    assert time.monotonic() - started < 3


def test_dribbling_server_hits_the_deadline(site: str, session: requests.Session) -> None:
    started = time.monotonic()
    result = check_url(site + "/dribble", session, dataclasses.replace(FAST, retries=0))
    assert result.status is LinkStatus.TIMEOUT
    assert "deadline" in result.detail
    assert time.monotonic() - started < 2


def test_huge_body_is_not_read(site: str, session: requests.Session) -> None:
    started = time.monotonic()
    result = check_url(site + "/huge", session, FAST)
    assert result.status is LinkStatus.ALIVE
    assert time.monotonic() - started < 3  # 2 GB over loopback would take far longer


def test_connection_refused_and_tls_failure_are_dead(farm: Farm, site: str,
                                                      session: requests.Session) -> None:
    refused = check_url(farm.refused("127.0.0.9") + "/x", session, FAST)
    assert (refused.status, refused.detail) == (LinkStatus.DEAD, "connection refused")
    tls = check_url(site.replace("http://", "https://") + "/ok", session, FAST)
    assert (tls.status, tls.detail) == (LinkStatus.DEAD, "TLS failure")


def test_dns_failure_is_classified_dead() -> None:
    # Resolving a name would leave the machine, so the exception is built as
    # urllib3 raises it and requests wraps it.
    inner = urllib3.exceptions.NameResolutionError("no-such-host.invalid", None,  # type: ignore[arg-type]
                                                   OSError("Name or service not known"))
    exc = requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/", inner))  # type: ignore[arg-type]
    assert error_kind(exc) == ("dns", "DNS lookup failed")


def test_invalid_url_is_an_error(session: requests.Session) -> None:
    assert check_url("not a url", session, FAST).status is LinkStatus.ERROR


@pytest.mark.parametrize(("value", "expected"), [
    ("7", 7.0), (" 12 ", 12.0), ("Sat, 21 Nov 2026 15:00:10 GMT", 10.0), ("soon", None), (None, None),
])
def test_retry_after_parses_seconds_and_dates(value: str | None, expected: float | None) -> None:
    import email.utils

    now = email.utils.parsedate_to_datetime("Sat, 21 Nov 2026 15:00:00 GMT").timestamp()
    assert retry_after(value, now) == expected


def test_session_has_default_timeouts_and_user_agent() -> None:
    s = make_session("agent/1", connect_timeout=1.5, read_timeout=2.5)
    try:
        assert s.default_timeout == (1.5, 2.5)
        assert s.headers["User-Agent"] == "agent/1"
        assert s.get_adapter("http://x/").max_retries.total == 0
    finally:
        s.close()


def test_connections_are_kept_alive_when_bodies_are_small(farm: Farm,
                                                          session: requests.Session) -> None:
    base = farm.site("127.0.0.12")
    for path in ("/ok.txt", "/paper.pdf", "/moved", "/missing", "/ok"):
        check_url(base + path, session, FAST)
    ports = {h.client_port for h in farm.log.for_host("127.0.0.12")}
    assert len(farm.log.for_host("127.0.0.12")) == 6  # one request per page, per hop
    assert len(ports) == 1


def test_large_bodies_are_not_drained(farm: Farm, session: requests.Session) -> None:
    base = farm.site("127.0.0.13")
    check_url(base + "/huge", session, FAST)
    check_url(base + "/huge", session, FAST)
    # Each GET of the endless page dropped its connection rather than read 2 GB.
    assert len({h.client_port for h in farm.log.for_host("127.0.0.13")}) >= 2


@pytest.mark.parametrize("tls", [False, True], ids=["headers", "tls-handshake"])
def test_header_dribbled_byte_by_byte_cannot_outlast_the_deadline(farm: Farm, tls: bool) -> None:
    base = farm.dribbler("127.0.0.14", interval=0.05, tls=tls)
    config = dataclasses.replace(FAST, retries=0, connect_timeout=0.5, read_timeout=0.5,
                                 request_deadline=1.0)
    session = session_for_check(config)
    results: list[CheckResult] = []
    worker = threading.Thread(
        target=lambda: results.append(check_url(base + "/slow", session, config)), daemon=True)
    worker.start()
    worker.join(timeout=60)  # generous: without the deadline the server never stops
    session.close()
    assert not worker.is_alive()
    assert results[0].status is LinkStatus.TIMEOUT, results[0].detail


def test_a_link_that_ended_at_a_binary_file_is_asked_with_head_next_time(
        farm: Farm, site: str, session: requests.Session) -> None:
    url = f"{site}/to?u=/paper.pdf&doi=1"
    with History(":memory:") as history:
        first = check_links([LinkTarget("k", url)], session, FAST, history)
        second = check_links([LinkTarget("k", url)], session, FAST, history, refresh=True)
    assert first.outcomes[0].result.final_url == site + "/paper.pdf"
    assert second.outcomes[0].result.status is LinkStatus.ALIVE
    methods = [h.method for h in farm.log.hits if h.path == "/to?u=/paper.pdf&doi=1"]
    assert methods == ["GET", "HEAD"]
