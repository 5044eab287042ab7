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
from html import escape

from bibvault.render.assets import CSS, JS
from bibvault.render.entries import link_title
from bibvault.render.links import archived_link_html
from bibvault.render.model import Entry, ReadingList

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


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


def _entry_html(entry: Entry, styles: tuple[str, ...], topic_ids: dict[str, str],
                topic_labels: dict[str, str]) -> str:
    r = entry.record
    tids = " ".join(dict.fromkeys(topic_ids[t] for t in r.topics if t in topic_ids))
    parts = [f'<li class="entry" data-key="{escape(r.key)}" data-topics="{tids}">']
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
    parts.append("</li>")
    return "".join(parts)


def html_page(reading_list: ReadingList, *, lang: str = "en") -> str:
    """The complete page: contents, topic filter, search, and a style switcher
    when the list holds more than one style."""
    rl = reading_list
    topics = rl.topics()
    topic_ids = {tid: f"t{i}" for i, (tid, _) in enumerate(topics, 1)}
    labels = dict(topics)
    taken: set[str] = {"controls", "search", "topic", "style", "status", "toc-title"}
    slugs = [_slug(g.id, taken) for g in rl.groups]
    total = len(rl.entries())

    controls = [
        '<div id="controls" class="controls" hidden>',
        '<label for="search">Search<input type="search" id="search" autocomplete="off"'
        ' placeholder="Words in titles, authors, notes"></label>',
    ]
    if topics:
        counts = {t: sum(1 for e in rl.entries() if t in e.record.topics) for t, _ in topics}
        opts = "".join(f'<option value="{topic_ids[t]}">{escape(label)} ({counts[t]})</option>'
                       for t, label in topics)
        controls.append('<label for="topic">Topic<select id="topic">'
                        f'<option value="">All topics</option>{opts}</select></label>')
    if len(rl.styles) > 1:
        opts = "".join(f'<option value="{escape(s)}">{escape(rl.style_labels.get(s, s))}</option>'
                       for s in rl.styles)
        controls.append(f'<label for="style">Citation style<select id="style">{opts}'
                        "</select></label>")
    controls.append('<p id="status" class="status" role="status" aria-live="polite"></p>')
    controls.append("</div>")

    toc = ['<nav class="toc" aria-labelledby="toc-title"><h2 id="toc-title">Contents</h2><ol>']
    body = []
    for g, slug in zip(rl.groups, slugs, strict=True):
        n = len(g.entries)
        toc.append(f'<li><a href="#{slug}">{escape(g.title)}</a> <span class="n">({n})</span></li>')
        sec = [f'<section id="{slug}" aria-labelledby="{slug}-h">',
               f'<h2 id="{slug}-h">{escape(g.title)}</h2>']
        if g.description:
            sec.append(f'<p class="description">{escape(g.description)}</p>')
        items = "\n".join(_entry_html(e, rl.styles, topic_ids, labels) for e in g.entries)
        sec.append(f'<ol class="entries">\n{items}\n</ol>' if items else '<ol class="entries"></ol>')
        sec.append(f'<p class="empty"{"" if not n else " hidden"}>No entries yet.</p>')
        sec.append("</section>")
        body.append("\n".join(sec))
    toc.append("</ol></nav>")

    csp = (f"default-src 'none'; style-src {_csp_hash(CSS)}; script-src {_csp_hash(JS)}; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    title = escape(" ".join(rl.title.split()))
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{escape(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        '<meta name="generator" content="bibvault">',
        f"<title>{title}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f'<header><h1>{title}</h1><p class="count">{_count(total)}</p></header>',
        "\n".join(controls),
        "\n".join(toc),
        "<main>",
        "\n".join(body),
        "</main>",
        "<footer>Made with bibvault. Links marked “archived” lead to a copy in a web"
        " archive.</footer>",
        f"<script>{JS}</script>",
        "</body>",
        "</html>",
        "",
    ])
