"""Pages that must not become records: what the site served instead of the work.

The link checker's classification (:func:`bibvault.links.classify.classify`)
decides HTTP errors, bot challenges and soft 404s, so that ``add`` and
``check`` never disagree about a page. Consent walls and login or paywall
pages are recognised here, from the address, the title and the text; a page
that carries the work's own metadata (an article item, ``citation_title``,
``og:type article``) is never refused for a paywall notice around it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from bibvault.findings import Finding
from bibvault.ingest.rules_add import refusal
from bibvault.ingest.web import items as it
from bibvault.ingest.web.page import PageData
from bibvault.links.classify import Hop, Probe, classify, is_bot_challenge
from bibvault.links.result import LinkStatus

_CONSENT_HOST = re.compile(r"^(?:consent|guce|cmp|privacy|cookies?)\.", re.IGNORECASE)
_CONSENT_PATH = re.compile(r"(?:^|/)(?:consent|cookie-?consent|collectconsent|gdpr|privacy-gate)",
                           re.IGNORECASE)
_CONSENT_TEXT = re.compile(
    r"before you continue|we value your privacy|we care about your privacy|cookie (?:consent|"
    r"settings|preferences)|(?:accept|agree to|reject) (?:all )?cookies|manage (?:your )?"
    r"(?:privacy|consent|cookie)|your privacy choices|uses cookies|consent to (?:the use|our)",
    re.IGNORECASE)
_LOGIN_PATH = re.compile(r"(?:^|/)(?:login|log-in|signin|sign-in|sign_in|auth|account/login|"
                         r"subscribe|subscription|paywall|register)(?:/|\.|$)", re.IGNORECASE)
_LOGIN_TITLE = re.compile(r"^(?:sign in|log in|login|subscribe|register|create (?:an|your) "
                          r"account)\b|\b(?:sign in|log in) to (?:continue|read)\b", re.IGNORECASE)
_PAYWALL_TEXT = re.compile(
    r"subscribe (?:now )?to (?:continue|read)|(?:this|the) (?:article|content|story) is "
    r"(?:only )?(?:available|reserved) (?:to|for) (?:subscribers|members)|sign in to "
    r"(?:continue|read)|log in to (?:continue|read)|you have reached your (?:limit|maximum)"
    r"|create a free account to (?:continue|read)|already a subscriber\?", re.IGNORECASE)
_SHORT = 2500


def has_work_metadata(page: PageData) -> bool:
    """Whether the page describes a work (an article item, citation or OpenGraph tags)."""
    if any(it.rank(i) < 5 for _, i in page.items):
        return True
    if page.first_meta("citation_title"):
        return True
    og = (page.first_meta("og:type") or ("", ""))[1].lower()
    return og in ("article", "video.other", "video.movie", "video.episode")


def http_refusal(source: str, url: str, status: int, headers: Mapping[str, str],
                 title: str | None, chain: Sequence[Hop] = ()) -> Finding | None:
    """The finding that refuses a fetched address, by the link checker's rules, or None."""
    final = chain[-1].location if chain else url
    verdict = classify(Probe(url=url, http_status=status, final_url=final, chain=tuple(chain),
                             headers=headers, title=title))
    if verdict.status.is_success:
        return None
    if verdict.status is LinkStatus.BLOCKED and is_bot_challenge(headers, title):
        return refusal("N822", f"{verdict.detail} (title {title!r}), not the page", source)
    if verdict.status is LinkStatus.SOFT_404:
        return refusal("N825", f"not the page: {verdict.detail}", source)
    return refusal("N821", f"{verdict.detail}: no page to cite", source)


def content_refusal(source: str, page: PageData) -> Finding | None:
    """The finding that refuses a page served with 200 (consent wall, login, paywall), or None."""
    try:
        parts = urlsplit(page.url)
        host, path = parts.hostname or "", parts.path
    except ValueError:
        host, path = "", ""
    heading = " ".join([page.title, *page.h1[:1]])
    short = len(page.text) < _SHORT
    work = has_work_metadata(page)
    if _CONSENT_HOST.match(host) or _CONSENT_PATH.search(path) \
            or _CONSENT_TEXT.search(heading) or (short and not work and _CONSENT_TEXT.search(page.text)):
        return refusal("N823", f"a consent page ({page.title or page.url!r}), not the work", source)
    if not work and (_LOGIN_PATH.search(path) or _LOGIN_TITLE.search(page.title)
                     or (short and _PAYWALL_TEXT.search(page.text))):
        return refusal("N824", f"a login or subscription page ({page.title or page.url!r}), "
                      "not the work", source)
    return None
