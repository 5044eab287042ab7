"""The one place a network client is made.

Every stage that talks to the network takes a :class:`requests.Session` as an
argument; only the command line calls :func:`make_session`. The session sends a
descriptive User-Agent, applies a default (connect, read) timeout to every
request that does not set one, and never retries on its own: urllib3's silent
retries would break the link checker's politeness accounting, so retries are
explicit and visible in :mod:`bibvault.links.fetch`.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from bibvault import __version__
from bibvault.config import CheckConfig

DEFAULT_USER_AGENT = f"bibvault/{__version__} (+link checker for curated reading lists)"

Timeout = tuple[float, float]


class TimeoutSession(requests.Session):
    """A :class:`requests.Session` whose requests always carry a timeout."""

    def __init__(self, timeout: Timeout) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        """Send a request; ``timeout`` defaults to the session's (connect, read) pair."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, *args, **kwargs)


def make_session(
    user_agent: str = DEFAULT_USER_AGENT,
    *,
    connect_timeout: float = 10.0,
    read_timeout: float = 20.0,
    pool_connections: int = 64,
    pool_maxsize: int = 4,
) -> TimeoutSession:
    """A session with timeouts, a User-Agent and no automatic retries.

    ``pool_connections`` is how many hosts keep a connection pool at once (a
    check over many hosts must not evict pools it is about to reuse);
    ``pool_maxsize`` is the number of kept-alive connections per host, which
    should match the per-host politeness limit.
    """
    session = TimeoutSession((connect_timeout, read_timeout))
    session.headers["User-Agent"] = user_agent
    # read=False re-raises read timeouts as such instead of wrapping them in a
    # generic connection error.
    no_retries = Retry(total=0, read=False, redirect=False)
    adapter = HTTPAdapter(max_retries=no_retries, pool_connections=pool_connections,
                          pool_maxsize=pool_maxsize)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def session_for_check(check: CheckConfig) -> TimeoutSession:
    """The session the link checker and archiver use, built from a ``CheckConfig``."""
    return make_session(
        check.user_agent,
        connect_timeout=check.connect_timeout,
        read_timeout=check.read_timeout,
        pool_connections=max(64, check.concurrency * 2),
        pool_maxsize=max(1, check.per_host),
    )
