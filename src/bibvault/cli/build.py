"""``bibvault build``: the reading list as a site, plus exports."""

from __future__ import annotations

from pathlib import Path

import click

from bibvault.build import EXPORT_FILES, PAGE_FORMATS, BuildOptions, run_build
from bibvault.cli.common import check_topics, date_option, finish, get_app, split_commas
from bibvault.exitcodes import ExitCode
from bibvault.findings import Severity
from bibvault.fsutil import utf8
from bibvault.render import GROUP_BY, ORDERS, Filters


def _show(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@click.command()
@click.option("-o", "--output", metavar="DIR|-",
              help="Where to write (default: build.output, usually site/). '-' writes "
                   "the first format's document to stdout and nothing else.")
@click.option("-s", "--style", "styles", multiple=True, metavar="STYLE",
              help="Citation style(s), name or .csl path (repeatable; default: build.styles).")
@click.option("-f", "--format", "formats", multiple=True,
              type=click.Choice(list(PAGE_FORMATS)),
              help="Page format(s) (repeatable; default: build.formats).")
@click.option("--export", "exports", multiple=True, metavar="NAME",
              help=f"Export(s): {', '.join(EXPORT_FILES)} (repeatable; default: build.exports).")
@click.option("--no-exports", is_flag=True, help="Write no exports.")
@click.option("--group-by", type=click.Choice(GROUP_BY), default=None,
              help="Group by configured section (default), topic, type, year, or not at all.")
@click.option("--order", type=click.Choice(ORDERS), default=None,
              help="Order within a group (default: build.order). Undated records go last.")
@click.option("--topic", "topics", multiple=True, help="Only records with this topic (repeatable).")
@click.option("--type", "types", multiple=True, help="Only records of this entry type (repeatable).")
@click.option("--since", callback=date_option, metavar="DATE", help="Only records dated on or after DATE.")
@click.option("--until", callback=date_option, metavar="DATE",
              help="Only records dated on or before DATE.")
@click.option("--key", "keys", multiple=True, help="Only the record with this key (repeatable).")
@click.option("--force", is_flag=True, help="Build even when validation finds errors.")
@click.pass_context
def build(ctx: click.Context, output: str | None, styles: tuple[str, ...],
          formats: tuple[str, ...], exports: tuple[str, ...], no_exports: bool,
          group_by: str | None, order: str | None, topics: tuple[str, ...],
          types: tuple[str, ...], since: str | None, until: str | None,
          keys: tuple[str, ...], force: bool) -> None:
    """Validate the records, then write the reading list (HTML, Markdown, text) and exports.

    Validation errors stop the build (exit 1) unless --force. A second build
    with nothing changed rewrites nothing. Progress and the summary go to
    stderr; stdout carries only the document with -o -.
    """
    app = get_app(ctx)
    config = app.config
    check_topics(app, split_commas(topics))
    if output and output != "-":
        output = str(Path(output).resolve())  # relative to where the command runs
    options = BuildOptions(
        output=output,
        styles=split_commas(styles),
        formats=tuple(formats),
        exports=() if no_exports else (split_commas(exports) or None),
        group_by=group_by,
        order=order,
        filters=Filters(topics=split_commas(topics), types=split_commas(types), keys=split_commas(keys),
                        since=since, until=until),
        force=force,
    )
    def progress(message: str) -> None:
        click.echo(message, err=True)

    result = run_build(config, options, progress=progress)
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    for f in result.findings:
        if f.severity is not Severity.INFO or result.stopped:
            click.echo(f.format_text(), err=True)
    if result.stopped:
        click.echo(f"build stopped: {len(errors)} validation error"
                   f"{'s' * (len(errors) != 1)} (use --force to build anyway)", err=True)
        finish(ctx, ExitCode.FINDINGS)
        return
    if result.stdout is not None:
        click.echo(utf8(result.stdout).decode("utf-8"), nl=False)
    elif result.output is not None:
        where = _show(result.output)
        if result.cached:
            click.echo(f"{where}: up to date, {result.entries} entries "
                       f"({result.seconds:.2f} s)", err=True)
        else:
            click.echo(f"built {where}: {result.entries} entries, {len(result.written)} "
                       f"written, {len(result.unchanged)} unchanged, {len(result.removed)} "
                       f"removed ({result.seconds:.2f} s)", err=True)
    if errors:
        click.echo(f"built despite {len(errors)} validation error"
                   f"{'s' * (len(errors) != 1)} (--force)", err=True)
    finish(ctx, ExitCode.OK)
