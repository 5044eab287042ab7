"""Turning what a site answered into a :class:`LinkStatus`.

The rules, in order: network failures by kind; bot challenges (whatever their
status code) are *blocked*; 2xx pages are checked for soft-404s (a redirect to
the home page or to a not-found path, or a not-found title); then the status
code decides.
"""

from __future__ import annotations

import re
import socket
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
import urllib3

# title_of lives in drift, which the link history (and so the build) imports
# without the network layer; it is re-exported here for the fetchers.
from bibvault.links.drift import title_of as title_of
from bibvault.links.result import LinkStatus

PERMANENT_REDIRECTS = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})

_NOT_FOUND_TITLE = re.compile(
    r"\b(404|not\s+found|page\s+(?:does\s+not|doesn'?t)\s+exist|no\s+longer\s+(?:exists|available)"
    r"|page\s+(?:is\s+)?missing|seite\s+nicht\s+gefunden|page\s+introuvable)\b",
    re.IGNORECASE,
)
_CHALLENGE_TITLE = re.compile(
    r"just a moment|attention required|are you a (?:human|robot)|captcha|access denied"
    r"|checking your browser|verify(?:ing)? you are human|ddos-guard",
    re.IGNORECASE,
)
_NOT_FOUND_PATH = re.compile(
    r"(?:^|/)(?:404|410|not[-_]?found|page[-_]?not[-_]?found|error[-_]?404|errors?|missing)"
    r"(?:\.[a-z0-9]+)?/?$",
    re.IGNORECASE,
)
_HOME_PATHS = frozenset({"", "/", "/index.html", "/index.htm", "/index.php", "/home", "/default.aspx"})


@dataclass(frozen=True)
class Hop:
    """One redirect: ``status`` from ``url`` to ``location``."""

    status: int
    url: str
    location: str


@dataclass(frozen=True)
class Probe:
    """What the fetcher saw for one URL, before classification.

    Exactly one of ``error`` (a short kind such as ``timeout`` or ``dns``) and
    ``http_status`` is set. ``title`` is the HTML title of the final page when a
    body was read.
    """

    url: str
    http_status: int | None = None
    final_url: str | None = None
    chain: Sequence[Hop] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    title: str | None = None
    error: str | None = None
    error_detail: str = ""
    body: bytes = b""


@dataclass(frozen=True)
class Verdict:
    """A classification: status, a human explanation and, for moves, the new URL."""

    status: LinkStatus
    detail: str
    new_url: str | None = None


def error_kind(exc: BaseException) -> tuple[str, str]:
    """Classify a requests exception as (kind, detail).

    Kinds: ``timeout``, ``dns``, ``refused``, ``tls``, ``redirects``, ``invalid``,
    ``connection`` (reset, closed, protocol errors).
    """
    if isinstance(exc, (requests.Timeout, urllib3.exceptions.TimeoutError)):
        return "timeout", "timed out"
    if isinstance(exc, requests.TooManyRedirects):
        return "redirects", "too many redirects"
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                        requests.exceptions.InvalidSchema)):
        return "invalid", f"invalid URL: {exc}"
    if isinstance(exc, requests.exceptions.SSLError):
        return "tls", "TLS failure"
    causes = _causes(exc)
    for cause in causes:
        name = type(cause).__name__
        if isinstance(cause, socket.gaierror) or name == "NameResolutionError":
            return "dns", "DNS lookup failed"
        if isinstance(cause, ssl.SSLError):
            return "tls", "TLS failure"
        if isinstance(cause, ConnectionRefusedError):
            return "refused", "connection refused"
    # Checked last: urllib3's NewConnectionError is itself a timeout subclass.
    if any(isinstance(c, (urllib3.exceptions.TimeoutError, TimeoutError)) for c in causes):
        return "timeout", "timed out"
    if isinstance(exc, requests.ConnectionError) and "Connection refused" in str(exc):
        return "refused", "connection refused"
    if isinstance(exc, requests.ConnectionError) and "Name or service not known" in str(exc):
        return "dns", "DNS lookup failed"
    return "connection", f"connection failed: {type(exc).__name__}"


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or any(e is s for s in seen):
            continue
        seen.append(e)
        todo.extend([e.__cause__, e.__context__, getattr(e, "reason", None)])
        todo.extend(a for a in getattr(e, "args", ()) if isinstance(a, BaseException))
    return seen


def _is_home(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path.lower() in _HOME_PATHS and not parts.query


def is_bot_challenge(headers: Mapping[str, str], title: str | None) -> bool:
    """A page that asks a browser to prove it is human rather than serving content."""
    lowered = {k.lower(): v for k, v in headers.items()}
    if lowered.get("cf-mitigated", "").lower() == "challenge":
        return True
    return bool(title and _CHALLENGE_TITLE.search(title))


def classify(probe: Probe) -> Verdict:
    """The one status a probed link gets, with a short explanation."""
    if probe.error is not None:
        return _classify_error(probe)
    code = probe.http_status or 0
    if is_bot_challenge(probe.headers, probe.title):
        return Verdict(LinkStatus.BLOCKED, f"HTTP {code}: bot challenge")
    if 200 <= code < 300:
        return _classify_ok(probe)
    if code in (401, 403, 999):
        return Verdict(LinkStatus.BLOCKED, f"HTTP {code}: access refused to the checker")
    if code == 429:
        why = probe.error_detail or "still rate-limited after retries"
        return Verdict(LinkStatus.RATE_LIMITED, f"HTTP 429: {why}")
    if code in (404, 410):
        return Verdict(LinkStatus.DEAD, f"HTTP {code}" + _via(probe))
    if code == 408:
        return Verdict(LinkStatus.TIMEOUT, "HTTP 408: request timeout after retries")
    if code in REDIRECTS:
        return Verdict(LinkStatus.ERROR, f"HTTP {code} without a usable Location")
    return Verdict(LinkStatus.ERROR, f"HTTP {code}" + _via(probe))


def _via(probe: Probe) -> str:
    return f" (after redirect to {probe.final_url})" if probe.chain else ""


def _classify_error(probe: Probe) -> Verdict:
    kind = probe.error
    detail = probe.error_detail or str(kind)
    if kind in ("dns", "refused", "tls"):
        return Verdict(LinkStatus.DEAD, detail)
    if kind == "timeout":
        return Verdict(LinkStatus.TIMEOUT, detail)
    if kind == "blocked":
        return Verdict(LinkStatus.BLOCKED, detail)
    return Verdict(LinkStatus.ERROR, detail)


def _classify_ok(probe: Probe) -> Verdict:
    final = probe.final_url or probe.url
    code = probe.http_status
    if probe.chain:
        if _is_home(final) and not _is_home(probe.url):
            return Verdict(LinkStatus.SOFT_404, f"redirects to the site's home page {final}")
        if _NOT_FOUND_PATH.search(urlsplit(final).path):
            return Verdict(LinkStatus.SOFT_404, f"redirects to a not-found page {final}")
    if probe.title and _NOT_FOUND_TITLE.search(probe.title):
        return Verdict(LinkStatus.SOFT_404, f"HTTP {code} but the title says {probe.title!r}")
    moved = permanent_target(probe.chain)
    if moved is not None:
        return Verdict(LinkStatus.REDIRECTED, f"moved permanently to {moved}", new_url=moved)
    if probe.chain:
        return Verdict(LinkStatus.ALIVE, f"HTTP {code} via temporary redirect to {final}")
    return Verdict(LinkStatus.ALIVE, f"HTTP {code}")


def permanent_target(chain: Sequence[Hop]) -> str | None:
    """Where the leading run of permanent redirects ends, if the chain starts with one.

    A 301 followed by a 302 means the link moved to the 301's target, which then
    redirects temporarily: the record should point at the former.
    """
    target = None
    for hop in chain:
        if hop.status not in PERMANENT_REDIRECTS:
            break
        target = hop.location
    return target
