"""Formatted entries: a citation style's text for each record, and its links.

An :data:`EntryFormatter` turns records into one formatted string per record
for an output format (``text``, ``html`` or ``md``). The real one runs the CSL
engine (:func:`csl_formatter`); anything with the same signature can stand in.
:func:`link_title` then points the links the engine made at the entry's main link.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bibvault.csl import Processor, get_backend, load_style
from bibvault.csljson import record_to_csl
from bibvault.records import Record
from bibvault.site.links import Links, main_link_attrs

#: ``formatter(records, fmt)`` → {record key: formatted entry}.
EntryFormatter = Callable[[Sequence[Record], str], dict[str, str]]

#: Whether a format's entries spell the engine's links. The entries are rendered
#: with links (so printed addresses keep their case: "https://", not "Https://"),
#: but only HTML shows them, where :func:`link_title` points them at the entry's
#: main link; text and Markdown stay as plain as the reading lists print them.
LINKED = {"html": True, "text": False, "md": False, "latex": False}


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
        backend = get_backend(fmt)
        quotes = proc.locale.quotes
        return {str(e.id): backend.render(e.content, quotes, links=LINKED[fmt]).strip()
                for e in proc.iter_entries(links=True)}


def csl_formatter(style: str, *, locale: str = "en-US",
                  search_dirs: Sequence[Path] = ()) -> CslFormatter:
    """The CSL engine with ``style`` as an :data:`EntryFormatter` (see :class:`CslFormatter`)."""
    return CslFormatter(style, locale=locale, search_dirs=search_dirs)


def link_title(fragment: str, title: str, links: Links) -> str:
    """``fragment`` (an HTML entry) with its links to the source pointed at the entry's
    main link, with Robust Links attributes when there is an archived copy.

    The CSL engine links the title and a printed address itself (see
    :class:`CslFormatter`): the title and the printed URL lead to the record's
    address (its archived copy when it has none), a printed archive address to
    the copy. Those links to the record's address become the main link, which
    is the archived copy once the source is dead or changed. An entry without
    any link gets a link named after the host, so every entry with an address
    links to it. ``title`` is the record's title, for formatters that print it
    without linking it: it is linked where it appears verbatim in the fragment.
    """
    if not links.main:
        return fragment
    attrs = main_link_attrs(links)
    own = links.original or links.archived
    engine_tag = f'<a href="{html.escape(own, quote=True)}">' if own else ""
    if engine_tag and engine_tag in fragment:
        return fragment.replace(engine_tag, f"<a{attrs}>")
    if "<a " in fragment:
        return fragment
    shown = html.escape(title, quote=False) if title else ""
    if shown and shown in fragment:
        return fragment.replace(shown, f"<a{attrs}>{shown}</a>", 1)
    host = html.escape(links.host or "link")
    return f"{fragment} <a{attrs}>{host}</a>"
