"""When each record was added to the collection, from the project's git history.

The date a key first appears on an added line of a ``.bib`` file in
``git log`` is the date it was added (the commit date, with its offset).
Outside a git repository, or without git, nothing is known and callers fall
back to the record's own date.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

# "+@article{key," on an added line; @string, @comment and @preamble name no record.
_ADDED_ENTRY = re.compile(r"^\+\s*@\s*([A-Za-z]+)\s*[{(]\s*([^\s,{}()\"#%'=\\]+)\s*,")
_NOT_RECORDS = {"string", "comment", "preamble"}
_COMMIT = "\x00commit "


def dates_added(files: Sequence[Path], root: Path) -> dict[str, str]:
    """{key (lower case): ISO 8601 date-time of the commit that first added it}.

    ``root`` is where git runs (the project directory). Returns ``{}`` when it
    is not in a git repository, git is missing, or the history cannot be read;
    keys not yet committed are absent.
    """
    if not files:
        return {}
    env = {**os.environ, "GIT_PAGER": "cat", "LC_ALL": "C"}
    cmd = ["git", "-C", str(root), "log", "--reverse", "--no-color", "--no-renames",
           "--no-ext-diff", "--unified=0", "--format=%x00commit %cI", "-p", "--",
           *(str(f) for f in files)]
    try:
        proc = subprocess.run(cmd, capture_output=True, env=env, check=False, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return {}
    if proc.returncode != 0:
        return {}
    return parse_log(proc.stdout.decode("utf-8", errors="replace"))


def parse_log(log: str) -> dict[str, str]:
    """The first date of each key in ``git log --reverse -p`` output (see :func:`dates_added`)."""
    out: dict[str, str] = {}
    when = ""
    for line in log.splitlines():
        if line.startswith(_COMMIT):
            when = line[len(_COMMIT):].strip()
            continue
        if not when or not line.startswith("+") or line.startswith("+++"):
            continue
        m = _ADDED_ENTRY.match(line)
        if m and m.group(1).lower() not in _NOT_RECORDS:
            out.setdefault(m.group(2).lower(), when)
    return out
