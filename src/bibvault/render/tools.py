"""What the page puts under each entry besides the citation.

The marks that say how the entry's link stood when it was last checked, the
"cite" control with the record's BibTeX and RIS, the entry's permalink, and
the "report a problem" link; and the legend that explains the marks. The
marks are words and symbols, never colour alone.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from bibvault.export.texts import ExportTexts
from bibvault.records import Record
from bibvault.render.links import Links
from bibvault.render.linkstate import LinkState
from bibvault.render.markup import safe_link

#: Mark → (symbol, name, text under the entry, what the legend says). The symbols
#: differ in shape, so the marks read without colour.
MARKS: dict[str, tuple[str, str, str, str]] = {
    "alive": ("\u2713", "checked", "link checked {date}",
              "the link worked when it was last checked (date shown)"),
    "failing": ("\u26a0", "failing", "link failing at the check of {date}",
                "the link failed when last checked; not yet confirmed dead"),
    "unreachable": ("?", "unknown", "site refused the checker on {date}",
                    "the site would not answer the link checker, so its state is unknown"),
    "dead": ("\u2020", "dead", "dead link (checked {date}){archive}",
             "confirmed dead by failures days apart; the title links to the archived copy"),
    "changed": ("\u2260", "changed", "page changed since cited{archive}",
                "the page changed since it was cited; the title links to the archived "
                "version that was cited"),
}


def report_href(template: str, record: Record) -> str | None:
    """The "report a problem" address: ``template`` with ``{key}`` and ``{title}`` filled in.

    Both are percent-encoded (UTF-8) so they cannot end the query or add a
    parameter. ``None`` when there is no template or the result is not an
    http(s) or ``mailto:`` address.
    """
    if not template:
        return None
    href = (template.replace("{key}", quote(record.key, safe="", errors="replace"))
            .replace("{title}", quote(" ".join(record.title.split()), safe="", errors="replace")))
    return href if safe_link(href) else None


def entry_links(links: Links, state: LinkState | None) -> Links:
    """``links`` with what the history knows applied: a confirmed-dead link or a
    changed page leads to its archived copy."""
    if state is None:
        return links
    dead = links.dead or state.status == "dead"
    changed = bool(state.content_changed)
    if dead == links.dead and changed == links.changed:
        return links
    return Links(links.original, links.archived, links.archive_date, dead=dead, changed=changed)


def marks_html(state: LinkState | None, links: Links) -> str:
    """The link-state marks of one entry ("" for a link never checked)."""
    if state is None:
        return ""
    names = [state.status]
    if state.content_changed:
        names.append("changed")
    archive = "; archived copy linked" if links.archived else "; no archived copy"
    out = []
    for name in names:
        symbol, _, text, _ = MARKS[name]
        out.append(f'<span class="mark mark-{name}" data-mark="{name}">'
                   f'<span aria-hidden="true">{symbol}</span> '
                   f'{escape(text.format(date=state.last_checked, archive=archive))}</span>')
    return "".join(out)


def legend_html(used: set[str]) -> str:
    """The legend for the marks in ``used`` (nothing when no entry is marked)."""
    if not used:
        return ""
    items = "".join(f'<li><span class="mark mark-{n}"><span aria-hidden="true">{symbol}</span> '
                    f"{escape(label)}</span>: {escape(about)}</li>"
                    for n, (symbol, label, _, about) in MARKS.items() if n in used)
    return ('<section class="legend" aria-labelledby="legend-h"><h2 id="legend-h">'
            f"About the links</h2><ul>{items}</ul></section>")


#: ``build.cite`` → the export formats the cite control shows.
CITE_FORMATS: dict[str, tuple[str, ...]] = {"embed": ("bibtex", "ris"), "light": ("bibtex",),
                                            "none": ()}
_CITE_LABELS = {"bibtex": ("BibTeX", "bib"), "ris": ("RIS", "ris")}


def cite_control_html(record: Record, anchor: str, texts: ExportTexts | None = None,
                      formats: tuple[str, ...] = CITE_FORMATS["embed"]) -> str:
    """The "cite" control: the record's BibTeX and RIS (the ``paper`` export profile)
    to read, copy or download, then the entry's permalink.

    It is a ``<details>`` element, so it opens and shows the text without the
    script; the script adds the copy and download buttons. ``texts`` are the
    export texts the build shares with its export files; ``formats`` which of
    the two the control shows (none: no control, the permalink only).
    """
    name = quote(record.key, safe="", errors="replace") or "entry"
    permalink = f'<a class="permalink" href="#{escape(anchor)}">link</a>'
    if not formats:
        return permalink
    texts = texts or ExportTexts("paper")  # what a paper cites, as the exports
    blocks = []
    for fmt in formats:
        (label, ext), text = _CITE_LABELS[fmt], texts.text(record, fmt)
        blocks.append(f'<div class="cite-format" data-format="{ext}" '
                      f'data-filename="{escape(name)}.{ext}"><p>{label}</p>'
                      f"<pre>{escape(text.strip())}</pre></div>")
    return (f'<details class="cite-tools"><summary>cite</summary>{"".join(blocks)}</details>'
            + permalink)


def report_html(href: str | None) -> str:
    """The "report a problem" link of one entry, or ""."""
    if href is None:
        return ""
    return f'<a class="report" rel="nofollow" href="{escape(href, quote=True)}">report a problem</a>'
