"""Politeness under concurrency, seen from the servers' side."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from bibvault.config import CheckConfig
from bibvault.links import LinkTarget, check_links
from bibvault.links.polite import Dispatcher, HostGate
from webfarm import Farm, running_farm

BASE = CheckConfig(connect_timeout=1.0, read_timeout=1.0, retries=0, request_deadline=2.0,
                   sniff_titles=False)


@pytest.fixture(scope="module")
def farm() -> Iterator[Farm]:
    yield from running_farm()


@pytest.fixture()
def session() -> Iterator[requests.Session]:
    s = requests.Session()
    yield s
    s.close()


def test_minimum_delay_between_requests_to_one_host(farm: Farm, session: requests.Session) -> None:
    hosts = ["127.0.0.21", "127.0.0.22", "127.0.0.23"]
    bases = [farm.site(h) for h in hosts]
    config = dataclasses.replace(BASE, host_delay=0.1, concurrency=8)
    targets = [LinkTarget(f"{i}", f"{bases[i % 3]}/ok.txt?d={i}") for i in range(18)]
    started = time.monotonic()
    check_links(targets, session, config)
    elapsed = time.monotonic() - started
    for host in hosts:
        times = sorted(h.at for h in farm.log.for_host(host))
        assert len(times) == 6
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        # The gate spaces request starts; a server sees arrivals, which a new
        # connection's set-up can delay by a few milliseconds.
        assert min(gaps) >= 0.1 - 0.015, gaps
    # Hosts are served side by side, not one after the other (which takes ≥ 1.5 s).
    assert elapsed < 1.2


def test_at_most_per_host_connections(farm: Farm, session: requests.Session) -> None:
    slow = farm.site("127.0.0.24", delay=0.15)
    config = dataclasses.replace(BASE, host_delay=0.0, per_host=2, concurrency=10)
    check_links([LinkTarget(f"{i}", f"{slow}/ok.txt?c={i}") for i in range(8)], session, config)
    assert farm.log.max_active["127.0.0.24"] == 2


def test_global_limit_caps_requests_in_flight(farm: Farm, session: requests.Session) -> None:
    bases = [farm.site(f"127.0.0.{30 + i}", delay=0.1) for i in range(6)]
    config = dataclasses.replace(BASE, host_delay=0.0, per_host=2, concurrency=3)
    targets = [LinkTarget(f"{i}", f"{bases[i % 6]}/ok.txt?g={i}") for i in range(12)]
    peak = 0
    stop = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not stop.is_set():
            with farm.log.lock:
                peak = max(peak, sum(farm.log.active.get(f"127.0.0.{30 + i}", 0) for i in range(6)))
            time.sleep(0.002)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        check_links(targets, session, config)
    finally:
        stop.set()
        watcher.join()
    assert 2 <= peak <= 3


def test_dispatcher_prefers_the_host_that_is_free_soonest() -> None:
    gate = HostGate(per_host=1, delay=10.0)
    urls = [f"http://a.test/{i}" for i in range(3)] + [f"http://b.test/{i}" for i in range(3)]
    d = Dispatcher(urls, gate)
    first = d.take()
    with gate.slot("a.test" if first and "a.test" in first else "b.test"):
        pass
    second = d.take()
    assert first is not None and second is not None
    assert first.split("/")[2] != second.split("/")[2]
