"""Dates: EDTF level 0/1 parsing and the safe normalisation."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bibvault.edtf import DateError, date_from_parts, normalise_date, parse_edtf


@pytest.mark.parametrize("text, iso", [
    ("2021", "2021"),
    ("2021-09", "2021-09"),
    ("2021-09-03", "2021-09-03"),
    ("2021-09-03T15:52:00Z", "2021-09-03"),
    ("2021~", "2021~"),
    ("2021-09?", "2021-09?"),
    ("2021-09-03%", "2021-09-03%"),
    ("2021-21", "2021-21"),
    ("201X", "2010"),
    ("2020/2021", "2020/2021"),
    ("2020-05/..", "2020-05/.."),
    ("../2020", "../2020"),
    ("/2020", "/2020"),
    ("2024-02-29", "2024-02-29"),
])
def test_valid_dates(text: str, iso: str) -> None:
    assert parse_edtf(text).iso() == iso


@pytest.mark.parametrize("text", ["21-09-2021", "2021-9-3", "September 2021", "2021/09/03",
                                  "", "20211", "2021-09-03T"])
def test_invalid_dates(text: str) -> None:
    with pytest.raises(DateError) as info:
        parse_edtf(text)
    assert not info.value.impossible


@pytest.mark.parametrize("text", ["2021-02-30", "2023-02-29", "2021-13", "2021-00-10",
                                  "2021-04-31", "2022/2021", "2021-09-03T25:00"])
def test_impossible_dates(text: str) -> None:
    with pytest.raises(DateError) as info:
        parse_edtf(text)
    assert info.value.impossible


def test_interval_bounds() -> None:
    d = parse_edtf("2022-09")
    assert d.earliest() == dt.date(2022, 9, 1)
    assert d.latest() == dt.date(2022, 9, 30)
    r = parse_edtf("2020/2021-02")
    assert r.earliest() == dt.date(2020, 1, 1)
    assert r.latest() == dt.date(2021, 2, 28)


def test_parts() -> None:
    assert date_from_parts("2021", "sep").iso() == "2021-09"
    assert date_from_parts("2021", "9", "3").iso() == "2021-09-03"
    with pytest.raises(DateError):
        date_from_parts("in press")
    with pytest.raises(DateError) as info:
        date_from_parts("2021", "13")
    assert info.value.impossible


@pytest.mark.parametrize("loose, canonical", [
    ("2021-9-3", "2021-09-03"),
    ("2021.09.03", "2021-09-03"),
    ("3 September 2021", "2021-09-03"),
    ("Sept. 3, 2021", "2021-09-03"),
    ("September 3rd, 2021", "2021-09-03"),
    ("September 2022", "2022-09"),
    ("2021-09-03", None),
    ("3/9/2021", None),
    ("2021-2-30", None),
])
def test_normalise(loose: str, canonical: str | None) -> None:
    assert normalise_date(loose) == canonical


@given(st.dates(min_value=dt.date(1, 1, 1)))
def test_iso_dates_round_trip(d: dt.date) -> None:
    parsed = parse_edtf(d.isoformat())
    assert parsed.earliest() == d == parsed.latest()
    assert parsed.iso() == d.isoformat()


@given(st.text(max_size=30))
def test_parse_never_raises_anything_but_date_error(text: str) -> None:
    try:
        parsed = parse_edtf(text)
    except DateError:
        pass
    else:
        parsed.earliest(), parsed.latest(), parsed.sort_key()
    normalise_date(text)


@pytest.mark.parametrize("text, earliest, latest", [
    ("Y17000002", dt.date(9999, 1, 1), dt.date(9999, 12, 31)),
    ("Y-17000002", dt.date(1, 1, 1), dt.date(1, 12, 31)),
    ("-0500-02", dt.date(1, 2, 1), dt.date(1, 2, 28)),
])
def test_years_beyond_the_calendar_compare(text: str, earliest: dt.date, latest: dt.date) -> None:
    # EDTF years outside 1-9999 are valid; comparing them with real dates must not fail.
    parsed = parse_edtf(text)
    assert (parsed.earliest(), parsed.latest()) == (earliest, latest)
