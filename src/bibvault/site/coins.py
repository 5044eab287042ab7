"""COinS: an OpenURL ContextObject (Z39.88-2004, KEV format) per entry.

Reference managers' browser connectors (Zotero's among them) find
``<span class="Z3988" title="…">`` on a page and offer to save the entries
it describes. The title is a form-encoded key/value string; it is built from
the record's CSL-JSON item so every exporter and the page agree on the data.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from bibvault.csljson import record_to_csl
from bibvault.records import Record

# Only the markup CSL-JSON rich text uses; any other "<…>" is the record's own text.
_TAG = re.compile(r"</?(?:i|b|sup|sub|span)(?:\s[^<>]*)?>")
# CSL type → (KEV metadata format, genre). Types not listed use Dublin Core.
_FORMATS: dict[str, tuple[str, str]] = {
    "article-journal": ("journal", "article"),
    "article": ("journal", "article"),
    "article-newspaper": ("journal", "article"),
    "article-magazine": ("journal", "article"),
    "paper-conference": ("book", "proceeding"),
    "book": ("book", "book"),
    "chapter": ("book", "bookitem"),
    "report": ("book", "report"),
    "thesis": ("book", "document"),
}
# Form encoding as urllib.parse.quote_plus does it, a byte at a time from a table:
# letters, digits and "_.-~" as they are, a space as "+", any other byte as %XX.
_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_FORM = {b: chr(b) if b in _SAFE else "+" if b == 0x20 else f"%{b:02X}" for b in range(256)}


def _form_encode(text: str) -> str:
    """``text`` form-encoded (UTF-8), a lone surrogate as ``?``: ``quote_plus`` with
    ``errors="replace"``, byte for byte."""
    # Bytes read as Latin-1 are one character each, which str.translate maps in C.
    return text.encode("utf-8", "replace").decode("latin-1").translate(_FORM)


def plain_text(value: Any) -> str:
    """A CSL rich-text value as plain text (markup dropped, entities decoded)."""
    return " ".join(html.unescape(_TAG.sub("", str(value))).split())


def _date(item: dict[str, Any]) -> str:
    parts = (item.get("issued") or {}).get("date-parts") or [[]]
    first = parts[0] if parts and isinstance(parts[0], list) else []
    return "-".join(f"{int(p):02d}" if i else f"{int(p):04d}"
                    for i, p in enumerate(first) if str(p).lstrip("-").isdigit())


def _names(item: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for role in ("author", "editor"):
        for person in item.get(role) or ():
            family = plain_text(person.get("family", "")) if isinstance(person, dict) else ""
            given = plain_text(person.get("given", "")) if isinstance(person, dict) else ""
            literal = plain_text(person.get("literal", "")) if isinstance(person, dict) else ""
            yield role, literal or ", ".join(p for p in (family, given) if p)
        if item.get(role):
            return


def coins_pairs(record: Record, item: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """The ContextObject of ``record`` as (key, value) pairs, in output order.

    ``item`` is the record's CSL-JSON item when the caller has made it already.
    """
    item = record_to_csl(record) if item is None else item
    fmt, genre = _FORMATS.get(str(item.get("type", "")), ("dc", ""))
    pairs = [("ctx_ver", "Z39.88-2004"), ("rft_val_fmt", f"info:ofi/fmt:kev:mtx:{fmt}"),
             ("rfr_id", "info:sid/bibvault")]
    if item.get("DOI"):
        pairs.append(("rft_id", f"info:doi/{item['DOI']}"))
    if item.get("URL"):
        pairs.append(("rft_id", str(item["URL"])))
    # The record's own text: CSL rich text cannot tell a literal "<b>" from markup.
    # NFC as the CSL item's text is, also for a record made in code rather than read.
    title = unicodedata.normalize("NFC", " ".join(record.title.split())) or plain_text(item.get("title", ""))
    container = plain_text(item.get("container-title", ""))
    date = _date(item)
    if fmt == "dc":
        pairs += [("rft.title", title)]
        pairs += [("rft.creator", name) for _, name in _names(item)]
        pairs += [("rft.date", date), ("rft.publisher", plain_text(item.get("publisher", ""))),
                  ("rft.source", container), ("rft.type", str(item.get("type", "")))]
        return [(k, v) for k, v in pairs if v]
    pairs.append(("rft.genre", genre))
    if fmt == "journal":
        pairs += [("rft.atitle", title), ("rft.jtitle", container)]
    elif genre in ("bookitem", "proceeding"):
        pairs += [("rft.atitle", title), ("rft.btitle", container)]
    else:
        pairs += [("rft.btitle", title)]
    pairs += [("rft.au", name) for role, name in _names(item) if role == "author"]
    pairs += [("rft.date", date), ("rft.volume", plain_text(item.get("volume", ""))),
              ("rft.issue", plain_text(item.get("issue", "")))]
    page = plain_text(item.get("page", ""))
    if page:
        first, _, last = page.replace("\u2013", "-").partition("-")
        pairs += [("rft.spage", first.strip()), ("rft.epage", last.strip()), ("rft.pages", page)]
    pairs += [("rft.pub", plain_text(item.get("publisher", ""))),
              ("rft.place", plain_text(item.get("publisher-place", ""))),
              ("rft.isbn", plain_text(item.get("ISBN", ""))), ("rft.issn", plain_text(item.get("ISSN", "")))]
    return [(k, v) for k, v in pairs if v]


def coins_kev(record: Record, item: dict[str, Any] | None = None) -> str:
    """The KEV string: UTF-8, form-encoded (``%XX``, spaces as ``+``), joined with ``&``."""
    # A lone surrogate (from undecodable bytes in a .bib file) becomes "?", not an error.
    return "&".join(f"{_form_encode(k)}={_form_encode(v)}" for k, v in coins_pairs(record, item))


def coins_span(record: Record, item: dict[str, Any] | None = None) -> str:
    """The empty ``<span class="Z3988">`` that carries the record's ContextObject."""
    return f'<span class="Z3988" title="{html.escape(coins_kev(record, item), quote=True)}"></span>'
