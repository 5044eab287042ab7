"""Disambiguation of cites: given names, added names, the condition, year suffixes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any, Protocol

from bibvault.csl.ambiguity import Walk, to_disamb
from bibvault.csl.compile import Citation
from bibvault.csl.forms import CiteForms
from bibvault.csl.personname import name_keys
from bibvault.csl.state import Disamb, NameCounts
from bibvault.csl.style import Style


class Disambiguable(Protocol):
    """What disambiguation needs: the items, the choices made for each, and the
    cites as plain text under them (:class:`~bibvault.csl.forms.CiteForms`)."""

    registered: list[str]
    disamb: dict[str, Disamb]
    rewalk: bool
    style: Style

    @property
    def twins(self) -> dict[str, str]: ...

    @property
    def citation(self) -> Citation | None: ...

    @property
    def position_sensitive(self) -> bool: ...

    @property
    def disambiguate_tests(self) -> int: ...

    def bibliography_order(self) -> list[str]: ...

    @property
    def forms(self) -> CiteForms: ...


def _forms(proc: Disambiguable, ids: list[str]) -> dict[str, tuple[str, ...]]:
    """Each cite as first cited and, for styles that vary by position, as cited again."""
    positions = (0, 1) if proc.position_sensitive else (0,)
    return {i: tuple(proc.forms.group_form(i, p) for p in positions) for i in ids}


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


def _twins(proc: Disambiguable, group: list[str]) -> dict[str, str]:
    """Each id of ``group`` whose item has the same data as an earlier one (ids aside),
    mapped to that earlier id; none when cites print citation numbers, which differ."""
    if proc.style.cites_by_number:
        return {}
    return {i: t for i in group if (t := proc.twins.get(i)) is not None}


def disambiguate(proc: Disambiguable) -> None:
    """Set each item's disambiguation state so that cites identify their items."""
    citation = proc.citation
    if citation is None:
        return
    # Given names under a global givenname-disambiguation-rule come from the
    # processor's count of people (names.NameCounts), in every render.
    rule = citation.givenname_rule
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
        twins = _twins(proc, group)
        # citeproc-js's processCitationCluster walks a note style's group again when an
        # item's citation count is first set, starting from the names the first walk
        # left shown (and the condition off), and keeps what that second walk settles.
        for walk in range(2 if proc.rewalk else 1):
            before = {i: proc.disamb[i] for i in group}
            now = {i: proc.forms.names_now(i) for i in group} if walk else None
            settled = Walk(proc.forms, group, before, modes, add_names=citation.add_names,
                           givens_by_cite=citation.add_givenname and rule == "by-cite",
                           condition_tests=proc.disambiguate_tests, bib_order=order, now=now,
                           twins=twins).run()
            for i in group:
                proc.disamb[i] = to_disamb(settled[i], before[i]) if i in settled else before[i]


def _counted_names(item: dict[str, Any], primary: bool) -> Iterator[dict[str, Any]]:
    """The personal names of ``item`` a global givenname-disambiguation-rule counts
    (only the first of each list for the primary-name rules)."""
    for value in item.values():
        if not isinstance(value, list):
            continue
        for k, n in enumerate(value):
            if not isinstance(n, dict) or "literal" in n or not (n.get("family") or n.get("given")):
                continue
            if primary and k > 0:
                break
            yield n


def takes_global_givens(counts: NameCounts, item: dict[str, Any]) -> bool:
    """Whether a global givenname-disambiguation-rule may add given names to some
    name of ``item`` (a family name shared by people of other initials or given names)."""
    initials_only = counts.rule.endswith("-with-initials")
    for n in _counted_names(item, counts.rule.startswith("primary")):
        family, inits, _ = name_keys(n)
        if counts.initials.get(family, 0) > 1 or (not initials_only and counts.givens.get((family, inits), 0) > 1):
            return True
    return False


def count_names(items: list[dict[str, Any]], rule: str) -> NameCounts:
    """The people of ``items`` as a global givenname-disambiguation-rule counts them
    (only the first name of each list for the primary-name rules)."""
    initials: dict[str, set[str]] = {}
    givens: dict[tuple[str, str], set[str]] = {}
    for item in items:
        for n in _counted_names(item, rule.startswith("primary")):
            family, inits, given = name_keys(n)
            initials.setdefault(family, set()).add(inits)
            givens.setdefault((family, inits), set()).add(given)
    return NameCounts(rule, {f: len(v) for f, v in initials.items()}, {k: len(v) for k, v in givens.items()})
