"""Link checking: polite concurrent probing, classification and a SQLite history.

The entry point is :func:`check_links`; :func:`check_url` checks one URL.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bibvault.links.checker import CheckRun, LinkOutcome, LinkTarget, check_links, check_url
    from bibvault.links.history import DeadVerdict, History
    from bibvault.links.result import CheckResult, LinkStatus

# Name → the module that defines it, imported when the name is first used: the
# build reads the link history (bibvault.links.history) and would otherwise load
# the checker and the whole network layer (requests, urllib3, ssl), a fifth of
# the start-up of `bibvault build`.
_HOMES = {
    "CheckRun": "checker", "LinkOutcome": "checker", "LinkTarget": "checker",
    "check_links": "checker", "check_url": "checker",
    "DeadVerdict": "history", "History": "history",
    "CheckResult": "result", "LinkStatus": "result",
}

__all__ = [
    "CheckResult",
    "CheckRun",
    "DeadVerdict",
    "History",
    "LinkOutcome",
    "LinkStatus",
    "LinkTarget",
    "check_links",
    "check_url",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
