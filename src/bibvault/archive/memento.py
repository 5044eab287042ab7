"""Reading archived copies through the Memento protocol (RFC 7089).

A memento answers with ``Memento-Datetime`` (when it was captured) and a
``Link`` header whose ``rel="original"`` names the page it captured. That is
enough to tell whether an ``archiveurl`` is the safe copy a reading list
promises: a capture of this page, of a page that worked, near ``archivedate``.
TimeMaps (``application/link-format``) list an original's mementos; a Memento
aggregator serves them for many archives at once.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import enum
import re
import time
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

import requests
import urllib3

from bibvault.archive.credentials import redact
from bibvault.archive.wayback import ArchiveError
from bibvault.links.classify import Probe, classify, is_bot_challenge, title_of
from bibvault.links.result import LinkStatus
from bibvault.net import HostGate, host_of

_BODY_CAP = 65536
_DAY = dt.timedelta(days=1)


class CopyStatus(enum.StrEnum):
    """What an archived copy turned out to be; every copy checked gets exactly one."""

    OK = "ok"
    MISSING = "missing"
    WRONG_URL = "wrong-url"
    BAD_CAPTURE = "bad-capture"
    DATE_MISMATCH = "date-mismatch"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class Link:
    """One link of a ``Link`` header or TimeMap: target, relation types and parameters."""

    target: str
    rels: frozenset[str]
    params: dict[str, str]


@dataclass(frozen=True)
class CopyVerdict:
    """The status of one archived copy, with what the archive said about it."""

    status: CopyStatus
    memento_datetime: dt.datetime | None = None
    original: str | None = None
    detail: str = ""


def parse_links(text: str) -> list[Link]:
    """The links of a ``Link`` header value or a link-format document (RFC 6690).

    Tolerant and linear: what cannot be read is skipped, so a broken or hostile
    TimeMap gives fewer links, never an exception or a long wait.
    """
    out: list[Link] = []
    pos = 0
    while (start := text.find("<", pos)) >= 0:
        end = text.find(">", start + 1)
        if end < 0:
            break
        parts = _split_outside_quotes(text, end + 1)
        pos = parts[-1][1]
        params: dict[str, str] = {}
        for a, b in parts[:-1]:
            name, eq, value = text[a:b].partition("=")
            name = name.strip().lower()
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            if name and (eq or name not in params):
                params.setdefault(name, value)
        rels = frozenset(params.get("rel", "").lower().split())
        out.append(Link(text[start + 1:end].strip(), rels, params))
    return out


def _split_outside_quotes(text: str, i: int) -> list[tuple[int, int]]:
    """The ``;``-separated parameter spans after a link's ``>`` at ``i``, up to the
    comma (or next ``<``) that ends the link; the last item's end is where to go on."""
    spans: list[tuple[int, int]] = []
    quoted = False
    seg = None
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            quoted = not quoted
        elif not quoted and c in ",<":
            break
        elif not quoted and c == ";":
            if seg is not None:
                spans.append((seg, i))
            seg = i + 1
        i += 1
    if seg is not None:
        spans.append((seg, i))
    spans.append((i, i + 1 if i < n and text[i] == "," else i))
    return spans


def http_datetime(value: str | None) -> dt.datetime | None:
    """An RFC 1123 date (``Memento-Datetime``, ``datetime=`` of a link) in UTC, or None."""
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def canonical_url(url: str) -> str:
    """A URL in the form archives compare them: no scheme, lower-case host without
    ``www.`` and default port, unreserved characters decoded, no trailing slash,
    sorted query, no fragment."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url.strip().lower()
    if host.startswith("www."):
        host = host[4:]
    if port and not ((parts.scheme == "http" and port == 80)
                     or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=~-._%") or "/"
    path = path.rstrip("/") or "/"
    query = "&".join(sorted(q for q in parts.query.split("&") if q))
    return host + path + ("?" + query if query else "")


def _date(value: str | None) -> dt.date | None:
    m = re.fullmatch(r"\s*(\d{4})-(\d{2})-(\d{2})\s*", value or "")
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _home(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.path.strip("/") and not parts.query


def check_copy(session: requests.Session, archiveurl: str, url: str, archivedate: str | None,
               gate: HostGate, deadline: float = 30.0) -> CopyVerdict:
    """Request the memento at ``archiveurl`` and judge it as the copy of ``url``
    archived on ``archivedate`` (``YYYY-MM-DD``; no date check without one; no
    address check when ``url`` is empty)."""
    with gate.slot(host_of(archiveurl)):
        started = time.monotonic()
        try:
            resp = session.get(archiveurl, stream=True)
        except requests.RequestException as exc:
            return CopyVerdict(CopyStatus.UNREACHABLE,
                               detail=f"the archive could not be asked: {type(exc).__name__}")
        try:
            body = _prefix(resp, started, deadline)
        except (requests.RequestException, urllib3.exceptions.HTTPError, TimeoutError) as exc:
            return CopyVerdict(CopyStatus.UNREACHABLE,
                               detail=f"the archive's answer broke off: {type(exc).__name__}")
        finally:
            resp.close()
    return judge(resp.status_code, {k.lower(): v for k, v in resp.headers.items()}, body, url,
                 archivedate)


def _prefix(resp: requests.Response, started: float, deadline: float) -> bytes:
    buf = bytearray()
    read = getattr(resp.raw, "read1", None) or resp.raw.read
    while len(buf) < _BODY_CAP and (chunk := read(16384, decode_content=True)):
        buf += chunk
        if b"</title" in buf.lower():
            break
        if time.monotonic() - started > deadline:
            raise TimeoutError
    return bytes(buf)


def judge(status: int, headers: dict[str, str], body: bytes, url: str,
          archivedate: str | None) -> CopyVerdict:
    """The verdict on a memento from its answer (lower-case ``headers``)."""
    when = http_datetime(headers.get("memento-datetime"))
    original = next((redact(lk.target) for lk in parse_links(headers.get("link", ""))
                     if "original" in lk.rels), None)
    if when is None:
        if status in (429,) or status >= 500:
            return CopyVerdict(CopyStatus.UNREACHABLE, detail=f"the archive answered HTTP {status}")
        why = f"HTTP {status}" if status in (404, 410) else f"HTTP {status} without Memento headers"
        return CopyVerdict(CopyStatus.MISSING, detail=f"no memento: {why}")
    if url and original is not None and canonical_url(original) != canonical_url(url):
        home = " (the site's home page)" if _home(original) and not _home(url) else ""
        return CopyVerdict(CopyStatus.WRONG_URL, when, original,
                           redact(f"a capture of {original}{home}, not of {url}"))
    title = title_of(body) if body else None
    verdict = classify(Probe(url=url, http_status=status, final_url=url, headers=headers,
                             title=title))
    if not verdict.status.is_success or is_bot_challenge(headers, title):
        what = ("a soft-404" if verdict.status is LinkStatus.SOFT_404
                else f"an error page (HTTP {status})" if status >= 400 else "not the page")
        return CopyVerdict(CopyStatus.BAD_CAPTURE, when, original,
                           redact(f"the captured response was {what}: {verdict.detail}"))
    cited = _date(archivedate)
    if cited is not None and abs(when.date() - cited) > _DAY:
        return CopyVerdict(CopyStatus.DATE_MISMATCH, when, original,
                           f"captured {when.date().isoformat()}, archivedate is {cited.isoformat()}")
    return CopyVerdict(CopyStatus.OK, when, original, f"captured {when.strftime('%Y-%m-%dT%H:%M:%SZ')}")


def timemap(session: requests.Session, aggregator: str, url: str, gate: HostGate,
            archives: tuple[str, ...] = ()) -> list[tuple[str, dt.datetime]]:
    """The mementos of ``url`` a Memento aggregator knows, oldest first, as
    (memento URL, capture time). ``archives``, when given, keeps only mementos whose
    address starts with one of them or whose host is one of them (or below it).
    Raises :class:`ArchiveError` when the aggregator cannot be asked."""
    endpoint = f"{aggregator.rstrip('/')}/timemap/link/{url}"
    with gate.slot(host_of(endpoint)):
        try:
            resp = session.get(endpoint)
        except requests.RequestException as exc:
            raise ArchiveError(f"Memento aggregator failed: {type(exc).__name__}") from exc
        if resp.status_code == 404:
            return []
        if resp.status_code != 200:
            raise ArchiveError(f"Memento aggregator failed: HTTP {resp.status_code}")
        text = resp.text
    out = []
    for link in parse_links(text):
        when = http_datetime(link.params.get("datetime"))
        if "memento" in link.rels and when is not None and _accepted(link.target, archives):
            out.append((link.target, when))
    return sorted(out, key=lambda m: m[1])


def _accepted(memento: str, archives: tuple[str, ...]) -> bool:
    if not archives:
        return True
    host = host_of(memento)
    for a in archives:
        a = a.strip().lower()
        if memento.lower().startswith(a) or host == a or host.endswith("." + a):
            return True
    return False
