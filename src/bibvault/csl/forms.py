"""The cites disambiguation compares: an item's cite as plain text under a
disambiguation state, and what its first name list shows, each worked out once."""

from __future__ import annotations

from typing import Any, Protocol

from bibvault.csl.element import Evaluation, Trace
from bibvault.csl.names import Names
from bibvault.csl.richtext import Content, plain
from bibvault.csl.state import Cite, Disamb


class FormSource(Protocol):
    """What the forms are rendered from: the processor's items, states and cites."""

    items: dict[str, dict[str, Any]]
    disamb: dict[str, Disamb]

    @property
    def position_sensitive(self) -> bool: ...

    def render_cite(self, cite: Cite) -> tuple[Content, Trace]: ...

    def evaluation(self, item_id: str, mode: str) -> Evaluation: ...

    def ungrouped_form(self, item_id: str, position: int = 0) -> str | None: ...


class CiteForms:
    """Plain cites of one processor's items, remembered per disambiguation state:
    disambiguation asks for the same cite again and again while it tries out choices."""

    def __init__(self, source: FormSource) -> None:
        self.source = source
        # Which names each cite shows first, found by rendering it once.
        self._names_sources: dict[str, tuple[list[dict[str, Any]], Names | None]] = {}
        # Plain cites by (id, position, disambiguation state).
        self._plain_cites: dict[tuple[Any, ...], str] = {}
        self._given_read: dict[tuple[Any, ...], frozenset[int]] = {}
        self._most_names: dict[str, int] = {}
        self._names_shown: dict[str, tuple[int, int, bool]] = {}
        # Cites as first cited whose render never read the position, by form key:
        # the same cite as cited again reads the same (and reports the same trace).
        self._unmoved: dict[tuple[Any, ...], tuple[str, Trace]] = {}

    def group_form(self, item_id: str, position: int = 0) -> str:
        """The form ambiguous cites are grouped by: the cite before any disambiguation,
        without the given names a global givenname-disambiguation-rule adds."""
        text = self.source.ungrouped_form(item_id, position)
        return self.plain_form(item_id, position) if text is None else text

    def plain_form(self, item_id: str, position: int = 0) -> str:
        """An item's cite, alone and without locator, as plain text under its current
        disambiguation state (remembered per state)."""
        key = self._form_key(item_id, position)
        text = self._plain_cites.get(key) if key is not None else None
        if text is None:
            first = self._form_key(item_id, 0) if position else None
            same = self._unmoved.get(first) if first is not None else None
            if same is not None:
                text, trace = same
            else:
                out, trace = self.source.render_cite(Cite(id=item_id, position=position, comparing=True))
                text = plain(out)
            self._remember_form(item_id, position, text, trace)
            if not position and not trace.reads_position and self.source.position_sensitive:
                # A comparing cite has no note numbers: only a position test or the
                # et-al-subsequent options (which mark the trace) tell the positions apart.
                first = self._form_key(item_id, 0)
                assert first is not None
                self._unmoved[first] = (text, trace)
            if self.source.disamb[item_id] == Disamb():
                if item_id not in self._names_shown and position == (1 if self.source.position_sensitive else 0):
                    self._note_compared(item_id, trace)
                if position == 0 and item_id not in self._names_sources:
                    # The render names_source would make: disambiguation first asks
                    # for it before it tries any other state.
                    self._note_source(item_id, trace)
        return text

    def names_source(self, item_id: str) -> tuple[list[dict[str, Any]], Names | None]:
        """The names the first cs:names of an item's cite renders, and the cs:names
        whose cs:name options apply to them (found by rendering the cite once)."""
        names, node = self._source(item_id)
        return list(names), node

    def _source(self, item_id: str) -> tuple[list[dict[str, Any]], Names | None]:
        # As names_source, without the copy (for the walk's many questions).
        if item_id not in self._names_sources:
            out, trace = self.source.render_cite(Cite(id=item_id, comparing=True))
            self._remember_form(item_id, 0, plain(out), trace)
            self._note_source(item_id, trace)
        return self._names_sources[item_id]

    def _note_source(self, item_id: str, trace: Trace) -> None:
        found = trace.names_source
        if found is not None and isinstance(found[1], Names):
            self._names_sources[item_id] = (found[0], found[1])
        else:
            self._names_sources[item_id] = ([], None)

    def form_under(self, item_id: str, disamb: Disamb) -> str:
        """An item's cite as plain text under a trial disambiguation state; the trial
        stays the item's state until disambiguation sets another."""
        self.source.disamb[item_id] = disamb
        # As citeproc-js, cites are compared as cited again (position "subsequent").
        return self.plain_form(item_id, 1 if self.source.position_sensitive else 0)

    def names_now(self, item_id: str) -> tuple[int, int, bool]:
        """As names_shown and given_default, for an item's cite in its current state."""
        position = 1 if self.source.position_sensitive else 0
        trace = self.source.render_cite(Cite(id=item_id, position=position, comparing=True))[1]
        return self._names_info(item_id, trace)

    def names_count(self, item_id: str) -> int:
        """How many names the first name list of an item's cite has in all."""
        return len(self._source(item_id)[0])

    def names_shown(self, item_id: str) -> int:
        """How many names the first name list of an item's plain cite shows (as cited
        again, for styles whose cites change then)."""
        return self._compared(item_id)[0]

    def has_given(self, item_id: str, index: int) -> bool:
        """Whether the name at ``index`` of an item's first name list has a given name."""
        names = self._source(item_id)[0]
        return index < len(names) and bool(names[index].get("given"))

    def given_default(self, item_id: str) -> tuple[int, bool]:
        """The given-name level an item's cite (as compared) shows unasked (0 none,
        1 initials, 2 whole), and whether its cs:name initializes."""
        return self._compared(item_id)[1:]

    def _compared(self, item_id: str) -> tuple[int, int, bool]:
        if item_id not in self._names_shown:
            # The plain cite as compared, rendered in the item's state before the
            # walk (always the plain state), reports what _note_compared records.
            keep, self.source.disamb[item_id] = self.source.disamb[item_id], Disamb()
            self.plain_form(item_id, 1 if self.source.position_sensitive else 0)
            if item_id not in self._names_shown:  # that cite was remembered without it
                position = 1 if self.source.position_sensitive else 0
                self._note_compared(item_id, self.source.render_cite(Cite(id=item_id, position=position, comparing=True))[1])
            self.source.disamb[item_id] = keep
        return self._names_shown[item_id]

    def _note_compared(self, item_id: str, trace: Trace) -> None:
        self._names_shown[item_id] = self._names_info(item_id, trace)

    def _names_info(self, item_id: str, trace: Trace) -> tuple[int, int, bool]:
        first, found = trace.first_names, trace.names_source
        level, initials = 2, False
        if found is not None and isinstance(found[1], Names):
            opts = found[1].name_options(self.source.evaluation(item_id, "citation"))
            initials = opts.get("initialize-with") is not None
            level = 0 if opts.get("form") == "short" else 1 if initials else 2
        return (len(first.names) if first is not None else 0, level, initials)

    def _remember_form(self, item_id: str, position: int, text: str, trace: Trace) -> None:
        base = self._base_key(item_id, position)
        self._given_read[base] = frozenset(trace.given_indices)
        key = self._form_key(item_id, position)
        assert key is not None
        self._plain_cites[key] = text

    def _base_key(self, item_id: str, position: int) -> tuple[Any, ...]:
        d = self.source.disamb[item_id]
        shown = d.names_shown
        if shown is not None:
            # Showing more names than the longest name list holds shows them all, as
            # showing exactly that many does: one cached cite serves every such state,
            # so trying ever more names on a group re-renders only the long lists.
            most = self._most_names.get(item_id)
            if most is None:
                most = self._most_names[item_id] = max(
                    (len(v) for v in self.source.items[item_id].values() if isinstance(v, list)), default=0)
            shown = min(shown, most)
        return (item_id, position, shown, d.given_all, d.year_suffix, d.condition)

    def _form_key(self, item_id: str, position: int) -> tuple[Any, ...] | None:
        # Only the given-name levels of names the cite shows can change it: which
        # names those are is learnt from the first render in the same state.
        base = self._base_key(item_id, position)
        read = self._given_read.get(base)
        if read is None:
            return None
        levels = self.source.disamb[item_id].given_levels
        return base + (tuple(sorted((i, lv) for i, lv in levels.items() if lv and i in read)),)
