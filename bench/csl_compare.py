"""Comparing bibvault's CSL output with the reference processor's, entry by entry.

Used by bench/csl_sample.py: normalisation ("whitespace aside") and a rough
classification of each differing entry by what differs.
"""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from typing import Any

#: Difference classes, in the order the report prints them.
CLASSES = ("sort order", "punctuation", "case", "names", "dates", "numbers", "missing", "other")

_SPACE = re.compile(r"[\s\u00a0\u202f\u2009\u200b]+")
_MONTHS = {m.lower() for m in (
    "January February March April May June July August September October November December "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec").split()}
_YEAR = re.compile(r"^(1[5-9]|20)\d\d[a-z]?$")
_WORD = re.compile(r"\w+", re.U)


def normalise(text: str, fmt: str) -> str:
    """Output compared whitespace aside (and, in HTML, character references decoded)."""
    if fmt == "html":
        # Space at the edges of a block (div) and after one does not show in a browser.
        text = re.sub(r"(<div[^>]*>|</div>)\s+|\s+(</div>)", lambda m: m.group(1) or m.group(2), text)
        text = re.sub(r">\s+<", "><", text)
        text = html.unescape(text)
    return _SPACE.sub(" ", text).strip()


def _strip_tags(text: str) -> str:
    return re.sub(r"<[^>]*>", "", text)


def _letters(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def _name_words(item: dict[str, Any]) -> set[str]:
    words: set[str] = set()
    for role in ("author", "editor", "translator", "container-author", "collection-editor",
                 "director", "interviewer", "recipient", "composer", "illustrator"):
        for name in item.get(role) or []:
            if not isinstance(name, dict):
                continue
            for part in ("family", "given", "literal", "non-dropping-particle", "dropping-particle"):
                for w in _WORD.findall(str(name.get(part, ""))):
                    words.add(w.lower())
                    words.add(w[:1].lower())
    return words


def classify(ours: str, theirs: str, item: dict[str, Any] | None) -> str:
    """The difference class of one entry whose two renderings differ."""
    if not ours or not theirs:
        return "missing"
    a, b = _strip_tags(ours), _strip_tags(theirs)
    if _letters(a) == _letters(b):
        return "punctuation" if a.lower() != b.lower() or a == b else "case"
    if _letters(a).lower() == _letters(b).lower():
        return "case"
    ta, tb = _WORD.findall(a), _WORD.findall(b)
    changed: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=ta, b=tb, autojunk=False).get_opcodes():
        if op != "equal":
            changed += ta[i1:i2] + tb[j1:j2]
    if not changed:
        return "punctuation"
    low = [w.lower() for w in changed]
    if all(_YEAR.match(w) or w in _MONTHS for w in low):
        return "dates"
    if all(w.isdigit() for w in low):
        return "numbers"
    names = _name_words(item or {})
    if names and all(w in names or len(w) == 1 for w in low) and any(w in names for w in low):
        return "names"
    if any(w in _MONTHS or _YEAR.match(w) for w in low) and all(
            w in _MONTHS or w.isdigit() or _YEAR.match(w) for w in low):
        return "dates"
    return "other"


def compare_lists(ours: list[tuple[str, str]], theirs: list[tuple[str, str]], fmt: str,
                  items: dict[str, dict[str, Any]]) -> list[tuple[str, bool, str, str, str]]:
    """Per reference entry: (id, identical, class, ours, theirs), order included.

    An entry identical in text but at another place in the list is a "sort order"
    difference. Entries only bibvault renders count as "missing" too.
    """
    our_text = {i: normalise(t, fmt) for i, t in ours}
    our_pos = {i: n for n, (i, _) in enumerate(ours)}
    out: list[tuple[str, bool, str, str, str]] = []
    for n, (item_id, text) in enumerate(theirs):
        want = normalise(text, fmt)
        got = our_text.get(item_id, "")
        if got == want and our_pos.get(item_id) == n:
            out.append((item_id, True, "", got, want))
        elif got == want:
            out.append((item_id, False, "sort order", got, want))
        else:
            out.append((item_id, False, classify(got, want, items.get(item_id)), got, want))
    seen = {i for i, _ in theirs}
    for item_id, _ in ours:
        if item_id not in seen:
            out.append((item_id, False, "missing", our_text[item_id], ""))
    return out
