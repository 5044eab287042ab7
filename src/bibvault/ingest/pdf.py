"""What a PDF says about itself: title, authors and date from its info
dictionary and XMP, the page count, a DOI from its first pages, its SHA-256.

pypdf reads the file. A damaged PDF is an unreadable source (a finding), never
an exception: pypdf raises a wide variety of exception types on broken files,
so reading is fenced as a whole.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader

from bibvault.identity import normalise_doi
from bibvault.ingest.candidate import Creator
from bibvault.ingest.web.people import names_from_text, unescape
from bibvault.ingest.web.text import clean_title

_PDF_DATE = re.compile(r"^D?:?(\d{4})(\d{2})?(\d{2})?")
_JUNK_TITLE = re.compile(r"^(?:untitled|microsoft word|document\d*|print|slide \d+)\b|\.(?:docx?|"
                         r"indd|pdf|tex|dvi|pptx?|rtf)\s*$", re.IGNORECASE)
_DOI_PAGES = 2


@dataclass
class PdfInfo:
    """The metadata of one PDF, each value with where it came from."""

    sha256: str
    pagetotal: int | None = None
    title: tuple[str, str] | None = None
    authors: tuple[list[Creator], str] | None = None
    date: tuple[str, str] | None = None
    doi: tuple[str, str] | None = None
    error: str = ""
    first_text: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def is_pdf(data: bytes) -> bool:
    """Whether ``data`` starts like a PDF (the header may follow some junk bytes)."""
    return b"%PDF-" in data[:1024]


def pdf_date(value: Any) -> str | None:
    """``2022-09-13`` from a PDF date string ``D:20220913…`` as written (its own offset)."""
    m = _PDF_DATE.match(str(value or "").strip())
    if not m:
        return None
    year, month, day = m.groups()
    if not (1000 < int(year) < 3000):
        return None
    if month and not 1 <= int(month) <= 12:
        month = day = None
    if day and not 1 <= int(day) <= 31:
        day = None
    return year + (f"-{month}" if month else "") + (f"-{day}" if month and day else "")


def _first(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("x-default") or next(iter(value.values()), "")
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return unescape(str(value or ""))


def read_pdf(data: bytes) -> PdfInfo:
    """Everything :class:`PdfInfo` holds; ``error`` says why a PDF could not be read."""
    info = PdfInfo(sha256=hashlib.sha256(data).hexdigest())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _read(data, info)
    except Exception as exc:  # noqa: BLE001 -- pypdf's errors on broken files have no common base
        info.error = f"not a readable PDF ({type(exc).__name__})"
    return info


def _read(data: bytes, info: PdfInfo) -> None:
    reader = PdfReader(io.BytesIO(data), strict=False)
    info.pagetotal = len(reader.pages)
    meta: Any = reader.metadata or {}
    xmp = None
    try:
        xmp = reader.xmp_metadata
    except Exception:  # noqa: BLE001 -- a broken XMP packet leaves the info dictionary usable
        xmp = None
    title = _first(meta.get("/Title"))
    if title and not _JUNK_TITLE.search(title):
        info.title = (clean_title(title), "PDF info /Title")
    elif xmp is not None and (t := _first(xmp.dc_title)) and not _JUNK_TITLE.search(t):
        info.title = (clean_title(t), "PDF XMP dc:title")
    author = _first(meta.get("/Author"))
    if author and (names := names_from_text(author)):
        info.authors = (names, "PDF info /Author")
    elif xmp is not None and xmp.dc_creator:
        names = [c for n in xmp.dc_creator for c in names_from_text(str(n))]
        if names:
            info.authors = (names, "PDF XMP dc:creator")
    created = pdf_date(meta.get("/CreationDate"))
    if created:
        info.date = (created, "PDF info /CreationDate")
    elif xmp is not None and xmp.xmp_create_date is not None:
        info.date = (xmp.xmp_create_date.date().isoformat(), "PDF XMP xmp:CreateDate")
    texts = []
    for page in list(reader.pages)[:_DOI_PAGES]:
        try:
            texts.append(page.extract_text() or "")
        except Exception:  # noqa: BLE001 -- one unreadable page must not hide the others
            continue
    info.first_text = "\n".join(texts)
    for text, source in ((info.first_text, "PDF first pages"),
                         (_first(meta.get("/Subject")), "PDF info /Subject")):
        m = re.search(r"(?:doi\.org/|doi:?\s*)(10\.\d{4,9}/\S+)", text, re.IGNORECASE) or \
            re.search(r"\b(10\.\d{4,9}/\S+)", text)
        if m and (doi := normalise_doi(m.group(1))):
            info.doi = (doi, source)
            break
    if info.title is None:
        lines = [ln.strip() for ln in info.first_text.splitlines() if ln.strip()]
        if lines and 3 <= len(lines[0]) <= 200:
            info.title = (clean_title(lines[0]), "PDF first line")
