"""Bytes of an HTML page to text, choosing the encoding the way browsers do.

The order is the HTML standard's: a byte order mark, then the charset of the
HTTP ``Content-Type``, then a ``<meta charset>`` or ``<meta http-equiv>``
declaration near the start of the document, else UTF-8. Labels are mapped as
browsers map them (``iso-8859-1`` and ``ascii`` mean windows-1252). A page with
no declaration is never read as Latin-1: that fallback is what turns Dari,
Pashto and most of today's web into mojibake. Undecodable bytes become U+FFFD.
"""

from __future__ import annotations

import codecs
import re

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
# How far into a page the meta pre-scan looks (the standard says 1024 bytes;
# real pages put long comments and scripts first, so browsers look further).
PRESCAN_BYTES = 8192
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_META = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
# Labels whose browser meaning differs from Python's codec of the same name.
_LABELS = {
    "iso-8859-1": "windows-1252", "iso8859-1": "windows-1252", "latin1": "windows-1252",
    "latin-1": "windows-1252", "l1": "windows-1252", "ascii": "windows-1252",
    "us-ascii": "windows-1252", "iso-8859-9": "windows-1254", "latin5": "windows-1254",
    "tis-620": "windows-874", "iso-8859-11": "windows-874", "x-sjis": "shift_jis",
    "gb2312": "gbk", "x-gbk": "gbk", "ks_c_5601-1987": "euc-kr", "x-mac-cyrillic": "mac-cyrillic",
    # A page cannot declare UTF-16 from inside itself: the declaration would not
    # be readable as ASCII if it were true.
    "utf-16": "utf-8", "utf-16le": "utf-8", "utf-16be": "utf-8", "unicode": "utf-8",
}


def encoding_label(label: str) -> str | None:
    """The Python codec for a charset label, or None for an unknown label."""
    name = label.strip().strip("\"'").lower()
    name = _LABELS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    """The codec named by the charset of an HTTP ``Content-Type`` value, if usable."""
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return encoding_label(m.group(1)) if m else None


def meta_charset(body: bytes) -> str | None:
    """The codec a ``<meta charset>`` or ``<meta http-equiv=Content-Type>`` names."""
    head = body[:PRESCAN_BYTES]
    for m in _META.finditer(head):
        tag = m.group()
        found = _META_CHARSET.search(tag)
        if found:
            codec = encoding_label(found.group(1).decode("ascii", "replace"))
            if codec:
                # A page that says UTF-16 in ASCII bytes is UTF-8 (and a
                # declaration of x-user-defined is treated as windows-1252).
                return "utf-8" if codec.startswith("utf-16") else codec
    return None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """``(text, codec)`` of an HTML body, as a browser would decode it."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(codec, errors="replace"), codec
    codec = header_charset(content_type) or meta_charset(body) or "utf-8"
    return body.decode(codec, errors="replace"), codec
