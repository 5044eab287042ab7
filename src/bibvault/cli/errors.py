"""Exceptions become exit codes here, and only here.

A stage raises when it cannot go on (an unreadable configuration, an
unwritable file, no network); :func:`ending_for` says what the command then
prints on stderr and with which :class:`~bibvault.exitcodes.ExitCode` it ends.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass

import click

from bibvault.config import ConfigError
from bibvault.errors import StageError
from bibvault.exitcodes import ExitCode

#: What a command says when an input is beyond the memory it may use (exit 2).
OUT_OF_MEMORY = ("bibvault: error: out of memory: the input is too large for the memory "
                 "available to this command")


class CommandError(Exception):
    """A failure the command itself finds (an unknown key or topic, a file that is not
    there): its message is printed as an error and the command exits 2."""


#: Library errors whose message says it all: the command could not go on (exit 2).
STAGE_ERRORS: tuple[type[Exception], ...] = (StageError, CommandError)


@dataclass(frozen=True)
class Ending:
    """How a command ends: its exit code and what it says on stderr (if anything)."""

    code: ExitCode
    message: str | None


def ending_for(exc: BaseException) -> Ending | None:
    """The ending for an expected exception; ``None`` for one that is a bug."""
    if isinstance(exc, BrokenPipeError):
        return Ending(ExitCode.OK, None)  # the reader went away (`bibvault list | head`)
    if isinstance(exc, (KeyboardInterrupt, click.exceptions.Abort)):
        return Ending(ExitCode.INTERRUPTED, "Interrupted.")
    if isinstance(exc, MemoryError):
        return Ending(ExitCode.USAGE, OUT_OF_MEMORY)
    if isinstance(exc, click.ClickException):
        shown = io.StringIO()
        exc.show(shown)  # click's own wording, with the usage line for a usage error
        return Ending(ExitCode.USAGE, shown.getvalue().rstrip("\n"))
    if isinstance(exc, ConfigError):
        return Ending(ExitCode.USAGE, f"bibvault: configuration error: {exc}")
    if isinstance(exc, STAGE_ERRORS):
        return Ending(ExitCode.USAGE, f"bibvault: error: {exc}")
    if isinstance(exc, OSError):
        name = f" {exc.filename}:" if getattr(exc, "filename", None) else ""
        return Ending(ExitCode.USAGE, f"bibvault: I/O error:{name} {exc.strerror or exc}")
    return None


def internal_error(exc: BaseException) -> Ending:
    """The ending for an exception nobody expected: a bug, reported as one."""
    return Ending(ExitCode.USAGE,
                  f"bibvault: internal error: {type(exc).__name__}: {exc}\n"
                  "This is a bug in bibvault; run again with BIBVAULT_DEBUG=1 for the "
                  "traceback and report it.")


def debugging() -> bool:
    """Whether BIBVAULT_DEBUG asks for a bug's traceback instead of a message."""
    return bool(os.environ.get("BIBVAULT_DEBUG"))


def say(ending: Ending) -> None:
    """Print the ending's message on stderr."""
    if ending.message is not None:
        click.echo(ending.message, err=True)


@contextlib.contextmanager
def handle_errors() -> Iterator[None]:
    """Turn expected failures into their message on stderr and their exit code (raised as
    click's ``Exit``); click's own exceptions and bugs pass through to the entry point."""
    try:
        yield
    except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
        raise
    except (Exception, KeyboardInterrupt) as exc:
        ending = ending_for(exc)
        if ending is None:
            raise
        if isinstance(exc, BrokenPipeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        if isinstance(exc, MemoryError):
            # The traceback's frames hold what filled the memory; let it go first,
            # or even printing the message fails.
            traceback.clear_frames(exc.__traceback__)
            gc.collect()
        say(ending)
        raise click.exceptions.Exit(int(ending.code)) from None
