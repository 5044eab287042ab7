"""``bibvault export``: records as biblatex, BibTeX, CSL-JSON or RIS."""

from __future__ import annotations

from pathlib import Path

import click

from bibvault.cli.common import (
    fail,
    finish,
    get_app,
    resolve_paths,
    split_commas,
    status,
    warn_read_errors,
)
from bibvault.collection import load_collection
from bibvault.exitcodes import ExitCode
from bibvault.export import EXPORTERS, PROFILES
from bibvault.export import export as export_records
from bibvault.fsutil import atomic_write, utf8
from bibvault.records import Record


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--to", "fmt", type=click.Choice(list(EXPORTERS)), required=True,
              help="The format to write.")
@click.option("--profile", type=click.Choice(PROFILES), default="paper", show_default=True,
              help="paper: only the fields citation styles use; full: every field "
                   "(keywords, annotation, comment, archive fields, link status).")
@click.option("--key", "keys", multiple=True, metavar="KEYS",
              help="Only these records (citation keys, comma separated; repeatable).")
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE",
              help="Where to write; '-' is standard output. A file is replaced atomically.")
@click.pass_context
def export(ctx: click.Context, paths: tuple[str, ...], fmt: str, profile: str,
           keys: tuple[str, ...], output: str) -> None:
    """Write records in another format.

    PATHS are .bib files or directories (default: the configured records).
    Records keep their file order; with --key, the order of the keys given.
    Exit 0 on success, 1 when entries could not be read (syntax errors, listed
    on stderr; they are missing from the output), 2 on usage, configuration or
    I/O failure (an unknown key included).
    """
    app = get_app(ctx)
    files = resolve_paths(app, paths)
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise fail(f"no such file: {', '.join(missing)}")
    with status() as say:
        collection = load_collection(files, app.config.encoding, progress=say)
        say(f"reading {collection.entry_count:,} entries")
        records = list(collection.records)
    errors = collection.read_errors
    wanted = split_commas(keys)
    if wanted:
        by_key: dict[str, Record] = {}
        for record in records:
            by_key.setdefault(record.key, record)
        unknown = [k for k in wanted if k not in by_key]
        if unknown:
            raise fail(f"no record with key {', '.join(unknown)}")
        records = [by_key[k] for k in dict.fromkeys(wanted)]
    with status() as say:
        say(f"exporting {len(records):,} records as {fmt}")
        text = export_records(records, fmt, profile)
    if output == "-":
        click.echo(utf8(text).decode("utf-8"), nl=False)
    else:
        atomic_write(Path(output), utf8(text), make_dirs=True)
        click.echo(f"wrote {len(records)} record{'s' * (len(records) != 1)} to {output}",
                   err=True)
    warn_read_errors(errors)
    finish(ctx, ExitCode.FINDINGS if errors else ExitCode.OK)
