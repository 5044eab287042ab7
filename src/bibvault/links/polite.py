"""Per-host politeness: at most N connections to a host and a minimum delay
between the starts of two requests to it, however many threads are asking.

Every HTTP request the checker sends, including each redirect hop and each
retry, goes through :meth:`HostGate.slot`. The gate is the only thing that
enforces politeness; the :class:`Dispatcher` merely hands out work in the order
hosts become free so that threads do not queue up behind one slow host.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import urlsplit


def host_of(url: str) -> str:
    """The politeness key of a URL: its host name, lower-cased, without port."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class HostGate:
    """Admits requests politely: per host (``per_host`` at once, ``delay`` apart)
    and overall (``total`` in flight); thread-safe.

    ``clock`` must be monotonic; waiting uses a condition variable, so the gate
    works in real time (tests use small delays rather than a fake clock here).
    """

    def __init__(self, per_host: int, delay: float, total: int = 0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_host = max(1, per_host)
        self.delay = max(0.0, delay)
        # The global limit counts requests in flight, not threads: a thread that
        # is only waiting for a host's turn holds no connection.
        self.total = total if total > 0 else 1 << 30
        self._all = 0
        self._clock = clock
        self._cond = threading.Condition()
        self._next: dict[str, float] = {}
        self._inflight: dict[str, int] = {}
        self._claimed: dict[str, int] = {}

    @contextlib.contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Hold one of ``host``'s connections for the duration of the block."""
        with self._cond:
            while True:
                now = self._clock()
                wait = self._next.get(host, 0.0) - now
                busy = self._inflight.get(host, 0) >= self.per_host or self._all >= self.total
                if wait <= 0 and not busy:
                    break
                self._cond.wait(timeout=wait if wait > 0 and not busy else None)
            self._inflight[host] = self._inflight.get(host, 0) + 1
            self._all += 1
            self._next[host] = now + self.delay
            if self._claimed.get(host, 0) > 0:
                self._claimed[host] -= 1
        try:
            yield
        finally:
            with self._cond:
                self._inflight[host] -= 1
                self._all -= 1
                self._cond.notify_all()

    def claim(self, host: str) -> None:
        """Note that a task for ``host`` was handed out and will request soon."""
        with self._cond:
            self._claimed[host] = self._claimed.get(host, 0) + 1

    def ready_at(self, host: str) -> float:
        """When a newly handed-out task for ``host`` could expect to start."""
        with self._cond:
            now = self._clock()
            start = max(now, self._next.get(host, 0.0)) + self._claimed.get(host, 0) * self.delay
            if self._inflight.get(host, 0) >= self.per_host:
                start += self.delay
            return start


class Dispatcher:
    """Hands out URLs host by host, always from the host that is free soonest."""

    def __init__(self, urls: Iterable[str], gate: HostGate) -> None:
        self._gate = gate
        self._lock = threading.Lock()
        self._queues: dict[str, deque[str]] = {}
        for url in urls:
            self._queues.setdefault(host_of(url), deque()).append(url)

    def take(self) -> str | None:
        """The next URL to check, or ``None`` when there is none left."""
        with self._lock:
            if not self._queues:
                return None
            host = min(self._queues, key=self._gate.ready_at)
            queue = self._queues[host]
            url = queue.popleft()
            if not queue:
                del self._queues[host]
            self._gate.claim(host)
            return url
