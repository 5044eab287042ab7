"""Where an entry links to: the source, its archived copy, and which one leads.

Only absolute ``http``/``https`` addresses ever become links; anything else
(``javascript:``, ``data:``, relative paths, addresses with spaces or control
characters) is shown as text or not at all.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bibvault.identity import safe_url
from bibvault.records import Record


@dataclass(frozen=True)
class Links:
    """The addresses of one entry, already checked with :func:`safe_url`.

    ``main`` is what the title links to: the source, or the archived copy when
    the source is known dead or its content changed since it was cited.
    ``archived`` is the copy shown next to it.
    """

    original: str | None = None
    archived: str | None = None
    archive_date: str | None = None
    dead: bool = False
    changed: bool = False

    @property
    def main(self) -> str | None:
        """The address the entry's own link points to: the archived copy is the version
        cited once the source is dead or no longer holds what was cited."""
        if (self.dead or self.changed) and self.archived:
            return self.archived
        return self.original or self.archived

    @property
    def host(self) -> str:
        """The host of the main link, for a link that has no title to sit on."""
        return urlsplit(self.main).hostname or "" if self.main else ""


# A Wayback-style snapshot address carries its capture time: /web/20240101123456/...
_SNAPSHOT_TIME = re.compile(r"/web/(\d{4})(\d{2})(\d{2})\d*[a-z_]*/")


def record_links(record: Record, changed: bool = False) -> Links:
    """The links of a record, from ``url``, ``archiveurl``, ``archivedate``, ``urlstatus``;
    ``changed`` when the link history found the page's content changed since it was cited.

    Robust Links require a date for the snapshot; without ``archivedate`` it is
    read from a Wayback-style snapshot address when there is one.
    """
    archived = safe_url(record.get("archiveurl"))
    date = (record.get("archivedate") or "").strip() or None
    if date is None and archived:
        m = _SNAPSHOT_TIME.search(archived)
        date = "-".join(m.groups()) if m else None
    return Links(
        original=safe_url(record.url),
        archived=archived,
        archive_date=date,
        dead=(record.get("urlstatus") or "").strip().lower() == "dead",
        changed=changed,
    )


def _attrs(pairs: list[tuple[str, str | None]]) -> str:
    return "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in pairs if v)


def main_link_attrs(links: Links) -> str:
    """Attributes of the entry's main ``<a>`` (``href`` plus Robust Links data when archived)."""
    pairs: list[tuple[str, str | None]] = [("href", links.main)]
    if links.archived:
        pairs += [
            ("data-originalurl", links.original),
            ("data-versionurl", links.archived),
            ("data-versiondate", links.archive_date),
        ]
    return _attrs(pairs)


def archived_link_html(links: Links) -> str:
    """The "archived" link shown next to an entry, or "" when there is no copy to offer.

    When the source is dead the copy is already the main link, so the extra
    link offers the original address instead, marked as dead.
    """
    if not links.archived:
        return ""
    if links.dead or links.changed:
        if not links.original:
            return ""
        attrs = _attrs([("href", links.original), ("data-originalurl", links.original),
                        ("data-versionurl", links.archived),
                        ("data-versiondate", links.archive_date)])
        state = "dead" if links.dead else "changed"
        return f'<a class="original {state}" rel="nofollow"{attrs}>original ({state})</a>'
    attrs = _attrs([("href", links.archived), ("data-originalurl", links.original),
                    ("data-versionurl", links.archived), ("data-versiondate", links.archive_date)])
    return f'<a class="archived"{attrs}>archived</a>'
