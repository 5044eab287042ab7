"""What a compiled element does for an item that lacks the variables it reads.

Most of a style's groups and macros print nothing for a given item, and walking
them costs more than the rest of a render. :meth:`Element.reach
<bibvault.csl.element.Element.reach>` sums up, per item type, what an element
does when the item lacks every variable it reads; a group or macro whose summary
says it is then suppressed is passed over without being walked, with exactly the
effect its walk has on the enclosing group. The summaries assume the worst
wherever they cannot be sure: computed variables, counted disambiguate
conditions, a macro that calls itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Variables whose value is not (only) the item's own: Evaluation.unsuppressed works them out.
COMPUTED_VARIABLES = frozenset(("locator", "citation-number", "first-reference-note-number", "year-suffix",
                               "citation-label", "page-first"))

# Whether an element calls a variable (for the suppression of the group around it).
NEVER, ALWAYS, MAYBE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Reach:
    """What an element does, for an item of one type, when the item lacks every
    variable in ``variables`` (see :meth:`Element.reach`)."""

    # The item variables it prints (those its conditions test are fixed: the summary
    # holds for the items of one type holding the same of them).
    variables: frozenset[str]
    exact: bool  # the rest holds: no computed variable, no counted condition on the way
    calls: int  # NEVER, ALWAYS or MAYBE a called variable
    silent: bool  # it prints nothing
    renders: bool  # it may count as a rendered variable for the group around it
    prints: bool  # something below it may print (and then be dropped with its group)

    # Whether a group with this summary may be passed over without walking it.
    skippable: bool = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "skippable", self.exact and self.silent and self.calls != MAYBE)


UNKNOWN = Reach(frozenset(), False, MAYBE, False, True, True)
# A term, a value or a label: printed whatever the item holds, calling no variable.
PRINTS = Reach(frozenset(), True, NEVER, False, False, True)
# Nothing at all (an empty run, or a cs:choose without a branch that applies).
NOTHING = Reach(frozenset(), True, NEVER, True, False, False)


def called_reach(names: frozenset[str]) -> Reach:
    """An element that prints one of ``names`` when the item has it."""
    if names & COMPUTED_VARIABLES:
        return UNKNOWN
    return Reach(names, True, ALWAYS, True, False, False)


def _union(reaches: list[Reach]) -> frozenset[str]:
    return frozenset().union(*[r.variables for r in reaches])


def run_reach(rs: list[Reach]) -> Reach:
    """Siblings rendered in a row (a branch, substitutes): none of them suppressed."""
    if len(rs) == 1:
        return rs[0]
    calls = {r.calls for r in rs}
    return Reach(_union(rs), all(r.exact for r in rs),
                 ALWAYS if ALWAYS in calls else MAYBE if MAYBE in calls else NEVER,
                 all(r.silent for r in rs), any(r.renders for r in rs), any(r.prints for r in rs))


def either_reach(rs: list[Reach]) -> Reach:
    """One of several alternatives (the branches of a cs:choose)."""
    calls = {r.calls for r in rs}
    return Reach(_union(rs), all(r.exact for r in rs), calls.pop() if len(calls) == 1 else MAYBE,
                 all(r.silent for r in rs), any(r.renders for r in rs), any(r.prints for r in rs))


def suppressible_reach(rs: list[Reach]) -> Reach:
    """A cs:group or a macro: its children, then the group-suppression rule."""
    inner = run_reach(rs) if rs else NOTHING
    silent = (inner.calls == ALWAYS and not inner.renders) or inner.silent
    return Reach(inner.variables, inner.exact, inner.calls, silent, inner.renders or not silent, inner.prints)
