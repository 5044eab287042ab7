"""``bibvault fmt``: give .bib files the canonical layout."""

from __future__ import annotations

import difflib

import click

from bibvault.bibfile import parse
from bibvault.cli.common import finish, get_app, load, status
from bibvault.exitcodes import ExitCode
from bibvault.fmt import FormatError, format_file


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--check", is_flag=True, help="Change nothing; exit 1 when a file would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff instead of writing.")
@click.pass_context
def fmt(ctx: click.Context, paths: tuple[str, ...], check: bool, show_diff: bool) -> None:
    """Rewrite .bib files in one canonical layout (idempotent).

    Stable field order, aligned '=', braced values, one blank line between
    entries; comments, @string and @preamble kept. Files with syntax errors are
    left alone and reported.
    """
    app = get_app(ctx)
    with status() as say:
        files = load(app, paths, say).files
    changed = failed = 0
    for bf in files:
        try:
            with status() as say:
                say(f"formatting {bf.path}")
                new_text = format_file(bf)
        except FormatError as exc:
            click.echo(f"bibvault: {exc}", err=True)
            failed += 1
            continue
        old_text = bf.to_text()
        if new_text == old_text:
            continue
        changed += 1
        if show_diff:
            click.echo("".join(difflib.unified_diff(
                old_text.splitlines(keepends=True), new_text.splitlines(keepends=True),
                fromfile=bf.path, tofile=bf.path)), nl=False)
        elif check:
            click.echo(f"would reformat {bf.path}", err=True)
        else:
            parse(new_text, bf.path, bf.encoding).save()
            click.echo(f"reformatted {bf.path}", err=True)
    unchanged = len(files) - changed - failed
    verb = "would be reformatted" if (check or show_diff) else "reformatted"
    click.echo(f"{changed} file{'s' * (changed != 1)} {verb}, {unchanged} left unchanged"
               + (f", {failed} with syntax errors" if failed else ""), err=True)
    if failed:
        finish(ctx, ExitCode.FINDINGS)
    finish(ctx, ExitCode.FINDINGS if (check and changed) else ExitCode.OK)
