"""``bibvault import``: records from RIS, CSL-JSON and other tools' BibTeX files."""

from __future__ import annotations

import click

from bibvault.cli.common import check_topics, finish, get_app, split_commas, status
from bibvault.cli.ingest_report import exit_code, report_results
from bibvault.ingest import ingest
from bibvault.ingest.candidate import Candidate
from bibvault.ingest.importfile import read_import_file


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--topic", "topics", multiple=True, metavar="TOPIC",
              help="Give every imported record this topic (repeatable, comma separated).")
@click.option("--dry-run", is_flag=True, help="Show what would be added; write nothing.")
@click.option("--force", is_flag=True,
              help="Add exact duplicates and records with validation errors anyway.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Report for people (text) or programs (json).")
@click.pass_context
def import_(ctx: click.Context, files: tuple[str, ...], topics: tuple[str, ...], dry_run: bool,
            force: bool, fmt: str) -> None:
    """Bring records in from RIS, CSL-JSON, or BibTeX/biblatex files of Zotero,
    Better BibTeX, JabRef or Mendeley (the format is recognised by content).

    Each record gets a bibvault key (the file's key is kept in `ids`), is checked
    for duplicates against the collection and the rest of the import, and is
    written in the canonical layout into its target file. Tags become topics
    through ingest.topic_aliases; fields bibvault has no place for are reported.
    Exit 0 when every record was added, 1 when one was refused, 2 on usage,
    configuration or I/O failure (a file that is not importable included).
    """
    app = get_app(ctx)
    chosen = split_commas(topics)
    check_topics(app, chosen)
    config = app.config
    candidates: list[Candidate] = []
    with status() as say:
        for path in files:
            say(f"reading {path}")
            found = read_import_file(path)
            if not found:
                click.echo(f"bibvault: warning: {path}: no records found", err=True)
            candidates.extend(found)
        say(f"importing {len(candidates):,} records")
        results = ingest(candidates, config, topics=chosen, dry_run=dry_run, force=force)
    report_results(results, fmt, dry_run=dry_run, detailed=False, suggest=not chosen)
    finish(ctx, exit_code(results))
