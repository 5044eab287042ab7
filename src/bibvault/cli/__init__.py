"""The ``bibvault`` command: a thin click layer over the library.

Each command lives in its own module and is registered here. A command parses
options, calls one library function, hands the result to a reporter and returns
an :class:`~bibvault.exitcodes.ExitCode`.
"""

from __future__ import annotations

import sys

import click

from bibvault import __version__
from bibvault.cli.add import add
from bibvault.cli.build import build
from bibvault.cli.check import archive, check, verify
from bibvault.cli.common import AppContext, tolerant_streams
from bibvault.cli.csl import cite, format_, styles
from bibvault.cli.errors import (
    OUT_OF_MEMORY,
    Ending,
    debugging,
    ending_for,
    handle_errors,
    internal_error,
    say,
)
from bibvault.cli.export import export
from bibvault.cli.fmt import fmt
from bibvault.cli.import_ import import_
from bibvault.cli.listing import list_
from bibvault.cli.merge import merge
from bibvault.cli.validate import rules, validate
from bibvault.exitcodes import ExitCode

# Every command, in the order ``--help`` lists them.
COMMANDS: tuple[click.Command, ...] = (
    build,
    validate,
    rules,
    fmt,
    list_,
    format_,
    cite,
    styles,
    export,
    check,
    archive,
    verify,
    add,
    import_,
    merge,
)


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

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


for _command in COMMANDS:
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    out_of_memory = False
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
