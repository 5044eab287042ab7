"""Shared pieces of the command line: the application context, errors, output."""

from __future__ import annotations

import contextlib
import io
import json
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import click

from bibvault.cli.errors import CommandError
from bibvault.collection import Collection, load_collection
from bibvault.config import Config, load_config
from bibvault.exitcodes import ExitCode
from bibvault.findings import Finding
from bibvault.fsutil import utf8
from bibvault.select import date_bound


@dataclass
class AppContext:
    """What every command may need; the configuration is loaded on first use."""

    config_path: str | None = None
    _config: Config | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        """The loaded configuration (raises :class:`ConfigError` when invalid)."""
        if self._config is None:
            self._config = load_config(Path(self.config_path) if self.config_path else None)
        return self._config


def get_app(ctx: click.Context) -> AppContext:
    """The :class:`AppContext`, also when a command is invoked on its own in tests."""
    obj = ctx.find_object(AppContext)
    if obj is None:
        obj = AppContext()
        ctx.obj = obj
    return obj


def resolve_paths(app: AppContext, paths: tuple[str, ...]) -> list[Path]:
    """The given PATH arguments (directories expanded), or the configured records.

    A directory given without any ``.bib`` file below it is a usage error.
    """
    if not paths:
        return [_relative(p) for p in app.config.record_files()]
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(q for q in p.rglob("*.bib") if q.is_file())
            if not found:  # a mistyped directory would otherwise pass as clean
                raise fail(f"{p}: no .bib files in this directory")
            out.extend(found)
        else:
            out.append(p)
    return out


def date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback for ``--since``/``--until``: YYYY, YYYY-MM or YYYY-MM-DD."""
    if value is None:
        return None
    try:
        date_bound(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    return value


def check_topics(app: AppContext, topics: tuple[str, ...] | list[str]) -> None:
    """Raise a usage error (exit 2) for a ``--topic`` the vocabulary does not have.

    A misspelt topic would otherwise select nothing and pass as a clean run.
    Without a configured vocabulary every topic is accepted.
    """
    known = app.config.topics
    unknown = [t for t in topics if known and t not in known]
    if unknown:
        raise fail(f"unknown topic {', '.join(unknown)} (known: {', '.join(known)})")


def _relative(path: Path) -> Path:
    """``path`` relative to the working directory when it lies below it (shorter reports)."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def fail(message: str) -> CommandError:
    """The exception to raise for a usage failure: ``message`` goes to stderr, the command
    exits 2 (see :mod:`bibvault.cli.errors`)."""
    return CommandError(message)


def tolerant_streams() -> None:
    """Let stdout and stderr print text from a .bib file whatever bytes it held.

    Bytes that are not UTF-8 travel as lone surrogates, which a strict stream
    refuses with an exception in the middle of a report; they are printed as
    a replacement character instead. Reports meant for programs are made valid
    UTF-8 before they are printed (see :func:`echo_data`).
    """
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="replace")


def load(app: AppContext, paths: tuple[str, ...], say: Status | None = None) -> Collection:
    """The collection of the PATH arguments (see :func:`resolve_paths`), naming each file on
    ``say`` as it is read."""
    return load_collection(resolve_paths(app, paths), app.config.encoding, progress=say)


def warn_read_errors(errors: list[Finding]) -> None:
    """Tell on stderr which entries could not be read, so that a short result is explained."""
    for f in errors:
        click.echo(f"bibvault: warning: {f.format_text()}", err=True)
    if errors:
        n = len(errors)
        click.echo(f"bibvault: {n} error{'s' * (n != 1)} reading the .bib files: the records "
                   "there are missing or incomplete (see `bibvault validate`)", err=True)


def echo_json(data: object) -> None:
    """Print ``data`` as JSON on stdout: indented, non-ASCII as is, always valid UTF-8.

    Bytes of a .bib file that are not UTF-8 travel as lone surrogates; they are
    printed as U+FFFD, since a JSON reader would reject the raw bytes.
    """
    click.echo(utf8(json.dumps(data, indent=2, ensure_ascii=False)).decode("utf-8"))


def echo_data(text: str, nl: bool = True) -> None:
    """Print document ``text`` on stdout as valid UTF-8 (see :func:`echo_json`)."""
    click.echo(utf8(text).decode("utf-8"), nl=nl)


def finish(ctx: click.Context, code: ExitCode | int) -> None:
    """End the command with ``code`` (raises click's ``Exit``)."""
    ctx.exit(int(code))


class Status:
    """One transient progress line on a terminal's stderr: what is being done, for how long.

    ``status("validating 27,783 records")`` replaces the line; a ticker
    repaints the elapsed seconds, so a long step visibly moves. The line is
    erased on :meth:`close`, so nothing of it is left among the results. When
    the stream is not a terminal (a pipe, a log, a test) nothing is written.
    """

    TICK = 0.25

    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_tty(self.stream) if enabled is None else enabled
        self._message = ""
        self._painted = ""
        self._since = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, message: str) -> None:
        """Show ``message`` as the current step."""
        if not self.enabled:
            return
        with self._lock:
            self._message, self._since = message, time.monotonic()
            self._paint()
        if self._thread is None:
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()

    def _tick(self) -> None:
        while not self._stop.wait(self.TICK):
            with self._lock:
                self._paint()

    def _paint(self) -> None:
        seconds = time.monotonic() - self._since
        elapsed = f" ({seconds:.0f} s)" if seconds >= 1 else ""
        line = f"{self._message}…{elapsed}"
        if line == self._painted:
            return
        self._painted = line
        with contextlib.suppress(OSError, ValueError):
            self.stream.write(f"\r\x1b[K{line}")
            self.stream.flush()

    def close(self) -> None:
        """Stop the ticker and erase the line."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self.enabled and self._message:
            with contextlib.suppress(OSError, ValueError):
                self.stream.write("\r\x1b[K")
                self.stream.flush()
            self._message = self._painted = ""


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def status() -> Iterator[Status]:
    """A :class:`Status` on stderr for the length of the block."""
    line = Status()
    try:
        yield line
    finally:
        line.close()


def split_commas(values: tuple[str, ...]) -> tuple[str, ...]:
    """Values of a repeatable option that may also be comma separated, trimmed, empties dropped."""
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())
