"""Each record's export text, made once and shared by the export files and the page.

A build writes the same record in up to four export files, and the page's cite
control shows its BibTeX and RIS again. :class:`ExportTexts` trims each record
to the export profile once, makes its CSL-JSON item once, writes each format's
text for it once, and assembles files from those texts, byte for byte what the
exporters (:func:`~bibvault.export.to_bibtex` and the others) write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from bibvault import csljson
from bibvault.export.biblatex import biblatex_entry
from bibvault.export.bibtex import bibtex_entry
from bibvault.export.csl import csl_json_member, join_csl_json
from bibvault.export.profiles import apply_profile
from bibvault.export.ris import join_ris, ris_reference
from bibvault.spool import Spool

#: Export format → how one record's text is made: from the trimmed record, from its item.
_FROM_RECORD: Mapping[str, Callable[[Any], str]] = {
    "biblatex": biblatex_entry, "bibtex": bibtex_entry,
}
_FROM_ITEM: Mapping[str, Callable[[Mapping[str, Any]], str]] = {
    "csl-json": csl_json_member, "ris": ris_reference,
}
#: Export format → how a file is assembled from its records' texts.
_JOIN: Mapping[str, Callable[[Sequence[str]], str]] = {
    "biblatex": "\n".join, "bibtex": "\n".join, "csl-json": join_csl_json, "ris": join_ris,
}
FORMATS = tuple(_JOIN)
#: Export format → (before the first text, between texts, after the last, the file of none).
_LAYOUT: Mapping[str, tuple[str, str, str, str]] = {
    "biblatex": ("", "\n", "", ""), "bibtex": ("", "\n", "", ""),
    "csl-json": ("[\n  ", ",\n  ", "\n]\n", "[]\n"), "ris": ("", "\n\n", "\n", ""),
}


class ExportTexts:
    """Records' texts in the export formats (one profile), each made on first use.

    Texts are looked up by the record object (two records may share a key when a
    build goes on despite duplicate keys). ``items`` are the records' CSL-JSON
    items when the caller has them: a record the profile leaves whole (most are)
    exports its own item, not a second one made from its trimmed copy.
    """

    def __init__(self, profile: str = "paper", items: csljson.ItemCache | None = None,
                 spool: Spool | None = None) -> None:
        apply_profile([], profile)  # an unknown profile fails here, not at first use
        self.profile = profile
        # The records' own items: a record the profile leaves whole has the same item.
        self.items = items if items is not None else csljson.ItemCache()
        # id() of a record → (the record, kept so the id stays its own; format → text,
        # or its handle in the spool, where kept texts wait when there is one)
        self._texts: dict[int, tuple[Any, dict[str, str | bytes]]] = {}
        self._spool = spool

    def prepare(self, records: Iterable[Any], formats: Sequence[str]) -> None:
        """Make the texts of ``records`` in ``formats``, trimming each record once."""
        for record in records:
            self._fill(record, formats)

    def text(self, record: Any, fmt: str) -> str:
        """The text of one record in export format ``fmt``."""
        return self._read(self._fill(record, (fmt,))[fmt])

    def file(self, records: Iterable[Any], fmt: str) -> str:
        """The export file of ``records`` in ``fmt``, as the format's exporter writes it."""
        return _JOIN[fmt]([self.text(r, fmt) for r in records])

    def file_chunks(self, records: Iterable[Any], fmt: str) -> Iterator[str]:
        """:meth:`file` in pieces, a record at a time (the file is never held whole)."""
        # Each format's file is its records' texts with a separator between them and
        # a start and an end; the join functions say what those are.
        start, sep, end, empty = _LAYOUT[fmt]
        first = True
        for record in records:
            hit = self._texts.get(id(record))
            text = hit[1].get(fmt) if hit is not None else None
            # A text nobody asked for before is made for the file and not kept.
            yield (start if first else sep) + (self._read(text) if text is not None else
                                               self._make(record, (fmt,))[fmt])
            first = False
        yield empty if first else end

    def forget(self, fmt: str) -> None:
        """Drop the texts made in ``fmt`` (once its file is written)."""
        for _, texts in self._texts.values():
            texts.pop(fmt, None)

    def _fill(self, record: Any, formats: Sequence[str]) -> dict[str, str | bytes]:
        hit = self._texts.get(id(record))
        if hit is None:
            hit = self._texts[id(record)] = (record, {})
        texts = hit[1]
        missing = [f for f in formats if f not in texts]
        if missing:
            made = self._make(record, missing)
            spool = self._spool
            texts.update(made if spool is None else {f: spool.put(t) for f, t in made.items()})
        return texts

    def _read(self, kept: str | bytes) -> str:
        if isinstance(kept, str):
            return kept
        assert self._spool is not None
        return self._spool.get(kept)

    def _make(self, record: Any, formats: Sequence[str]) -> dict[str, str]:
        unknown = [f for f in formats if f not in _JOIN]
        if unknown:
            raise ValueError(f"unknown export format {unknown[0]!r}; known: {', '.join(FORMATS)}")
        trimmed = apply_profile([record], self.profile)[0]
        item = None
        if any(f in _FROM_ITEM for f in formats):
            whole = (len(trimmed.fields) == len(record.fields)
                     and len(trimmed.tex) == len(record.tex))
            item = self.items.item(record) if whole else csljson.record_to_csl(trimmed)
        made = {}
        for fmt in formats:
            if fmt in _FROM_ITEM:
                assert item is not None
                made[fmt] = _FROM_ITEM[fmt](item)
            else:
                made[fmt] = _FROM_RECORD[fmt](trimmed)
        return made
