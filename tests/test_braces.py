"""The one brace scanner (bibvault.bibfile.braces) against a character-by-character count."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bibvault.bibfile import parse
from bibvault.bibfile.braces import Closing, balanced, closing, group_end
from bibvault.bibfile.model import Entry
from bibvault.bibfile.tex import decode
from bibvault.records import FieldText

SETTINGS = settings(
    max_examples=int(os.environ.get("BIBFILE_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
BRACY = st.text(alphabet='{}()"\\ab \n', max_size=60)


def _reference_closing(text: str, pos: int) -> Closing:
    """The rule spelled out one character at a time (the scanner must agree)."""
    opener = text[pos]
    closer = {"{": "}", '"': '"', "(": ")"}[opener]
    depth = 0
    for i in range(pos if opener == "{" else pos + 1, len(text)):
        c = text[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return Closing(-1, i + 1)
            if depth == 0 and opener == "{":
                return Closing(i + 1, -1)
        elif c == closer and depth == 0:
            return Closing(i + 1, -1)
    return Closing(-1, -1)


def _reference_balanced(text: str, escapes: bool) -> bool:
    depth, i = 0, 0
    while i < len(text):
        c = text[i]
        if escapes and c == "\\" and text[i + 1 : i + 2] in ("{", "}"):
            i += 2
            continue
        depth += (c == "{") - (c == "}")
        if depth < 0:
            return False
        i += 1
    return depth == 0


@SETTINGS
@given(st.sampled_from(['{', '"', '(']), BRACY)
def test_closing_agrees_with_a_character_count(opener: str, rest: str) -> None:
    text = opener + rest
    ref = _reference_closing(text, 0)
    assert closing(text, 0) == ref
    assert group_end(text, 0) == (ref.end if ref.end >= 0 else None)


@SETTINGS
@given(BRACY, st.booleans())
def test_balanced_agrees_with_a_character_count(text: str, escapes: bool) -> None:
    assert balanced(text, escapes) is _reference_balanced(text, escapes)


@pytest.mark.parametrize(("text", "end", "stray"), [
    ("{a{b{c{d}}}}x", 12, -1),           # deeper than the fast pattern knows
    ('"a{"}b" x', 7, -1),                # a quote inside braces does not close
    ('"a}b"', -1, 3),                    # a '}' that closes nothing
    ("(a{)}b) x", 7, -1),                # nor does a ')' inside braces
    ("{never", -1, -1),
])
def test_closing_examples(text: str, end: int, stray: int) -> None:
    assert closing(text, 0) == Closing(end, stray)


def test_deep_nesting_is_one_value_to_the_reader() -> None:
    value = "{" * 40 + "x" + "}" * 40
    bf = parse("@misc{k, title = " + value + ", year = 2020}\n")
    entry = bf.entries[0]
    assert isinstance(entry, Entry) and [f.raw_value for f in entry.fields] == [value, "2020"]
    assert not bf.findings


def test_field_text_gives_what_decode_gives_past_its_limit_too() -> None:
    text = FieldText(limit=2)
    values = [r"\'{e}t\'{e}", r"\foo{x} -- y", r"\'{e}t\'{e}", "plain", r"\bar z", "a~b"]
    for tex in values:
        assert text.pair("title", tex) == (tex, " ".join(decode(tex).text.split()))
        assert text.unknown(tex) == decode(tex).unknown
    assert text.unknown(r"\foo{x}") == ("foo",)
    assert text.pair("url", " https://x.org/{a} ") == (" https://x.org/{a} ", "https://x.org/{a}")
    assert text.pair("date", "{2020}-\n 01") == ("{2020}-\n 01", "2020- 01")


def test_field_text_shares_one_string_per_value() -> None:
    text = FieldText()
    first = text.pair("journal", "".join(["Nature", " Physics"]))
    again = text.pair("journal", "".join(["Nature", " Phys", "ics"]))
    assert again[0] is first[0] and again[1] is first[0]  # nothing to decode: one string
