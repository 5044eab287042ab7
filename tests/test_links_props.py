"""Properties of the parsing helpers: they never raise on hostile input."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bibvault.archive.wayback import parse_urldate
from bibvault.links.classify import Hop, Probe, classify, permanent_target, title_of
from bibvault.links.fetch import retry_after
from bibvault.links.result import LinkStatus


@given(st.binary(max_size=2000))
def test_title_of_never_raises(body: bytes) -> None:
    title = title_of(body)
    assert title is None or isinstance(title, str)


@given(st.text(max_size=40))
def test_retry_after_never_raises(value: str) -> None:
    wait = retry_after(value, 1_790_000_000.0)
    assert wait is None or wait >= 0


@given(st.text(max_size=20))
def test_parse_urldate_never_raises(value: str) -> None:
    parse_urldate(value)


@given(st.integers(min_value=100, max_value=999), st.one_of(st.none(), st.text(max_size=60)),
       st.lists(st.sampled_from([301, 302, 303, 307, 308]), max_size=4))
def test_every_answer_gets_exactly_one_status(code: int, title: str | None,
                                              hops: list[int]) -> None:
    chain = tuple(Hop(s, f"http://h.test/{i}", f"http://h.test/{i + 1}") for i, s in enumerate(hops))
    verdict = classify(Probe("http://h.test/0", http_status=code, final_url="http://h.test/x",
                             chain=chain, title=title))
    assert isinstance(verdict.status, LinkStatus)
    if code in (401, 403, 999):
        assert verdict.status is LinkStatus.BLOCKED  # never dead
    if verdict.status is LinkStatus.REDIRECTED:
        assert verdict.new_url == permanent_target(chain)
