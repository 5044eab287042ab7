"""What makes two records the same source: canonical URLs, DOIs, video ids, titles.

One implementation serves the duplicate rules of ``validate`` and the duplicate
tiers of ``add`` and ``import``, so that what validation calls a duplicate is
what the importer refuses.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

# Query parameters that only say where a reader came from.
_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|dclid$|msclkid$|mc_|ref$|ref_src$|igshid$|"
                       r"_ga$|yclid$|cmpid$|smid$|outputtype$)")
_AMP_PATH = re.compile(r"(/amp/?$|\.amp$|/amp(?=/))")
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE)
_DOI_TAIL = re.compile(r"[.,;:)\]}>]+$")
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_PUNCTUATION = re.compile(r"[^\w\s]")


# An http(s) URL of a dotted host and a path only (no port, user, query or
# fragment): most URLs, settled without urlsplit.
_HOST_AND_PATH = re.compile(r"(?i:https?)://([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(/[^?#\s]*)?")
_NOT_PLAIN_HOST = ("www.", "amp.", "m.")


def normalise_url(url: str) -> str:
    """A URL in a form where trivially different spellings of one address compare equal.

    The scheme, a ``www.`` prefix, a trailing slash, the fragment, tracking
    parameters (``utm_*``, ``fbclid``, ``gclid``, …) and AMP forms of a page
    (``/amp``, ``.amp``, ``?amp``, ``amp.`` hosts) are ignored; the host is
    compared case-insensitively, the path as written.
    """
    m = _HOST_AND_PATH.fullmatch(url.strip())
    if m is not None:
        host = m[1].lower()
        if not host.startswith(_NOT_PLAIN_HOST) and not host.endswith("cdn.ampproject.org"):
            return "//" + host + _AMP_PATH.sub("", m[2] or "").rstrip("/")
    return parsed_normalise_url(url)


def parsed_normalise_url(url: str) -> str:
    """:func:`normalise_url` worked out by parsing ``url``, the way for every URL."""
    try:
        p = urlsplit(url.strip())
        host = (p.hostname or "").lower()
    except ValueError:
        return url.strip()
    pairs = [(k, v) for k, v in parse_qsl(p.query, keep_blank_values=True)
             if not _TRACKING.match(k.lower()) and k.lower() not in ("amp", "amp_js_v")
             ] if p.query else []
    query = urlencode(sorted(pairs))
    for prefix in ("www.", "amp.", "m."):
        if host.startswith(prefix):
            host = host[len(prefix):]
    path = _AMP_PATH.sub("", p.path).rstrip("/")
    if host.endswith("cdn.ampproject.org"):
        # Google's AMP cache: /c/s/example.com/path is example.com/path
        m = re.match(r"^/[a-z]/(?:s/)?([^/]+)(/.*)?$", p.path)
        if m:
            return normalise_url("https://" + m.group(1) + (m.group(2) or ""))
    return urlunsplit(("", host, path, query, ""))


def normalise_doi(text: str) -> str | None:
    """The DOI in ``text`` in lower case, without prefix; ``None`` when there is none.

    Takes a bare DOI, ``doi:10.…``, ``https://doi.org/10.…`` and a DOI inside a
    publisher's URL (``…/doi/full/10.1080/…``). DOIs compare case-insensitively.
    """
    m = _DOI.search(unquote(text.strip()))
    if not m:
        return None
    doi = _DOI_TAIL.sub("", m.group(1))
    for suffix in ("/abstract", "/full", "/pdf", "/epdf", "/meta"):
        if doi.lower().endswith(suffix):
            doi = doi[: -len(suffix)]
    return doi.lower() or None


def video_id(url: str) -> str | None:
    """``platform:id`` of a video address (YouTube, Vimeo), ``None`` for other pages."""
    try:
        p = urlsplit(url.strip())
        host = (p.hostname or "").lower()
    except ValueError:
        return None
    host = host.removeprefix("www.").removeprefix("m.")
    if host in ("youtube.com", "youtube-nocookie.com", "music.youtube.com"):
        query = dict(parse_qsl(p.query))
        vid = query.get("v")
        if not vid:
            parts = [s for s in p.path.split("/") if s]
            if len(parts) >= 2 and parts[0] in ("embed", "shorts", "live", "v"):
                vid = parts[1]
        return f"youtube:{vid}" if vid and _YOUTUBE_ID.match(vid) else None
    if host == "youtu.be":
        vid = p.path.strip("/").split("/")[0]
        return f"youtube:{vid}" if _YOUTUBE_ID.match(vid) else None
    if host in ("vimeo.com", "player.vimeo.com"):
        m = re.search(r"/(\d{5,})(?:/|$)", p.path)
        return f"vimeo:{m.group(1)}" if m else None
    return None


def normalise_title(title: str) -> str:
    """Title folded for comparison: accents, case, punctuation and spacing ignored."""
    if title.isascii():  # nothing to decompose: most titles
        text = title.casefold()
    else:
        text = unicodedata.normalize("NFKD", title)
        text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(_PUNCTUATION.sub(" ", text).split())


# Characters a URL may not contain raw; browsers strip some of them, which is how
# "java\nscript:" tricks work, so such a URL is refused rather than cleaned.
_NOT_IN_HREF = re.compile(r"[\x00-\x20\x7f<>\"'`\\]")
_PLAIN_HTTP = re.compile(r"(?i)https?://[a-z0-9.-]+(?::[0-9]*)?(?:[/?#].*)?\Z", re.S)


def safe_url(url: str | None) -> str | None:
    """``url`` stripped when it is an absolute http(s) address fit for ``href``, else None."""
    if not url:
        return None
    url = url.strip()
    if _NOT_IN_HREF.search(url):
        return None
    if _PLAIN_HTTP.match(url):
        # What urlsplit accepts for certain (an ASCII host name, no brackets), found
        # without it: the CSL engine asks this for every entry's links.
        return url
    return _split_checked(url)


def _split_checked(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url
