"""The ``text-case`` transformations, applied across the leaves of a rich-text tree."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bibvault.csl.richtext import Content, Rich, leaves

# Words that title case leaves lower case (except first, after ":" "?" "!", and
# last): the list citeproc-js uses, prepositions and particles included. As there,
# each entry is a regular expression ("vs." also matches "vsx").
_SKIP_WORDS = (
    "about above across afore after against al along alongside amid amidst among amongst anenst apropos"
    " apud around as aside astride at athwart atop barring before behind below beneath beside besides"
    " between beyond but by circa despite down during et except for forenenst from given in inside into"
    " lest like modulo near next notwithstanding of off on onto out over per plus pro qua sans since than"
    " through throughout thruout till to toward towards under underneath until unto up upon versus vs. v."
    " vs v via vis-à-vis with within without or yet so and nor a an the de d' von van c ca"
).split() + ["according to", "ahead of", "apart from", "as for", "as of", "as per", "as regards",
             "aside from", "back to", "because of", "close to", "due to", "except for", "far from",
             "inside of", "instead of", "near to", "next to", "on to", "out from", "out of", "outside of",
             "prior to", "pursuant to", "rather than", "regardless of", "such as", "that of", "up to",
             "where as"]
_SKIP = re.compile(r"(?:(?:[?!:]*\s+|-|^)(?:" + "|".join(_SKIP_WORDS) + r")(?=[!?:]*\s+|-|$))")
# What cuts a title into the runs that title case works through (citeproc-js's
# punctuation and quotation-mark "tags"; markup edges cut too).
_TITLE_TAG = re.compile("( \"| '|[\u2018\u2019\u201c\u201d\"'\u2013\u2014/.,;?!:\\[\\]()-])")
_OPENERS = {"\u201c": ("\u201c", "\u201d"), "\u2018": ("\u2018", "\u2019"), ' "': (" '", '"'), " '": (' "', "'")}

_WORD = re.compile(r"[\w\u2019'`.\-]+", re.UNICODE)


# What _retext memoises: (leaf texts, protected flags, transform, turkic) → the new
# text of each unprotected leaf.
# How many results a memo keeps before it starts afresh (bounded memory at any scale).
MEMO_LIMIT = 20000
MemoKey = tuple[tuple[str, ...], tuple[bool, ...], str, bool]
TextCaseMemo = dict[MemoKey, tuple[str | None, ...]]


def _memo_key(texts: Iterable[str], prots: tuple[bool, ...], transform: str, turkic: bool) -> MemoKey:
    return (tuple(texts), prots, transform, turkic)


def _retext(node: Rich, transform: str, turkic: bool = False, memo: TextCaseMemo | None = None) -> None:
    spots = list(leaves(node))
    texts: list[str] = []
    for parent, idx, _ in spots:
        assert parent is not None
        texts.append(str(parent.children[idx]))
    prots = tuple(prot for _, _, prot in spots)
    key = _memo_key(texts, prots, transform, turkic)
    found = memo.get(key) if memo is not None else None
    if found is None:
        found = _recased(texts, prots, transform, turkic)
        if memo is not None:
            if len(memo) >= MEMO_LIMIT:
                memo.clear()  # titles that each item has its own would only pile up
            memo[key] = found
    for (parent, idx, _), text in zip(spots, found, strict=True):
        assert parent is not None
        if text is not None:
            parent.children[idx] = text


def _recased(texts: list[str], prots: tuple[bool, ...], transform: str, turkic: bool) -> tuple[str | None, ...]:
    """The new text of each leaf (None for a protected one, which keeps its own)."""
    full = "".join(texts)
    new = list(full)
    spans = []
    pos = 0
    for t, prot in zip(texts, prots, strict=True):
        spans.append((pos, pos + len(t), prot))
        pos += len(t)
    _apply(full, new, transform, turkic, spans)
    out: list[str | None] = []
    pos = 0
    for t, prot in zip(texts, prots, strict=True):
        out.append(None if prot else "".join(new[pos : pos + len(t)]))
        pos += len(t)
    return tuple(out)


def _set(new: list[str], i: int, ch: str) -> None:
    # Case mappings that change length (ß → SS) are left alone.
    if len(ch) == 1:
        new[i] = ch


def _apply(full: str, new: list[str], transform: str, turkic: bool = False,
           spans: list[tuple[int, int, bool]] | None = None) -> None:
    # Turkish and Azerbaijani pair dotted i with İ and dotless ı with I.
    lowers = {"I": "\u0131", "\u0130": "i"} if turkic else {}
    uppers = {"i": "\u0130"} if turkic else {}
    if transform == "lowercase":
        for i, ch in enumerate(full):
            _set(new, i, lowers.get(ch) or ch.lower())
    elif transform == "uppercase":
        for i, ch in enumerate(full):
            # As JavaScript's toUpperCase: ß becomes SS (a slot may hold two letters).
            new[i] = uppers.get(ch) or ch.upper()
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
        _title(full, new, spans or [(0, len(full), False)])


def _title(full: str, new: list[str], spans: list[tuple[int, int, bool]]) -> None:
    """Title case as citeproc-js does it (which the specification leaves open).

    The text is cut into runs at punctuation, quotation marks and markup; each run
    into words at spaces. A word of two or more letters that is not a stop word, the
    first word, and the first after ":" "?" "!" are capitalised, when all lower case;
    a lone letter is not ("k-means", "e.g."), nor "jl" of ".jl"... which is capitalised
    ("Julia.Jl"), as in citeproc-js. A run in a nocase span stays as it is. The last
    word is capitalised even when a stop word. A quotation mark without its partner
    puts back the first letter after it ("L’homme").
    """
    runs = _title_runs(full, spans)
    first, after_punct = True, False
    last_word: tuple[int, int] | None = None
    quotes: list[tuple[str, str, int | None]] = []

    def restore(k: int) -> None:
        start = runs[k][0]
        if start < len(full):
            new[start] = full[start]

    for k, (start, end, protected, tag) in enumerate(runs):
        text = full[start:end]
        if k and re.search(r"[!?:]$", runs[k - 1][3]):
            after_punct = True
        if protected:
            if text.strip():
                last_word = None
        else:
            following = tag if k == 0 else None  # as citeproc-js: only the first run sees its tag
            words = [m for m in re.finditer(r"[^\u00a0\u0020\u2000-\u200b\u205f\u3000]+", text)]
            for j, m in enumerate(words):
                word = m.group(0)
                lower = word.lower()
                capitalise = (len(word) > 1 and not _SKIP.search(lower)) or (
                    j == len(words) - 1 and following == "-") or first or after_punct
                if capitalise and word == lower:
                    _capitalise(full, new, start + m.start(), word)
                first = after_punct = False
                last_word = (start + m.start(), start + m.end())
        if text.strip():
            first = after_punct = False
        if k:
            fix = _quote_state(quotes, runs[k - 1][3], k - 1)
            if fix is not None:
                restore(fix + 1)
                last_word = None
    for _, _, pos in quotes:
        if pos is not None and pos + 1 < len(runs):
            restore(pos + 1)
    if last_word:
        word = "".join(new[last_word[0]:last_word[1]])
        if len(word) > 1 and _SKIP.search(word.lower()):
            _capitalise(full, new, last_word[0], word, force=True)


def _capitalise(full: str, new: list[str], pos: int, word: str, force: bool = False) -> None:
    # A lone Greek letter is a symbol in a scientific title: it keeps its case.
    if len(word) == 1 and "\u0370" <= word <= "\u03ff" and not force:
        return
    _set(new, pos, new[pos].upper())


def _title_runs(full: str, spans: list[tuple[int, int, bool]]) -> list[tuple[int, int, bool, str]]:
    """(start, end, protected, tag after it) of each run of ``full``."""
    cuts: list[tuple[int, int, str]] = []  # (tag start, tag end, tag)
    for m in _TITLE_TAG.finditer(full):
        tag = m.group(0)
        if tag == "'" and m.end() < len(full) and not _TITLE_TAG.match(full, m.end()):
            cuts.append((m.start(), m.start(), ""))  # an apostrophe begins a run ("don" + "'t")
            continue
        cuts.append((m.start(), m.end(), tag))
    # The edges of markup (and of nocase spans) cut runs as well, with an empty tag.
    edges = {s for s, _, _ in spans if s} - {c[0] for c in cuts} - {c[1] for c in cuts}
    cuts += [(e, e, "") for e in edges]
    cuts.sort()
    runs = []
    pos = 0
    for c_start, c_end, tag in cuts + [(len(full), len(full), "")]:
        if c_start < pos:
            continue
        protected = any(p for s, e, p in spans if s <= pos < e) if pos < c_start else False
        runs.append((pos, c_start, protected, tag))
        pos = c_end
    return runs


def _quote_state(quotes: list[tuple[str, str, int | None]], tag: str, k: int) -> int | None:
    """Track quotation marks; the run index whose first letter goes back, if any."""
    m = re.search(r"(^(?:\u2018|\u2019|\u201c|\u201d|\"|')|(?: \"| ')$)", tag)
    if not m:
        return None
    mark = m.group(1)
    if mark in _OPENERS:
        if not quotes or mark == quotes[-1][0]:
            quotes.append((*_OPENERS[mark], k))
            return None
        previous = quotes.pop()[2]
        quotes.append((*_OPENERS[mark], None))
        return previous
    if quotes and mark == quotes[-1][1]:
        quotes.pop()
        return None
    return k


def capitalize_first(text: str) -> str:
    """``text`` with its first letter upper case, as citeproc-js's capitalize-first."""
    m = re.search(r"\w", text)
    if not m or text[m.start()] != text[m.start()].lower():
        return text
    return text[:m.start()] + text[m.start()].upper() + text[m.end():]


def apply_text_case(content: Content, transform: str | None, english: bool = True,
                    turkic: bool = False, memo: TextCaseMemo | None = None) -> Content:
    """``content`` with ``transform`` applied (title case only for English; ``turkic``:
    Turkish dotted and dotless i; ``memo`` keeps the results, which recur across items)."""
    if not transform or content is None:
        return content
    if transform == "title" and not english:
        return content
    if isinstance(content, str) and memo is not None:
        # A plain string whose result is known (terms, places): no tree to walk.
        found = memo.get(_memo_key((str(content),), (False,), transform, turkic))
        if found is not None and found[0] is not None:
            return Rich([found[0]])
    node = content if isinstance(content, Rich) else Rich([content])
    node = _copy(node)
    _retext(node, transform, turkic, memo)
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
