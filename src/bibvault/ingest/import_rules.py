"""The I7xx rule codes of ``bibvault import``, for the central rules registry.

Each is a :class:`~bibvault.rules.Rule`; :mod:`bibvault.registry` gathers them with the others.
"""

from __future__ import annotations

from bibvault.findings import Finding, Severity
from bibvault.rules import Rule, rules_by_code

RULES: tuple[Rule, ...] = (
    Rule("I701", Severity.ERROR, "unreadable import record",
         "A record of the imported file cannot be read: a RIS reference without `TY` or "
         "`ER`, a CSL-JSON item that is not an object, a BibTeX entry with syntax errors. "
         "The record is not imported; the rest of the file is."),
    Rule("I702", Severity.WARNING, "field not imported",
         "A field, tag or variable of the imported record has no place in the biblatex data "
         "model as bibvault uses it (for example a Zotero attachment path, a RIS `C1` custom "
         "field, a CSL `director`), so it was left out. The finding names it and its value, "
         "so nothing is dropped silently; add it by hand if it matters."),
    Rule("I703", Severity.WARNING, "unknown record type",
         "The imported record's type (RIS `TY`, CSL `type`, BibTeX entry type) has no "
         "biblatex equivalent; the record is imported as `@misc`."),
    Rule("I704", Severity.WARNING, "value not understood",
         "A value could not be read as what its field holds (a date that is not a date, a "
         "page count that is not a number); it was left out and is named in the finding."),
)

_BY_CODE = rules_by_code(RULES)


def import_finding(code: str, message: str, file: str = "", line: int = 0,
                   key: str | None = None) -> Finding:
    """A :class:`Finding` for an I7xx rule with the rule's severity."""
    return Finding(code, _BY_CODE[code].severity, message, file, line, 0, key)
