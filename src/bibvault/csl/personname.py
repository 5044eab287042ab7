"""cs:name and cs:name-part: one personal name, its part order, initials, particles and styling."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bibvault.csl.element import Evaluation, Formatting, decorate
from bibvault.csl.richtext import Content, Rich, is_empty, join, parse_inline, plain
from bibvault.csl.state import NameCounts
from bibvault.csl.textcase import MEMO_LIMIT


@dataclass(frozen=True, slots=True)
class NamePart:
    """cs:name-part: formatting of the family or given part (affixes kept apart)."""

    formatting: Formatting  # without affixes
    prefix: str
    suffix: str


@dataclass(frozen=True, slots=True)
class Name:
    """cs:name: its own options (merged over the inherited ones), styling and name parts."""

    attrs: Mapping[str, str]
    formatting: Formatting
    family: NamePart | None
    given: NamePart | None

_NON_ROMAN = re.compile(r"[\u0590-\u08ff\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def is_romanesque(name: dict[str, Any]) -> bool:
    """False for names written in scripts that take no spaces or initials (e.g. CJK)."""
    return not _NON_ROMAN.search(name.get("family", "") + name.get("given", ""))


# citeproc-js's test for a word written with spaces around it (Latin, Greek,
# Cyrillic, Hebrew, Arabic, Thai): a connecting term outside these is joined
# to the names without a space ("Zither等").
_ROMANESQUE_START = re.compile(
    r"^[&a-zA-Z\u0e01-\u0e5b\u00c0-\u017f\u0370-\u03ff\u0400-\u052f\u0590-\u05d4\u05d6-\u05ff"
    r"\u1f00-\u1fff\u0600-\u06ff\u200c\u200d\u200e\u0218-\u021b\u202a-\u202e]")


def starts_romanesque(text: str) -> bool:
    """Whether a term such as "and" or "et al." is set off from names by spaces."""
    return bool(_ROMANESQUE_START.match(text))


# Item languages whose Latin-script names are written family name first.
_FAMILY_FIRST_LANGUAGES = frozenset(("ja", "zh"))

_GIVEN_TOKEN = re.compile(r"([^\s.\-\u2010]+)(\.?)|([\-\u2010])")


def initialize(given: str, init_with: str, do_initialize: bool, hyphen: bool = True) -> str:
    """Given names reduced to initials (or, without ``do_initialize``, existing initials normalised).

    Abbreviations written with a period ("Ph.") are kept as written; lower-case
    words (particles such as "de") stay whole.
    """
    if not hyphen:
        # As citeproc-js: without hyphenated initials the parts are separate names
        # ("Jae-Won" J. W., "Jae-won" J. won), even where names are not initialised
        # ("Rolf-Rainer" Rolf Rainer).
        given = given.replace("-", " ")
    tokens: list[tuple[str, bool, str]] = []  # (text, is_initial, joiner before it)
    joiner = " "
    for m in _GIVEN_TOKEN.finditer(given):
        if m.group(3):
            joiner = "-"
            continue
        word, period = m.group(1), m.group(2)
        if joiner == "-" and do_initialize and word[:1].islower():
            joiner = " "
            continue
        if (word[:1].islower() and len(word) > 1) or not word[:1].isalpha():
            # As citeproc-js: a word that opens with a mark ("(Ben)") stays whole.
            tokens.append((word, False, joiner))
        elif period or (len(word) == 1 and word.isalpha()):
            tokens.append((word, True, joiner))
        elif do_initialize:
            # Transliterated digraphs ("TSerendorjiin") keep both letters.
            digraph = len(word) > 2 and word[1].isupper() and word[2:].islower()
            tokens.append((word[0] + word[1].lower() if digraph else word[0], True, joiner))
        else:
            tokens.append((word, False, joiner))
        joiner = " "
    out = ""
    for i, (text, initial, joiner) in enumerate(tokens):
        if i:
            prev_initial = tokens[i - 1][1]
            if joiner == "-":
                if prev_initial:
                    out = out.rstrip()
                if hyphen or not (prev_initial and initial):
                    out += "-"
            elif not prev_initial or (not out.endswith(" ") and not initial):
                out = out.rstrip() + " "
        out += text + init_with if initial else text
    return out.strip()


def _fmt(np: NamePart | None, text: str, ev: Evaluation) -> Content:
    """Name-part formatting and text-case, without affixes (markup in the data kept)."""
    if not text:
        return None
    content: Content = parse_inline(text) if "<" in text else text
    if np is None:
        return content
    return decorate(np.formatting, content, ev)


def _lowercase_particle(content: Content) -> Content:
    if isinstance(content, str) and content[:1].islower():
        return Rich([content], nocase=True)
    return content


def _initialize_marked_up(given: str, init_with: str, do_init: bool, hyphen: bool) -> str:
    """Initials of a given name that carries markup: each marked-up run on its own."""
    parts = re.split(r"(<[^>]+>)", given)
    out = []
    for part in parts:
        if part.startswith("<") or not part.strip(" -"):
            out.append(part)
            continue
        lead = part[: len(part) - len(part.lstrip(" -"))]
        trail = " " if part.endswith(" ") else ""
        out.append(lead + initialize(part, init_with, do_init, hyphen).strip() + trail)
    return "".join(out).strip()


def _affix(np: NamePart | None, content: Content) -> Content:
    if np is None or is_empty(content):
        return content
    return join([np.prefix, content, np.suffix])


# What a name part may end with to be joined to the next without a space.
_JOINS_UNSPACED = ("'", "\u2019", "-", " ", "\u00a0")


def _spaced(parts: list[Content]) -> Content:
    """Join name parts with spaces, except after an apostrophe, hyphen or existing space."""
    kept = [p for p in parts if not is_empty(p)]
    children: list[Rich | str] = []
    for k, p in enumerate(kept):
        assert p is not None
        if k:
            prev = plain(kept[k - 1])
            if not prev.endswith(_JOINS_UNSPACED):
                children.append(" ")
        children.append(p)
    return Rich(children) if children else None


def _plain_name(family: str, given: str, inverted: bool, sort_sep: str, demote: str) -> Rich:
    """Most names, built straight away as :func:`format_name` builds them: a family
    name (and a given name) with no particle, suffix, markup or name-part formatting,
    outside a sort key."""
    if not inverted:
        fam = Rich([family])
        if not given:
            return Rich([fam])
        return Rich([given, fam] if given.endswith(_JOINS_UNSPACED) else [given, " ", fam])
    # Without particles, only where the family name sits differs with the demotion.
    head: Rich | str = family if demote == "display-and-sort" else Rich([family])
    if not given:
        return Rich([head], known_text=True)
    return Rich([head, sort_sep, Rich([given])] if sort_sep else [head, Rich([given])], known_text=True)


def _particle_family(particle: Content, family: Content, ev: Evaluation) -> Content:
    """A particle before the family name; in a sort key always a word of its own, as
    citeproc-js keys it (d’Wander files as "d’ Wander", before de’ Frinkle)."""
    return join([particle, family], " ") if ev.sorting else _spaced([particle, family])


def _bib_takes_givens(ev: Evaluation) -> bool:
    """citeproc-js shows the given names that disambiguated an item's cites in the
    first name list of its bibliography entry too (when the style adds given names)."""
    return ev.mode == "bibliography" and ev.names_seen == 0 and ev.env.options.cites_add_givenname


def name_keys(name: Mapping[str, Any]) -> tuple[str, str, str]:
    """A person as a global given-name rule tells people apart: the family name,
    the initials and the given name (periods and a lower-case suffix aside)."""
    given = _period_free(name.get("given", ""))
    given = re.sub(r"[,!]* ([^,]+)$", lambda m: "" if m.group(1) == m.group(1).lower() else m.group(0), given)
    # A particle makes another family name ("dos Santos" is not "Santos"), as in citeproc-js.
    family = _period_free(" ".join(p for p in (name.get("non-dropping-particle"), name.get("family")) if p))
    return family, initialize(given, "%", True), given


def _global_level(counts: NameCounts, name: Mapping[str, Any], index: int, form: str,
                  init_with: str | None, memo: dict[tuple[Any, Any, Any], tuple[str, str, str]]) -> int:
    """The given-name level a global givenname-disambiguation-rule asks for (as
    citeproc-js decides it: from how many people share the family name and initials;
    ``memo`` keeps each person's keys)."""
    plain_level = 0 if form == "short" else 1 if init_with is not None else 2
    person = (name.get("family"), name.get("given"), name.get("non-dropping-particle"))
    keys = memo.get(person)
    if keys is None:
        if len(memo) >= MEMO_LIMIT:
            memo.clear()
        keys = memo[person] = name_keys(name)
    family, initials, _ = keys
    sets = counts.initials.get(family)
    if sets is None or (family, initials) not in counts.givens:
        return plain_level
    if counts.rule.startswith("primary") and index > 0:
        return plain_level
    if counts.rule.endswith("-with-initials"):
        return max(1 if sets > 1 else 0, plain_level)
    level = 1 if sets > 1 else plain_level
    if counts.givens[(family, initials)] > 1 or (sets > 1 and init_with is None):
        level = 2
    return max(level, plain_level)


def _period_free(given: str) -> str:
    return " ".join(given.replace(".", " ").split())


def _shares_initials(name: dict[str, Any], item: Mapping[str, Any]) -> bool:
    """Whether another name of the item has the same family name and initials but
    another given name."""
    family, given = name.get("family"), _period_free(name.get("given", ""))
    mine = initialize(given, "%", True)
    for value in item.values():
        if not isinstance(value, list):
            continue
        for other in value:
            if (isinstance(other, dict) and other.get("family") == family
                    and _period_free(other.get("given", "")) not in ("", given)
                    and initialize(_period_free(other["given"]), "%", True) == mine):
                return True
    return False


def format_name(name: dict[str, Any], opts: Mapping[str, str], ev: Evaluation, index: int,
                name_el: Name | None, inverted: bool) -> Content:
    """One name as rich text, following form, initials and name-part order."""
    fam_np = name_el.family if name_el is not None else None
    giv_np = name_el.given if name_el is not None else None
    if "literal" in name:
        literal = name["literal"]
        # An organisation takes the family name-part's formatting but, as in
        # citeproc-js, not its affixes; like a personal name's parts, that formatting
        # sits a level below the name (so that cs:name's own "normal" is not written).
        part = decorate(fam_np.formatting, parse_inline(literal), ev) if fam_np is not None and literal else None
        return Rich([part], known_text=True) if part is not None else (parse_inline(literal) or None)
    # Straight apostrophes print curly.
    family = name.get("family", "").strip().replace("'", "\u2019")
    given = name.get("given", "").strip().replace("'", "\u2019")
    ndp = name.get("non-dropping-particle", "").replace("'", "\u2019")
    dp = name.get("dropping-particle", "").replace("'", "\u2019")
    suffix = name.get("suffix", "").replace("'", "\u2019")
    form = opts.get("form", "long")
    init_with = opts.get("initialize-with")
    do_init = opts.get("initialize", "true") != "false"
    level = 0
    disamb = ev.req.disamb
    if not ev.sorting and ev.citation:
        level = max(disamb.given_levels.get(index, 0), disamb.given_all)
        ev.trace.given_indices.add(index)
    elif _bib_takes_givens(ev):
        # Sort keys too: citeproc-js sorts by the names as shown ("Sun, Chen" before
        # "Sun, Cheng", where both would be "Sun, C." without the cites' ambiguity).
        level = max(disamb.given_levels.get(index, 0), disamb.given_all)
        if level == 1 and not ev.env.options.cites_initialize:
            # Initials were not an option in the cite: it showed the whole given name.
            level = 2
    counts = ev.env.name_counts
    if counts is not None and given:
        # Sort keys show these given names too: citeproc-js works out sort keys after
        # the global given-name rules (and before cite-by-cite disambiguation).
        level = max(level, _global_level(counts, name, index, form, init_with, ev.env.person_keys))
        if level == 1 and init_with is None and counts.rule.endswith("-with-initials"):
            init_with = ""  # as citeproc-js: these rules initialize even without initialize-with
    if (level < 1 and init_with is not None and form != "short" and given and not ev.sorting
            and ev.env.options.givens_by_cite and _shares_initials(name, ev.item)):
        # As citeproc-js: two people of one item whose initials read the same
        # ("Yali Li", "Yikang Li") keep their whole given names.
        level = 2
    if level >= 1 and form == "short":
        form = "long"
        if level == 1 and init_with is not None:
            do_init = True
    if level >= 2 and init_with is not None:
        do_init = False
    if not family and given:
        family, given = given, ""
    if not is_romanesque(name):
        fam = _affix(fam_np, _fmt(fam_np, family, ev))
        if form == "short":
            return fam
        return join([fam, _affix(giv_np, _fmt(giv_np, given, ev))], "")
    if ev.sorting:
        inverted = True
    hyphen = ev.env.options.initialize_with_hyphen
    if given and init_with is not None:
        if "<" in given:
            given = _initialize_marked_up(given, init_with, do_init, hyphen)
        else:
            memo = ev.env.initials
            key = (given, init_with, do_init, hyphen)
            found = memo.get(key)
            if found is None:
                found = memo[key] = initialize(given, init_with, do_init, hyphen)
            given = found
    demote = ev.env.options.demote_particle
    if (fam_np is None and giv_np is None and family and not (ndp or dp or suffix) and form != "short"
            and not ev.sorting and "<" not in family and "<" not in given
            and str(ev.item.get("language") or "")[:2] not in _FAMILY_FIRST_LANGUAGES):
        return _plain_name(family, given, inverted, opts.get("sort-separator", ", "), demote)
    f_family = _fmt(fam_np, family, ev)
    # Particles keep their case under an enclosing title case ("John von Doe").
    f_ndp = _lowercase_particle(_fmt(fam_np, ndp, ev))
    f_given = _fmt(giv_np, given, ev)
    f_dp = _lowercase_particle(_fmt(giv_np, dp, ev))
    if form == "short":
        if ev.sorting and demote != "never":
            # citeproc-js demotes the particle in a short name's sort key too ("Bijlert van").
            return _spaced([f_family, f_ndp])
        return _affix(fam_np, _particle_family(f_ndp, f_family, ev))
    if str(ev.item.get("language") or "")[:2] in _FAMILY_FIRST_LANGUAGES:
        # As citeproc-js: in an item written in Chinese or Japanese, a name in Latin
        # script keeps the family name first, with no sort separator ("Bai S.").
        return _spaced([_particle_family(f_ndp, f_family, ev), f_given])
    if not inverted:
        tail: list[Content] = [f_dp, f_ndp, f_family]
        fam = _spaced(tail)
        if suffix:
            fam = join([fam, suffix], ", " if name.get("comma-suffix") else " ")
        return _spaced([_affix(giv_np, f_given), _affix(fam_np, fam)])
    sort_sep = " " if ev.sorting else opts.get("sort-separator", ", ")
    if demote == "display-and-sort" or (ev.sorting and demote == "sort-only"):
        fam = _affix(fam_np, f_family)
        giv = _affix(giv_np, _spaced([f_given, f_dp, f_ndp]))
    else:
        fam = _affix(fam_np, _particle_family(f_ndp, f_family, ev))
        giv = _affix(giv_np, _spaced([f_given, f_dp]))
    out = join([fam, giv], sort_sep)
    if suffix:
        out = join([out, suffix], sort_sep)
    return out
