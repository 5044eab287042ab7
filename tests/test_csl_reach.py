"""Groups and macros passed over without a walk: the same output as walking them.

bibvault.csl.reach sums up, per item type, what a group does for an item that
lacks its variables, and cs:choose remembers its branch for the items of one type
holding the same tested variables. These tests render with that machinery and
with it switched off (every group walked, every condition tested) and compare.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bibvault.csl import Processor, load_style, parse_style
from bibvault.csl import groups as groups_module
from bibvault.csl import text as text_module
from bibvault.csl.element import Evaluation, Summaries
from bibvault.csl.groups import Choose, Group
from bibvault.csl.reach import ALWAYS, MAYBE, NEVER
from bibvault.csl.state import Cite, Disamb, Request

CORPUS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "csl-corpus.json").read_text(encoding="utf-8"))


def _walk_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch the pass-over and the remembered branches off."""
    monkeypatch.setattr(groups_module, "passes_over", lambda el, ev: False)
    monkeypatch.setattr(text_module, "passes_over", lambda el, ev: False)
    monkeypatch.setattr(Choose, "_decided", lambda self, s: groups_module._OPEN)


def _everything(name_or_xml: str, items: list[dict[str, Any]]) -> list[Any]:
    style = parse_style(name_or_xml) if name_or_xml.startswith("<") else load_style(name_or_xml)
    proc = Processor(style, items, locale="en-US")
    ids = [str(i["id"]) for i in items]
    n = len(ids)
    notes: list[list[str | dict[str, Any]]] = [[ids[k % n]] if k % 3 else [ids[k % n], {"id": ids[(k + 1) % n], "locator": "12"}] for k in range(30)]
    return [proc.bibliography("text"), proc.bibliography("html", links=True), [proc.cite([i]) for i in ids],
            Processor(style, items, locale="en-US").cite_sequence(notes, "html")]


@pytest.mark.parametrize("name", ["apa", "modern-language-association", "chicago-notes-bibliography"])
def test_passing_over_prints_what_the_walk_prints(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _everything(name, CORPUS)
    _walk_everything(monkeypatch)
    assert _everything(name, CORPUS) == fast


def _style(layout: str, macros: str = "") -> str:
    return ('<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">'
            f'<info><title>T</title><id>t</id></info>{macros}'
            '<citation><layout><text variable="title"/></layout></citation>'
            f'<bibliography><layout>{layout}</layout></bibliography></style>')


# A suppressed group that holds a term still marks the output as started: the term
# that follows is then not capitalised as the opening of the entry.
TERM_AFTER_EMPTY_GROUP = _style(
    '<group><text term="in"/><text variable="DOI"/></group><text term="no date" form="short"/>'
    '<text variable="title" prefix=" "/>')


@pytest.mark.parametrize("items", [
    [{"id": "a", "type": "book", "title": "Alpha"}],
    [{"id": "a", "type": "book", "title": "Alpha", "DOI": "10.1/x"}],
])
def test_a_dropped_term_still_starts_the_output(items: list[dict[str, Any]],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _everything(TERM_AFTER_EMPTY_GROUP, items)
    _walk_everything(monkeypatch)
    assert _everything(TERM_AFTER_EMPTY_GROUP, items) == fast


def _reach(xml: str, item: dict[str, Any]) -> tuple[Group, Summaries, Evaluation]:
    style = parse_style(xml)
    assert style.bibliography is not None
    group = style.bibliography.layout.children[0]
    assert isinstance(group, Group)
    proc = Processor(style, [item], locale="en-US")
    ev = Evaluation(proc.env, Request(proc.items[str(item["id"])], Cite(id=str(item["id"])), "bibliography",
                                      Disamb()))
    return group, ev.summaries, ev


def test_summary_of_a_group_of_variables_and_terms() -> None:
    group, s, ev = _reach(_style('<group><text term="in"/><text variable="DOI"/>'
                                 '<number variable="volume"/></group>'), {"id": "a", "type": "book"})
    r = group.reach(s)
    assert r.variables == {"DOI", "volume"}
    assert (r.exact, r.calls, r.silent, r.prints, r.skippable) == (True, ALWAYS, True, True, True)
    # Nothing has printed yet: the group is walked, for its term.
    assert not ev.output_started
    assert groups_module.passes_over(group, ev) is False
    ev.output_started = True
    called = ev.called
    assert groups_module.passes_over(group, ev) is True
    assert ev.called == called + 1


def test_summary_follows_the_branch_the_type_takes() -> None:
    xml = _style('<group><choose><if type="book"><text variable="publisher"/></if>'
                 '<else><text term="in"/></else></choose><text variable="DOI"/></group>')
    book, s, _ = _reach(xml, {"id": "a", "type": "book"})
    assert book.reach(s).variables == {"publisher", "DOI"}
    assert book.reach(s).silent
    # An article takes the term: the group still calls DOI, so it is suppressed.
    article, s, _ = _reach(xml, {"id": "a", "type": "article"})
    assert article.reach(s).variables == {"DOI"}
    assert article.reach(s).silent and article.reach(s).prints


def test_summary_of_a_group_without_variables_prints() -> None:
    group, s, _ = _reach(_style('<group><text term="in"/><text value="x"/></group>'), {"id": "a", "type": "book"})
    r = group.reach(s)
    assert (r.calls, r.silent, r.skippable) == (NEVER, False, False)


@pytest.mark.parametrize("inner", [
    '<text variable="DOI"/><text variable="locator"/>',  # computed from the cite
    '<text variable="DOI"/><choose><if disambiguate="true"><text variable="title"/></if></choose>',
    # Whether a variable is called at all depends on the cite.
    '<choose><if position="subsequent"><text variable="title"/></if></choose>',
])
def test_what_the_summary_cannot_know_is_walked(inner: str) -> None:
    group, s, _ = _reach(_style(f"<group>{inner}</group>"), {"id": "a", "type": "book"})
    r = group.reach(s)
    assert not r.skippable
    assert not r.exact or r.calls == MAYBE


def test_a_branch_the_cite_decides_still_suppresses_with_a_called_variable() -> None:
    group, s, _ = _reach(_style('<group><text variable="DOI"/><choose><if position="subsequent">'
                                '<text variable="title"/></if><else><text term="in"/></else></choose></group>'),
                         {"id": "a", "type": "book"})
    r = group.reach(s)
    assert r.skippable and r.variables == {"DOI", "title"}


def test_a_macro_that_calls_itself_is_walked() -> None:
    xml = _style('<group><text macro="m"/></group>',
                 '<macro name="m"><group><text variable="DOI"/><text macro="m"/></group></macro>')
    group, s, _ = _reach(xml, {"id": "a", "type": "book"})
    assert not group.reach(s).skippable
