"""Export profiles: which fields of a record an export carries.

``paper`` (the default) keeps the fields that citation styles print or sort by, so
that a bibliography built from the export shows what the source says and nothing of
the curators' working notes: topics (``keywords``), the reading list's
``annotation``, provenance notes (``comment``), ``abstract``, the archive fields and
the link status stay out. ``full`` keeps every field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

#: The export profiles, the default first.
PROFILES = ("paper", "full")

#: Fields that biblatex, BibTeX and CSL styles use (printed, or for sorting and labels),
#: and ``ids``: a paper citing a record by an older key (kept there by ``merge`` and
#: ``import``) must still compile.
CITATION_FIELDS = frozenset("""
author editor translator bookauthor editora editorb editorc editortype editoratype
editorbtype editorctype annotator commentator introduction foreword afterword holder
title subtitle titleaddon shorttitle maintitle mainsubtitle maintitleaddon booktitle
booksubtitle booktitleaddon journaltitle journalsubtitle journaltitleaddon journal
shortjournal issuetitle issuesubtitle eventtitle eventtitleaddon eventdate venue
entrysubtype series volume volumes number issue edition part type chapter eid pages
pagetotal pagination bookpagination institution school organization publisher
location address howpublished date year month day origdate origtitle origlanguage
origlocation origpublisher isbn issn isrn ismn doi eprint eprinttype eprintclass
archiveprefix primaryclass url urldate language langid langidopts note addendum
pubstate version duration crossref xref xdata key sortkey sortname sorttitle sortyear
presort label shorthand shortauthor shorteditor shortseries options related
relatedtype relatedstring nameaddon gender authortype ids
""".split())


def keep_field(name: str, profile: str) -> bool:
    """Whether an export in ``profile`` carries the field ``name`` (lower case)."""
    return profile == "full" or name in CITATION_FIELDS


def apply_profile(records: Iterable[Any], profile: str) -> list[Any]:
    """The records with only the fields ``profile`` keeps; ``ValueError`` for an unknown one.

    Records are frozen dataclasses (:class:`bibvault.records.Record` and its stand-ins);
    a record that loses a field is a copy (the original is untouched), one that
    keeps all of them is given back itself.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown export profile {profile!r}; known: {', '.join(PROFILES)}")
    if profile == "full":
        return list(records)
    return [_trimmed(r, profile) for r in records]


def _trimmed(record: Any, profile: str) -> Any:
    if all(keep_field(k, profile) for k in record.fields) and all(
            keep_field(k, profile) for k in record.tex):
        return record  # nothing to drop (most records): frozen, so it can be shared

    def keep(values: Mapping[str, str]) -> Mapping[str, str]:
        return MappingProxyType({k: v for k, v in values.items() if keep_field(k, profile)})

    return dataclasses.replace(record, fields=keep(record.fields), tex=keep(record.tex))
