"""Set-up shared by every test module: expensive, read-only data loaded once per session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bibvault.csl import collation

try:
    import pyuca
except ImportError:  # pragma: no cover - pyuca is a dependency
    pyuca = None


@pytest.fixture(scope="session", autouse=True)
def one_unicode_collation_table() -> Iterator[None]:
    """Every CSL collator in the test process reads one pyuca table.

    Loading the Unicode Collation Algorithm table costs about 0.15 s of CPU, and the
    engine loads it once per ``Resources`` (once per command run). The tests make
    hundreds of processors and run the commands in-process hundreds of times, which
    made the table the largest single cost of the suite. The table is only read once
    loaded (``sort_key`` looks keys up and builds new tuples), so sharing it changes no
    result; subprocess runs of the command line still load their own.
    """
    if pyuca is None:
        yield
        return
    load: Callable[[], Any] = pyuca.Collator
    loaded: list[Any] = []

    def shared() -> Any:
        if not loaded:
            loaded.append(load())
        return loaded[0]

    # The engine's own reading of the table (bibvault.csl.collation, 0.04 s a
    # collator) is shared the same way.
    read_table = collation.load_table
    tables: list[Any] = []

    def shared_table() -> Any:
        if not tables:
            tables.append(read_table())
        return tables[0]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pyuca, "Collator", shared)
        mp.setattr(collation, "load_table", shared_table)
        yield
