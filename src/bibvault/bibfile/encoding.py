"""The character encoding of .bib files: decoding, declarations, re-encoding as UTF-8.

bibvault reads .bib files as UTF-8 unless the project says otherwise (the
``encoding`` setting). Bytes that do not decode are kept as lone surrogates, so
that the file is written back byte for byte, and reported (B109). ``validate
--fix`` turns such a file into UTF-8 with :func:`to_utf8`: each run of bytes that
are not UTF-8 is decoded with the encoding the file declares (``% !TEX encoding
= latin1``, JabRef's ``% Encoding: ISO-8859-1``), else with Windows-1252 when
every run is valid in it, else with Latin-1, which decodes any byte. The parts
that already were UTF-8 stay as they are, so a file with a few pasted Latin-1
words is mended without garbling the rest.

Windows-1252 before Latin-1 is a deliberate, simple rule: the two agree on every
letter, Windows-1252 adds the typographic quotes and dashes (0x80-0x9F) that
Latin-1 leaves as control characters, and text editors on Windows wrote most
of the non-UTF-8 .bib files seen in the wild. A statistical detector was not
used: on a file that is mostly ASCII it guesses from a handful of bytes.
"""

from __future__ import annotations

import codecs
import re

UTF8 = "utf-8"
#: Tried in this order when a file declares nothing (see the module docstring).
FALLBACKS = ("cp1252", "latin-1")

# A declaration on a comment line near the start: TeXShop/TeXworks' magic
# comment and JabRef's header.
_DECLARATION = re.compile(
    rb"^[ \t]*%[ \t]*(?:!TEX[ \t]+encoding[ \t]*=|Encoding:)[ \t]*([A-Za-z0-9_.:-]+)",
    re.MULTILINE | re.IGNORECASE)
_HEAD = 4096
_UNDECODABLE = re.compile("[\udc80-\udcff]+")


def codec_name(name: str) -> str | None:
    """The canonical Python codec name for an encoding name, or None when unknown."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_encoding(data: bytes) -> str | None:
    """The encoding the file declares in a comment near its start, if a known one."""
    m = _DECLARATION.search(data, 0, _HEAD)
    return codec_name(m.group(1).decode("ascii")) if m else None


def decode(data: bytes, encoding: str = UTF8) -> tuple[str, bool]:
    """``data`` as text, and whether some bytes did not decode (kept as lone surrogates)."""
    if data.startswith(codecs.BOM_UTF8) and codec_name(encoding) != "utf-8":
        encoding = UTF8  # a byte-order mark says UTF-8 whatever the project assumes
    try:
        return data.decode(encoding), False
    except UnicodeDecodeError:
        return data.decode(encoding, "surrogateescape"), True


def encode(text: str, encoding: str = UTF8) -> bytes:
    """``text`` in ``encoding``; lone surrogates become the bytes they were read from."""
    if text.startswith("\ufeff"):
        encoding = UTF8
    return text.encode(encoding, "surrogateescape")


def legacy_codec(data: bytes) -> str:
    """The encoding the bytes of ``data`` that are not UTF-8 are taken to be in."""
    runs = [m.group().encode(UTF8, "surrogateescape")
            for m in _UNDECODABLE.finditer(data.decode(UTF8, "surrogateescape"))]
    declared = declared_encoding(data)
    for codec in ((declared,) if declared and declared != "utf-8" else ()) + FALLBACKS:
        try:
            for run in runs:
                run.decode(codec)
        except UnicodeDecodeError:
            continue
        return codec
    return FALLBACKS[-1]


def to_utf8(data: bytes) -> tuple[bytes, str] | None:
    """``data`` re-encoded as UTF-8, and the encoding assumed; None when it already is UTF-8.

    Lossless: every byte that was not UTF-8 becomes one character (see
    :func:`legacy_codec`), nothing becomes U+FFFD. A declaration of another
    encoding is changed to say UTF-8.
    """
    try:
        data.decode(UTF8)
    except UnicodeDecodeError:
        pass
    else:
        return None
    codec = legacy_codec(data)
    text = data.decode(UTF8, "surrogateescape")
    fixed = _UNDECODABLE.sub(lambda m: m.group().encode(UTF8, "surrogateescape").decode(codec),
                             text)
    out = fixed.encode(UTF8)
    m = _DECLARATION.search(out, 0, _HEAD)
    if m and codec_name(m.group(1).decode("ascii")) != "utf-8":
        out = out[:m.start(1)] + b"UTF-8" + out[m.end(1):]
    return out, codec
