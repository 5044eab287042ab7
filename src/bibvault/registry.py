"""Every rule bibvault reports, gathered from the stages that report them.

The core rules live in :mod:`bibvault.rules`; links, archive, ``add`` and
``import`` declare theirs beside their code. This module only collects them,
so that ``bibvault rules``, ``--select``/``--ignore`` and the SARIF report
see one list.
"""

from __future__ import annotations

import importlib
from functools import lru_cache

from bibvault.rules import CORE_RULES, Rule

# The modules that declare the other families' rules (each has a ``RULES`` tuple).
# Imported when the list is first asked for, not with this module: importing
# ``bibvault.archive.rules`` imports the archive package and with it requests,
# about a fifth of a second that every ``validate`` run paid for a list it only
# reads when given --select or --ignore.
FAMILY_MODULES = (
    "bibvault.links.rules",
    "bibvault.archive.rules",
    "bibvault.ingest.rules_add",
    "bibvault.ingest.import_rules",
)


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    """Every rule, sorted by code."""
    found: list[Rule] = list(CORE_RULES)
    for name in FAMILY_MODULES:
        found.extend(importlib.import_module(name).RULES)
    return tuple(sorted(found, key=lambda r: r.code))
