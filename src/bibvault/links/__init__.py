"""Link checking: polite concurrent probing, classification and a SQLite history.

The entry point is :func:`check_links`; :func:`check_url` checks one URL.
"""

from bibvault.links.checker import CheckRun, LinkOutcome, LinkTarget, check_links, check_url
from bibvault.links.history import DeadVerdict, History
from bibvault.links.result import CheckResult, LinkStatus

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
