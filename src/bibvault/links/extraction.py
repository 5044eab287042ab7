"""Fingerprints for the link checker: the page a check read, and helper processes
that take fingerprints in batches while the checking goes on."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from bibvault.links.drift import Fingerprint, fingerprint
from bibvault.links.result import CheckResult

#: Pages handed to a helper process at once, and batches out before waiting for one.
_EXTRACT_BATCH = 32
_EXTRACT_AHEAD = 8


@dataclass(frozen=True, slots=True)
class Page:
    """What a live HTML page's body gave: its digest, and its fingerprint unless the
    history holds a fingerprint of the very same bytes (``None``: reuse that one).
    A page left to the helper processes carries its ``body`` and ``url`` instead."""

    digest: bytes
    fingerprint: Fingerprint | None
    body: bytes = b""
    url: str = ""


def spare_cores() -> int:
    """Cores this process may use beyond the one its threads share (at most 4)."""
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity else (os.cpu_count() or 1)
    return max(0, min(4, cores - 1))


@contextlib.contextmanager
def extractors(workers: int) -> Iterator[Extraction | None]:
    """Fingerprints taken in ``workers`` other processes (None: in the checking threads)."""
    if workers <= 0:
        yield None
        return
    # Spawned, not forked: forking a process whose threads hold locks can hang the child.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield Extraction(pool)


def _fingerprint_all(pages: list[tuple[bytes, str]]) -> list[Fingerprint]:
    """The fingerprints of ``(body, url)`` pages, in order (run in a helper process)."""
    return [fingerprint(body, url) for body, url in pages]


class Extraction:
    """Pages waiting for their fingerprints from helper processes.

    Pages go in batches (one hand-over costs about as much as a small page's
    extraction), and nobody waits for them: :meth:`add` returns the pages whose
    fingerprints have come back. Only when more than ``ahead`` batches are out
    does it wait for the oldest, which bounds the bodies held in memory.
    """

    def __init__(self, pool: ProcessPoolExecutor, batch: int = _EXTRACT_BATCH,
                 ahead: int = _EXTRACT_AHEAD) -> None:
        self._pool = pool
        self._size = batch
        self._ahead = ahead
        self._batch: list[tuple[CheckResult, Page]] = []
        self._out: deque[tuple[list[tuple[CheckResult, Page]], Future[list[Fingerprint]]]] = \
            deque()

    def add(self, result: CheckResult, page: Page) -> list[tuple[CheckResult, Page]]:
        """Queue ``page`` (of ``result``); the pages whose fingerprints are in, with them."""
        self._batch.append((result, page))
        if len(self._batch) >= self._size:
            self._send()
        return self._collect(everything=False)

    def finish(self) -> list[tuple[CheckResult, Page]]:
        """Every page still out, with its fingerprint."""
        if self._batch:
            self._send()
        return self._collect(everything=True)

    def _send(self) -> None:
        batch, self._batch = self._batch, []
        pages = [(p.body, p.url) for _, p in batch]
        try:
            future = self._pool.submit(_fingerprint_all, pages)
        except BrokenProcessPool:
            future = Future()
            future.set_result(_fingerprint_all(pages))
        self._out.append((batch, future))

    def _collect(self, everything: bool) -> list[tuple[CheckResult, Page]]:
        ready: list[tuple[CheckResult, Page]] = []
        while self._out and (everything or len(self._out) > self._ahead
                             or self._out[0][1].done()):
            batch, future = self._out.popleft()
            try:
                prints = future.result()
            except BrokenProcessPool:  # a killed helper costs speed, not the run
                prints = _fingerprint_all([(p.body, p.url) for _, p in batch])
            ready.extend((r, Page(p.digest, f)) for (r, p), f in zip(batch, prints, strict=True))
        return ready
