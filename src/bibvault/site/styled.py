"""Every style's entries in every output format, each style rendered once.

The CSL engine turns an entry into a rich-text tree; the text, HTML and
Markdown of that entry are three serialisations of the same tree. So a style
runs once over the records, and each entry's tree is written out in all the
formats asked for before the next entry is rendered (holding every tree of a
large list at once would cost memory, and each garbage-collector pass would walk
them all). The records' CSL-JSON items come from one
:class:`~bibvault.csljson.ItemCache`, made once per record and shared by the
styles, the COinS spans and the export texts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from bibvault.csl import Processor, Resources, flatten, get_backend
from bibvault.csljson import ItemCache
from bibvault.records import Record
from bibvault.site.entries import LINKED, CslFormatter, EntryFormatter
from bibvault.spool import Spool

#: {record key: {style: {format: entry}}}
Formatted = dict[str, dict[str, Mapping[str, str]]]


class CompactTexts(Mapping[str, str]):
    """{format: entry} kept as UTF-8 bytes, or in a :class:`~bibvault.spool.Spool`,
    given back as text.

    A large list holds every entry in every style and format until its files
    are written. As bytes that takes about half the memory of Python strings;
    in a spool (a temporary file) a few dozen bytes an entry, whatever its length.
    """

    __slots__ = ("_data", "_spool", "_handle", "_formats")

    def __init__(self, texts: Mapping[str, str], spool: Spool | None = None) -> None:
        self._spool = spool
        if spool is not None:
            self._data: dict[str, bytes] | None = None
            self._formats = tuple(texts)
            self._handle = spool.put(*texts.values())
            return
        # surrogatepass: a lone surrogate (an undecodable byte of a .bib file) survives.
        self._data = {k: v.encode("utf-8", "surrogatepass") for k, v in texts.items()}

    def __getitem__(self, fmt: str) -> str:
        if self._data is not None:
            return self._data[fmt].decode("utf-8", "surrogatepass")
        if fmt not in self._formats:
            raise KeyError(fmt)
        assert self._spool is not None
        return self._spool.get(self._handle, self._formats.index(fmt))

    def __iter__(self) -> Iterator[str]:
        return iter(self._data if self._data is not None else self._formats)

    def __len__(self) -> int:
        return len(self._data if self._data is not None else self._formats)


def _csl_entries(formatter: CslFormatter, items: Iterable[dict[str, Any]],
                 formats: Sequence[str], resources: Resources,
                 spool: Spool | None) -> dict[str, CompactTexts]:
    """{item id: {format: entry}} for one CSL style, every entry rendered once."""
    proc = Processor(formatter.style, items, locale=formatter.locale, resources=resources)
    quotes = proc.locale.quotes
    backends = [(fmt, get_backend(fmt)) for fmt in formats]
    out: dict[str, CompactTexts] = {}
    # The processor's own entry stream: entries in the style's order, disambiguated and
    # with subsequent-author-substitute applied, each tree dropped once written out.
    for entry in proc.iter_entries(links=True):
        # As CslFormatter writes them: links shown in HTML only.
        # The tree is flattened once; each format only spells the events.
        events = flatten(entry.content, quotes)
        out[str(entry.id)] = CompactTexts({fmt: backend.spell(events, links=LINKED[fmt]).strip()
                                           for fmt, backend in backends}, spool)
    return out


def format_entries(
    formatters: Mapping[str, EntryFormatter], records: Sequence[Record],
    formats: Sequence[str], items: ItemCache | None = None, spool: Spool | None = None,
) -> Formatted:
    """Each record's entry in every style and format: {key: {style: {format: text}}}.

    A CSL formatter (:class:`~bibvault.site.entries.CslFormatter`) renders each
    entry once for all formats, from the records' items in ``items``; any other
    formatter is called once per format. The locales and the collator are shared
    by all styles. With a ``spool`` the entries wait in it until they are written.
    """
    cache = items or ItemCache()
    resources = Resources()
    formatted: Formatted = {}
    for style, formatter in formatters.items():
        if isinstance(formatter, CslFormatter):
            per_key = _csl_entries(formatter, cache.items(records), formats, resources, spool)
            for key, texts in per_key.items():
                formatted.setdefault(key, {})[style] = texts
            continue
        per_fmt = {fmt: formatter(records, fmt) for fmt in formats}
        for key in dict.fromkeys(k for texts in per_fmt.values() for k in texts):
            formatted.setdefault(key, {})[style] = CompactTexts(
                {fmt: per_fmt[fmt][key] for fmt in formats if key in per_fmt[fmt]}, spool)
    return formatted
