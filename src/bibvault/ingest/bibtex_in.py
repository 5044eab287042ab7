"""BibTeX and biblatex files of other tools → candidates.

Zotero (its own BibTeX and biblatex translators, and Better BibTeX), JabRef and
Mendeley all write .bib files, each with its habits: BibTeX field names
(``journal``, ``address``, ``school``, ``year``/``month``), web pages as ``@misc``
with ``url`` and ``urldate``, tags in ``keywords`` (separated by commas or
semicolons), JabRef's ``groups``, Mendeley's ``mendeley-tags`` and
``mendeley-groups``, and bookkeeping of their own (``file``, ``owner``,
``timestamp``). The file is read with bibvault's own reader
(:mod:`bibvault.bibfile`, :mod:`bibvault.records`, TeX decoded once); fields are
renamed to biblatex's, as the biblatex export does; tags go to
``Candidate.tags``; everything left over is an I702 finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bibvault.bibfile import parse
from bibvault.csljson import NEWS_OUTLETS, person_to_csl
from bibvault.edtf import DateError, date_from_parts
from bibvault.export.biblatex import COMMON_FIELDS, TYPE_FIELDS
from bibvault.findings import Severity
from bibvault.ingest.candidate import Candidate
from bibvault.ingest.cslitems import creator_from_csl
from bibvault.ingest.import_rules import import_finding
from bibvault.records import NAME_FIELDS, Record, records_from_file

#: BibTeX names → biblatex names (as the biblatex export renames them).
RENAMES = {"journal": "journaltitle", "address": "location", "school": "institution",
           "annote": "annotation", "archiveprefix": "eprinttype",
           "primaryclass": "eprintclass"}
#: Fields that hold tags, not bibliographic data.
TAG_FIELDS = ("keywords", "groups", "mendeley-tags", "mendeley-groups")
#: Fields of bibvault's own data model on top of biblatex's.
BIBVAULT_FIELDS = frozenset({"duration", "archiveurl", "archivedate", "archivesha256",
                             "urlstatus", "howpublished", "organization", "institution",
                             "type", "pagetotal", "eprinttype", "eprintclass", "issue"})
_KNOWN_TYPES = frozenset(TYPE_FIELDS) | {"video", "audio", "music", "movie", "artwork",
                                         "image", "performance", "letter", "review",
                                         "standard", "jurisdiction", "legislation"}
_KNOWN_FIELDS = frozenset().union(*TYPE_FIELDS.values()) | COMMON_FIELDS | BIBVAULT_FIELDS
_THESIS_TYPES = {"phdthesis": "phdthesis", "mastersthesis": "mathesis"}
_URL_MACRO = re.compile(r"^\\url\{([^{}]*)\}$")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_ROLES = ("author", "editor", "translator", "bookauthor")
_DATE_PARTS = ("year", "month", "day")


def read_bibtex(data: bytes | str, path: str) -> list[Candidate]:
    """The candidates of a .bib file of another tool, one per entry with a key.

    Syntax errors of the file refuse the entries they hit (I701) and leave the
    others alone.
    """
    bf = parse(data, path)
    errors_at: dict[int, list[str]] = {}
    for f in bf.findings:
        if f.severity is Severity.ERROR:
            errors_at.setdefault(f.line, []).append(f"{f.code} {f.message}")
    out = []
    entries = {e.line: e for e in bf.entries}
    for record in records_from_file(bf):
        cand = record_to_candidate(record, path)
        entry = entries.get(record.line)
        last = entry.line + entry.raw.count("\n") if entry else record.line
        hits = [m for line, msgs in errors_at.items() if record.line <= line <= last for m in msgs]
        if hits:
            cand.findings.append(import_finding(
                "I701", f"the entry cannot be read cleanly ({'; '.join(hits)}); not imported",
                path, record.line, record.key))
        out.append(cand)
    preambles = [b for b in bf.blocks if b.kind == "preamble"]
    if preambles and out:
        out[0].findings.append(import_finding(
            "I702", f"{len(preambles)} @preamble block(s) not imported (the first at line "
                    f"{preambles[0].line}): copy any macros the titles use by hand",
            path, preambles[0].line))
    return out


def record_to_candidate(record: Record, path: str) -> Candidate:
    """One record of an imported .bib file as a candidate."""
    key = record.key
    cand = Candidate(source=f"{path}:{record.line}", original_key=key)

    def report(code: str, message: str) -> None:
        cand.findings.append(import_finding(code, message, path, record.line, key))

    fields = {RENAMES.get(name, name): value for name, value in record.fields.items()}
    _type(record, fields, cand, report)
    for role in _ROLES:
        people = [creator_from_csl(person_to_csl(p)) for p in record.names(role)]
        if people:
            cand.creators[role] = people
    for name in TAG_FIELDS:
        cand.tags.extend(t.strip() for t in re.split(r"[,;]", fields.pop(name, "")) if t.strip())
    _date(fields, cand, report)
    _links(fields)
    _director(fields, cand)
    for link in ("crossref", "xref"):
        if fields.get(link):
            report("I702", f"{link} ({fields.pop(link)}) not imported: the record gets a new "
                           "key, so the inherited fields were copied into it")
    if fields.get("file"):
        report("I702", f"file ({fields.pop('file')[:60]}) not imported: an attachment on the "
                       "exporting computer")
    for name, value in fields.items():
        if name in NAME_FIELDS and name not in _ROLES:
            report("I702", f"field {name} ({value[:60]}) not imported: bibvault writes "
                           "only author, editor, translator and bookauthor")
        elif name in _ROLES or not value:
            continue
        elif name in _KNOWN_FIELDS:
            cand.fields[name] = value
        else:
            report("I702", f"field {name} ({value[:60]}) not imported: not a biblatex field")
    cand.provenance = {name: f"{path}:{record.location(name)[0]} {name}" for name in cand.fields}
    return cand


def _type(record: Record, fields: dict[str, str], cand: Candidate,
          report: Callable[[str, str], None]) -> None:
    source, etype = record.source_type, record.entry_type
    cand.type_reason = f"@{source} in the imported file"
    if source in _THESIS_TYPES and "type" not in fields:
        fields["type"] = _THESIS_TYPES[source]
    if etype == "misc" and fields.get("url", fields.get("howpublished", "")).startswith(
            ("http", "\\url")) and ("urldate" in fields or "journaltitle" in fields):
        # Zotero's BibTeX export writes a web page as @misc with its address and
        # the day it was read; the site comes as journal or howpublished.
        etype = "online"
        cand.type_reason = f"@{source} with url and urldate: a web page"
    if etype == "online":
        site = fields.pop("journaltitle", "")
        if site and "organization" not in fields:
            fields["organization"] = site
    if (etype == "article" and "entrysubtype" not in fields
            and fields.get("journaltitle", "").casefold() in NEWS_OUTLETS):
        fields["entrysubtype"] = "newspaper"
        cand.type_reason += "; the journal is a news outlet"
    if etype not in _KNOWN_TYPES:
        report("I703", f"entry type @{source} has no biblatex equivalent; imported as @misc")
        etype = "misc"
    cand.entry_type = etype


def _date(fields: dict[str, str], cand: Candidate, report: Callable[[str, str], None]) -> None:
    parts = {p: fields.pop(p) for p in _DATE_PARTS if p in fields}
    if "date" in fields or not parts.get("year"):
        if parts:
            report("I702", f"{', '.join(f'{k} = {v}' for k, v in parts.items())} not imported: "
                           "the entry has a date" if "date" in fields else "no year")
        return
    try:
        fields["date"] = date_from_parts(parts["year"], parts.get("month"), parts.get("day")).iso()
    except DateError as exc:
        report("I704", f"year/month/day ({', '.join(parts.values())}) not a date: {exc}")


def _director(fields: dict[str, str], cand: Candidate) -> None:
    """Better BibTeX writes a video's director as ``editor`` with ``editortype = {director}``;
    a director who is an organisation is the channel (``organization``), a person the author."""
    editors = cand.creators.get("editor", [])
    if (cand.entry_type != "video" or fields.get("editortype") != "director" or not editors
            or "author" in cand.creators):
        return
    del fields["editortype"], cand.creators["editor"]
    if len(editors) == 1 and editors[0].literal and "organization" not in fields:
        fields["organization"] = editors[0].literal
    else:
        cand.creators["author"] = editors


def _links(fields: dict[str, str]) -> None:
    howpublished = fields.get("howpublished", "")
    url = _URL_MACRO.match(howpublished) or (howpublished.startswith("http") and
                                             re.match(r"^(\S+)$", howpublished))
    if url:
        fields.setdefault("url", url.group(1))
        del fields["howpublished"]
    if fields.get("doi"):
        fields["doi"] = _DOI_PREFIX.sub("", fields["doi"].strip())
