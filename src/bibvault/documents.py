"""The documents a build writes: their names, and each one's text made on demand.

:func:`plan_documents` names every file of a build at once, without rendering
anything, and gives for each a function that yields its text in pieces (an
entry or a record at a time). The build can so check every name before it
writes, and write a large list one file at a time without ever holding a
whole page. The work the documents share is done once, on first use: the
reading list (each style rendered once for every format, see
:mod:`bibvault.site.styled`) and each record's export texts (see
:mod:`bibvault.export.texts`), which the page's cite control shows as well.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path

from bibvault.added import dates_added
from bibvault.config import Config
from bibvault.csljson import ItemCache
from bibvault.export.texts import ExportTexts
from bibvault.records import Record
from bibvault.site import EntryFormatter, Filters, ReadingList, make_reading_list, select
from bibvault.site.feed import FEED_NAME, atom_feed
from bibvault.site.html import html_chunks
from bibvault.site.linkstate import link_states
from bibvault.site.text import markdown, plain_text
from bibvault.site.tools import CITE_FORMATS
from bibvault.spool import Spool

#: Output format → (the style output it needs, file name pattern).
PAGE_FORMATS: Mapping[str, tuple[str, str]] = {
    "html": ("html", "index.html"),
    "md": ("md", "reading-list.{style}.md"),
    "txt": ("text", "reading-list.{style}.txt"),
}
#: Export name → file name.
EXPORT_FILES: Mapping[str, str] = {
    "biblatex": "references.bib",
    "bibtex": "references.bibtex.bib",
    "csl-json": "references.json",
    "ris": "references.ris",
}

#: A document's text, a piece at a time.
Producer = Callable[[], Iterable[str]]


def style_slug(style: str) -> str:
    """The part of an output file name that names a style (``my.csl`` path → ``my``)."""
    name = Path(style).stem if style.lower().endswith(".csl") else style
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "style"


class _Shared:
    """The work the documents share, each piece done on first use."""

    def __init__(self, records: Sequence[Record], config: Config,
                 formatters: Mapping[str, EntryFormatter], formats: Sequence[str],
                 group_by: str, order: str, filters: Filters) -> None:
        self.records, self.config, self.formatters = records, config, formatters
        self.formats, self.group_by, self.order, self.filters = formats, group_by, order, filters
        self.chosen = select(records, filters)
        # References for papers: the fields citation styles use, no curators' notes.
        # What the build holds until its files are written (entries in every style
        # and format, items, export texts) waits in a temporary file.
        self.spool = Spool()
        self.items = ItemCache(self.spool)
        self.texts = ExportTexts("paper", self.items, self.spool)
        self._list: ReadingList | None = None

    def reading_list(self) -> ReadingList:
        if self._list is None:
            config = self.config
            states = link_states(self.records, config.resolve(config.check.database),
                                 config.check)
            self._list = make_reading_list(
                self.records, config, self.formatters, formats=self.formats,
                group_by=self.group_by, order=self.order, filters=self.filters,
                link_states=states, items=self.items, exports=self.texts, spool=self.spool)
        return self._list


def plan_documents(
    records: Sequence[Record], config: Config, formatters: Mapping[str, EntryFormatter], *,
    formats: Sequence[str], exports: Sequence[str], group_by: str, order: str,
    filters: Filters | None = None, feed: bool = True,
) -> dict[str, Producer]:
    """Every file of a build by name, in the order to write them, each as a
    function yielding its text in pieces. Nothing is rendered before a piece is asked for.

    ``formatters`` maps the styles to their formatters (the first style is the
    page's default); ``feed`` is whether the page links an Atom feed (written
    beside it when the build has the feed on).
    """
    needed = tuple(dict.fromkeys(PAGE_FORMATS[f][0] for f in formats))
    shared = _Shared(records, config, formatters, needed, group_by, order, filters or Filters())
    lang = config.build.locale.split("-")[0] or "en"
    plan: dict[str, Producer] = {}
    for fmt in formats:
        if fmt == "html":
            with_feed = config.build.feed and feed

            def page(with_feed: bool = with_feed) -> Iterator[str]:
                # Kept for the export files of the same formats, which come later.
                shared.texts.prepare(shared.chosen, CITE_FORMATS[config.build.cite])
                yield from html_chunks(shared.reading_list(), lang=lang,
                                       feed=FEED_NAME if with_feed else None)

            plan["index.html"] = page
            if with_feed:
                plan[FEED_NAME] = lambda: (atom_feed(
                    shared.reading_list(), dates_added(config.record_files(), config.root),
                    limit=config.build.feed_entries, site_url=config.build.site_url),)
            continue
        for style in formatters:
            name = PAGE_FORMATS[fmt][1].format(style=style_slug(style))
            plan[name] = partial(_list_text, shared, fmt, style)
    for export in exports:
        plan[EXPORT_FILES[export]] = partial(_export_chunks, shared, export)
    return plan


def _list_text(shared: _Shared, fmt: str, style: str) -> Iterator[str]:
    write = markdown if fmt == "md" else plain_text
    yield write(shared.reading_list(), style)


def _export_chunks(shared: _Shared, fmt: str) -> Iterator[str]:
    # Records' items come from the cache the styles filled, so a format's texts are
    # made as its file is written, a record at a time, and not kept.
    yield from shared.texts.file_chunks(shared.chosen, fmt)
    # The page, if any, came first: nobody needs this format's texts any more.
    shared.texts.forget(fmt)
