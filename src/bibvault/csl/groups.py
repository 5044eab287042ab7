"""cs:group and cs:choose (cs:if, cs:else-if, cs:else with their conditions)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bibvault.csl.element import (
    PLAIN,
    Element,
    Evaluation,
    Formatting,
    Summaries,
    decorate,
    holds,
    passes_over,
    render_children,
    suppressible,
)
from bibvault.csl.items import DateValue
from bibvault.csl.numbers import is_numeric
from bibvault.csl.reach import (
    COMPUTED_VARIABLES,
    NOTHING,
    UNKNOWN,
    Reach,
    either_reach,
    run_reach,
    suppressible_reach,
)
from bibvault.csl.richtext import Content


@dataclass(frozen=True, slots=True)
class Group(Element):
    """cs:group: its children joined, suppressed when it calls only empty variables."""

    children: tuple[Element, ...]
    delimiter: str
    formatting: Formatting
    def reach(self, s: Summaries) -> Reach:
        found = s.found.get(id(self))
        if found is None:
            found = s.found[id(self)] = suppressible_reach([c.reach(s) for c in self.children])
        return found

    def render(self, ev: Evaluation) -> Content:
        if passes_over(self, ev):
            return None
        return decorate(self.formatting, suppressible(ev, self.children, self.delimiter), ev)


# (kind, value) tests of a condition; a type test holds a space-padded list of types.
Test = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Branch:
    """cs:if / cs:else-if (with conditions) or cs:else (``always``)."""

    tests: tuple[Test, ...]
    disambiguate: str | None
    match: str  # all | any | none
    children: tuple[Element, ...]
    always: bool = False
    # The tests sorted by kind when the style is compiled (no test has a side effect,
    # so their order only decides where the answer is found): type tests, tests of
    # variables the item holds as they are, and the rest.
    _types: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _variables: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _others: tuple[Test, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        plain = [v for k, v in self.tests if k == "variable" and v not in COMPUTED_VARIABLES]
        object.__setattr__(self, "_types", tuple(v for k, v in self.tests if k == "type"))
        object.__setattr__(self, "_variables", tuple(plain))
        object.__setattr__(self, "_others", tuple(
            (k, v) for k, v in self.tests if k != "type" and not (k == "variable" and v in plain)))

    def holds(self, ev: Evaluation) -> bool:
        """Whether this branch applies to the item."""
        if self.always:
            return True
        match = self.match
        if self.disambiguate is not None:
            # Every disambiguate test met counts, whatever the other conditions decide.
            ev.disamb_tests += 1
            level = ev.req.disamb.condition
            limit = level if ev.citation else (99 if level else 0)
            active = ev.disamb_tests <= limit
            if (active if self.disambiguate == "true" else not active) == (match != "all"):
                return match == "any"
        elif not self.tests:
            return False
        # "all" stops at the first test that fails, "any" and "none" at the first that holds.
        stop = match == "all"
        for v in self._types:
            if (ev.padded_type in v) != stop:
                return match == "any"
        item = ev.item
        for v in self._variables:
            # A variable the item holds, as Evaluation.unsuppressed finds it.
            value = item.get(v)
            if holds(value) != stop:
                return match == "any"
        for kind, v in self._others:
            ok = ev.unsuppressed(v) is not None if kind == "variable" and v != "locator" else _test(ev, kind, v)
            if ok != stop:
                return match == "any"
        return match != "any"



    def decide(self, s: Summaries) -> bool | None:
        """Whether this branch applies to the items ``s`` sums up (those of one type
        holding the same tested variables), or None when that does not tell."""
        if self.always:
            return True
        if self.disambiguate is not None:
            return None
        if not self.tests:
            return False
        found: list[bool | None] = []
        for kind, v in self.tests:
            if kind == "type":
                found.append(s.padded_type in v)
            elif v in COMPUTED_VARIABLES or kind not in ("variable", "is-numeric", "is-uncertain-date"):
                found.append(None)
            elif kind == "variable":
                found.append(v in s.tested)
            else:
                # A number or an uncertain date needs a value to be one.
                found.append(None if v in s.tested else False)
        if self.match == "all":
            return False if False in found else True if None not in found else None
        if self.match == "any":
            return True if True in found else False if None not in found else None
        return False if True in found else True if None not in found else None


def _test_position(ev: Evaluation, pos: str) -> bool:
    ev.trace.reads_position = True
    cite = ev.req.cite
    p = cite.position if ev.citation else -1
    if pos == "first":
        return p == 0
    if pos == "subsequent":
        return p >= 1
    if pos == "ibid":
        return p >= 2
    if pos == "ibid-with-locator":
        return p == 3
    if pos == "near-note":
        return p >= 1 and cite.near_note
    return False


def _test(ev: Evaluation, kind: str, v: str) -> bool:
    cite = ev.req.cite
    if kind == "variable":
        # Only the locator comes here: other variables are tested in Branch.holds.
        return cite.locator is not None
    if kind == "is-numeric":
        val = cite.locator if v == "locator" else ev.var(v)
        return isinstance(val, str) and is_numeric(val)
    if kind == "is-uncertain-date":
        d = ev.var(v)
        return isinstance(d, DateValue) and d.circa
    if kind == "locator":
        label = cite.label or "page"
        return cite.locator is not None and (label == v or (v == "sub-verbo" and label == "sub verbo"))
    return _test_position(ev, v)


# Choose.branch: no branch applies; the answer is not known before the tests run.
_NONE, _OPEN = -1, -2


@dataclass(frozen=True, slots=True)
class Choose(Element):
    """cs:choose: the first branch that applies."""

    branches: tuple[Branch, ...]
    formatting: Formatting = PLAIN  # cs:choose has none of its own
    expands = True

    def reach(self, s: Summaries) -> Reach:
        alternatives: list[Reach] = []
        exact = True
        for b in self.branches:
            answer = b.decide(s)
            # A disambiguate test is counted whenever it is reached.
            exact = exact and b.disambiguate is None
            if answer is False:
                continue
            alternatives.append(run_reach([c.reach(s) for c in b.children])
                                if b.children else NOTHING)
            if answer:
                break
        else:
            alternatives.append(NOTHING)
        r = either_reach(alternatives)
        return r if exact else UNKNOWN

    def branch(self, ev: Evaluation) -> Branch | None:
        """The branch that applies, if any."""
        # Known for the items of one type holding the same tested variables, unless
        # a test reads more than that (a locator, a position, a value's form).
        found = ev.summaries.branches.get(id(self))
        if found is None:
            found = ev.summaries.branches[id(self)] = self._decided(ev.summaries)
        if found == _OPEN:
            for b in self.branches:
                if b.holds(ev):
                    return b
            return None
        return self.branches[found] if found != _NONE else None

    def _decided(self, s: Summaries) -> int:
        for i, b in enumerate(self.branches):
            answer = b.decide(s)
            if answer is None:
                return _OPEN
            if answer:
                return i
        return _NONE

    def render(self, ev: Evaluation) -> Content:
        b = self.branch(ev)
        return render_children(b.children, ev) if b is not None else None

    def chosen(self, ev: Evaluation) -> tuple[Element, ...]:
        # Choose.branch written out for the usual case, a branch the summary decided.
        found = ev.summaries.branches.get(id(self))
        if found is not None and found >= 0:
            return self.branches[found].children
        b = self.branch(ev)
        return b.children if b is not None else ()
