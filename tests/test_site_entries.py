"""Formatted entries: the CSL engine's links in the reading list's HTML views."""

from __future__ import annotations

import html
from pathlib import Path
from types import MappingProxyType

import pytest

from bibvault.records import Record
from bibvault.site.entries import csl_formatter, link_title
from bibvault.site.links import main_link_attrs, record_links

REPO = Path(__file__).resolve().parents[1]
URL = "https://a.example/report?id=7&v=2"
ARCHIVED = f"https://web.archive.org/web/20230101000000/{URL}"


def rec(key: str, **fields: str) -> Record:
    return Record(key=key, entry_type="online", source_type="online", file="t.bib", line=1,
                  fields=MappingProxyType(fields), tex=MappingProxyType(dict(fields)))


ARCHIVED_REC = rec("mills", author="Mills, Peter", title="Taliban Struggles to Contain the Front",
                   organization="Institute for the Study of War", date="2022-09-08",
                   url=URL, archiveurl=ARCHIVED)


def _a(href: str) -> str:
    return f'<a href="{html.escape(href, quote=True)}">'


@pytest.mark.parametrize("style", ["apa", "chicago-ad", "chicago-nb", "mla"])
def test_archived_entry_links_each_address_whole(style: str) -> None:
    fragment = csl_formatter(style)([ARCHIVED_REC], "html")["mills"]
    # The archive address is one link to the copy, not a link to the original inside it.
    assert f'{_a(ARCHIVED)}{ARCHIVED.replace("&", "&#38;")}</a>' in fragment
    assert f'{_a(URL)}{URL.replace("&", "&#38;")}</a>' in fragment
    # The printed original address is a link to itself, and the title leads there too.
    assert fragment.count(_a(URL)) == 2
    assert "Http" not in fragment and "http" in fragment
    linked = link_title(fragment, ARCHIVED_REC.title, record_links(ARCHIVED_REC))
    # In the page both links to the source carry the Robust Links attributes.
    assert linked.count(f"<a{main_link_attrs(record_links(ARCHIVED_REC))}>") == 2
    assert linked.count(_a(ARCHIVED)) == 1


def test_text_and_markdown_stay_without_links() -> None:
    formatter = csl_formatter("chicago-ad")
    text = formatter([ARCHIVED_REC], "text")["mills"]
    md = formatter([ARCHIVED_REC], "md")["mills"]
    assert "<a " not in text and "](" not in md and "<https" not in md
    # A printed address keeps its case in every format of the reading list.
    assert "https://web.archive.org" in text and "Https" not in text + md


def test_entries_without_an_address_have_no_links() -> None:
    r = rec("plain", author="Doe, Jo", title="Offline Notes", date="2020")
    for style in ("apa", "site"):
        formatter = csl_formatter(style, search_dirs=[REPO / "styles"])
        assert "<a " not in formatter([r], "html")["plain"]
