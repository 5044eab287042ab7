"""Titles, dates and durations as pages write them, made clean.

Titles: entities unescaped until stable, markup removed, a " | Site Name"
suffix (or prefix) dropped, and ALL CAPS headlines given title case while
acronyms (ISIS, NRF, and any word the page itself writes in capitals in
mixed-case text) stay. Dates: the calendar date as the publisher wrote it, in
the publisher's own offset (23:30 at -04:00 is that day, not the next day in
UTC), at the precision given (2022, 2022-09, 2022-09-08).
"""

from __future__ import annotations

import datetime as _dt
import email.utils
import re
from collections.abc import Collection, Iterable

from bibvault.edtf import MONTHS, DateError, normalise_date, parse_edtf
from bibvault.ingest.web.people import fold, unescape

_SEPARATORS = (" | ", " – ", " — ", " - ", " :: ", " · ", " » ", " / ")
_SMALL = frozenset("a an and as at but by for from in into nor of on or over per the to up "
                   "via vs with".split())
#: Acronyms a shouted headline keeps (a page also teaches its own: see ``page_acronyms``).
ACRONYMS = frozenset("""AFP AI ANA ANDSF BBC CEO CIA CNN COVID COVID-19 EU FBI HRW ICC ID IMF
    IS IS-K ISI ISIL ISIS ISKP MP MPS NATO NDS NGO NGOS NRF NYC OSCE TTP TV UAE UK UN UNAMA
    UNHCR UNICEF UNSC US USA USAID WFP WHO""".split())
_ISO = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?"
                  r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?\s*$",
                  re.IGNORECASE)
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:T?\d{4,6})?\s*$")
_SLASHED = re.compile(r"^\s*(\d{4})/(\d{1,2})(?:/(\d{1,2}))?(?![\d/])")
_MONTH_WORD = "|".join(sorted(MONTHS, key=len, reverse=True))
_IN_TEXT = re.compile(rf"\b(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_WORD})\.?,?\s+(\d{{4}})"
                      rf"|({_MONTH_WORD})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})"
                      rf"|({_MONTH_WORD})\.?\s+(\d{{4}}))\b", re.IGNORECASE)
_DURATION = re.compile(r"^P(?!$)(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$")


def _same_site(part: str, site_names: Collection[str]) -> bool:
    f = fold(part)
    if not f:
        return False
    for name in site_names:
        forms = {fold(name)}
        if "." in name and " " not in name.strip():
            # A host name: "www.kabul-now.com" names the site "Kabul Now".
            forms.add(fold(name.strip().lower().removeprefix("www.").split(".")[0]))
        if f in forms - {""}:
            return True
    return False


def site_in_title(title: str, host: str) -> str:
    """The site's name as a page's ``<title>`` ends with it ("… | Kabul Now"), when that
    name matches the host (kabul-now.com); else an empty string."""
    for sep in _SEPARATORS:
        if sep in title:
            tail = title.rsplit(sep, 1)[1].strip()
            if _same_site(tail, [host]):
                return tail
    return ""


def strip_site(title: str, site_names: Collection[str]) -> str:
    """``title`` without a separator and the site's name at its end or start."""
    changed = True
    while changed:
        changed = False
        for sep in _SEPARATORS:
            if sep not in title:
                continue
            head, tail = title.rsplit(sep, 1)
            if head.strip() and _same_site(tail, site_names):
                title, changed = head.strip(), True
                break
            first, rest = title.split(sep, 1)
            if rest.strip() and _same_site(first, site_names):
                title, changed = rest.strip(), True
                break
    return title


def page_acronyms(text: str) -> set[str]:
    """Words the page writes in capitals within mixed-case sentences, never in lower case."""
    caps: set[str] = set()
    for sentence in re.split(r"[.!?|\n]+", text):
        if not is_shouted(sentence):
            caps.update(re.findall(r"\b[A-Z][A-Z0-9&-]{1,7}\b", sentence))
    lower = {w.upper() for w in re.findall(r"\b[a-z][a-z0-9&-]{1,7}\b", text)}
    return caps - lower


def is_shouted(title: str) -> bool:
    """Whether a title is written in capitals throughout."""
    letters = [c for c in title if c.isalpha() and (c.isupper() or c.islower())]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def _word_case(word: str, first: bool, acronyms: Collection[str]) -> str:
    core = word.strip("\"'“”‘’()[],:;!?")
    if re.fullmatch(r"(?:[A-Z]\.){2,}", core):
        return word
    core = core.rstrip(".")
    if core.upper() in acronyms or core.rstrip("S").upper() in acronyms and core.endswith("S") \
            and len(core) > 2 or any(c.isdigit() for c in core):
        return word if core.upper() not in ("MPS", "NGOS") else word[:-1] + "s"
    if "-" in word:
        return "-".join(_word_case(p, first and i == 0, acronyms) for i, p in enumerate(word.split("-")))
    lower = word.lower()
    if not first and core.lower() in _SMALL:
        return lower
    i = next((k for k, c in enumerate(lower) if c.isalpha()), 0)
    return lower[:i] + lower[i:i + 1].upper() + lower[i + 1:]


def unshout(title: str, acronyms: Iterable[str] = ()) -> str:
    """Title case for a headline in capitals; acronyms and words with digits kept."""
    known = ACRONYMS | {a.upper() for a in acronyms}
    words = title.split()
    out = []
    for i, w in enumerate(words):
        first = i == 0 or words[i - 1].endswith((":", "?", "!", "—", "–"))
        out.append(_word_case(w, first, known))
    return " ".join(out)


def clean_title(raw: str, site_names: Collection[str] = (), page_text: str = "") -> str:
    """A title fit for a record (see the module docstring)."""
    title = strip_site(unescape(raw), site_names).strip(" |-–—:")
    if is_shouted(title):
        title = unshout(title, page_acronyms(page_text))
    return title


def _valid(iso: str) -> str | None:
    try:
        parse_edtf(iso)
    except DateError:
        return None
    return iso


def parse_date(value: str) -> tuple[str, bool] | None:
    """``(EDTF date, given in UTC)`` of a date or date-time as a page writes it, or None.

    The day is the one in the offset the page wrote; the second value tells
    whether that was UTC, so that a caller can prefer the same instant written
    in the publisher's own zone.
    """
    text = " ".join(unescape(value).split())
    if not text or len(text) > 200:
        return None
    if m := _ISO.match(text):
        year, month, day, _, _, _, zone = m.groups()
        iso = year + (f"-{int(month):02d}" if month else "") + (f"-{int(day):02d}" if day else "")
        utc = zone is not None and (zone.upper() == "Z" or zone.strip("+-").replace(":", "") == "0000")
        return (iso, utc) if _valid(iso) else None
    if m := _COMPACT.match(text) or _SLASHED.match(text):
        iso = f"{m[1]}-{int(m[2]):02d}" + (f"-{int(m[3]):02d}" if m[3] else "")
        return (iso, False) if _valid(iso) else None
    try:
        parsed = email.utils.parsedate_tz(text)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed and parsed[0] > 1000:
        iso = f"{parsed[0]:04d}-{parsed[1]:02d}-{parsed[2]:02d}"
        utc = bool(re.search(r"\b(?:GMT|UTC)\b|[+-]0000\b", text))
        return (iso, utc) if _valid(iso) else None
    if m := _IN_TEXT.search(text):
        loose = " ".join(g for g in m.groups() if g)
        iso = normalise_date(loose) or (loose if _valid(loose) else None)
        return (iso, False) if iso and _valid(iso) else None
    return None


def same_instant(a: str, b: str) -> bool:
    """Whether two ISO date-times name the same moment (to the minute)."""
    try:
        x = _dt.datetime.fromisoformat(a.strip().replace("Z", "+00:00"))
        y = _dt.datetime.fromisoformat(b.strip().replace("Z", "+00:00"))
    except ValueError:
        return False
    if x.tzinfo is None or y.tzinfo is None:
        return False
    return abs((x - y).total_seconds()) < 60


def parse_duration(value: str) -> str | None:
    """An ISO 8601 duration (``PT1H30M``) in upper case, or None when ``value`` is not one."""
    text = value.strip().upper()
    if text.startswith("T"):
        text = "P" + text
    if not _DURATION.match(text):
        return None
    # PT90M0S is PT90M: zero parts say nothing (PT0S stays, a zero-length duration).
    short = re.sub(r"(?<=[PTHMD])0+(?:\.0+)?[HMS]", "", text).removesuffix("T")
    return short if len(short) > 1 else text
