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

#: {record key: {style: {format: entry}}}
Formatted = dict[str, dict[str, Mapping[str, str]]]


class CompactTexts(Mapping[str, str]):
    """{format: entry} kept as UTF-8 bytes, given back as text.

    A large list holds every entry in every style and format until its files
    are written; as bytes that takes about half the memory of Python strings
    (entries with curly quotes or dashes are stored two bytes a character).
    """

    __slots__ = ("_data",)

    def __init__(self, texts: Mapping[str, str]) -> None:
        # surrogatepass: a lone surrogate (an undecodable byte of a .bib file) survives.
        self._data = {k: v.encode("utf-8", "surrogatepass") for k, v in texts.items()}

    def __getitem__(self, fmt: str) -> str:
        return self._data[fmt].decode("utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def _csl_entries(formatter: CslFormatter, items: Iterable[dict[str, Any]],
                 formats: Sequence[str], resources: Resources) -> dict[str, CompactTexts]:
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
                                           for fmt, backend in backends})
    return out


def format_entries(
    formatters: Mapping[str, EntryFormatter], records: Sequence[Record],
    formats: Sequence[str], items: ItemCache | None = None,
) -> Formatted:
    """Each record's entry in every style and format: {key: {style: {format: text}}}.

    A CSL formatter (:class:`~bibvault.site.entries.CslFormatter`) renders each
    entry once for all formats, from the records' items in ``items``; any other
    formatter is called once per format. The locales and the collator are shared
    by all styles.
    """
    cache = items or ItemCache()
    resources = Resources()
    formatted: Formatted = {}
    for style, formatter in formatters.items():
        if isinstance(formatter, CslFormatter):
            per_key = _csl_entries(formatter, cache.items(records), formats, resources)
            for key, texts in per_key.items():
                formatted.setdefault(key, {})[style] = texts
            continue
        per_fmt = {fmt: formatter(records, fmt) for fmt in formats}
        for key in dict.fromkeys(k for texts in per_fmt.values() for k in texts):
            formatted.setdefault(key, {})[style] = CompactTexts(
                {fmt: per_fmt[fmt][key] for fmt in formats if key in per_fmt[fmt]})
    return formatted
