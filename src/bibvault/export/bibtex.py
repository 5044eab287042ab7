"""Records as classic BibTeX, for ``bibtex`` and the standard ``.bst`` styles.

biblatex-only types and fields are converted to their BibTeX counterparts
(``@report`` → ``@techreport``, ``journaltitle`` → ``journal``, ``date`` →
``year``/``month``, ``urldate`` → "Accessed …" in ``note``); web pages and
videos become ``@misc`` with the address in ``howpublished``. Only the classic
fields and the common extensions (``url``, ``doi``, ``isbn``, ``issn``, …) are
written, and non-ASCII letters are written as TeX accents so that 7-bit
``bibtex`` sorts and purifies them correctly.
"""

from __future__ import annotations

from collections.abc import Iterable

from bibvault import csljson
from bibvault.bibfile.tex import to_tex_ascii
from bibvault.dates import DateError, EDTFDate, parse_edtf
from bibvault.export.biblatex import format_entry

#: The fields written, in this order.
FIELDS = ("author", "editor", "key", "title", "booktitle", "journal", "chapter", "edition",
          "series", "volume", "number", "type", "pages", "school", "institution",
          "organization", "publisher", "address", "howpublished", "month", "year", "note",
          "url", "doi", "isbn", "issn", "eprint", "archiveprefix", "primaryclass",
          "language", "keywords", "abstract", "annote", "comment")

_TYPES = {"article": "article", "book": "book", "mvbook": "book", "collection": "book",
          "mvcollection": "book", "reference": "book", "inbook": "incollection",
          "bookinbook": "incollection", "incollection": "incollection",
          "inreference": "incollection", "inproceedings": "inproceedings",
          "conference": "inproceedings", "proceedings": "proceedings",
          "mvproceedings": "proceedings", "report": "techreport", "techreport": "techreport",
          "manual": "manual", "booklet": "booklet", "unpublished": "unpublished",
          "phdthesis": "phdthesis", "mastersthesis": "mastersthesis"}
_MASTERS = ("mathesis", "mastersthesis", "master's thesis", "masters thesis", "ma thesis")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

#: Unicode text as 7-bit TeX, spelled from the tables the reader decodes with.
tex_ascii = to_tex_ascii


def bibtex_type(record: csljson.RecordLike) -> str:
    """The classic entry type for a record."""
    etype = record.entry_type.lower()
    if etype == "thesis":
        kind = record.fields.get("type", "").strip().lower()
        source = getattr(record, "source_type", "")
        return "mastersthesis" if kind in _MASTERS or source == "mastersthesis" else "phdthesis"
    return _TYPES.get(etype, "misc")


def _date_fields(record: csljson.RecordLike, tex: dict[str, str]) -> dict[str, str]:
    """``year`` and ``month`` (a month macro, with the day when there is one)."""
    try:
        if "date" in tex:
            date: EDTFDate | None = parse_edtf(record.fields.get("date", tex["date"]))
        elif "year" in tex:
            date = csljson.year_month_day(record.fields)
        else:
            date = None
    except DateError:
        raw = tex.get("date") or tex.get("year", "")
        return {"year": raw} if raw else {}
    if date is None or date.start is None and date.end is None:
        return {}
    start, end = date.start, date.end
    if date.is_range:
        left = str(start.year) if start else ""
        right = str(end.year) if end else ""
        return {"year": left if left == right else f"{left}--{right}"}
    assert start is not None
    out = {"year": str(start.year)}
    if "date" not in tex and tex.get("month") and not (start.month and start.month <= 12):
        out["month"] = f"{{{tex['month']}}}"  # not a month ("May 30--June 1"): as written
    elif start.month and start.month <= 12:
        month = _MONTHS[start.month - 1]
        # Written bare: a month macro, with the day appended ("aug # {~29,}").
        out["month"] = month + (f" # {{~{start.day},}}" if start.day else "")
    return out


def bibtex_fields(record: csljson.RecordLike) -> tuple[str, dict[str, str]]:
    """(entry type, fields) for one record, values as TeX."""
    tex = dict(record.tex)
    etype = bibtex_type(record)
    source = record.entry_type.lower()

    def titled(main: str, sub: str, addon: str | None = None) -> str:
        text = tex.get(main, "")
        if text and tex.get(sub):
            text = f"{text}{'' if text[-1] in '?!:' else ':'} {tex[sub]}"
        if text and addon and tex.get(addon):
            text = f"{text}. {tex[addon]}"
        return text

    out: dict[str, str] = {}
    out["title"] = titled("title", "subtitle", "titleaddon")
    out["booktitle"] = titled("booktitle", "booksubtitle")
    out["journal"] = titled("journaltitle", "journalsubtitle") or tex.get("journal", "")
    for name in ("author", "editor", "chapter", "edition", "series", "volume", "number",
                 "pages", "publisher", "url", "doi", "isbn", "issn", "eprint", "keywords",
                 "abstract", "language", "comment"):
        out[name] = tex.get(name, "")
    out["address"] = tex.get("location") or tex.get("address", "")
    out["annote"] = tex.get("annotation") or tex.get("annote", "")
    out["archiveprefix"] = tex.get("eprinttype", "") if out["eprint"] else ""
    out["primaryclass"] = tex.get("eprintclass", "") if out["eprint"] else ""
    institution = tex.get("institution") or tex.get("school", "")
    if etype in ("phdthesis", "mastersthesis"):
        out["school"] = institution
        kind = record.fields.get("type", "").strip().lower()
        if kind and kind not in _MASTERS and kind != "phdthesis":
            out["type"] = tex["type"]
    else:
        out["institution"] = institution
        out["type"] = tex.get("type", "") if etype == "techreport" else ""
    out["organization"] = tex.get("organization", "")
    out["howpublished"] = tex.get("howpublished", "")
    # Without names, styles label and sort by "key" (natbib's \citep shows it): the
    # organisation or outlet that published the work, never its title.
    publisher_like = (tex.get("organization") or tex.get("institution") or out["journal"]
                      or tex.get("publisher") or tex.get("howpublished", ""))
    notes = [tex.get("note", ""), tex.get("addendum", "")]
    if etype == "misc" and source in ("online", "electronic", "www", "video", "movie"):
        # A web page or video: who published it, where, and the address, in howpublished.
        parts = [out.pop("organization"), out["howpublished"]]
        if out["url"]:
            parts.append(f"\\url{{{out.pop('url')}}}")
        out["howpublished"] = ", ".join(p for p in parts if p)
    if tex.get("duration"):
        notes.append(f"Running time {csljson.duration_to_dimensions(record.fields['duration'])}")
    if tex.get("urldate"):
        notes.append(f"Accessed {record.fields.get('urldate', tex['urldate'])}")
    if tex.get("archiveurl"):
        notes.append(f"Archived at \\url{{{tex['archiveurl']}}}")
    out["note"] = ". ".join(n.strip().rstrip(".") for n in notes if n.strip())
    if out["note"] and any(n.strip().endswith(".") for n in notes if n.strip()):
        out["note"] += "."
    out.update(_date_fields(record, tex))
    if not (out["author"] or out["editor"]) and publisher_like:
        out["key"] = publisher_like
    ordered = {name: out[name] for name in FIELDS if out.get(name)}
    return etype, {k: v if k in ("url", "doi", "month") else tex_ascii(v)
                   for k, v in ordered.items()}


def bibtex_entry(record: csljson.RecordLike) -> str:
    """One record as a classic BibTeX entry (what :func:`to_bibtex` writes for it)."""
    etype, fields = bibtex_fields(record)
    return format_entry(etype, record.key, fields, bare=("month",))


def to_bibtex(records: Iterable[csljson.RecordLike]) -> str:
    """The records as a classic BibTeX file."""
    return "\n".join(bibtex_entry(r) for r in records)
