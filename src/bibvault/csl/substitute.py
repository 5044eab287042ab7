"""The bibliography's subsequent-author-substitute, applied entry by entry."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bibvault.csl.element import Trace
from bibvault.csl.richtext import Rich, plain
from bibvault.csl.sections import Bibliography

# (id, rendered entry, the trace of its render)
Entry = tuple[str, Rich | None, Trace | None]


def iter_substituted(bib: Bibliography | None, entries: Iterable[Entry]) -> Iterator[Entry]:
    """Entries one by one with the subsequent-author-substitute rule applied, so that
    each can be written out and dropped before the next is rendered.

    The substitution edits the entry's own freshly rendered tree, never the style.
    """
    if bib is None or bib.author_substitute is None:
        yield from entries
        return
    sub = bib.author_substitute
    rule = bib.author_substitute_rule
    prev_names: list[str] | None = None
    prev_all: str | None = None
    for e in entries:
        trace = e[2]
        first = trace.first_names if trace is not None else None
        if first is None:
            prev_names, prev_all = None, None
            yield e
            continue
        names = [plain(n) for n in first.names]
        whole = plain(first.whole)
        if rule == "complete-all":
            if whole == prev_all:
                for k, body in enumerate(first.bodies):
                    body.children = [sub] if sub and k == 0 else []
        elif rule == "complete-each":
            if whole == prev_all:
                for n in first.names:
                    n.children = [sub]
        elif rule in ("partial-each", "partial-first") and prev_names is not None:
            for k, n in enumerate(first.names):
                if k < len(prev_names) and names[k] == prev_names[k]:
                    n.children = [sub]
                    if rule == "partial-first":
                        break
                else:
                    break
        prev_names, prev_all = names, whole
        yield e
