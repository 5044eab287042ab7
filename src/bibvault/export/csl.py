"""Records as a CSL-JSON file (the input of citeproc-js, pandoc and Zotero)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from bibvault import csljson


def to_csl_json(records: Iterable[csljson.RecordLike]) -> str:
    """The records as a CSL-JSON array, pretty-printed, UTF-8 characters kept."""
    # Referenced through the module: bibvault.csljson imports from this package.
    items = csljson.records_to_csl(records)
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
