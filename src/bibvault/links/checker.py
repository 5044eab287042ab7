"""Checking many links concurrently and politely, remembering what was seen.

Results and fingerprints go into the history as they arrive (in batches of
transactions), so a run holds one small result per URL and no fingerprints.
"""

from __future__ import annotations

import contextlib
import dataclasses
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import requests

from bibvault.config import CheckConfig
from bibvault.links.classify import classify
from bibvault.links.drift import Content, Drift, compare, fingerprint, page_digest
from bibvault.links.extraction import Page, extractors, spare_cores
from bibvault.links.fetch import Fetcher, Sleep, looks_binary
from bibvault.links.history import DeadVerdict, History
from bibvault.links.result import CheckResult, LinkStatus
from bibvault.links.schedule import HostQueue
from bibvault.net import HostGate, NoNetwork, reachable

Clock = Callable[[], float]
Progress = Callable[[int, int, CheckResult], None]

#: Threads beyond the connection limit: they classify and fingerprint what was
#: read while the others wait for answers. Many more would only queue in the
#: gate, where every released connection wakes every waiting thread.
_SPARE_THREADS = 4
#: Results written per transaction: a long run keeps what it found if cut short.
_BATCH = 1000
#: Fewer pages to read than this and fingerprints are taken in the checking
#: threads: starting a process (importing the extractor) costs about a second.
_POOL_FROM = 500
#: Results the checking threads may have ready before the caller takes them.
_WAITING = 256
_UNREACHED = frozenset({"dns", "refused", "timeout", "connection"})


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """A link to check: the record it belongs to and its URL.

    ``cited_at`` (POSIX time) is when the record says the page was read, its
    ``urldate``; content drift compares with the capture nearest to it.
    """

    key: str
    url: str
    file: str = ""
    line: int = 0
    cited_at: float | None = None


@dataclass(frozen=True, slots=True)
class LinkOutcome:
    """A target with its result, for failing links the dead/suspect verdict, and for
    live ones (with a history) whether the content changed since it was cited."""

    target: LinkTarget
    result: CheckResult
    verdict: DeadVerdict | None = None
    drift: Drift | None = None

    @property
    def confirmed_dead(self) -> bool:
        """Failed often enough, for long enough, to write ``urlstatus = {dead}``."""
        return self.verdict is not None and self.verdict.state == "dead"


@dataclass(frozen=True)
class CheckRun:
    """Everything one ``check`` produced, in target order."""

    outcomes: tuple[LinkOutcome, ...]
    requests: int = 0
    elapsed: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def any_dead(self) -> bool:
        """Some link is dead on this run."""
        return any(o.result.status is LinkStatus.DEAD for o in self.outcomes)


def check_url(url: str, session: requests.Session, config: CheckConfig, *,
              gate: HostGate | None = None, clock: Clock = time.time,
              sleep: Sleep = time.sleep, head_first: bool = False) -> CheckResult:
    """Check one URL now, without history. The building block of :func:`check_links`.

    ``head_first`` asks with HEAD before GET, for a URL known to lead to a large
    binary file (its last check ended at one)."""
    return _check(url, session, config, gate=gate, clock=clock, sleep=sleep,
                  head_first=head_first)[0]


def _check(url: str, session: requests.Session, config: CheckConfig, *,
           gate: HostGate | None = None, clock: Clock = time.time,
           sleep: Sleep = time.sleep, head_first: bool = False,
           fetcher: Fetcher | None = None,
           known: dict[str, bytes] | None = None,
           defer: bool = False) -> tuple[CheckResult, Page | None]:
    """:func:`check_url`, with what a live HTML page's body gave for content drift.

    ``known`` maps URLs to the digest of the page their stored fingerprint was
    taken from; a page with the same digest is not extracted again. Other pages'
    fingerprints are taken in this thread, or with ``defer`` left to the caller.
    """
    if fetcher is None:
        gate = gate or HostGate(config.per_host, config.host_delay, config.concurrency)
        fetcher = Fetcher(session, config, gate, sleep=sleep)
    before = fetcher.requests
    probe = fetcher.probe(url, head_first=head_first)
    verdict = classify(probe)
    result = CheckResult(
        url=url, status=verdict.status, checked_at=clock(), http_status=probe.http_status,
        final_url=probe.final_url, new_url=verdict.new_url, detail=verdict.detail,
        requests=fetcher.requests - before,
        unreached=probe.error in _UNREACHED and not probe.chain,
    )
    page = None
    if config.drift and verdict.status.is_success and probe.body:
        digest = page_digest(probe.body)
        base = probe.final_url or url
        if known is not None and known.get(url) == digest:
            page = Page(digest, None)
        elif defer:
            page = Page(digest, None, probe.body, base)
        else:
            page = Page(digest, fingerprint(probe.body, base))
    return result, page


def check_links(
    targets: Sequence[LinkTarget],
    session: requests.Session,
    config: CheckConfig,
    history: History | None = None,
    *,
    refresh: bool = False,
    clock: Clock = time.time,
    sleep: Sleep = time.sleep,
    progress: Progress | None = None,
    canary: str | None = None,
    extract_workers: int | None = None,
) -> CheckRun:
    """Check every target's URL once (duplicates share a check) and record the results.

    A URL with a result in ``history`` younger than its TTL is not requested
    unless ``refresh``. Requests run on threads under the per-host limits of a
    :class:`HostGate`, hosts handed out earliest-due first. Each fresh result,
    and each live page's fingerprint with its drift verdict, is written to the
    history as it arrives and committed in batches. ``progress`` is called from
    this thread after each URL. When no link's server could be reached and
    neither can ``canary`` (when given), :class:`NoNetwork` is raised and
    nothing is recorded. Fingerprints are taken in ``extract_workers`` processes
    (by default one per core beyond the first, when there are many pages to
    read), so the threads that talk to servers do not wait for them; 0 takes
    them in those threads.
    """
    started = time.monotonic()
    if history is None and config.drift:
        # Nothing to compare a fingerprint with, nor to keep it in: read titles only.
        config = dataclasses.replace(config, drift=False)
    by_url: dict[str, list[int]] = {}
    for i, t in enumerate(targets):
        by_url.setdefault(t.url, []).append(i)
    results: dict[str, CheckResult] = {}
    to_fetch: list[str] = []
    binary: set[str] = set()
    known: dict[str, bytes] = {}
    now = clock()
    # One statement per few hundred URLs: a statement a URL cost more than the look-up.
    lasts = history.latest_of(list(by_url)) if history is not None else {}
    for url in by_url:
        last = lasts.get(url)
        cached = None if refresh else History.reuse(last, now, config)
        if cached is not None:
            results[url] = cached
            continue
        to_fetch.append(url)
        if last is not None and last.final_url and looks_binary(last.final_url):
            binary.add(url)
    del lasts
    if history is not None and config.drift:
        known = history.live_digests(to_fetch)
    drifts: dict[int, Drift] = {}
    done = 0
    for url, result in results.items():
        done += 1
        if history is not None and config.drift and result.status.is_success:
            _stored_drifts(by_url[url], targets, history, config, drifts)
        if progress:
            progress(done, len(by_url), result)

    total_requests = 0
    fresh = 0
    all_unreached = True
    unsaved = 0
    if extract_workers is None:
        extract_workers = spare_cores() if len(to_fetch) >= _POOL_FROM else 0
    with extractors(extract_workers if config.drift else 0) as extraction:
        for result, page in _threads(to_fetch, session, config, clock, sleep, binary, known,
                                     defer=extraction is not None):
            results[result.url] = result
            total_requests += result.requests
            fresh += 1
            all_unreached = all_unreached and result.unreached
            if history is not None:
                history.add(result)
                if config.drift and result.status.is_success:
                    if page is None:
                        _stored_drifts(by_url[result.url], targets, history, config, drifts)
                    elif extraction is not None and page.body:
                        for r, p in extraction.add(result, page):
                            _fresh_drifts(r, p, by_url[r.url], targets, history, config, drifts)
                    else:
                        _fresh_drifts(result, page, by_url[result.url], targets, history,
                                      config, drifts)
                unsaved += 1
                # Nothing is committed while every answer so far is "unreached": that
                # may be a machine without network, whose results must not be kept.
                if unsaved >= _BATCH and not all_unreached:
                    history.commit()
                    unsaved = 0
            done += 1
            if progress:
                progress(done, len(by_url), result)
        if extraction is not None and history is not None:
            for r, p in extraction.finish():
                _fresh_drifts(r, p, by_url[r.url], targets, history, config, drifts)
    if canary and fresh and all_unreached and not reachable(session, canary):
        # Without a network every link looks dead; recording that would mark
        # them all dead after a few such runs.
        if history is not None:
            history.rollback()
        raise NoNetwork(f"no network: none of {fresh} links nor {canary} could be reached")
    verdicts: dict[str, DeadVerdict | None] = {}
    if history is not None:
        history.commit()
        for url, result in results.items():
            if not result.status.is_success:
                verdicts[url] = history.verdict(url, config)
    outcomes = tuple(LinkOutcome(t, results[t.url], verdicts.get(t.url), drifts.get(i))
                     for i, t in enumerate(targets))
    counts: dict[str, int] = {s.value: 0 for s in LinkStatus}
    for o in outcomes:
        counts[o.result.status.value] += 1
    return CheckRun(outcomes, total_requests, time.monotonic() - started, counts)


def _fresh_drifts(result: CheckResult, page: Page, indices: list[int],
                  targets: Sequence[LinkTarget], history: History, config: CheckConfig,
                  drifts: dict[int, Drift]) -> None:
    """The content verdicts of the targets of a page read just now; its fingerprint is
    stored with the verdict of the first of them.

    The baselines are read before the fingerprint is stored, so a page seen for
    the first time has nothing to be compared with (``unknown``).
    """
    now = page.fingerprint
    if now is None:  # the page's bytes are those of the latest stored fingerprint
        stored = history.latest_live(result.url)
        if stored is None:
            return
        now = stored.fingerprint
    first: Drift | None = None
    for i in indices:
        base = history.baseline(result.url, targets[i].cited_at)
        if base is not None and base.capture is None and base.taken_at >= result.checked_at:
            base = None  # stored after this check began: this very page
        drifts[i] = compare(base.fingerprint if base else None, now, config.drift_threshold)
        first = first or drifts[i]
    history.add_fingerprint(result.url, now, result.checked_at, drift=first,
                            digest=page.digest)


def _stored_drifts(indices: list[int], targets: Sequence[LinkTarget], history: History,
                   config: CheckConfig, drifts: dict[int, Drift]) -> None:
    """The content verdicts of the targets of a live URL that gave no page to read now
    (a result from the history, or not HTML): from its latest stored live fingerprint."""
    url = targets[indices[0]].url
    stored = history.latest_live(url)
    for i in indices:
        if stored is None:
            drifts[i] = Drift(Content.UNKNOWN, None, "no text to compare (not an HTML page)")
            continue
        base = history.baseline(url, targets[i].cited_at)
        if base is not None and base.capture is None and base.taken_at >= stored.taken_at:
            base = None
        drifts[i] = compare(base.fingerprint if base else None, stored.fingerprint,
                            config.drift_threshold)


def _threads(urls: list[str], session: requests.Session, config: CheckConfig,
             clock: Clock, sleep: Sleep, binary: set[str], known: dict[str, bytes],
             defer: bool) -> Iterator[tuple[CheckResult, Page | None]]:
    """Check ``urls`` on threads, yielding each result as it is ready (with ``defer``,
    pages to fingerprint carry their bodies instead)."""
    if not urls:
        return
    gate = HostGate(config.per_host, config.host_delay, config.concurrency)
    hosts = HostQueue(urls, config.host_delay)
    # Bounded, so pages waiting for this thread (or for their fingerprints) do not pile
    # up in memory: the checking threads wait instead.
    out: queue.Queue[tuple[CheckResult, Page | None] | BaseException] = queue.Queue(_WAITING)
    stop = threading.Event()

    def hand(item: tuple[CheckResult, Page | None] | BaseException) -> None:
        while not stop.is_set():
            with contextlib.suppress(queue.Full):
                out.put(item, timeout=0.5)
                return

    def work() -> None:
        fetcher = Fetcher(session, config, gate, sleep=sleep)
        while not stop.is_set():
            url = hosts.take()
            if url is None:
                return
            try:
                hand(_check(url, session, config, clock=clock, head_first=url in binary,
                            fetcher=fetcher, known=known, defer=defer))
            except BaseException as exc:  # handed to the caller's thread, not lost
                hand(exc)
                return

    workers = max(1, min(len(urls), config.concurrency + _SPARE_THREADS))
    threads = [threading.Thread(target=work, name=f"bibvault-check-{i}", daemon=True)
               for i in range(workers)]
    for t in threads:
        t.start()
    try:
        for _ in range(len(urls)):
            item = out.get()
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=0.1)
