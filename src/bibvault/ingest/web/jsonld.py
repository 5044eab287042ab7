"""JSON-LD blocks of a page as a flat list of schema.org items.

Real pages bend JSON: comments, trailing commas, HTML comments or CDATA around
the script, raw control characters in strings, and sometimes the whole block
HTML-escaped. :func:`loads_lenient` reads all of these. :func:`flatten` turns
the blocks into one list of items: ``@graph`` arrays are unpacked, nested items
are listed too, references (``{"@id": …}``) are replaced by the item they name,
and ``@type`` is always a list of bare schema.org names, however the
``@context`` was written (string, list or object, ``schema:`` prefixes or
full IRIs).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from typing import Any

Item = dict[str, Any]

_WRAPPER = re.compile(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$")
_MAX_DEPTH = 12
_BUDGET = 20000


def _strip_comments_and_commas(text: str) -> str:
    """``text`` without ``//`` and ``/* */`` comments and trailing commas, strings kept."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == ",":
            j = i + 1
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j < n and text[j] in "}]":
                i = j
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def loads_lenient(text: str) -> Any:
    """The value of a JSON-LD script, or None when it cannot be read even leniently."""
    body = _WRAPPER.sub("", text.strip())
    # Twice: a comma before a comment is trailing only once the comment is gone.
    attempts = [body, _strip_comments_and_commas(_strip_comments_and_commas(body))]
    if "&quot;" in body or "&#34;" in body:
        attempts.append(_strip_comments_and_commas(html.unescape(body)))
    for attempt in attempts:
        try:
            return json.loads(attempt, strict=False)
        except (ValueError, RecursionError):
            continue
    return None


def type_names(value: Any) -> list[str]:
    """``@type`` as bare names: ``"schema:NewsArticle"`` and full IRIs become ``NewsArticle``."""
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        if isinstance(v, str) and v.strip():
            out.append(re.split(r"[/#:]", v.strip())[-1])
    return out


def _collect(value: Any, out: list[Item], depth: int = 0) -> None:
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, list):
        for v in value:
            _collect(v, out, depth + 1)
    elif isinstance(value, dict):
        if "@graph" in value:
            _collect(value["@graph"], out, depth + 1)
        if any(k != "@graph" and k != "@context" for k in value):
            out.append(value)
        for k, v in value.items():
            if k not in ("@graph", "@context"):
                _collect(v, out, depth + 1)


def _is_reference(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"@id"} and isinstance(value["@id"], str)


def _resolve(value: Any, by_id: dict[str, Item], seen: frozenset[str], budget: list[int],
             depth: int = 0) -> Any:
    """``value`` with references replaced by copies of the items they name.

    A reference inside the item it names (a cycle) stays a reference, and a
    budget of copied values keeps a hostile graph from growing without bound.
    """
    budget[0] -= 1
    if depth > _MAX_DEPTH or budget[0] < 0:
        return value
    if _is_reference(value):
        ref = value["@id"]
        target = by_id.get(ref)
        if target is None or ref in seen:
            return value
        return _resolve(target, by_id, seen | {ref}, budget, depth + 1)
    if isinstance(value, list):
        return [_resolve(v, by_id, seen, budget, depth + 1) for v in value]
    if isinstance(value, dict):
        here = value.get("@id")
        inner = seen | {here} if isinstance(here, str) else seen
        return {k: (v if k.startswith("@") else _resolve(v, by_id, inner, budget, depth + 1))
                for k, v in value.items()}
    return value


def flatten(blocks: Iterable[Any]) -> list[Item]:
    """Every item of the parsed blocks, references resolved, ``@type`` normalised."""
    found: list[Item] = []
    for block in blocks:
        _collect(block, found)
    by_id: dict[str, Item] = {}
    for item in found:
        ident = item.get("@id")
        if isinstance(ident, str) and not _is_reference(item):
            by_id.setdefault(ident, item)
    out: list[Item] = []
    for item in found:
        if _is_reference(item):
            continue
        resolved = _resolve(item, by_id, frozenset(), [_BUDGET])
        if isinstance(resolved, dict):
            resolved = dict(resolved)
            resolved["@type"] = type_names(resolved.get("@type"))
            out.append(resolved)
    return out
