"""Records as a CSL-JSON file (the input of citeproc-js, pandoc and Zotero)."""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bibvault import csljson


def csl_json_member(item: Mapping[str, Any]) -> str:
    """One item as the file's array holds it: pretty-printed, indented one level."""
    try:
        return _pretty(item, "  ")
    except _Unusual:
        # JSON strings hold no raw line break, so every line break is the layout's own.
        return json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ")


class _Unusual(Exception):
    """A value :func:`_pretty` leaves to the json module (a float, a non-string key)."""


#: How json.dumps(ensure_ascii=False) spells a string (its C encoder when there is one).
_STRING = json.encoder.encode_basestring


def _pretty(value: Any, pad: str) -> str:
    # What json.dumps(..., ensure_ascii=False, indent=2) writes, at indentation ``pad``:
    # its pure-Python indenting encoder was a fifth of the exports' time.
    if isinstance(value, str):
        return _STRING(value)
    if type(value) is dict:
        if not value:
            return "{}"
        inner = pad + "  "
        parts = []
        for k, v in value.items():
            if type(k) is not str:
                raise _Unusual
            parts.append(f"{inner}{_STRING(k)}: {_pretty(v, inner)}")
        return "{\n" + ",\n".join(parts) + "\n" + pad + "}"
    if type(value) is list:
        if not value:
            return "[]"
        inner = pad + "  "
        return "[\n" + ",\n".join(inner + _pretty(v, inner) for v in value) + "\n" + pad + "]"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    raise _Unusual


def join_csl_json(members: Sequence[str]) -> str:
    """Items from :func:`csl_json_member` as one file: what ``json.dumps(items,
    ensure_ascii=False, indent=2)`` writes for the whole array, with a final line break."""
    return ("[\n  " + ",\n  ".join(members) + "\n]\n") if members else "[]\n"


def to_csl_json(records: Iterable[csljson.RecordLike]) -> str:
    """The records as a CSL-JSON array, pretty-printed, UTF-8 characters kept."""
    # Referenced through the module: bibvault.csljson imports from this package.
    return join_csl_json([csl_json_member(csljson.record_to_csl(r)) for r in records])
