"""Archiving records: find or request Web Archive captures, keep local copies.

The result is a list of field updates (``archiveurl``, ``archivedate``,
``archivesha256``) and findings; writing them into ``.bib`` files is the
caller's step (see :mod:`bibvault.archive.writeback`). A record that already
has what it needs causes no request at all, so a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import requests
import urllib3

from bibvault.archive.bagit import Bag, find_bag, payload_sha256, write_bag
from bibvault.archive.credentials import Credentials, plain_http_to_remote
from bibvault.archive.memento import CopyStatus, check_copy, timemap
from bibvault.archive.spn2 import SaveClient
from bibvault.archive.warc import WARC_NAME, Exchange, exchanges_of, warc_bytes
from bibvault.archive.wayback import ArchiveError, Capture, closest_capture, parse_urldate
from bibvault.config import ArchiveConfig
from bibvault.findings import Finding, Severity
from bibvault.links.drift import fingerprint
from bibvault.links.history import History
from bibvault.net import HostGate, NoNetwork, blocked_redirect, host_of, reachable

Clock = Callable[[], float]
Sleep = Callable[[float], None]
_DAY = 86400.0


@dataclass(frozen=True)
class ArchiveTarget:
    """A record to archive: its URL, access date and the archive fields it has now."""

    key: str
    url: str
    urldate: str | None = None
    archiveurl: str | None = None
    archivedate: str | None = None
    archivesha256: str | None = None
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class ArchiveOutcome:
    """What archiving one record found and did. ``updates`` maps field → new value."""

    target: ArchiveTarget
    capture: Capture | None = None
    saved: bool = False
    bag: Bag | None = None
    updates: dict[str, str] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class ArchiveRun:
    """Everything one ``archive`` run produced."""

    outcomes: tuple[ArchiveOutcome, ...]
    findings: tuple[Finding, ...]
    saves: int = 0
    lookup_only: bool = False
    stopped: str = ""


@dataclass
class _Context:
    session: requests.Session
    config: ArchiveConfig
    gate: HostGate
    saver: SaveClient | None
    clock: Clock
    local_root: Path | None
    dry_run: bool
    refresh: bool
    history: History | None = None
    findings: list[Finding] = field(default_factory=list)
    stopped: str = ""
    answered: int = 0
    unreached: int = 0


def archive_records(
    targets: Sequence[ArchiveTarget],
    session: requests.Session,
    config: ArchiveConfig,
    credentials: Credentials | None,
    *,
    local_root: Path | None = None,
    gate: HostGate | None = None,
    dry_run: bool = False,
    refresh: bool = False,
    clock: Clock = time.time,
    sleep: Sleep = time.sleep,
    progress: Callable[[int, int, ArchiveTarget], None] | None = None,
    history: History | None = None,
    canary: str | None = None,
) -> ArchiveRun:
    """Archive every target in order.

    Without ``credentials`` only lookups are made. With ``local_root`` each
    source is also downloaded into a bag there. ``dry_run`` makes lookups only:
    no saves, no downloads, no files. ``progress(done, total, target)`` is
    called before each target (a capture request may take minutes). With a
    link ``history``, the fingerprint of each record's capture (fetched once
    from the archive) is stored there, for content drift. When nothing could be
    reached, not even ``canary`` (when given), :class:`NoNetwork` is raised:
    every record would otherwise be reported as failing.
    """
    gate = gate or HostGate(2, 1.0)
    saver = None
    exposed = credentials is not None and plain_http_to_remote(config.wayback_url)
    if credentials is not None and not dry_run and not exposed:
        saver = SaveClient(session, config, credentials, gate, clock=clock, sleep=sleep)
    ctx = _Context(session, config, gate, saver, clock, local_root, dry_run, refresh, history)
    if exposed:
        ctx.findings.append(Finding(
            "A513", Severity.WARNING, f"credentials are not sent to {config.wayback_url}: plain "
            "http:// would expose them; looking up existing captures only"))
    if credentials is None:
        ctx.findings.append(Finding(
            "A509", Severity.INFO, "no Internet Archive credentials (IA_ACCESS_KEY/IA_SECRET_KEY "
            "or ia.ini): looking up existing captures only, requesting none"))
    outcomes: list[ArchiveOutcome] = []
    for n, target in enumerate(targets):
        if progress is not None:
            progress(n, len(targets), target)
        outcomes.append(_archive_one(ctx, target))
    if canary and ctx.unreached and not ctx.answered and not reachable(session, canary):
        raise NoNetwork(f"no network: neither the archive nor any source nor {canary} "
                        "could be reached")
    return ArchiveRun(tuple(outcomes), tuple(ctx.findings), saver.saves if saver else 0,
                      credentials is None, ctx.stopped)


def _finding(ctx: _Context, t: ArchiveTarget, code: str, severity: Severity, msg: str) -> None:
    ctx.findings.append(Finding(code, severity, msg, file=t.file, line=t.line, key=t.key))


def _archive_one(ctx: _Context, t: ArchiveTarget) -> ArchiveOutcome:
    updates: dict[str, str] = {}
    capture, saved, note = None, False, ""
    if ctx.refresh or not (t.archiveurl and t.archivedate):
        capture, saved, note = _find_or_save(ctx, t)
        if capture is not None:
            url, date = capture.url(ctx.config.wayback_url), capture.date.isoformat()
            if url != t.archiveurl:
                updates["archiveurl"] = url
            if date != t.archivedate:
                updates["archivedate"] = date
    _fingerprint_capture(ctx, t, capture)
    bag = None
    if ctx.local_root is not None:
        bag = _local_copy(ctx, t)
        if bag is not None and bag.sha256 != (t.archivesha256 or "").lower():
            updates["archivesha256"] = bag.sha256
    return ArchiveOutcome(t, capture, saved, bag, updates, note)


def _find_or_save(ctx: _Context, t: ArchiveTarget) -> tuple[Capture | None, bool, str]:
    when = parse_urldate(t.urldate)
    try:
        capture = closest_capture(ctx.session, ctx.config.wayback_url, t.url, when, ctx.gate)
    except ArchiveError as exc:
        ctx.unreached += exc.unreached
        ctx.answered += not exc.unreached
        _finding(ctx, t, "A511", Severity.WARNING, f"archive lookup failed for {t.url}: {exc}")
        return None, False, "lookup failed"
    ctx.answered += 1
    capture = _checked(ctx, t, capture)
    # Young enough means close to the date the record cites (its urldate, else now).
    reference = (dt.datetime.combine(when, dt.time(23, 59, 59), dt.UTC).timestamp()
                 if when else ctx.clock())
    if capture is not None and abs(reference - capture.when) <= ctx.config.max_age_days * _DAY:
        return capture, False, "existing capture"
    if capture is None and ctx.config.memento_url:
        capture = _checked(ctx, t, _from_aggregator(ctx, t, reference))
        if capture is not None and abs(reference - capture.when) <= ctx.config.max_age_days * _DAY:
            return capture, False, "capture in another archive"
    if ctx.saver is None or ctx.stopped:
        if capture is None:
            why = "dry run" if ctx.dry_run else ("saves stopped" if ctx.stopped else
                                                 "no credentials")
            _finding(ctx, t, "A501", Severity.WARNING,
                     f"no Web Archive capture of {t.url} ({why}: none requested)")
        return capture, False, "old capture kept" if capture else "no capture"
    outcome = ctx.saver.save(t.url)
    if outcome.capture is not None:
        saved = _checked(ctx, t, outcome.capture)
        if saved is not None:
            return saved, True, "saved"
        return capture, False, "save gave a bad capture"
    if outcome.daily_limit:
        ctx.stopped = outcome.error
        _finding(ctx, t, "A510", Severity.WARNING,
                 f"daily capture limit reached ({outcome.error}); no further saves this run")
    else:
        _finding(ctx, t, "A502", Severity.WARNING, f"save failed for {t.url}: {outcome.error}")
    return capture, False, "save failed"


def _fingerprint_capture(ctx: _Context, t: ArchiveTarget, capture: Capture | None) -> None:
    """Store the fingerprint of a capture found or made on this run, unless stored
    already. A capture that cannot be fetched, or is not HTML, has none: drift
    then falls back to the first live fingerprint."""
    if ctx.history is None or ctx.dry_run or capture is None:
        return
    if capture.mimetype and "html" not in capture.mimetype.lower():
        return
    base = ctx.config.wayback_url.rstrip("/")
    cited = capture.url(base)
    if ctx.history.has_capture(t.url, cited):
        return
    # The Web Archive's id_ form replays the captured bytes without its banner; a
    # memento of another archive (from the aggregator) is fetched as it is served.
    raw = cited if capture.replay else f"{base}/web/{capture.timestamp}id_/{capture.original}"
    try:
        content, ctype = download(ctx.session, raw, ctx.config.max_download_bytes, ctx.gate,
                                  ctx.config.download_deadline)
    except DownloadError:
        return
    if "html" in ctype.lower():
        ctx.history.add_fingerprint(t.url, fingerprint(content, t.url), capture.when,
                                    capture=cited)
        ctx.history.commit()


def _checked(ctx: _Context, t: ArchiveTarget, capture: Capture | None) -> Capture | None:
    """``capture`` if its memento is a good copy of ``t.url``; else None and a finding.

    The CDX index can list a capture whose replay is another page or an error
    page (a soft-404 is only visible in the page); a reading list must not point
    readers to it.
    """
    if capture is None:
        return None
    url = capture.url(ctx.config.wayback_url)
    verdict = check_copy(ctx.session, url, t.url, capture.date.isoformat(), ctx.gate,
                         ctx.config.download_deadline)
    if verdict.status in (CopyStatus.OK, CopyStatus.DATE_MISMATCH):
        return capture
    _finding(ctx, t, "A519", Severity.WARNING,
             f"capture {url} not written: {verdict.status.value}: {verdict.detail}")
    return None


def _from_aggregator(ctx: _Context, t: ArchiveTarget, reference: float) -> Capture | None:
    """The memento another archive holds nearest before ``reference`` (else the first
    after it), found through the Memento aggregator."""
    try:
        found = timemap(ctx.session, ctx.config.memento_url, t.url, ctx.gate,
                        ctx.config.memento_archives)
    except ArchiveError as exc:
        _finding(ctx, t, "A511", Severity.WARNING, f"archive lookup failed for {t.url}: {exc}")
        return None
    if not found:
        return None
    before = [m for m in found if m[1].timestamp() <= reference]
    memento, when = before[-1] if before else found[0]
    return Capture(when.strftime("%Y%m%d%H%M%S"), t.url, replay=memento)


def _local_copy(ctx: _Context, t: ArchiveTarget) -> Bag | None:
    assert ctx.local_root is not None
    bag_dir = find_bag(ctx.local_root, t.key)
    existing = payload_sha256(bag_dir)
    if existing is not None and not ctx.refresh and existing == (t.archivesha256 or "").lower():
        return None  # the copy is there and the record already names it
    if ctx.dry_run:
        return None
    exchanges: list[Exchange] = []
    try:
        content, ctype = download(ctx.session, t.url, ctx.config.max_download_bytes, ctx.gate,
                                  ctx.config.download_deadline, exchanges)
    except DownloadError as exc:
        ctx.unreached += exc.unreached
        ctx.answered += not exc.unreached
        _finding(ctx, t, "A508", Severity.WARNING, f"local copy of {t.url} failed: {exc}")
        return None
    ctx.answered += 1
    when = dt.datetime.fromtimestamp(ctx.clock(), dt.UTC)
    return write_bag(ctx.local_root, t.key, t.url, content, ctype, when,
                     extra={WARC_NAME: warc_bytes(exchanges, when)})


class DownloadError(Exception):
    """The source could not be downloaded within the limits, or its server could not
    be reached at all (``unreached``)."""

    def __init__(self, message: str, unreached: bool = False) -> None:
        super().__init__(message)
        self.unreached = unreached


def download(session: requests.Session, url: str, max_bytes: int, gate: HostGate,
             deadline: float = 0.0,
             exchanges: list[Exchange] | None = None) -> tuple[bytes, str]:
    """The body of ``url`` (redirects followed) and its content type; at most ``max_bytes``,
    within ``deadline`` seconds (0: none) however slowly the server sends it. The HTTP
    exchanges that led to it are appended to ``exchanges`` when given."""
    with gate.slot(host_of(url)):
        started = time.monotonic()
        try:
            resp = session.get(url, stream=True)
        except requests.Timeout as exc:
            raise DownloadError("timed out", True) from exc
        except requests.ConnectionError as exc:
            raise DownloadError(type(exc).__name__, True) from exc
        except requests.RequestException as exc:
            raise DownloadError(type(exc).__name__) from exc
        try:
            blocked = blocked_redirect(resp)
            if blocked:
                raise DownloadError(blocked)
            if resp.status_code != 200:
                raise DownloadError(f"HTTP {resp.status_code}")
            declared = resp.headers.get("Content-Length", "")
            if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
                raise DownloadError(f"{int(declared)} bytes is over the {max_bytes}-byte cap")
            buf = bytearray()
            # read1 returns what has arrived, so the deadline is checked while a
            # server dribbles; a plain read would wait for a whole chunk.
            read = getattr(resp.raw, "read1", None) or resp.raw.read
            while chunk := read(1 << 16, decode_content=True):
                buf += chunk
                if len(buf) > max_bytes:
                    raise DownloadError(f"more than the {max_bytes}-byte cap")
                if deadline and time.monotonic() - started > deadline:
                    raise DownloadError(f"not received within {deadline:g} s")
            if exchanges is not None:
                exchanges.extend(exchanges_of(resp, bytes(buf)))
            return bytes(buf), resp.headers.get("Content-Type", "")
        except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
            raise DownloadError(type(exc).__name__) from exc
        finally:
            resp.close()
