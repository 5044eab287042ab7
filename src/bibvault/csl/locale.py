"""CSL locales: terms, date formats and options with the spec's fallback chain."""

from __future__ import annotations

import importlib.util
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bibvault.csl.events import Quotes
from bibvault.csl.stylexml import Node, node_from_xml

# The locale files come with citeproc-py; its folder is found without importing
# it (which would import lxml and the whole of citeproc-py at every start).
_CITEPROC = importlib.util.find_spec("citeproc")

# Languages whose locale file is not "<lang>-<LANG>".
PRIMARY_DIALECTS = {
    "af": "af-ZA", "ar": "ar", "bg": "bg-BG", "ca": "ca-AD", "cs": "cs-CZ", "cy": "cy-GB",
    "da": "da-DK", "de": "de-DE", "el": "el-GR", "en": "en-US", "es": "es-ES", "et": "et-EE",
    "eu": "eu", "fa": "fa-IR", "fi": "fi-FI", "fr": "fr-FR", "he": "he-IL", "hr": "hr-HR",
    "hu": "hu-HU", "id": "id-ID", "is": "is-IS", "it": "it-IT", "ja": "ja-JP", "km": "km-KH",
    "ko": "ko-KR", "la": "la", "lt": "lt-LT", "lv": "lv-LV", "mn": "mn-MN", "nb": "nb-NO",
    "nl": "nl-NL", "nn": "nn-NO", "pl": "pl-PL", "pt": "pt-PT", "ro": "ro-RO", "ru": "ru-RU",
    "sk": "sk-SK", "sl": "sl-SI", "sr": "sr-RS", "sv": "sv-SE", "th": "th-TH", "tr": "tr-TR",
    "uk": "uk-UA", "vi": "vi-VN", "zh": "zh-CN",
}


def locales_dir() -> Path | None:
    """The directory of the installed CSL locale files."""
    if _CITEPROC is None or _CITEPROC.origin is None:
        return None
    d = Path(_CITEPROC.origin).parent / "data" / "locales"
    return d if d.is_dir() else None


_APOSTROPHE = re.compile(r"(?<=\w)'")


@dataclass
class LocaleStore:
    """Parsed locale files, loaded on first use and kept by this object."""

    directory: Path | None = None
    _cache: dict[str, Node | None] = field(default_factory=dict)

    def get(self, lang: str) -> Node | None:
        """The parsed ``locales-<lang>.xml`` or None."""
        if lang not in self._cache:
            d = self.directory or locales_dir()
            path = d / f"locales-{lang}.xml" if d else None
            if path is not None and path.is_file():
                self._cache[lang] = node_from_xml(ET.parse(path).getroot())
            else:
                self._cache[lang] = None
        return self._cache[lang]


@dataclass(frozen=True)
class Term:
    """One term form: its singular and plural text and its gender."""

    single: str
    multiple: str
    gender: str | None = None


class StyleLocales(Protocol):
    """What a locale takes from a style: its own locale elements and default locale."""

    @property
    def locales(self) -> Sequence[Node]: ...

    @property
    def default_locale(self) -> str | None: ...


def casing_of(code: str) -> tuple[bool, bool]:
    """For a language code: whether it is English (title case applies to English only)
    and whether it is Turkic (where i and ı case differently)."""
    lowered = code.lower()
    return lowered.startswith("en"), lowered.split("-")[0] in ("tr", "az")


class Locale:
    """The merged view of style-embedded locales and locale files for one language."""

    def __init__(self, style: StyleLocales, lang: str | None, store: LocaleStore) -> None:
        lang = lang or style.default_locale or "en-US"
        self.lang = lang
        # Whether title case applies, and whether i cases the Turkic way, in this language.
        self.casing = casing_of(lang)
        primary = lang.split("-")[0]
        chain: list[Node] = []
        # Style locales first: exact dialect, then language, then language-less.
        for want in (lang, primary, None):
            for loc in style.locales:
                code = loc.get("xml:lang")
                if code == want and loc not in chain:
                    chain.append(loc)
        for code in dict.fromkeys([lang, PRIMARY_DIALECTS.get(primary, lang), "en-US"]):
            node = store.get(code)
            if node is not None:
                chain.append(node)
        self.chain = chain
        self.options: dict[str, str] = {}
        for loc in reversed(chain):
            for opt in loc.findall("style-options"):
                self.options.update(opt.attrs)
        self.dates: dict[str, Node] = {}
        for loc in reversed(chain):
            for d in loc.findall("date"):
                self.dates[d.get("form", "")] = d
        self._terms: dict[tuple[str, str, str | None], Term] = {}
        self._looked_up: dict[tuple[str, str, str | None], Term | None] = {}
        self._ordinals: dict[tuple[str, str, str | None], Term] = {}
        self._ordinal_match: dict[str, str] = {}
        # Ordinals as citeproc-js has them (not CSL 1.0.1's "one locale defines the
        # set"): style terms win name by name, but an ordinal-NN counts only where a
        # locale file has it too, a gendered file term beats a style's neuter one, and
        # a style's own "ordinal" term leaves no ordinal-NN at all.
        in_files: set[str] = set()
        style_ordinal = False
        files_read = 0
        english = store.get("en-US")
        # Terms of the en-US fallback come after every form of the language's own
        # term (citeproc-js prints Arabic "editor" for a short label, not "eds.").
        self._fallback: set[tuple[str, str, str | None]] = set()
        for loc in chain:
            from_style = any(loc is s for s in style.locales)
            files_read += 0 if from_style else 1
            fallback = not from_style and loc is english and primary != "en"
            for terms in loc.findall("terms"):
                for t in terms.findall("term"):
                    name = t.get("name", "")
                    key = (name, t.get("form", "long"), t.get("gender-form"))
                    if name == "ordinal" or name.startswith("ordinal-"):
                        if files_read > 1:
                            continue  # the language's own file only, not the en-US fallback
                        style_ordinal = style_ordinal or (from_style and name == "ordinal")
                        if not from_style:
                            in_files.add(name)
                        self._ordinals.setdefault(key, self._term(t))
                        if t.get("match"):
                            self._ordinal_match.setdefault(name, t.get("match", ""))
                        continue
                    if key not in self._terms:
                        self._terms[key] = self._term(t)
                        if fallback:
                            self._fallback.add(key)
                    if t.get("gender") and (name, "gender", None) not in self._terms:
                        self._terms[(name, "gender", None)] = Term(t.get("gender", ""), "")
        if style_ordinal:
            # A style defining "ordinal" defines the whole set (CSL 1.0.1).
            self._ordinals, self._ordinal_match = {}, {}
            for loc in style.locales:
                for terms in loc.findall("terms"):
                    for t in terms.findall("term"):
                        name = t.get("name", "")
                        if name == "ordinal" or name.startswith("ordinal-"):
                            self._ordinals.setdefault((name, t.get("form", "long"), t.get("gender-form")),
                                                      self._term(t))
                            if t.get("match"):
                                self._ordinal_match.setdefault(name, t.get("match", ""))
        else:
            for key in [k for k in self._ordinals if k[0] != "ordinal" and k[0] not in in_files]:
                del self._ordinals[key]

    @staticmethod
    def _term(t: Node) -> Term:
        quote = t.get("name", "").endswith("-quote")

        def text(n: Node) -> str:
            # Line breaks only come from the XML's indentation.
            out = n.text.strip(" \t\r\n") if "\n" in n.text else n.text
            # A straight apostrophe inside a term prints as ’ (l'adresse), as
            # citeproc-js prints every text it outputs; quotation-mark terms stay.
            return out if quote else _APOSTROPHE.sub("\u2019", out)

        single = t.find("single")
        multiple = t.find("multiple")
        if single is not None or multiple is not None:
            s = text(single) if single is not None else ""
            m = text(multiple) if multiple is not None else s
            return Term(s, m, t.get("gender"))
        return Term(text(t), text(t), t.get("gender"))

    @property
    def quotes(self) -> Quotes:
        """Quotation marks and the punctuation-in-quote option."""
        marks = [
            self.term("open-quote") or "\u201c",
            self.term("close-quote") or "\u201d",
            self.term("open-inner-quote") or "\u2018",
            self.term("close-inner-quote") or "\u2019",
        ]
        return Quotes(marks[0], marks[1], marks[2], marks[3],
                      self.options.get("punctuation-in-quote") == "true")

    def lookup(self, name: str, form: str = "long", gender: str | None = None) -> Term | None:
        """A term with the spec's form fallback (verb-short→verb→long, symbol→short→long)."""
        key = (name, form, gender)
        # Every render asks for the same few terms; the locale does not change once read.
        try:
            return self._looked_up[key]
        except KeyError:
            found = self._looked_up[key] = self._lookup(name, form, gender)
            return found

    def _lookup(self, name: str, form: str, gender: str | None) -> Term | None:
        table = self._ordinals if name.startswith("ordinal") else self._terms
        forms = {
            "long": ["long"],
            "short": ["short", "long"],
            "verb": ["verb", "long"],
            "verb-short": ["verb-short", "verb", "long"],
            "symbol": ["symbol", "short", "long"],
        }.get(form, [form, "long"])
        for fallback in (False, True):
            for f in forms:
                for key in ((name, f, gender), (name, f, None)) if gender else ((name, f, None),):
                    if key in table and (key in self._fallback) == fallback:
                        return table[key]
        return None

    def term(self, name: str, form: str = "long", plural: bool = False) -> str | None:
        """The text of a term, or None when the locale lacks it."""
        t = self.lookup(name, form)
        if t is None:
            return None
        return t.multiple if plural else t.single

    def gender(self, name: str) -> str | None:
        """The grammatical gender of a term (for gendered ordinals)."""
        t = self._terms.get((name, "gender", None))
        return t.single if t else None

    def ordinal_suffix(self, n: int, gender: str | None = None) -> str:
        """The ordinal suffix of ``n`` following the CSL 1.0.1 ordinal rules."""
        two, one = n % 100, n % 10
        if two >= 10:
            name = f"ordinal-{two:02d}"
            match = self._ordinal_match.get(name, "last-two-digits")
            if match != "whole-number" or n == two:
                t = self.lookup(name, "long", gender)
                if t is not None:
                    return t.single
        name = f"ordinal-{one:02d}"
        match = self._ordinal_match.get(name, "last-digit")
        if (
            match == "last-digit"
            or (match == "last-two-digits" and two == one)
            or (match == "whole-number" and n == one)
        ):
            t = self.lookup(name, "long", gender)
            if t is not None:
                return t.single
        t = self.lookup("ordinal", "long", gender)
        return t.single if t is not None else ""
