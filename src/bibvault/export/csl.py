"""Records as a CSL-JSON file (the input of citeproc-js, pandoc and Zotero)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bibvault import csljson


def csl_json_member(item: Mapping[str, Any]) -> str:
    """One item as the file's array holds it: pretty-printed, indented one level."""
    # JSON strings hold no raw line break, so every line break is the layout's own.
    return json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ")


def join_csl_json(members: Sequence[str]) -> str:
    """Items from :func:`csl_json_member` as one file: what ``json.dumps(items,
    ensure_ascii=False, indent=2)`` writes for the whole array, with a final line break."""
    return ("[\n  " + ",\n  ".join(members) + "\n]\n") if members else "[]\n"


def to_csl_json(records: Iterable[csljson.RecordLike]) -> str:
    """The records as a CSL-JSON array, pretty-printed, UTF-8 characters kept."""
    # Referenced through the module: bibvault.csljson imports from this package.
    return join_csl_json([csl_json_member(csljson.record_to_csl(r)) for r in records])
