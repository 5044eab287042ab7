"""Disambiguation of cites: given names, added names, the condition, year suffixes."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Protocol

from bibvault.csl.ambiguity import Walk, to_disamb
from bibvault.csl.compile import Citation
from bibvault.csl.state import Disamb


class Disambiguable(Protocol):
    """What disambiguation needs: the cites as plain text under the current choices,
    the choices themselves, and the names a cite shows."""

    registered: list[str]
    disamb: dict[str, Disamb]

    @property
    def citation(self) -> Citation | None: ...

    @property
    def position_sensitive(self) -> bool: ...

    @property
    def disambiguate_tests(self) -> int: ...

    def bibliography_order(self) -> list[str]: ...

    def plain_form(self, item_id: str, position: int = 0) -> str: ...

    def names_source(self, item_id: str) -> tuple[list[dict[str, Any]], object]: ...

    def name_at_level(self, item_id: str, name: dict[str, Any], index: int, level: int) -> str: ...

    def form_under(self, item_id: str, disamb: Disamb) -> str: ...

    def names_count(self, item_id: str) -> int: ...

    def names_shown(self, item_id: str) -> int: ...

    def given_default(self, item_id: str) -> tuple[int, bool]: ...

    def has_given(self, item_id: str, index: int) -> bool: ...


def _forms(proc: Disambiguable, ids: list[str]) -> dict[str, tuple[str, ...]]:
    """Each cite as first cited and, for styles that vary by position, as cited again."""
    positions = (0, 1) if proc.position_sensitive else (0,)
    return {i: tuple(proc.plain_form(i, p) for p in positions) for i in ids}


def _buckets(proc: Disambiguable, ids: list[str]) -> list[list[str]]:
    """Ids grouped by what their cite reads in each form; a bucket of two or more clashes."""
    by_form: dict[tuple[int, str], list[str]] = defaultdict(list)
    for i, fs in _forms(proc, ids).items():
        for k, f in enumerate(fs):
            by_form[(k, f)].append(i)
    return list(by_form.values())


def _ambiguous_groups(proc: Disambiguable, ids: list[str]) -> list[list[str]]:
    """The sets of ids whose cites are linked by reading the same, each in ``ids`` order.

    Linear in the number of ids: buckets are merged with union-find rather than by
    comparing every pair, so many identical cites stay cheap.
    """
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    clashing: set[str] = set()
    for members in _buckets(proc, ids):
        if len(members) < 2:
            continue
        clashing.update(members)
        root = find(members[0])
        for m in members[1:]:
            r = find(m)
            if r != root:
                parent[r] = root
    groups: dict[str, list[str]] = {}
    for i in ids:
        if i in clashing:
            groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _name_vars(proc: Disambiguable, item_id: str) -> list[dict[str, Any]]:
    return proc.names_source(item_id)[0]


def _person(n: dict[str, Any]) -> tuple[str, str]:
    given = "".join(ch for ch in n.get("given", "") if ch not in ". ")
    return (n.get("non-dropping-particle", "") + n.get("family", ""), given)


def _global_names(proc: Disambiguable, rule: str) -> None:
    primary = rule.startswith("primary")
    max_level = 1 if rule.endswith("with-initials") else 2
    people: list[tuple[str, int, dict[str, Any]]] = []
    for i in proc.registered:
        names = _name_vars(proc, i)
        for k, n in enumerate(names[:1] if primary else names):
            if "literal" not in n:
                people.append((i, k, n))
    # Every person's rendering at each level, and who shares it.
    forms: dict[tuple[str, int], list[str]] = {}
    holders: dict[tuple[int, str], set[tuple[str, str]]] = defaultdict(set)
    for i, k, n in people:
        forms[(i, k)] = [proc.name_at_level(i, n, k, lv) for lv in range(max_level + 1)]
        for lv, text in enumerate(forms[(i, k)]):
            holders[(lv, text)].add(_person(n))
    for i, k, _n in people:
        texts = forms[(i, k)]
        if len(holders[(0, texts[0])]) < 2:
            continue
        for lv in range(1, max_level + 1):
            if len(holders[(lv, texts[lv])]) < 2:
                proc.disamb[i].given_levels[k] = lv
                break


def disambiguate(proc: Disambiguable) -> None:
    """Set each item's disambiguation state so that cites identify their items."""
    citation = proc.citation
    if citation is None:
        return
    rule = citation.givenname_rule
    if citation.add_givenname and rule != "by-cite":
        _global_names(proc, rule)
    # citeproc-js's methods and their order: names (and given names by cite), then
    # year suffixes, then the disambiguate="true" condition. With year suffixes the
    # condition is never reached (citeproc-js; the specification tries it first).
    modes = []
    if citation.add_names or (citation.add_givenname and rule == "by-cite"):
        modes.append("names")
    if citation.add_year_suffix:
        modes.append("years")
    if proc.disambiguate_tests:
        modes.append("condition")
    if not modes:
        return
    order = {i: n for n, i in enumerate(proc.bibliography_order())}
    for group in _ambiguous_groups(proc, proc.registered):
        before = {i: proc.disamb[i] for i in group}
        settled = Walk(proc, group, before, modes, add_names=citation.add_names,
                       givens_by_cite=citation.add_givenname and rule == "by-cite",
                       condition_tests=proc.disambiguate_tests, bib_order=order).run()
        for i in group:
            proc.disamb[i] = to_disamb(settled[i], before[i]) if i in settled else before[i]
