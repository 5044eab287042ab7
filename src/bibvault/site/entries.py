"""Formatted entries: a citation style's text for each record, and its links.

An :data:`EntryFormatter` turns records into one formatted string per record
for an output format (``text``, ``html`` or ``md``). The real one runs the CSL
engine (:func:`csl_formatter`); anything with the same signature can stand in.
:func:`link_title` then makes the title of an HTML entry a link to the source.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bibvault.csl import Processor, load_style
from bibvault.csljson import record_to_csl
from bibvault.records import Record
from bibvault.site.links import Links, main_link_attrs

#: ``formatter(records, fmt)`` → {record key: formatted entry}.
EntryFormatter = Callable[[Sequence[Record], str], dict[str, str]]

_WRAPPER = re.compile(r'^\s*<div class="csl-entry"[^>]*>(.*)</div>\s*$', re.S)
_TOKEN = re.compile(r"<[^>]*>|&(?:#\d+|#[xX][0-9a-fA-F]+|\w+);|.", re.S)
# Typography a style may introduce into a title: curly quotes, dashes, no-break spaces.
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                       "\u2013": "-", "\u2014": "-", "\u00a0": " ", "\u202f": " "})


class CslFormatter:
    """An :data:`EntryFormatter` running the CSL engine with one style.

    ``title`` is the style's own title, for a reader choosing between styles.
    Creating one raises the engine's ``StyleError`` when the style cannot be
    found or read.
    """

    def __init__(self, style: str, *, locale: str = "en-US",
                 search_dirs: Sequence[Path] = ()) -> None:
        self.style = load_style(style, search_dirs=list(search_dirs))
        self.locale = locale
        self.title: str = self.style.title or style
        self._last: tuple[list[dict[str, Any]], Processor] | None = None

    def __call__(self, records: Sequence[Record], fmt: str) -> dict[str, str]:
        """{record key: the record's bibliography entry in ``fmt``}."""
        items = [record_to_csl(r) for r in records]
        # The same records in another format: the processor keeps its rendering,
        # which makes the second and third format nearly free.
        if self._last is not None and self._last[0] == items:
            proc = self._last[1]
        else:
            proc = Processor(self.style, items, locale=self.locale)
            self._last = (items, proc)
        out = {}
        for item_id, entry in proc.bibliography(fmt=fmt):
            if fmt == "html":
                m = _WRAPPER.match(entry)
                entry = m.group(1) if m else entry
            out[str(item_id)] = entry.strip()
        return out


def csl_formatter(style: str, *, locale: str = "en-US",
                  search_dirs: Sequence[Path] = ()) -> CslFormatter:
    """The CSL engine with ``style`` as an :data:`EntryFormatter` (see :class:`CslFormatter`)."""
    return CslFormatter(style, locale=locale, search_dirs=search_dirs)


def _decoded(fragment: str) -> tuple[str, list[tuple[int, int]]]:
    """The visible text of an HTML fragment and, per character, its span in the fragment."""
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(fragment):
        tok = m.group(0)
        if tok.startswith("<") and len(tok) > 1:
            continue
        text = html.unescape(tok) if tok.startswith("&") else tok
        for ch in text:
            chars.append(ch)
            spans.append((m.start(), m.end()))
    return "".join(chars), spans


def _fold(text: str) -> str:
    folded = text.translate(_FOLD)
    low = folded.lower()
    # lower() may change the length (İ → i̇); position mapping then needs the original.
    return low if len(low) == len(folded) else folded


def link_title(fragment: str, title: str, links: Links) -> str:
    """``fragment`` (an HTML entry) with the title, or a printed URL, linked to the source.

    The title is found case-insensitively and across the typography a style
    adds. A printed copy of the URL is linked too. When neither can be found,
    a link named after the host is appended, so every entry with an address
    links to it. Entries that already contain links are left alone.
    """
    if not links.main or "<a " in fragment:
        return fragment
    attrs = main_link_attrs(links)
    spans: list[tuple[int, int]] = []
    text, where = _decoded(fragment)
    folded = _fold(text)
    for needle in (title, links.original or "", links.main):
        n = _fold(" ".join(needle.split())) if needle else ""
        if not n:
            continue
        at = folded.find(n)
        if at < 0:
            continue
        start, end = where[at][0], where[at + len(n) - 1][1]
        if "<" in fragment[start:end] or any(s < end and start < e for s, e in spans):
            continue
        spans.append((start, end))
    if not spans:
        host = html.escape(links.host or "link")
        return f"{fragment} <a{attrs}>{host}</a>"
    out = fragment
    for start, end in sorted(spans, reverse=True):
        out = f"{out[:start]}<a{attrs}>{out[start:end]}</a>{out[end:]}"
    return out
