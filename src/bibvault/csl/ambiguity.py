"""Telling apart the cites of one ambiguous group, step by step as citeproc-js does.

The CSL specification describes the methods (add names, expand given names, add
a year suffix, switch on ``disambiguate="true"``) and their order, but not how
a processor walks through them; Zotero users see citeproc-js's walk, so this
module follows it (our own code, written from its observable behaviour):

- the group's items are ordered by how many names they have, then by id;
- one *trial* setting (names shown, given-name level of each shown name,
  condition) only ever grows, one step at a time: first the given name of the
  current name, up to its full form, then one more name;
- after each step the first item of the remaining list is compared with the
  others. An item that no longer reads like any other is settled with the
  *kept* setting, which takes over the trial's value for the current name at
  each step that helped, so it may show more than it needs (a full given name
  although initials would do, names added for another item);
- once the steps run out on a list, the next method takes over every list
  still waiting, including lists whose items already read apart (those get no
  year suffix and keep their plain cite).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bibvault.csl.state import Disamb

# Every walk ends within a few steps per item and name; this bound only guards
# against a loop on input no one foresaw.
_MAX_STEPS = 10_000


@dataclass
class Setting:
    """One disambiguation setting of the first name list, and the year suffix and condition."""

    names: int | None  # names shown (None when the cite shows no name list)
    givens: dict[int, int] = field(default_factory=dict)  # name index -> level 0/1/2
    year_suffix: int | None = None
    condition: int = 0

    def copy(self) -> Setting:
        """An independent copy."""
        return Setting(self.names, dict(self.givens), self.year_suffix, self.condition)


class Renderer(Protocol):
    """What the walk needs: cites under a setting, and facts about each item's names."""

    def form_under(self, item_id: str, disamb: Disamb) -> str: ...

    def names_count(self, item_id: str) -> int: ...

    def names_shown(self, item_id: str) -> int: ...

    def given_default(self, item_id: str) -> tuple[int, bool]: ...

    def has_given(self, item_id: str, index: int) -> bool: ...


@dataclass
class _List:
    setting: Setting
    ids: list[str]


class Walk:
    """One ambiguous group walked through the methods in ``modes`` (names, years, condition)."""

    def __init__(self, r: Renderer, group: list[str], before: dict[str, Disamb], modes: list[str], *,
                 add_names: bool,
                 givens_by_cite: bool, condition_tests: int, bib_order: dict[str, int],
                 now: dict[str, tuple[int, int, bool]] | None = None,
                 twins: dict[str, str] | None = None) -> None:
        self.r = r
        # Items with the same data (ids aside) read alike under every setting: one
        # render serves all of them, so a group of identical items never tried apart
        # costs one item's walk, not one per copy.
        self.twins = twins or {}
        # A group of twins only: whatever the setting, its cites read alike, so the
        # walk's course is known without rendering them.
        self.alike = len({self.twins.get(i, i) for i in group}) == 1
        self.texts: dict[tuple[object, ...], str] = {}
        self.before = before
        self.modes = modes
        self.add_names = add_names
        self.givens_max = 2 if givens_by_cite else None
        self.tests = condition_tests
        self.bib_order = bib_order
        self.settled: dict[str, Setting] = {}
        first = group[0]
        # ``now``: names shown and given-name defaults of each cite in its current
        # state, for a walk that starts from an earlier walk's result.
        self.now = now
        if now is not None:
            shown = max(now[i][0] for i in group)
        else:
            shown = max(r.names_shown(i) for i in group) if r.names_count(first) else 0
        self.base = Setting(shown or None, {k: 0 for k in range(shown)})
        for i in group:
            self._render(i, self.base)
        self.better = self.base.copy()
        # Fewest names first; the count compares as text, as in citeproc-js ("10" < "4").
        ordered = sorted(group, key=lambda i: (str(r.names_count(i)) if r.names_count(i) else "", i))
        self.names_max: int | None = r.names_count(ordered[0]) or None
        self.namesets_max = 0 if self.base.names is not None else -1
        self.lists = [_List(self.base, ordered)]
        self.mode = 0
        self.gname = 0
        self.clashes = [1, 0]
        self.init_givens = True
        self.partners: list[str] = []
        self.others: list[str] = []

    def _render(self, item_id: str, s: Setting) -> str:
        trial = to_disamb(s, self.before[item_id])
        trial.year_suffix = None
        if s.names is not None and s.names <= self.r.names_shown(item_id):
            # No more names than the plain cite shows: the plain state, whose cite is known.
            trial.names_shown = None
        key = (self.twins.get(item_id, item_id), trial.names_shown, tuple(sorted(trial.given_levels.items())),
               trial.given_all, trial.condition)
        text = "" if self.alike else self.texts.get(key)
        if text is None:
            text = self.texts[key] = self.r.form_under(item_id, trial)
        # A render under a setting writes back what it showed: the names shown
        # (never more than the item has) and each shown name's given-name level.
        count = self.r.names_count(item_id)
        if s.names is not None and count:
            s.names = min(s.names, count)
            default, initials = self.now[item_id][1:] if self.now else self.r.given_default(item_id)
            for k in range(s.names):
                level = s.givens.setdefault(k, 0)
                if self.givens_max is not None:
                    given = self.r.has_given(item_id, k)
                    if level == 1 and (not initials or not given):
                        level = 2  # initials are not an option: the whole given name
                    if given:
                        level = max(level, default)
                s.givens[k] = level
        return text

    def run(self) -> dict[str, Setting]:
        """Settle the group; returns the setting of each item that got one."""
        steps = 0
        while self.lists:
            self.gname = 0
            self.clashes = [1, 0]
            while self.lists[0].ids:
                steps += 1
                if steps > _MAX_STEPS:
                    return self.settled
                maxed = self._step()
                self._scan(self.lists[0])
                self._evaluate(maxed)
            self.lists.pop(0)
        return self.settled

    def _step(self) -> bool:
        if self.init_givens:
            self.init_givens = False
            return False
        mode = self.modes[self.mode]
        if mode == "condition":
            self.base.condition += 1
            self.better.condition += 1
            return False
        if mode != "names":
            return False
        b = self.base
        more_names = self.givens_max is None
        if self.givens_max is not None:
            level = b.givens.get(self.gname) if b.names is not None else None
            if level is not None and level < self.givens_max:
                b.givens[self.gname] = level + 1
            else:
                more_names = True
        if self.names_max is not None and more_names and self.add_names and self.gname < self.names_max:
            if b.names is not None:
                b.names += 1
            self.gname += 1
        return ((not self.add_names or self.names_max is None or self.gname == self.names_max)
                and (self.givens_max is None or b.names is None or b.givens.get(self.gname) is None
                     or b.givens[self.gname] == self.givens_max))

    def _scan(self, lst: _List) -> None:
        first = self._render(lst.ids[0], self.base)
        self.partners = [lst.ids[0]]
        self.others = []
        for other in lst.ids[1:]:
            (self.partners if self._render(other, self.base) == first else self.others).append(other)
        self.clashes = [self.clashes[1], len(self.partners) - 1]

    def _evaluate(self, maxed: bool) -> None:
        mode = self.modes[self.mode]
        if mode == "names":
            self._names(maxed)
        elif mode == "years":
            self._years()
        else:
            self._condition()
        if maxed:
            if self.mode < len(self.modes) - 1:
                self.mode += 1
            elif len(self.lists) > 1:
                self.lists[1] = _List(self.base, [])
            else:
                self.lists.append(_List(self.base, []))

    def _settle(self, item_id: str, s: Setting) -> None:
        self.settled[item_id] = s.copy()

    def _keep_step(self) -> None:
        b, k = self.base, self.better
        if self.givens_max is not None and b.names is not None and self.gname in b.givens:
            k.givens[self.gname] = b.givens[self.gname]
        k.names = b.names

    def _names(self, maxed: bool) -> None:
        clashes, partners, others = self.clashes[1], self.partners, self.others
        if clashes == 0 and len(others) == 1:
            self._keep_step()
            self._settle(others[0], self.better)
            self._settle(partners[0], self.better)
            self.lists[0] = _List(self.better, [])
        elif clashes == 0:
            self._keep_step()
            self._settle(partners[0], self.better)
            self.lists[0] = _List(self.better, others)
            if others:
                self.init_givens = True
        elif len(others) == 1:
            self._keep_step()
            self._settle(others[0], self.better)
            self.lists[0] = _List(self.better, partners)
        elif clashes < self.clashes[0]:
            self._keep_step()
            self.lists[0] = _List(self.better, partners)
            self.lists.append(_List(self.better, others))
        elif maxed:
            self.lists[0] = _List(self.better, others)
            self.lists.append(_List(self.better, partners))
            if self.mode == len(self.modes) - 1:
                # Nothing left to try: the clashing items keep what was kept.
                for i in partners:
                    self._settle(i, self.better)
                self.lists[0] = _List(self.better, [])

    def _years(self) -> None:
        s = self.lists[0].setting
        # Only when the list's first item still clashes; suffixes in bibliography order.
        tokens = sorted(self.lists[0].ids, key=lambda i: self.bib_order.get(i, 0)) if self.clashes[1] else []
        for n, i in enumerate(tokens):
            s.year_suffix = n
            self._settle(i, s)
        self.lists[0] = _List(self.better, [])

    def _condition(self) -> None:
        done = self.clashes[1] == 0 and len(self.others) < 2
        met = min(self.base.condition, self.tests)
        if not done and (not self.base.condition or met != self.tests):
            self.mode = 0
            self.base.condition = self.better.condition = met
            if not self.base.condition:
                self.init_givens = True
                self.base.condition = 1
            else:
                self._names(False)
        else:
            s = self.lists[0].setting
            for i in self.lists[0].ids:
                self._settle(i, s)
            self.lists[0] = _List(self.better, [])


def to_disamb(s: Setting, old: Disamb) -> Disamb:
    """The engine's per-item state for a setting (given-name levels the global rule
    set stay, where the setting asks for less)."""
    givens = dict(old.given_levels)
    for k, v in s.givens.items():
        if v > givens.get(k, 0):
            givens[k] = v
    return Disamb(s.names, givens, old.given_all, s.year_suffix, s.condition)
