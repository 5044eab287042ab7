"""``crossref`` inheritance (biblatex basics) and its findings B111/B112."""

from __future__ import annotations

from collections.abc import Callable

from bibvault.bibfile.model import Entry, field_key
from bibvault.bibfile.values import expand
from bibvault.findings import Finding, Severity

Lookup = Callable[[str], "Entry | None"]
#: An entry's expanded fields as (lower-case name, value) pairs, in file order.
Expanded = Callable[["Entry"], "list[tuple[str, str]]"]

#: Fields that are about the entry itself and never pass from parent to child.
NOT_INHERITED = frozenset({
    "crossref", "xref", "ids", "entryset", "entrysubtype", "execute", "label", "options",
    "presort", "related", "relatedoptions", "relatedstring", "relatedtype", "shorthand",
    "shorthandintro", "sortkey",
})  # fmt: skip

_PARTS = frozenset(
    {
        "inbook",
        "bookinbook",
        "suppbook",
        "incollection",
        "suppcollection",
        "inproceedings",
        "inreference",
        "conference",
    }
)
_WHOLES = frozenset(
    {
        "book",
        "collection",
        "proceedings",
        "reference",
        "mvbook",
        "mvcollection",
        "mvproceedings",
        "mvreference",
    }
)
_MULTIVOLUME = frozenset({"mvbook", "mvcollection", "mvproceedings", "mvreference"})
_TITLES = ("title", "subtitle", "titleaddon")
_OWN_TITLES = frozenset({"shorttitle", "sorttitle", "indextitle", "indexsorttitle"})


def _targets(name: str, child: str, parent: str) -> tuple[str, ...]:
    """The child fields that parent field ``name`` fills in."""
    if name in NOT_INHERITED:
        return ()
    if name in _TITLES or name in _OWN_TITLES:
        if parent in _MULTIVOLUME and child not in _MULTIVOLUME:
            return ("main" + name,) if name in _TITLES else ()
        if child in _PARTS and parent in _WHOLES:
            return ("book" + name,) if name in _TITLES else ()
    return (name,)


def with_aliases(entries: list[Entry], get: Lookup) -> Lookup:
    """``get`` extended with biblatex ``ids`` aliases (``ids = {old1, old2}``)."""
    aliases: dict[str, Entry] = {}
    for entry in entries:
        for alias in (entry.value("ids") or "").split(","):
            if alias.strip():
                aliases.setdefault(alias.strip().lower(), entry)

    def lookup(key: str) -> Entry | None:
        found = get(key)
        return found if found is not None else aliases.get(key.lower())

    return lookup


def expanded_fields(entry: Entry) -> list[tuple[str, str]]:
    """``entry``'s fields as (lower-case name, expanded value) pairs, in file order."""
    macros = entry.macros or {}
    # A repeated field takes the value of its first occurrence, as Entry.value gives it.
    first: dict[str, str] = {}
    out = []
    for f in entry.fields:
        name = field_key(f.name)
        out.append((name, expand(first.setdefault(name, f.raw_value), macros)))
    return out


def resolve(entry: Entry, get: Lookup, expanded: Expanded = expanded_fields,
            expand_raw: Callable[[str], str] | None = None) -> dict[str, str]:
    """Expanded fields of ``entry`` (lower-case names, first occurrence wins) with the
    fields of its crossref ancestors filled in. See ``BibFile.resolved_fields``.

    ``expanded`` may be a cached :func:`expanded_fields`, so that a long chain of
    crossrefs is expanded once, not once per descendant. It is used for the
    ancestors only: caching every entry's own fields would hold a copy of the
    whole file. ``expand_raw`` may be a cached expansion of a raw value with the
    entry's macros, for the values that use macros or ``#``.
    """
    fields: dict[str, str] = {}
    if expand_raw is None:
        macros = entry.macros or {}

        def expand_raw(value: str) -> str:
            return expand(value, macros)

    raw = entry.raw
    for f in entry.fields:
        name = field_key(f.name)
        if name in fields:
            continue  # the first occurrence wins, later ones are not expanded
        start, end = f.rel_value_start, f.rel_value_end
        if raw[start] in "{\"" and raw.find("#", start, end) < 0:
            # A value as the scanner read it, without a '#', is one part: a group
            # here, whose text is the value (what expand() gives, without the parse).
            fields[name] = raw[start + 1:end - 1]
        else:
            fields[name] = expand_raw(raw[start:end])
    parent_key = fields.get("crossref")
    if not parent_key:
        return fields
    child = entry.entry_type.lower()
    seen = {entry.key.lower()}
    while parent_key:
        parent = get(parent_key.strip())
        if parent is None or parent.key.lower() in seen:
            break
        seen.add(parent.key.lower())
        kind = parent.entry_type.lower()
        pairs = expanded(parent)
        for name, value in pairs:
            for target in _targets(name, child, kind):
                fields.setdefault(target, value)
        parent_key = next((value for name, value in pairs if name == "crossref"), None)
    return fields


def crossref_findings(entries: list[Entry], get: Lookup, path: str,
                      expanded: Expanded = expanded_fields) -> list[Finding]:
    """B111 for a crossref to a key that is not in the file, B112 for an entry whose
    crossref chain leads back to itself. ``expanded`` as for :func:`resolve`."""
    out = []
    for entry in entries:
        field = entry.field("crossref")
        if field is None:
            continue
        target = (entry.value("crossref") or "").strip()
        if get(target) is None:
            out.append(
                Finding(
                    "B111",
                    Severity.ERROR,
                    f"crossref target '{target}' is not in the file",
                    path,
                    field.line,
                    field.column,
                    entry.key,
                    f"{field.name} = {field.raw_value}"[:60],
                )
            )
            continue
        seen = {entry.key.lower()}
        current: Entry | None = get(target)
        while current is not None:
            if current.key.lower() in seen:
                if current is entry or current.key.lower() == entry.key.lower():
                    out.append(
                        Finding(
                            "B112",
                            Severity.WARNING,
                            f"crossref cycle: '{entry.key}' is its own ancestor",
                            path,
                            field.line,
                            field.column,
                            entry.key,
                            f"{field.name} = {field.raw_value}"[:60],
                        )
                    )
                break
            seen.add(current.key.lower())
            parent = next((v for n, v in expanded(current) if n == "crossref"), "").strip()
            current = get(parent) if parent else None
    return out
