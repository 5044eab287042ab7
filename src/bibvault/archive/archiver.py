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

from bibvault.archive.bagit import Bag, find_bag, payload_sha256, write_bag
from bibvault.archive.credentials import Credentials
from bibvault.archive.spn2 import SaveClient
from bibvault.archive.wayback import ArchiveError, Capture, closest_capture, parse_urldate
from bibvault.config import ArchiveConfig
from bibvault.findings import Finding, Severity
from bibvault.links.polite import HostGate, host_of

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
    findings: list[Finding] = field(default_factory=list)
    stopped: str = ""


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
) -> ArchiveRun:
    """Archive every target in order.

    Without ``credentials`` only lookups are made. With ``local_root`` each
    source is also downloaded into a bag there. ``dry_run`` makes lookups only:
    no saves, no downloads, no files. ``progress(done, total, target)`` is
    called before each target (a capture request may take minutes).
    """
    gate = gate or HostGate(2, 1.0)
    saver = None
    if credentials is not None and not dry_run:
        saver = SaveClient(session, config, credentials, gate, clock=clock, sleep=sleep)
    ctx = _Context(session, config, gate, saver, clock, local_root, dry_run, refresh)
    if credentials is None:
        ctx.findings.append(Finding(
            "A509", Severity.INFO, "no Internet Archive credentials (IA_ACCESS_KEY/IA_SECRET_KEY "
            "or ia.ini): looking up existing captures only, requesting none"))
    outcomes: list[ArchiveOutcome] = []
    for n, target in enumerate(targets):
        if progress is not None:
            progress(n, len(targets), target)
        outcomes.append(_archive_one(ctx, target))
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
        _finding(ctx, t, "A511", Severity.WARNING, f"archive lookup failed for {t.url}: {exc}")
        return None, False, "lookup failed"
    # Young enough means close to the date the record cites (its urldate, else now).
    reference = (dt.datetime.combine(when, dt.time(23, 59, 59), dt.UTC).timestamp()
                 if when else ctx.clock())
    if capture is not None and abs(reference - capture.when) <= ctx.config.max_age_days * _DAY:
        return capture, False, "existing capture"
    if ctx.saver is None or ctx.stopped:
        if capture is None:
            why = "dry run" if ctx.dry_run else ("saves stopped" if ctx.stopped else
                                                 "no credentials")
            _finding(ctx, t, "A501", Severity.WARNING,
                     f"no Web Archive capture of {t.url} ({why}: none requested)")
        return capture, False, "old capture kept" if capture else "no capture"
    outcome = ctx.saver.save(t.url)
    if outcome.capture is not None:
        return outcome.capture, True, "saved"
    if outcome.daily_limit:
        ctx.stopped = outcome.error
        _finding(ctx, t, "A510", Severity.WARNING,
                 f"daily capture limit reached ({outcome.error}); no further saves this run")
    else:
        _finding(ctx, t, "A502", Severity.WARNING, f"save failed for {t.url}: {outcome.error}")
    return capture, False, "save failed"


def _local_copy(ctx: _Context, t: ArchiveTarget) -> Bag | None:
    assert ctx.local_root is not None
    bag_dir = find_bag(ctx.local_root, t.key)
    existing = payload_sha256(bag_dir)
    if existing is not None and not ctx.refresh and existing == (t.archivesha256 or "").lower():
        return None  # the copy is there and the record already names it
    if ctx.dry_run:
        return None
    try:
        content, ctype = download(ctx.session, t.url, ctx.config.max_download_bytes, ctx.gate)
    except DownloadError as exc:
        _finding(ctx, t, "A508", Severity.WARNING, f"local copy of {t.url} failed: {exc}")
        return None
    when = dt.datetime.fromtimestamp(ctx.clock(), dt.UTC)
    return write_bag(ctx.local_root, t.key, t.url, content, ctype, when)


class DownloadError(Exception):
    """The source could not be downloaded within the limits."""


def download(session: requests.Session, url: str, max_bytes: int,
             gate: HostGate) -> tuple[bytes, str]:
    """The body of ``url`` (redirects followed) and its content type; at most ``max_bytes``."""
    with gate.slot(host_of(url)):
        try:
            resp = session.get(url, stream=True)
        except requests.RequestException as exc:
            raise DownloadError(type(exc).__name__) from exc
        try:
            if resp.status_code != 200:
                raise DownloadError(f"HTTP {resp.status_code}")
            declared = resp.headers.get("Content-Length", "")
            if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
                raise DownloadError(f"{int(declared)} bytes is over the {max_bytes}-byte cap")
            buf = bytearray()
            for chunk in resp.iter_content(1 << 16):
                buf += chunk
                if len(buf) > max_bytes:
                    raise DownloadError(f"more than the {max_bytes}-byte cap")
            return bytes(buf), resp.headers.get("Content-Type", "")
        except requests.RequestException as exc:
            raise DownloadError(type(exc).__name__) from exc
        finally:
            resp.close()
