"""Rules across records: duplicates (D6xx) and the topic vocabulary (T3xx)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType

from bibvault.findings import Finding
from bibvault.identity import normalise_doi, normalise_title, normalise_url
from bibvault.records import Record
from bibvault.rules import finding

#: (key, file, line) of a record, for the alias rule.
AliasOwner = tuple[str, str, int]
#: (key, file, line, column of ids, the aliases) of a record with ``ids``.
AliasUse = tuple[str, str, int, int, tuple[str, ...]]


#: What a duplicate probe compares, for the message.
_SAME = MappingProxyType({"D602": "URL", "D603": "DOI", "D604": "title and year"})


def check_duplicates(records: Iterable[Record],
                     first_keys: dict[str, AliasOwner] | None = None) -> Iterator[Finding]:
    """Duplicate keys, and records that are the same work (URL, DOI, title and year).

    ``first_keys``, when given, is filled with {case-folded key: what :func:`alias_owner`
    keeps of its first record}, for :func:`check_aliases`, so that a caller need not
    keep a second index of every key.
    """
    # (key, file, line) of the first record of each probe: not the records, so that
    # records can be checked one at a time and dropped.
    seen_keys: dict[str, tuple[str, str, int]] = {} if first_keys is None else first_keys
    by: dict[str, dict[str, tuple[str, str, int]]] = {"D602": {}, "D603": {}, "D604": {}}
    for rec in records:
        k = rec.key.casefold()
        if k in seen_keys:
            _, first_file, first_line = seen_keys[k]
            yield finding("D601", f"key {rec.key!r} is already used at {first_file}:{first_line}",
                          file=rec.file, line=rec.line, column=1, key=rec.key)
            continue
        here = (rec.key, rec.file, rec.line)
        seen_keys[k] = here
        probes = {
            "D602": normalise_url(rec.url) if rec.url else None,
            "D603": _doi(rec.fields.get("doi", "")),
            "D604": None,
        }
        date = rec.date if rec.title else None  # parsed on each access: once here
        if date and date.year is not None:
            probes["D604"] = f"{normalise_title(rec.title)}|{date.year}"
        for code, probe in probes.items():
            if not probe:
                continue
            other = by[code].get(probe)
            if other is not None:
                yield finding(code, f"same {_SAME[code]} as {other[0]!r} ({other[1]}:{other[2]})",
                              file=rec.file, line=rec.line, column=1, key=rec.key)
            else:
                by[code][probe] = here


def alias_owner(rec: Record) -> AliasOwner:
    """What the alias rule keeps of every record."""
    return (rec.key, rec.file, rec.line)


def alias_use(rec: Record) -> AliasUse:
    """What the alias rule keeps of a record with ``ids``."""
    line, col = rec.location("ids")
    names = tuple(a.strip() for a in rec.fields.get("ids", "").split(",") if a.strip())
    return (rec.key, rec.file, line, col, names)


def check_aliases(owners: Iterable[AliasOwner], uses: Iterable[AliasUse]) -> Iterator[Finding]:
    """Key aliases in ``ids`` (left by ``bibvault merge``) that another record's key or
    alias already names: biber stops on them, and a citation could reach either record.

    Takes the small tuples :func:`alias_owner` and :func:`alias_use` make, so that
    validation need not keep the records themselves.
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
        topics = rec.topics
        if not topics:
            yield finding("T302", "no topics (keywords)", file=rec.file, line=rec.line, column=1,
                          key=rec.key)
            continue
        line, col = rec.location("keywords")
        seen: set[str] = set()
        for t in topics:
            if t in seen:
                yield finding("T303", f"topic {t!r} is listed twice", file=rec.file, line=line,
                              column=col, key=rec.key)
            seen.add(t)
            if vocabulary and t not in vocabulary:
                close = [v for v in vocabulary if v.casefold() == t.casefold()]
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                yield finding("T301", f"topic {t!r} is not in the vocabulary{hint}", file=rec.file,
                              line=line, column=col, key=rec.key)


def _doi(value: str) -> str | None:
    """A DOI for comparison: normalised when well-formed, else as written, case aside."""
    return normalise_doi(value) or value.strip().lower() or None
