"""archive writes only good copies, and asks other archives when the Web Archive has none."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
import requests

from bibvault.archive import ArchiveTarget, archive_records
from bibvault.archive.memento import CopyStatus, check_copy
from bibvault.config import ArchiveConfig
from bibvault.net import HostGate
from webfarm import Capture, Farm, Memento, running_farm

NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC).timestamp()


@pytest.fixture()
def farm() -> Iterator[Farm]:
    yield from running_farm()


@pytest.fixture()
def session() -> Iterator[requests.Session]:
    s = requests.Session()
    yield s
    s.close()


def test_a_capture_whose_memento_is_a_soft_404_is_not_written(
        farm: Farm, session: requests.Session) -> None:
    wayback = farm.archive("127.0.0.100")
    cfg = dataclasses.replace(ArchiveConfig(), wayback_url=wayback, memento_url=wayback)
    url = "http://soft.test/article"
    farm.archive_state.captures[url] = [Capture("20210901000000", title="Page not found")]
    result = archive_records([ArchiveTarget("s", url, urldate="2021-09-03")], session, cfg, None,
                             gate=HostGate(2, 0.0), clock=lambda: NOW)
    assert result.outcomes[0].updates == {}
    codes = [f.code for f in result.findings]
    assert codes == ["A509", "A519", "A501"]
    assert "soft-404" in result.findings[1].message
    # A good capture of the same page is written.
    farm.archive_state.captures[url].append(Capture("20210902000000"))
    good = archive_records([ArchiveTarget("s", url, urldate="2021-09-03")], session, cfg, None,
                           gate=HostGate(2, 0.0), clock=lambda: NOW)
    assert good.outcomes[0].updates["archivedate"] == "2021-09-02"


def test_a_capture_of_the_home_page_is_not_written(farm: Farm, session: requests.Session) -> None:
    wayback = farm.archive("127.0.0.101")
    cfg = dataclasses.replace(ArchiveConfig(), wayback_url=wayback, memento_url=wayback)
    url = "http://moved.test/story"
    farm.archive_state.captures[url] = [Capture("20210901000000", original="http://moved.test/")]
    result = archive_records([ArchiveTarget("m", url, urldate="2021-09-03")], session, cfg, None,
                             gate=HostGate(2, 0.0), clock=lambda: NOW)
    assert result.outcomes[0].updates == {}
    assert any(f.code == "A519" and "wrong-url" in f.message for f in result.findings)


def test_other_archives_through_the_aggregator(farm: Farm, session: requests.Session) -> None:
    wayback = farm.archive("127.0.0.102")
    aggregator = farm.aggregator("127.0.0.103")
    url = "http://elsewhere.test/report"
    farm.aggregator_state.mementos[url] = [
        Memento("arch-one", "20210801000000"), Memento("arch-two", "20210902101010"),
        Memento("arch-two", "20230101000000")]
    cfg = dataclasses.replace(ArchiveConfig(), wayback_url=wayback, memento_url=aggregator)
    result = archive_records([ArchiveTarget("e", url, urldate="2021-09-03")], session, cfg, None,
                             gate=HostGate(2, 0.0), clock=lambda: NOW)
    (o,) = result.outcomes
    assert o.updates == {"archiveurl": f"{aggregator}/arch-two/20210902101010/{url}",
                         "archivedate": "2021-09-02"}
    assert o.note == "capture in another archive"
    assert [f.code for f in result.findings] == ["A509"]
    # The archive list narrows the choice.
    only_one = dataclasses.replace(cfg, memento_archives=(f"{aggregator}/arch-one",))
    result = archive_records([ArchiveTarget("e", url, urldate="2021-09-03")], session, only_one,
                             None, gate=HostGate(2, 0.0), clock=lambda: NOW)
    assert result.outcomes[0].updates["archiveurl"] == f"{aggregator}/arch-one/20210801000000/{url}"
    # The copy it wrote passes verify --remote's judgement.
    verdict = check_copy(session, f"{aggregator}/arch-one/20210801000000/{url}", url,
                         "2021-08-01", HostGate(2, 0.0))
    assert verdict.status is CopyStatus.OK


def test_aggregator_mementos_of_errors_are_skipped(farm: Farm, session: requests.Session) -> None:
    wayback = farm.archive("127.0.0.104")
    aggregator = farm.aggregator("127.0.0.105")
    url = "http://gone.test/page"
    farm.aggregator_state.mementos[url] = [Memento("arch-one", "20210901000000", statuscode="404",
                                                   title="Not Found")]
    cfg = dataclasses.replace(ArchiveConfig(), wayback_url=wayback, memento_url=aggregator)
    result = archive_records([ArchiveTarget("g", url, urldate="2021-09-03")], session, cfg, None,
                             gate=HostGate(2, 0.0), clock=lambda: NOW)
    assert result.outcomes[0].updates == {}
    assert [f.code for f in result.findings] == ["A509", "A519", "A501"]


def test_captured_errors_listed_by_the_cdx_server_are_not_chosen(
        farm: Farm, session: requests.Session) -> None:
    wayback = farm.archive("127.0.0.106")
    farm.archive_state.ignore_filter = True
    url = "http://errors.test/page"
    farm.archive_state.captures[url] = [Capture("20210801000000"),
                                        Capture("20210902000000", statuscode="404")]
    cfg = dataclasses.replace(ArchiveConfig(), wayback_url=wayback, memento_url=wayback)
    result = archive_records([ArchiveTarget("c", url, urldate="2021-09-03")], session, cfg, None,
                             gate=HostGate(2, 0.0), clock=lambda: NOW)
    assert result.outcomes[0].updates["archivedate"] == "2021-08-01"
