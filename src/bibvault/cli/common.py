"""Shared pieces of the command line: the application context, errors, output."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click

from bibvault.config import Config, ConfigError, load_config
from bibvault.exitcodes import ExitCode


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
    """The given PATH arguments (directories expanded), or the configured records."""
    if not paths:
        return [_relative(p) for p in app.config.record_files()]
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*.bib") if q.is_file()))
        else:
            out.append(p)
    return out


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


def fail(message: str) -> click.exceptions.Exit:
    """Print ``message`` on stderr and return an exit-2 exception to raise."""
    click.echo(f"bibvault: error: {message}", err=True)
    return click.exceptions.Exit(int(ExitCode.USAGE))


@contextlib.contextmanager
def handle_errors() -> Iterator[None]:
    """Turn expected failures (bad configuration, I/O, interrupt) into a one-line
    message on stderr and the matching exit code (raised as click's ``Exit``)."""
    try:
        yield
    except BrokenPipeError:
        # The reader went away (``bibvault list | head``): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise click.exceptions.Exit(int(ExitCode.OK)) from None
    except ConfigError as exc:
        click.echo(f"bibvault: configuration error: {exc}", err=True)
        raise click.exceptions.Exit(int(ExitCode.USAGE)) from None
    except OSError as exc:
        name = f" {exc.filename}:" if getattr(exc, "filename", None) else ""
        click.echo(f"bibvault: I/O error:{name} {exc.strerror or exc}", err=True)
        raise click.exceptions.Exit(int(ExitCode.USAGE)) from None
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        raise click.exceptions.Exit(int(ExitCode.INTERRUPTED)) from None


def finish(ctx: click.Context, code: ExitCode | int) -> None:
    """End the command with ``code`` (raises click's ``Exit``)."""
    ctx.exit(int(code))
