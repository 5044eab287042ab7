"""The ``bibvault`` command: a thin click layer over the library.

Each command lives in its own module and is registered here. A command parses
options, calls one library function, hands the result to a reporter and returns
an :class:`~bibvault.exitcodes.ExitCode`.
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Mapping
from types import MappingProxyType

import click

from bibvault import __version__
from bibvault.cli.common import AppContext, tolerant_streams
from bibvault.cli.errors import (
    OUT_OF_MEMORY,
    Ending,
    debugging,
    ending_for,
    handle_errors,
    internal_error,
    say,
)
from bibvault.exitcodes import ExitCode

# Every command, in the order ``--help`` lists them: its name → (module under
# bibvault.cli, the command object's name there). A command's module is imported
# when that command runs, so `bibvault validate` does not pay for the PDF reader,
# the HTML parsers and the CSL engine (importing every command cost about 0.6 s of
# CPU on each run). A module that fails to import raises; nothing is skipped.
COMMANDS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "build": ("build", "build"),
    "validate": ("validate", "validate"),
    "rules": ("validate", "rules"),
    "fmt": ("fmt", "fmt"),
    "list": ("listing", "list_"),
    "format": ("csl", "format_"),
    "cite": ("csl", "cite"),
    "styles": ("csl", "styles"),
    "export": ("export", "export"),
    "check": ("check", "check"),
    "archive": ("check", "archive"),
    "verify": ("check", "verify"),
    "add": ("add", "add"),
    "import": ("import_", "import_"),
    "merge": ("merge", "merge"),
})


def command(name: str) -> click.Command:
    """The command called ``name`` (KeyError if there is none), its module imported."""
    module, attr = COMMANDS[name]
    found = getattr(importlib.import_module(f"bibvault.cli.{module}"), attr)
    if not isinstance(found, click.Command):
        raise TypeError(f"bibvault.cli.{module}.{attr} is not a click command")
    return found


def all_commands() -> dict[str, click.Command]:
    """Every command by name, in ``--help`` order (imports every command's module)."""
    return {name: command(name) for name in COMMANDS}


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return command(cmd_name) if cmd_name in COMMANDS else None

    def invoke(self, ctx: click.Context) -> object:
        # Expected failures become a message and an exit code here, so that
        # CliRunner tests see exactly what the console script does.
        tolerant_streams()
        with handle_errors():
            return super().invoke(ctx)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="bibvault")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Configuration file (default: the nearest bibvault.yaml).",
)
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """Keep curated BibTeX reading lists valid, archived and cited."""
    ctx.obj = AppContext(config_path=config_path)


def main() -> None:
    """Console-script entry point."""
    out_of_memory = False
    # What importing made lives as long as the process: frozen, it is left out of
    # every full garbage collection (which otherwise walk it again and again, about
    # 2% of a build's CPU). Only here, not in tests that run commands in-process.
    gc.freeze()
    try:
        code = cli.main(standalone_mode=False)
    except MemoryError:
        # Reported below, once the exception and the frames it holds are gone:
        # a memory error while reporting one (see handle_errors) ends up here.
        out_of_memory = True
        code = int(ExitCode.USAGE)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except (Exception, KeyboardInterrupt) as exc:
        ending = ending_for(exc)
        if ending is None and debugging():
            raise
        ending = ending or internal_error(exc)
        say(ending)
        code = int(ending.code)
    if out_of_memory:
        say(Ending(ExitCode.USAGE, OUT_OF_MEMORY))
    sys.exit(int(code) if isinstance(code, int) else int(ExitCode.OK))
