"""Handing out link-check work host by host, so that threads do not queue up behind one
slow host. Politeness itself is enforced by :class:`bibvault.net.HostGate`, which
every request passes, including each redirect hop and each retry.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable

from bibvault.net import HostGate, host_of


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
