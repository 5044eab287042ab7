"""Everything a page says about itself, gathered before anything is chosen.

:func:`read_page` parses HTML (leniently, with lxml) into a :class:`PageData`:
the schema.org items of its JSON-LD and microdata, every ``<meta>`` by name or
property, ``<link rel>`` addresses, the ``<title>``, the ``<h1>`` headings,
bylines, ``<time>`` elements and a sample of the visible text. Choosing among
them is :mod:`bibvault.ingest.web.extract`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from bibvault.ingest.web.jsonld import Item, flatten, loads_lenient, type_names

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
_BYLINE_CLASSES = re.compile(r"\b(byline|by-line|author|authors|author-name|contributor"
                             r"|article-author|story-byline|meta-author)\b", re.IGNORECASE)
_MAX_ITEMS = 200
_TEXT_SAMPLE = 20000
_URL_PROPS = {"a": "href", "link": "href", "area": "href", "img": "src", "audio": "src",
              "video": "src", "source": "src", "iframe": "src", "embed": "src", "track": "src"}


@dataclass
class PageData:
    """The raw metadata of one page, in document order, nothing chosen yet."""

    url: str
    items: list[tuple[str, Item]] = field(default_factory=list)  # (origin, item)
    meta: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)
    title: str = ""
    h1: list[str] = field(default_factory=list)
    bylines: list[str] = field(default_factory=list)
    times: list[tuple[str, str]] = field(default_factory=list)  # (datetime, hint)
    lang: str = ""
    text: str = ""

    def first_meta(self, *names: str) -> tuple[str, str] | None:
        """``(name, value)`` of the first non-empty ``<meta>`` among ``names``, in that order."""
        for name in names:
            for value in self.meta.get(name, []):
                if value.strip():
                    return name, value.strip()
        return None


def _text(el: Any) -> str:
    try:
        return " ".join(el.text_content().split())
    except (ValueError, AttributeError):
        return ""


def _parse(text: str) -> Any:
    text = _XML_DECL.sub("", _CONTROL.sub("", text))
    if not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def read_page(text: str, url: str) -> PageData:
    """Parse the HTML ``text`` of the page at ``url``; never raises for bad markup."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    try:
        urlsplit(url)
    except ValueError:
        url = ""  # an address Python cannot parse would fail every link resolved against it
    data = PageData(url=url)
    root = _parse(text)
    if root is None:
        return data
    blocks = []
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower().startswith("application/ld+json"):
            value = loads_lenient(script.text or "")
            if value is not None:
                blocks.append(value)
    data.items = [("json-ld", item) for item in flatten(blocks)[:_MAX_ITEMS]]
    data.items += [("microdata", item) for item in _microdata(root, url)[:_MAX_ITEMS]]
    for el in root.iter("meta"):
        name = (el.get("name") or el.get("property") or el.get("itemprop") or "").strip().lower()
        content = el.get("content")
        if name and content is not None and not _scoped(el):
            data.meta.setdefault(name, []).append(" ".join(content.split()))
    for el in root.iter("link"):
        href = (el.get("href") or "").strip()
        for rel in (el.get("rel") or "").lower().split():
            if href:
                data.links.setdefault(rel, []).append(_absolute(url, href))
    title = root.find(".//title")
    data.title = _text(title) if title is not None else ""
    data.h1 = [t for t in (_text(h) for h in root.iter("h1")) if t][:5]
    data.bylines = _bylines(root)
    data.times = _times(root)
    data.lang = (root.get("lang") or "").strip()
    data.text = _visible_text(root)
    return data


def _absolute(base: str, href: str) -> str:
    try:
        return urljoin(base, href)
    except ValueError:
        return href


def _scoped(el: Any) -> bool:
    """Whether a ``<meta>`` belongs to a microdata item (then it is no page-wide tag)."""
    return el.get("itemprop") is not None and el.get("name") is None and el.get("property") is None


def _bylines(root: Any) -> list[str]:
    out: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("meta", "link", "script", "style", "body",
                                                      "html", "article", "main"):
            continue
        cls = el.get("class") or ""
        if el.get("rel", "").lower() == "author" or _BYLINE_CLASSES.search(cls):
            text = _text(el)
            if text and len(text) <= 200 and text not in out:
                out.append(text)
        if len(out) >= 10:
            break
    return out


def _times(root: Any) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for el in root.iter("time"):
        when = (el.get("datetime") or "").strip() or _text(el)
        hint = " ".join(filter(None, [el.get("itemprop"), el.get("class"),
                                      "pubdate" if el.get("pubdate") is not None else None]))
        if when:
            out.append((when, hint.lower()))
    return out[:20]


def _visible_text(root: Any) -> str:
    body = root.find(".//body")
    if body is None:
        body = root
    parts: list[str] = []
    size = 0
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "noscript", "template"):
            continue
        for piece in (el.text, el.tail if el is not body else None):
            if piece and piece.strip():
                parts.append(" ".join(piece.split()))
                size += len(parts[-1])
        if size > _TEXT_SAMPLE:
            break
    # One line per piece of text, so that a shouted heading stays apart from the prose.
    return "\n".join(parts)[:_TEXT_SAMPLE]


def _microdata(root: Any, url: str) -> list[Item]:
    """Every microdata item of the page as a JSON-LD-like dict."""
    out: list[Item] = []
    for el in root.iter():
        if isinstance(el.tag, str) and el.get("itemscope") is not None:
            out.append(_microdata_item(el, url, 0))
            if len(out) >= _MAX_ITEMS:
                break
    return out


def _owner(el: Any) -> Any:
    parent = el.getparent()
    while parent is not None and parent.get("itemscope") is None:
        parent = parent.getparent()
    return parent


def _microdata_item(scope: Any, url: str, depth: int) -> Item:
    item: Item = {"@type": type_names((scope.get("itemtype") or "").split())}
    if depth > 6:
        return item
    for el in scope.iterdescendants():
        if not isinstance(el.tag, str) or el.get("itemprop") is None or _owner(el) is not scope:
            continue
        if el.get("itemscope") is not None:
            value: Any = _microdata_item(el, url, depth + 1)
        elif el.tag == "meta" or el.get("content") is not None:
            # A content attribute outside <meta> is not in the standard, but
            # video sites write <link itemprop=name content=...>.
            value = el.get("content") or ""
        elif el.tag in _URL_PROPS:
            value = _absolute(url, (el.get(_URL_PROPS[el.tag]) or "").strip())
        elif el.tag == "time":
            value = el.get("datetime") or _text(el)
        elif el.tag in ("data", "meter"):
            value = el.get("value") or _text(el)
        else:
            value = _text(el)
        for prop in el.get("itemprop", "").split():
            existing = item.get(prop)
            if existing is None:
                item[prop] = value
            elif isinstance(existing, list):
                existing.append(value)
            else:
                item[prop] = [existing, value]
    return item
