"""Validation: every rule run over parsed files, as a list of findings.

``validate_paths`` is the whole stage (:mod:`.run`); ``fix_collection`` performs
the safe fixes that findings carry, through the minimal-diff writer (:mod:`.fixing`).
The rules are in :mod:`.fields` (per record) and :mod:`.across` (across records).
"""

from bibvault.validate.fixing import (
    AppliedFix,
    FixResult,
    apply_fixes,
    fix_collection,
    reencode_files,
)
from bibvault.validate.run import validate_files, validate_paths, validate_records

__all__ = ["validate_paths", "validate_files", "validate_records", "apply_fixes", "AppliedFix",
           "reencode_files", "fix_collection", "FixResult"]
