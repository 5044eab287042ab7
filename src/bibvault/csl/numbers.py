"""cs:number, and numeric variables: detection, plurals, ordinals, roman numerals, page ranges."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bibvault.csl.element import Element, Evaluation, Formatting, Summaries, decorate
from bibvault.csl.items import DateValue
from bibvault.csl.locale import Locale
from bibvault.csl.reach import Reach, called_reach
from bibvault.csl.richtext import Content

_TOKEN = r"[A-Za-z]*\d+[A-Za-z]*"
_SEP = r"\s*(?:[-\u2013,&/]|and)\s*"
_NUMERIC = re.compile(rf"^\s*{_TOKEN}(?:{_SEP}{_TOKEN})*\s*$")
_SPLIT = re.compile(r"(\s*(?:[-\u2013,&]|\band\b)\s*)")


def is_numeric(value: str) -> bool:
    """True for numbers and lists/ranges of numbers ("2", "2b", "2-4", "2, 3 & 5")."""
    return bool(_NUMERIC.match(value))


def _list_patterns(and_term: str | None) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """What finds a list or range of numbers joined by ``and_term``, and what splits it."""
    words = "and" + (f"|{re.escape(and_term)}" if and_term and and_term != "and" else "")
    return (re.compile(rf"\w\s*(?:[-\u2013,&]|\b(?:{words})\b)\s*\S*\w"),
            re.compile(rf"\s*(?:[-\u2013,&]|\b(?:{words})\b)\s*"))


# Compiled once for the English "and", the term of most locales' labels.
_AND_LISTS = _list_patterns(None)
_NUMBERISH = re.compile(r"\d|^[ivxlcdm]+\b", re.I)
_ONE_NUMBER = re.compile(r"[A-Za-z]*\d+[A-Za-z]*|[ivxlcdm]+")


def is_plural(value: str, and_term: str | None = None) -> bool:
    """True when a numeric value names more than one number (a range or a list)."""
    if "\\-" in value:
        value = value.replace("\\-", "")
    lists, splitter = _AND_LISTS if and_term in (None, "", "and") else _list_patterns(and_term)
    if not (lists.search(value) and _NUMBERISH.search(value)):
        return False
    # As citeproc-js: only a list that starts with a number counts ("MG-595", "No. 4-5"
    # and "III-IV" are one report number each; "12-WP", "A1-A5" and "xi-xv" are two).
    first = splitter.split(value.strip(), maxsplit=1)[0]
    return bool(_ONE_NUMBER.fullmatch(first))


def roman(n: int) -> str:
    """Lower-case roman numeral (plain digits beyond 3999)."""
    if not 0 < n < 4000:
        return str(n)
    out = []
    for value, letters in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _one(token: str, form: str, locale: Locale, gender: str | None) -> str:
    if not token.isdigit():
        return token
    n = int(token)
    if form == "ordinal":
        return f"{n}{locale.ordinal_suffix(n, gender)}"
    if form == "long-ordinal":
        if 1 <= n <= 10:
            t = locale.lookup(f"long-ordinal-{n:02d}", "long", gender)
            if t is not None:
                return t.single
        return f"{n}{locale.ordinal_suffix(n, gender)}"
    if form == "roman":
        return roman(n)
    return token


# Abbreviated labels that may introduce a further number inside a value ("7, p. 3-8"),
# with the locator terms they stand for.
_LABELS = {
    "p.": "page", "pp.": "page", "vol.": "volume", "ch.": "chapter", "sec.": "section",
    "para.": "paragraph", "n.": "note", "fig.": "figure", "no.": "issue", "l.": "line",
    "pt.": "part", "bk.": "book", "col.": "column", "vrs.": "verse", "op.": "opus",
    "fol.": "folio", "tbl.": "table", "supp.": "supplement", "app.": "appendix",
}
_LABEL_SPLIT = re.compile(r"[,;]\s+(?=[a-z]+\.\s)")
_LABELLED = re.compile(r"([a-z]+\.)\s+(.+)")


def _with_labels(value: str, form: str, locale: Locale, gender: str | None) -> str | None:
    """A number followed by labelled numbers ("7, p. 3-8" → "7th, pp. 3–8"), or None.

    As citeproc-js, which reads such a value as a number, a label and a range: the
    labels print as the locale's short terms (plural for a range or list) and only the
    leading number takes the element's form. The CSL specification leaves such values
    as text.
    """
    pieces = _LABEL_SPLIT.split(value.strip())
    seps = _LABEL_SPLIT.findall(value.strip())
    if len(pieces) < 2 or not is_numeric(pieces[0]):
        return None
    out = [format_number(pieces[0], form, locale, gender)]
    for sep, piece in zip(seps, pieces[1:], strict=True):
        m = _LABELLED.fullmatch(piece)
        if m is None or m.group(1) not in _LABELS or not is_numeric(m.group(2)):
            return None
        term = locale.term(_LABELS[m.group(1)], "short", is_plural(m.group(2)))
        if term is None:
            return None
        out.append(f"{sep.strip()} {term} {format_number(m.group(2), 'numeric', locale)}")
    return "".join(out)


def format_number(value: str, form: str, locale: Locale, gender: str | None = None) -> str:
    """A number variable rendered in ``form`` (numeric, ordinal, long-ordinal, roman)."""
    if not is_numeric(value):
        labelled = _with_labels(value, form, locale, gender)
        return value if labelled is None else labelled
    out = []
    for piece in _SPLIT.split(value.strip()):
        sep = piece.strip()
        if sep in ("-", "\u2013"):
            out.append(locale.term("page-range-delimiter") or "\u2013")
        elif sep == ",":
            out.append(", ")
        elif sep in ("&", "and"):
            out.append(f" {sep} ")
        else:
            out.append(_one(piece, form, locale, gender))
    return "".join(out)


def _expand(a: str, b: str) -> str:
    if len(b) < len(a) and b.isdigit() and a.isdigit():
        return a[: len(a) - len(b)] + b
    return b


def _minimal(a: str, b: str, keep: int) -> str:
    if len(a) != len(b):
        return b
    i = 0
    while i < len(a) - 1 and a[i] == b[i]:
        i += 1
    cut = b[i:]
    if keep > len(cut):
        cut = b[max(0, len(b) - keep) :]
    return cut


def _range(a: str, b: str, fmt: str) -> str:
    b = _expand(a, b)
    if not (a.isdigit() and b.isdigit()) or int(b) <= int(a) and fmt != "expanded":
        return b
    if fmt == "expanded":
        return b
    if fmt == "minimal":
        return _minimal(a, b, 1)
    if fmt == "minimal-two":
        return _minimal(a, b, 2)
    # chicago (15th edition) and chicago-16
    na = int(a)
    if na < 100 or na % 100 == 0:
        return b
    if na % 100 < 10:
        return _minimal(a, b, 1)
    short = _minimal(a, b, 2)
    if fmt != "chicago-16" and len(a) == 4 and len(short) >= 3:
        return b
    return short


_NUM = re.compile(r"^(.*?)(\d+)$")
_ROMAN = re.compile(r"^[ivxlcdm]+$", re.IGNORECASE)


_RANGE = re.compile(r"([^\s,&\-\u2013\\]+)\s*(?<!\\)(?:-|\u2013)+\s*([^\s,&\-\u2013]+)")


def page_range(value: str, fmt: str | None, locale: Locale) -> str:
    """A page or locator value with ranges joined by an en dash and reformatted by ``fmt``.

    Ranges whose ends carry different prefixes ("N110-5") keep a plain hyphen;
    an escaped hyphen (``\\-``) is always literal.
    """
    if "-" not in value and "\u2013" not in value and " & " not in value:
        return value  # no range, no ampersand: nothing to change
    delim = locale.term("page-range-delimiter") or "\u2013"

    def repl(m: re.Match[str]) -> str:
        a, b = m.group(1), m.group(2)
        pa, pb = _NUM.match(a), _NUM.match(b)
        if pa and pb and pa.group(1) == pb.group(1):
            digits = _range(pa.group(2), pb.group(2), fmt) if fmt else pb.group(2)
            # A shortened second number drops the prefix they share ("n11564–8").
            keep = pb.group(1) if fmt in (None, "expanded") else ""
            return f"{a}{delim}{keep}{digits}"
        if _ROMAN.match(a) and _ROMAN.match(b):
            return f"{a}{delim}{b}"
        return f"{a}-{b}"

    out = _RANGE.sub(repl, value)
    if " & " in out:
        # A spaced ampersand joining numbers is the locale's "and" symbol.
        out = out.replace(" & ", f" {locale.term('and', 'symbol') or '&'} ")
    return out.replace("\\-", "-")


@dataclass(frozen=True, slots=True)
class Number(Element):
    """cs:number: a numeric variable in numeric, ordinal, long-ordinal or roman form."""

    variable: str
    form: str
    formatting: Formatting

    def reach(self, s: Summaries) -> Reach:
        return called_reach(frozenset((self.variable,)))

    def render(self, ev: Evaluation) -> Content:
        name = self.variable
        ev.called += 1
        value = ev.var(name)
        if value is None or isinstance(value, (list, DateValue)):
            return None
        ev.mark(name)
        locale = ev.locale
        gender = locale.gender(ev.req.cite.label or "page") if name == "locator" else locale.gender(name)
        return decorate(self.formatting, format_number(str(value), self.form, locale, gender), ev)
