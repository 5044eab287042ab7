"""Exports of records: biblatex, BibTeX, CSL-JSON and RIS, each as text.

Every exporter is a function from records to the text of a file; writing it
is the caller's business.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from bibvault.export.biblatex import to_biblatex
from bibvault.export.bibtex import to_bibtex
from bibvault.export.csl import to_csl_json
from bibvault.export.profiles import PROFILES, apply_profile
from bibvault.export.ris import to_ris

__all__ = ["EXPORTERS", "PROFILES", "apply_profile", "export", "to_biblatex", "to_bibtex", "to_csl_json", "to_ris"]

#: Format name → exporter.
EXPORTERS: Mapping[str, Callable[[Iterable], str]] = {
    "biblatex": to_biblatex,
    "bibtex": to_bibtex,
    "csl-json": to_csl_json,
    "ris": to_ris,
}

#: The usual file extension of each format.
EXTENSIONS: Mapping[str, str] = {"biblatex": ".bib", "bibtex": ".bib", "csl-json": ".json",
                                 "ris": ".ris"}


def export(records: Iterable, fmt: str, profile: str = "paper") -> str:
    """The records in the named format with the fields of ``profile`` (see
    :mod:`bibvault.export.profiles`); ``ValueError`` for an unknown format or profile."""
    try:
        exporter = EXPORTERS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(EXPORTERS)}") from None
    return exporter(apply_profile(records, profile))
