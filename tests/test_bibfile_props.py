"""bibfile properties: parsing never raises, round trips are exact, edits touch only their bytes."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bibvault.bibfile import parse
from bibvault.bibfile.namelist import name_problems, parse_names
from bibvault.bibfile.tex import to_rich_text, to_unicode

BIBLIKE = "@{}()\"'#=,%\\~ \t\r\nabcAB019-_:."
# BIBFILE_EXAMPLES=2000 for a longer hunt
SETTINGS = settings(
    max_examples=int(os.environ.get("BIBFILE_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# -- (1) nothing makes parse raise ------------------------------------------------------
@SETTINGS
@given(st.one_of(st.text(), st.text(alphabet=BIBLIKE, max_size=300)))
def test_parse_never_raises_on_text(text: str) -> None:
    bf = parse(text)
    assert bf.to_text() == text
    pos = 0
    for block in bf.blocks:
        assert block.start == pos and block.raw == text[block.start : block.end]
        pos = block.end
    assert pos == len(text)
    for f in bf.findings:
        assert f.line >= 1 and f.column >= 1 and f.code.startswith("B1")


@SETTINGS
@given(st.binary(max_size=300))
def test_parse_never_raises_on_bytes_and_round_trips(data: bytes) -> None:
    assert parse(data).to_bytes() == data


@SETTINGS
@given(st.one_of(st.text(), st.text(alphabet=BIBLIKE + "^`v", max_size=200)))
def test_latex_and_names_never_raise(text: str) -> None:
    assert isinstance(to_unicode(text), str)
    assert isinstance(to_rich_text(text), str)
    parse_names(text)
    name_problems(text)


# -- generated well-formed files --------------------------------------------------------
@dataclass
class Generated:
    text: str
    keys: list[str]
    values: list[dict[str, str]]  # per entry: lower-case field name -> expected expansion


SPACE = st.sampled_from([" ", "", "  ", "\t", "\n", "\r\n", "\n    "])
NEWLINE = st.sampled_from(["\n", "\r\n"])
KEY = st.from_regex(r"[A-Za-z][A-Za-z0-9:_\-./+]{0,10}", fullmatch=True)
NAME = st.from_regex(r"[a-z][a-z_\-]{0,8}", fullmatch=True)
PLAIN_CHARS = st.text(alphabet="abc XYZ,.;:!?=%'\\~$#-\n0123456789", max_size=15)
# an "@" never follows a line break here: that is where the scanner suspects a new entry
PLAIN = st.one_of(PLAIN_CHARS, st.just(" me@example.org "), st.just("x @misc{y} "))
MACROS = {"acm": "Association", "pub": "Publisher {X}"}


def _braced_body(depth: int = 2) -> st.SearchStrategy[str]:
    if depth == 0:
        return PLAIN
    inner = _braced_body(depth - 1)
    return st.lists(st.one_of(PLAIN, inner.map(lambda s: "{" + s + "}")), max_size=3).map("".join)


@st.composite
def values(draw: st.DrawFn) -> tuple[str, str]:
    """A raw value and what it expands to."""
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["braced", "quoted", "number", "macro", "month"]))
        if kind == "braced":
            body = draw(_braced_body())
            parts.append(("{" + body + "}", body))
        elif kind == "quoted":
            body = draw(_braced_body()).replace('"', "")
            parts.append(('"' + body + '"', body))
        elif kind == "number":
            n = str(draw(st.integers(0, 99999)))
            parts.append((n, n))
        elif kind == "macro":
            name = draw(st.sampled_from(sorted(MACROS)))
            parts.append((name, MACROS[name]))
        else:
            month = draw(st.sampled_from(["jan", "Feb", "DEC"]))
            parts.append(
                (month, {"jan": "January", "feb": "February", "dec": "December"}[month.lower()])
            )
    joiner = draw(st.sampled_from([" # ", "#", "\n  # "]))
    return joiner.join(p[0] for p in parts), "".join(p[1] for p in parts)


@st.composite
def bib_files(draw: st.DrawFn) -> Generated:
    nl = draw(NEWLINE)
    out = ["@string{acm = {Association}}" + nl, '@STRING( pub = "Publisher {X}" )' + nl]
    keys: list[str] = []
    expected: list[dict[str, str]] = []
    for _ in range(draw(st.integers(1, 4))):
        out.append(draw(st.sampled_from(["", nl, "% a comment" + nl, "free text" + nl + nl])))
        key = draw(KEY.filter(lambda k: k.lower() not in {x.lower() for x in keys}))
        opener, closer = draw(st.sampled_from([("{", "}"), ("(", ")")]))
        indent = draw(st.sampled_from(["  ", "\t", "    "]))
        eq = draw(st.sampled_from([" = ", "=", "\t=\t", "  = "]))
        names = draw(st.lists(NAME, max_size=5, unique_by=str.lower))
        fields = {}
        body = [f"@{draw(st.sampled_from(['article', 'Misc', 'BOOK']))}{opener}{key}"]
        comma_first = draw(st.booleans())
        for name in names:
            raw, value = draw(values())
            if comma_first:
                body.append(f"{nl}{indent}, {name}{eq}{raw}")
            else:
                body.append(f",{nl}{indent}{name}{eq}{raw}")
            fields[name.lower()] = value
        if draw(st.booleans()):
            body.append(",")
        body.append(nl + closer + nl)
        out.append("".join(body))
        keys.append(key)
        expected.append(fields)
    return Generated("".join(out), keys, expected)


# -- (3) round trips of generated files ---------------------------------------------------
@SETTINGS
@given(bib_files(), st.booleans())
def test_generated_files_round_trip_and_read_as_written(gen: Generated, as_bytes: bool) -> None:
    bf = parse(gen.text.encode("utf-8") if as_bytes else gen.text)
    assert bf.to_text() == gen.text
    assert bf.findings == []
    assert [e.key for e in bf.entries] == gen.keys
    for entry, fields in zip(bf.entries, gen.values, strict=True):
        assert {f.name.lower(): entry.value(f.name) for f in entry.fields} == fields
        assert all(f.raw_value == gen.text[f.value_start : f.value_end] for f in entry.fields)
        # one pass over the entry finds every field where asking each one does
        assert entry.field_positions() == {f.name.lower(): (f.line, f.column)
                                           for f in entry.fields}


# -- (2) random edits change only their bytes ---------------------------------------------
def _changed_span(before: str, after: str) -> tuple[str, str]:
    """The smallest middle parts that differ: (removed from before, put in after)."""
    limit = min(len(before), len(after))
    p = 0
    while p < limit and before[p] == after[p]:
        p += 1
    s = 0
    while s < limit - p and before[-1 - s] == after[-1 - s]:
        s += 1
    return before[p : len(before) - s], after[p : len(after) - s]


def _deleted_around(before: str, after: str, start: int, end: int) -> str | None:
    """The text whose deletion (one span covering start..end, plus possibly one comma
    before it) turns ``before`` into ``after``; None if no such deletion exists."""
    candidates = [(before, start, end, "")]
    for c in range(max(0, start - 100), start):
        if before[c] == ",":
            candidates.append((before[:c] + before[c + 1 :], start - 1, end - 1, ","))
    for text, s, e, comma in candidates:
        d = len(text) - len(after)
        for i in range(max(0, e - d), s + 1):
            if text[:i] + text[i + d :] == after:
                return comma + text[i : i + d]
    return None


@SETTINGS
@given(bib_files(), st.data())
def test_random_edits_touch_only_their_bytes(gen: Generated, data: st.DataObject) -> None:
    bf = parse(gen.text)
    index = data.draw(st.integers(0, len(gen.keys) - 1))
    key = gen.keys[index]
    entry = bf.get(key)
    assert entry is not None
    before = bf.to_text()
    action = data.draw(st.sampled_from(["set", "add", "remove"]))
    if action == "remove" and not entry.fields:
        action = "add"
    if action == "set" and entry.fields:
        field = data.draw(st.sampled_from(entry.fields))
        raw, value = data.draw(values())
        start, end = field.value_start, field.value_end
        bf.set_field(key, field.name, raw)
        assert bf.to_text() == before[:start] + raw + before[end:]
        name = field.name.lower()
    elif action in ("set", "add"):
        name = data.draw(NAME.filter(lambda n: entry.field(n) is None))
        raw, value = data.draw(values())
        bf.set_field(key, name, raw)
        removed, inserted = _changed_span(before, bf.to_text())
        assert removed == ""
        assert raw in inserted and name in inserted
    else:
        field = data.draw(st.sampled_from(entry.fields))
        text_of_field = before[field.start : field.end]
        bf.remove_field(key, field.name)
        removed = _deleted_around(before, bf.to_text(), field.start, field.end)
        assert removed is not None
        assert re.sub(r"[\s,]", "", removed) == re.sub(r"[\s,]", "", text_of_field)
        name, value = field.name.lower(), None  # type: ignore[assignment]
    reread = parse(bf.to_text())
    assert reread.findings == []
    assert [e.key for e in reread.entries] == gen.keys
    for i, (entry_now, fields) in enumerate(zip(reread.entries, gen.values, strict=True)):
        expected = dict(fields)
        if i == index:
            if value is None:
                expected.pop(name)
            else:
                expected[name] = value
        assert {f.name.lower(): entry_now.value(f.name) for f in entry_now.fields} == expected
