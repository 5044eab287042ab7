"""Per-record rules: required fields, dates, URLs, values (F2xx)."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from urllib.parse import urlsplit

from bibvault.bibfile.braces import balanced
from bibvault.edtf import DateError, date_from_parts, normalise_date, parse_edtf
from bibvault.findings import Finding, Fix
from bibvault.records import FieldText, Record
from bibvault.rules import finding

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
_SPECIAL = re.compile(r"(?<!\\)([&%$#_^])")
_MATH = re.compile(r"(?<!\\)\$.*?(?<!\\)\$")
_DURATION = re.compile(r"^(?:P(?:\d+D)?T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?|\d+(?:\.\d+)?\s*(?:min(?:utes?)?|h(?:ours?)?|s(?:econds?)?))$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
# \s is str.isspace() in a str pattern: any Unicode blank, as well as C0 controls
_BLANK_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")


def _present(rec: Record, spec: str | tuple[str, ...]) -> bool:
    fields = rec.fields
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


def check_record(rec: Record, *, today: _dt.date) -> Iterator[Finding]:
    """Every field-level finding for one record."""
    return RecordChecks(today).check(rec)


class RecordChecks:
    """The per-record rules for many records, with memory: what a value says about
    itself (F210, F211, F216) is worked out once per distinct value.

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

    def check(self, rec: Record) -> Iterator[Finding]:
        """Every field-level finding for one record, in the order of :func:`check_record`."""
        yield from _required(rec)
        yield from _dates(rec, self.today)
        yield from _urls(rec)
        for name, tex in rec.tex.items():
            verbatim = name in VERBATIM
            seen = self._said_verbatim if verbatim else self._said_other
            said = seen.get(tex)
            if said is None:
                if len(seen) >= self.limit:
                    seen.clear()
                said = seen[tex] = self._about_value(tex, verbatim)
            for code, message in said:
                yield finding(code, f"{name}: {message}", **_at(rec, name))  # type: ignore[arg-type]
        yield from _value_forms(rec)

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


def _at(rec: Record, name: str | None = None) -> dict[str, object]:
    line, col = rec.location(name)
    return {"file": rec.file, "line": line, "column": col, "key": rec.key}


def _required(rec: Record) -> Iterator[Finding]:
    for spec in REQUIRED.get(rec.entry_type, ("title",)):
        if not _present(rec, spec):
            yield finding("F201", f"@{rec.entry_type} needs {_spec_name(spec)}", **_at(rec))  # type: ignore[arg-type]
    newspaper = rec.fields.get("entrysubtype", "").lower() in ("newspaper", "magazine")
    for spec in RECOMMENDED.get(rec.entry_type, ()):
        if spec == "author" and newspaper:
            continue
        if not _present(rec, spec):
            yield finding("F215", f"@{rec.entry_type} usually has {_spec_name(spec)}", **_at(rec))  # type: ignore[arg-type]
    has_link = _present(rec, ("url", "doi", "eprint"))
    if not has_link:
        if rec.entry_type in ONLINE_ONLY:
            yield finding("F208", "online source without a url: its address is unknown", **_at(rec))  # type: ignore[arg-type]
        else:
            yield finding("F209", "no url or doi: the address is unknown", **_at(rec))  # type: ignore[arg-type]


def _dates(rec: Record, today: _dt.date) -> Iterator[Finding]:
    parsed = {}
    for name in DATE_FIELDS:
        value = rec.fields.get(name)
        if value is None:
            continue
        try:
            parsed[name] = parse_edtf(value)
        except DateError as exc:
            if exc.impossible:
                yield finding("F203", f"{name}: {exc}", **_at(rec, name))  # type: ignore[arg-type]
                continue
            fixed = normalise_date(value)
            fix = Fix(rec.key, name, "{" + fixed + "}", f"{name}: {value!r} → {fixed!r}") if fixed else None
            hint = f" (write {fixed})" if fixed else ""
            yield finding("F202", f"{name}: {exc}{hint}", fix=fix, **_at(rec, name))  # type: ignore[arg-type]
    if "date" not in rec.fields and "year" in rec.fields:
        try:
            parsed["date"] = date_from_parts(rec.fields["year"], rec.fields.get("month"),
                                             rec.fields.get("day"))
        except DateError as exc:
            where = "month" if "month" in str(exc) and "month" in rec.fields else "year"
            code = "F203" if exc.impossible else "F202"
            yield finding(code, f"{where}: {exc}", **_at(rec, where))  # type: ignore[arg-type]
    pub = parsed.get("date")
    accessed = parsed.get("urldate")
    if pub and accessed and accessed.latest() and pub.earliest() and accessed.latest() < pub.earliest():  # type: ignore[operator]
        yield finding("F204", f"urldate {accessed.iso()} is before the publication date {pub.iso()}",
                      **_at(rec, "urldate"))  # type: ignore[arg-type]
    for name in ("urldate", "archivedate"):
        d = parsed.get(name)
        if d and d.earliest() and d.earliest() > today:  # type: ignore[operator]
            yield finding("F205", f"{name} {d.iso()} is in the future (today is {today.isoformat()})",
                          **_at(rec, name))  # type: ignore[arg-type]
    first = pub.earliest() if pub else None
    if pub and first and first > today:
        yield finding("F214", f"publication date {pub.iso()} is in the future", **_at(rec, "date"))  # type: ignore[arg-type]


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


def _urls(rec: Record) -> Iterator[Finding]:
    for name in URL_FIELDS:
        url = rec.fields.get(name)
        if url is None:
            continue
        problem = url_problem(url)
        if problem:
            yield finding(problem[0], f"{name}: {problem[1]}", **_at(rec, name))  # type: ignore[arg-type]


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


def _value_forms(rec: Record) -> Iterator[Finding]:
    for name, (ok, want) in VALUE_FORMS.items():
        v = rec.fields.get(name)
        if v is not None and not ok(v.strip()):
            yield finding("F213", f"{name} {v!r} should be {want}", **_at(rec, name))  # type: ignore[arg-type]
