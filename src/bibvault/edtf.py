"""Dates as biblatex writes them: ISO 8601 / EDTF level 0 and 1.

:func:`parse_edtf` reads a date field; :func:`normalise_date` proposes the
canonical spelling of a date written loosely (``2021-9-3``, ``3 September
2021``) for the safe ``--fix``.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass
from functools import lru_cache

MONTHS = {
    name.lower(): i
    for i, name in enumerate(calendar.month_name)
    if name
} | {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name} | {"sept": 9}

SEASONS = {21: "spring", 22: "summer", 23: "autumn", 24: "winter"}


class DateError(ValueError):
    """A date that is not valid EDTF level 0/1. ``impossible`` marks well-formed but
    non-existent dates such as 2021-02-30."""

    def __init__(self, message: str, *, impossible: bool = False) -> None:
        super().__init__(message)
        self.impossible = impossible


def _calendar_year(year: int) -> int:
    """``year`` within what :class:`datetime.date` holds (1–9999).

    EDTF allows years such as Y17000002 or -0500; for comparisons with real
    dates, "before year 1" and "after 9999" are as good as the exact year.
    """
    return min(max(year, _dt.MINYEAR), _dt.MAXYEAR)


def _calendar_date(year: int, month: int, day: int) -> _dt.date:
    """A :class:`datetime.date` for a day of any EDTF year (the year kept within 1–9999)."""
    kept = _calendar_year(year)
    return _dt.date(kept, month, min(day, calendar.monthrange(kept, month)[1]))


@dataclass(frozen=True)
class DatePoint:
    """One calendar point: year with optional month (or season 21–24) and day."""

    year: int
    month: int | None = None
    day: int | None = None
    approximate: bool = False
    uncertain: bool = False
    unspecified: bool = False  # written with X digits, e.g. 201X

    @property
    def season(self) -> int | None:
        """The EDTF season code (21 spring … 24 winter) when the month field holds one."""
        return self.month if self.month and self.month > 20 else None

    def earliest(self) -> _dt.date:
        """The first day this point may denote (for comparisons)."""
        month = self.month if self.month and self.month <= 12 else 1
        if self.season:
            month = {21: 3, 22: 6, 23: 9, 24: 12}[self.season]
        return _calendar_date(self.year, month, self.day or 1)

    def latest(self) -> _dt.date:
        """The last day this point may denote."""
        if self.month is None or self.season:
            month = 12 if self.month is None else {21: 5, 22: 8, 23: 11, 24: 12}[self.month]
        else:
            month = self.month
        year = _calendar_year(self.year)
        return _calendar_date(self.year, month, self.day or calendar.monthrange(year, month)[1])

    def iso(self) -> str:
        """The canonical EDTF spelling of this point."""
        text = f"{self.year:04d}" if self.year >= 0 else f"-{-self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        if self.approximate and self.uncertain:
            text += "%"
        elif self.approximate:
            text += "~"
        elif self.uncertain:
            text += "?"
        return text


@dataclass(frozen=True)
class EDTFDate:
    """A parsed date field: a point, or an interval whose ends may be open or unknown."""

    raw: str
    start: DatePoint | None
    end: DatePoint | None = None
    is_range: bool = False
    open_start: bool = False
    open_end: bool = False

    def sort_key(self) -> tuple[int, int, int]:
        """A key for "newest first" ordering (year, month, day; missing parts as 0)."""
        p = self.start or self.end
        if p is None:
            return (0, 0, 0)
        month = p.month if p.month and p.month <= 12 else 0
        return (p.year, month, p.day or 0)

    def earliest(self) -> _dt.date | None:
        """The first day the date may denote, if it has a known start."""
        return self.start.earliest() if self.start else None

    def latest(self) -> _dt.date | None:
        """The last day the date may denote, if it has a known end."""
        p = self.end if self.is_range else self.start
        return p.latest() if p else None

    @property
    def year(self) -> int | None:
        """The year of the start (or end) point."""
        p = self.start or self.end
        return p.year if p else None

    def iso(self) -> str:
        """The canonical spelling of the whole date."""
        if not self.is_range:
            return self.start.iso() if self.start else ""
        left = self.start.iso() if self.start else (".." if self.open_start else "")
        right = self.end.iso() if self.end else (".." if self.open_end else "")
        return f"{left}/{right}"


_POINT = re.compile(
    r"^(?P<year>-?(?:\d{4}|\d{3}X|\d{2}XX)|Y-?\d{5,})"
    r"(?:-(?P<month>\d{2}|XX)(?:-(?P<day>\d{2}|XX))?)?"
    r"(?:T(?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?))?"
    r"(?P<qual>[?~%])?$"
)


def _parse_point(text: str) -> DatePoint:
    m = _POINT.match(text)
    if not m:
        raise DateError(f"{text!r} is not an ISO 8601 / EDTF date")
    year_s = m["year"]
    unspecified = "X" in text
    if year_s.startswith("Y"):
        year = int(year_s[1:])
    else:
        year = int(year_s.replace("X", "0"))
    month = day = None
    if m["month"]:
        month = None if m["month"] == "XX" else int(m["month"])
        if m["month"] == "XX":
            month = None
        elif not (1 <= month <= 12 or 21 <= month <= 24):  # type: ignore[operator]
            raise DateError(f"{text!r}: month {m['month']} does not exist", impossible=True)
    if m["day"]:
        if m["day"] != "XX":
            day = int(m["day"])
            if month is None or month > 12:
                raise DateError(f"{text!r}: a day needs a month")
            ylen = year if year > 0 else 2000  # leap rules for proleptic years
            if not 1 <= day <= calendar.monthrange(ylen, month)[1]:
                raise DateError(f"{text!r}: {calendar.month_name[month]} {year} has no day {day}",
                                impossible=True)
    if m["time"] and (month is None or day is None):
        raise DateError(f"{text!r}: a time needs a full date")
    if m["time"]:
        hh, mm = int(m["time"][:2]), int(m["time"][3:5])
        if hh > 23 or mm > 59:
            raise DateError(f"{text!r}: time {m['time']} does not exist", impossible=True)
    qual = m["qual"] or ""
    return DatePoint(year, month, day, approximate=qual in "~%" and bool(qual),
                     uncertain=qual in "?%" and bool(qual), unspecified=unspecified)


_YEAR = re.compile(r"-?\d{1,4}")


@lru_cache(maxsize=4096)
def parse_edtf(text: str) -> EDTFDate:
    """Parse an EDTF level 0/1 date or interval; raise :class:`DateError` when invalid."""
    raw = text
    text = text.strip()
    if not text:
        raise DateError("empty date")
    if "/" in text:
        left, _, right = text.partition("/")
        if "/" in right:
            raise DateError(f"{raw!r}: an interval has one '/'")
        start = None if left in ("", "..") else _parse_point(left)
        end = None if right in ("", "..") else _parse_point(right)
        if start is None and end is None:
            raise DateError(f"{raw!r}: an interval needs at least one end")
        if start and end and start.earliest() > end.latest():
            raise DateError(f"{raw!r}: the interval ends before it starts", impossible=True)
        return EDTFDate(raw, start, end, is_range=True, open_start=left == "..",
                        open_end=right == "..")
    return EDTFDate(raw, _parse_point(text))


# Cached: years and months repeat across records, and validation asks for each
# record's date twice (the date rules, then the duplicate index).
@lru_cache(maxsize=4096)
def date_from_parts(year: str | None, month: str | None = None, day: str | None = None) -> EDTFDate:
    """Build a date from BibTeX ``year``/``month``/``day`` fields (month by number or name)."""
    if not year or not _YEAR.fullmatch(year.strip()):
        raise DateError(f"year {year!r} is not a number")
    m: int | None = None
    if month:
        ms = month.strip().lower().rstrip(".")
        if ms.isdigit():
            m = int(ms)
        elif ms in MONTHS:
            m = MONTHS[ms]
        else:
            raise DateError(f"month {month!r} is not a month")
        if not 1 <= m <= 12:
            raise DateError(f"month {month!r} does not exist", impossible=True)
    text = f"{int(year):04d}"
    if m:
        text += f"-{m:02d}"
        if day and day.strip().isdigit():
            text += f"-{int(day):02d}"
    return parse_edtf(text)


_LOOSE_NUMERIC = re.compile(r"^(\d{4})[-.](\d{1,2})(?:[-.](\d{1,2}))?$")
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\.?\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]+)\.?,?\s+(\d{4})$")


def normalise_date(text: str) -> str | None:
    """The canonical EDTF spelling of a loosely written date, or None if unsure.

    Only unambiguous forms are rewritten: padding (``2021-9-3``), dots for
    dashes, and English month names (``3 September 2021``, ``Sept. 3, 2021``).
    Returns None when the text is already canonical or cannot be read safely.
    """
    s = " ".join(text.split())
    candidate: str | None = None
    if m := _LOOSE_NUMERIC.match(s):
        candidate = f"{m[1]}-{int(m[2]):02d}" + (f"-{int(m[3]):02d}" if m[3] else "")
    elif m := _MONTH_DAY_YEAR.match(s):
        if m[1].lower() in MONTHS:
            candidate = f"{m[3]}-{MONTHS[m[1].lower()]:02d}-{int(m[2]):02d}"
    elif m := _DAY_MONTH_YEAR.match(s):
        if m[2].lower() in MONTHS:
            candidate = f"{m[3]}-{MONTHS[m[2].lower()]:02d}-{int(m[1]):02d}"
    elif m := _MONTH_YEAR.match(s):
        if m[1].lower() in MONTHS:
            candidate = f"{m[2]}-{MONTHS[m[1].lower()]:02d}"
    elif s != text:
        candidate = s
    if candidate is None or candidate == text:
        return None
    try:
        parse_edtf(candidate)
    except DateError:
        return None
    return candidate
