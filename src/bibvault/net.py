"""The network layer: the one place a network client is made, and per-host politeness.

Every stage that talks to the network takes a :class:`requests.Session` as an
argument; only the command line calls :func:`make_session`. The session sends a
descriptive User-Agent, applies a default (connect, read) timeout to every
request that does not set one, and never retries on its own: urllib3's silent
retries would break the link checker's politeness accounting, so retries are
explicit and visible in :mod:`bibvault.links.fetch`.

Every request to the web (link checks, archive lookups and captures, local
copies, ``add``) passes a :class:`HostGate`: at most N connections to a host
and a minimum delay between the starts of two requests to it, however many
threads are asking.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.cookies import (
    RequestsCookieJar,
    extract_cookies_to_jar,
    get_cookie_header,
    merge_cookies,
)
from requests.sessions import merge_hooks
from requests.structures import CaseInsensitiveDict
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from bibvault import __version__
from bibvault.config import CheckConfig
from bibvault.deadline import DeadlineAdapter
from bibvault.netenv import Environment
from bibvault.netplain import plain_target, pool_settings, send

try:
    import resource
except ImportError:  # Windows: no limit on open files to read
    resource = None  # type: ignore[assignment]

DEFAULT_USER_AGENT = f"bibvault/{__version__} (+link checker for curated reading lists)"

Timeout = tuple[float, float]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_BLOCKED = "bibvault_blocked_redirect"


def parse_networks(specs: Iterable[str]) -> tuple[Network, ...]:
    """``10.0.0.0/8``-style strings as networks; raises ValueError for a bad one."""
    return tuple(ipaddress.ip_network(s, strict=False) for s in specs)


def internal_address(url: str, networks: Iterable[Network]) -> str | None:
    """Why ``url``'s host is internal (an address in ``networks``), or None.

    The host name is resolved as a connection would resolve it; a name that does
    not resolve is not internal (the connection will fail on its own).
    """
    nets = tuple(networks)
    if not nets:
        return None
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    try:
        addrs = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            return None
        addrs = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for addr in addrs:
        for net in nets:
            if addr.version == net.version and addr in net:
                return f"{host} is the internal address {addr} ({net})"
    return None


def redirect_guard(source: str, target: str, networks: Iterable[Network]) -> str | None:
    """Why a redirect from ``source`` to ``target`` must not be followed, or None.

    A redirect from outside into an internal network is how a public page gets a
    checker to request an address only the checker's machine can reach. A link
    that is itself internal (an intranet page) may redirect within.
    """
    nets = tuple(networks)
    inside = internal_address(target, nets)
    if inside is None or internal_address(source, nets) is not None:
        return None
    return f"redirect blocked: {inside}"


class NoNetwork(Exception):
    """No host could be reached, not even the canary: the run says nothing about links."""


def reachable(session: requests.Session, canary: str) -> bool:
    """Whether ``canary`` answers at all (any HTTP status counts as an answer)."""
    try:
        session.head(canary, allow_redirects=False).close()
    except requests.RequestException:
        return False
    return True


def blocked_redirect(resp: requests.Response) -> str:
    """The reason a session refused to follow ``resp``'s redirect; "" when it did not."""
    return str(getattr(resp, _BLOCKED, ""))


class TimeoutSession(requests.Session):
    """A :class:`requests.Session` whose requests always carry a timeout and whose
    redirects never lead into ``internal_networks``.

    ``environment`` (proxies, CA bundle, ``.netrc``; see :mod:`bibvault.netenv`) is
    applied to every request as requests would apply the process's environment,
    but read once, when the session is made; ``None`` ignores the environment.
    """

    def __init__(self, timeout: Timeout, internal_networks: Iterable[Network] = (),
                 environment: Environment | None = None) -> None:
        super().__init__()
        self.default_timeout = timeout
        self.internal_networks = tuple(internal_networks)
        self.trust_env = False  # requests would read the environment on every request
        self.environment = environment or Environment()
        if self.environment.ca_bundle:
            self.verify = self.environment.ca_bundle
        self._tls: dict[tuple[object, object], dict[str, Any]] = {}

    def open(self, method: str, url: str, timeout: Timeout) -> BaseHTTPResponse:
        """Send a body-less request, redirects not followed, and return urllib3's
        answer with its body unread (the caller reads and releases it).

        A plain request (see :mod:`bibvault.netplain`) to a host no proxy and no
        ``.netrc`` entry applies to, with no session-wide credentials,
        parameters, proxies or response hooks, goes straight to the adapter's
        pool with the session's headers and cookies; cookies it is given are
        kept as requests keeps them. Anything else is :meth:`request`.
        """
        to = plain_target(url)
        adapter = self.get_adapter(url) if to is not None else None
        env = self.environment
        if (to is None or not isinstance(adapter, DeadlineAdapter) or self.auth or self.params
                or self.proxies or self.hooks.get("response") or self.trust_env
                or not isinstance(self.cert, str | tuple | None)
                or env.proxies_for(url) or env.auth_for(url) is not None):
            return self.request(method, url, allow_redirects=False, stream=True,
                                timeout=timeout).raw
        headers = dict(self.headers)
        if len(self.cookies):
            cookie = get_cookie_header(self.cookies, requests.Request(method, to.url))
            if cookie is not None:
                headers["Cookie"] = cookie
        # As merge_environment_settings would have it for a request of no verify of its own.
        verify = self.environment.ca_bundle or self.verify
        tls = self._tls.get((verify, self.cert))
        if tls is None:
            tls = self._tls[(verify, self.cert)] = pool_settings(verify, self.cert)
        method = method.upper()
        resp = send(adapter, method, to, headers, timeout, tls, verify, self.cert)
        if "set-cookie" in resp.headers:
            extract_cookies_to_jar(self.cookies, requests.Request(method, to.url), resp)
        return resp

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        """Where ``resp`` redirects, unless that is inside: then None, and
        :func:`blocked_redirect` of ``resp`` says why."""
        target = super().get_redirect_target(resp)
        if target and self.internal_networks:
            reason = redirect_guard(resp.url, urljoin(resp.url, target), self.internal_networks)
            if reason:
                setattr(resp, _BLOCKED, reason)
                return None
        return target

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        """Send a request; ``timeout`` defaults to the session's (connect, read) pair,
        proxies and credentials to those the environment gives for ``url``."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        env = self.environment
        text = url.decode("utf-8", "replace") if isinstance(url, bytes) else url
        if env.proxies and kwargs.get("proxies") is None:
            kwargs["proxies"] = env.proxies_for(text)
        if env.credentials is not None and kwargs.get("auth") is None and self.auth is None:
            kwargs["auth"] = env.auth_for(text)
        return super().request(method, url, *args, **kwargs)

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        """A request with the session's headers, cookies and hooks.

        A plain request (no body, parameters, cookies, credentials or headers of
        its own, as every link check is) is prepared directly; requests' general
        merge of each setting costs half again as much. Anything else goes the
        general way.
        """
        if (request.files or request.data or request.json is not None or request.params
                or request.cookies or request.auth or request.headers or self.params
                or self.auth):
            return super().prepare_request(request)
        prepared = requests.PreparedRequest()
        prepared.prepare(method=str(request.method).upper(), url=request.url,
                         headers=CaseInsensitiveDict(self.headers), params="",
                         cookies=merge_cookies(RequestsCookieJar(), self.cookies),
                         hooks=merge_hooks(request.hooks, self.hooks))
        return prepared

    def merge_environment_settings(  # type: ignore[override]  # the stubs' TypedDict is private
            self, url: str | bytes | None, proxies: MutableMapping[str, str] | None,
            stream: bool | None, verify: Any, cert: Any) -> dict[str, Any]:
        """The request's settings over the session's (the environment's proxies are
        already in ``proxies``, see :meth:`request`).

        The same merge as requests' own, written out: requests' generic one tests
        each mapping against a runtime protocol, which is slow.
        """
        merged = {**self.proxies, **proxies} if proxies else dict(self.proxies)
        ca = self.environment.ca_bundle
        if ca and (verify is True or verify is None):
            verify = ca
        return {"proxies": {k: v for k, v in merged.items() if v is not None},
                "stream": self.stream if stream is None else stream,
                "verify": self.verify if verify is None else verify,
                "cert": self.cert if cert is None else cert}

    def rebuild_proxies(self, prepared_request: requests.PreparedRequest,
                        proxies: dict[str, str] | None) -> dict[str, str]:
        """A redirect's proxies are those of its target: the session's own and the
        environment's for that URL (a target in ``no_proxy`` is reached directly)."""
        if self.environment.proxies:
            proxies = {**self.proxies, **self.environment.proxies_for(prepared_request.url or "")}
        return super().rebuild_proxies(prepared_request, proxies)

    def rebuild_auth(self, prepared_request: requests.PreparedRequest,
                     response: requests.Response) -> None:
        """Credentials are dropped on a redirect to another host, and the target's
        own ``.netrc`` credentials (if any) sent."""
        super().rebuild_auth(prepared_request, response)
        auth = self.environment.auth_for(prepared_request.url or "")
        if auth is not None:
            prepared_request.prepare_auth(auth)


def make_session(
    user_agent: str = DEFAULT_USER_AGENT,
    *,
    connect_timeout: float = 10.0,
    read_timeout: float = 20.0,
    pool_connections: int = 64,
    pool_maxsize: int = 4,
    request_deadline: float = 0.0,
    internal_networks: Iterable[str] | None = None,
    trust_env: bool = True,
) -> TimeoutSession:
    """A session with timeouts, a User-Agent and no automatic retries.

    ``pool_connections`` is how many hosts keep a connection pool at once (a
    check over many hosts must not evict pools it is about to reuse);
    ``pool_maxsize`` is the number of kept-alive connections per host, which
    should match the per-host politeness limit. ``request_deadline`` (seconds,
    0 for none) bounds connection, request and response headers together, however
    slowly a server sends them; readers of a body bound its reading themselves.
    Redirects into ``internal_networks`` (default: ``check.internal_networks``'s
    default) are not followed (see :func:`redirect_guard`). With ``trust_env``
    the proxies, CA bundle and ``.netrc`` credentials of the environment are read
    now and used for every request (:mod:`bibvault.netenv`); without, none are.
    """
    if internal_networks is None:
        internal_networks = CheckConfig.internal_networks
    session = TimeoutSession((connect_timeout, read_timeout), parse_networks(internal_networks),
                             Environment.read() if trust_env else None)
    session.headers["User-Agent"] = user_agent
    # read=False re-raises read timeouts as such instead of wrapping them in a
    # generic connection error.
    no_retries = Retry(total=0, read=False, redirect=False)
    adapter = DeadlineAdapter(request_deadline, max_retries=no_retries,
                              pool_connections=pool_connections, pool_maxsize=pool_maxsize)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def session_for_check(check: CheckConfig) -> TimeoutSession:
    """The session the link checker and archiver use, built from a ``CheckConfig``."""
    return make_session(
        check.user_agent,
        connect_timeout=check.connect_timeout,
        read_timeout=check.read_timeout,
        pool_connections=host_pools(check.per_host),
        pool_maxsize=max(1, check.per_host),
        request_deadline=check.request_deadline,
        internal_networks=check.internal_networks,
        trust_env=check.trust_env,
    )


def open_stream(session: requests.Session, method: str, url: str,
                timeout: Timeout) -> BaseHTTPResponse:
    """``session``'s answer to a body-less request, redirects not followed, with its
    body unread: :meth:`TimeoutSession.open`, or requests' way for another session."""
    if isinstance(session, TimeoutSession):
        return session.open(method, url, timeout)
    return session.request(method, url, allow_redirects=False, stream=True,
                           timeout=timeout).raw


def host_pools(per_host: int) -> int:
    """How many hosts may keep idle connections open at once: as many as half this
    process's limit on open files holds at ``per_host`` connections each (at least
    64, at most 16,384).

    A check visits its hosts in turn, so a pool per host in play is what lets a
    connection be used again; fewer pools than hosts evict each pool before its
    host comes round again, and every request opens a new connection.
    """
    soft = 1024
    if resource is not None:
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        if soft == resource.RLIM_INFINITY:
            soft = 1 << 20
    return max(64, min(16384, soft // 2 // max(1, per_host)))


def host_of(url: str) -> str:
    """The politeness key of a URL: its host name, lower-cased, without port."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class HostGate:
    """Admits requests politely: per host (``per_host`` at once, ``delay`` apart)
    and overall (``total`` in flight); thread-safe.

    ``clock`` must be monotonic. Waiting is on a condition variable, for at most
    the delay still to run by ``clock``, and the clock is read again after each
    wait, so an injected clock that a test moves is seen on the next wake-up.
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
        try:
            yield
        finally:
            with self._cond:
                self._inflight[host] -= 1
                self._all -= 1
                self._cond.notify_all()
