"""The reading list as data: groups of entries, each formatted in every style.

:func:`make_reading_list` does the work that all output formats share (filter,
group, order, run each style once over all records); the writers in
:mod:`bibvault.site.html` and :mod:`bibvault.site.text` only lay it out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bibvault.config import Config
from bibvault.csljson import ItemCache
from bibvault.export.texts import ExportTexts
from bibvault.records import Record
from bibvault.site.entries import EntryFormatter
from bibvault.site.links import Links, record_links
from bibvault.site.linkstate import LinkState
from bibvault.site.listing import Filters, group_records, select
from bibvault.site.styled import format_entries
from bibvault.site.tools import entry_links
from bibvault.spool import Spool

#: The formats a style is run in; ``text`` serves the plain-text list.
FORMATS = ("text", "html", "md")


@dataclass(frozen=True)
class Entry:
    """One record as the list shows it.

    ``formatted[style][fmt]`` is the style's entry in output format ``fmt``
    (only the formats that were asked for are present).
    """

    record: Record
    formatted: Mapping[str, Mapping[str, str]]
    links: Links
    annotation: str = ""
    link_state: LinkState | None = None

    @property
    def key(self) -> str:
        """The record's citation key."""
        return self.record.key


@dataclass(frozen=True)
class EntryGroup:
    """A headed section of the list."""

    id: str
    title: str
    entries: tuple[Entry, ...]
    description: str = ""


@dataclass(frozen=True)
class ReadingList:
    """Everything a writer needs: title, styles in order, groups, and the topic vocabulary."""

    title: str
    styles: tuple[str, ...]
    groups: tuple[EntryGroup, ...]
    topic_labels: Mapping[str, str] = field(default_factory=dict)
    group_by: str = "section"
    style_labels: Mapping[str, str] = field(default_factory=dict)
    intro: str = ""
    footer: str = ""
    report_url: str = ""
    #: What each entry carries to cite it (``build.cite``): "embed" every style and
    #: BibTeX and RIS, "light" the first style and BibTeX, "none" the first style.
    cite: str = "embed"
    #: The records' CSL-JSON items (for the COinS spans) and export texts (for the
    #: cite control), made once and shared with the build's other outputs.
    items: ItemCache = field(default_factory=ItemCache, compare=False, repr=False)
    exports: ExportTexts = field(default_factory=ExportTexts, compare=False, repr=False)

    def entries(self) -> list[Entry]:
        """Every entry once, in the order it first appears."""
        seen: dict[str, Entry] = {}
        for g in self.groups:
            for e in g.entries:
                seen.setdefault(e.key, e)
        return list(seen.values())

    def topics(self) -> list[tuple[str, str]]:
        """(id, label) of the topics the entries use: vocabulary order, then the rest."""
        used = {t for e in self.entries() for t in e.record.topics}
        ordered = [t for t in self.topic_labels if t in used]
        ordered += sorted(used - set(ordered), key=str.casefold)
        return [(t, self.topic_labels.get(t, t)) for t in ordered]


def make_reading_list(
    records: Sequence[Record],
    config: Config,
    formatters: Mapping[str, EntryFormatter],
    *,
    formats: Sequence[str] = FORMATS,
    group_by: str | None = None,
    order: str | None = None,
    filters: Filters | None = None,
    link_states: Mapping[str, LinkState] | None = None,
    items: ItemCache | None = None,
    exports: ExportTexts | None = None,
    spool: Spool | None = None,
) -> ReadingList:
    """Filter, group and order ``records`` and format each with every style.

    ``formatters`` maps style names to formatters, in the order the styles are
    offered (the first is the default). ``group_by`` and ``order`` default to
    the configuration's ``build`` section. ``link_states`` is what the link
    history says about each record's link (see :func:`~bibvault.site.linkstate.link_states`):
    a confirmed-dead link or a page whose content changed since it was cited leads to
    its archived copy. ``items`` and ``exports`` are the records' CSL-JSON items and
    export texts, when the caller shares them with its other outputs; ``spool``
    where the formatted entries wait until they are written (else in memory).
    """
    build = config.build
    filters = filters or Filters()
    chosen = select(records, filters)
    cache = items if items is not None else ItemCache()
    formatted = format_entries(formatters, chosen, formats, cache, spool)
    groups = group_records(chosen, config, group_by or build.group_by, order or build.order,
                           keep_empty=filters.is_empty() and not build.hide_empty)
    states = link_states or {}
    entries: dict[str, Entry] = {}
    out = []
    for g in groups:
        listed = []
        for r in g.records:
            if r.key not in entries:
                state = states.get(r.key)
                entries[r.key] = Entry(
                    record=r,
                    formatted=formatted.get(r.key, {}),
                    links=entry_links(record_links(r), state),
                    annotation=(r.get("annotation") or "") if build.annotations else "",
                    link_state=state,
                )
            listed.append(entries[r.key])
        out.append(EntryGroup(g.id, g.title, tuple(listed), g.description))
    return ReadingList(
        title=build.title,
        styles=tuple(formatters),
        groups=tuple(out),
        topic_labels={tid: t.label for tid, t in config.topics.items()},
        group_by=group_by or build.group_by,
        # A formatter may carry its style's title (the CSL one does).
        style_labels={s: str(getattr(f, "title", s)) for s, f in formatters.items()},
        intro=build.intro,
        footer=build.footer,
        report_url=build.report_url,
        cite=build.cite,
        items=cache,
        exports=exports if exports is not None else ExportTexts(),
    )
