"""Names of authors as pages write them, made into :class:`Creator` values.

A byline is prose, not a list of names: "By Jane Doe and John Roe", "KABUL —
Jane Doe, Senior Fellow", "Doe, Jane". :func:`names_from_text` strips the
"By", datelines and roles, splits the list, and never splits an inverted
"Last, First" into two people. A name that is the site's or publisher's own
(``<meta name=author content="The Daily Planet">``) is no author and is
dropped; an organisation is kept as a corporate author (``literal``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterable
from typing import Any

from bibvault.ingest.candidate import Creator

_LEAD = re.compile(r"^(?:(?:written|reported|reporting|story|posted|words|text|compiled|"
                   r"edited)\s+)?(?:by|von|par|por|door|di|av|author|authors|byline)\b\s*[:\-–—]?\s*",
                   re.IGNORECASE)
# A leading one-word label ("نویسنده:" is Dari for "Author:", "Texte :" French).
_LABEL = re.compile(r"^[^\W\d_]{2,20}\s?:\s*")
_DATELINE = re.compile(r"^[A-Z][A-Z .'’-]{2,}(?:,\s*[A-Z][\w .'-]+)?\s*[—–-]+\s*")
_CUT = re.compile(r"\s+(?:[|·•/]|[—–-]{1,2})\s+|\s+(?:is|was|are|were)\s+(?:a|an|the)\b|"
                  r"\s+(?:published|updated|posted|last\s+updated|modified)\b|\s+on\s+\w+\s+\d|\s+\d{1,2}[:/.]\d",
                  re.IGNORECASE)
_TRAILING_PLACE = re.compile(r"\s+in\s+[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?$")
_PARENS = re.compile(r"\s*[(\[][^)\]]*[)\]]")
_SPLIT = re.compile(r"\s*(?:;|\s&\s|,?\s+and\s+|,?\s+und\s+|,?\s+et\s+|,?\s+y\s+)\s*", re.IGNORECASE)
_ROLE = re.compile(r"\b(?:fellow|editor|correspondent|reporter|writer|director|analyst|professor|"
                   r"contributor|contributing|researcher|associate|president|chief|senior|bureau|"
                   r"producer|columnist|journalist|photographer|staff|intern|chair|head|"
                   r"manager|lecturer|scholar|expert|author|editors|reporters|photos?|video|"
                   r"graphics|illustration|special|guest|opinion)\b", re.IGNORECASE)
_ORG = re.compile(r"\b(?:institute|institution|center|centre|council|foundation|agency|ministry|"
                  r"department|university|organi[sz]ation|office|association|network|press|"
                  r"group|committee|commission|bank|fund|programme|program|project|service|"
                  r"society|forum|board|team|desk|newsroom|media|news|times|post|journal|"
                  r"reuters|afp|agence|nations|coalition|alliance|corporation|company|inc|ltd|"
                  r"llc|trust|watch|international|front|movement|party|government|embassy|"
                  r"mission|library|museum|school|college|academy|tribune|herald|gazette|"
                  r"magazine|radio|television|channel|studio|studios|lab|laboratory|initiative)\b",
                  re.IGNORECASE)
_STAFF = re.compile(r"(?:(?:our|a|the|staff|news|web|online|special|foreign|political|senior|"
                    r"local|digital)\s+)*(?:staff|reporters?|correspondents?|writers?|editors?|"
                    r"desk|team|newsroom|bureau)(?:\s+(?:reporters?|writers?))?", re.IGNORECASE)
_HONORIFIC = re.compile(r"^(?:dr|prof|professor|mr|mrs|ms|miss|mx|sir|dame|gen|general|col|"
                        r"colonel|capt|captain|maj|major|lt|sen|senator|rep|amb|ambassador|"
                        r"hon|rev)\.?\s+(?=\S+\s+\S)", re.IGNORECASE)
_NOT_A_NAME = re.compile(r"https?:|www\.|@|\d|[<>{}=]")
_GENERIC = frozenset({"admin", "administrator", "staff", "guest", "editor", "webmaster", "unknown",
                      "anonymous", "author", "editorial", "team", "user", "root", "none", "null"})
_PARTICLES = frozenset({"van", "von", "de", "da", "del", "della", "di", "du", "la", "le", "der",
                        "den", "ter", "ten", "dos", "das", "bin", "ibn", "al", "el", "st.", "zu"})
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def unescape(text: str) -> str:
    """HTML entities decoded until nothing changes (``&amp;amp;`` is a plain ``&``)."""
    for _ in range(5):
        new = html.unescape(text)
        if new == text:
            break
        text = new
    # Block tags separate words; inline ones (JATS <jats:sub>, <i>) sit inside words.
    text = re.sub(r"<(?:br|/?p|/?div|/?li|/?h\d)\b[^>]{0,200}>", " ", text, flags=re.IGNORECASE)
    return " ".join(re.sub(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]{0,200})?/?>", "", text).split())


def fold(text: str) -> str:
    """A name folded for comparison: case, a leading "The", punctuation and spaces ignored."""
    t = re.sub(r"^the\s+", "", text.casefold().strip())
    return re.sub(r"[\W_]+", "", t)


def is_organisation(name: str) -> bool:
    """Whether a name reads as an organisation rather than a person."""
    return bool(_ORG.search(name)) or (name.isupper() and len(name) <= 6 and " " not in name)


def person(name: str, inverted: bool = True) -> Creator | None:
    """One person's name as a :class:`Creator`; "Last, First" when ``inverted`` allows it."""
    name = " ".join(name.split()).strip(" ,;:.-–—")
    if not name or _NOT_A_NAME.search(name) or len(name) > 80:
        return None
    if "," in name:
        family, _, given = name.partition(",")
        family, given = family.strip(), given.strip(" ,")
        if name.isupper():
            family, given = family.title(), given.title()
        if given.casefold().rstrip(".") in {s.rstrip(".") for s in _SUFFIXES}:
            return person(f"{family} {given}", inverted=False)
        if not inverted or "," in given or not given or len(family.split()) > 3:
            return None
        return Creator(family=family, given=given)
    if name.isupper() and len(name) > 3:
        name = " ".join(w.capitalize() for w in name.split())
    words = name.split()
    if len(words) > 6:
        return None
    suffix = ""
    if len(words) > 1 and words[-1].casefold() in _SUFFIXES:
        suffix = " " + words.pop()
    if len(words) == 1:
        return Creator(family=words[0] + suffix)
    start = len(words) - 1
    while start > 1 and words[start - 1].casefold() in _PARTICLES:
        start -= 1
    return Creator(family=" ".join(words[start:]) + suffix, given=" ".join(words[:start]))


def _clean_byline(text: str) -> str:
    text = unescape(text)
    text = _DATELINE.sub("", text)
    text = _LEAD.sub("", text.strip())
    text = _LABEL.sub("", text)
    text = _CUT.split(text, maxsplit=1)[0]
    text = _PARENS.sub("", text)
    return text.strip(" ,;:.-–—")


def _is_site(name: str, site_names: Collection[str]) -> bool:
    folded = fold(name)
    return bool(folded) and any(folded == fold(s) for s in site_names if s)


def creator_from_name(name: str, site_names: Collection[str] = (), *,
                      organisation: bool | None = None, inverted: bool = True) -> Creator | None:
    """A :class:`Creator` for one name, or None when it is no author (the site, a role, junk)."""
    name = _HONORIFIC.sub("", unescape(name).strip(" ,;:."))
    if not name or _is_site(name, site_names) or name.casefold() in _GENERIC \
            or _STAFF.fullmatch(name):
        return None
    if organisation or (organisation is None and is_organisation(name)):
        return None if "http" in name or len(name) > 120 else Creator(literal=name)
    return person(name, inverted=inverted)


def names_from_text(text: str, site_names: Collection[str] = ()) -> list[Creator]:
    """The people (and organisations) a byline or an author string names, in order."""
    cleaned = _clean_byline(text)
    if not cleaned:
        return []
    parts = [p for p in _SPLIT.split(cleaned) if p.strip()]
    if len(parts) == 1 and cleaned.count(",") == 1:
        left, right = (side.split() for side in cleaned.split(","))
        if (len(left) == 1 or left[0].casefold() in _PARTICLES) and 0 < len(right) <= 3 \
                and not _ROLE.search(cleaned) and not is_organisation(cleaned):
            found = creator_from_name(cleaned, site_names)
            return [found] if found else []
    names: list[str] = []
    for part in parts:
        pieces = [q.strip() for q in part.split(",") if q.strip()]
        if len(pieces) > 1 and all(len(q.split()) == 1 for q in pieces[1:]) \
                and len(pieces[0].split()) == 1 and len(pieces) == 2:
            names.append(part)  # "Doe, Jane" within a list
            continue
        names.extend(q for q in pieces if not (_ROLE.search(q) and not is_organisation(q)))
    out: list[Creator] = []
    multi = len(names) > 1
    for n in names:
        n = _TRAILING_PLACE.sub("", n).strip()
        if multi and len(n.split()) == 1 and not n.isupper() and "," not in n:
            continue  # a single word among several names: a place or a role
        found = creator_from_name(n, site_names, inverted="," in n and len(n.split(",")[0].split()) <= 2)
        if found and found not in out:
            out.append(found)
    return out


def names_from_value(value: Any, site_names: Collection[str] = ()) -> list[Creator]:
    """Creators from a schema.org ``author``/``creator`` value (text, item, or a list)."""
    values: Iterable[Any] = value if isinstance(value, list) else [value]
    out: list[Creator] = []
    for v in values:
        found: list[Creator] = []
        if isinstance(v, str):
            found = names_from_text(v, site_names)
        elif isinstance(v, dict):
            types = v.get("@type") or []
            types = types if isinstance(types, list) else [types]
            name = v.get("name")
            name = name[0] if isinstance(name, list) and name else name
            if any(isinstance(t, str) and ("Organization" in t or t in ("NewsMediaOrganization",
                                                                       "Corporation"))
                   for t in types):
                if isinstance(name, str):
                    org = creator_from_name(name, site_names, organisation=True)
                    found = [org] if org else []
            elif isinstance(v.get("familyName"), str) and v["familyName"].strip():
                given = v.get("givenName") if isinstance(v.get("givenName"), str) else ""
                full = f"{given} {v['familyName']}".strip()
                if not _is_site(full, site_names):
                    found = [Creator(family=unescape(v["familyName"]), given=unescape(given or ""))]
            elif isinstance(name, str):
                found = names_from_text(name, site_names)
        for c in found:
            if c not in out:
                out.append(c)
    return out
