"""Unicode collation of sort keys as citeproc-js's Intl.Collator compares them.

The weights are those of the Unicode Collation Algorithm's default table
(DUCET, the copy pyuca ships). Sort keys only ever compare at the first level,
so a key is the primary weights of its characters: :class:`UcaTable` reads the
table's lines into a dictionary (a few hundredths of a second, where building
pyuca's trie of every element takes about 0.15 s) and looks each character up
once. A character that may start a contraction with what follows it (such as
"l·", or "и" with a breve) sends the whole text to pyuca's own algorithm.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Mapping
from itertools import chain
from pathlib import Path
from typing import Any

try:
    import pyuca
    from pyuca.collator import Collator_9_0_0 as _Uca
except ImportError:  # pragma: no cover - pyuca is a dependency
    pyuca = None
    _Uca = None

# One table line: its code points, then its collation elements ("[.1D77.0020.0002]").
_LINE = re.compile(r"^([0-9A-Fa-f]{4,6}(?: [0-9A-Fa-f]{4,6})*) *;([^#\n]*)", re.M)
_ELEMENT = re.compile(r"\[[.*]([0-9A-Fa-f]{4})\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?:\.[0-9A-Fa-f]{4,5})?\]")
_IMPLICIT = re.compile(r"^@implicitweights ([0-9A-Fa-f]+)\.\.([0-9A-Fa-f]+); *([0-9A-Fa-f]+)", re.M)


class UcaTable:
    """The primary weights of single characters, read from pyuca's copy of DUCET."""

    def __init__(self, path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        # Later lines for the same code points replace earlier ones, as in pyuca's trie.
        self._elements: dict[int, str] = {}
        # First code point of a contraction → the code points that may follow it.
        self.followers: dict[int, set[int]] = {}
        for points, elements in _LINE.findall(text):
            if " " in points:
                first, second = points.split()[:2]
                self.followers.setdefault(int(first, 16), set()).add(int(second, 16))
            else:
                self._elements[int(points, 16)] = elements
        # pyuca's rules for characters the table leaves out (Han ideographs and the
        # @implicitweights ranges), with this table's ranges.
        self._implicit: Any = _Uca.__new__(_Uca)
        self._implicit.implicit_weights = [[int(a, 16), int(b, 16), int(base, 16)]
                                           for a, b, base in _IMPLICIT.findall(text)]

    def primary(self, cp: int) -> tuple[int, ...]:
        """The non-zero primary weights of the collation elements of one code point."""
        found = _ELEMENT.findall(self._elements.get(cp, ""))
        if not found:  # not in the table (or a line without elements, which pyuca skips)
            return tuple(w for w, *_ in self._implicit.implicit_weight(cp) if w)
        return tuple(w for w in (int(x, 16) for x in found) if w)


def load_table() -> UcaTable | None:
    """The table pyuca ships, or None without pyuca."""
    if _Uca is None:
        return None
    return UcaTable(Path(importlib.import_module("pyuca.collator").__file__ or "").with_name(
        f"allkeys-{_Uca.UCA_VERSION}.txt"))


class Collator:
    """Unicode collation (pyuca's table when installed, accent-folding otherwise)."""

    def __init__(self) -> None:
        # The table is read at the first key: a processor whose style sorts nothing,
        # or sorts a single item, never pays for it. pyuca's whole collator is built
        # only for a text with a possible contraction.
        self._table: UcaTable | None = None
        self._uca: Any = None
        # Character → its primary weights; the characters met so far that may start a
        # contraction, with the code points that may extend each.
        self._weights: dict[str, tuple[int, ...]] = {}
        self._starters: dict[str, set[int]] = {}
        # Character → what it becomes in a key (see _key), filled as characters are met.
        self._spelled = _Spelling()
        # Names and years recur across items: each distinct text is collated once.
        self._keys: dict[str, Any] = {}
        # Han character → pinyin reading, read when a Chinese sort first meets one.
        self._pinyin: Mapping[int, str] | None = None

    def key(self, text: str, lang: str = "") -> Any:
        """A comparable key for ``text`` in the collation of language ``lang``."""
        primary = lang.split("-")[0].lower()
        letters = _LETTERS.get(primary)
        first = _SCRIPTS_FIRST.get(primary)
        pinyin = lang.lower() in _PINYIN_LANGS
        cache = f"{primary}{pinyin:d}\x00{text}" if letters or first or primary == "ja" else text
        found = self._keys.get(cache)
        if found is None:
            lead = next((c for c in text if c.isalpha()), "")
            if pinyin and _HAN.search(text):
                text = _HAN.sub(self._spelled_in_pinyin, text)
            if letters:
                low = text.lower()
                for digraph, spelled in _DIGRAPHS.get(primary, ()):
                    low = low.replace(digraph, spelled)
                text = low.translate(letters)
            key = self._key(text)
            if first:
                # The locale's own script sorts before the others (as in CLDR).
                key = (0 if lead and first.match(lead) else 1, key)
            elif primary == "ja":
                # Japanese: Latin, then kana and kanji, then the other scripts.
                key = (0 if not lead or ord(lead) < 0x250 else 1 if _KANA_HAN.match(lead) else 2, key)
            found = self._keys[cache] = key
        return found

    def weights(self, text: str) -> tuple[int, ...]:
        """The primary weights of ``text``'s collation elements, as pyuca finds them."""
        if self._table is None:
            self._table = load_table()
            assert self._table is not None
        table = self._table
        norm = unicodedata.normalize("NFD", text)
        weights, starters = self._weights, self._starters
        for c in set(norm).difference(weights):
            cp = ord(c)
            weights[c] = table.primary(cp)
            followers = table.followers.get(cp)
            if followers is not None:
                starters[c] = followers
        if not starters.keys().isdisjoint(norm):
            for i, c in enumerate(norm):
                followers = starters.get(c)
                if followers is not None and _may_contract(norm, i, followers):
                    return self._by_pyuca(text)
        return tuple(chain.from_iterable(map(weights.__getitem__, norm)))

    def _by_pyuca(self, text: str) -> tuple[int, ...]:
        if self._uca is None:
            self._uca = pyuca.Collator()
        full = self._uca.sort_key(text)
        return tuple(full[:full.index(0)] if 0 in full else full)

    def _spelled_in_pinyin(self, m: re.Match[str]) -> str:
        # citeproc-js's Intl.Collator files Chinese (mainland) by pinyin, as ICU's zh
        # collation does: 毛 (máo) before 中 (zhōng). pypinyin's table of readings takes
        # over half a second to load, so it is read only when a Chinese sort needs it.
        if self._pinyin is None:
            self._pinyin = importlib.import_module("pypinyin.pinyin_dict").pinyin_dict
        reading = self._pinyin.get(ord(m.group(0)))
        if not reading:
            return m.group(0)
        return _toned(reading.split(",")[0]) + m.group(0)

    def _key(self, text: str) -> Any:
        # citeproc-js compares keys with Intl.Collator (sensitivity "base",
        # ignorePunctuation, numeric) after writing each space as "|": spaces and
        # punctuation are ignored, but a word boundary sorts before any letter or
        # digit ("Smith J" before "Smithers", Abdelali before Abdel-Salam), case and
        # accents only break no ties, and numbers compare by value.
        text = text.translate(self._spelled) + _SEP
        text = _DIGITS.sub(_numeric, text)
        if pyuca is not None:
            return self.weights(text)
        folded = unicodedata.normalize("NFKD", text)
        return "".join(c for c in folded if not unicodedata.combining(c)).casefold()


def _toned(syllable: str) -> str:
    """A pinyin syllable as letters and a tone digit ("máo" → "mao2"; ü as v, after u)."""
    letters: list[str] = []
    tone = "5"
    for ch in unicodedata.normalize("NFD", syllable):
        if ch in _TONES:
            tone = _TONES[ch]
        elif ch == "\u0308":
            letters[-1] = "v"
        else:
            letters.append(ch)
    return "".join(letters) + tone


_TONES = {"\u0304": "1", "\u0301": "2", "\u030c": "3", "\u0300": "4"}
# Chinese as written on the mainland sorts by pinyin; Taiwan and Hong Kong by strokes.
_PINYIN_LANGS = frozenset(("zh", "zh-cn", "zh-hans", "zh-sg", "zh-hans-cn"))
_SEP = "|"  # what citeproc-js puts for a space in a sort key (a symbol: it has a weight)
_DIGITS = re.compile(r"\d+")


def _ignorable(c: str) -> bool:
    # What ICU ignores with ignorePunctuation at base strength: spaces, punctuation
    # (any P* or Z* character) and controls; symbols (S*) keep their weight.
    return unicodedata.category(c)[0] in "PZC"


class _Spelling(dict[int, str]):
    """A table for :meth:`str.translate`: a space becomes the word separator, an
    ignorable character nothing, any other stays; each code point decided once."""

    def __missing__(self, cp: int) -> str:
        c = chr(cp)
        spelled = self[cp] = _SEP if c == " " else "" if _ignorable(c) else c
        return spelled


def _numeric(m: re.Match[str]) -> str:
    # A run of digits as its length then its digits: compares by value, as ICU's numeric mode.
    n = m.group(0).lstrip("0") or "0"
    return f"{len(n):02d}{n}"


# Tailorings of the Unicode collation that citeproc-js gets from the locale's
# Intl.Collator and pyuca lacks: letters that sort after z (Nordic) or after
# their base letter (Turkish) are spelled with letters DUCET puts after z
# (ʒ < ƹ < ƺ), and some locales put their own script first.
# Nordic collations also file ü as y (Müller after Murtazashvili).
_SV = str.maketrans({"å": "ʒ", "ä": "ƹ", "æ": "ƹ", "ö": "ƺ", "ø": "ƺ", "ü": "y"})
_NO = str.maketrans({"æ": "ʒ", "ä": "ʒ", "ø": "ƹ", "ö": "ƹ", "å": "ƺ", "ü": "y"})
_TR = str.maketrans({"ç": "cʒ", "ğ": "gʒ", "ı": "hʒ", "ö": "oʒ", "ş": "sʒ", "ü": "uʒ"})
_CS = str.maketrans({"č": "cʒ", "ř": "rʒ", "š": "sʒ", "ž": "zʒ"})
_SK = str.maketrans({"ä": "aʒ", "č": "cʒ", "ô": "oʒ", "ř": "rʒ", "š": "sʒ", "ž": "zʒ"})
_PL = str.maketrans({"ą": "aʒ", "ć": "cʒ", "ę": "eʒ", "ł": "lʒ", "ń": "nʒ", "ó": "oʒ", "ś": "sʒ", "ź": "zʒ",
                     "ż": "zƹ"})
_HR = str.maketrans({"č": "cʒ", "ć": "cƹ", "đ": "dƹ", "š": "sʒ", "ž": "zʒ"})
_RO = str.maketrans({"ă": "aʒ", "â": "aƹ", "î": "iʒ", "ș": "sʒ", "ş": "sʒ", "ț": "tʒ", "ţ": "tʒ"})
_LETTERS = {"sv": _SV, "fi": _SV, "nb": _NO, "nn": _NO, "no": _NO, "da": _NO, "tr": _TR, "cs": _CS, "sk": _SK,
            "pl": _PL, "hr": _HR, "sl": _HR, "bs": _HR, "ro": _RO,
            "es": str.maketrans({"ñ": "nʒ"}), "hu": str.maketrans({"ö": "oʒ", "ő": "oʒ", "ü": "uʒ", "ű": "uʒ"}),
            "lt": str.maketrans({"č": "cʒ", "š": "sʒ", "ž": "zʒ", "y": "i"}),
            "lv": str.maketrans({"č": "cʒ", "š": "sʒ", "ž": "zʒ", "y": "iʒ"})}
# Czech and Slovak file "ch" as one letter after h; Croatian "dž" after d.
_DIGRAPHS = {"cs": (("ch", "hʒ"),), "sk": (("ch", "hʒ"),), "hr": (("dž", "dʒ"),), "bs": (("dž", "dʒ"),)}
_CYRILLIC = re.compile(r"[\u0400-\u052f]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_HAN = re.compile(r"[\u2e80-\u2fdf\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA_HAN = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u2e80-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_SCRIPTS_FIRST = {"ru": _CYRILLIC, "uk": _CYRILLIC, "bg": _CYRILLIC, "mk": _CYRILLIC, "sr": _CYRILLIC,
                  "ar": _ARABIC, "fa": _ARABIC, "zh": _HAN, "el": re.compile(r"[\u0370-\u03ff]"),
                  "he": re.compile(r"[\u0590-\u05ff]")}


def _may_contract(norm: str, i: int, followers: set[int]) -> bool:
    """Whether the character at ``i`` may form a contraction with what follows it:
    the next character, or a combining mark before the next starter."""
    for c in norm[i + 1:]:
        if ord(c) in followers:
            return True
        if not unicodedata.combining(c):
            return False
    return False
