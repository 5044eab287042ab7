"""Choosing, grouping and ordering records for the reading list."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from bibvault.config import Config, Section, Topic
from bibvault.records import Record
from bibvault.site.listing import Filters, group_records, select, sort_records


def rec(key: str, entry_type: str = "article", date: str | None = None,
        keywords: str = "", title: str | None = None) -> Record:
    fields = {"title": title or f"Title {key}"}
    if date:
        fields["date"] = date
    if keywords:
        fields["keywords"] = keywords
    return Record(key=key, entry_type=entry_type, source_type=entry_type, file="t.bib",
                  line=1, fields=MappingProxyType(fields), tex=MappingProxyType(dict(fields)))


CONFIG = Config(
    topics={"nrf": Topic("National Resistance Front"), "exile": Topic("Government in exile")},
    sections=(Section("reports", "Reports", ("report",)),
              Section("news", "News", ("article", "online")),
              Section("books", "Books", ("book",))),
)

RECORDS = [
    rec("a", "article", "2021-09-03", "nrf"),
    rec("b", "report", "2022-09", "nrf, exile"),
    rec("c", "online", None, "exile"),
    rec("d", "article", "2023-08-29"),
    rec("e", "video", "2022-12-29", "nrf, unknown-topic"),
    rec("f", "article", "2022-09-08", "NRF"),
]


def keys(records) -> list[str]:
    return [r.key for r in records]


def test_newest_first_with_undated_last():
    assert keys(sort_records(RECORDS)) == ["d", "e", "f", "b", "a", "c"]


def test_oldest_first_still_puts_undated_last():
    assert keys(sort_records(RECORDS, "oldest-first")) == ["a", "b", "f", "e", "d", "c"]


def test_same_date_ties_break_by_title_then_key():
    same = [rec("z", date="2020", title="Beta"), rec("y", date="2020", title="alpha"),
            rec("x", date="2020", title="Beta")]
    assert keys(sort_records(same)) == ["y", "x", "z"]


def test_unknown_order_is_refused():
    with pytest.raises(ValueError, match="unknown order"):
        sort_records(RECORDS, "random")


def test_sections_follow_configuration_and_keep_empty_ones():
    groups = group_records(RECORDS, CONFIG, "section")
    assert [(g.id, keys(g.records)) for g in groups] == [
        ("reports", ["b"]),
        ("news", ["d", "f", "a", "c"]),
        ("books", []),
        ("other", ["e"]),
    ]


def test_empty_sections_can_be_dropped():
    groups = group_records(RECORDS, CONFIG, "section", keep_empty=False)
    assert "books" not in [g.id for g in groups]


def test_topic_grouping_repeats_records_and_collects_strays():
    groups = group_records(RECORDS, CONFIG, "topic")
    assert [(g.title, keys(g.records)) for g in groups] == [
        ("National Resistance Front", ["e", "f", "b", "a"]),
        ("Government in exile", ["b", "c"]),
        ("unknown-topic", ["e"]),
        ("Untagged", ["d"]),
    ]


def test_year_grouping_newest_year_first_and_undated_last():
    groups = group_records(RECORDS, CONFIG, "year")
    assert [(g.title, keys(g.records)) for g in groups] == [
        ("2023", ["d"]), ("2022", ["e", "f", "b"]), ("2021", ["a"]), ("Undated", ["c"]),
    ]


def test_type_and_none_grouping():
    by_type = group_records(RECORDS, CONFIG, "type")
    assert [(g.title, keys(g.records)) for g in by_type] == [
        ("Articles", ["d", "f", "a"]), ("Web pages", ["c"]), ("Reports", ["b"]),
        ("Videos", ["e"]),
    ]
    (only,) = group_records(RECORDS, CONFIG, "none")
    assert keys(only.records) == ["d", "e", "f", "b", "a", "c"]


def test_filters_combine_and_alternatives_within_one_filter():
    assert keys(select(RECORDS, Filters(topics=("exile",)))) == ["b", "c"]
    assert keys(select(RECORDS, Filters(topics=("nrf",), types=("article",)))) == ["a", "f"]
    assert keys(select(RECORDS, Filters(types=("report", "video")))) == ["b", "e"]
    assert keys(select(RECORDS, Filters(keys=("c", "a")))) == ["a", "c"]


def test_date_filters_are_inclusive_and_drop_undated_records():
    assert keys(select(RECORDS, Filters(since="2022-09-08"))) == ["b", "d", "e", "f"]
    assert keys(select(RECORDS, Filters(until="2022-09"))) == ["a", "b", "f"]
    assert keys(select(RECORDS, Filters(since="2022", until="2022"))) == ["b", "e", "f"]


def test_a_bad_filter_date_is_an_error():
    with pytest.raises(ValueError, match="not a date"):
        select(RECORDS, Filters(since="last week"))
