"""Fingerprints taken in helper processes, in batches, while the checking goes on."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pytest

import webfarm
from bibvault.links.drift import fingerprint, page_digest
from bibvault.links.extraction import Extraction, Page
from bibvault.links.result import CheckResult, LinkStatus


def _pages(n: int) -> list[tuple[CheckResult, Page]]:
    out = []
    for i in range(n):
        body = webfarm.page(f"Report {i}", f"The harbour board met {i} times and decided " * (i + 3))
        url = f"http://127.0.0.1/r/{i}"
        out.append((CheckResult(url=url, status=LinkStatus.ALIVE, checked_at=0.0),
                    Page(page_digest(body), None, body, url)))
    return out


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolExecutor]:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as p:
        yield p


def test_batches_come_back_with_the_fingerprints_taken_here(pool: ProcessPoolExecutor) -> None:
    pages = _pages(11)
    extraction = Extraction(pool, batch=3, ahead=2)
    back = []
    for result, page in pages:
        back.extend(extraction.add(result, page))
        assert len(extraction._out) <= 2  # never more than `ahead` batches out
    back.extend(extraction.finish())
    assert [r.url for r, _ in back] == [r.url for r, _ in pages]
    for (_, sent), (_, got) in zip(pages, back, strict=True):
        assert got.digest == sent.digest and got.body == b""
        assert got.fingerprint == fingerprint(sent.body, sent.url)


def test_a_broken_helper_costs_speed_not_the_fingerprints() -> None:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as broken:
        with pytest.raises(BrokenProcessPool):
            broken.submit(os._exit, 3).result()
        pages = _pages(4)
        extraction = Extraction(broken, batch=2, ahead=1)
        back = [x for r, p in pages for x in extraction.add(r, p)] + extraction.finish()
    assert [p.fingerprint for _, p in back] == [fingerprint(p.body, p.url) for _, p in pages]
