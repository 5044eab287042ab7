"""The reading list as one self-contained HTML page.

Every string that comes from a record or the configuration is escaped here or
by the style's HTML backend; the only markup is ours. The page carries its
stylesheet and script inline and a Content-Security-Policy that allows those
two by hash and nothing else, so it fetches nothing from the network.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from html import escape

from bibvault.render.assets import CSS, JS
from bibvault.render.coins import coins_span
from bibvault.render.entries import link_title
from bibvault.render.links import archived_link_html
from bibvault.render.markup import markdown_html
from bibvault.render.model import Entry, ReadingList
from bibvault.render.tools import (
    CITE_FORMATS,
    cite_control_html,
    legend_html,
    marks_html,
    report_href,
    report_html,
)

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


# What the footer says the cite control gives, per ``build.cite``.
_CITE_NOTES = {"embed": "; “cite” gives each entry’s BibTeX and RIS",
               "light": "; “cite” gives each entry’s BibTeX", "none": ""}


def page_styles(rl: ReadingList) -> tuple[str, ...]:
    """The styles the page shows: all of them (with a switcher) when ``build.cite`` is
    "embed", else the first only (the others are in the Markdown and text lists)."""
    return rl.styles if rl.cite == "embed" else rl.styles[:1]


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _slug(text: str, taken: set[str]) -> str:
    base = _ID_UNSAFE.sub("-", text).strip("-").lower() or "section"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _count(n: int) -> str:
    return f"{n} entr{'y' if n == 1 else 'ies'}"


def entry_anchor(key: str, taken: set[str]) -> str:
    """The id of an entry's element: its key, unless a section or control already has
    that id (then ``entry-KEY``). Keys hold no spaces, so any key is a valid id."""
    anchor = "".join(key.split()) or "entry"
    return anchor if anchor not in taken else f"entry-{anchor}"


def _entry_html(entry: Entry, rl: ReadingList, topic_ids: dict[str, str],
                topic_labels: dict[str, str], anchor: str, first: bool) -> str:
    r = entry.record
    styles = page_styles(rl)
    tids = " ".join(dict.fromkeys(topic_ids[t] for t in r.topics if t in topic_ids))
    # An entry listed under several topics carries its id (and is linked to) once.
    id_attr = f' id="{escape(anchor)}"' if first else ""
    parts = [f'<li class="entry"{id_attr} data-key="{escape(r.key)}" data-topics="{tids}">']
    for i, style in enumerate(styles):
        fragment = entry.formatted.get(style, {}).get("html")
        if fragment is None:
            fragment = escape(r.title or r.key)
        fragment = link_title(fragment, r.title, entry.links)
        hidden = " hidden" if i else ""
        parts.append(f'<div class="cite" data-style="{escape(style)}"{hidden}>{fragment}</div>')
    extra = archived_link_html(entry.links)
    if extra:
        parts.append(extra)
    if entry.annotation:
        parts.append(f'<p class="annotation">{escape(entry.annotation)}</p>')
    labels = [topic_labels.get(t, t) for t in dict.fromkeys(r.topics)]
    if labels:
        tags = "".join(f"<li>{escape(label)}</li>" for label in labels)
        parts.append(f'<ul class="tags" aria-label="Topics">{tags}</ul>')
    parts.append('<div class="tools">' + marks_html(entry.link_state, entry.links)
                 + cite_control_html(r, anchor, rl.exports, CITE_FORMATS[rl.cite])
                 + report_html(report_href(rl.report_url, r)) + "</div>")
    parts.append(coins_span(r, rl.items.item(r)))
    parts.append("</li>")
    return "".join(parts)


def html_page(reading_list: ReadingList, *, lang: str = "en", feed: str | None = None) -> str:
    """The complete page: contents, topic filter, search, and a style switcher
    when the list holds more than one style.

    ``feed`` is the address of the list's Atom feed, linked from the head.
    """
    return "".join(html_chunks(reading_list, lang=lang, feed=feed))


def html_chunks(reading_list: ReadingList, *, lang: str = "en",
                feed: str | None = None) -> Iterator[str]:
    """:func:`html_page` in pieces, an entry at a time, so that a large list is
    written out without the page ever being held whole."""
    rl = reading_list
    topics = rl.topics()
    topic_ids = {tid: f"t{i}" for i, (tid, _) in enumerate(topics, 1)}
    labels = dict(topics)
    taken: set[str] = {"controls", "search", "topic", "style", "status", "toc-title",
                       "legend-h", "intro", "entries"}
    slugs = [_slug(g.id, taken) for g in rl.groups]
    taken |= {f"{slug}-h" for slug in slugs}
    anchors: dict[str, str] = {}
    placed: set[str] = set()
    entries = rl.entries()
    for e in entries:
        anchors[e.key] = entry_anchor(e.key, taken)
        taken.add(anchors[e.key])
    total = len(entries)

    controls = [
        '<div id="controls" class="controls" hidden>',
        '<label for="search">Search<input type="search" id="search" autocomplete="off"'
        ' placeholder="Words in titles, authors, notes"></label>',
    ]
    if topics:
        counts: dict[str, int] = {}
        for e in entries:
            for t in set(e.record.topics):
                counts[t] = counts.get(t, 0) + 1
        opts = "".join(f'<option value="{topic_ids[t]}" data-name="{escape(t)}">'
                       f"{escape(label)} ({counts.get(t, 0)})</option>" for t, label in topics)
        controls.append('<label for="topic">Topic<select id="topic">'
                        f'<option value="">All topics</option>{opts}</select></label>')
    styles = page_styles(rl)
    if len(styles) > 1:
        opts = "".join(f'<option value="{escape(s)}">{escape(rl.style_labels.get(s, s))}</option>'
                       for s in styles)
        controls.append(f'<label for="style">Citation style<select id="style">{opts}'
                        "</select></label>")
    controls.append('<p id="status" class="status" role="status" aria-live="polite"></p>')
    controls.append("</div>")

    toc = ['<nav class="toc" aria-labelledby="toc-title"><h2 id="toc-title">Contents</h2><ol>']
    for g, slug in zip(rl.groups, slugs, strict=True):
        toc.append(f'<li><a href="#{slug}">{escape(g.title)}</a> '
                   f'<span class="n">({len(g.entries)})</span></li>')
    toc.append("</ol></nav>")

    csp = (f"default-src 'none'; style-src {_csp_hash(CSS)}; script-src {_csp_hash(JS)}; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    title = escape(" ".join(rl.title.split()))
    used = {e.link_state.status for e in entries if e.link_state}
    used |= {"changed" for e in entries if e.link_state and e.link_state.content_changed}
    del entries
    intro = markdown_html(rl.intro)
    footer = markdown_html(rl.footer)
    feed_link = (f'<link rel="alternate" type="application/atom+xml" href="{escape(feed)}"'
                 f' title="{title}">') if feed else ""
    follow = (f'<p class="follow"><a class="feed" href="{escape(feed)}">Follow this list'
              " (Atom feed)</a></p>") if feed else ""
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        '<meta name="generator" content="bibvault">',
        f"<title>{title}</title>",
        feed_link,
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f'<header><h1>{title}</h1><p class="count">{_count(total)}</p>{follow}'
        + (f'<div id="intro" class="intro">{intro}</div>' if intro else "") + "</header>",
        "\n".join(controls),
        "\n".join(toc),
        "<main>",
    ]
    yield "\n".join(line for line in head if line) + "\n"
    for i, (g, slug) in enumerate(zip(rl.groups, slugs, strict=True)):
        sec = [f'<section id="{slug}" aria-labelledby="{slug}-h">',
               f'<h2 id="{slug}-h">{escape(g.title)}</h2>']
        if g.description:
            sec.append(f'<p class="description">{escape(g.description)}</p>')
        yield ("\n" if i else "") + "\n".join(sec) + "\n"
        if not g.entries:
            yield '<ol class="entries"></ol>'
        else:
            yield '<ol class="entries">\n'
            for j, e in enumerate(g.entries):
                yield ("\n" if j else "") + _entry_html(e, rl, topic_ids, labels, anchors[e.key],
                                                        e.key not in placed)
                placed.add(e.key)
            yield "\n</ol>"
        yield (f'\n<p class="empty"{" hidden" if g.entries else ""}>No entries yet.</p>'
               "\n</section>")
    tail = [
        "</main>",
        legend_html(used),
        "<footer>" + (f'<div class="keeper">{footer}</div>' if footer else "")
        + "<p>Made with bibvault. Links marked “archived” lead to a copy in a web"
        f" archive{_CITE_NOTES[rl.cite]}.</p></footer>",
        f"<script>{JS}</script>",
        "</body>",
        "</html>",
    ]
    yield ("\n" if rl.groups else "") + "\n".join(line for line in tail if line) + "\n"
