"""Checking many links concurrently and politely, remembering what was seen."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import requests

from bibvault.config import CheckConfig
from bibvault.links.classify import classify
from bibvault.links.drift import Content, Drift, Fingerprint, compare, fingerprint
from bibvault.links.fetch import Fetcher, Sleep, looks_binary
from bibvault.links.history import DeadVerdict, History
from bibvault.links.polite import Dispatcher
from bibvault.links.result import CheckResult, LinkStatus
from bibvault.net import HostGate, NoNetwork, reachable

Clock = Callable[[], float]
Progress = Callable[[int, int, CheckResult], None]

_THREADS_PER_SLOT = 3
_UNREACHED = frozenset({"dns", "refused", "timeout", "connection"})


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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
           sleep: Sleep = time.sleep,
           head_first: bool = False) -> tuple[CheckResult, Fingerprint | None]:
    """:func:`check_url`, with the fingerprint of a live HTML page from the body it read."""
    gate = gate or HostGate(config.per_host, config.host_delay, config.concurrency)
    fetcher = Fetcher(session, config, gate, sleep=sleep)
    probe = fetcher.probe(url, head_first=head_first)
    verdict = classify(probe)
    result = CheckResult(
        url=url, status=verdict.status, checked_at=clock(), http_status=probe.http_status,
        final_url=probe.final_url, new_url=verdict.new_url, detail=verdict.detail,
        requests=fetcher.requests,
        unreached=probe.error in _UNREACHED and not probe.chain,
    )
    live = None
    if config.drift and verdict.status.is_success and probe.body:
        live = fingerprint(probe.body, probe.final_url or url)
    return result, live


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
) -> CheckRun:
    """Check every target's URL once (duplicates share a check) and record the results.

    A URL with a result in ``history`` younger than its TTL is not requested
    unless ``refresh``. Requests run on ``config.concurrency`` threads under the
    per-host limits of a :class:`HostGate`. ``progress`` is called from this
    thread after each URL. When no link's server could be reached and neither
    can ``canary`` (when given), :class:`NoNetwork` is raised and nothing is
    recorded.
    """
    started = time.monotonic()
    urls = list(dict.fromkeys(t.url for t in targets))
    results: dict[str, CheckResult] = {}
    to_fetch: list[str] = []
    binary: set[str] = set()
    now = clock()
    for url in urls:
        cached = None if (refresh or history is None) else history.fresh(url, now, config)
        if cached is not None:
            results[url] = cached
        else:
            to_fetch.append(url)
            last = history.latest(url) if history is not None else None
            if last is not None and last.final_url and looks_binary(last.final_url):
                binary.add(url)
    done = 0
    for url in urls:
        if url in results and progress:
            done += 1
            progress(done, len(urls), results[url])

    total_requests = 0
    live: dict[str, Fingerprint] = {}
    fresh: list[CheckResult] = []
    for result, fp in _run_pool(to_fetch, session, config, clock, sleep, binary):
        results[result.url] = result
        fresh.append(result)
        if fp is not None:
            live[result.url] = fp
        total_requests += result.requests
        done += 1
        if progress:
            progress(done, len(urls), result)
    if canary and fresh and all(r.unreached for r in fresh) and not reachable(session, canary):
        # Without a network every link looks dead; recording that would mark
        # them all dead after a few such runs.
        raise NoNetwork(f"no network: none of {len(fresh)} links nor {canary} could be reached")
    drifts: dict[LinkTarget, Drift] = {}
    if history is not None:
        for result in fresh:
            history.add(result)
        drifts = _drifts(targets, results, live, history, config)
        history.commit()

    verdicts: dict[str, DeadVerdict | None] = {}
    for url, result in results.items():
        if history is not None and not result.status.is_success:
            verdicts[url] = history.verdict(url, config)
    outcomes = tuple(LinkOutcome(t, results[t.url], verdicts.get(t.url), drifts.get(t))
                     for t in targets)
    counts: dict[str, int] = {s.value: 0 for s in LinkStatus}
    for o in outcomes:
        counts[o.result.status.value] += 1
    return CheckRun(outcomes, total_requests, time.monotonic() - started, counts)


def _drifts(targets: Sequence[LinkTarget], results: dict[str, CheckResult],
            live: dict[str, Fingerprint], history: History,
            config: CheckConfig) -> dict[LinkTarget, Drift]:
    """Each live target's content verdict; fresh fingerprints are stored with the
    verdict of the first target that has their URL.

    The baseline is read before the fresh fingerprint is stored, so a page
    seen for the first time has nothing to be compared with (``unknown``).
    A result from the history reuses the latest stored live fingerprint.
    """
    out: dict[LinkTarget, Drift] = {}
    stored_urls: set[str] = set()
    for t in targets:
        result = results[t.url]
        if not (config.drift and result.status.is_success):
            continue
        base = history.baseline(t.url, t.cited_at)
        if t.url in live:
            now = live[t.url]
            if base is not None and base.capture is None and base.taken_at >= result.checked_at:
                base = None  # the fingerprint of this very check, stored for an earlier target
        else:
            stored = history.latest_live(t.url)
            if stored is None:
                out[t] = Drift(Content.UNKNOWN, None, "no text to compare (not an HTML page)")
                continue
            now = stored.fingerprint
            if base is not None and base.capture is None and base.taken_at >= stored.taken_at:
                base = None
        out[t] = compare(base.fingerprint if base else None, now, config.drift_threshold)
        if t.url in live and t.url not in stored_urls:
            stored_urls.add(t.url)
            history.add_fingerprint(t.url, now, result.checked_at, drift=out[t])
    return out


def _run_pool(urls: list[str], session: requests.Session, config: CheckConfig,
              clock: Clock, sleep: Sleep,
              binary: set[str]) -> Iterable[tuple[CheckResult, Fingerprint | None]]:
    """Yield results (with live pages' fingerprints) as worker threads finish them."""
    if not urls:
        return
    gate = HostGate(config.per_host, config.host_delay, config.concurrency)
    dispatcher = Dispatcher(urls, gate)
    out: queue.Queue[tuple[CheckResult, Fingerprint | None] | BaseException] = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            url = dispatcher.take()
            if url is None:
                return
            try:
                out.put(_check(url, session, config, gate=gate, clock=clock, sleep=sleep,
                               head_first=url in binary))
            except BaseException as exc:  # handed to the caller's thread, not lost
                out.put(exc)
                return

    # More threads than connections: most of a thread's life is spent waiting
    # for a host's turn, and the gate caps the connections actually open.
    workers = max(1, min(len(urls), config.concurrency * _THREADS_PER_SLOT))
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
