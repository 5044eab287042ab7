"""The HTML page: structure, escaping, links and Robust Links attributes.

The entries here come from ``stub_formatter``, a stand-in for the CSL engine
that only escapes the title, so the tests see exactly what the page adds.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from html import escape
from html.parser import HTMLParser
from types import MappingProxyType

from bibvault.config import BuildConfig, Config, Section, Topic
from bibvault.records import Record
from bibvault.site import html_page, make_reading_list, record_links, safe_url
from bibvault.site.entries import link_title
from bibvault.site.links import Links, main_link_attrs


def stub_formatter(records: Sequence[Record], fmt: str) -> dict[str, str]:
    """Stand-in for the CSL engine: ``date, “title”`` with the title escaped for HTML."""
    out = {}
    for r in records:
        title = escape(r.title) if fmt == "html" else r.title
        out[r.key] = f"{r.get('date', 'n.d.')}, \u201c{title}\u201d."
    return out


def rec(key: str, **fields: str) -> Record:
    fields.setdefault("title", f"Title {key}")
    entry_type = fields.pop("entry_type", "article")
    return Record(key=key, entry_type=entry_type, source_type=entry_type, file="t.bib", line=1,
                  fields=MappingProxyType(fields), tex=MappingProxyType(dict(fields)))


CONFIG = Config(
    topics={"nrf": Topic("National Resistance Front"), "x": Topic("<b>bold</b> & co")},
    sections=(Section("news", "News & <Views>", ("article",)),
              Section("books", "Books", ("book",))),
    build=BuildConfig(title="The <Resistance>"),
)


class Tree(HTMLParser):
    """Collects start tags (with attributes) and the text of the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Tree:
    t = Tree()
    t.feed(page)
    return t


def page_for(records: list[Record], styles: Sequence[str] = ("site",),
             config: Config = CONFIG) -> str:
    rl = make_reading_list(records, config, {s: stub_formatter for s in styles},
                           formats=("html",))
    return html_page(rl)


def test_record_text_is_shown_literally_never_as_markup():
    evil = "<img src=x onerror=alert(1)>"
    page = page_for([rec("k1", title=evil, annotation=f"note {evil} & more",
                         keywords="x, nrf")])
    tree = parse(page)
    assert [t for t, _ in tree.tags if t in ("img", "b")] == []
    text = "".join(tree.text)
    assert evil in text
    assert f"note {evil} & more" in text
    assert "<b>bold</b> & co" in text
    assert "News & <Views>" in text and "The <Resistance>" in text


def test_javascript_and_other_unsafe_urls_are_never_links():
    bad = ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
           "java\nscript:alert(1)", "data:text/html,<script>alert(1)</script>",
           "vbscript:msgbox(1)", "//evil.example/x", "/relative", "https://a b.example/",
           'https://x.example/"onmouseover="alert(1)']
    for url in bad:
        assert safe_url(url) is None, url
    page = page_for([rec(f"k{i}", url=u, archiveurl=u) for i, u in enumerate(bad)])
    hrefs = [a.get("href") for t, a in parse(page).tags if t == "a"]
    assert all(h and h.startswith("#") for h in hrefs), hrefs


def test_title_links_to_the_source():
    page = page_for([rec("k", title="Big News", url="https://news.example/a?b=1&c=2")])
    assert ('<a href="https://news.example/a?b=1&amp;c=2">Big News</a>' in page)


def test_archived_copy_gets_robust_links_attributes():
    page = page_for([rec("k", title="Big News", url="https://news.example/a",
                         archiveurl="https://web.archive.org/web/20240101000000/https://news.example/a",
                         archivedate="2024-01-01")])
    anchors = [a for t, a in parse(page).tags if t == "a" and not a["href"].startswith("#")]
    main, archived = anchors
    assert main == {"href": "https://news.example/a",
                    "data-originalurl": "https://news.example/a",
                    "data-versionurl": "https://web.archive.org/web/20240101000000/https://news.example/a",
                    "data-versiondate": "2024-01-01"}
    assert archived["class"] == "archived"
    assert archived["href"] == main["data-versionurl"]
    assert archived["data-originalurl"] == "https://news.example/a"
    assert archived["data-versiondate"] == "2024-01-01"
    assert re.search(r">Big News</a>.*>archived</a>", page)


def test_dead_link_makes_the_archived_copy_the_main_link():
    archive = "https://web.archive.org/web/2023/https://gone.example/"
    page = page_for([rec("k", title="Gone", url="https://gone.example/", urlstatus="dead",
                         archiveurl=archive, archivedate="2023-05-06")])
    anchors = [a for t, a in parse(page).tags if t == "a" and not a["href"].startswith("#")]
    assert anchors[0]["href"] == archive
    assert anchors[0]["data-originalurl"] == "https://gone.example/"
    assert re.search(r'<a href="https://web\.archive\.org[^>]*>Gone</a>', page)
    assert "dead" in anchors[1]["class"] and anchors[1]["href"] == "https://gone.example/"


def test_dead_link_without_archive_still_links_the_original():
    page = page_for([rec("k", title="Gone", url="https://gone.example/", urlstatus="dead")])
    assert '<a href="https://gone.example/">Gone</a>' in page


def test_page_is_self_contained():
    page = page_for([rec("k", title="T", url="https://news.example/")])
    tree = parse(page)
    for tag, attrs in tree.tags:
        assert tag not in ("link", "iframe", "img", "object", "embed"), tag
        if tag == "script":
            assert "src" not in attrs
    assert not re.search(r"url\(|@import|https?://(?!news\.example)", page)
    csp = next(a["content"] for t, a in tree.tags
               if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp.startswith("default-src 'none'")


def test_contents_sections_and_switcher():
    one = page_for([rec("a", keywords="nrf"), rec("b", entry_type="book")])
    tree = parse(one)
    ids = [a.get("id") for _, a in tree.tags]
    assert "news" in ids and "books" in ids
    toc = [a["href"] for t, a in tree.tags
           if t == "a" and a["href"].startswith("#") and a.get("class") != "permalink"]
    assert toc == ["#news", "#books"]
    assert "style" not in ids, "no switcher for a single style"
    assert [a.get("value") for t, a in tree.tags if t == "option"] == ["", "t1"]
    two = parse(page_for([rec("a")], styles=("site", "apa")))
    cites = [a for t, a in two.tags if t == "div" and a.get("class") == "cite"]
    assert [(c["data-style"], "hidden" in c) for c in cites] == [("site", False), ("apa", True)]
    assert [a["value"] for t, a in two.tags if t == "option"] == ["site", "apa"]


def test_empty_section_says_so_when_kept():
    keep = dataclasses.replace(CONFIG, build=BuildConfig(title="T", hide_empty=False))
    page = page_for([rec("a")], config=keep)
    assert re.search(r'<section id="books".*?<p class="empty">No entries yet\.</p>', page, re.S)


def test_empty_section_is_left_out_of_page_and_contents():
    page = page_for([rec("a")])
    assert 'id="books"' not in page and 'href="#books"' not in page
    assert 'id="news"' in page and 'href="#news"' in page


def test_output_is_deterministic():
    records = [rec("a", keywords="nrf", url="https://x.example/"), rec("b", entry_type="book")]
    assert page_for(records) == page_for(records)


def test_link_title_points_the_engines_links_at_the_main_link():
    archived = "https://web.archive.org/web/20240101000000/https://x.example/p?q=1&r=2"
    links = Links(original="https://x.example/p?q=1&r=2", archived=archived, dead=True)
    own = '<a href="https://x.example/p?q=1&amp;r=2">'
    fragment = (f"\u201c{own}Title</a>.\u201d {own}https://x.example/p?q=1&#38;r=2</a>. "
                f'<a href="{archived.replace("&", "&amp;")}">copy</a>')
    out = link_title(fragment, "Title", links)
    main = f"<a{main_link_attrs(links)}>"
    assert main.startswith(f'<a href="{archived.replace("&", "&amp;")}" data-originalurl=')
    assert out == fragment.replace(own, main)


def test_link_title_without_engine_links_finds_the_title_or_names_the_host():
    links = Links(original="https://x.example/p?q=1&r=2")
    out = link_title("May 2021, \u201cThe Taliban&#x27;s Era\u201d.", "The Taliban's Era", links)
    assert out == "May 2021, \u201cThe Taliban&#x27;s Era\u201d." + (
        ' <a href="https://x.example/p?q=1&amp;r=2">x.example</a>')
    assert link_title("2021, \u201cA &amp; B\u201d.", "A & B", links) == (
        '2021, \u201c<a href="https://x.example/p?q=1&amp;r=2">A &amp; B</a>\u201d.')
    assert link_title("Has <a href=\"#\">a link</a>", "Has", links) == 'Has <a href="#">a link</a>'
    assert link_title("No address", "No", Links()) == "No address"


def test_switcher_shows_a_formatter_title_when_it_has_one():
    class Titled:
        title = "Fancy <Style>"

        def __call__(self, records: Sequence[Record], fmt: str) -> dict[str, str]:
            return stub_formatter(records, fmt)

    rl = make_reading_list([rec("a")], CONFIG, {"fancy": Titled(), "plain": stub_formatter},
                           formats=("html",))
    page = html_page(rl)
    assert '<option value="fancy">Fancy &lt;Style&gt;</option>' in page
    assert '<option value="plain">plain</option>' in page


def test_snapshot_date_comes_from_a_wayback_address_without_archivedate():
    r = rec("k", url="https://x.example/",
            archiveurl="https://web.archive.org/web/20230405123456/https://x.example/")
    assert record_links(r).archive_date == "2023-04-05"
    other = rec("k", url="https://x.example/", archiveurl="https://archive.ph/abcd")
    assert record_links(other).archive_date is None
    given = rec("k", archivedate="2020-01-01",
                archiveurl="https://web.archive.org/web/20230405123456id_/https://x.example/")
    assert record_links(given).archive_date == "2020-01-01"
