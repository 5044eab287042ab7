"""A candidate as BibTeX text in the canonical ``fmt`` layout, and where it goes.

Values arrive as plain Unicode and leave as TeX that every BibTeX and biblatex
reader takes: LaTeX's special characters escaped, acronyms and words with inner
capitals in titles protected by braces (so that a sentence-case style keeps
"NRF" and "iPhone"), organisations as corporate names in double braces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from bibvault.bibfile import parse
from bibvault.bibfile.model import Entry
from bibvault.config import Config
from bibvault.fmt import format_entry
from bibvault.ingest.candidate import Candidate, Creator

#: Fields written as they are (addresses, dates, identifiers, lists of keys).
VERBATIM = frozenset({"url", "doi", "eprint", "file", "urldate", "date", "archiveurl",
                      "archivedate", "archivesha256", "sourcesha256", "keywords", "ids", "isbn", "issn",
                      "duration", "pagetotal", "langid", "entrysubtype", "eventdate",
                      "origdate", "urlstatus"})
#: Fields whose words keep their capitals under a style's case change.
TITLES = frozenset({"title", "subtitle", "titleaddon", "booktitle", "shorttitle"})
_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "&": r"\&", "%": r"\%",
             "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
             "^": r"\textasciicircum{}", "`": r"\textasciigrave{}"}
_SPECIAL = re.compile(r"[\\{}&%$#_~^`]")
# TeX ligatures a reader would apply to plain text: -- and --- (dashes), '' (a quote).
_LIGATURE = re.compile(r"(?<=-)(?=-)|(?<=')(?=')")
# An acronym (NRF, U.S., COVID-19) or a word with a capital after its first letter (iPhone),
# never right after a backslash: braces there would turn an escape (\_) into a brace (\{).
_PROTECT = re.compile(r"(?<![\w{\\])((?:[A-Z]\.){2,}|\w*[a-z]\w*[A-Z]\w*|[A-Z][A-Z0-9]+(?:-[A-Z0-9]+)*s?)(?![\w}])")
_ROLES = ("author", "editor", "translator", "bookauthor")


def tex_escape(text: str) -> str:
    """Plain text as TeX: LaTeX's command characters escaped, spaces folded."""
    escaped = _SPECIAL.sub(lambda m: _SPECIALS[m.group()], " ".join(text.split()))
    return _LIGATURE.sub("{}", escaped)


def tex_title(text: str) -> str:
    """A title as TeX, with acronyms and words with inner capitals in braces."""
    return _PROTECT.sub(lambda m: "{" + m.group(1) + "}", tex_escape(text))


def verbatim_value(text: str) -> str:
    """An address or identifier, kept as it is but for braces (percent-encoded)."""
    return " ".join(text.split()).replace("{", "%7B").replace("}", "%7D")


def tex_name(creator: Creator) -> str:
    """One name in BibTeX's ``Family, Given`` form; an organisation in braces."""
    if creator.literal:
        return "{" + tex_escape(creator.literal) + "}"
    family, given = tex_escape(creator.family), tex_escape(creator.given)
    if "," in family or re.search(r"\band\b", family):
        family = "{" + family + "}"
    if "," in given or re.search(r"\band\b", given):
        given = "{" + given + "}"
    if not family:
        return given
    return f"{family}, {given}" if given else family


def tex_fields(candidate: Candidate, topics: Sequence[str] = ()) -> dict[str, str]:
    """Field name → TeX value (without delimiters) for the entry to write."""
    out: dict[str, str] = {}
    for role in _ROLES:
        names = [n for n in candidate.creators.get(role, []) if n.literal or n.family or n.given]
        if names:
            out[role] = " and ".join(tex_name(n) for n in names)
    for name, value in candidate.fields.items():
        name = name.lower()
        if not value or not value.strip() or name in out or name == "keywords":
            continue
        if name in VERBATIM:
            out[name] = verbatim_value(value)
        elif name in TITLES:
            out[name] = tex_title(value)
        else:
            out[name] = tex_escape(value)
    if topics:
        out["keywords"] = ", ".join(dict.fromkeys(topics))
    return out


def entry_text(candidate: Candidate, key: str, topics: Sequence[str] = ()) -> str:
    """The whole entry in the canonical layout that ``bibvault fmt`` gives (no final newline)."""
    fields = tex_fields(candidate, topics)
    width = max((len(n) for n in fields), default=0)
    lines = [f"@{candidate.entry_type.lower()}{{{key},"]
    lines += [f"  {n.ljust(width)} = {{{v}}}," for n, v in fields.items()]
    lines.append("}")
    entry = parse("\n".join(lines)).entries[0]
    return format_entry(entry)


def parsed_entry(text: str) -> Entry:
    """The entry an :func:`entry_text` result reads back as."""
    return parse(text).entries[0]


def target_file(candidate: Candidate, config: Config) -> Path:
    """The .bib file a new record of this kind goes to.

    ``ingest.targets`` is looked up by entry type, then by the id of the section
    whose types include it. Without a match the record goes to the first records
    path: that file, or, for a folder, the section's file in it (``bib/news.bib``
    for the news section) or ``references.bib``.
    """
    etype = candidate.entry_type.lower()
    section = next((s for s in config.sections if etype in s.types), None)
    targets = config.ingest.targets
    chosen = targets.get(etype) or (targets.get(section.id) if section else None)
    if chosen:
        return config.resolve(chosen)
    first = config.resolve(config.records[0]) if config.records else config.resolve("bib")
    if first.suffix.lower() == ".bib" or first.is_file():
        return first
    return first / f"{section.id if section else 'references'}.bib"
