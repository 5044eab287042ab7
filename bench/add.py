"""Which libraries ``bibvault add`` stands on, by measurement on the test pages.

For each fixture page of ``tests/data/web`` (``{BASE}`` set to a fixed site)
this compares, against the values the tests expect:

- the published date: bibvault's precedence (:mod:`bibvault.ingest.web.extract`)
  and htmldate's ``find_date(original_date=True)``;
- the schema.org data: bibvault's reader (lxml, lenient JSON-LD, ``@id``
  references resolved) and extruct's ``json-ld``/``microdata``/``opengraph``
  extraction (how many pages give the expected title and author);
- time per page for each, and lxml's parser against the standard library's
  ``html.parser`` walking the same document.

htmldate and extruct are not dependencies of bibvault; install them to run
this: ``pip install htmldate extruct``. Run: ``python bench/add.py [--rounds 50]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html.parser
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html

from bibvault.ingest.web.charset import decode_html
from bibvault.ingest.web.page import read_page
from bibvault.ingest.web.record import candidate_from_page

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "web"
BASE = "https://site.example"
#: page → (date, title, first author's family name) the tests expect.
EXPECTED = {
    "news-jsonld.html": ("2022-09-08", "Taliban & NRF fighters clash in Panjshir as resistance "
                         "claims gains", "Mills"),
    "yoast-graph.html": ("2023-03-14", "What the National Resistance Front Wants from Washington",
                         "Doe"),
    "og-only.html": ("2022-09-08", "ISIS and the NRF: A Tale of Two Insurgencies", "Doe"),
    "report.html": ("2022-09-13", "US Has an Opportunity to Support the National Resistance "
                    "Front of Afghanistan", "Coffey"),
    "amp.html": ("2021-09-05", "Massoud calls for talks with Taliban", "Karimi"),
    "video.html": ("2022-12-29", "Deja Vu All Over Again: Interview with Ahmad Massoud", ""),
    "cp1256.html": ("2022-09-06", "جبهه مقاومت ملي در پنجشير", "ژوندي"),
}

#: Small pages for the date rules alone: (HTML, the published date a citation needs).
DATE_CASES = {
    "month only (citation_publication_date 2022/09)":
        ('<meta name="citation_publication_date" content="2022/09"><title>T</title>', "2022-09"),
    "UTC JSON-LD, local time in article:published_time":
        ('<script type="application/ld+json">{"@type":"NewsArticle","headline":"T",'
         '"datePublished":"2022-09-09T03:30:00Z"}</script><meta property='
         '"article:published_time" content="2022-09-08T23:30:00-04:00">', "2022-09-08"),
    "modified time written first":
        ('<meta property="article:modified_time" content="2023-01-05T10:00:00+00:00">'
         '<meta property="article:published_time" content="2022-11-30T10:00:00+00:00">'
         '<p>Updated January 5, 2023</p>', "2022-11-30"),
    "year only (JSON-LD datePublished 2021)":
        ('<script type="application/ld+json">{"@type":"Report","name":"T",'
         '"datePublished":"2021"}</script>', "2021"),
    "no date at all":
        ("<title>T</title><p>No date here.</p>", ""),
}


def _pages() -> dict[str, str]:
    return {name: decode_html((DATA / name).read_bytes().replace(b"{BASE}", BASE.encode()),
                              "text/html")[0] for name in EXPECTED}


def _bibvault(text: str) -> tuple[str, str, str]:
    cand, _ = candidate_from_page(read_page(text, BASE + "/a/page"), "bench", dt.date(2026, 12, 1))
    authors = cand.creators.get("author", [])
    return (cand.fields.get("date", ""), cand.fields.get("title", ""),
            authors[0].family if authors else "")


def _htmldate(text: str) -> str:
    import htmldate

    return htmldate.find_date(text, original_date=True, outputformat="%Y-%m-%d",
                              url=BASE + "/a/page", extensive_search=True) or ""


def _extruct(text: str) -> tuple[str, str]:
    import extruct

    data = extruct.extract(text, base_url=BASE, syntaxes=["json-ld", "microdata", "opengraph"],
                           uniform=True, errors="ignore")
    title = author = ""
    for item in data.get("json-ld", []) + data.get("microdata", []):
        title = title or str(item.get("headline") or item.get("name") or "")
        a = item.get("author")
        a = a[0] if isinstance(a, list) and a else a
        if isinstance(a, dict):
            author = author or str(a.get("name") or "")
    for og in data.get("opengraph", []):
        title = title or str(og.get("og:title") or "")
    return title, author


class _Walker(html.parser.HTMLParser):
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass


def _stdlib_parse(text: str) -> None:
    w = _Walker()
    w.feed(text)
    w.close()


def _time(fn: Callable[[str], Any], pages: dict[str, str], rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for text in pages.values():
            fn(text)
    return (time.perf_counter() - start) / (rounds * len(pages)) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=50)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    pages = _pages()
    ours = {n: _bibvault(t) for n, t in pages.items()}
    hd = {n: _htmldate(t) for n, t in pages.items()}
    ex = {n: _extruct(t) for n, t in pages.items()}
    print(f"{'page':18} {'date: bibvault':>15} {'htmldate':>11}  title/author: bibvault  extruct")
    for n, (date, title, author) in EXPECTED.items():
        ok = ours[n] == (date, title, author)
        ex_ok = (ex[n][0] == title, ex[n][1].split()[-1:] == [author] if author else True)
        print(f"{n:18} {('ok' if ours[n][0] == date else ours[n][0]):>15} "
              f"{('ok' if hd[n] == date else hd[n] or '-'):>11}  "
              f"{'ok' if ok else ours[n][1:]!s:22} {'ok' if all(ex_ok) else ex[n]!s}")
    n = len(EXPECTED)
    print(f"dates right: bibvault {sum(ours[k][0] == v[0] for k, v in EXPECTED.items())}/{n}, "
          f"htmldate {sum(hd[k] == v[0] for k, v in EXPECTED.items())}/{n}")
    print(f"title and first author right: bibvault "
          f"{sum(ours[k] == v for k, v in EXPECTED.items())}/{n}, extruct "
          f"{sum(ex[k][0] == v[1] and (not v[2] or ex[k][1].endswith(v[2])) for k, v in EXPECTED.items())}/{n}")
    print("date rules (expected / bibvault / htmldate):")
    for label, (text, want) in DATE_CASES.items():
        mine = _bibvault(text)[0]
        theirs = _htmldate(f"<!doctype html><html><head>{text}</head><body><p>Text.</p>"
                           "</body></html>")
        print(f"  {label:52} {want or '-':>10} {mine or '-':>10} {theirs or '-':>10}")
    print("ms per page:")
    print(f"  bibvault whole extraction  {_time(_bibvault, pages, args.rounds):7.2f}")
    print(f"  htmldate find_date         {_time(_htmldate, pages, max(1, args.rounds // 5)):7.2f}")
    print(f"  extruct (3 syntaxes)       {_time(_extruct, pages, max(1, args.rounds // 5)):7.2f}")
    print(f"  lxml.html parse            {_time(lxml.html.document_fromstring, pages, args.rounds):7.2f}")
    print(f"  html.parser walk (stdlib)  {_time(_stdlib_parse, pages, args.rounds):7.2f}")


if __name__ == "__main__":
    main()
