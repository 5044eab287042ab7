"""Rules across records: duplicates (D6xx) and the topic vocabulary (T3xx)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType

from bibvault.edtf import EDTFDate
from bibvault.findings import Finding
from bibvault.identity import normalise_doi, normalise_title, normalise_url
from bibvault.records import Record, topic_list
from bibvault.rules import finding
from bibvault.validate.fields import Place

#: (key, file, line) of a record, for the alias rule and the duplicate messages.
AliasOwner = tuple[str, str, int]
#: (key, file, line, column of ids, the aliases) of a record with ``ids``.
AliasUse = tuple[str, str, int, int, tuple[str, ...]]


#: What a duplicate probe compares, for the message.
_SAME = MappingProxyType({"D602": "URL", "D603": "DOI", "D604": "title and year"})


class DuplicateIndex:
    """Duplicate keys, and records that are the same work (URL, DOI, title and
    year), over records given one at a time.

    ``first_keys``, when given, is filled with {case-folded key: (key, file, line) of
    its first record}, which :func:`check_aliases` takes as the owners of keys, so
    that a caller need not keep a second index of every key.
    """

    def __init__(self, first_keys: dict[str, AliasOwner] | None = None) -> None:
        # (key, file, line) of the first record of each probe: not the records, so
        # that records can be checked one at a time and dropped.
        self.first_keys: dict[str, AliasOwner] = {} if first_keys is None else first_keys
        self._by: dict[str, dict[str, AliasOwner]] = {"D602": {}, "D603": {}, "D604": {}}

    def add(self, place: Place, fields: Mapping[str, str], date: EDTFDate | None,
            out: list[Finding]) -> None:
        """Index one record and append its duplicate findings to ``out``.

        ``fields`` holds its decoded ``url``, ``doi`` and ``title`` (when it has
        them), ``date`` its publication date (:attr:`Record.date`).
        """
        k = place.key.casefold()
        seen_keys = self.first_keys
        if k in seen_keys:
            _, first_file, first_line = seen_keys[k]
            out.append(place.finding("D601", f"key {place.key!r} is already used at "
                                     f"{first_file}:{first_line}"))
            return
        here = (place.key, place.file, place.line)
        seen_keys[k] = here
        url = fields.get("url")
        title = fields.get("title")
        probes = (
            ("D602", normalise_url(url) if url else None),
            ("D603", _doi(fields.get("doi", ""))),
            ("D604", f"{normalise_title(title)}|{date.year}"
             if title and date and date.year is not None else None),
        )
        for code, probe in probes:
            if not probe:
                continue
            by = self._by[code]
            other = by.get(probe)
            if other is not None:
                out.append(place.finding(code, f"same {_SAME[code]} as {other[0]!r} "
                                         f"({other[1]}:{other[2]})"))
            else:
                by[probe] = here


def alias_use(place: Place, ids: str) -> AliasUse:
    """What the alias rule keeps of a record with ``ids`` (its decoded value)."""
    line, col = place.locate("ids")
    names = tuple(a.strip() for a in ids.split(",") if a.strip())
    return (place.key, place.file, line, col, names)


def check_aliases(owners: Iterable[AliasOwner], uses: Iterable[AliasUse]) -> Iterator[Finding]:
    """Key aliases in ``ids`` (left by ``bibvault merge``) that another record's key or
    alias already names: biber stops on them, and a citation could reach either record.

    Takes small tuples (``DuplicateIndex.first_keys`` and what :func:`alias_use`
    makes), so that validation need not keep the records themselves.
    """
    owner: dict[str, AliasOwner] = {}
    for o in owners:
        owner.setdefault(o[0].casefold(), o)
    for key, file, line, col, names in uses:
        for alias in names:
            if alias.casefold() == key.casefold():
                continue
            other = owner.setdefault(alias.casefold(), (key, file, line))
            if other[0] != key:
                yield finding("D605", f"alias {alias!r} in ids is already the key or an alias of "
                              f"{other[0]!r} ({other[1]}:{other[2]})",
                              file=file, line=line, column=col, key=key)


def check_topics(records: Iterable[Record], vocabulary: Mapping[str, object]) -> Iterator[Finding]:
    """Topics must come from the configured vocabulary (skipped when there is none)."""
    for rec in records:
        out: list[Finding] = []
        topic_findings(Place.of(rec), rec.fields.get("keywords", ""), vocabulary, out)
        yield from out


def topic_findings(place: Place, keywords: str, vocabulary: Mapping[str, object],
                   out: list[Finding]) -> None:
    """Append the topic findings of one record, whose decoded ``keywords`` are given."""
    topics = topic_list(keywords)
    if not topics:
        out.append(place.finding("T302", "no topics (keywords)"))
        return
    seen: set[str] = set()
    for t in topics:
        if t in seen:
            out.append(place.finding("T303", f"topic {t!r} is listed twice", "keywords"))
        seen.add(t)
        if vocabulary and t not in vocabulary:
            close = [v for v in vocabulary if v.casefold() == t.casefold()]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            out.append(place.finding("T301", f"topic {t!r} is not in the vocabulary{hint}",
                                     "keywords"))


def _doi(value: str) -> str | None:
    """A DOI for comparison: normalised when well-formed, else as written, case aside."""
    return normalise_doi(value) or value.strip().lower() or None
