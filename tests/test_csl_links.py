"""Link nodes in the rich text, and how each output format spells them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bibvault.csl import Processor, load_style
from bibvault.csl.output import Quotes, render
from bibvault.csl.richtext import Rich
from bibvault.identity import _split_checked, safe_url

URL = "https://x.example/a_b?c=1&d=(2)#top"
Q = Quotes(punctuation_in_quote=True)


@pytest.mark.parametrize(("fmt", "expected"), [
    ("text", "See https://x.example/a_b?c=1&d=(2)#top and Title."),
    ("html", 'See <a href="https://x.example/a_b?c=1&amp;d=(2)#top">https://x.example/a_b?c=1&#38;d=(2)#top</a>'
             ' and <i><a href="https://x.example/a_b?c=1&amp;d=(2)#top">Title</a></i>.'),
    ("md", "See <https://x.example/a_b?c=1&d=(2)#top> and *[Title](https://x.example/a_b?c=1&d=%282%29#top)*."),
    ("latex", "See \\url{https://x.example/a_b?c=1&d=(2)\\#top} and "
              "\\textit{\\href{https://x.example/a_b?c=1&d=(2)\\#top}{Title}}."),
])
def test_each_format_spells_links(fmt: str, expected: str) -> None:
    node = Rich(["See ", Rich([URL], href=URL), " and ",
                 Rich([Rich(["Title"], href=URL)], {"font-style": "italic"}), "."])
    assert render(node, fmt, Q) == expected


def test_punctuation_moved_into_quotes_stays_out_of_the_link() -> None:
    node = Rich([Rich([Rich(["Title"], href=URL)], quotes=True), ". Next"])
    assert render(node, "html", Q) == (
        '\u201c<a href="https://x.example/a_b?c=1&amp;d=(2)#top">Title</a>.\u201d Next')


@pytest.mark.parametrize(("url", "ok"), [
    ("https://x.example/p", True), (" http://x.example ", True), ("javascript:alert(1)", False),
    ("https://x.example/a b", False), ("https://x.example/\"x", False), ("ftp://x.example/", False),
    ("https://", False),
])
def test_only_plain_web_addresses_become_links(url: str, ok: bool) -> None:
    assert (safe_url(url) is not None) == ok


@given(st.sampled_from(["http://", "HTTPS://", "https:", "ftp://", ""])
       .flatmap(lambda scheme: st.text(st.sampled_from("aZ09.-:@[]/?#%é_"), max_size=14)
                .map(lambda rest: scheme + rest)))
def test_the_quick_test_of_an_address_agrees_with_urlsplit(url: str) -> None:
    # safe_url answers plain addresses without urlsplit; it must answer as urlsplit does.
    assert safe_url(url) == _split_checked(url)


ITEM = {"id": "a", "type": "webpage", "title": "A page", "URL": "https://x.example/p",
        "archive": "Internet Archive",
        "archive_location": "https://web.archive.org/web/2022/https://x.example/p",
        "container-title": "Site", "issued": {"date-parts": [[2021]]},
        "author": [{"family": "Doe", "given": "Jo"}]}


def test_without_links_the_output_is_the_reference_processors() -> None:
    proc = Processor(load_style("chicago-ad"), [ITEM], locale="en-US")
    plain = dict(proc.bibliography("html"))["a"]
    linked = dict(proc.bibliography("html", links=True))["a"]
    assert "<a " not in plain and "Https://web.archive.org" in plain
    assert linked.count("<a ") == 3 and "Https" not in linked
    assert dict(proc.bibliography("text", links=True))["a"] == dict(proc.bibliography("text"))["a"].replace(
        "Https://", "https://")
