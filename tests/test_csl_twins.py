"""Items with the same data under different ids ("twins"): found once, their work shared."""

from __future__ import annotations

from typing import Any

import pytest

from bibvault.csl import Processor, load_style, parse_style
from bibvault.csl.element import Evaluation, Trace
from bibvault.csl.items import twin_ids
from bibvault.csl.richtext import Content
from bibvault.csl.sorting import sort_ids
from bibvault.csl.state import Cite


def _style(keys: str, macros: str = "") -> str:
    return ('<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">'
            '<info><title>T</title><id>t</id></info>'
            '<macro name="author"><names variable="author"><name name-as-sort-order="all"/>'
            '<substitute><text variable="title"/></substitute></names></macro>'
            f'{macros}<citation><layout><text macro="author"/></layout></citation>'
            f'<bibliography><sort>{keys}</sort><layout><group delimiter=". "><text macro="author"/>'
            '<text variable="title"/><date variable="issued"><date-part name="year"/></date>'
            '</group></layout></bibliography></style>')


def _paper(id_: str, family: str, title: str, year: int = 2020) -> dict[str, Any]:
    return {"id": id_, "type": "article-journal", "title": title, "author": [{"family": family, "given": "Ann"}],
            "issued": {"date-parts": [[year]]}}


def _with_twins(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return items + [dict(i, id=f"{i['id']}-copy") for i in items]


def test_twins_are_items_with_the_same_data_and_another_id() -> None:
    items = {i["id"]: i for i in _with_twins([_paper("a", "Lee", "Trees"), _paper("b", "Lee", "Trees", 2021)])}
    items["c"] = _paper("c", "Lee", "Trees")  # the same as a, later than a's copy
    items["d"] = dict(_paper("d", "Lee", "Trees"), note="a note")  # one field more
    items["e"] = _paper("e", "Lee", "Trees", 2019)  # the same fields, another value
    assert twin_ids(items, list(items)) == {"a-copy": "a", "b-copy": "b", "c": "a"}
    # Only the ids asked about count, in their order.
    assert twin_ids(items, ["c", "a-copy", "a"]) == {"a-copy": "c", "a": "c"}


def test_twins_work_out_each_sort_key_once_and_sort_as_without_sharing() -> None:
    style = parse_style(_style('<key macro="author"/><key variable="title"/><key variable="issued"/>'))
    items = _with_twins([_paper("z", "Zhu", "Maps"), _paper("k", "Kim", "Graphs"), _paper("k2", "Kim", "Graphs", 2019),
                         _paper("m", "Moe", "Lists")])
    proc = Processor(style, items)
    sort = style.bibliography.sort if style.bibliography is not None else None
    asked: list[str] = []

    def make(item_id: str, overrides: dict[str, str]) -> Evaluation:
        asked.append(item_id)
        return proc.evaluation(item_id, "bibliography", name_overrides=overrides)

    numbers = {i: n + 1 for n, i in enumerate(proc.registered)}
    alone = sort_ids(proc.registered, sort, make, proc.collator, numbers)
    assert sorted(asked) == sorted(proc.registered * 3)  # twins tie on every key
    asked.clear()
    shared = sort_ids(proc.registered, sort, make, proc.collator, numbers,
                      {i: (t, True) for i, t in proc.twins.items()})
    assert shared == alone == ["k2", "k2-copy", "k", "k-copy", "m", "m-copy", "z", "z-copy"]
    # Each key once per pair of twins.
    assert sorted(asked) == sorted(proc.registered[:4] * 3)


def test_keys_that_print_the_citation_number_are_worked_out_for_each_twin() -> None:
    number = '<macro name="number"><text variable="citation-number"/></macro>'
    year = '<macro name="year"><date variable="issued" form="text" date-parts="year"/></macro>'
    style = parse_style(_style('<key macro="author"/><key macro="number" sort="descending"/><key macro="year"/>',
                               number + year))
    assert style.bibliography is not None and style.bibliography.sort is not None
    assert [(k.per_cite, k.reads_suffix) for k in style.bibliography.sort.keys] == [
        (False, False), (True, False), (False, True)]
    items = _with_twins([_paper("b", "Bo", "Sets"), _paper("a", "Ali", "Bags")])
    # The citation numbers are the twins' only difference, and they sort descending.
    order = [i for i, _ in Processor(style, items).bibliography()]
    assert order == ["a-copy", "a", "b-copy", "b"]


def test_keys_that_print_the_year_suffix_are_shared_only_by_twins_with_the_same_suffix() -> None:
    suffix = '<macro name="suffix"><text variable="year-suffix"/></macro>'
    style = parse_style(_style('<key macro="author"/><key macro="suffix" sort="descending"/>', suffix))
    proc = Processor(style, _with_twins([_paper("a", "Ali", "Bags")]))
    proc.disamb["a"].year_suffix, proc.disamb["a-copy"].year_suffix = 0, 1
    sort = style.bibliography.sort if style.bibliography is not None else None

    def order(same_suffix: bool) -> list[str]:
        return sort_ids(proc.registered, sort, lambda i, o: proc.evaluation(i, "bibliography", name_overrides=o),
                        proc.collator, {}, {"a-copy": ("a", same_suffix)})

    assert order(same_suffix=False) == ["a-copy", "a"]  # "b" before "a", descending
    assert order(same_suffix=True) == ["a", "a-copy"]  # the key shared: a tie


class _Counting(Processor):
    """A processor that counts the cites it renders."""

    renders = 0

    def render_cite(self, cite: Cite, *, suppress_names: bool = False,
                    no_suffix: bool = False) -> tuple[Content, Trace]:
        self.renders += 1
        return super().render_cite(cite, suppress_names=suppress_names, no_suffix=no_suffix)


@pytest.mark.parametrize("name", ["apa", "chicago-author-date", "modern-language-association"])
def test_twins_cost_their_own_plain_cites_and_nothing_in_the_walks(name: str) -> None:
    def paper(id_: str, family: str, title: str) -> dict[str, Any]:
        authors = [{"family": family, "given": "Ann"}, {"family": "Roe", "given": "Bo"}, {"family": "Poe", "given": "Cy"}]
        return {"id": id_, "type": "article-journal", "title": title, "author": authors,
                "issued": {"date-parts": [[2020]]}}

    # Lee 2020 twice: one group to walk. With copies every item is in a group.
    items = [paper("a", "Lee", "Trees"), paper("b", "Lee", "Maps"), paper("c", "Kim", "Sets"), paper("d", "Ito", "Bags")]
    style = load_style(name)
    alone = _Counting(style, items)
    with_copies = _Counting(style, _with_twins(items))
    alone.bibliography()
    with_copies.bibliography()
    # Each copy's cite as first and as cited again, and no more: the walks of groups
    # of twins render nothing, and twins in a group with others render as one.
    assert with_copies.renders <= alone.renders + 2 * len(items)
