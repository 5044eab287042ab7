"""Recognise what a file holds from its first bytes, whatever its name says.

Every command that reads .bib files asks :func:`require_bibtex` first, so that a
RIS, JSON, XML, PDF or binary file is refused with the format it looks like
instead of being read as a .bib file without entries. ``bibvault import`` uses
:func:`sniff` to choose its reader.

The sniffer is deliberately conservative about BibTeX: text that it cannot
place is BibTeX (a .bib file may start with anything, and text outside entries
is a comment there). A file is refused only when it is positively something
else.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from bibvault.errors import StageError
from bibvault.fsutil import read_bytes

#: How much of a file the sniffer reads.
HEAD_BYTES = 64 * 1024

# Formats: what sniff() returns in Sniffed.format.
BIBTEX = "bibtex"
RIS = "ris"
CSL_JSON = "csl-json"
JSON = "json"
XML = "xml"
ZOTERO_RDF = "zotero-rdf"
ENDNOTE_XML = "endnote-xml"
MODS = "mods"
HTML = "html"
PDF = "pdf"
REFER = "refer"
UTF16 = "utf-16"
BINARY = "binary"

#: Formats ``bibvault import`` reads.
IMPORTABLE = frozenset({BIBTEX, RIS, CSL_JSON})

_NAMES = {
    BIBTEX: "BibTeX", RIS: "RIS", CSL_JSON: "CSL-JSON", JSON: "JSON (not CSL-JSON)",
    XML: "XML", ZOTERO_RDF: "Zotero RDF (XML)", ENDNOTE_XML: "EndNote XML",
    MODS: "MODS (XML)", HTML: "an HTML page", PDF: "a PDF file", REFER: "EndNote/Refer tagged text",
    UTF16: "UTF-16 text", BINARY: "binary data (not text)",
}

# What to do with formats bibvault does not read: export them from their tool as one it does.
_EXPORT_HINTS = {
    ZOTERO_RDF: " (export it from Zotero as CSL JSON or Better BibLaTeX, then `bibvault import`)",
    ENDNOTE_XML: " (export it from EndNote as RIS, then `bibvault import`)",
    REFER: " (export it from EndNote as RIS, then `bibvault import`)",
    MODS: " (convert it with bibutils' xml2bib, then `bibvault import`)",
    UTF16: " (save it as UTF-8)",
}

# Magic numbers of binary formats people mistake for bibliographies.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"SQLite format 3\x00", "an SQLite database (e.g. zotero.sqlite)"),
    (b"PK\x03\x04", "a ZIP archive (e.g. .docx, .odt, a zipped export)"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
)
_RIS_LINE = re.compile(rb"^(?:\xef\xbb\xbf)?[A-Z][A-Z0-9]  -(?: |$)", re.M)
_RIS_TY = re.compile(rb"^(?:\xef\xbb\xbf)?TY  - ", re.M)
_REFER_LINE = re.compile(rb"^%[0A-Z@] \S", re.M)
_BIB_ENTRY = re.compile(rb"^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]", re.M)
_CSL_KEY = re.compile(rb'"(?:type|id|title|author|issued|container-title|URL|DOI)"\s*:')
# A JSON array or object, not free text such as "[1] a note" or "{Draft}" opening a .bib file.
_JSON_START = re.compile(rb'\[\s*(?:[\[{"\]]|-?\d+(?:\.\d+)?\s*[,\]]|true|false|null|$)'
                         rb'|\{\s*(?:"|\}|$)')
_XML_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
# C0 controls other than tab, newline, vertical tab, form feed, return and escape; DEL.
_CONTROL = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f\x7f]")


@dataclass(frozen=True)
class Sniffed:
    """What a file looks like: a format constant and, for binary files, what kind."""

    format: str
    detail: str = ""

    @property
    def name(self) -> str:
        """The format as people call it ("RIS", "CSL-JSON", "a PDF file", …)."""
        return self.detail or _NAMES[self.format]


class WrongFormatError(StageError, ValueError):
    """A file given to a command is not in the format the command reads."""

    def __init__(self, path: str, sniffed: Sniffed, expected: str = "a BibTeX/biblatex file") -> None:
        self.path, self.sniffed = path, sniffed
        hint = (" (use `bibvault import` to bring it in)" if sniffed.format in IMPORTABLE
                else _EXPORT_HINTS.get(sniffed.format, ""))
        super().__init__(f"{path}: looks like {sniffed.name}, not {expected}{hint}")


def sniff(head: bytes) -> Sniffed:
    """What ``head`` (the first bytes of a file, ideally :data:`HEAD_BYTES`) holds.

    Never raises; returns :data:`BIBTEX` for text it cannot place.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Sniffed(UTF16, "UTF-16 text (re-encode it as UTF-8)")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return Sniffed(BINARY, what)
    if b"%PDF-" in head[:1024]:
        return Sniffed(PDF)
    if _looks_binary(head):
        return Sniffed(BINARY)
    body = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if body.startswith(b"<"):
        return _markup(body)
    # An entry at the start of a line settles it: JSON has no line starting with '@'.
    if _BIB_ENTRY.search(head):
        return Sniffed(BIBTEX)
    if _JSON_START.match(body):
        return Sniffed(CSL_JSON if _CSL_KEY.search(body) or body.startswith(b"[]")
                       else JSON)
    if _RIS_TY.search(head) and len(_RIS_LINE.findall(head)) >= 2:
        return Sniffed(RIS)
    if body.startswith(b"%0 ") and len(_REFER_LINE.findall(head)) >= 2:
        return Sniffed(REFER)
    return Sniffed(BIBTEX)


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    controls = len(_CONTROL.findall(head))
    # A stray control character is a damaged text file (the B1xx findings say
    # where); many of them are data that is not text at all.
    return controls >= 3 and controls * 100 > len(head)


def _markup(body: bytes) -> Sniffed:
    lowered = body[:4096].lower()
    if lowered.startswith(b"<!doctype html") or b"<html" in lowered:
        return Sniffed(HTML)
    if b"<rdf:rdf" in lowered and (b"zotero" in lowered or b"purl.org/net/biblio" in lowered):
        return Sniffed(ZOTERO_RDF)
    roots = [m.group(1).lower() for m in _XML_ROOT.finditer(lowered)
             if not m.group(1).startswith((b"?", b"!"))][:3]
    if roots[:3] == [b"xml", b"records", b"record"]:
        return Sniffed(ENDNOTE_XML)
    if roots and roots[0].split(b":")[-1] in (b"mods", b"modscollection"):
        return Sniffed(MODS)
    return Sniffed(XML)


def sniff_file(path: str | os.PathLike[str]) -> Sniffed:
    """What the file at ``path`` holds, from its first :data:`HEAD_BYTES` bytes.

    An :class:`OSError` names ``path``.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError:
        head = read_bytes(path)  # raises again, naming the path as every reader does
    return sniff(head)


def require_bibtex(path: str | os.PathLike[str], data: bytes) -> None:
    """Raise :class:`WrongFormatError` unless ``data``, the bytes of ``path``, are BibTeX."""
    found = sniff(data[:HEAD_BYTES])
    if found.format != BIBTEX:
        raise WrongFormatError(os.fspath(path), found)
