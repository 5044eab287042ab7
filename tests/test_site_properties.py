"""Properties of the page for arbitrary record text: it never breaks out of its markup."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from types import MappingProxyType

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bibvault.config import Config, Section
from bibvault.records import Record
from bibvault.site import csl_formatter, html_page, make_reading_list, markdown

REPO = Path(__file__).resolve().parents[1]
CONFIG = Config(sections=(Section("all", "All", ("online",)),))
# Every element the page itself writes; anything else would come from a record.
OUR_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "div",
            "label", "input", "select", "option", "nav", "ol", "ul", "li", "a", "span", "main",
            "section", "footer", "script", "i", "b", "sup", "sub", "details", "summary", "pre"}
SITE = csl_formatter("site", search_dirs=[REPO / "styles"])

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
urls = st.one_of(text, st.sampled_from(["javascript:alert(1)", "https://ok.example/a?b=<c>",
                                        "https://ok.example/\"x", "data:,x", "HTTPS://OK.example/"]))


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=text, annotation=text, publisher=text, url=urls)
def test_record_text_never_becomes_markup(title: str, annotation: str, publisher: str, url: str):
    fields = {"title": title, "annotation": annotation, "organization": publisher, "url": url,
              "date": "2020-01-02"}
    r = Record(key="k", entry_type="online", source_type="online", file="t.bib", line=1,
               fields=MappingProxyType(fields), tex=MappingProxyType(dict(fields)))
    rl = make_reading_list([r], CONFIG, {"site": SITE}, formats=("html", "md"))
    p = Collect()
    p.feed(html_page(rl))
    p.close()
    assert {t for t, _ in p.tags} <= OUR_TAGS
    for tag, attrs in p.tags:
        if tag == "a":
            href = attrs.get("href") or ""
            assert href.startswith(("#", "http://", "https://", "HTTPS://")), href
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
    assert [t for t, _ in p.tags].count("script") == 1
    md = markdown(rl, "site")
    assert "javascript:" not in md.lower() or "javascript:" in (title + annotation + publisher).lower()
