"""Handing out URLs to the checker's threads, earliest-due host first.

The :class:`~bibvault.net.HostGate` is what enforces politeness; this
queue only orders the work so that a thread rarely has to wait in the gate. It
remembers when each host is next due (``delay`` after the last URL of it was
handed out) in a heap, so taking a URL costs O(log hosts) however many hosts
there are, and a thread given a URL whose host is not due yet sleeps until
then outside every lock: a sleeping thread wakes no other.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

from bibvault.links.polite import host_of


class HostQueue:
    """URLs grouped by host; :meth:`take` gives the next one whose host is due soonest.

    Among hosts due at the same time, the one handed out least often comes first,
    so with no delay the hosts take turns rather than one host's URLs queueing
    behind its connection limit.
    """

    def __init__(self, urls: Iterable[str], delay: float,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._delay = max(0.0, delay)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._queues: dict[str, deque[str]] = {}
        for url in urls:
            self._queues.setdefault(host_of(url), deque()).append(url)
        # (due, turns handed out, order of first appearance, host)
        self._heap = [(0.0, 0, i, host) for i, host in enumerate(self._queues)]

    def __len__(self) -> int:
        with self._lock:
            return sum(len(q) for q in self._queues.values())

    def take(self) -> str | None:
        """The next URL to check, after sleeping until its host is due; ``None`` when
        none is left."""
        with self._lock:
            if not self._heap:
                return None
            due, turns, order, host = heapq.heappop(self._heap)
            queue = self._queues[host]
            url = queue.popleft()
            now = self._clock()
            start = max(due, now)
            if queue:
                heapq.heappush(self._heap, (start + self._delay, turns + 1, order, host))
            else:
                del self._queues[host]
        if start > now:
            self._sleep(start - now)
        return url
