"""Every rule bibvault reports, gathered from the stages that report them.

The core rules live in :mod:`bibvault.rules`; links, archive, ``add`` and
``import`` declare theirs beside their code. This module only collects them,
so that ``bibvault rules``, ``--select``/``--ignore`` and the SARIF report
see one list.
"""

from __future__ import annotations

from bibvault.archive.rules import RULES as ARCHIVE_RULES
from bibvault.ingest.import_rules import RULES as IMPORT_RULES
from bibvault.ingest.rules_add import RULES as ADD_RULES
from bibvault.links.rules import RULES as LINK_RULES
from bibvault.rules import CORE_RULES, Rule

_ALL: tuple[Rule, ...] = tuple(sorted(
    CORE_RULES + LINK_RULES + ARCHIVE_RULES + ADD_RULES + IMPORT_RULES, key=lambda r: r.code))


def all_rules() -> tuple[Rule, ...]:
    """Every rule, sorted by code."""
    return _ALL
