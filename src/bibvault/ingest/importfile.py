"""One imported file → candidates, its format recognised by content.

:func:`read_import_file` is what ``bibvault import`` calls for each FILE: it
sniffs the bytes (:mod:`bibvault.sniff`), whatever the file's name, and hands
them to the RIS, CSL-JSON or BibTeX reader.
"""

from __future__ import annotations

import os

from bibvault.errors import StageError
from bibvault.fsutil import read_bytes
from bibvault.ingest.bibtex_in import read_bibtex
from bibvault.ingest.candidate import Candidate
from bibvault.ingest.cslitems import read_csl_json
from bibvault.ingest.import_rules import import_finding
from bibvault.ingest.ris import read_ris
from bibvault.sniff import BIBTEX, CSL_JSON, HEAD_BYTES, RIS, WrongFormatError, sniff

#: What ``bibvault import`` reads, for messages.
READABLE = "a file bibvault can import (RIS, CSL-JSON, BibTeX/biblatex)"


class ImportFileError(StageError, ValueError):
    """A file that has the right format but cannot be read at all (e.g. broken JSON)."""


def read_import_file(path: str | os.PathLike[str]) -> list[Candidate]:
    """The candidates of one file to import, in file order.

    Raises :class:`WrongFormatError` for a format bibvault does not import (naming
    what it looks like), :class:`ImportFileError` for a file of its format that
    cannot be read, :class:`OSError` when it cannot be read at all.
    """
    name = os.fspath(path)
    data = read_bytes(path)
    found = sniff(data[:HEAD_BYTES])
    if found.format == BIBTEX:
        return read_bibtex(data, name)
    if found.format not in (RIS, CSL_JSON):
        raise WrongFormatError(name, found, READABLE)
    try:
        text = data.decode("utf-8-sig")
        legacy = False
    except UnicodeDecodeError:
        # Older EndNote and RefWorks exports are Windows-1252.
        text, legacy = data.decode("cp1252", "replace"), True
    if found.format == RIS:
        out = read_ris(text, name)
    else:
        try:
            out = read_csl_json(text, name)
        except ValueError as exc:
            raise ImportFileError(str(exc)) from exc
    if legacy and out:
        out[0].findings.append(import_finding(
            "I704", "the file is not UTF-8; it was read as Windows-1252: check accented letters",
            name, 1))
    return out
