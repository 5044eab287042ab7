"""The checker's host queue: earliest-due host first, hosts taking turns, each URL once."""

from __future__ import annotations

import threading

from bibvault.links.schedule import HostQueue


class ManualClock:
    """A clock that moves only when the queue sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def drain(q: HostQueue, clock: ManualClock) -> list[tuple[str, float]]:
    out = []
    while (url := q.take()) is not None:
        out.append((url, clock.now))
    return out


def test_a_host_is_handed_out_again_only_after_the_delay() -> None:
    clock = ManualClock()
    urls = ["http://a.test/1", "http://a.test/2", "http://a.test/3",
            "http://b.test/1", "http://b.test/2", "http://c.test/1"]
    q = HostQueue(urls, delay=1.0, clock=clock, sleep=clock.sleep)
    assert len(q) == 6
    assert drain(q, clock) == [
        ("http://a.test/1", 0.0), ("http://b.test/1", 0.0), ("http://c.test/1", 0.0),
        ("http://a.test/2", 1.0), ("http://b.test/2", 1.0), ("http://a.test/3", 2.0)]
    assert clock.slept == [1.0, 1.0]
    assert q.take() is None and len(q) == 0


def test_time_spent_elsewhere_counts_towards_the_delay() -> None:
    clock = ManualClock()
    q = HostQueue(["http://a.test/1", "http://a.test/2", "http://a.test/3"], delay=1.0,
                  clock=clock, sleep=clock.sleep)
    assert q.take() == "http://a.test/1"
    clock.now = 5.0  # the first request took long: the next is due at once
    assert q.take() == "http://a.test/2" and clock.now == 5.0
    assert q.take() == "http://a.test/3" and clock.now == 6.0


def test_without_delay_hosts_take_turns() -> None:
    clock = ManualClock()
    urls = [f"http://a.test/{i}" for i in range(3)] + [f"http://b.test/{i}" for i in range(2)]
    q = HostQueue(urls, delay=0.0, clock=clock, sleep=clock.sleep)
    assert [u for u, _ in drain(q, clock)] == [
        "http://a.test/0", "http://b.test/0", "http://a.test/1", "http://b.test/1",
        "http://a.test/2"]
    assert clock.slept == []


def test_threads_get_every_url_exactly_once() -> None:
    urls = [f"http://h{i % 37}.test/{i}" for i in range(2000)]
    q = HostQueue(urls, delay=0.0)
    got: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        while (url := q.take()) is not None:
            with lock:
                got.append(url)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == sorted(urls)
