"""Checking many links concurrently and politely, remembering what was seen.

Results and fingerprints go into the history as they arrive (in batches of
transactions), so a run holds one small result per URL and no fingerprints.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

import requests

from bibvault.config import CheckConfig
from bibvault.links.classify import classify
from bibvault.links.drift import Content, Drift, Fingerprint, compare, fingerprint, page_digest
from bibvault.links.fetch import Fetcher, Sleep, looks_binary
from bibvault.links.history import DeadVerdict, History
from bibvault.links.result import CheckResult, LinkStatus
from bibvault.links.schedule import HostQueue
from bibvault.net import HostGate, NoNetwork, reachable

Clock = Callable[[], float]
Progress = Callable[[int, int, CheckResult], None]
Extract = Callable[[bytes, str], Fingerprint]

#: Threads beyond the connection limit: they classify and fingerprint what was
#: read while the others wait for answers. Many more would only queue in the
#: gate, where every released connection wakes every waiting thread.
_SPARE_THREADS = 4
#: Results written per transaction: a long run keeps what it found if cut short.
_BATCH = 1000
#: Fewer pages to read than this and fingerprints are taken in the checking
#: threads: starting a process (importing the extractor) costs about a second.
_POOL_FROM = 500
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


@dataclass(frozen=True, slots=True)
class _Page:
    """What a live HTML page's body gave: its digest, and its fingerprint unless the
    history holds a fingerprint of the very same bytes (``None``: reuse that one)."""

    digest: bytes
    fingerprint: Fingerprint | None


def _check(url: str, session: requests.Session, config: CheckConfig, *,
           gate: HostGate | None = None, clock: Clock = time.time,
           sleep: Sleep = time.sleep, head_first: bool = False,
           fetcher: Fetcher | None = None,
           known: dict[str, bytes] | None = None,
           extract: Extract | None = None) -> tuple[CheckResult, _Page | None]:
    """:func:`check_url`, with what a live HTML page's body gave for content drift.

    ``known`` maps URLs to the digest of the page their stored fingerprint was
    taken from; a page with the same digest is not extracted again. ``extract``
    takes a fingerprint (by default :func:`fingerprint`, in this thread).
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
        same = known is not None and known.get(url) == digest
        page = _Page(digest, None if same else (extract or fingerprint)(probe.body,
                                                                         probe.final_url or url))
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
    for url in by_url:
        last = history.latest(url) if history is not None else None
        cached = None if refresh else History.reuse(last, now, config)
        if cached is not None:
            results[url] = cached
            continue
        to_fetch.append(url)
        if last is not None and last.final_url and looks_binary(last.final_url):
            binary.add(url)
        if history is not None and config.drift and (digest := history.live_digest(url)):
            known[url] = digest
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
        extract_workers = _spare_cores() if len(to_fetch) >= _POOL_FROM else 0
    pool = _extractors(extract_workers if config.drift else 0)
    for result, page in _run_pool(to_fetch, session, config, clock, sleep, binary, known, pool):
        results[result.url] = result
        total_requests += result.requests
        fresh += 1
        all_unreached = all_unreached and result.unreached
        if history is not None:
            history.add(result)
            if config.drift and result.status.is_success:
                if page is not None:
                    _fresh_drifts(result, page, by_url[result.url], targets, history, config,
                                  drifts)
                else:
                    _stored_drifts(by_url[result.url], targets, history, config, drifts)
            unsaved += 1
            # Nothing is committed while every answer so far is "unreached": that
            # may be a machine without network, whose results must not be kept.
            if unsaved >= _BATCH and not all_unreached:
                history.commit()
                unsaved = 0
        done += 1
        if progress:
            progress(done, len(by_url), result)
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


def _fresh_drifts(result: CheckResult, page: _Page, indices: list[int],
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


def _run_pool(urls: list[str], session: requests.Session, config: CheckConfig,
              clock: Clock, sleep: Sleep, binary: set[str], known: dict[str, bytes],
              extractors: contextlib.AbstractContextManager[Extract | None],
              ) -> Iterable[tuple[CheckResult, _Page | None]]:
    """Yield results (with what live pages gave) as worker threads finish them."""
    if not urls:
        return
    with extractors as extract:
        yield from _threads(urls, session, config, clock, sleep, binary, known, extract)


def _spare_cores() -> int:
    """Cores this process may use beyond the one its threads share (at most 4)."""
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity else (os.cpu_count() or 1)
    return max(0, min(4, cores - 1))


@contextlib.contextmanager
def _extractors(workers: int) -> Iterator[Extract | None]:
    """A way to take fingerprints in ``workers`` other processes (None for none)."""
    if workers <= 0:
        yield None
        return
    # Spawned, not forked: forking a process whose threads hold locks can hang the child.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:

        def extract(body: bytes, url: str) -> Fingerprint:
            try:
                return pool.submit(fingerprint, body, url).result()
            except BrokenProcessPool:
                return fingerprint(body, url)  # a killed helper costs speed, not the run

        yield extract


def _threads(urls: list[str], session: requests.Session, config: CheckConfig,
             clock: Clock, sleep: Sleep, binary: set[str], known: dict[str, bytes],
             extract: Extract | None) -> Iterator[tuple[CheckResult, _Page | None]]:
    """Check ``urls`` on threads, yielding each result as it is ready."""
    gate = HostGate(config.per_host, config.host_delay, config.concurrency)
    hosts = HostQueue(urls, config.host_delay)
    out: queue.Queue[tuple[CheckResult, _Page | None] | BaseException] = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        fetcher = Fetcher(session, config, gate, sleep=sleep)
        while not stop.is_set():
            url = hosts.take()
            if url is None:
                return
            try:
                out.put(_check(url, session, config, clock=clock, head_first=url in binary,
                               fetcher=fetcher, known=known, extract=extract))
            except BaseException as exc:  # handed to the caller's thread, not lost
                out.put(exc)
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
