"""Minimal-diff edits of one entry: work out the new raw text, then re-read it."""

from __future__ import annotations

import re

from bibvault.bibfile.model import Entry, Field
from bibvault.bibfile.scanner import scan
from bibvault.bibfile.values import split_value

_NAME = re.compile(r"[^ \t\r\n\f\v\"#%'(),={}]+")
_SEPARATOR = re.compile(r"[ \t\r\n]*,[ \t\r\n]*")
_OWN_LINE_END = re.compile(r"[ \t]*,?[ \t]*\r?\n")


def set_field(entry: Entry, name: str, value: str, newline: str = "\n") -> Entry:
    """The entry re-read after setting ``name`` to the raw ``value``.

    ``newline`` is used only when the entry itself shows no line-ending habit.
    """
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a valid field name: {name!r}")
    parts = split_value(value)
    if not parts or any(kind == "literal" for kind, _ in parts) or value != value.strip():
        raise ValueError(f"not a valid BibTeX value: {value!r}")
    raw = entry.raw
    existing = entry.field(name)
    if existing is not None:
        new_raw = raw[: existing.rel_value_start] + value + raw[existing.rel_value_end :]
        return _reread(entry, new_raw, len(entry.fields))
    if entry.fields:
        last = entry.fields[-1]
        insert_at = last.rel_value_end
        line = _separator(entry, newline) + _name_and_equals(entry, last, name) + value
    else:
        between = raw[entry.key_end : entry.close].replace(",", "", 1)
        nl = "\r\n" if "\r\n" in raw else "\n" if "\n" in raw else newline
        head, tail = raw[: entry.key_end], raw[entry.close :]
        return _reread(entry, f"{head},{nl}  {name} = {value}{between}{tail}", 1)
    new_raw = raw[:insert_at] + line + raw[insert_at:]
    return _reread(entry, new_raw, len(entry.fields) + 1)


def remove_field(entry: Entry, name: str) -> Entry:
    """The entry re-read after removing field ``name`` (the first one of that name)."""
    target = entry.field(name)
    if target is None:
        raise KeyError(name)
    raw, fields = entry.raw, entry.fields
    i = fields.index(target)
    line_start = raw.rfind("\n", 0, target.rel_start) + 1
    before = raw[line_start : target.rel_start]
    end_match = _OWN_LINE_END.match(raw, target.rel_value_end)
    prev_end = fields[i - 1].rel_value_end if i > 0 else entry.key_end
    if (
        before.strip(" \t,") == ""
        and before.count(",") <= 1
        and end_match
        and line_start > prev_end
    ):
        cut_from, cut_to = line_start, end_match.end()
        new_raw = raw[:cut_from] + raw[cut_to:]
        trailing_comma = "," in end_match.group() or "," in before
        if i == len(fields) - 1 and i > 0 and not trailing_comma:
            # the previous field's comma would become a trailing comma the entry never had
            gap = new_raw[prev_end:cut_from]
            if gap.strip(" \t\r\n") == ",":
                comma = prev_end + gap.index(",")
                new_raw = new_raw[:comma] + new_raw[comma + 1 :]
    elif i + 1 < len(fields):
        new_raw = raw[: target.rel_start] + raw[fields[i + 1].rel_start :]
    else:
        new_raw = raw[:prev_end] + raw[target.rel_value_end :]
        if i == 0:
            # keep the key's comma: only the field goes
            new_raw = raw[: target.rel_start] + raw[target.rel_value_end :]
    return _reread(entry, new_raw, len(fields) - 1)


def _separator(entry: Entry, newline: str) -> str:
    """What goes between two fields in this entry, e.g. ``",\\n  "`` or ``"\\n  , "``."""
    fields = entry.fields
    prev_end = fields[-2].rel_value_end if len(fields) > 1 else entry.key_end
    sep = entry.raw[prev_end : fields[-1].rel_start]
    if _SEPARATOR.fullmatch(sep):
        return sep
    nl = "\r\n" if "\r\n" in entry.raw else "\n" if "\n" in entry.raw else newline
    return "," + nl + "  "


def _name_and_equals(entry: Entry, like: Field, name: str) -> str:
    """``name`` followed by the ``=`` spacing of field ``like``, keeping ``=`` aligned."""
    raw = entry.raw
    between = raw[like.rel_start + len(like.name) : like.rel_value_start]
    if "=" not in between or between.strip(" \t=") or "\n" in between:
        return f"{name} = "
    pre, post = between.split("=", 1)
    if len(pre) > 1 and "\t" not in pre:
        pre = " " * max(1, len(like.name) + len(pre) - len(name))
    return name + pre + "=" + post


def _reread(entry: Entry, new_raw: str, expected_fields: int) -> Entry:
    blocks = scan(new_raw)
    fresh = blocks[0] if len(blocks) == 1 else None
    if (
        not isinstance(fresh, Entry)
        or fresh.kind != entry.kind
        or fresh.key != entry.key
        or len(fresh.fields) != expected_fields
        or any(i.code != "B108" and i.code != "B101" for i in fresh.issues)
    ):
        raise ValueError(f"the edit would not leave a well-formed entry {entry.key!r}")
    return fresh


def ambiguous_keys(entries: list[Entry]) -> set[str]:
    """Keys (lower-cased) that more than one entry has.

    An edit by key reaches the first of them, which need not be the record a
    finding or a check was about; callers leave such keys alone.
    """
    seen: set[str] = set()
    twice: set[str] = set()
    for entry in entries:
        folded = entry.key.lower()
        (twice if folded in seen else seen).add(folded)
    return twice
