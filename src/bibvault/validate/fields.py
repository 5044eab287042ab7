"""Per-record rules: required fields, dates, URLs, values (F2xx)."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import urlsplit

from bibvault.bibfile.braces import balanced
from bibvault.edtf import DateError, EDTFDate, date_from_parts, normalise_date, parse_edtf
from bibvault.findings import Finding, Fix
from bibvault.records import FieldText, Record
from bibvault.rules import CORE_RULES

#: Required fields per (biblatex) entry type; a tuple inside means "one of".
REQUIRED: Mapping[str, tuple[str | tuple[str, ...], ...]] = MappingProxyType({
    "article": ("title", ("journaltitle", "journal"), ("date", "year")),
    "book": (("author", "editor"), "title", ("date", "year")),
    "mvbook": (("author", "editor"), "title", ("date", "year")),
    "inbook": ("author", "title", "booktitle", ("date", "year")),
    "incollection": ("author", "title", "booktitle", ("date", "year")),
    "inproceedings": ("author", "title", "booktitle", ("date", "year")),
    "collection": ("editor", "title", ("date", "year")),
    "proceedings": ("title", ("date", "year")),
    "report": ("title", "institution", ("date", "year")),
    "thesis": ("author", "title", ("institution", "school"), ("date", "year")),
    "online": ("title",),
    "video": ("title",),
    "misc": (("title", "howpublished", "note"),),
})

#: Fields usually present, reported as a warning when missing.
RECOMMENDED: Mapping[str, tuple[str | tuple[str, ...], ...]] = MappingProxyType({
    "article": ("author",),
    "report": ("author",),
    "online": (("date", "year", "urldate"),),
    "video": (("date", "year"),),
    "book": ("publisher",),
})

ONLINE_ONLY = frozenset({"online"})
DATE_FIELDS = ("date", "urldate", "origdate", "eventdate", "archivedate")
VERBATIM = frozenset({"url", "doi", "eprint", "file", "archiveurl", "urldate", "date",
                      "archivedate", "archivesha256", "sourcesha256", "urlstatus", "keywords", "verba",
                      "verbb", "verbc", "pdf", "crossref", "xref", "ids"})
URL_FIELDS = ("url", "archiveurl")
LINK_STATUSES = frozenset({"alive", "dead", "redirected", "soft-404", "blocked",
                           "rate-limited", "timeout", "error", "unknown"})
# A special character without a backslash before it; the class comes first, so that
# the engine skips ahead to the next special character instead of trying each one.
_SPECIAL = re.compile(r"([&%$#_^])(?<!\\.)")
_MATH = re.compile(r"(?<!\\)\$.*?(?<!\\)\$")
_DURATION = re.compile(r"^(?:P(?:\d+D)?T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?|\d+(?:\.\d+)?\s*(?:min(?:utes?)?|h(?:ours?)?|s(?:econds?)?))$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
# \s is str.isspace() in a str pattern: any Unicode blank, as well as C0 controls
_BLANK_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")


def _present(fields: Mapping[str, str], spec: str | tuple[str, ...]) -> bool:
    if isinstance(spec, str):
        value = fields.get(spec)
        return bool(value and value.strip())
    for name in spec:
        value = fields.get(name)
        if value and value.strip():
            return True
    return False


def _spec_name(spec: str | tuple[str, ...]) -> str:
    return spec if isinstance(spec, str) else " or ".join(spec)


_SEVERITY = MappingProxyType({r.code: r.severity for r in CORE_RULES})


@dataclass(frozen=True, slots=True)
class Place:
    """Where the findings about one record point: its file, key and line, and
    ``locate``, which gives the (line, column) of one of its fields, or of the
    record for a field it does not have."""

    file: str
    key: str
    line: int
    locate: Callable[[str], tuple[int, int]]

    @classmethod
    def of(cls, rec: Record) -> Place:
        """The place of a decoded record."""
        return cls(rec.file, rec.key, rec.line, rec.location)

    def finding(self, code: str, message: str, name: str | None = None,
                fix: Fix | None = None) -> Finding:
        """A finding of core rule ``code`` about field ``name`` (None: the record)."""
        line, column = self.locate(name) if name else (self.line, 1)
        return Finding(code, _SEVERITY[code], message, self.file, line, column, self.key, None,
                       fix)


#: The fields whose decoded text some rule reads.
TEXT_FIELDS = frozenset({
    "entrysubtype", "url", "doi", "eprint", *DATE_FIELDS, "year", "month", "day", *URL_FIELDS,
    "pagetotal", "duration", "urlstatus", "archivesha256", "sourcesha256", "keywords", "ids",
    "title",
})
#: The fields that rules only ask whether they are there (hold more than blanks).
PRESENCE_FIELDS = frozenset(
    n for specs in (*REQUIRED.values(), *RECOMMENDED.values()) for spec in specs
    for n in ((spec,) if isinstance(spec, str) else spec)) - TEXT_FIELDS
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


def rule_fields(tex: Mapping[str, str],
                pair: Callable[[str, str], tuple[str, str]]) -> dict[str, str]:
    """What the rules read of a record whose fields' TeX is ``tex``, for
    :meth:`RecordChecks.check_fields`: the text (``pair`` as :meth:`FieldText.pair`)
    of the fields in :data:`TEXT_FIELDS`, and of those in :data:`PRESENCE_FIELDS`
    unless their TeX plainly has text, when the TeX stands for it (authors,
    journals: most values, not decoded at all)."""
    out = {}
    for name, value in tex.items():
        if name in TEXT_FIELDS:
            out[name] = pair(name, value)[1]
        elif name in PRESENCE_FIELDS:
            # Without commands or math, a letter or digit of the TeX is in its text.
            plain = "\\" not in value and "$" not in value and _LETTER_OR_DIGIT.search(value)
            out[name] = value if plain else pair(name, value)[1]
    return out


# What the date rules read, in the order of the key of their memory.
_DATE_INPUTS = (*DATE_FIELDS, "year", "month", "day")
# What the date rules say about one combination of date inputs: (code, message,
# field or None, the fixed value or None) for each finding, and the publication date.
_DateVerdict = tuple[tuple[tuple[str, str, str | None, str | None], ...], EDTFDate | None]


def check_record(rec: Record, *, today: _dt.date) -> Iterator[Finding]:
    """Every field-level finding for one record."""
    return RecordChecks(today).check(rec)


class RecordChecks:
    """The per-record rules for many records, with memory: what a value says about
    itself (F210, F211, F216) is worked out once per distinct value, and what the
    date rules say once per distinct combination of date fields.

    ``text`` decodes TeX; pass the one that decoded the records, so that a value
    is decoded once for both. Holds at most ``limit`` values, then starts afresh.
    """

    def __init__(self, today: _dt.date, text: FieldText | None = None,
                 limit: int = 50_000) -> None:
        self.today = today
        self.text = text or FieldText(limit)
        self.limit = limit
        # value → (code, message after "name: "), for values of verbatim fields
        # (only F210 applies) and of the others; most values say nothing: ().
        self._said_verbatim: dict[str, tuple[tuple[str, str], ...]] = {}
        self._said_other: dict[str, tuple[tuple[str, str], ...]] = {}
        self._dated: dict[tuple[str | None, ...], _DateVerdict] = {}

    def check(self, rec: Record) -> Iterator[Finding]:
        """Every field-level finding for one record, in the order of :func:`check_record`."""
        out: list[Finding] = []
        self.check_fields(Place.of(rec), rec.entry_type, rec.fields, rec.tex, out)
        return iter(out)

    def check_fields(self, place: Place, entry_type: str, fields: Mapping[str, str],
                     tex: Mapping[str, str], out: list[Finding]) -> EDTFDate | None:
        """Append the field-level findings of one record to ``out``; return its
        publication date (as :attr:`Record.date` gives it).

        ``fields`` holds (at least) what :func:`rule_fields` gives, ``tex`` every
        field's TeX, in the record's order.
        """
        _required(place, entry_type, fields, out)
        pub = self._dates(place, fields, out)
        for name in URL_FIELDS:
            url = fields.get(name)
            if url is not None and (problem := url_problem(url)):
                out.append(place.finding(problem[0], f"{name}: {problem[1]}", name))
        said_verbatim, said_other = self._said_verbatim, self._said_other
        for name, value in tex.items():
            verbatim = name in VERBATIM
            seen = said_verbatim if verbatim else said_other
            said = seen.get(value)
            if said is None:
                if len(seen) >= self.limit:
                    seen.clear()
                said = seen[value] = self._about_value(value, verbatim)
            for code, message in said:
                out.append(place.finding(code, f"{name}: {message}", name))
        if not _FORM_FIELDS.isdisjoint(fields):  # most records have none of them
            for name, (ok, want) in VALUE_FORMS.items():
                v = fields.get(name)
                if v is not None and not ok(v.strip()):
                    out.append(place.finding("F213", f"{name} {v!r} should be {want}", name))
        return pub

    def _about_value(self, tex: str, verbatim: bool) -> tuple[tuple[str, str], ...]:
        said = []
        if ("{" in tex or "}" in tex) and not balanced(tex, escapes=True):
            said.append(("F210", "unbalanced braces in value"))
        if not verbatim:
            m = _SPECIAL.search(_MATH.sub("", tex) if "$" in tex else tex)
            if m:
                said.append(("F211", f"unescaped {m.group(1)!r} (write \\{m.group(1)})"))
            if "\\" in tex:  # without a backslash there is no command to be unknown
                for command in dict.fromkeys(self.text.unknown(tex)):
                    said.append(("F216", f"unknown TeX command \\{command} (printed as the "
                                 "text of its argument, without its effect)"))
        return tuple(said)

    def _dates(self, place: Place, fields: Mapping[str, str], out: list[Finding],
               ) -> EDTFDate | None:
        inputs = tuple(map(fields.get, _DATE_INPUTS))
        verdict = self._dated.get(inputs)
        if verdict is None:
            if len(self._dated) >= self.limit:
                self._dated.clear()
            verdict = self._dated[inputs] = _date_verdict(fields, self.today)
        for code, message, name, fixed in verdict[0]:
            fix = None
            if fixed is not None and name is not None:
                fix = Fix(place.key, name, "{" + fixed + "}",
                          f"{name}: {fields[name]!r} → {fixed!r}")
            out.append(place.finding(code, message, name, fix))
        return verdict[1]


def _required(place: Place, entry_type: str, fields: Mapping[str, str],
              out: list[Finding]) -> None:
    for spec in REQUIRED.get(entry_type, ("title",)):
        if not _present(fields, spec):
            out.append(place.finding("F201", f"@{entry_type} needs {_spec_name(spec)}"))
    recommended = RECOMMENDED.get(entry_type)
    if recommended:
        newspaper = fields.get("entrysubtype", "").lower() in ("newspaper", "magazine")
        for spec in recommended:
            if spec == "author" and newspaper:
                continue
            if not _present(fields, spec):
                out.append(place.finding("F215", f"@{entry_type} usually has {_spec_name(spec)}"))
    if not _present(fields, ("url", "doi", "eprint")):
        if entry_type in ONLINE_ONLY:
            out.append(place.finding("F208", "online source without a url: its address is "
                                     "unknown"))
        else:
            out.append(place.finding("F209", "no url or doi: the address is unknown"))


def _date_verdict(fields: Mapping[str, str], today: _dt.date) -> _DateVerdict:
    said: list[tuple[str, str, str | None, str | None]] = []
    parsed = {}
    for name in DATE_FIELDS:
        value = fields.get(name)
        if value is None:
            continue
        try:
            parsed[name] = parse_edtf(value)
        except DateError as exc:
            if exc.impossible:
                said.append(("F203", f"{name}: {exc}", name, None))
                continue
            fixed = normalise_date(value)
            hint = f" (write {fixed})" if fixed else ""
            said.append(("F202", f"{name}: {exc}{hint}", name, fixed or None))
    if "date" not in fields and "year" in fields:
        try:
            parsed["date"] = date_from_parts(fields["year"], fields.get("month"),
                                             fields.get("day"))
        except DateError as exc:
            where = "month" if "month" in str(exc) and "month" in fields else "year"
            said.append(("F203" if exc.impossible else "F202", f"{where}: {exc}", where, None))
    pub = parsed.get("date")
    accessed = parsed.get("urldate")
    if pub and accessed and accessed.latest() and pub.earliest() and accessed.latest() < pub.earliest():  # type: ignore[operator]
        said.append(("F204", f"urldate {accessed.iso()} is before the publication date "
                     f"{pub.iso()}", "urldate", None))
    for name in ("urldate", "archivedate"):
        d = parsed.get(name)
        if d and d.earliest() and d.earliest() > today:  # type: ignore[operator]
            said.append(("F205", f"{name} {d.iso()} is in the future (today is "
                         f"{today.isoformat()})", name, None))
    first = pub.earliest() if pub else None
    if pub and first and first > today:
        said.append(("F214", f"publication date {pub.iso()} is in the future", "date", None))
    return tuple(said), pub


# An http(s) URL with a plain dotted host name and no port or user: all the tests
# below pass it, so most URLs are settled by one match instead of a parse.
_PLAIN_URL = re.compile(r"(?i:https?)://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\.?(?:[/?#][^\s\x00-\x1f]*)?")


def url_problem(url: str) -> tuple[str, str] | None:
    """(code, message) when ``url`` is not a usable http(s) URL, else None."""
    return None if _PLAIN_URL.fullmatch(url) else parsed_url_problem(url)


def parsed_url_problem(url: str) -> tuple[str, str] | None:
    """:func:`url_problem` worked out by parsing ``url``, the way for every URL."""
    if _BLANK_OR_CONTROL.search(url):
        return "F206", f"URL {url!r} contains whitespace or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return "F206", f"URL {url!r} cannot be parsed: {exc}"
    scheme = parts.scheme.lower()
    if not scheme:
        return "F206", f"URL {url!r} has no scheme (write https://…)"
    if scheme not in ("http", "https"):
        return "F207", f"URL scheme {scheme!r} is not http or https"
    if not parts.hostname or "." not in parts.hostname.strip(".") and parts.hostname != "localhost":
        return "F206", f"URL {url!r} has no valid host"
    return None


_SHA256 = re.compile(r"[0-9a-f]{64}")
#: field → (test of its stripped value, what it should be), for F213.
VALUE_FORMS: Mapping[str, tuple[Callable[[str], bool], str]] = MappingProxyType({
    "pagetotal": (str.isdigit, "a whole number of pages"),
    "duration": (lambda v: bool(_DURATION.match(v)), "an ISO 8601 duration such as PT90M"),
    "urlstatus": (lambda v: v in LINK_STATUSES, "one of " + ", ".join(sorted(LINK_STATUSES))),
    "archivesha256": (lambda v: bool(_SHA256.fullmatch(v)), "64 lower-case hex digits"),
    "sourcesha256": (lambda v: bool(_SHA256.fullmatch(v)), "64 lower-case hex digits"),
    "doi": (lambda v: bool(_DOI.match(v)), "a DOI such as 10.1234/abc (without https://doi.org/)"),
})
# The fields of VALUE_FORMS, to pass over records that have none of them at once.
_FORM_FIELDS = frozenset(VALUE_FORMS)
