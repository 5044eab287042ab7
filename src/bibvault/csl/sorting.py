"""cs:sort: keys from variables and macros, locale-aware collation, empty-last ordering."""

from __future__ import annotations

import functools
import importlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bibvault.csl.dates import date_sort_string
from bibvault.csl.element import Evaluation, render_children
from bibvault.csl.items import DateValue
from bibvault.csl.names import Names
from bibvault.csl.numbers import is_numeric
from bibvault.csl.richtext import plain, sort_dates_only

try:
    import pyuca
except ImportError:  # pragma: no cover - pyuca is a dependency
    pyuca = None


@dataclass(frozen=True, slots=True)
class SortKey:
    """cs:key: a variable (with the cs:names that sorts it when it holds names) or a macro."""

    variable: str | None
    macro: str | None
    descending: bool
    # names-min / names-use-first / names-use-last as cs:name options.
    overrides: Mapping[str, str]
    names: Names | None
    macro_holds_date: bool = False  # the macro has a cs:date among its descendants


@dataclass(frozen=True, slots=True)
class Sort:
    """cs:sort: its keys, most significant first."""

    keys: tuple[SortKey, ...]


# ``make(id, name_overrides)`` → an evaluation of that item for a sort key.
MakeEvaluation = Callable[[str, dict[str, str]], Evaluation]


class Collator:
    """Unicode collation (pyuca when installed, accent-folding otherwise)."""

    def __init__(self) -> None:
        # pyuca reads its table (about 0.15 s) at the first key: a processor whose
        # style sorts nothing, or sorts a single item, never pays for it.
        self._uca: Any = None
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
        text = "".join(_SEP if c == " " else "" if _ignorable(c) else c for c in text) + _SEP
        text = _DIGITS.sub(_numeric, text)
        if self._uca is None and pyuca is not None:
            self._uca = pyuca.Collator()
        if self._uca is not None:
            full = self._uca.sort_key(text)
            return full[:full.index(0)] if 0 in full else full
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


def variable_key(ev: Evaluation, key: SortKey, collator: Collator, citation_number: int) -> Any:
    """Sort value of a variable, or None when it is empty."""
    name = key.variable or ""
    if name == "citation-number":
        return citation_number
    value = ev.var(name)
    if value is None:
        return None
    if isinstance(value, DateValue):
        return date_sort_string(value) if value.parts else None
    if isinstance(value, list):
        if key.names is None:
            return None
        out = plain(key.names.render(ev))
        return collator.key(out, ev.locale.lang) if out else None
    text = str(value)
    if is_numeric(text) and re.match(r"\s*\d+", text):
        m = re.match(r"\s*(\d+)", text)
        assert m is not None
        return int(m.group(1))
    return collator.key(plain_text(text), ev.locale.lang)


def plain_text(text: str) -> str:
    """Strip rich-text markup from a CSL-JSON string."""
    return re.sub(r"<[^>]+>", "", text)


def macro_key(ev: Evaluation, key: SortKey, collator: Collator) -> Any:
    """Sort value of a macro rendered in sort mode."""
    macro = ev.env.macros.get(key.macro or "")
    if macro is None:
        return None
    out = render_children(macro, ev)
    text = plain(sort_dates_only(out) if key.macro_holds_date else out)
    if not text:
        return None
    return collator.key(text, ev.locale.lang)


def sort_ids(ids: list[str], sort: Sort | None, make: MakeEvaluation,
             collator: Collator, numbers: dict[str, int]) -> list[str]:
    """``ids`` ordered by the keys of ``sort`` (stable; empty values last)."""
    if sort is None or not sort.keys or len(ids) < 2:
        return list(ids)
    keys = sort.keys
    descending = [k.descending for k in keys]
    # A key is worked out only when the keys before it tie: most items differ in
    # the first one, and later keys (often whole macros) are never rendered.
    values: dict[str, list[Any]] = {id_: [] for id_ in ids}

    def value(id_: str, i: int) -> Any:
        row = values[id_]
        while len(row) <= i:
            k = keys[len(row)]
            if k.variable:
                ev = make(id_, {"_names-all": "1"})
                row.append(variable_key(ev, k, collator, numbers.get(id_, 0)))
            else:
                row.append(macro_key(make(id_, dict(k.overrides)), k, collator))
        return row[i]

    def cmp(a: str, b: str) -> int:
        for i in range(len(keys)):
            va, vb = value(a, i), value(b, i)
            if va is None and vb is None:
                continue
            if va is None:
                return 1
            if vb is None:
                return -1
            if type(va) is not type(vb):
                va, vb = str(va), str(vb)
            if va == vb:
                continue
            r = -1 if va < vb else 1
            return -r if descending[i] else r
        return 0

    return sorted(ids, key=functools.cmp_to_key(cmp))
