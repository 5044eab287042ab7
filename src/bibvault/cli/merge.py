"""``bibvault merge KEEP DROP``: one record of a work that was entered twice."""

from __future__ import annotations

import click

from bibvault.cli.common import finish, get_app, resolve_paths
from bibvault.exitcodes import ExitCode
from bibvault.findings import shown_path
from bibvault.merge import MergeResult, merge_records


@click.command()
@click.argument("keep")
@click.argument("drop")
@click.option("--dry-run", is_flag=True, help="Print the diff; change no file.")
@click.pass_context
def merge(ctx: click.Context, keep: str, drop: str, dry_run: bool) -> None:
    """Merge record DROP into record KEEP (the same work entered twice).

    KEEP gets every field it lacks from DROP and both records' topics; DROP's key
    joins KEEP's `ids` (biblatex key aliases), so papers citing either key still
    compile; DROP is removed. Fields the two records hold with different values
    are printed as conflicts and left as KEEP has them. The records may be in
    different files. Exit 0 when merged without conflicts, 1 with conflicts to
    look at, 2 on usage, configuration or I/O failure (an unknown key included).
    """
    app = get_app(ctx)
    result = merge_records(resolve_paths(app, ()), keep, drop, dry_run=dry_run,
                           encoding=app.config.encoding)
    _report(result, dry_run)
    finish(ctx, ExitCode.FINDINGS if result.conflicts else ExitCode.OK)


def _report(result: MergeResult, dry_run: bool) -> None:
    if dry_run:
        click.echo(result.diff, nl=False)
    verb = "would merge" if dry_run else "merged"
    filled = f"; filled {', '.join(result.filled)}" if result.filled else ""
    click.echo(f"{verb} {result.drop} ({shown_path(result.drop_file)}) into {result.keep} "
               f"({shown_path(result.keep_file)}){filled}; ids = {{{result.ids}}}", err=True)
    for name in result.relinked:
        click.echo(f"relinked {name} to {result.keep}", err=True)
    for c in result.conflicts:
        click.echo(f"conflict: {c.field}: kept {c.keep!r}, not {c.drop!r}", err=True)
