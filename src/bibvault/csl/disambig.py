"""Disambiguation of cites: given names, added names, the condition, year suffixes."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Protocol

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


def _unique(proc: Disambiguable, group: list[str]) -> set[str]:
    shared: set[str] = set()
    for members in _buckets(proc, group):
        if len(members) > 1:
            shared.update(members)
    return {i for i in group if i not in shared}


def _distinct(proc: Disambiguable, group: list[str]) -> int:
    unique = _unique(proc, group)
    return len(unique) + len(_ambiguous_groups(proc, [i for i in group if i not in unique]))


def _add_names(proc: Disambiguable, group: list[str], given_level: int) -> list[str]:
    """Show more names (expanding the added ones when that helps) while it separates cites."""
    longest = max(len(_name_vars(proc, i)) for i in group)
    saved = {i: (proc.disamb[i].names_shown, dict(proc.disamb[i].given_levels)) for i in group}
    remaining = list(group)
    best = _distinct(proc, group)
    improved = False
    for n in range(2, longest + 1):
        trial = {i: (proc.disamb[i].names_shown, dict(proc.disamb[i].given_levels)) for i in remaining}
        for i in remaining:
            proc.disamb[i].names_shown = n
        distinct = _distinct(proc, group)
        if given_level and len(_unique(proc, group)) < len(group):
            for level in range(1, given_level + 1):
                before = {i: dict(proc.disamb[i].given_levels) for i in remaining}
                unique = _unique(proc, group)
                for i in remaining:
                    if i not in unique and proc.disamb[i].given_levels.get(n - 1, 0) < level:
                        proc.disamb[i].given_levels[n - 1] = level
                expanded = _distinct(proc, group)
                if expanded > distinct:
                    distinct = expanded
                else:
                    for i in remaining:
                        proc.disamb[i].given_levels = before[i]
        if distinct > best:
            best = distinct
            improved = True
            unique = _unique(proc, group)
            remaining = [i for i in remaining if i not in unique]
            if not remaining:
                break
        else:
            for i in remaining:
                proc.disamb[i].names_shown, proc.disamb[i].given_levels = trial[i]
    if not improved:
        for i in group:
            proc.disamb[i].names_shown, proc.disamb[i].given_levels = saved[i]
    unique = _unique(proc, group)
    return [i for i in group if i not in unique]


def _add_given(proc: Disambiguable, group: list[str], max_level: int) -> list[str]:
    remaining = list(group)
    longest = max(len(_name_vars(proc, i)) for i in group)
    for index in range(longest):
        for level in range(1, max_level + 1):
            before = {i: dict(proc.disamb[i].given_levels) for i in remaining}
            for i in remaining:
                if proc.disamb[i].given_levels.get(index, 0) < level:
                    proc.disamb[i].given_levels[index] = level
            unique = _unique(proc, group)
            still = [i for i in remaining if i not in unique]
            if len(still) == len(remaining):
                for i in remaining:
                    proc.disamb[i].given_levels = before[i]
                continue
            remaining = still
            if not remaining:
                return []
    return remaining


def disambiguate(proc: Disambiguable) -> None:
    """Set each item's disambiguation state so that cites identify their items."""
    citation = proc.citation
    if citation is None:
        return
    add_names = citation.add_names
    add_given = citation.add_givenname
    rule = citation.givenname_rule
    add_ys = citation.add_year_suffix
    if add_given and rule != "by-cite":
        _global_names(proc, rule)
    order = {i: n for n, i in enumerate(proc.bibliography_order())}
    for group in _ambiguous_groups(proc, proc.registered):
        remaining = group
        if add_given and remaining:
            remaining = _add_given(proc, remaining, 1 if rule.endswith("with-initials") else 2)
        if add_names and remaining:
            level = (1 if rule.endswith("with-initials") else 2) if add_given else 0
            remaining = _add_names(proc, remaining, level)
        if remaining:
            # disambiguate="true" branches are switched on one at a time, in order.
            tests = proc.disambiguate_tests
            for level in range(1, tests + 1):
                for i in remaining:
                    proc.disamb[i].condition = level
                unique = _unique(proc, group)
                remaining = [i for i in remaining if i not in unique]
                if not remaining:
                    break
            sub = _ambiguous_groups(proc, remaining) if remaining else []
            if add_ys:
                for g in sub:
                    for n, i in enumerate(sorted(g, key=lambda x: order.get(x, 0))):
                        proc.disamb[i].year_suffix = n
