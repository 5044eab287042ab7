"""What the link history says about each entry's link, for the marks on the page.

The site is built without network: :func:`link_states` only reads what
``bibvault check`` stored. A link never checked gets no state and no mark.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bibvault.config import CheckConfig
from bibvault.links.history import History, changed_urls
from bibvault.links.result import CheckResult, iso_utc
from bibvault.records import Record
from bibvault.site.links import safe_url

#: The states a checked link can be in, as the page names them.
LINK_STATUSES = ("alive", "failing", "dead", "unreachable")


@dataclass(frozen=True)
class LinkState:
    """The known state of one entry's link.

    ``last_checked`` is the date (``YYYY-MM-DD``, UTC) of the latest check;
    ``status`` one of :data:`LINK_STATUSES`: ``alive``, ``failing`` (failed but
    not yet confirmed dead), ``dead`` (confirmed by spaced failures) or
    ``unreachable`` (the site would not serve the checker: blocked or rate
    limited). ``content_changed`` is whether the page changed since it was
    cited, ``None`` while unknown.
    """

    last_checked: str
    status: str
    content_changed: bool | None = None


def link_states(records: Sequence[Record], database: Path,
                check: CheckConfig) -> dict[str, LinkState]:
    """{record key: state} for every record whose link the history knows.

    Reads the history at ``database`` and never creates it: without the file
    (no ``check`` has run yet) every link is unmarked. An unreadable history
    is treated the same way, since the page is still worth building.
    """
    if not database.is_file():
        return {}
    changed = changed_urls(database)
    out: dict[str, LinkState] = {}
    try:
        with History(database) as history:
            for r in records:
                url = safe_url(r.url)
                if url is None:
                    continue
                last = history.latest(url)
                if last is None:
                    continue
                # The history names pages judged changed; that others are unchanged
                # it does not say, so their verdict stays unknown (None).
                out[r.key] = LinkState(iso_utc(last.checked_at)[:10],
                                       _status(history, last, check),
                                       content_changed=True if url in changed else None)
    except sqlite3.Error:
        return {}
    return out


def _status(history: History, last: CheckResult, check: CheckConfig) -> str:
    if last.status.is_success:
        return "alive"
    verdict = history.verdict(last.url, check)
    if verdict is not None:
        return "dead" if verdict.state == "dead" else "failing"
    return "failing" if last.status.is_failure else "unreachable"


def any_marked(states: Mapping[str, LinkState]) -> bool:
    """True when some state would put a mark on the page (the legend is then shown)."""
    return any(s.status != "alive" or s.content_changed for s in states.values())
