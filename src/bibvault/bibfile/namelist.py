"""Name lists (``author``, ``editor``, ...) with BibTeX's rules, as ``pybtex`` Persons.

Names are split on ``and`` at brace level 0 (any case); each name is read as
"First von Last", "von Last, First" or "von Last, Jr, First". ``and others`` gives a
Person whose last name is ``others``; ``{World Health Organization}`` stays one last
name. The TeX inside the parts is kept: decode it with :mod:`bibvault.bibfile.tex`.
"""

from __future__ import annotations

from pybtex.bibtex.utils import split_name_list
from pybtex.database import Person
from pybtex.exceptions import PybtexError


def _top_level_commas(name: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, c in enumerate(name):
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        elif c == "," and depth == 0:
            parts.append(name[start:i].strip())
            start = i + 1
    parts.append(name[start:].strip())
    return parts


def _split(value: str) -> list[str]:
    # BibTeX reads any run of white space (line breaks, tabs) as one space
    value = " ".join(value.split())
    try:
        names = split_name_list(value)
    except (PybtexError, ValueError, IndexError):
        names = value.split(" and ")
    return [n.strip() for n in names]


def _person(name: str) -> tuple[Person, str | None]:
    """A Person for one name, and a problem description when it needed repair."""
    parts = _top_level_commas(name)
    problem = None
    if len(parts) > 3:
        problem = f"too many commas in name {name!r}"
        name = ", ".join(parts[:2] + [" ".join(parts[2:])])
    try:
        return Person(name), problem
    except (PybtexError, ValueError, IndexError) as exc:
        return Person(last=name.replace(",", " ")), problem or f"{exc}"


def parse_names(value: str | None) -> list[Person]:
    """The names in a BibTeX name list, best effort for malformed ones. Never raises.

    Empty names (as in ``A and and B``) are left out; :func:`name_problems` reports them.
    """
    if not value or not value.strip():
        return []
    return [_person(n)[0] for n in _split(value) if n]


def name_problems(value: str | None) -> list[str]:
    """Descriptions of what :func:`parse_names` had to repair in ``value`` (empty: none)."""
    if not value or not value.strip():
        return []
    problems = []
    names = _split(value)
    squeezed = " ".join(value.split()).lower()
    if any(not n for n in names) or squeezed.endswith(" and") or squeezed.startswith("and "):
        problems.append("empty name in the list (two 'and's in a row, or one at an end)")
    for n in names:
        if n:
            problem = _person(n)[1]
            if problem:
                problems.append(problem)
    return problems
