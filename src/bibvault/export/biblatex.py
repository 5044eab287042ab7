"""Records as biblatex entries that biber's data model accepts.

Field values are written as the TeX they were read as. What the biblatex data
model has no place for is moved where biblatex prints it (a running time or an
archived copy goes to ``addendum``), converted (``journal`` → ``journaltitle``,
BibTeX ``year``/``month`` → ``date``), or, when nothing fits, kept as a ``%``
comment line above the entry so that no value is silently lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bibvault import csljson
from bibvault.dates import DateError

# Fields every entry type may have (biblatex data model, as biber applies it).
_COMMON = frozenset("""
abstract annotation authortype bookpagination crossref date day doi eprint eprintclass
eprinttype entryset entrysubtype eventdate execute file gender ids indexsorttitle
indextitle isan ismn iswc keywords label langid langidopts library month nameaddon
options origdate origlocation origpublisher origtitle pagination presort related
relatedoptions relatedstring relatedtype shortauthor shorteditor shorthand
shorthandintro shortjournal shortseries shorttitle sortkey sortname sortshorthand
sorttitle sortyear url urldate usera userb userc userd usere userf verba verbb verbc
xdata xref year
""".split())
#: The fields every entry type may have, for readers that check a field's name.
COMMON_FIELDS = _COMMON

_EDITORS = "editor editora editorb editorc editortype editoratype editorbtype editorctype"
_BOOKISH = (f"author addendum afterword annotator commentator edition {_EDITORS} foreword "
            "introduction isbn language location note number origlanguage publisher "
            "pubstate series subtitle title titleaddon translator volume volumes")
_IN_BOOK = (f"{_BOOKISH} booktitle booksubtitle booktitleaddon chapter eid mainsubtitle "
            "maintitle maintitleaddon pages part")
_EVENT = "eventtitle eventtitleaddon venue"

# Per-type fields (biblatex data model as biber applies it).
TYPE_FIELDS: Mapping[str, frozenset[str]] = {name: frozenset(fields.split()) for name, fields in {
    "article": f"addendum annotator author commentator {_EDITORS} eid issn issue issuetitle "
               "issuesubtitle issuetitleaddon journalsubtitle journaltitle journaltitleaddon "
               "language note number origlanguage pages pubstate series subtitle title "
               "titleaddon translator version volume",
    "book": f"{_BOOKISH} chapter eid mainsubtitle maintitle maintitleaddon pages pagetotal part",
    "mvbook": f"{_BOOKISH} pagetotal",
    "inbook": f"{_IN_BOOK} bookauthor",
    "bookinbook": f"{_IN_BOOK} bookauthor",
    "suppbook": f"{_IN_BOOK} bookauthor",
    "collection": f"{_BOOKISH} chapter eid mainsubtitle maintitle maintitleaddon pages "
                  "pagetotal part",
    "reference": f"{_BOOKISH} chapter eid mainsubtitle maintitle maintitleaddon pages "
                 "pagetotal part",
    "mvcollection": _BOOKISH, "mvreference": _BOOKISH,
    "incollection": _IN_BOOK, "suppcollection": _IN_BOOK, "inreference": _IN_BOOK,
    "booklet": "addendum author chapter editor editortype eid howpublished language "
               "location note pages pagetotal pubstate subtitle title titleaddon type",
    "dataset": "addendum author edition editor editortype language location note number "
               "organization publisher pubstate series subtitle title titleaddon type version",
    "manual": "addendum author chapter edition editor editortype eid isbn language location "
              "note number organization pages pagetotal publisher pubstate series subtitle "
              "title titleaddon type version",
    "misc": "addendum author editor editortype howpublished language location note "
            "organization pubstate subtitle title titleaddon type version",
    "software": "addendum author editor editortype howpublished language location note "
                "organization pubstate subtitle title titleaddon type version",
    "online": "addendum author editor editortype language note organization pubstate "
              "subtitle title titleaddon version",
    "patent": "addendum author holder location note number pubstate subtitle title "
              "titleaddon type version",
    "periodical": f"addendum {_EDITORS} issn issue issuesubtitle issuetitle issuetitleaddon "
                  "language note number pubstate series subtitle title titleaddon volume",
    "proceedings": f"addendum chapter editor editortype eid {_EVENT} isbn language location "
                   "mainsubtitle maintitle maintitleaddon note number organization pages "
                   "pagetotal part publisher pubstate series subtitle title titleaddon volume "
                   "volumes",
    "mvproceedings": f"addendum editor editortype {_EVENT} isbn language location note "
                     "number organization pagetotal publisher pubstate series subtitle title "
                     "titleaddon volumes",
    "inproceedings": f"addendum author booksubtitle booktitle booktitleaddon chapter editor "
                     f"editortype eid {_EVENT} isbn language location mainsubtitle maintitle "
                     "maintitleaddon note number organization pages part publisher pubstate "
                     "series subtitle title titleaddon volume volumes",
    "report": "addendum author chapter eid institution isrn language location note number "
              "pages pagetotal pubstate subtitle title titleaddon type version",
    "thesis": "addendum author chapter eid institution language location note pages "
              "pagetotal pubstate subtitle title titleaddon type",
    "unpublished": f"addendum author {_EVENT} howpublished language location note pubstate "
                   "subtitle title titleaddon type",
}.items()}

#: Types biblatex knows but gives no fields; written as @misc with the type kept in entrysubtype.
AS_MISC = frozenset({"video", "movie", "audio", "music", "artwork", "image", "performance",
                     "letter", "review", "standard", "jurisdiction", "legislation", "legal",
                     "commentary"})
_TYPE_ALIASES = {"techreport": "report", "phdthesis": "thesis", "mastersthesis": "thesis",
                 "conference": "inproceedings", "electronic": "online", "www": "online",
                 "suppperiodical": "article"}
_RENAMES = {"journal": "journaltitle", "address": "location", "school": "institution",
            "annote": "annotation", "key": "sortkey"}
_THESIS_KEYS = {"phdthesis": "phdthesis", "mastersthesis": "mathesis"}


def biblatex_type(record: csljson.RecordLike) -> str:
    """The entry type the export writes for a record."""
    etype = _TYPE_ALIASES.get(record.entry_type.lower(), record.entry_type.lower())
    if etype in AS_MISC:
        return "misc"
    return etype if etype in TYPE_FIELDS else "misc"


def biblatex_fields(record: csljson.RecordLike) -> tuple[str, dict[str, str], dict[str, str]]:
    """(entry type, fields to write, fields left out) for one record, values as TeX."""
    etype = biblatex_type(record)
    source = record.entry_type.lower()
    fields: dict[str, str] = {}
    for name, value in record.tex.items():
        fields.setdefault(_RENAMES.get(name, name), value)
    if source in AS_MISC:
        fields.setdefault("entrysubtype", source)
    unplaced: dict[str, str] = {}
    if "date" not in fields and "year" in fields:
        try:
            parsed = csljson.year_month_day(record.fields)
        except DateError:
            pass
        else:
            fields["date"] = parsed.iso()
            # A month or day the date could not hold ("May 30--June 1") stays as a comment.
            for part, known in (("year", True), ("month", parsed.start and parsed.start.month),
                                ("day", parsed.start and parsed.start.day)):
                if part in fields:
                    value = fields.pop(part)
                    if not known:
                        unplaced[part] = value
    if etype == "thesis" and "type" not in fields:
        original = getattr(record, "source_type", source)
        if original in _THESIS_KEYS:
            fields["type"] = _THESIS_KEYS[original]
    if etype == "report" and "type" not in fields and \
            getattr(record, "source_type", source) == "techreport":
        fields["type"] = "techreport"
    if etype in ("report", "thesis") and "institution" not in fields and "organization" in fields:
        fields["institution"] = fields.pop("organization")
    addenda = [fields.pop("addendum")] if "addendum" in fields else []
    if "duration" in fields:
        addenda.append(f"Running time: {csljson.duration_to_dimensions(fields.pop('duration'))}")
    if "archiveurl" in fields:
        archived = f"Archived copy: \\url{{{fields.pop('archiveurl')}}}"
        if "archivedate" in fields:
            archived += f" ({fields.pop('archivedate')})"
        addenda.append(archived)
    if addenda:
        fields["addendum"] = ". ".join(a.rstrip(". ") for a in addenda)
    allowed = _COMMON | TYPE_FIELDS[etype]
    kept = {k: v for k, v in fields.items() if k in allowed}
    left_out = {k: v for k, v in fields.items() if k not in allowed} | unplaced
    return etype, kept, left_out


def format_entry(etype: str, key: str, fields: Mapping[str, str],
                 comments: Iterable[str] = (), bare: Iterable[str] = ()) -> str:
    """One entry in the house layout: aligned ``name = {value}`` lines.

    Fields named in ``bare`` are written without braces (macros such as ``aug``).
    """
    lines = [f"% {c}" for c in comments]
    lines.append(f"@{etype}{{{key},")
    width = max((len(n) for n in fields), default=0)
    unbraced = set(bare)
    lines.extend(f"  {name.ljust(width)} = {value if name in unbraced else '{' + value + '}'},"
                 for name, value in fields.items())
    lines.append("}")
    return "\n".join(lines) + "\n"


def biblatex_entry(record: csljson.RecordLike) -> str:
    """One record as a biblatex entry (what :func:`to_biblatex` writes for it)."""
    etype, kept, left_out = biblatex_fields(record)
    # BibTeX readers take any "@" outside an entry for the start of one.
    comments = [f"no place in a biblatex {etype} entry: {name} = "
                f"{{{' '.join(value.split()).replace('@', '(at)')}}}"
                for name, value in left_out.items()]
    return format_entry(etype, record.key, kept, comments)


def to_biblatex(records: Iterable[csljson.RecordLike]) -> str:
    """The records as a biblatex file (UTF-8 text, one blank line between entries)."""
    return "\n".join(biblatex_entry(r) for r in records)
