"""The keeper's own words on the page: ``build.intro`` and ``build.footer`` as safe HTML.

The text is CommonMark (plain text is valid CommonMark). Raw HTML in it is
shown as text, images are not rendered, and only ``http``, ``https`` and
``mailto`` links become links, so the configuration cannot put a script or a
tracking pixel on the page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from bibvault.site.links import safe_url

_LINK_SCHEMES = ("http", "https", "mailto")


def safe_link(url: str) -> bool:
    """True for an http(s) address with a host, or a ``mailto:`` address."""
    url = url.strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return False
    if scheme == "mailto":
        return safe_url("https://x/" + url[len("mailto:"):]) is not None
    return scheme in _LINK_SCHEMES and safe_url(url) is not None


def markdown_html(text: str) -> str:
    """``text`` (CommonMark) as an HTML fragment; see the module docstring for what is kept."""
    if not text.strip():
        return ""
    # Imported here, not at the top: most lists have no intro or footer, and the
    # parser's import is a tenth of the start-up of `bibvault build`.
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")
    md.validateLink = safe_link  # type: ignore[method-assign]
    return md.render(text).strip()
