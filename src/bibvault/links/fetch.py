"""Probing one URL: one capped GET (HEAD first only for large binary files),
redirects followed by hand (each hop passes the politeness gate), bodies read only up to a cap and a
deadline, and explicit retries with exponential back-off.

Retries happen only where waiting can help: a GET that timed out or got 408,
429 or a 5xx, and a HEAD that got 429. ``Retry-After`` is honoured; a server
asking for a longer wait than ``retry_after_cap`` is not retried at all, since
hammering it sooner would be rude and waiting longer would stall the run.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from urllib3.response import BaseHTTPResponse

from bibvault.config import CheckConfig
from bibvault.links.classify import (
    REDIRECTS,
    Hop,
    Probe,
    error_kind,
    is_bot_challenge,
    title_of,
)
from bibvault.net import HostGate, host_of, open_stream, parse_networks, redirect_guard

Sleep = Callable[[float], None]

_RETRY_GET = frozenset({408, 429, 500, 502, 503, 504})
_HTML_TYPES = ("text/html", "application/xhtml")
_CHUNK = 16384
#: Extensions of files checked with HEAD first: a GET would start a large download.
BINARY_EXTENSIONS = frozenset({
    "pdf", "zip", "gz", "tgz", "bz2", "xz", "7z", "rar", "tar", "iso", "dmg", "exe", "msi",
    "epub", "djvu", "ps", "doc", "docx", "ppt", "pptx", "xls", "xlsx", "odt", "ods", "odp",
    "mp3", "mp4", "m4a", "m4v", "mkv", "mov", "avi", "webm", "wav", "flac", "ogg",
    "jpg", "jpeg", "png", "gif", "tif", "tiff", "svg", "csv", "json", "xml", "parquet",
})
_DRAIN_LIMIT = 65536


@dataclass
class _Reply:
    """One HTTP exchange, with the connection already released."""

    url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class Fetched:
    """A whole GET (:meth:`Fetcher.get`): the final answer after redirects.

    Exactly one of ``error`` (a kind such as ``timeout``) and ``status`` is set.
    """

    url: str
    final_url: str
    status: int | None
    headers: dict[str, str]
    body: bytes
    chain: tuple[Hop, ...] = ()
    error: str | None = None
    detail: str = ""
    truncated: bool = False


class Fetcher:
    """Probes URLs with one session, one gate and one configuration."""

    def __init__(self, session: requests.Session, config: CheckConfig, gate: HostGate,
                 sleep: Sleep = time.sleep, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.session = session
        self.config = config
        self.gate = gate
        self.sleep = sleep
        self.monotonic = monotonic
        self.requests = 0
        self.internal = parse_networks(config.internal_networks)

    def probe(self, url: str, head_first: bool = False) -> Probe:
        """Everything needed to classify ``url``, in one request where one suffices.

        A page is fetched with one GET whose body is read only up to its title
        (a 200 can still be a "not found" page). HEAD comes first only where it
        saves: a URL that names a large binary file, whose body a GET would
        start to send for nothing, or (``head_first``) that did so last time.
        """
        if not self.config.sniff_titles or head_first or looks_binary(url):
            return self._head_first(url)
        get_chain, get = self._follow("GET", url)
        if get.error is None and get.status == 405:
            # A server that refuses GET (rare) may still answer HEAD.
            head_chain, head = self._follow("HEAD", url)
            return _probe(url, head_chain, head)
        return _probe(url, get_chain, get)

    def _head_first(self, url: str) -> Probe:
        head_chain, head = self._follow("HEAD", url)
        if head.error is None and head.status is not None and 200 <= head.status < 300:
            if self.config.sniff_titles and _is_html(head.headers):
                # A 200 can still be a "not found" page; only its title tells.
                get_chain, get = self._follow("GET", head.url)
                if get.error is None and get.status is not None and get.status < 300:
                    return _probe(url, head_chain + get_chain, get)
            return _probe(url, head_chain, head)
        if head.error in ("dns", "refused", "tls", "invalid", "redirects", "blocked") \
                or head.status == 429:
            # A GET would meet the same failure, or the same rate limit.
            return _probe(url, head_chain, head)
        # Many servers refuse or botch HEAD (405, 403, 404, 5xx, hangs); GET decides.
        get_chain, get = self._follow("GET", url)
        return _probe(url, get_chain, get)

    def get(self, url: str, max_bytes: int) -> Fetched:
        """GET ``url`` following redirects, with the whole body up to ``max_bytes``.

        The same politeness, retries and deadline as :meth:`probe`; a body longer
        than the cap is cut there and marked ``truncated``.
        """
        chain, reply = self._follow("GET", url, max_bytes)
        return Fetched(url=url, final_url=reply.url, status=reply.status if reply.error is None
                       else None, headers=reply.headers, body=reply.body, chain=tuple(chain),
                       error=reply.error, detail=reply.detail,
                       truncated=reply.error is None and len(reply.body) >= max_bytes)

    def _follow(self, method: str, url: str, whole: int = 0) -> tuple[list[Hop], _Reply]:
        chain: list[Hop] = []
        seen = {url}
        current = url
        for _ in range(self.config.max_redirects + 1):
            reply = self._send(method, current, whole)
            location = reply.headers.get("location")
            if reply.error or reply.status not in REDIRECTS or not location:
                return chain, reply
            target = urljoin(current, location.strip())
            chain.append(Hop(reply.status, current, target))
            blocked = redirect_guard(current, target, self.internal)
            if blocked:
                return chain, _Reply(target, error="blocked", detail=blocked)
            if target in seen:
                return chain, _Reply(target, error="redirects", detail=f"redirect loop at {target}")
            seen.add(target)
            current = target
        return chain, _Reply(current, error="redirects",
                             detail=f"more than {self.config.max_redirects} redirects")

    def _send(self, method: str, url: str, whole: int = 0) -> _Reply:
        cfg = self.config
        retryable = _RETRY_GET if method == "GET" else frozenset({429})
        attempt = 0
        while True:
            reply = self._once(method, url, whole)
            if reply.error is not None:
                again = reply.error == "timeout" and method == "GET"
                wait = cfg.backoff * 2**attempt
            else:
                again = reply.status in retryable and not is_bot_challenge(
                    reply.headers, title_of(reply.body))
                wait = cfg.backoff * 2**attempt
                asked = retry_after(reply.headers.get("retry-after"), time.time())
                if asked is not None:
                    if asked > cfg.retry_after_cap:
                        reply.detail = f"Retry-After {asked:.0f} s exceeds the cap"
                        return reply
                    wait = max(wait, asked)
            if not again or attempt >= cfg.retries:
                return reply
            attempt += 1
            self.sleep(wait)

    def _once(self, method: str, url: str, whole: int = 0) -> _Reply:
        cfg = self.config
        with self.gate.slot(host_of(url)):
            self.requests += 1
            started = self.monotonic()
            try:
                resp = open_stream(self.session, method, url,
                                   (cfg.connect_timeout, cfg.read_timeout))
            except requests.RequestException as exc:
                kind, detail = error_kind(exc)
                return _Reply(url, error=kind, detail=detail)
            reusable = False
            try:
                # Repeated fields joined by commas, as requests' headers give them.
                headers = {k.lower(): v for k, v in resp.headers.itermerged()}
                reply = _Reply(url, status=resp.status, headers=headers)
                if method == "GET" and resp.status not in REDIRECTS and (
                        whole or _is_html(headers)):
                    reply.body = self._read_prefix(resp, started, whole)
                reusable = _small_rest(method, headers, len(reply.body))
            except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
                if self.monotonic() - started >= cfg.request_deadline:
                    return _Reply(url, error="timeout", detail="not received within the deadline")
                kind, detail = error_kind(exc)
                return _Reply(url, error=kind, detail=detail)
            except TimeoutError:
                return _Reply(url, error="timeout", detail="body not received within the deadline")
            finally:
                _release(resp, reusable)
            return reply

    def _read_prefix(self, resp: BaseHTTPResponse, started: float, whole: int = 0) -> bytes:
        """Up to ``max_body_bytes`` of the body; only up to the end of the title
        when content drift is off (drift needs the whole text). When ``whole`` is a
        byte cap, the body up to that cap.

        A server that dribbles bytes never trips the per-read timeout, so the
        whole exchange also has a deadline.
        """
        cfg = self.config
        cap = whole or cfg.max_body_bytes
        deadline = started + cfg.request_deadline
        buf = bytearray()
        read = getattr(resp, "read1", None) or resp.read
        while True:
            # read1 returns what has arrived instead of waiting for a full chunk,
            # so the deadline is checked while a server dribbles.
            chunk = read(_CHUNK, decode_content=True)
            if not chunk:
                break
            buf += chunk
            if len(buf) >= cap:
                break
            if not whole and not cfg.drift and b"</title" in buf[-(len(chunk) + 8):].lower():
                break  # the title is all that classification needs
            if self.monotonic() > deadline:
                raise TimeoutError
        if self.monotonic() > deadline:
            raise TimeoutError  # the connection was cut at the deadline: the body is not whole
        return bytes(buf[:cap])


def _small_rest(method: str, headers: dict[str, str], read: int) -> bool:
    """Whether the unread rest of a body is small enough to read so the
    connection can be kept alive. Only when nothing of it has been read yet, or
    all of it: a body read up to its title may be a slow or endless one."""
    if method == "HEAD":
        return True
    length = headers.get("content-length", "")
    if not (length.isascii() and length.isdigit()):
        return False
    return int(length) <= _DRAIN_LIMIT and (read == 0 or read >= int(length))


def _release(resp: BaseHTTPResponse, reusable: bool) -> None:
    """Give the connection back for reuse, or drop it: dropping is cheaper than
    reading the rest of a large body."""
    if reusable:
        try:
            resp.read(_DRAIN_LIMIT + 1, decode_content=False)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError):
            pass
        else:
            resp.release_conn()
            return
    resp.close()
    resp.release_conn()


def looks_binary(url: str) -> bool:
    """The URL's path ends in an extension of a (typically large) binary file."""
    path = urlsplit(url).path.lower()
    return path.rsplit(".", 1)[-1] in BINARY_EXTENSIONS if "." in path.rsplit("/", 1)[-1] else False


def _is_html(headers: dict[str, str]) -> bool:
    return headers.get("content-type", "").lower().startswith(_HTML_TYPES)


def _probe(url: str, chain: list[Hop], reply: _Reply) -> Probe:
    return Probe(
        url=url,
        http_status=reply.status if reply.error is None else None,
        final_url=reply.url,
        chain=tuple(chain),
        headers=reply.headers,
        title=title_of(reply.body) if reply.body else None,
        error=reply.error,
        error_detail=reply.detail,
        body=reply.body,
    )


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)
