"""schema.org items of a page: which one the page is about, and reading their values.

A page often carries many items (the WebSite, the Organization, a
BreadcrumbList, the Article, an embedded VideoObject). The *main* item is the
most specific creative work in this order: a news article, a report, a
scholarly article, any other article, a video, a web page. A news article with
an embedded video is a news article.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bibvault.identity import normalise_url
from bibvault.ingest.web.jsonld import Item

NEWS = frozenset({"NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle",
                  "OpinionNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle",
                  "AskPublicNewsArticle", "SatiricalArticle", "LiveBlogPosting"})
REPORT = frozenset({"Report"})
SCHOLARLY = frozenset({"ScholarlyArticle", "MedicalScholarlyArticle"})
ARTICLE = frozenset({"Article", "BlogPosting", "TechArticle", "SocialMediaPosting",
                     "DiscussionForumPosting", "Blog", "CreativeWork", "Thesis", "Book"})
VIDEO = frozenset({"VideoObject", "Movie", "Clip", "Episode", "TVEpisode"})
PAGE = frozenset({"WebPage", "ItemPage", "AboutPage", "CollectionPage", "ProfilePage",
                  "QAPage", "FAQPage", "SearchResultsPage", "MediaObject"})
_RANKS: tuple[frozenset[str], ...] = (NEWS, REPORT, SCHOLARLY, ARTICLE, VIDEO, PAGE)


def types_of(item: Item) -> list[str]:
    """The item's ``@type`` names."""
    value = item.get("@type") or []
    return [t for t in (value if isinstance(value, list) else [value]) if isinstance(t, str)]


def rank(item: Item) -> int:
    """How well an item describes the page itself (lower is better; 99: not at all)."""
    types = set(types_of(item))
    for i, group in enumerate(_RANKS):
        if types & group:
            return i
    return 99


def _addresses(item: Item) -> set[str]:
    out = set()
    for prop in ("url", "@id", "mainEntityOfPage"):
        value = text_value(item.get(prop))
        if value.startswith(("http://", "https://")):
            out.add(normalise_url(value))
    return out


def main_item(items: Sequence[Item], addresses: Sequence[str] = ()) -> Item | None:
    """The item the page is about, or None when no item is a creative work.

    Among items of the best kind, one whose ``url``, ``@id`` or
    ``mainEntityOfPage`` is the page's own address (``addresses``: the fetched
    and canonical ones) wins over, say, a related article listed on the page.
    """
    own = {normalise_url(a) for a in addresses if a}

    def order(pair: tuple[int, Item]) -> tuple[int, int, int]:
        i, item = pair
        return rank(item), 0 if _addresses(item) & own else 1, i

    best = min(enumerate(items), key=order, default=None)
    return best[1] if best is not None and rank(best[1]) < 99 else None


def of_type(items: Sequence[Item], names: frozenset[str]) -> Item | None:
    """The first item with one of the ``names`` types."""
    return next((i for i in items if set(types_of(i)) & names), None)


def text_value(value: Any) -> str:
    """A property's value as text: the first string, or the ``name``/``@value`` of an item."""
    if isinstance(value, list):
        for v in value:
            t = text_value(v)
            if t:
                return t
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        for key in ("@value", "name", "url", "@id"):
            t = text_value(value.get(key))
            if t:
                return t
    return ""


def name_of(value: Any) -> str:
    """The ``name`` of an item (a publisher, a website); a plain string as it is."""
    if isinstance(value, list):
        return next((n for n in map(name_of, value) if n), "")
    if isinstance(value, dict):
        return text_value(value.get("name"))
    return value.strip() if isinstance(value, str) else ""


def label(item: Item, prop: str) -> str:
    """A provenance label such as ``NewsArticle.headline``."""
    types = types_of(item)
    return f"{types[0] if types else 'Thing'}.{prop}"
