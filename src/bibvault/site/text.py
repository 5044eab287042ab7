"""The reading list as plain text and as Markdown, one style per document.

Each entry is one line (the style's entry followed by its annotation, as the
seed page lists them), its addresses on an indented line below, so the files
diff well under version control.
"""

from __future__ import annotations

import re

from bibvault.site.model import Entry, ReadingList

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|&!])")


def md_escape(text: str) -> str:
    """``text`` with the characters Markdown or inline HTML would act on backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _underline(title: str, char: str) -> str:
    return f"{title}\n{char * max(len(title), 3)}"


def _text_links(entry: Entry, shown: str) -> list[str]:
    """Address lines under an entry; the source is left out when the style printed it."""
    links = entry.links
    lines = []
    if links.original and (links.original not in shown or links.dead or links.changed):
        state = "dead" if links.dead else "changed since cited"
        lines.append((f"Source ({state}): " if links.main == links.archived else "")
                     + links.original)
    if links.archived:
        date = f" ({links.archive_date})" if links.archive_date else ""
        lines.append(f"Archived{date}: {links.archived}")
    return lines


def plain_text(reading_list: ReadingList, style: str) -> str:
    """The whole list in ``style`` as plain text (the style's ``text`` output)."""
    parts = [_underline(" ".join(reading_list.title.split()), "=")]
    for group in reading_list.groups:
        parts.append(_underline(" ".join(group.title.split()), "-"))
        if not group.entries:
            parts.append("(no entries)")
        for e in group.entries:
            line = e.formatted.get(style, {}).get("text", e.key)
            if e.annotation:
                line = f"{line} {' '.join(e.annotation.split())}"
            parts.append("\n".join([line, *("    " + s for s in _text_links(e, line))]))
    return "\n\n".join(parts) + "\n"


def _md_links(entry: Entry, shown: str) -> str:
    links = entry.links
    out = []
    if links.main and links.main not in shown:
        out.append(f"<{links.main}>")
    if links.archived and links.main != links.archived:
        date = f" {md_escape(links.archive_date)}" if links.archive_date else ""
        out.append(f"[archived{date}](<{links.archived}>)")
    elif links.archived and links.original:
        out.append(f"[original, {'dead' if links.dead else 'changed'}](<{links.original}>)")
    return " · ".join(out)


def markdown(reading_list: ReadingList, style: str) -> str:
    """The whole list in ``style`` as Markdown (the style's ``md`` output)."""
    parts = [f"# {md_escape(reading_list.title)}"]
    for group in reading_list.groups:
        parts.append(f"## {md_escape(group.title)}")
        if not group.entries:
            parts.append("*No entries.*")
            continue
        items = []
        for e in group.entries:
            line = "- " + e.formatted.get(style, {}).get("md", md_escape(e.key))
            if e.annotation:
                line += " " + md_escape(e.annotation)
            more = _md_links(e, line)
            items.append(f"{line}\n  {more}" if more else line)
        parts.append("\n".join(items))
    return "\n\n".join(parts) + "\n"
