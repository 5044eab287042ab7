"""Deadlines for whole HTTP exchanges, kept by one watchdog thread per adapter.

Per-read timeouts restart with every byte, so a server that dribbles its status
line one byte a second would hold a request forever. Each connection made by a
:class:`DeadlineAdapter` is registered with the adapter's :class:`Watchdog` when
it starts connecting (a TLS handshake can be dribbled too) or sending a
request, and unregistered when the response headers are in; the watchdog shuts
down the socket of any connection still registered when its deadline passes,
which ends the read whatever the server does.

One thread serves every request of a session: starting a timer thread per
request cost more CPU than the rest of the request on a fast link check. All
of a watchdog's deadlines have the same length, so the order in which
connections are registered is the order of their deadlines, and an ordered
dict gives registering, unregistering and finding the next deadline in O(1).
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ReadTimeoutError
from urllib3.response import HTTPResponse

#: Seconds an idle watchdog thread waits for work before it ends; the next
#: request starts a new one.
IDLE_SECONDS = 10.0


class Watchdog:
    """Cuts the socket of every registered connection whose ``length`` seconds are up.

    ``clock`` must be monotonic. The thread starts with the first registration
    and ends after :data:`IDLE_SECONDS` without any, or on :meth:`stop`.
    """

    def __init__(self, length: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.length = length
        self._clock = clock
        self._cond = threading.Condition()
        self._due: OrderedDict[DeadlineHTTPConnection, float] = OrderedDict()
        self._thread: threading.Thread | None = None
        self._stopped = False

    def arm(self, conn: DeadlineHTTPConnection) -> None:
        """Start ``conn``'s clock, unless it runs already."""
        with self._cond:
            if conn in self._due:
                return
            conn.expired = False
            self._due[conn] = self._clock() + self.length
            self._stopped = False  # a thread told to stop but not yet gone carries on
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="bibvault-deadline",
                                                daemon=True)
                self._thread.start()
            elif len(self._due) == 1:
                self._cond.notify()  # the thread sleeps without a deadline to wait for

    def disarm(self, conn: DeadlineHTTPConnection) -> None:
        """Stop ``conn``'s clock; once this returns, the watchdog leaves it alone."""
        with self._cond:
            self._due.pop(conn, None)

    def stop(self) -> None:
        """End the thread (a later :meth:`arm` starts another)."""
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def running(self) -> bool:
        """Whether the thread is there (working, idle, or told to stop but not gone)."""
        with self._cond:
            return self._thread is not None

    def pending(self) -> int:
        """How many connections have a clock running."""
        with self._cond:
            return len(self._due)

    def _watch(self) -> None:
        with self._cond:
            try:
                while not self._stopped:
                    if not self._due:
                        if not self._cond.wait(IDLE_SECONDS) and not self._due:
                            return
                        continue
                    conn, due = next(iter(self._due.items()))
                    wait = due - self._clock()
                    if wait > 0:
                        self._cond.wait(wait)
                        continue
                    del self._due[conn]
                    # Under the lock: a connection whose clock was stopped is
                    # never cut afterwards, even if it is reused at once.
                    conn.cut()
            finally:
                self._thread = None


class DeadlineHTTPConnection(HTTPConnection):
    """An HTTP connection whose connecting, request and response headers together
    must finish within its watchdog's length (set on subclasses by the adapter)."""

    watchdog: Watchdog | None = None
    expired: bool = False

    def _arm(self) -> None:
        if self.watchdog is not None and self.watchdog.length > 0:
            self.watchdog.arm(self)

    def _disarm(self) -> None:
        if self.watchdog is not None:
            self.watchdog.disarm(self)

    def cut(self) -> None:
        """End whatever is being read or written on this connection now."""
        self.expired = True
        sock = self.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def connect(self) -> None:
        self._arm()
        try:
            super().connect()
        except BaseException:
            self._disarm()  # the exchange is over; the connection may be reused
            raise

    def request(self, *args: Any, **kwargs: Any) -> None:
        self._arm()
        try:
            super().request(*args, **kwargs)
        except BaseException:
            self._disarm()
            raise

    def getresponse(self) -> HTTPResponse:  # type: ignore[override]
        try:
            response = super().getresponse()
        except (OSError, ValueError, http.client.HTTPException) as exc:
            # A status line cut short is a BadStatusLine, not a socket error.
            self._disarm()
            _raise_if_expired(self, exc)
            raise
        # The body is the reader's to bound: a page's first kilobytes and a
        # 50 MB download need different deadlines.
        self._disarm()
        if self.expired:
            # A socket cut mid-headers can read as a complete, shorter answer.
            response.close()
            _raise_if_expired(self, None)
        return response

    def close(self) -> None:
        self._disarm()
        super().close()


class DeadlineHTTPSConnection(DeadlineHTTPConnection, HTTPSConnection):
    """The HTTPS twin of :class:`DeadlineHTTPConnection`."""


def _raise_if_expired(conn: DeadlineHTTPConnection, exc: Exception | None) -> None:
    """A failed read that the watchdog caused is a read timeout, as a slow server's is."""
    if conn.expired:
        raise ReadTimeoutError(None, "", "request deadline passed") from exc  # type: ignore[arg-type]


class DeadlineAdapter(HTTPAdapter):
    """An adapter whose connections, direct or through an HTTP proxy, enforce a total
    deadline (``deadline`` seconds, 0 for none) on every exchange."""

    def __init__(self, deadline: float, **kwargs: Any) -> None:
        self.deadline = deadline
        self.watchdog = Watchdog(deadline)
        http = type("DeadlineHTTP", (DeadlineHTTPConnection,), {"watchdog": self.watchdog})
        https = type("DeadlineHTTPS", (DeadlineHTTPSConnection,), {"watchdog": self.watchdog})
        self._pool_classes = {
            "http": type("DeadlineHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http}),
            "https": type("DeadlineHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https}),
        }
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Make the pool manager use connections that carry this adapter's deadline."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pool_classes

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """The proxy's manager, whose connections carry the deadline too (SOCKS
        proxies keep their own connection classes)."""
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = self._pool_classes
        return manager

    def close(self) -> None:
        """Close every pooled connection and end the watchdog's thread."""
        super().close()
        self.watchdog.stop()
