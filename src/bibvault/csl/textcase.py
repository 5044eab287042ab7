"""The ``text-case`` transformations, applied across the leaves of a rich-text tree."""

from __future__ import annotations

import re

from bibvault.csl.richtext import Content, Rich, leaves

# The specification's stop words, other common English prepositions, and the name
# particles that stay lower case in titles as they do in names ("John von Doe").
STOP_WORDS = frozenset(
    "a an and as at but by down for from in into nor of on onto or over so the till to up via with yet".split()
    + "about above across after against along among around before behind below beneath beside between"
    " beyond during except near off per since than through toward towards under until upon versus vs"
    " within without".split()
    + "de van von".split()
)

_WORD = re.compile(r"[\w\u2019'`.\-]+", re.UNICODE)


def _retext(node: Rich, transform: str, turkic: bool = False) -> None:
    spots = list(leaves(node))
    texts = []
    for parent, idx, _ in spots:
        assert parent is not None
        texts.append(parent.children[idx])
    full = "".join(str(t) for t in texts)
    mask: list[bool] = []
    for (_, _, prot), t in zip(spots, texts, strict=True):
        mask.extend([prot] * len(str(t)))
    new = list(full)
    _apply(full, new, transform, turkic)
    # Write back, keeping protected characters.
    pos = 0
    for (parent, idx, prot), t in zip(spots, texts, strict=True):
        n = len(str(t))
        assert parent is not None
        if not prot:
            parent.children[idx] = "".join(new[pos : pos + n])
        pos += n


def _set(new: list[str], i: int, ch: str) -> None:
    # Case mappings that change length (ß → SS) are left alone.
    if len(ch) == 1:
        new[i] = ch


def _apply(full: str, new: list[str], transform: str, turkic: bool = False) -> None:
    # Turkish and Azerbaijani pair dotted i with İ and dotless ı with I.
    lowers = {"I": "\u0131", "\u0130": "i"} if turkic else {}
    uppers = {"i": "\u0130"} if turkic else {}
    if transform == "lowercase":
        for i, ch in enumerate(full):
            _set(new, i, lowers.get(ch) or ch.lower())
    elif transform == "uppercase":
        for i, ch in enumerate(full):
            _set(new, i, uppers.get(ch) or ch.upper())
    elif transform == "capitalize-first":
        m = re.search(r"\w", full)
        if m:
            ch = full[m.start()]
            _set(new, m.start(), uppers.get(ch) or ch.upper())
    elif transform == "capitalize-all":
        for m in _WORD.finditer(full):
            if m.group(0)[0].isalpha():
                ch = full[m.start()]
                _set(new, m.start(), uppers.get(ch) or ch.upper())
    elif transform == "sentence":
        upper = full.upper() == full and any(c.isalpha() for c in full)
        first = True
        for m in _WORD.finditer(full):
            w = m.group(0)
            capitalised = w[:1].isupper() and w[1:] == w[1:].lower()
            if upper or (capitalised and not first):
                for i, ch in enumerate(w):
                    _set(new, m.start() + i, ch.lower())
            if first:
                _set(new, m.start(), uppers.get(w[0]) or w[0].upper())
                first = False
    elif transform == "title":
        _title(full, new)


def _latin(ch: str) -> bool:
    return ch.isalpha() and ord(ch) < 0x250


def _title(full: str, new: list[str]) -> None:
    words = list(_WORD.finditer(full))
    compound_seen = False
    for k, m in enumerate(words):
        w = m.group(0)
        start = m.start()
        before = full[:start].rstrip()
        opening_quote = full[start - 1 : start] in ("\u201c", '"', "\u2018")
        first = k == 0 or before.endswith((":", "?", "!")) or opening_quote
        last = k == len(words) - 1
        parts = w.split("-")
        # A lone lower-case letter is a symbol ("x", "k-means"): the reference leaves it
        # lower case, except at the start and in the first hyphenated compound.
        keep_letter = not first and (len(parts) == 1 or compound_seen)
        compound_seen = compound_seen or len(parts) > 1
        # Hyphenated compounds are cased part by part ("Out-of-Fashion").
        offset = 0
        for p, part in enumerate(parts):
            pos = start + offset
            offset += len(part) + 1
            if not part or part != part.lower() or not _latin(part[0]):
                continue
            if p and not parts[0][:1].isalpha():
                continue
            if p == 0 and keep_letter and len(part) == 1:
                continue
            if part.lower().strip(".") in STOP_WORDS and not (first and p == 0) and not last:
                continue
            _set(new, pos, part[0].upper())


def apply_text_case(content: Content, transform: str | None, english: bool = True,
                    turkic: bool = False) -> Content:
    """``content`` with ``transform`` applied (title case only for English; ``turkic``:
    Turkish dotted and dotless i)."""
    if not transform or content is None:
        return content
    if transform == "title" and not english:
        return content
    node = content if isinstance(content, Rich) else Rich([content])
    node = _copy(node)
    _retext(node, transform, turkic)
    return node


def _copy(node: Rich) -> Rich:
    return Rich(
        [c if isinstance(c, str) else _copy(c) for c in node.children],
        dict(node.fmt),
        node.quotes,
        node.display,
        node.nocase,
        node.typed_outside,
        node.kept,
        node.href,
    )
