"""Citation keys for new records: readable, ASCII, deterministic and unique.

A key is the first creator's family name (or an organisation's short form, or the
outlet's), the year, and the first significant word of the title:
``kohzad2021offer``. Names in other scripts are transliterated (anyascii), so
a Dari author still gets a key one can type. A key, once written, is never
changed by bibvault.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from anyascii import anyascii

from bibvault.ingest.candidate import Candidate, Creator

#: Words that say nothing about a work, skipped when a key takes a title word.
STOP_WORDS = frozenset("""
a an the and or but nor of in on at to for from by with without about into onto over under
after before since during as is are was were be been being it its this that these those
how why what when where who whom which there their them they our your his her we you i
not no new report analysis vs via de la le les el los las del der die das und von van
has have had will can may might must should would could does do did says say said get gets
""".split())
_WORD = re.compile(r"[a-z0-9]+")
_ORG_NOISE = frozenset({"the", "of", "for", "and", "on", "in", "at", "a", "an", "to"})


def ascii_word(text: str) -> str:
    """``text`` transliterated to lower-case ASCII letters and digits only."""
    return "".join(_WORD.findall(anyascii(text).lower()))


def organisation_short(name: str) -> str:
    """A short form of an organisation or outlet: "Fox News" → ``foxnews``,
    "Institute for the Study of War" → ``isw``, "Hudson Institute (HI)" → ``hi``.

    A name of one or two significant words is written out; a longer one becomes its
    initials, unless it already carries an acronym in parentheses or in capitals.
    """
    paren = re.search(r"\(([A-Z][A-Za-z0-9&]{1,9})\)", name)
    if paren:
        return ascii_word(paren.group(1))
    words = [w for w in re.split(r"[\s\-–—/,.:;]+", anyascii(name)) if w]
    significant = [w for w in words if w.lower() not in _ORG_NOISE]
    if not significant:
        return ascii_word(name)
    acronyms = [w for w in significant if len(w) >= 2 and w.isupper() and w.isalpha()]
    if len(significant) > 2:
        if acronyms:
            return ascii_word(acronyms[0])
        return ascii_word("".join(w[0] for w in significant))
    return ascii_word("".join(significant))


def _creator_part(creator: Creator) -> str:
    if creator.literal:
        return organisation_short(creator.literal)
    # the last word of a family name with particles: "van der Berg" → berg
    family = creator.family or creator.given
    words = [w for w in re.split(r"\s+", family) if w]
    lowered = [w for w in words if not w[:1].islower()] or words
    return ascii_word("".join(lowered[-1:])) if len(lowered) == 1 else ascii_word("".join(lowered))


def name_part(candidate: Candidate) -> str:
    """The part of the key that says who: creator, else organisation, outlet or publisher."""
    creator = candidate.first_creator()
    if creator is not None and (part := _creator_part(creator)):
        return part
    for name in ("organization", "institution", "journaltitle", "publisher", "howpublished"):
        value = candidate.fields.get(name)
        if value and (part := organisation_short(value)):
            return part
    return "anon"


def title_word(title: str) -> str:
    """The first significant word of a title, in ASCII ("" when there is none)."""
    words = _WORD.findall(anyascii(title).lower())
    for w in words:
        if w not in STOP_WORDS and len(w) > 2 and not w.isdigit():
            return w
    return next((w for w in words if not w.isdigit()), "")


def base_key(candidate: Candidate) -> str:
    """The key before it is made unique."""
    year = candidate.year
    return f"{name_part(candidate)[:24]}{year if year is not None else ''}" \
           f"{title_word(candidate.title)[:20]}"


def make_key(candidate: Candidate, taken: Collection[str]) -> str:
    """A key for ``candidate`` that is not in ``taken``, the keys in use, case-folded
    (BibTeX compares keys case-insensitively).

    A clash gets a letter (``kohzad2021offera``, ``…b``), then a number.
    """
    base = base_key(candidate) or "record"
    if base.casefold() not in taken:
        return base
    for letter in "abcdefghijklmnopqrstuvwxyz":
        if (base + letter).casefold() not in taken:
            return base + letter
    n = 2
    while f"{base}{n}".casefold() in taken:
        n += 1
    return f"{base}{n}"
