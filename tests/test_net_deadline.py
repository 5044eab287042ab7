"""The request deadline: one watchdog thread per session cuts exchanges that outlast it."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from bibvault.config import CheckConfig
from bibvault.deadline import DeadlineAdapter
from bibvault.links import CheckResult, LinkStatus, LinkTarget, check_links, check_url
from bibvault.net import make_session, session_for_check
from webfarm import Farm, running_farm

CONFIG = CheckConfig(host_delay=0.0, retries=0, connect_timeout=2.0, read_timeout=30.0,
                     request_deadline=0.5, internal_networks=(), drift=False,
                     trust_env=False)


@pytest.fixture(scope="module")
def farm() -> Iterator[Farm]:
    yield from running_farm()


def watchdog_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "bibvault-deadline")


def adapter_of(session: requests.Session) -> DeadlineAdapter:
    adapter = session.get_adapter("http://127.0.0.1/")
    assert isinstance(adapter, DeadlineAdapter)
    return adapter


def test_a_stalled_server_ends_at_the_deadline_not_the_read_timeout(farm: Farm) -> None:
    # The server accepts and never answers: only the 0.5 s deadline can end the
    # request before the 30 s read timeout.
    base = farm.silent("127.0.0.71")
    session = session_for_check(CONFIG)
    results: list[CheckResult] = []
    worker = threading.Thread(
        target=lambda: results.append(check_url(base + "/x", session, CONFIG)), daemon=True)
    worker.start()
    worker.join(timeout=20)
    session.close()
    assert not worker.is_alive()
    assert results[0].status is LinkStatus.TIMEOUT, results[0].detail


def test_concurrent_stalls_share_one_watchdog_thread(farm: Farm) -> None:
    bases = [farm.dribbler(f"127.0.0.{72 + i}", interval=0.05) for i in range(4)]
    session = session_for_check(CONFIG)
    before = watchdog_threads()
    results: list[CheckResult] = []
    lock = threading.Lock()

    def check(url: str) -> None:
        result = check_url(url, session, CONFIG)
        with lock:
            results.append(result)

    workers = [threading.Thread(target=check, args=(f"{b}/slow{n}",), daemon=True)
               for b in bases for n in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=30)
    assert not any(w.is_alive() for w in workers)
    assert [r.status for r in results] == [LinkStatus.TIMEOUT] * 8
    assert watchdog_threads() - before <= 1
    assert adapter_of(session).watchdog.pending() == 0
    session.close()


def test_a_finished_exchange_is_never_cut_later(farm: Farm) -> None:
    """A kept-alive connection outlives the deadline of the request that opened it."""
    site = farm.site("127.0.0.76")
    session = make_session(request_deadline=0.2, internal_networks=[], trust_env=False)
    try:
        first = session.get(site + "/ok?n=1")
        time.sleep(0.6)  # three deadlines: a stale clock would have cut the socket
        second = session.get(site + "/ok?n=2")
    finally:
        session.close()
    assert (first.status_code, second.status_code) == (200, 200)
    hits = [h for h in farm.log.for_host("127.0.0.76") if h.path.startswith("/ok?n=")]
    assert len({h.client_port for h in hits}) == 1  # the same connection, used twice


def test_the_watchdog_ends_with_the_session(farm: Farm) -> None:
    site = farm.site("127.0.0.77")
    session = make_session(request_deadline=5.0, internal_networks=[], trust_env=False)
    session.get(site + "/ok").close()
    watchdog = adapter_of(session).watchdog
    assert watchdog.running()
    session.close()
    for _ in range(100):  # the thread wakes, sees the stop and goes
        if not watchdog.running():
            break
        time.sleep(0.1)
    assert not watchdog.running()
    assert watchdog.pending() == 0


def test_no_deadline_means_no_watchdog(farm: Farm) -> None:
    site = farm.site("127.0.0.78")
    session = make_session(request_deadline=0.0, internal_networks=[], trust_env=False)
    try:
        assert session.get(site + "/ok").status_code == 200
        assert not adapter_of(session).watchdog.running()
    finally:
        session.close()


def test_connections_to_many_hosts_are_kept_for_their_next_turn(farm: Farm) -> None:
    # More hosts than the 64 pools a session used to keep: checked in turns, each
    # host's connection must still be there when its second link comes round.
    ips = [f"127.0.1.{i}" for i in range(1, 81)]
    bases = [farm.site(ip) for ip in ips]
    config = dataclasses.replace(CONFIG, concurrency=4, request_deadline=10.0)
    targets = [LinkTarget(f"k{n}{i}", f"{b}/ok?turn={n}") for n in range(2)
               for i, b in enumerate(bases)]
    session = session_for_check(config)
    try:
        run = check_links(targets, session, config)
    finally:
        session.close()
    assert run.counts["alive"] == len(targets)
    reused = [len({h.client_port for h in farm.log.for_host(ip)}) == 1 for ip in ips]
    assert sum(reused) >= len(ips) - 4  # the turns overlap a little across threads
