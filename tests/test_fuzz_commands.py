"""Mutation fuzzing (issue 13): mutated real .bib files through every command that reads
them, asserting no traceback, no hang and an exit code in {0, 1, 2}.

The seeds are the shared corpora (small files and biblatex-examples.bib) when present,
and always the project's own bib/ files. Mutations: byte flips, truncations, deleted
and inserted delimiters, invalid UTF-8. A fixed seed makes every run the same; the
count keeps the whole module to seconds. A hang ends the test through SIGALRM.
"""

from __future__ import annotations

import os
import random
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from bibvault.cli import cli

CORPORA = Path(os.environ.get("BIBVAULT_CORPORA", "/work/shared/corpora"))
REPO = Path(__file__).resolve().parents[1]
SEED = 13
MUTANTS = 24            # per command
SECONDS_PER_RUN = 30    # far above a normal run; only a hang gets there
DELIMITERS = b'{}()"=,@#%'
INVALID_UTF8 = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe2\x82", b"\x80\x80",
                b"\xf4\x90\x80\x80"]


def _seeds() -> list[bytes]:
    paths = sorted((CORPORA / "small").glob("*.bib")) + [CORPORA / "biblatex-examples.bib"]
    paths += sorted((REPO / "bib").glob("*.bib"))
    return [p.read_bytes() for p in paths if p.is_file()]


def _flip(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[:rng.randrange(len(data))]


def _delete_delimiters(rng: random.Random, data: bytes) -> bytes:
    places = [i for i, b in enumerate(data) if b in DELIMITERS]
    drop = set(rng.sample(places, min(len(places), rng.randint(1, 6))))
    return bytes(b for i, b in enumerate(data) if i not in drop)


def _insert_delimiters(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        out.insert(rng.randrange(len(out) + 1), rng.choice(DELIMITERS))
    return bytes(out)


def _invalid_utf8(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(out) + 1)
        out[i:i] = rng.choice(INVALID_UTF8)
    return bytes(out)


MUTATIONS: list[Callable[[random.Random, bytes], bytes]] = [
    _flip, _truncate, _delete_delimiters, _insert_delimiters, _invalid_utf8]


def mutants(label: str, count: int = MUTANTS) -> Iterator[bytes]:
    """``count`` mutants, the same for a given command on every run."""
    rng = random.Random(f"{SEED}:{label}")
    seeds = [s for s in _seeds() if s]
    for i in range(count):
        data = rng.choice(seeds)
        # each mutation in turn, sometimes two stacked
        data = MUTATIONS[i % len(MUTATIONS)](rng, data)
        if rng.random() < 0.3 and data:
            data = rng.choice(MUTATIONS)(rng, data)
        yield data


class Hang(BaseException):
    """A command ran past SECONDS_PER_RUN (BaseException: no handler may swallow it)."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    def ring(signum: int, frame: object) -> None:
        raise Hang(f"no result after {seconds} s")

    old = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


COMMANDS: dict[str, list[str]] = {
    "validate": ["validate"],
    "fmt": ["fmt", "--check"],
    "list": ["list"],
    "list-json": ["list", "--format", "json"],
    "export": ["export", "--to", "csl-json"],
    "format": ["format", "-s", "apa"],
    "build": ["build", "--force", "-s", "apa", "-f", "html", "-f", "md"],
}


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs SIGALRM")
@pytest.mark.parametrize("name", list(COMMANDS))
def test_mutated_bib_files_never_crash_or_hang_a_command(tmp_path: Path, name: str) -> None:
    (tmp_path / "bib").mkdir()
    (tmp_path / "bibvault.yaml").write_text(
        "records: [bib]\nbuild:\n  output: site\n  exports: [csl-json]\n", encoding="utf-8")
    target = tmp_path / "bib" / "refs.bib"
    args = COMMANDS[name]
    paths = [] if name == "build" else [str(target)]
    runner = CliRunner()
    failures = []
    # format and build load a CSL style on every run: fewer of them keep the module quick
    count = MUTANTS // 2 if name in ("format", "build") else MUTANTS
    for n, data in enumerate(mutants(name, count)):
        target.write_bytes(data)
        with deadline(SECONDS_PER_RUN):
            res = runner.invoke(cli, ["--config", str(tmp_path / "bibvault.yaml"), *args,
                                      *paths])
        output = res.stdout + res.stderr
        if (res.exit_code not in (0, 1, 2)
                or (res.exception is not None and not isinstance(res.exception, SystemExit))
                or "Traceback" in output or "internal error" in output):
            kept = tmp_path / f"mutant-{n}.bib"
            kept.write_bytes(data)
            failures.append(f"{kept}: exit {res.exit_code}, {res.exception!r}")
    assert not failures, "\n".join(failures)


def test_mutants_are_deterministic_and_varied() -> None:
    first, again = list(mutants("validate")), list(mutants("validate"))
    assert first == again
    assert len(set(first)) == len(first)
    assert any(_not_utf8(m) for m in first)


def _not_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False
